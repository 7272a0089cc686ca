"""Draw a scenario map: decision nodes as boxes, endings coloured AND labelled by
outcome, one arrow per (node, target) labelled with the choice ids.

    python -m course.scenarios.mapdraw SCENARIO.yaml -o map.png   (or .svg)

Only matplotlib is needed (no graphviz). The layout is layered top to bottom:
layers are the shortest distance from the start (endings on the bottom row), and each layer is ordered by the average position of its neighbours
(a few sweeps) to cut crossings. Loop-back edges are drawn as curves.

Label marks: ``choice?`` = the choice is shown only under a condition;
``choice*`` = a `next_if` branch taken only when the state matches.
`edge_labels` maps (node id, choice id) to extra text such as "42%".
"""
from __future__ import annotations

import argparse
import os
import sys
import re
from pathlib import Path
from typing import Mapping

from matplotlib.figure import Figure
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

X_GAP, Y_GAP = 3.0, 2.2      # data units between slots and layers
BOX_W, BOX_H = 2.5, 0.9
INCH_PER_UNIT = 0.72


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


def draw_map(scenario: Scenario, edge_labels: Mapping[tuple[str, str], str] | None = None,
             title: str | None = None) -> Figure:
    """A matplotlib Figure of the scenario map (no pyplot, no display needed)."""
    edge_labels = edge_labels or {}
    pos = layout(scenario)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, x1 = min(xs) - BOX_W, max(xs) + BOX_W
    y0, y1 = min(ys) - BOX_H * 2.2, max(ys) + BOX_H * 1.6
    fig = Figure(figsize=(max(8.0, (x1 - x0) * INCH_PER_UNIT), max(6.0, (y1 - y0) * INCH_PER_UNIT)))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.95))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    fig.suptitle(title or f"{scenario.title} ({scenario.id})", fontsize=13)

    edges = _edges(scenario)
    pair_count: dict[frozenset, int] = {}
    for (s, t), labels in edges.items():
        (sx, sy), (tx, ty) = pos[s], pos[t]
        span = round((sy - ty) / Y_GAP)
        if span == 1:
            start, end, rad = (sx, sy - BOX_H / 2), (tx, ty + BOX_H / 2), 0.0
        elif span > 1:                           # skips layers: bow out so it misses the boxes between
            start, end = (sx, sy - BOX_H / 2), (tx, ty + BOX_H / 2)
            rad = 0.35 if tx >= sx else -0.35
        else:                                    # back up or sideways: curve beside the boxes
            start, end, rad = (sx + BOX_W / 2, sy), (tx + BOX_W / 2, ty + (0.2 if span == 0 else 0)), 0.6
            if span == 0:
                start, end = (sx, sy + BOX_H / 2), (tx, ty + BOX_H / 2)
                rad = -0.4 if tx > sx else 0.4
        key = frozenset((s, t))
        pair_count[key] = pair_count.get(key, 0) + 1
        if pair_count[key] > 1:
            rad += 0.25
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, lw=0.9,
                                     color="#444444", connectionstyle=f"arc3,rad={rad}", zorder=1))
        extra = [edge_labels[(s, lab.rstrip('?*'))] for lab in labels if (s, lab.rstrip('?*')) in edge_labels]
        text = "\n".join(labels) + ("\n" + " ".join(extra) if extra else "")
        # place the label on the drawn curve (arc3's quadratic Bezier), 35% of the way
        # along edges to the next layer, close to the source on long edges (so it is clear
        # which node the choice belongs to), half way along loop-backs
        t_ = 0.35 if span == 1 else (0.15 if span > 1 else 0.5)
        cx = (start[0] + end[0]) / 2 + rad * (end[1] - start[1])
        cy = (start[1] + end[1]) / 2 - rad * (end[0] - start[0])
        fx = (1 - t_) ** 2 * start[0] + 2 * (1 - t_) * t_ * cx + t_ ** 2 * end[0]
        fy = (1 - t_) ** 2 * start[1] + 2 * (1 - t_) * t_ * cy + t_ ** 2 * end[1]
        ax.text(fx, fy, text, fontsize=6.5, ha="center", va="center", zorder=3, color="#222222",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))

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
    ax.legend(handles=handles, loc="lower left", fontsize=7.5, frameon=True, ncol=min(4, len(handles)),
              title="choice? = shown only under a condition;  choice* = branch taken only when the state matches",
              title_fontsize=7)
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
