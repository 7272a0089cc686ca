"""The scenario map renders for every shipped scenario (PNG and SVG)."""
from __future__ import annotations

import itertools

import pytest
from matplotlib.transforms import Bbox

from course.scenarios import load_shipped, save_map, scenarios_dir
from course.scenarios.mapdraw import BOX_H, BOX_W, draw_map, layout
from course.scenarios.mapdraw import main as map_main

SHIPPED = ["domestic-dispute", "mental-health-crisis", "protest"]


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_map_png(tmp_path, scenario_id):
    out = save_map(load_shipped(scenario_id), tmp_path / f"{scenario_id}.png",
                   edge_labels={("briefing", "meet_organisers"): "42%"} if scenario_id == "protest" else None)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_map_svg_has_labels(tmp_path):
    out = save_map(load_shipped("protest"), tmp_path / "p.svg", edge_labels={("briefing", "meet_organisers"): "42%"})
    text = out.read_text()
    assert "<svg" in text


def test_map_command(tmp_path, capsys):
    out = tmp_path / "m.png"
    assert map_main([str(scenarios_dir() / "protest.yaml"), "-o", str(out)]) == 0
    assert out.exists()


def _overlap(a, b) -> bool:
    return min(a.x1, b.x1) > max(a.x0, b.x0) and min(a.y1, b.y1) > max(a.y0, b.y0)


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_report_labels_cover_no_label_and_no_box(scenario_id):
    """With a class's shares after every choice (the report's map), each edge label is readable:
    it covers no other edge label and no node box."""
    scenario = load_shipped(scenario_id)
    shares = {(node.id, choice.id): "12/30=40%" for node in scenario.decision_nodes for choice in node.choices}
    fig = draw_map(scenario, shares, edge_traffic={})
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    labels = [t for t in ax.texts if t.get_gid() == "edge-label"]
    assert sum(t.get_text().count("12/30=40%") for t in labels) >= len(shares)   # a branch choice may show twice
    extents = [(t.get_text(), t.get_window_extent(renderer).transformed(to_data)) for t in labels]
    crossing = [(a, b) for (a, ea), (b, eb) in itertools.combinations(extents, 2) if _overlap(ea, eb)]
    assert crossing == []
    boxes = {nid: Bbox.from_bounds(x - BOX_W / 2, y - BOX_H / 2, BOX_W, BOX_H) for nid, (x, y) in layout(scenario).items()}
    on_boxes = [(text, nid) for text, e in extents for nid, box in boxes.items() if _overlap(e, box)]
    assert on_boxes == []
