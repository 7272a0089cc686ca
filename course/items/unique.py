"""Item ids are unique across the course: one id, one question.

An id names an item in its lesson, its key, the answers file, the gradebook (nbgrader's
grade id), the class report and the simulation banks. Two lessons with the same id (lesson 06's
and lesson 07's cp-g1 once meant different questions) make every course-wide view ambiguous:
the report's most-missed list, an instructor's search, a bank merged across lessons. So the
build (`course generate`) and the key check refuse an id that two lessons, or two key files,
use, naming both files.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import CourseError

# cells whose id= names an item: defined items, graded test cells, hand-graded answers
ID_CELLS = ("item", "test", "manual")


class DuplicateItemError(CourseError, ValueError):
    """Two lessons (or two key files) use the same item id; the message names both files."""


def lesson_ids(path: Path) -> set[str]:
    from ..authoring import parse_lesson

    return {spec["attrs"]["id"] for spec in parse_lesson(path)
            if spec["kind"] in ID_CELLS and spec["attrs"].get("id")}


def key_ids(path: Path) -> set[str]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        return set()   # a broken key is reported, with its line, by the key loader
    items = data.get("items") if isinstance(data, dict) else None
    return {str(i) for i in items} if isinstance(items, dict) else set()


def check_unique(files: dict[Path, set[str]]) -> None:
    """Raise DuplicateItemError naming the files of the first id used in two of them."""
    owner: dict[str, Path] = {}
    problems = []
    for path in sorted(files):
        for item_id in sorted(files[path]):
            if item_id in owner:
                problems.append(f"item id {item_id!r} is used in both {owner[item_id]} and {path}")
            else:
                owner[item_id] = path
    if problems:
        raise DuplicateItemError("; ".join(problems) + ": give every item an id of its own across the course "
                                 "(rename it in the lesson, its key and the tests' rosters)")


def check_course_ids(lessons_dir: Path, keys_dir: Path) -> None:
    """Every lesson file's ids, then every key file's ids, unique across the course."""
    check_unique({path: lesson_ids(path) for path in sorted(Path(lessons_dir).glob("*.md"))})
    check_unique({path: key_ids(path) for path in sorted(Path(keys_dir).glob("*.yaml"))})
