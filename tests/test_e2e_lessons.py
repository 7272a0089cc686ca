"""Every lesson through the real nbgrader pipeline with simulated students.

tests/students/<assignment>.yaml names each student's widget answers, the code they type
into solution cells (`code: {cell id: source}`), and the exact autograded score they
must get. The class (tests/support/classes.py) has generated and released every lesson,
and each student has fetched it, answered (clicks in a real kernel) and submitted; here a
clone of it is collected, autograded, given feedback and exported, all with nbgrader.
"""
from __future__ import annotations

import pytest

from support.classes import roster, rostered_lessons
from support.pipeline import nbgrader, read_grades

pytestmark = pytest.mark.e2e

PLANS = {lesson: roster(lesson) for lesson in rostered_lessons()}
CASES = [(a, s) for a, students in PLANS.items() for s in students]


@pytest.fixture(scope="module")
def pipeline(the_class, tmp_path_factory):
    course = the_class.clone(tmp_path_factory.mktemp("lessons") / "course", PLANS)
    for assignment in PLANS:
        nbgrader(course, "collect", assignment)
        nbgrader(course, "autograde", assignment)
        nbgrader(course, "generate_feedback", assignment)
    return course, read_grades(course)


@pytest.mark.parametrize("assignment, student", CASES)
def test_autograder_scores_exactly_what_was_clicked(pipeline, assignment, student):
    _, grades = pipeline
    expected = PLANS[assignment][student]["expected"]
    assert float(grades[(student, assignment)]["raw_score"]) == pytest.approx(expected)


@pytest.mark.parametrize("assignment, student", CASES)
def test_feedback_lists_every_graded_item(pipeline, assignment, student):
    import json

    course, _ = pipeline
    report = json.loads((course / "autograded" / student / assignment / f"{assignment}.grading.json").read_text())
    html = (course / "feedback" / student / assignment / f"{assignment}.html").read_text()
    assert report["items"], "no graded items were scored"
    for item in report["items"]:
        assert f"{item['item']}:" in html
