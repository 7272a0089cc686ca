"""The demo exercises manual grading: simulated students write reflections (the markdown answer
cells nbgrader leaves to the instructor) and the demo's instructor grades them through
nbgrader's Python API, so the exported totals include them. No kernels: the gradebook and the
autograded notebook are made by hand here."""
from __future__ import annotations

import random
from pathlib import Path

import nbformat

from support import copy_course
from course.simulation.classroom import (
    REFLECTION_CREDIT, REFLECTIONS, grade_reflections, make_class, plan_reflections, reflection_credit,
)
from course.cli.demo import summarize

REPO = Path(__file__).resolve().parents[1]
LESSON = "02-active-listening"


def reflection_cells(lesson: str) -> set[str]:
    nb = nbformat.read(REPO / "release" / lesson / f"{lesson}.ipynb", as_version=4)
    return {c.id for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")}


def test_students_write_reflections_of_their_skill():
    cells = reflection_cells(LESSON)
    assert cells, "the lesson has no reflection cell"
    strong = plan_reflections(REPO / "release" / LESSON, 1.0, random.Random(0))
    assert set(strong[f"{LESSON}.ipynb"]) == cells
    assert all(text in REFLECTIONS["good"] for text in strong[f"{LESSON}.ipynb"].values())
    rng = random.Random(1)
    weak = [plan_reflections(REPO / "release" / LESSON, 0.0, rng).get(f"{LESSON}.ipynb", {}) for _ in range(60)]
    written = [text for plan in weak for text in plan.values()]
    assert any(not plan for plan in weak)                                  # some leave it blank
    assert written and not any(text in REFLECTIONS["good"] for text in written)
    assert {reflection_credit(text) for text in written} == {REFLECTION_CREDIT["middling"], REFLECTION_CREDIT["poor"]}


def test_make_class_types_the_reflections_with_the_code():
    plans, _ = make_class(REPO / "keys", [LESSON, "06-community-policing"], 6, seed=3)
    typed = [cell for student in plans.values() for plan in student.values() for cells in plan.code.values()
             for cell in cells]
    assert reflection_cells(LESSON) & set(typed)
    assert "cp-reflection" in typed and "cp-scan-code" in typed


def test_the_instructor_grades_reflections_through_the_gradebook(tmp_path):
    """A reflection waiting for manual grading gets a manual score, no longer needs grading, and
    counts in the grades CSV; a blank one (scored 0 by nbgrader) is left alone; a written reply's
    suggested score waiting for confirmation is confirmed as it is."""
    from nbgrader.api import Gradebook

    from course.cli.grades import gradebook_table

    course = copy_course(tmp_path / "course")
    db = f"sqlite:///{course / 'gradebook.db'}"
    texts = {"ann": REFLECTIONS["good"][0], "bo": REFLECTIONS["poor"][0], "cy": "My own words about the call."}
    with Gradebook(db, "police-negotiation") as gb:
        gb.add_assignment(LESSON)
        gb.add_notebook(LESSON, LESSON)
        gb.add_grade_cell("al-reflection", LESSON, LESSON, max_score=4, cell_type="markdown")
        gb.add_solution_cell("al-reflection", LESSON, LESSON)
        gb.add_grade_cell("al-g6", LESSON, LESSON, max_score=3, cell_type="code")   # a written reply's check
        for student in [*texts, "dee"]:
            gb.add_student(student)
            gb.add_submission(LESSON, student)
            grade = gb.find_grade("al-reflection", LESSON, LESSON, student)
            grade.needs_manual_grade = student != "dee"      # dee left it blank: nbgrader scored it 0
            grade.auto_score = 0.0 if student == "dee" else None
            reply = gb.find_grade("al-g6", LESSON, LESSON, student)
            reply.auto_score, reply.needs_manual_grade = 1.5, student == "ann"   # the suggestion, to confirm
        gb.db.commit()
    for student, text in texts.items():
        folder = course / "autograded" / student / LESSON
        folder.mkdir(parents=True)
        cell = nbformat.v4.new_markdown_cell(text, metadata={"nbgrader": {"grade_id": "al-reflection",
                                                                          "grade": True, "solution": True}})
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), folder / f"{LESSON}.ipynb")

    assert grade_reflections(course, [LESSON]) == (3, 1)
    with Gradebook(db, "police-negotiation") as gb:
        grades = {s: gb.find_grade("al-reflection", LESSON, LESSON, s) for s in [*texts, "dee"]}
        assert {s: g.score for s, g in grades.items()} == {"ann": 4.0, "bo": 1.0, "cy": 2.0, "dee": 0.0}
        assert not any(g.needs_manual_grade for g in grades.values())
        reply = gb.find_grade("al-g6", LESSON, LESSON, "ann")
        assert reply.score == 1.5 and not reply.needs_manual_grade
    header, rows = gradebook_table(course, [LESSON])
    by_student = {r[0]: r for r in rows}
    assert by_student["ann"][-1] == "5.5" and by_student["bo"][-1] == "2.5"
    assert by_student["Points Possible"][-1] == "7"
    assert grade_reflections(course, [LESSON]) == (0, 0)             # nothing left to grade


def test_the_summary_says_why_the_report_maximum_is_lower(tmp_path, capsys):
    header = ["student_id", "last_name", "first_name", "email", "a", "b", "total"]
    rows = [["Points Possible", "", "", "", "24", "22", "46"], ["s1", "", "", "", "20", "11", "31"]]
    result = summarize(header, rows, ["a", "b"], 1, {"prepare": 1.0}, tmp_path, {"a": 4.0, "b": 0.0}, 1,
                       tmp_path / "course" / "reports" / "index.html")
    out = capsys.readouterr().out
    assert "of 46 (4 of them for reflections graded by hand)" in out
    assert "a: mean 20.00  min 20  max 20  of 24 (4 hand-graded)" in out
    assert "automatically graded points only: of 42, without the 4 points of the hand-graded reflections" in out
    assert result["hand_grades"] == 1


def test_kernel_messages_go_to_the_log_not_the_terminal(tmp_path):
    """What a child process (a kernel) writes to standard error lands in the demo's kernels.log."""
    import subprocess
    import sys

    from course.simulation.classroom import _stderr_to

    log = tmp_path / "kernels.log"
    with _stderr_to(str(log)):
        subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('[IPKernelApp] WARNING | noise\\n')"],
                       check=True)
    assert "noise" in log.read_text()


def test_quiet_and_verbose_flags_set_the_course_log_level():
    import logging

    from course.cli import main as cli_main

    logger = logging.getLogger("course")
    before = (logger.handlers[:], logger.level, logger.propagate)
    try:
        for flag, level in (["-q", logging.WARNING], [None, logging.INFO], ["-v", logging.DEBUG]):
            args = cli_main.build_parser().parse_args(([flag] if flag else []) + ["status"])
            cli_main.configure_logging(args.verbosity)
            assert logger.level == level
    finally:
        logger.handlers[:], logger.level, logger.propagate = before
