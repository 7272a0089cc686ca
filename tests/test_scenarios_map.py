"""The scenario map renders for every shipped scenario (PNG and SVG)."""
from __future__ import annotations

import pytest

from course.scenarios import load_shipped, save_map, scenarios_dir
from course.scenarios.mapdraw import main as map_main


@pytest.mark.parametrize("scenario_id", ["domestic-dispute", "mental-health-crisis", "protest"])
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
