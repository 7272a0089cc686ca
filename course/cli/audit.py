"""`course audit`: play every path of each graded scenario and check its rubric.

The same check as `python -m course.scenarios.audit` (see that module for the properties:
harmful endings under their cap, the recommended path at the maximum, no "did not do" credit
without the chance, every ending reachable, flags set by every choice that means them). With
no scenario named it audits every scenario that has a rubric in keys/scenarios/. Prints a table
per scenario; exits 1 when a property fails, naming the scenario, the property and the path.
"""
from __future__ import annotations

import argparse

from .coursedir import CourseDir, CourseError, find_root


def add_parser(subparsers) -> None:
    from ..scenarios.audit import build_parser

    parser = subparsers.add_parser("audit", help="check each scenario's rubric on every path through it",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    build_parser(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from ..scenarios.audit import run_cli

    if args.keys is None or args.scenarios_dir is None:
        try:
            course = CourseDir.at(find_root())
            args.keys = args.keys or course.keys_dir
            args.scenarios_dir = args.scenarios_dir or course.scenarios_dir
        except CourseError:
            pass            # outside a course directory: the module searches upwards itself
    return run_cli(args)
