"""SandboxedExecute fails closed and sees what it needs."""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from course.grading.sandbox import SandboxedExecute


def notebook(*sources):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    return nb


def test_a_run_that_cannot_start_leaves_every_code_cell_failed(tmp_path):
    # nbgrader gives full marks to a test cell with no output: an unrun notebook must not pass.
    pre = SandboxedExecute(bwrap="/bin/false")
    nb, _ = pre.preprocess(notebook("x = 1", "assert x == 1"), {"metadata": {"path": str(tmp_path)}})
    for cell in nb.cells:
        assert [o.output_type for o in cell.outputs] == ["error"]
        assert "not run" in cell.outputs[0].evalue


def test_the_course_package_is_mounted_back_wherever_it_lives(tmp_path):
    import course

    pre = SandboxedExecute(hide=[str(tmp_path)])
    needed = pre._needed_inside(pre._hidden())
    package = Path(course.__file__).resolve().parent
    hidden_roots = pre._hidden() + [Path("/tmp").resolve()]
    if any(h == package or h in package.parents for h in hidden_roots):
        assert any(p == package or p in package.parents for p in needed)


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_a_dead_kernel_fails_the_cells_after_it(tmp_path):
    pre = SandboxedExecute(hide=[str(tmp_path / "hidden")], timeout=30)
    nb, _ = pre.preprocess(notebook("print('ran')", "import os; os._exit(0)", "assert True"),
                           {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[0].text.strip() == "ran"
    assert nb.cells[1].outputs[-1].ename == "DeadKernelError"
    assert nb.cells[2].outputs[0].ename == "NotRun"
