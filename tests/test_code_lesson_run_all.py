"""Lesson 06 as a student gets it: Run All goes to the end, whether or not the code exercises
are done, and each check cell says "Not yet: ..." or "Well done" instead of raising."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from support import REPO
from course.grading.run.student_checks import FriendlyCodeChecks, wrap_checks
from course.lesson import Lesson

A = "06-community-policing"
RELEASE = REPO / "release" / A / f"{A}.ipynb"
SOURCE = REPO / "source" / A / f"{A}.ipynb"


def run_all(nb, folder):
    """Run ▸ Run All Cells as JupyterLab does: stop at an error unless the cell is tagged raises-exception.
    `folder` gets the released lesson's other files (its item definitions), as a student has them."""
    for extra in RELEASE.parent.iterdir():
        if extra.is_file() and extra.suffix != ".ipynb" and not (Path(folder) / extra.name).exists():
            shutil.copy(extra, Path(folder) / extra.name)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def text_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def cells_by_id(nb):
    return {cell.id: cell for cell in nb.cells}


def test_check_code_reports_instead_of_raising(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    lesson = Lesson("demo")
    namespace = {}
    assert lesson.check_code("x1", ["x"], "assert x == 2, 'x should be 2'", namespace) is None
    assert capsys.readouterr().out == "Not yet: `x` is not made yet: write it in the cell above, run that cell, then run this one.\n"
    namespace["x"] = 3
    assert lesson.check_code("x1", ["x"], "assert x == 2, 'x should be 2'", namespace) is None
    assert capsys.readouterr().out == "Not yet: x should be 2.\n"
    assert lesson.check_code("x1", ["x"], "assert x.upper()", namespace) is None
    assert "Not yet: checking your answer gave AttributeError" in capsys.readouterr().out
    namespace["x"] = 2
    assert lesson.check_code("x1", ["x"], "assert x == 2\nprint('Well done')", namespace) is None
    assert capsys.readouterr().out == "Well done\n"


def test_check_code_raises_under_validate_and_autograde(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lesson = Lesson("demo")
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(AssertionError):
        lesson.check_code("x1", ["x"], "assert x == 2", {"x": 3})
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(RuntimeError, match="course grader"):
        lesson.check_code("x1", ["x"], "assert x == 2", {"x": 2})


def test_wrapped_checks_are_the_source_checks():
    source = cells_by_id(nbformat.read(SOURCE, as_version=4))
    release = cells_by_id(nbformat.read(RELEASE, as_version=4))
    for grade_id in ("cp-scan", "cp-hotspot", "cp-night", "cp-plot", "cp-bias"):
        assert release[grade_id].source.splitlines()[1].startswith(f"lesson.check_code({grade_id!r}, ")
        assert source[grade_id].source in release[grade_id].source  # the same asserts, unchanged
        assert "check_code" not in source[grade_id].source          # the grader's checks stay plain
    assert "HIDDEN" not in release["cp-assess"].source
    assert "raise NotImplementedError" not in RELEASE.read_text()


def test_wrapper_survives_quotes_in_the_checks():
    odd = "assert s == '''x''', 'no'\nassert t.endswith('\\\\')"
    literal = wrap_checks("q", ["s"], odd).split(", ['s'], ", 1)[1][:-1]
    assert eval(literal) == odd


@pytest.mark.e2e
def test_run_all_of_the_released_lesson_reaches_the_end(tmp_path):
    shutil.copy(RELEASE, tmp_path / RELEASE.name)
    nb = run_all(nbformat.read(tmp_path / RELEASE.name, as_version=4), tmp_path)
    cells = cells_by_id(nb)
    for grade_id in ("cp-scan", "cp-hotspot", "cp-night", "cp-plot", "cp-assess", "cp-bias"):
        assert text_of(cells[grade_id]).startswith("Not yet: "), (grade_id, cells[grade_id].outputs)
        assert {o.output_type for o in cells[grade_id].outputs} == {"stream"}  # the message only: no error, no value
    assert "`calls_per_location` is not made yet" in text_of(cells["cp-scan"])
    for cell_id, exercise in (("scan-compare", "cp-scan"), ("outcome-table", "cp-hotspot"), ("bias-table", "cp-bias")):
        errors = [o for o in cells[cell_id].outputs if o.output_type == "error"]
        assert errors and f"is made by the code exercise {exercise} above" in "\n".join(errors[0].traceback), cell_id
    last_code = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert last_code.execution_count is not None and last_code.outputs  # the last cell ran and showed something


@pytest.mark.e2e
def test_run_all_with_the_solutions_typed_in_says_well_done(tmp_path):
    solutions = {c.id: c.source for c in nbformat.read(SOURCE, as_version=4).cells
                 if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    nb = nbformat.read(RELEASE, as_version=4)
    for cell in nb.cells:
        if cell.id in solutions:
            cell.source = solutions[cell.id].replace("### BEGIN SOLUTION\n", "").replace("### END SOLUTION", "")
    run_all(nb, tmp_path)
    cells = cells_by_id(nb)
    for grade_id in ("cp-scan", "cp-hotspot", "cp-night", "cp-assess", "cp-bias"):
        assert text_of(cells[grade_id]).startswith("Well done"), (grade_id, cells[grade_id].outputs)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_preprocessor_tags_only_cells_after_an_exercise():
    nb = nbformat.v4.new_notebook()

    def code(source, cell_id, **meta):
        cell = nbformat.v4.new_code_cell(source)
        cell.id = cell_id
        if meta:
            cell.metadata["nbgrader"] = {"grade_id": cell_id, "grade": False, "solution": False, "locked": True, **meta}
        return cell

    nb.cells = [code("data = 1", "setup"), code("x = data + 1", "ex-code", solution=True, locked=False),
                code("assert x == 2", "ex", grade=True, points=1), code("y = x * 2", "uses-x"),
                code("print(y)", "uses-y"), code("print(data)", "plain"), code("lesson.saved('g1')", "g1", grade=True, points=1)]
    nb, _ = FriendlyCodeChecks().preprocess(nb, {})
    tagged = {c.id for c in nb.cells if "raises-exception" in c.metadata.get("tags", [])}
    assert tagged == {"ex-code", "uses-x", "uses-y"}
    assert nb.cells[2].source.splitlines()[1] == "lesson.check_code('ex', ['x'], r'''"
    assert nb.cells[6].source == "lesson.saved('g1')"
