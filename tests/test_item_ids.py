"""Every item id is unique across the course; the build refuses a duplicate, naming both files."""
from __future__ import annotations

from pathlib import Path

import pytest

from course.items.unique import DuplicateItemError, check_course_ids

REPO = Path(__file__).resolve().parents[1]


def test_the_course_ids_are_unique():
    check_course_ids(REPO / "lessons", REPO / "keys")


def test_a_duplicate_across_lessons_names_both_files(tmp_path):
    lessons, keys = tmp_path / "lessons", tmp_path / "keys"
    lessons.mkdir()
    keys.mkdir()
    for name in ("06-a", "07-b"):
        (lessons / f"{name}.md").write_text(
            "<!-- markdown -->\n# Lesson\n\n<!-- item id=cp-g1 -->\nkind: single\nprompt: p\n"
            "options:\n  a: x\n  b: y\n\n<!-- test id=cp-g1 points=1 -->\nlesson.saved(\"cp-g1\")\n")
    with pytest.raises(DuplicateItemError) as error:
        check_course_ids(lessons, keys)
    message = str(error.value)
    assert "'cp-g1'" in message and str(lessons / "06-a.md") in message and str(lessons / "07-b.md") in message


def test_a_duplicate_across_key_files_names_both_files(tmp_path):
    (tmp_path / "lessons").mkdir()
    keys = tmp_path / "keys"
    keys.mkdir()
    for name in ("06-a", "07-b"):
        (keys / f"{name}.yaml").write_text("items:\n  cp-reflection:\n    kind: written\n    statement: s\n")
    with pytest.raises(DuplicateItemError, match=r"cp-reflection.*06-a\.yaml.*07-b\.yaml"):
        check_course_ids(tmp_path / "lessons", keys)


def test_course_generate_refuses_a_duplicate_before_building(tmp_path):
    from support import copy_course

    from course.cli.coursedir import CourseError
    from course.cli.generate import generate

    course = copy_course(tmp_path / "course")
    text = (course / "lessons" / "07-crowds-and-protest.md").read_text()
    (course / "lessons" / "07-crowds-and-protest.md").write_text(text.replace("cr-g1", "cp-g1"))
    before = (course / "source" / "07-crowds-and-protest" / "07-crowds-and-protest.items.json").read_bytes()
    with pytest.raises(CourseError, match=r"cp-g1.*06-community-policing\.md.*07-crowds-and-protest\.md"):
        generate(course)
    assert (course / "source" / "07-crowds-and-protest" / "07-crowds-and-protest.items.json").read_bytes() == before
