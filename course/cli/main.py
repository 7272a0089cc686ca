"""The `course` command: one entry point for students and instructors."""
from __future__ import annotations

import argparse
import sys

from . import audit, autograde, collect, demo, feedback, generate, grades, release, report, start, status
from .coursedir import CourseError

# One verb per module, in the order an instructor uses them. The class-analytics `report`
# verb goes here (course/cli/report.py, between grades and demo); `course demo` runs it if present.
VERBS = [start, generate, status, release, collect, autograde, feedback, grades, report, audit, demo]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description="Negotiation in police conflict resolution: open the course, or run the instructor's workflow.")
    subparsers = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    for verb in VERBS:
        verb.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args) or 0
    except CourseError as exc:
        print(f"course {args.verb}: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or folder that could not be read or written: name it, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"course {args.verb}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
