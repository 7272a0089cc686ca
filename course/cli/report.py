"""`course report`: class analytics from the autograder's output, as HTML pages with charts and CSV.

Reads autograded/<student>/<assignment>/*.grading.json and keys/ for the widget items, and the
gradebook (read-only) for the autograded code test cells (run `course autograde` first), and
writes a self-contained folder: index.html (the course), one page per assignment, images/ and csv/.
Score distributions, item difficulty and discrimination, the share of students choosing each
option, scenario paths and endings, the most missed items with the lesson section they test, and
a Problems section for unreadable grading files.
"""
from __future__ import annotations

from pathlib import Path

from .coursedir import find_root

DEFAULT_OUT = "reports"


def run(args) -> int:
    from ..report import build_report  # imports pandas and matplotlib: only when asked for a report

    root = find_root()
    out = Path(args.out).expanduser() if args.out else root / DEFAULT_OUT
    index = build_report(root, out.resolve(), args.assignments or None)
    print(f"class report: {index}")
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("report", help="class analytics (HTML, charts, CSV) from the autograded output",
                                   description=__doc__)
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="assignment ids (default: all autograded)")
    parser.add_argument("--out", default=None, help=f"output folder (default: {DEFAULT_OUT}/ in the course directory)")
    parser.set_defaults(func=run)
