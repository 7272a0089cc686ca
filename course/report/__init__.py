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

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import CourseError
from .analyse import AssignmentReport, CourseReport, analyse
from .collect import Collection, Problem, collect

MARKER = ".class-report"          # marks a folder `build_report` wrote (and may replace)
REPORT_ENTRIES = {"images", "csv", MARKER}   # with *.html: what a report folder holds


class ReportError(CourseError, ValueError):
    """The report cannot be written: an unknown assignment, or an output folder that is not a report's."""


def known_assignments(course_root: str | Path) -> list[str]:
    """Assignments a report can name: those with a notebook in source/, or autograded output."""
    from ..coursedir import CourseDir

    course = CourseDir.readable(course_root)
    names = set(course.assignments())
    names |= {p.name for p in course.folder("autograded").glob("*/*") if p.is_dir() and not p.parent.name.startswith(".")}
    return sorted(names)


def check_assignments(course_root: str | Path, assignments: list[str] | None) -> None:
    """A ReportError naming every unknown assignment and listing the known ones."""
    known = known_assignments(course_root)
    unknown = [a for a in assignments or [] if a not in known]
    if unknown:
        raise ReportError(f"unknown assignment{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                          f"(known: {', '.join(known) or 'none: no source/ lesson and no autograded output'})")


def is_report_folder(folder: Path) -> bool:
    """True for a folder `build_report` may replace: missing, empty, marked, or holding only a
    report's files (index.html and pages, images/, csv/), as reports written before the marker."""
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    entries = list(folder.iterdir())
    return (folder / MARKER).exists() or all(e.name in REPORT_ENTRIES or (e.is_file() and e.suffix == ".html")
                                             for e in entries)


def check_output(out_dir: str | Path) -> Path:
    """The resolved output folder, or a ReportError naming it and what is wrong."""
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise ReportError(f"cannot write the report to {out}: it is a file, not a folder")
    if not is_report_folder(out):
        raise ReportError(f"cannot write the report to {out}: the folder holds other files than a class report's "
                          f"(no {MARKER}); choose another folder")
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(f"cannot write the report to {out}: {parent} is not writable")
    return out


def _move_into_place(work: Path, out: Path) -> None:
    """Replace `out` by the finished folder `work` (two renames on one file system)."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        out.rename(old / out.name)
    try:
        work.rename(out)
    except BaseException:
        if old is not None:
            (old / out.name).rename(out)   # put the previous report back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_report(course_root: str | Path, out_dir: str | Path, assignments: list[str] | None = None,
                 title: str = "Class report") -> Path:
    """Build the report folder for `assignments` (default: every autograded one); return index.html.

    The report is written to a temporary folder beside `out_dir` and moved into place only when
    complete, so a failed run leaves the previous report as it was. Raises ReportError for an
    unknown assignment (listing the known ones) or an output folder that is not a report's."""
    from matplotlib import rc_context  # charts use matplotlib Figures directly (Agg canvas): no display, no pyplot

    root = Path(course_root)
    check_assignments(root, assignments)
    out = check_output(out_dir)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out}: no folder can be made in {out.parent} "
                          f"({exc.strerror or exc})") from None
    try:
        # students' answers become chart labels: `$...$` must stay text, never matplotlib's mathtext
        with rc_context({"text.parse_math": False}):
            _build(root, assignments, work, title)
        work.chmod(0o755)   # mkdtemp makes it private
        _move_into_place(work, out)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return out / "index.html"


def _build(root: Path, assignments: list[str] | None, work: Path, title: str) -> None:
    from . import export, html

    report = analyse(collect(root, assignments), root)
    csv_files = export.write_csv(report, work / "csv")
    pages = {a.assignment: f"{html.slug(a.assignment)}.html" for a in report.assignments}
    for a in report.assignments:
        html.write_assignment(a, work, pages[a.assignment], f"{title}: {a.assignment}")
    html.write_index(report, work, pages, csv_files, title)
    (work / MARKER).write_text("written by `course report`; replaced by the next report\n", encoding="utf-8")


__all__ = ["AssignmentReport", "Collection", "CourseReport", "Problem", "ReportError", "analyse", "build_report",
           "check_assignments", "check_output", "collect", "known_assignments"]
