"""`course report`: class analytics from the autograder's output, as HTML pages with charts and CSV.

Reads autograded/<student>/<assignment>/*.grading.json and keys/ for the widget items, and the
gradebook (read-only) for the autograded code test cells (run `course autograde` first), and
writes a self-contained folder: index.html (the course), one page per assignment, images/ and csv/.
Score distributions, item difficulty and discrimination, the share of students choosing each
option, scenario paths and endings, the most missed items with the lesson section they test, and
a Problems section for unreadable grading files. Scores are the automatically graded points:
hand-graded reflections are left out (`course grades` has the gradebook totals with them).

Which folder: `course report` writes reports/, whose index always covers every graded lesson.
`course report A [B ...]` writes a report of those lessons only to its own folder, reports-A[+B...]/,
so naming lessons never shrinks the course report. --out DIR chooses the folder in both cases.
An unknown assignment is an error listing the known ones. The report is built in a temporary
folder and moved into place only when complete: a failed run leaves the previous report as it
was. A folder holding anything but a class report is never replaced.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .coursedir import CourseError, find_root

DEFAULT_OUT = "reports"


def default_out(root: Path, assignments: list[str] | None) -> Path:
    """reports/ for the whole course; reports-A+B/ for a report of named lessons only."""
    if not assignments:
        return root / DEFAULT_OUT
    return root / f"{DEFAULT_OUT}-{'+'.join(dict.fromkeys(assignments))}"


def report(root: Path, assignments: list[str] | None = None, out: str | Path | None = None) -> Path:
    """Write the class report of `assignments` (default: every graded lesson); return its index.html.
    Raises CourseError for an unknown assignment or an output folder that cannot be written."""
    from ..report import ReportError, build_report  # imports pandas and matplotlib: only when asked for a report

    target = Path(out).expanduser() if out else default_out(root, assignments)
    try:
        return build_report(root, target, assignments or None)
    except ReportError as exc:
        raise CourseError(str(exc)) from None


def run(args) -> int:
    index = report(find_root(), args.assignments or None, args.out)
    print(f"class report: {index}")
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("report", help="class analytics (HTML, charts, CSV) from the autograded output",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help="assignment ids (default: every graded lesson, written to reports/); "
                             "named lessons are written to reports-A+B/")
    parser.add_argument("--out", default=None, help=f"output folder (default: {DEFAULT_OUT}/ in the course directory, "
                                                    f"or {DEFAULT_OUT}-A+B/ for named lessons)")
    parser.set_defaults(func=run)
