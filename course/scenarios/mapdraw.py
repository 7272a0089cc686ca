"""Draw a scenario map: decision nodes as boxes, endings coloured AND labelled by
outcome, one arrow per (node, target) labelled with the choice ids.

    python -m course.scenarios.mapdraw SCENARIO.yaml -o map.png   (or .svg)

Only matplotlib is needed (no graphviz). The layout is layered top to bottom:
layers are the shortest distance from the start (endings on the bottom row), and each layer is ordered by the average position of its neighbours
(a few sweeps) to cut crossings. Loop-back edges are drawn as curves.

Label marks: ``choice?`` = the choice is shown only under a condition;
``choice*`` = a `next_if` branch taken only when the state matches.
`edge_labels` maps (node id, choice id) to extra text such as "42%", written on the choice's
own line; `edge_traffic` maps (node id, target id) to how many times that arrow was taken and
sets the arrows' widths (untaken arrows are drawn dashed and pale). Edge labels are placed
one by one along their arrows where they cover no box and no label placed before them.
"""
from __future__ import annotations

import argparse
import os
import sys
import re
from pathlib import Path
from typing import Mapping

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from .describe import outcome_label
from .loader import load_scenario
from .model import OUTCOMES, Scenario

# Colour-blind-safe (Okabe-Ito) colours; the outcome is also written in each box.
OUTCOME_COLOURS = {
    "resolved_agreement": "#009E73",
    "voluntary_help": "#56B4E9",
    "referral": "#F0E442",
    "arrest": "#E69F00",
    "unresolved": "#BBBBBB",
    "use_of_force": "#D55E00",
    "injury": "#CC79A7",
}
DECISION_COLOUR = "#FFFFFF"
START_EDGE = "#0072B2"

X_GAP, Y_GAP = 3.0, 2.5      # data units between slots and layers
BOX_W, BOX_H = 2.5, 0.9
INCH_PER_UNIT = 0.72
EDGE_COLOUR, UNTAKEN_COLOUR = "#444444", "#AAAAAA"
LABEL_PAD = 0.06             # data units kept clear around a label

# Where along its arrow (0 = source, 1 = target) a label may go, best first: near the source on
# arrows to the next layer and on long arrows (so it is clear whose choice it is), mid-way on
# loop-backs.
LABEL_SPOTS = {
    "next": (0.35, 0.5, 0.25, 0.65, 0.18, 0.75, 0.42, 0.58, 0.12, 0.85),
    "long": (0.15, 0.25, 0.1, 0.35, 0.5, 0.65, 0.8),
    "back": (0.5, 0.35, 0.65, 0.25, 0.75),
    "self": (0.5, 0.3, 0.7),
}
# (dx, dy) in data units, tried in this order when no spot on the arrow itself is free
LABEL_SHIFTS = [(dx, dy) for dy in (0.0, 0.25, -0.25, 0.5, -0.5) for dx in (0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5)]


def _edges(scenario: Scenario) -> dict[tuple[str, str], list[str]]:
    """(source, target) -> labels of every choice/branch leading there."""
    out: dict[tuple[str, str], list[str]] = {}
    for node in scenario.nodes.values():
        for c in node.choices:
            mark = "?" if c.condition is not None else ""
            if c.next is not None:
                out.setdefault((node.id, c.next), []).append(c.id + mark)
            else:
                for b in c.next_if:
                    label = c.id + mark + ("*" if b.condition is not None else "")
                    lst = out.setdefault((node.id, b.next), [])
                    if label not in lst:
                        lst.append(label)
    return out


