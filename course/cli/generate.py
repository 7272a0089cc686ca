"""`course generate`: lessons/*.md -> source/ notebooks -> release/ student versions.

Builds each lesson's source notebook from its text file, then runs nbgrader's
generate_assignment, which strips solutions and hidden tests; the course's
preprocessors refuse stray answers files and strip widget state and run traces.
"""
from __future__ import annotations

import logging
from pathlib import Path

from ..authoring import LessonFormatError, build
from ..items.unique import DuplicateItemError, check_course_ids
from .coursedir import CourseDir, CourseError, find_root, nbgrader_api

log = logging.getLogger(__name__)


def generate(root: Path, names: list[str] | None = None) -> list[str]:
    course = CourseDir.at(root)
    lessons = {p.name.removesuffix(".md"): p for p in sorted((root / "lessons").glob("*.md"))}
    for name in names or []:
        if name not in lessons and name not in course.assignments():
            raise CourseError(f"unknown assignment {name!r}: no lessons/{name}.md and no "
                              f"{course.shown(course.folder('source', name))}/")
    chosen = names or sorted(set(lessons) | set(course.assignments()))
    try:  # an id two lessons share makes every course-wide view ambiguous
        check_course_ids(root / "lessons", course.keys_dir)
    except (DuplicateItemError, LessonFormatError) as exc:
        raise CourseError(str(exc)) from None
    for name in chosen:
        if name in lessons:
            try:
                build(lessons[name], course.folder("source"))
            except LessonFormatError as exc:
                raise CourseError(str(exc)) from None
    for name in chosen:
        for line in lesson_scenarios(course, name):
            log.info(line)
    api = nbgrader_api(root)
    for name in chosen:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise CourseError(f"nbgrader could not generate {name}:\n{result.get('error') or result.get('log')}")
        log.info(f"generated {course.shown(course.folder('release', name))}")
    return chosen


def lesson_scenarios(course: CourseDir, name: str) -> list[str]:
    """Place the lesson's scenarios (course/scenarios/placement.py), as a CourseError when one is missing."""
    from ..scenarios.placement import place_lesson_scenarios

    try:
        return place_lesson_scenarios(course, name)
    except (FileNotFoundError, ValueError) as exc:
        raise CourseError(f"{name}: {exc}") from None


def run(args) -> int:
    generate(find_root(), args.assignments or None)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("generate", help="build source notebooks from lessons/ and generate release/",
                                   description=__doc__)
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.set_defaults(func=run)
