"""`course autograde --workers 2` against serial `nbgrader autograde`, and kill-and-resume.

The test run's class (tests/support/classes.py: the students of
tests/students/02-active-listening.yaml, from a perfect one to one who answered nothing) has
submitted through the exchange; a clone of it is collected once and copied into three courses:
  serial    plain `nbgrader autograde` (the reference)
  parallel  `course autograde --workers 2`
  resumed   `course autograde --workers 2` killed right after its first merge, then run again
All three gradebooks must hold identical contents, compared by name (students;
submission timestamp and extension; per notebook flagged and late penalty; per grade
auto_score, manual_score, extra_credit, needs_manual_grade; per comment auto_comment and
manual_comment; the number of grade and comment rows). Ignored: the rows' primary keys,
random uuids that differ between any two runs. nbgrader stamps no grading-run time in
the gradebook; the autograded notebooks differ in kernel run details, so of the
autograded folders we compare each student's scoring report (<notebook>.grading.json).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import copy_course
from course.cli.collect import collect
from course.cli.coursedir import nbgrader_api
from course.cli.release import release
from course.grading.parallel import gradebook_snapshot
from support.classes import roster
from support.pipeline import course_cli, nbgrader

pytestmark = pytest.mark.e2e

ASSIGNMENT = "02-active-listening"
PLAN = roster(ASSIGNMENT)
COURSE_STATE = ["submitted", "gradebook.db"]


def clone_state(src: Path, target: Path) -> Path:
    copy_course(target)
    for part in COURSE_STATE:
        if (src / part).is_dir():
            shutil.copytree(src / part, target / part)
        else:
            shutil.copy2(src / part, target / part)
    return target


def snapshot(course: Path, assignment: str = ASSIGNMENT) -> dict:
    return gradebook_snapshot("sqlite:///" + str(course / "gradebook.db"), "police-negotiation", assignment)


def reports(course: Path) -> dict:
    found = {}
    for path in sorted((course / "autograded").glob(f"*/{ASSIGNMENT}/*.grading.json")):
        data = json.loads(path.read_text())
        found[path.parts[-3]] = data["items"]
    return found


@pytest.fixture(scope="module")
def collected(the_class, tmp_path_factory):
    base = tmp_path_factory.mktemp("autograde")
    course = the_class.clone(base / "collected", [ASSIGNMENT])
    collect(course, ASSIGNMENT)
    students = sorted(PLAN)
    assert sorted(nbgrader_api(course).get_submitted_students(ASSIGNMENT)) == students
    serial = clone_state(course, base / "serial")
    start = time.monotonic()
    nbgrader(serial, "autograde", ASSIGNMENT)
    serial_seconds = time.monotonic() - start
    return {"base": base, "course": course, "serial": serial, "students": students,
            "serial_seconds": serial_seconds}


def test_parallel_autograde_equals_serial_nbgrader(collected):
    parallel = clone_state(collected["course"], collected["base"] / "parallel")
    start = time.monotonic()
    result = course_cli(parallel, "autograde", ASSIGNMENT, "--workers", "2")
    seconds = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    expected, got = snapshot(collected["serial"]), snapshot(parallel)
    assert sorted(s for _, s in got["submissions"]) == collected["students"]
    assert got == expected
    assert reports(parallel) == reports(collected["serial"])
    for student, spec in PLAN.items():  # the scores the lesson's students must get
        assert got["submissions"][(ASSIGNMENT, student)]["score"] == pytest.approx(spec["expected"])
    assert not any((parallel / "autograded" / ".scratch").glob(f"{ASSIGNMENT}/*"))
    print(f"serial nbgrader {collected['serial_seconds']:.1f} s, course autograde --workers 2 {seconds:.1f} s")

    again = course_cli(parallel, "autograde", ASSIGNMENT, "--workers", "2")
    assert again.returncode == 0 and f"0 to grade, {len(collected['students'])} already autograded" in again.stderr
    forced = course_cli(parallel, "autograde", ASSIGNMENT, "--workers", "2", "--force", "--student", "perfect")
    assert forced.returncode == 0 and "graded 1," in forced.stderr
    assert snapshot(parallel) == expected


CODE = "06-community-policing"


@pytest.fixture(scope="module")
def collected_code(tmp_path_factory):
    """Six submissions of the code lesson (its notebooks run in the sandbox, a few seconds each:
    long enough to kill a run between two of them; a widget lesson is graded too fast for that)."""
    import nbformat

    from support.pipeline import fetch, student_flags

    base = tmp_path_factory.mktemp("resume")
    course = copy_course(base / "collected")
    release(course, [CODE])
    exchange = Path(nbgrader_api(course).exchange_root)
    source = nbformat.read(course / "source" / CODE / f"{CODE}.ipynb", as_version=4)
    solutions = {c.id: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    for number in range(6):
        home = base / "homes" / f"s{number}"
        folder = fetch(home, CODE, exchange)
        nb = nbformat.read(folder / f"{CODE}.ipynb", as_version=4)
        for index, cell in enumerate(c for c in nb.cells if c.id in solutions):
            if index <= number:  # student s<n> has solved the first n+1 exercises
                cell.source = solutions[cell.id]
        nbformat.write(nb, folder / f"{CODE}.ipynb")
        nbgrader(home, "submit", CODE, f"--student=s{number}", *student_flags(exchange))
    collect(course, CODE)
    serial = clone_state(course, base / "serial")
    nbgrader(serial, "autograde", CODE)
    return {"base": base, "course": course, "serial": serial, "students": [f"s{n}" for n in range(6)]}


def test_killed_autograde_resumes_without_loss_or_double_counting(collected_code):
    collected = collected_code
    course = clone_state(collected["course"], collected["base"] / "resumed")
    process = subprocess.Popen([sys.executable, "-m", "course.cli.main", "autograde", CODE, "--workers", "2"],
                               cwd=course, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seen = []
    deadline = time.monotonic() + 300
    try:
        for line in process.stdout:
            seen.append(line)
            if " graded " in line or time.monotonic() > deadline:
                break
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the parent, its workers and anything they started
        process.wait(timeout=30)
    assert any(" graded " in line for line in seen), "".join(seen)
    done_before = len([p for p in (course / "autograded").glob(f"*/{CODE}")
                       if p.is_dir() and not p.parent.name.startswith(".")])
    assert 1 <= done_before < len(collected["students"]), "kill came too late to test resuming"

    result = course_cli(course, "autograde", CODE, "--workers", "2")
    assert result.returncode == 0, result.stderr
    remaining = len(collected["students"]) - done_before
    assert f"{remaining} to grade, {done_before} already autograded" in result.stderr
    assert snapshot(course, CODE) == snapshot(collected["serial"], CODE)
    leftovers = [p for p in (course / "autograded").rglob(".*") if p.name not in (".scratch", ".logs")
                 and not p.name.endswith(".lock")]
    assert not leftovers and not any((course / "autograded" / ".scratch" / CODE).glob("*"))


def test_one_pool_for_several_assignments_equals_serial_nbgrader(the_class, tmp_path):
    """`course autograde --all` over a widget lesson and the code lesson (the rosters' typed
    solutions and mistakes) gives serial nbgrader's gradebook for both."""
    lessons = ["01-foundations", "06-community-policing"]
    course = the_class.clone(tmp_path / "collected", lessons)
    for lesson in lessons:
        collect(course, lesson)
    plans = roster("06-community-policing")
    serial = clone_state(course, tmp_path / "serial")
    for lesson in lessons:
        nbgrader(serial, "autograde", lesson)
    parallel = clone_state(course, tmp_path / "parallel")
    result = course_cli(parallel, "autograde", "--all", "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert f"{sum(len(roster(lesson)) for lesson in lessons)} to grade" in result.stderr
    every = lambda c: gradebook_snapshot("sqlite:///" + str(c / "gradebook.db"), "police-negotiation")  # noqa: E731
    expected = every(serial)
    assert every(parallel) == expected
    code_scores = {student: expected["submissions"][("06-community-policing", student)]["score"] for student in plans}
    assert len(set(code_scores.values())) > 1, code_scores  # the class really differs on the code lesson
    both = course_cli(parallel, "autograde", "--all", "01-foundations")
    assert both.returncode == 1 and "not both" in both.stderr