def layout(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Node id -> (x, y) in data units, start at the top."""
    succ = {n: [] for n in scenario.nodes}
    for (s, t) in _edges(scenario):
        if t not in succ[s]:
            succ[s].append(t)
    # layers: shortest distance from the start (breadth first); this keeps the map wide
    # and shallow, and edges that skip layers or go back up are drawn as curves
    layer = {n: 0 for n in succ}
    seen = {scenario.start}
    queue = [scenario.start]
    while queue:
        v = queue.pop(0)
        for w in succ[v]:
            if w not in seen:
                seen.add(w)
                layer[w] = layer[v] + 1
                queue.append(w)
    unreached = [n for n in succ if n not in seen]
    bottom = max(layer.values(), default=0) + 1
    for n in unreached:
        layer[n] = bottom
    # endings sink to one bottom row so the outcomes line up
    deepest = max((layer[n] for n, node in scenario.nodes.items() if not node.is_ending), default=0)
    for n, node in scenario.nodes.items():
        if node.is_ending:
            layer[n] = deepest + 1
    layers: dict[int, list[str]] = {}
    for n in scenario.nodes:                     # file order as the first guess
        layers.setdefault(layer[n], []).append(n)
    forward = {n: [t for t in succ[n] if layer[t] > layer[n]] for n in succ}
    preds = {n: [p for p in succ if n in forward[p]] for n in succ}
    order = {n: i for lst in layers.values() for i, n in enumerate(lst)}
    for sweep in range(6):
        keys = sorted(layers) if sweep % 2 == 0 else sorted(layers, reverse=True)
        for k in keys:
            nbrs = preds if sweep % 2 == 0 else forward
            def bary(n):
                ps = nbrs[n]
                return sum(order[p] for p in ps) / len(ps) if ps else order[n]
            layers[k].sort(key=bary)
            for i, n in enumerate(layers[k]):
                order[n] = i
    width = max(len(v) for v in layers.values())
    pos = {}
    for k, names in layers.items():
        offset = (width - len(names)) / 2
        for i, n in enumerate(names):
            pos[n] = ((offset + i) * X_GAP, -k * Y_GAP)
    return pos


def _wrap(text: str, width: int = 18) -> str:
    """Wrap an id at '_' or '-' so long ids fit in a box without splitting words."""
    parts = re.findall(r"[^_-]+[_-]?|[_-]", text)
    lines, current = [], ""
    for part in parts:
        if current and len(current) + len(part) > width:
            lines.append(current)
            current = part
        else:
            current += part
    lines.append(current)
    return "\n".join(lines)


def _arrow_geometry(source: tuple[float, float], target: tuple[float, float]):
    """(start, end, arc3 rad, kind) of the arrow between two boxes; kind picks its label spots."""
    (sx, sy), (tx, ty) = source, target
    if (sx, sy) == (tx, ty):                     # a choice that stays put: a loop over the top right corner
        return (sx + BOX_W / 4, sy + BOX_H / 2), (sx + BOX_W / 2, sy), -1.5, "self"
    span = round((sy - ty) / Y_GAP)
    if span == 1:
        return (sx, sy - BOX_H / 2), (tx, ty + BOX_H / 2), 0.0, "next"
    if span > 1:                                 # skips layers: bow out so it misses the boxes between
        return (sx, sy - BOX_H / 2), (tx, ty + BOX_H / 2), (0.35 if tx >= sx else -0.35), "long"
    if span == 0:                                # sideways: over the top of the boxes
        return (sx, sy + BOX_H / 2), (tx, ty + BOX_H / 2), (-0.4 if tx > sx else 0.4), "back"
    return (sx + BOX_W / 2, sy), (tx + BOX_W / 2, ty), 0.6, "back"   # back up: beside the boxes


def _on_curve(start, end, rad: float, t: float) -> tuple[float, float]:
    """The point a fraction t along arc3's quadratic Bezier from start to end."""
    cx = (start[0] + end[0]) / 2 + rad * (end[1] - start[1])
    cy = (start[1] + end[1]) / 2 - rad * (end[0] - start[0])
    return ((1 - t) ** 2 * start[0] + 2 * (1 - t) * t * cx + t ** 2 * end[0],
            (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * cy + t ** 2 * end[1])


def _place_label(ax, text: str, start, end, rad: float, spots: tuple[float, ...], taken: list[Bbox]) -> None:
    """Put the label at the first spot along its arrow that covers nothing already placed (boxes and
    earlier labels), else where it covers least; record the area it now takes."""
    artist = ax.text(0, 0, text, fontsize=6.5, ha="center", va="center", zorder=3, color="#222222",
                     bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85), gid="edge-label")
    renderer = ax.figure.canvas.get_renderer()
    to_data = ax.transData.inverted()
    best = None
    for dx, dy in LABEL_SHIFTS:
        for t in spots:
            x, y = _on_curve(start, end, rad, t)
            artist.set_position((x + dx, y + dy))
            box = artist.get_window_extent(renderer).transformed(to_data).padded(LABEL_PAD)
            covered = sum(_overlap(box, other) for other in taken)
            if best is None or covered < best[0]:
                best = (covered, (x + dx, y + dy), box, (x, y))
            if covered == 0:
                break
        if best[0] == 0:
            break
    _, where, box, on_arrow = best
    artist.set_position(where)
    taken.append(box)
    if where != on_arrow:   # a label moved off its arrow points at it: a dot on the arrow, a line to the label
        ax.plot([on_arrow[0], where[0]], [on_arrow[1], where[1]], color="#222222", lw=0.6, ls=":", zorder=2.5,
                gid="label-leader")
        ax.plot([on_arrow[0]], [on_arrow[1]], "o", color="#222222", ms=2.5, zorder=2.5, gid="label-leader")


def _overlap(a: Bbox, b: Bbox) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0 and height > 0 else 0.0


def draw_map(scenario: Scenario, edge_labels: Mapping[tuple[str, str], str] | None = None,
             title: str | None = None, edge_traffic: Mapping[tuple[str, str], int] | None = None) -> Figure:
    """A matplotlib Figure of the scenario map (no pyplot, no display needed)."""
    edge_labels = edge_labels or {}
    pos = layout(scenario)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, x1 = min(xs) - BOX_W, max(xs) + BOX_W
    y0, y1 = min(ys) - BOX_H * 2.2, max(ys) + BOX_H * 1.6
    fig = Figure(figsize=(max(8.0, (x1 - x0) * INCH_PER_UNIT), max(6.0, (y1 - y0) * INCH_PER_UNIT)))
    FigureCanvasAgg(fig)                         # a renderer, to measure labels before placing them
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.95))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    fig.suptitle(title or f"{scenario.title} ({scenario.id})", fontsize=13)

    busiest = max(edge_traffic.values(), default=0) if edge_traffic else 0
    taken: list[Bbox] = [Bbox.from_bounds(x - BOX_W / 2, y - BOX_H / 2, BOX_W, BOX_H) for x, y in pos.values()]
    edges = _edges(scenario)
    pair_count: dict[frozenset, int] = {}
    labels_to_place = []
    for (s, t), labels in edges.items():
        start, end, rad, kind = _arrow_geometry(pos[s], pos[t])
        key = frozenset((s, t))
        pair_count[key] = pair_count.get(key, 0) + 1
        if pair_count[key] > 1:
            rad += 0.25
        colour, width, style = EDGE_COLOUR, 0.9, "-"
        if edge_traffic is not None:
            count = edge_traffic.get((s, t), 0)
            if count:
                width = 0.8 + 3.2 * count / busiest
            else:
                colour, width, style = UNTAKEN_COLOUR, 0.8, "--"
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, lw=width, linestyle=style,
                                     color=colour, connectionstyle=f"arc3,rad={rad}", zorder=1))
        lines = [f"{lab} {edge_labels[(s, choice)]}" if (s, choice) in edge_labels else lab
                 for lab, choice in ((lab, lab.rstrip("?*")) for lab in labels)]
        labels_to_place.append(("\n".join(lines), start, end, rad, kind))
    # the hardest labels first: loops on a box (few spots), then the biggest
    for text, start, end, rad, kind in sorted(labels_to_place, key=lambda lab: (lab[4] != "self", -len(lab[0]))):
        _place_label(ax, text, start, end, rad, LABEL_SPOTS[kind], taken)

    for nid, node in scenario.nodes.items():
        x, y = pos[nid]
        if node.is_ending:
            colour = OUTCOME_COLOURS.get(node.outcome, "#DDDDDD")
            label = f"{_wrap(nid)}\n[{outcome_label(node.outcome).upper()}]"
            style, lw, ec = "round,pad=0.05,rounding_size=0.3", 1.2, "#222222"
        else:
            colour, label = DECISION_COLOUR, _wrap(nid)
            style, lw, ec = "square,pad=0.05", 1.2, "#222222"
            if nid == scenario.start:
                lw, ec, label = 2.5, START_EDGE, "START\n" + label
        ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle=style,
                                    fc=colour, ec=ec, lw=lw, zorder=2))
        ax.text(x, y, label, fontsize=7.5, ha="center", va="center", zorder=4,
                fontweight="bold" if node.is_ending else "normal")

    present = [o for o in OUTCOMES if any(n.outcome == o for n in scenario.endings)]
    handles = [Patch(fc=DECISION_COLOUR, ec="#222222", label="decision (box)")]
    handles += [Patch(fc=OUTCOME_COLOURS[o], ec="#222222", label=f"ending: {outcome_label(o)}") for o in present]
    legend_title = "choice? = shown only under a condition;  choice* = branch taken only when the state matches"
    if edge_traffic is not None:
        legend_title += "\nthicker arrow = taken more often;  dashed pale arrow = nobody took it"
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, frameon=True, ncol=min(4, len(handles)),
              title=legend_title, title_fontsize=7)
    return fig


def save_map(scenario: Scenario, out: str | os.PathLike,
             edge_labels: Mapping[tuple[str, str], str] | None = None, dpi: int = 110) -> Path:
    """Write the map to PNG or SVG (by the file suffix) and return the path."""
    out = Path(out)
    fig = draw_map(scenario, edge_labels)
    fig.savefig(out, dpi=dpi, format=(out.suffix.lstrip(".").lower() or "png"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.scenarios.mapdraw",
                                     description="Draw a scenario map to PNG or SVG.")
    parser.add_argument("scenario", help="scenario YAML file")
    parser.add_argument("-o", "--output", help="output .png or .svg (default: <scenario-id>-map.png)")
    args = parser.parse_args(argv)
    from .errors import ScenarioError
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 1
    out = save_map(scenario, args.output or f"{scenario.id}-map.png")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
