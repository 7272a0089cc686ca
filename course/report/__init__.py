"""Class analytics for instructors: a static HTML report with charts and CSV tables.

    from course.report import build_report
    index = build_report(course_root, "reports")      # -> reports/index.html

Modules, one job each: `collect` reads the grading files and keys into a tidy table,
`gradebook` adds nbgrader's grades of the autograded code test cells to it, `stats` computes scores, difficulty, discrimination, option and line shares,
`paths` replays scenario attempts (choice shares per decision point, endings),
`analyse` assembles them per assignment, `charts` draws the PNGs, `export` writes the
CSVs and `html` the pages. Command line: `course report [ASSIGNMENT ...] [--out DIR]`.
"""
from __future__ import annotations

from pathlib import Path

from .analyse import AssignmentReport, CourseReport, analyse
from .collect import Collection, Problem, collect


def build_report(course_root: str | Path, out_dir: str | Path, assignments: list[str] | None = None,
                 title: str = "Class report") -> Path:
    """Build the report folder for `assignments` (default: every autograded one); return index.html."""
    from . import export, html  # charts use matplotlib Figures directly (Agg canvas): no display, no pyplot

    root, out = Path(course_root), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    report = analyse(collect(root, assignments), root)
    csv_files = export.write_csv(report, out / "csv")
    pages = {a.assignment: f"{html.slug(a.assignment)}.html" for a in report.assignments}
    for a in report.assignments:
        html.write_assignment(a, out, pages[a.assignment], f"{title}: {a.assignment}")
    return html.write_index(report, out, pages, csv_files, title)


__all__ = ["AssignmentReport", "Collection", "CourseReport", "Problem", "analyse", "build_report", "collect"]
