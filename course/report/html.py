"""Write the report as a self-contained folder of static HTML pages, rendered with Jinja2 from
the templates in course/report/templates (page, index, assignment, macros) after the numbers
are computed and the charts drawn:

    index.html              the course: assignments, course-total distribution, most missed, problems
    <assignment>.html       one page per assignment
    images/*.png            the charts (drawn by `charts`)
    csv/*.csv               the tables (written by `export`)

Only relative links, no scripts, no external files: the folder can be zipped or copied.
"""
from __future__ import annotations

import functools
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


def table_data(frame: pd.DataFrame, columns: list[tuple[str, str, Callable | None]], caption: str = "") -> dict | None:
    """A table as the templates take it: headers, and rows of formatted cells (numbers marked to
    be right-aligned). columns: (frame column, header, formatter). None when there is no data."""
    if frame is None or frame.empty:
        return None
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for col, _, f in columns:
            v = row[col]
            cells.append({"text": f(v) if f else fmt(v), "num": isinstance(v, (int, float)) and not isinstance(v, bool)})
        rows.append(cells)
    return {"caption": caption, "headers": [h for _, h, _ in columns], "rows": rows}


def table(frame: pd.DataFrame, columns: list[tuple[str, str, Callable | None]], caption: str = "") -> str:
    """The table as HTML (for the item sections, which return HTML parts)."""
    return str(_macros().table(table_data(frame, columns, caption)))


@functools.lru_cache(maxsize=1)
def environment():
    """The report's Jinja2 templates (course/report/templates), escaping everything by default."""
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                              autoescape=True, keep_trailing_newline=True)


def _macros():
    return environment().get_template("macros.html.j2").module


def render(template: str, **context) -> str:
    from markupsafe import Markup

    return environment().get_template(template).render(
        css=Markup(CSS), source_text=Markup(SOURCE_TEXT), discrimination_text=Markup(DISCRIMINATION_TEXT), **context)


def image_data(path: Path, root: Path, alt: str) -> dict:
    return {"src": path.relative_to(root).as_posix(), "alt": alt}


def img(path: Path, root: Path, alt: str) -> str:
    """An image as HTML (for the item sections)."""
    return str(_macros().image(image_data(path, root, alt)))


def page(title: str, body: Iterable[str], nav: str = "") -> str:
    """A page of pre-rendered HTML parts in the report's layout (page.html.j2)."""
    from markupsafe import Markup

    return environment().from_string(
        "{% extends 'page.html.j2' %}{% block nav %}{{ nav }}{% endblock %}{% block body %}{{ body }}{% endblock %}"
    ).render(title=title, css=Markup(CSS), nav=Markup(nav), body=Markup("\n".join(body)))


def problems_section(problems: list[Problem], notes: list[Problem] | None = None) -> str:
    return str(_macros().problems(problems, notes))


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
    """index.html: the numbers and charts first, then the template (index.html.j2)."""
    images = out / "images"
    rows = [_summary_row(a.assignment, a.scores.points, a.max_points, a.hand_graded) for a in report.assignments]
    total_chart = total = None
    if not report.totals.empty:
        total_chart = image_data(charts.score_histogram(report.totals.points, report.course_max, "Course total score",
                                                        images / "course-total.png"),
                                 out, "Histogram of students' course total scores")
        total = table_data(pd.DataFrame([_summary_row("all", report.totals.points, report.course_max,
                                                      report.hand_graded)]),
                           SUMMARY_COLS, "Course total (an assignment without a readable grading file counts 0)")
    from markupsafe import Markup

    html_text = render(
        "index.html.j2", title=title, generated=f"{datetime.now():%Y-%m-%d %H:%M}",
        summary=table_data(pd.DataFrame(rows), SUMMARY_COLS,
                           "Score (points) per assignment: automatically graded items only"),
        assignments=[{"name": a.assignment, "page": pages[a.assignment]} for a in report.assignments],
        total_chart=total_chart, total=total,
        total_note=Markup(hand_graded_note(report.course_max, report.hand_graded)),
        missed=table_data(report.missed, [("assignment", "Assignment", None)] + MISSED_COLS),
        items=table_data(report.items, [("assignment", "Assignment", None)] + ITEM_COLS),
        report_problems=report.problems, csv_files=[p.name for p in csv_files.values()])
    path = out / "index.html"
    path.write_text(html_text, encoding="utf-8")
    return path


def _item_section(a: AssignmentReport, row, out: Path) -> list[str]:
    """An item's heading and numbers, then its kind's own section (the registry's `report`)."""
    from ..items import KINDS

    kind = KINDS.get(row.kind)
    no_section = "no heading above the test cell" if kind is not None and not kind.keyed else "no section in the key"
    head = (f"<h3 id='{esc(slug(row.item))}'>{esc(row.item)} ({esc(row.kind)}, {fmt(row.max_points)} points)</h3>"
            f"<p>Tests: <strong>{esc(row.section or no_section)}</strong>. "
            f"Difficulty {fmt(row.difficulty)}, discrimination {fmt(row.discrimination)}, "
            f"{row.students} students.</p>")
    section = kind.function("report") if kind is not None else None
    return [head, *(section(a, row, out) if section is not None else [])]


def write_assignment(a: AssignmentReport, out: Path, filename: str, title: str) -> Path:
    """One assignment's page: charts and each item's section first, then assignment.html.j2."""
    from markupsafe import Markup

    images = out / "images"
    score_chart = summary = item_chart = None
    if len(a.scores):
        score_chart = image_data(charts.score_histogram(a.scores.points, a.max_points, f"{a.assignment}: score",
                                                        images / f"{slug(a.assignment)}-scores.png"),
                                 out, f"Histogram of scores in {a.assignment}")
        summary = table_data(pd.DataFrame([_summary_row(a.assignment, a.scores.points, a.max_points, a.hand_graded)]),
                             SUMMARY_COLS)
    if not a.items.empty:
        item_chart = image_data(charts.item_chart(a.items, f"{a.assignment}: item difficulty and discrimination",
                                                  images / f"{slug(a.assignment)}-items.png"),
                                out, f"Bar charts of difficulty and discrimination per item of {a.assignment}")
    sections = [Markup("\n".join(_item_section(a, row, out))) for row in a.items.itertuples()]
    html_text = render(
        "assignment.html.j2", title=title, score_chart=score_chart, summary=summary,
        score_note=Markup(hand_graded_note(a.max_points, a.hand_graded)), item_chart=item_chart,
        items=table_data(a.items, ITEM_COLS), missed=table_data(a.missed, MISSED_COLS), item_sections=sections,
        report_problems=a.problems, notes=a.notes,
        students=table_data(a.scores, [("student", "Student", None), ("points", "Points", None),
                                       ("max_points", "Max", None), ("percent", "Percent", None)]))
    path = out / filename
    path.write_text(html_text, encoding="utf-8")
    return path
