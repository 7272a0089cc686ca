"""`course generate`: lessons/*.md -> source/ notebooks -> release/ student versions.

Builds each lesson's source notebook from its text file, then runs nbgrader's
generate_assignment, which strips solutions and hidden tests; the course's
preprocessors refuse stray answers files and strip widget state and run traces.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..authoring import LessonFormatError, build
from .coursedir import CourseError, assignments, find_root, nbgrader_api


def generate(root: Path, names: list[str] | None = None, quiet: bool = False) -> list[str]:
    lessons = {p.name.removesuffix(".md"): p for p in sorted((root / "lessons").glob("*.md"))}
    for name in names or []:
        if name not in lessons and name not in assignments(root):
            raise CourseError(f"unknown assignment {name!r}: no lessons/{name}.md and no source/{name}/")
    chosen = names or sorted(set(lessons) | set(assignments(root)))
    for name in chosen:
        if name in lessons:
            try:
                build(lessons[name], root / "source")
            except LessonFormatError as exc:
                raise CourseError(str(exc)) from None
    api = nbgrader_api(root)
    for name in chosen:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise CourseError(f"nbgrader could not generate {name}:\n{result.get('error') or result.get('log')}")
        if not quiet:
            print(f"generated release/{name}")
    return chosen


def run(args) -> int:
    generate(find_root(), args.assignments or None)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("generate", help="build source notebooks from lessons/ and generate release/",
                                   description=__doc__)
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.set_defaults(func=run)
