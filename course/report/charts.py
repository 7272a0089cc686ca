"""PNG charts for the class report, drawn with matplotlib's object API (no pyplot, no
display: figures render through the Agg canvas), readable at the size they are shown.

Every chart has a title and axis labels; correct options are named in the bar labels
("correct"), not only by colour; colours are from the colour-blind-safe Okabe-Ito set.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.figure import Figure

from ..scenarios import draw_map
from ..scenarios.mapdraw import OUTCOME_COLOURS
from .paths import ScenarioPaths

BLUE, ORANGE, GREEN, GREY, VERMILION = "#0072B2", "#E69F00", "#009E73", "#999999", "#D55E00"
FONT = 11
DPI = 110
MAP_DPI = 150
MAP_LABEL_PT = 6.5        # the scenario map's smallest text (its edge labels), in points
MAP_MIN_LABEL_PX = 11.5   # ... shown at least this big on the page (CSS pixels)
MAP_SCALE = MAP_MIN_LABEL_PX / (MAP_LABEL_PT * 4 / 3)


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI)
    return fig


def _save(fig: Figure, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=DPI, bbox_inches="tight", facecolor="white")
    return out


def _style(ax) -> None:
    ax.tick_params(labelsize=FONT - 1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def score_histogram(points: pd.Series, max_points: float, title: str, out: Path) -> Path:
    """Students per score; one bar per point when the maximum is small."""
    fig = _figure(7.5, 4.2)
    ax = fig.add_subplot()
    values = points.dropna().to_numpy(dtype=float)
    top = max(max_points, float(values.max()) if len(values) else 0.0, 1.0)
    width = 1.0 if top <= 30 else math.ceil(top / 20)
    edges = np.arange(0, top + width, width)
    if edges[-1] < top + 1e-9:
        edges = np.append(edges, edges[-1] + width)
    counts, edges, bars = ax.hist(values, bins=edges, color=BLUE, edgecolor="white", linewidth=1.2)
    for count, bar in zip(counts, bars):
        if count:
            ax.text(bar.get_x() + bar.get_width() / 2, count, f"{int(count)}", ha="center", va="bottom",
                    fontsize=FONT - 1)
    if len(values):
        mean, median = float(values.mean()), float(np.median(values))
        ax.axvline(mean, color=VERMILION, linestyle="--", linewidth=1.6, label=f"mean {mean:.2f}")
        ax.axvline(median, color="#000000", linestyle=":", linewidth=1.6, label=f"median {median:.2f}")
        ax.legend(fontsize=FONT - 1, frameon=False, loc="upper left")
    ax.set_xlim(0, edges[-1])
    if width == 1 and top <= 30:
        step = 1 if top <= 15 else 2
        ax.set_xticks(np.arange(0, edges[-1] + 1, step))
    ax.set_ylim(0, max(counts.max() if len(counts) else 0, 1) * 1.18)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(f"Score (automatically graded points out of {max_points:g}; a bar covers [a, a+{width:g}))",
                  fontsize=FONT)
    ax.set_ylabel("Number of students", fontsize=FONT)
    ax.set_title(f"{title} (n = {len(values)})", fontsize=FONT + 2)
    _style(ax)
    return _save(fig, out)


def item_chart(stats: pd.DataFrame, title: str, out: Path) -> Path:
    """Two panels per item: difficulty (share of points earned) and discrimination (r)."""
    stats = stats.iloc[::-1]  # first item at the top
    labels = [f"{r.item} ({r.kind})" for r in stats.itertuples()]
    y = np.arange(len(stats))
    fig = _figure(10, 1.2 + 0.55 * max(len(stats), 2))
    left, right = fig.subplots(1, 2, sharey=True)
    left.barh(y, stats.difficulty, color=BLUE, height=0.6)
    for yi, v in zip(y, stats.difficulty):
        left.text(min(v + 0.02, 0.98), yi, f"{v:.2f}", va="center", ha="left" if v < 0.9 else "right",
                  fontsize=FONT - 1, color="black" if v < 0.9 else "white")
    left.set_xlim(0, 1)
    left.set_yticks(y, labels, fontsize=FONT)
    left.set_xlabel("Difficulty: mean fraction correct (1 = all right)", fontsize=FONT)
    left.set_title("Difficulty", fontsize=FONT + 1)
    r = stats.discrimination.astype(float)
    right.barh(y, r.fillna(0), color=[ORANGE if v >= 0.2 else VERMILION for v in r.fillna(0)], height=0.6)
    for yi, v in zip(y, r):
        text = "n/a" if math.isnan(v) else f"{v:.2f}" + ("  (low)" if v < 0.2 else "")
        x = 0 if math.isnan(v) else v
        right.text(x + (0.03 if x >= 0 else -0.03), yi, text, va="center", ha="left" if x >= 0 else "right",
                   fontsize=FONT - 1)
    right.axvline(0, color="black", linewidth=0.8)
    right.axvline(0.2, color=GREY, linewidth=0.8, linestyle="--")
    right.set_xlim(-1, 1.25)
    right.set_xlabel("Discrimination: corrected item-total r (dashed: 0.2)", fontsize=FONT)
    right.set_title("Discrimination", fontsize=FONT + 1)
    for ax in (left, right):
        _style(ax)
    fig.suptitle(title, fontsize=FONT + 2)
    fig.tight_layout()
    return _save(fig, out)


def _share_bars(ax, labels, shares, counts, n, highlight, colours=None) -> None:
    y = np.arange(len(labels))[::-1]
    colours = colours or [GREEN if h else GREY for h in highlight]
    ax.barh(y, shares, color=colours, height=0.6, edgecolor="black", linewidth=0.6)
    for yi, s, c in zip(y, shares, counts):
        ax.text(min(s, 1.0) + 0.02, yi, f"{c} of {n} ({100 * s:.0f}%)", va="center", fontsize=FONT - 1)
    ax.set_yticks(y, labels, fontsize=FONT)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    _style(ax)


def option_chart(shares: pd.DataFrame, item: str, kind: str, section: str, out: Path) -> Path:
    """Share of students choosing each option; the correct option(s) say "correct" in the label."""
    n = int(shares.students.iloc[0]) if len(shares) else 0
    labels = [f"({r.option})  correct" if r.correct else (r.option if r.option.startswith("(") else f"({r.option})")
              for r in shares.itertuples()]
    fig = _figure(7.5, 1.4 + 0.5 * max(len(shares), 2))
    ax = fig.add_subplot()
    _share_bars(ax, labels, shares.share.tolist(), shares["count"].tolist(), n, shares.correct.tolist())
    what = "chose each option" if kind == "single" else "ticked each option (select all that apply)"
    ax.set_xlabel(f"Share of students who {what}", fontsize=FONT)
    ax.set_ylabel("Option", fontsize=FONT)
    ax.set_title(f"{item}: {section}" if section else item, fontsize=FONT + 1, loc="left")
    return _save(fig, out)


def classify_chart(lines: pd.DataFrame, item: str, section: str, out: Path) -> Path:
    """Share of students who labelled each line right."""
    n = int(lines.students.iloc[0]) if len(lines) else 0
    labels = [f"{r.line} = {r.correct_label}" for r in lines.itertuples()]
    fig = _figure(8, 1.4 + 0.5 * max(len(lines), 2))
    ax = fig.add_subplot()
    _share_bars(ax, labels, lines.share_right.tolist(), lines.right.tolist(), n, [True] * len(lines))
    ax.set_xlabel("Share of students who gave the correct label", fontsize=FONT)
    ax.set_ylabel("Line = correct label", fontsize=FONT)
    ax.set_title(f"{item}: {section}" if section else item, fontsize=FONT + 1, loc="left")
    return _save(fig, out)


def endings_chart(paths: ScenarioPaths, out: Path) -> Path:
    """How the counted attempts ended: one bar per ending, labelled with its outcome."""
    e = paths.endings
    labels = [f"{r.ending} [{r.outcome_label}]" if r.outcome_label else r.ending for r in e.itertuples()]
    fig = _figure(8, 1.4 + 0.5 * max(len(e), 2))
    ax = fig.add_subplot()
    colours = [OUTCOME_COLOURS.get(o, "#FFFFFF") for o in e.outcome]   # the map's colours; the label names it
    _share_bars(ax, labels, e.share.tolist(), e["count"].tolist(), paths.students, [False] * len(e), colours)
    ax.set_xlabel("Share of students whose counted attempt ended here", fontsize=FONT)
    ax.set_ylabel("Ending [outcome]", fontsize=FONT)
    ax.set_title(f"{paths.item}: endings of {paths.scenario.title}", fontsize=FONT + 1, loc="left")
    return _save(fig, out)


def scenario_map(paths: ScenarioPaths, out: Path) -> Path:
    """The scenario map with "k/N=p%" of the decisions made at each node after each choice's id, and
    arrows as thick as the number of times they were taken (drawn by the scenario engine).

    Written as SVG (by `out`'s suffix; .png also works) with its text kept as text, so it stays
    sharp at any zoom and the browser can find a choice's id in it; the page shows it at
    MAP_SCALE, where its smallest labels are readable (see `map_width_px`)."""
    fig = draw_map(paths.scenario, paths.edge_labels(), edge_traffic=paths.arrows,
                   title=f"{paths.item}: {paths.scenario.title} - choices of {paths.students} students "
                         f"(k/N = decisions at that point taking this choice)")
    out.parent.mkdir(parents=True, exist_ok=True)
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "course-report"}):  # text as text, stable ids
        kind = out.suffix.lstrip(".").lower() or "png"
        fig.savefig(out, dpi=MAP_DPI, facecolor="white", format=kind, metadata={"Date": None} if kind == "svg" else None)
    return out


def map_width_px(svg: Path, scale: float | None = None) -> int:
    """The CSS width in pixels to show the SVG map at, so that its smallest label (6.5 pt in the
    figure) is about MAP_MIN_LABEL_PX on the page: the SVG's own width (points, 4/3 px each) times
    MAP_SCALE."""
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg.read_text(encoding="utf-8")[:2000])
    width_pt = float(match.group(1)) if match else 1000.0
    return round(width_pt * 4 / 3 * (scale or MAP_SCALE))


def decisions_chart(paths: ScenarioPaths, out: Path) -> Path:
    """The map's numbers as bars, easier to read than the map: one group per decision point
    reached, one bar per choice (share of the decisions made there)."""
    rows = paths.choices[paths.choices.decisions > 0]
    labels, shares, notes = [], [], []
    for node, grp in rows.groupby("node", sort=False):
        for r in grp.itertuples():
            labels.append(f"{node}: {r.choice}")
            shares.append(r.share)
            notes.append(f"{r.count} of {r.decisions} ({100 * r.share:.0f}%)")
        labels.append("")  # a gap between decision points
        shares.append(0.0)
        notes.append("")
    labels, shares, notes = labels[:-1], shares[:-1], notes[:-1]
    fig = _figure(9, 1.2 + 0.28 * max(len(labels), 3))
    ax = fig.add_subplot()
    y = np.arange(len(labels))[::-1]
    ax.barh(y, shares, color=BLUE, height=0.7)
    for yi, s, text in zip(y, shares, notes):
        if text:
            ax.text(s + 0.02, yi, text, va="center", fontsize=FONT - 2)
    ax.set_yticks(y, labels, fontsize=FONT - 2)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlabel("Share of the decisions made at that point", fontsize=FONT)
    ax.set_ylabel("Decision point: choice", fontsize=FONT)
    ax.set_title(f"{paths.item}: choices at each decision point reached ({paths.scenario.title})",
                 fontsize=FONT + 1, loc="left")
    _style(ax)
    return _save(fig, out)
