"""release/ is exactly what source/ generates, and it carries no key, answers or widget state."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from support import REPO
from course.authoring import build_lesson, notebook_path, render
from course.grading.score.keys import key_path, load_keys
from course.items import items_path, load_definitions
from course.items.definitions import render_definitions
from support.pipeline import nbgrader

LESSONS = sorted((REPO / "lessons").glob("*.md"))
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_source_notebook_is_built_from_its_lesson_file(lesson):
    target = notebook_path(lesson, REPO / "source")
    nb, items = build_lesson(lesson)
    assert target.read_text(encoding="utf-8") == render(nb), (
        f"{target} is out of date with {lesson}: run `course generate`")
    definitions = items_path(target.parent, target.stem)
    assert definitions.read_text(encoding="utf-8") == render_definitions(target.stem, items), (
        f"{definitions} is out of date with {lesson}: run `course generate`")


def test_no_answers_file_in_source():
    stray = sorted(str(p) for p in (REPO / "source").rglob("*.answers.json*"))
    assert not stray, f"answers files in source/ would be released to every student: {stray}"


def execute_in_place(notebook: Path) -> None:
    """What an instructor's Run All + Save does to a source notebook."""
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    nbformat.write(nb, notebook)


@pytest.mark.e2e
def test_release_regenerates_identically_even_after_sources_were_run(course_copy):
    for assignment in ASSIGNMENTS:
        source_nb = course_copy / "source" / assignment / f"{assignment}.ipynb"
        execute_in_place(source_nb)
        assert "widgets" in nbformat.read(source_nb, as_version=4).metadata  # the leak is really there
    for assignment in ASSIGNMENTS:
        nbgrader(course_copy, "generate_assignment", assignment, "--force")
    assert tree(course_copy / "release") == tree(REPO / "release")


@pytest.mark.e2e
def test_generate_refuses_a_source_folder_holding_answers(course_copy):
    assignment = ASSIGNMENTS[0]
    planted = course_copy / "source" / assignment / f"{assignment}.answers.json"
    planted.write_text('{"format": 1, "answers": {}}')
    result = nbgrader(course_copy, "generate_assignment", assignment, "--force", check=False)
    assert result.returncode != 0
    assert "would be released to every student" in result.stdout + result.stderr
    assert not list((course_copy / "release").rglob("*.answers.json"))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solution_hidden_test_key_or_state(assignment):
    from course.scenarios import has_key_text, load_scenario

    folder = REPO / "release" / assignment
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if n != "scenarios"] == [f"{assignment}.ipynb", f"{assignment}.items.json"]
    # A course without a recorder releases the scenarios its lesson plays, with no key text in them
    # (recommended choices and debriefs stay in keys/scenarios/, see test_scenario_placement.py).
    for path in sorted((folder / "scenarios").glob("*")):
        assert has_key_text(load_scenario(path)) == [], path
    text = (folder / f"{assignment}.ipynb").read_text(encoding="utf-8")
    definitions = (folder / f"{assignment}.items.json").read_text(encoding="utf-8")
    nb = json.loads(text)
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "BEGIN MARK SCHEME"):
        assert marker not in text
    assert "widgets" not in nb["metadata"] and "language_info" not in nb["metadata"]
    for cell in nb["cells"]:
        assert not cell.get("outputs") and "execution" not in cell["metadata"]
    keys = load_keys(key_path(REPO / "keys", assignment))
    for item in keys.values():
        for reason in item.why.values():
            assert reason not in text, f"{assignment}: the key's explanation for {item.item_id} is in the release"
            assert reason not in definitions, f"{assignment}: the key's explanation for {item.item_id} is in the item definitions"
    for item_id, definition in load_definitions(folder / f"{assignment}.items.json").items():
        if item_id in keys:
            assert definition["graded"] and "answer" not in definition and "why" not in definition, item_id
    # No exercise is defined in a cell: each shows its item by id, input hidden.
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and source.startswith("lesson.show("):
            assert source.count("\n") == 0 and cell["metadata"]["jupyter"]["source_hidden"], source
        assert "answer=" not in source and "why=" not in source, f"{assignment}: an answer in a cell: {source[:80]}"


def test_keys_are_not_in_the_installed_package():
    import course

    package = Path(course.__file__).parent
    shipped = "\n".join(p.read_text(errors="ignore") for p in package.rglob("*") if p.is_file() and p.suffix in {".py", ".yaml", ".json", ".txt", ".md"})
    for key_file in (REPO / "keys").glob("*.yaml"):
        for item in load_keys(key_file).values():
            for reason in item.why.values():
                assert reason not in shipped, f"{key_file.name}: explanation of {item.item_id} found inside the package"


def lesson_exercises(notebook: Path, tmp_path: Path, monkeypatch):
    """Run the notebook's code in-process (no kernel needed) to see its exercises."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(items_path(notebook.parent, notebook.stem), tmp_path)
    if (notebook.parent / "scenarios").is_dir():
        shutil.copytree(notebook.parent / "scenarios", tmp_path / "scenarios")
    monkeypatch.delenv("COURSE_RECORDER_URL", raising=False)
    namespace: dict = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade"):
            exec(compile(cell.source, str(notebook), "exec"), namespace)
    return namespace["lesson"].exercises


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_keyed_item_matches_its_widget_and_test_cell(assignment, tmp_path, monkeypatch):
    notebook = REPO / "source" / assignment / f"{assignment}.ipynb"
    keys = load_keys(key_path(REPO / "keys", assignment))
    exercises = lesson_exercises(notebook, tmp_path, monkeypatch)
    test_cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(notebook, as_version=4).cells
                  if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    assert set(keys) <= set(test_cells), "every key item needs a test cell with the same grade_id"
    # Test cells without a key item are code exercises' plain asserts, graded by nbgrader itself.
    unkeyed = [item for item, source in test_cells.items() if item not in keys and "lesson.saved(" in source]
    assert not unkeyed, f"test cells {unkeyed} show a saved answer but have no key item"
    for item_id, key in keys.items():
        exercise = exercises[item_id]
        assert exercise.mode == "graded" and exercise.kind == key.kind, item_id
        if key.kind in ("single", "multiple", "classify"):
            exercise.check_value(key.answer)  # the key's answer is a valid value of the widget
        elif key.kind == "written":
            assert exercise.statement == key.extra["statement"], f"{item_id}: key and widget statements differ"
        elif key.kind == "scenario":
            assert exercise.header_data["id"] == key.extra["scenario"], f"{item_id}: key and widget scenarios differ"
        elif key.kind == "package":
            chosen = list(key.answer["required"])
            exercise.check_value({"options": chosen, "reasons": {}})  # the key's options exist in the widget
    assert not os.path.exists(tmp_path / f"{assignment}.answers.json")
