"""What the class report shows for each kind of item, below its heading: one function a kind,
named in the item-kind registry (course/items/kinds.py, `report`), each
`(AssignmentReport, item row, report folder) -> HTML parts`."""
from __future__ import annotations

from pathlib import Path

from . import charts
from .analyse import AssignmentReport
from .html import esc, img, pct, slug, table
from .paths import NO_ATTEMPT, NOT_FINISHED, ScenarioPaths


def _base(a: AssignmentReport, row) -> str:
    return f"{slug(a.assignment)}-{slug(row.item)}"


def choice_section(a: AssignmentReport, row, out: Path) -> list[str]:
    """Single and multiple choice: the share choosing each option, with the option's text."""
    shares = a.options[a.options.item == row.item]
    if shares.empty:
        return []
    chart = charts.option_chart(shares, row.item, row.kind, row.section, out / "images" / f"{_base(a, row)}-options.png")
    correct = ", ".join(f"({o})" for o in shares[shares.correct].option) or "not in the key"
    return [
        f"<p>Correct: <strong>{esc(correct)}</strong>."
        + (" Select all that apply: a student may tick several options, so the shares "
           "add up to more than 100%." if row.kind == "multiple" else "") + "</p>",
        img(chart, out, f"Bar chart: share of students choosing each option of {row.item}; correct: {correct}"),
        table(shares.assign(mark=["correct" if c else "" for c in shares.correct]), [
            ("option", "Option", None), ("text", "What it says", None), ("mark", "Key", None),
            ("count", "Students", None), ("share", "Share", pct)]),
    ]


def lines_section(a: AssignmentReport, row, out: Path) -> list[str]:
    """Classify: the share labelling each line right, with the line's text and the commonest wrong label."""
    lines = a.classify[a.classify.item == row.item]
    if lines.empty:
        return []
    chart = charts.classify_chart(lines, row.item, row.section, out / "images" / f"{_base(a, row)}-lines.png")
    return [
        img(chart, out, f"Bar chart: share of students labelling each line of {row.item} right"),
        table(lines, [
            ("line", "Line", None), ("line_text", "What it says", None), ("correct_label", "Correct label", None),
            ("right", "Right", None), ("students", "Students", None), ("share_right", "Share right", pct),
            ("common_wrong_label", "Most common wrong label", None), ("common_wrong_count", "Chosen by", None)]),
    ]


def code_section(a: AssignmentReport, row, out: Path) -> list[str]:
    return [f"<p>Code exercise, graded by nbgrader from its test cell <code>{esc(row.item)}</code>: "
            f"{pct(row.full_share)} of students earned its full points. The gradebook does not say whether a "
            f"student who failed wrote code at all, so <em>Answered</em> is n/a.</p>"]


def scenario_section(a: AssignmentReport, row, out: Path) -> list[str]:
    parts: list[str] = []
    for paths in a.scenarios:
        if paths.item == row.item:
            parts += _scenario_html(paths, out, _base(a, row))
    return parts


def _scenario_html(paths: ScenarioPaths, out: Path, base: str) -> list[str]:
    images = out / "images"
    html_parts = [f"<p>Scenario <strong>{esc(paths.scenario.title)}</strong> (<code>{esc(paths.scenario.id)}</code>). "
                  "Each student's attempt that counts for the grade (the first attempt, finished or not) "
                  "was replayed. On the map, <code>k/N=p%</code> on an arrow means: "
                  "of the N decisions made at that point, k took this choice; an arrow that several choices "
                  "share lists the choices, then their shares in the same order; a label that had to move off "
                  "its arrow points at it with a dotted line. Arrows nobody took carry no numbers. The map is "
                  "shown at a size where its labels are readable: scroll it sideways and down, or open it alone "
                  "(it is an SVG: the browser zooms it without blurring and finds a choice's id with Ctrl+F). "
                  "The charts and tables below have the same numbers.</p>"]
    map_svg = charts.scenario_map(paths, images / f"{base}-map.svg")
    link = esc(map_svg.relative_to(out).as_posix())
    alt = f"Scenario map of {paths.scenario.id} with the share of students taking each choice on its arrows"
    html_parts.append(f"<p><a href='{link}'>Open the map alone</a> (full size, zoomable)</p>"
                      f"<div class='map' role='region' aria-label='{esc(alt)} (scrollable)' tabindex='0'>"
                      f"<img src='{link}' alt='{esc(alt)}' width='{charts.map_width_px(map_svg)}'></div>")
    ends = charts.endings_chart(paths, images / f"{base}-endings.png")
    html_parts.append("<h4>How the counted attempts ended</h4>")
    html_parts.append(img(ends, out, f"Bar chart: endings reached in {paths.item}"))
    html_parts.append(table(paths.endings, [
        ("ending", "Ending", None), ("outcome_label", "Outcome", None), ("count", "Students", None),
        ("share", "Share", pct)], f"{NOT_FINISHED}: no complete attempt; {NO_ATTEMPT}: nothing saved"))
    taken = paths.choices[paths.choices.decisions > 0]
    html_parts.append("<h4>Choices at each decision point reached</h4>")
    bars = charts.decisions_chart(paths, images / f"{base}-decisions.png")
    html_parts.append(img(bars, out, f"Bar chart: share of the decisions at each decision point of {paths.item} "
                                     f"taking each choice"))
    html_parts.append(table(taken, [
        ("node", "Decision point", None), ("choice", "Choice", None), ("count", "Taken", None),
        ("decisions", "Decisions here", None), ("share", "Share", pct),
        ("students_reaching", "Students reaching", None)]))
    return html_parts
