"""Write the report as a self-contained folder of static HTML pages:

    index.html              the course: assignments, course-total distribution, most missed, problems
    <assignment>.html       one page per assignment
    images/*.png            the charts (drawn by `charts`)
    csv/*.csv               the tables (written by `export`)

Only relative links, no scripts, no external files: the folder can be zipped or copied.
"""
from __future__ import annotations

import html
import math
import re
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from . import charts
from .analyse import AssignmentReport, CourseReport
from .collect import Problem
from .stats import describe

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:70rem;margin:1.5rem auto;
padding:0 1rem;line-height:1.45;color:#111}
h1{font-size:1.7rem} h2{font-size:1.35rem;margin-top:2.2rem;border-bottom:2px solid #0072B2}
h3{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.95rem}
th,td{border:1px solid #bbb;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#eef3f8} td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto;border:1px solid #ddd;margin:.4rem 0}
.map{overflow:auto;max-height:85vh;border:1px solid #bbb;margin:.4rem 0 .4rem calc(50% - 48vw);width:96vw;
background:#fff;box-sizing:border-box}
.map img{max-width:none;border:0;margin:0;display:block}
.note{color:#333;font-size:.95rem} .problems li{margin:.2rem 0} .ok{color:#006644}
nav a{margin-right:1rem}
"""
DISCRIMINATION_TEXT = (
    "Discrimination is the <strong>corrected item-total correlation</strong>: the Pearson correlation, over "
    "the students of the assignment, between the item's fraction (0 to 1) and the student's points on all "
    "the <em>other</em> items of that assignment. For a right/wrong item this is the point-biserial "
    "correlation. Values below 0.2 (marked <em>low</em>) mean the item does not separate stronger from "
    "weaker students well; a negative value is worth checking the key for. It is n/a with fewer than 3 "
    "students or when nobody (or everybody) got the item right.")
SOURCE_TEXT = (
    "Read from the autograder's <code>autograded/&lt;student&gt;/&lt;assignment&gt;/*.grading.json</code> "
    "files and the answer keys in <code>keys/</code> (widget items), and from nbgrader's gradebook for the "
    "code exercises (kind <em>code</em>: nbgrader's score of each autograded test cell). Scores "
    "are the sum of these points, i.e. the <strong>automatically graded items only</strong>; hand-graded "
    "items (reflections) are not included (see <code>nbgrader export</code> for the gradebook totals). "
    "Difficulty is the mean fraction of an item's points students earned (1 = everybody fully right).")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "x"


def esc(value) -> str:
    return html.escape(str(value))


def fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return str(value)


def pct(value) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.0f}%"


def table(frame: pd.DataFrame, columns: list[tuple[str, str, Callable | None]], caption: str = "") -> str:
    """columns: (frame column, header, formatter); numbers are right-aligned."""
    if frame is None or frame.empty:
        return "<p class='note'>No data.</p>"
    head = "".join(f"<th scope='col'>{esc(h)}</th>" for _, h, _ in columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for col, _, f in columns:
            v = row[col]
            text = f(v) if f else fmt(v)
            num = isinstance(v, (int, float)) and not isinstance(v, bool)
            cells.append(f"<td class='num'>{esc(text)}</td>" if num else f"<td>{esc(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def img(path: Path, root: Path, alt: str) -> str:
    return f"<img src='{esc(path.relative_to(root).as_posix())}' alt='{esc(alt)}'>"


def page(title: str, body: Iterable[str], nav: str = "") -> str:
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head>"
            f"<body>{nav}<h1>{esc(title)}</h1>\n" + "\n".join(body) + "\n</body></html>\n")


def problems_section(problems: list[Problem], notes: list[Problem] | None = None) -> str:
    out = ["<h2 id='problems'>Problems</h2>"]
    if problems:
        out.append("<p>These files or items could not be used (fully); the rest of the report leaves them out.</p>")
        out.append("<ul class='problems'>" + "".join(
            f"<li><code>{esc(p.where)}</code>: {esc(p.what)}</li>" for p in problems) + "</ul>")
    else:
        out.append("<p class='ok'>No problems: every grading file was read.</p>")
    if notes:
        out.append("<h3>Notes the grader recorded about answers files</h3><ul class='problems'>" + "".join(
            f"<li><code>{esc(n.where)}</code>: {esc(n.what)}</li>" for n in notes) + "</ul>")
    return "\n".join(out)


SUMMARY_COLS = [("assignment", "Assignment", None), ("n", "Students", None), ("max_points", "Max points", None),
                ("mean", "Mean", None), ("median", "Median", None), ("sd", "SD", None),
                ("min", "Min", None), ("max", "Max", None),
                ("hand_graded", "Hand-graded points, not included", None)]
ITEM_COLS = [("item", "Item", None), ("kind", "Kind", None), ("section", "Lesson section tested", None),
             ("max_points", "Points", None), ("students", "Students", None),
             ("answered_share", "Answered", pct), ("difficulty", "Difficulty (mean fraction)", None),
             ("full_share", "Fully right", pct), ("discrimination", "Discrimination r", None)]
MISSED_COLS = [("item", "Item", None), ("section", "Lesson section tested", None), ("kind", "Kind", None),
               ("missed", "Share of points missed", pct), ("not_full_share", "Students not fully right", pct),
               ("students", "Students", None)]


def _summary_row(assignment: str, scores: pd.Series, max_points: float, hand_graded: float = 0.0) -> dict:
    return {"assignment": assignment, "max_points": max_points, **describe(scores), "hand_graded": hand_graded}


def hand_graded_note(max_points: float, hand_graded: float) -> str:
    """Why this maximum differs from the gradebook's (`course grades`, `course demo`)."""
    if not hand_graded:
        return f"Out of {fmt(max_points)} points: every point of it is graded automatically."
    return (f"Out of {fmt(max_points)} automatically graded points. The {fmt(hand_graded)} points graded by hand "
            f"(reflections) are not included, so the gradebook's maximum (<code>course grades</code>, "
            f"<code>course demo</code>) is {fmt(max_points + hand_graded)}.")


def write_index(report: CourseReport, out: Path, pages: dict[str, str], csv_files: dict[str, Path],
                title: str) -> Path:
    images = out / "images"
    body = [f"<p class='note'>Generated {datetime.now():%Y-%m-%d %H:%M}. {SOURCE_TEXT}</p>",
            "<nav><a href='#assignments'>Assignments</a><a href='#total'>Course total</a>"
            "<a href='#missed'>Most missed</a><a href='#items'>Items</a><a href='#problems'>Problems</a>"
            "<a href='#csv'>CSV files</a></nav>",
            "<h2 id='assignments'>Assignments</h2>"]
    rows = [_summary_row(a.assignment, a.scores.points, a.max_points, a.hand_graded) for a in report.assignments]
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame["assignment"] = frame.assignment
    body.append(table(frame, SUMMARY_COLS, "Score (points) per assignment: automatically graded items only"))
    body.append("<ul>" + "".join(f"<li><a href='{esc(pages[a.assignment])}'>{esc(a.assignment)}</a>: "
                                 f"its own page (score distribution, items, options, scenario paths)</li>"
                                 for a in report.assignments) + "</ul>")
    body.append("<h2 id='total'>Course total</h2>")
    if not report.totals.empty:
        chart = charts.score_histogram(report.totals.points, report.course_max, "Course total score",
                                       images / "course-total.png")
        body.append(img(chart, out, "Histogram of students' course total scores"))
        body.append(f"<p class='note'>{hand_graded_note(report.course_max, report.hand_graded)}</p>")
        body.append(table(pd.DataFrame([_summary_row("all", report.totals.points, report.course_max,
                                                     report.hand_graded)]),
                          SUMMARY_COLS, "Course total (an assignment without a readable grading file counts 0)"))
    else:
        body.append("<p class='note'>No scores.</p>")
    body.append("<h2 id='missed'>Most often missed items</h2>")
    body.append("<p>Ranked by the share of the item's points students did not earn; the section is the "
                "lesson section to revisit.</p>")
    body.append(table(report.missed, [("assignment", "Assignment", None)] + MISSED_COLS))
    body.append("<h2 id='items'>Item difficulty and discrimination</h2>")
    body.append(f"<p class='note'>{DISCRIMINATION_TEXT}</p>")
    body.append(table(report.items, [("assignment", "Assignment", None)] + ITEM_COLS))
    body.append(problems_section(report.problems))
    body.append("<h2 id='csv'>CSV files</h2><ul>" + "".join(
        f"<li><a href='csv/{esc(p.name)}'>{esc(p.name)}</a></li>" for p in csv_files.values()) + "</ul>")
    path = out / "index.html"
    path.write_text(page(title, body), encoding="utf-8")
    return path


def _item_section(a: AssignmentReport, row, out: Path) -> list[str]:
    """An item's heading and numbers, then its kind's own section (the registry's `report`)."""
    from ..items import KINDS

    no_section = "no heading above the test cell" if row.kind == "code" else "no section in the key"
    head = (f"<h3 id='{esc(slug(row.item))}'>{esc(row.item)} ({esc(row.kind)}, {fmt(row.max_points)} points)</h3>"
            f"<p>Tests: <strong>{esc(row.section or no_section)}</strong>. "
            f"Difficulty {fmt(row.difficulty)}, discrimination {fmt(row.discrimination)}, "
            f"{row.students} students.</p>")
    kind = KINDS.get(row.kind)
    section = kind.function("report") if kind is not None else None
    return [head, *(section(a, row, out) if section is not None else [])]


def write_assignment(a: AssignmentReport, out: Path, filename: str, title: str) -> Path:
    images = out / "images"
    nav = "<nav><a href='index.html'>&larr; Course report</a></nav>"
    body = [f"<p class='note'>{SOURCE_TEXT}</p>", "<h2>Score distribution</h2>"]
    if len(a.scores):
        chart = charts.score_histogram(a.scores.points, a.max_points, f"{a.assignment}: score",
                                       images / f"{slug(a.assignment)}-scores.png")
        body.append(img(chart, out, f"Histogram of scores in {a.assignment}"))
        body.append(f"<p class='note'>{hand_graded_note(a.max_points, a.hand_graded)}</p>")
        body.append(table(pd.DataFrame([_summary_row(a.assignment, a.scores.points, a.max_points, a.hand_graded)]),
                          SUMMARY_COLS))
    else:
        body.append("<p class='note'>No readable grading files.</p>")
    body.append("<h2>Items: difficulty and discrimination</h2>")
    body.append(f"<p class='note'>{DISCRIMINATION_TEXT}</p>")
    if not a.items.empty:
        chart = charts.item_chart(a.items, f"{a.assignment}: item difficulty and discrimination",
                                  images / f"{slug(a.assignment)}-items.png")
        body.append(img(chart, out, f"Bar charts of difficulty and discrimination per item of {a.assignment}"))
    body.append(table(a.items, ITEM_COLS))
    body.append("<h2>Most often missed items</h2>")
    body.append(table(a.missed, MISSED_COLS))
    body.append("<h2>Answers per item</h2>")
    for row in a.items.itertuples():
        body += _item_section(a, row, out)
    body.append(problems_section(a.problems, a.notes))
    body.append("<h2>Students</h2>")
    body.append(table(a.scores, [("student", "Student", None), ("points", "Points", None),
                                 ("max_points", "Max", None), ("percent", "Percent", None)]))
    path = out / filename
    path.write_text(page(title, body, nav), encoding="utf-8")
    return path
