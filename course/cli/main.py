"""The `course` command: one entry point for students and instructors.

`course -q COMMAND` shows only warnings and errors (and what the command is for: a table, a
file name); `course -v COMMAND` also shows each step and the messages of nbgrader and the
kernels. How the verbs log: course/cli/logs.py.
"""
from __future__ import annotations

import argparse
import sys

from . import audit, autograde, backup, build_student, collect, demo, feedback, generate, grades, release, report, start, status
from .coursedir import CourseError
from .logs import configure_logging

# One verb per module, in the order an instructor uses them.
VERBS = [start, generate, build_student, status, release, collect, autograde, feedback, grades, report, audit, backup, demo]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="course",
        description="Negotiation in police conflict resolution: open the course, or run the instructor's workflow.")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", dest="verbosity", action="store_const", const=-1, default=0,
                          help="only warnings and errors")
    loudness.add_argument("-v", "--verbose", dest="verbosity", action="store_const", const=1,
                          help="also each step, and nbgrader's and the kernels' messages")
    subparsers = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    for verb in VERBS:
        verb.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbosity)
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
