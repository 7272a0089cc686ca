"""course.authoring: lesson text -> nbgrader source notebook (the solution cell kind especially)."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from course import Lesson
from course.authoring import LessonFormatError, build_lesson, build_notebook
from course.exercises.base import ExerciseError
from course.items import ItemDefinitionError
from course.items.definitions import render_definitions

LESSON = """<!-- markdown id=intro -->
# A lesson

<!-- code id=setup -->
import math

<!-- solution id=area-code -->
# radius 2: compute the area
### BEGIN SOLUTION
area = math.pi * 2 ** 2
### END SOLUTION

<!-- test id=area points=2 -->
assert abs(area - 12.566) < 0.01, "area should be pi times the radius squared"
"""


def write(tmp_path: Path, text: str, name: str = "09-demo.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_solution_cell_has_nbgrader_solution_metadata(tmp_path):
    nb = build_notebook(write(tmp_path, LESSON))
    cells = {c.id: c for c in nb.cells}
    solution = cells["area-code"]
    assert solution.cell_type == "code"
    assert solution.metadata["nbgrader"] == {
        "grade": False, "grade_id": "area-code", "locked": False, "schema_version": 3,
        "solution": True, "task": False}
    assert "### BEGIN SOLUTION" in solution.source and "### END SOLUTION" in solution.source
    test = cells["area"].metadata["nbgrader"]
    assert test["grade"] and not test["solution"] and test["locked"] and test["points"] == 2


@pytest.mark.parametrize("body, message", [
    ("area = 1\n", "needs lines '### BEGIN SOLUTION' and '### END SOLUTION'"),
    ("### BEGIN SOLUTION\narea = 1\n", "needs lines '### BEGIN SOLUTION' and '### END SOLUTION'"),
    ("### END SOLUTION\narea = 1\n### BEGIN SOLUTION\n", "must come before"),
])
def test_solution_cell_without_its_markers_names_file_and_line(tmp_path, body, message):
    path = write(tmp_path, "<!-- markdown id=intro -->\n# A lesson\n\n<!-- solution id=broken -->\n" + body)
    with pytest.raises(LessonFormatError) as err:
        build_notebook(path)
    assert f"{path}:4:" in str(err.value) and message in str(err.value)


def test_solution_cell_needs_an_id(tmp_path):
    path = write(tmp_path, "<!-- markdown id=intro -->\nx\n\n\n<!-- solution -->\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n")
    with pytest.raises(LessonFormatError, match=rf"{path}:5: a solution cell needs id="):
        build_notebook(path)


@pytest.mark.parametrize("text, line, message", [
    ("stray text\n<!-- markdown -->\nx\n", 1, "text before the first cell marker"),
    ("<!-- markdown -->\nx\n<!-- test id=t1 -->\nassert True\n", 3, "needs id= and points="),
    ("<!-- markdown -->\nx\n<!-- test id=t1 points=many -->\nassert True\n", 3, "is not a number"),
    ("<!-- markdown id=a -->\nx\n<!-- code id=a -->\ny = 1\n", 3, "already used on line 1"),
    ("<!-- markdown id=bad.id -->\nx\n", 1, "may use only letters"),
])
def test_parse_errors_name_the_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(LessonFormatError) as err:
        build_notebook(path)
    assert f"{path}:{line}:" in str(err.value) and message in str(err.value)


@pytest.mark.e2e
def test_nbgrader_release_of_a_solution_cell_has_no_solution(course_copy):
    from support.pipeline import nbgrader

    from course.authoring import build

    lesson = write(course_copy / "lessons", LESSON)
    build(lesson, course_copy / "source")
    try:
        nbgrader(course_copy, "generate_assignment", "09-demo", "--force")
        released = nbformat.read(course_copy / "release" / "09-demo" / "09-demo.ipynb", as_version=4)
    finally:
        shutil.rmtree(course_copy / "source" / "09-demo", ignore_errors=True)
    cell = next(c for c in released.cells if c.id == "area-code")
    assert "BEGIN SOLUTION" not in cell.source and "math.pi" not in cell.source
    assert cell.source.rstrip().endswith("# YOUR CODE HERE") and "raise" not in cell.source  # the stub does not stop Run All
    assert cell.source.startswith("# radius 2: compute the area")  # text outside the markers stays
    assert cell.metadata["nbgrader"]["solution"] is True and cell.metadata["nbgrader"]["locked"] is False


ITEM = "<!-- markdown id=intro -->\n# A lesson\n\n<!-- item id=q1 -->\n"


def test_an_item_cell_becomes_one_hidden_line_and_a_definition(tmp_path):
    path = write(tmp_path, ITEM + 'kind: single\ngraded: true\nprompt: "Which?"\noptions:\n  a: "One"\n  b: "Two"\n'
                 "\n<!-- test id=q1 points=2 -->\nlesson.saved(\"q1\")\n")
    nb, items = build_lesson(path)
    cells = {c.id: c for c in nb.cells}
    shown = cells["q1-cell"]
    assert shown.source == 'lesson.show("q1")' and shown.metadata["jupyter"]["source_hidden"] is True
    assert shown.metadata["nbgrader"]["locked"] and not shown.metadata["nbgrader"]["grade"]
    assert cells["q1"].metadata["jupyter"]["source_hidden"] is True  # the one-line check cell too
    assert items == {"q1": {"kind": "single", "graded": True, "prompt": "Which?", "options": {"a": "One", "b": "Two"}}}


def test_a_built_definition_shows_the_same_widget_as_the_python_call(tmp_path):
    path = write(tmp_path, ITEM + "kind: multiple\nprompt: Pick\noptions: {a: A, b: B, c: C}\nanswer: [a, c]\n"
                 "why: {a: yes, b: no, c: yes}\n")
    _nb, items = build_lesson(path)
    (tmp_path / "09-demo.items.json").write_text(render_definitions("09-demo", items))
    lesson = Lesson("09-demo", str(tmp_path))
    item = lesson.show("q1")
    assert item.kind == "multiple" and item.mode == "practice" and item.answer == ["a", "c"]
    with pytest.raises(ExerciseError, match=r"09-demo.items.json: no item 'q9' \(it defines q1\)"):
        lesson.show("q9")


@pytest.mark.parametrize("body, line, message", [
    ("kind: single\ngraded: true\nprompt: Q\noptions: {a: A}\nanswer: a\n", 4, "its answer and explanations belong in keys/"),
    ("kind: single\nprompt: Q\noptions: {a: A}\nwhy: {a: because}\n", 4, "its answer and explanations belong in keys/"),
    ("kind: essay\nprompt: Q\n", 4, "kind must be one of single, multiple"),
    ("kind: single\nprompt: Q\n", 4, "'q1' (single) needs options"),
    ("kind: single\nprompt: Q\noptions: {a: A}\ncolour: red\n", 4, "unknown field(s) colour"),
    ("kind: single\nprompt: [Q\n", 6, "is not valid YAML"),
])
def test_item_errors_name_the_lesson_file_line_and_field(tmp_path, body, line, message):
    path = write(tmp_path, ITEM + body)
    with pytest.raises(LessonFormatError) as err:
        build_notebook(path)
    assert f"{path}:{line}:" in str(err.value) and message in str(err.value), str(err.value)


def test_a_missing_definitions_file_says_what_to_do(tmp_path):
    with pytest.raises(ItemDefinitionError, match="09-demo.items.json is missing.*Fetch the lesson again"):
        Lesson("09-demo", str(tmp_path)).show("q1")
