"""SandboxedExecute fails closed and sees what it needs."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest

from course.grading.run.sandbox import SandboxedExecute


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


def test_only_python_and_the_course_package_are_mounted_never_the_course_root(tmp_path):
    import course

    package = Path(course.__file__).resolve().parent
    root = package.parent  # an editable install: the package lives inside the course folder
    pre = SandboxedExecute(hide=[str(root)])
    mounts = pre.mounts()
    assert any(p == package or p in package.parents for p in mounts)
    assert all(p != root and p not in root.parents for p in mounts)
    command = " ".join(pre.bwrap_command("bwrap", tmp_path / "work", tmp_path / "sock"))
    for folder in ("keys", "source", "release", "exchange", "autograded", "submitted"):
        assert str(root / folder) not in command
    with pytest.raises(Exception, match="contains"):
        SandboxedExecute(hide=[str(package / "grading")]).mounts()


@pytest.mark.e2e  # starts a real kernel in the sandbox
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_a_dead_kernel_fails_the_cells_after_it(tmp_path):
    pre = SandboxedExecute(hide=[str(tmp_path / "hidden")], timeout=30)
    nb, _ = pre.preprocess(notebook("print('ran')", "import os; os._exit(0)", "assert True"),
                           {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[0].text.strip() == "ran"
    assert nb.cells[1].outputs[-1].ename == "DeadKernelError"
    assert nb.cells[2].outputs[0].ename == "NotRun"


@pytest.mark.e2e  # starts a real kernel in the sandbox
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_a_looping_cell_is_interrupted_and_the_next_cell_still_runs(tmp_path):
    # The kernel is in its own PID namespace: the interrupt must arrive as a message, not a signal.
    pre = SandboxedExecute(hide=[str(tmp_path / "hidden")], timeout=3)
    nb, _ = pre.preprocess(notebook("while True: pass", "print('after')"), {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[-1].ename == "TimeoutError"
    assert nb.cells[1].outputs[0].text.strip() == "after"


@pytest.mark.e2e  # starts a real kernel in the sandbox
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_output_is_capped_while_it_arrives(tmp_path):
    pre = SandboxedExecute(hide=[str(tmp_path / "hidden")], timeout=30, max_output_chars=1000)
    flood = "for i in range(2000):\n    print('x' * 99)"
    nb, _ = pre.preprocess(notebook(flood, "print('ok')"), {"metadata": {"path": str(tmp_path)}})
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert text.count("x") <= 1000
    assert "output cut by the grader" in text
    assert nb.cells[1].outputs[0].text.strip() == "ok"


@pytest.mark.e2e  # starts a real kernel in the sandbox
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_the_whole_run_has_a_wall_clock_limit(tmp_path):
    pre = SandboxedExecute(hide=[str(tmp_path / "hidden")], timeout=30, wall_timeout=2)
    started = time.monotonic()
    nb, _ = pre.preprocess(notebook("import time; time.sleep(1)", "time.sleep(5)", "print('late')"),
                           {"metadata": {"path": str(tmp_path)}})
    # Stopped by its timeout or, if the kernel went quiet, by the watchdog that kills it: either
    # way the run ends and fails closed (the late cells carry an error, so they earn nothing).
    assert nb.cells[1].outputs[-1].ename in ("TimeoutError", "DeadKernelError", "NotRun")
    assert nb.cells[2].outputs[0].ename == "NotRun"
    assert time.monotonic() - started < 2 + 30 + 30  # wall limit + watchdog grace + start-up


@pytest.mark.e2e  # starts a real kernel in the sandbox
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_the_kernel_sees_only_a_private_copy_of_its_folder(tmp_path):
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    (hidden / "key.yaml").write_text("answer: b\n")
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "given.txt").write_text("given")
    pre = SandboxedExecute(hide=[str(hidden)], timeout=30)
    probe = (f"import os, socket\nprint(os.path.exists({str(hidden)!r}) or os.path.exists({str(folder)!r}))\n"
             "print(open('given.txt').read()); open('mine.txt', 'w').write('ok')\n"
             "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2); print('net')\n"
             "except OSError:\n    print('no net')\n"
             "print(os.getpid())")
    nb, _ = pre.preprocess(notebook(probe), {"metadata": {"path": str(folder)}})
    lines = nb.cells[0].outputs[0].text.split()
    assert lines[:4] == ["False", "given", "no", "net"]
    assert int(lines[-1]) < 10  # its own PID namespace
    assert not (folder / "mine.txt").exists()  # it wrote in its private copy, never in the grader's folder


@pytest.mark.e2e  # starts a real kernel in the sandbox
@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_the_graders_secrets_stay_out_of_the_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DB_URL", "postgresql+psycopg2://grader:s3cret@db/grades")
    monkeypatch.setenv("LANG", "C.UTF-8")
    pre = SandboxedExecute(hide=[str(tmp_path / "hidden")], timeout=30)
    nb, _ = pre.preprocess(notebook("import os; print(os.environ.get('COURSE_DB_URL'), os.environ.get('LANG'))"),
                           {"metadata": {"path": str(tmp_path)}})
    assert nb.cells[0].outputs[0].text.split() == ["None", "C.UTF-8"]
