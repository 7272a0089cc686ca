"""The Active Listening lesson end to end through the real nbgrader pipeline.

Students answer through the widgets in a real kernel (course.simulation.kernel clicks them;
the class of tests/support/classes.py has generated, released, fetched, answered and submitted),
then collect, autograde, generate_feedback and export run as real nbgrader commands. Each
student's exact score is asserted.
"""
from __future__ import annotations

import json

import pytest

from support.classes import roster
from support.pipeline import nbgrader, read_grades

pytestmark = pytest.mark.e2e

A = "02-active-listening"
# midway: 6 of 8 lines of al-g1, al-g2 right, al-g3 wrong, al-g4 right, al-g5 partly; al-p1 practice
MIDWAY = roster(A)["midway"]["answers"]
AUTOGRADED_MAX = 15.0
MANUAL_MAX = 4.0


def corrupt_answers(folder) -> None:
    (folder / f"{A}.answers.json").write_text('{"format": 1, "answers": {"al-g2": ', encoding="utf-8")


@pytest.fixture(scope="module")
def graded_class(the_class, tmp_path_factory):
    # (perfect and partial students of every lesson are in test_e2e_lessons.py)
    course = the_class.clone(tmp_path_factory.mktemp("e2e") / "course", [A], ["midway", "blank"])
    the_class.submit_copy(course, A, "perfect", "corrupt", edit=corrupt_answers)
    nbgrader(course, "collect", A)
    autograde = nbgrader(course, "autograde", A)
    nbgrader(course, "generate_feedback", A)
    return {"course": course, "grades": read_grades(course), "autograde_log": autograde.stderr,
            "home": the_class.home("midway", A)}


@pytest.mark.parametrize("student, expected", [("midway", 7.75), ("blank", 0.0), ("corrupt", 0.0)])
def test_each_student_scores_exactly_what_they_chose(graded_class, student, expected):
    row = graded_class["grades"][(student, A)]
    assert float(row["raw_score"]) == pytest.approx(expected)
    assert float(row["max_score"]) == AUTOGRADED_MAX + MANUAL_MAX


def test_answers_file_travels_with_the_submission(graded_class):
    course, home = graded_class["course"], graded_class["home"]
    submitted = json.loads((home / f"{A}.answers.json").read_text())
    autograded = json.loads((course / "autograded" / "midway" / A / f"{A}.answers.json").read_text())
    assert autograded == submitted
    assert autograded["answers"]["al-g3"]["value"] == "a"
    # An honest submission (the lesson as fetched: notebook, item definitions, answers) has no problem to report.
    report = json.loads((course / "autograded" / "midway" / A / f"{A}.grading.json").read_text())
    assert report["problems"] == [], report["problems"]
    assert "Notes from the grader" not in (course / "feedback" / "midway" / A / f"{A}.html").read_text()


def test_feedback_names_every_item_with_choice_and_reason(graded_class):
    html = (graded_class["course"] / "feedback" / "midway" / A / f"{A}.html").read_text()
    for item in ["al-g1", "al-g2", "al-g3", "al-g4", "al-g5"]:
        assert f"{item}:" in html
    assert "You chose (a). Not the best choice." in html           # al-g3, what they chose and that it was wrong
    # ... with the question and the chosen option's words, as the lesson showed them (no widget on the page)
    import html as html_lib

    from support import REPO
    from course.items import load_definitions
    al_g3 = load_definitions(REPO / "source" / A / f"{A}.items.json")["al-g3"]
    text = html_lib.unescape(html)
    assert "Question: Sam: 'What's the point of talking?" in text
    assert f"Your answer (a): {al_g3['options']['a']}" in text
    assert "The best choice was (c)" in html                        # ... and what was right
    assert "6 of 8 lines labelled correctly." in html               # al-g1 partial credit
    assert "0.75 of 3 points" in html


def test_corrupt_answers_file_is_reported_not_crashing(graded_class):
    html = (graded_class["course"] / "feedback" / "corrupt" / A / f"{A}.html").read_text()
    assert "not valid JSON" in html
    report = json.loads((graded_class["course"] / "autograded" / "corrupt" / A / f"{A}.grading.json").read_text())
    assert report["problems"] and all(item["points"] == 0 for item in report["items"])
    assert "not valid JSON" in graded_class["autograde_log"]


def test_student_who_answered_nothing_gets_clear_feedback(graded_class):
    html = (graded_class["course"] / "feedback" / "blank" / A / f"{A}.html").read_text()
    assert "No answer was saved for this item" in html


def test_feedback_reveals_no_more_of_the_key_than_the_policy_says(graded_class):
    """Policy: after grading, a single-choice item shows the student's option and the best one,
    with their explanations; the explanations of the other options stay in the key."""
    from support import REPO
    from course.grading.score.keys import load_keys

    keys = load_keys(REPO / "keys" / f"{A}.yaml")
    html = (graded_class["course"] / "feedback" / "midway" / A / f"{A}.html").read_text()
    import html as html_lib

    text = html_lib.unescape(html)
    for item_id, key in keys.items():
        if key.kind != "single":
            continue
        shown = {MIDWAY[item_id], key.answer}
        for option, reason in key.why.items():
            if option in shown:
                assert reason in text, f"{item_id}: explanation of ({option}) missing from feedback"
            else:
                assert reason not in text, f"{item_id}: explanation of unchosen ({option}) leaked into feedback"
