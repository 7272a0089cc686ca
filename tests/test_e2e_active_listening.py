"""The Active Listening lesson end to end through the real nbgrader pipeline.

Students answer through the widgets in a real kernel (course.simulation.kernel clicks them),
then generate, release, fetch, submit, collect, autograde, generate_feedback and
export run as real nbgrader commands. Each student's exact score is asserted.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from course.simulation.kernel import answer_notebook
from support.pipeline import fetch, nbgrader, read_grades, submit

pytestmark = pytest.mark.e2e

A = "02-active-listening"
PERFECT = {
    "al-g1": {"O1": "open_question", "O2": "paraphrasing", "O3": "mirroring", "O4": "emotional_labeling",
              "O5": "minimal_encourager", "O6": "roadblock", "O7": "i_message", "O8": "summarizing"},
    "al-g2": "e", "al-g3": "c", "al-g4": "c", "al-g5": ["a", "c", "e", "f"],
}
PARTIAL = {
    # 6 of 8 lines right -> 3 of 4 points
    "al-g1": {**PERFECT["al-g1"], "O2": "summarizing", "O8": "paraphrasing"},
    "al-g2": "e",                # 2 (the label with the plain question about suicide)
    "al-g3": "a",                # 0
    "al-g4": "c",                # 2
    "al-g5": ["a", "c", "d"],    # (2 right - 1 wrong) / 4 * 3 = 0.75
    "al-p1": "a",                # practice items are recorded but never scored
}
AUTOGRADED_MAX = 15.0
MANUAL_MAX = 4.0


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    from support import copy_course

    course = copy_course(tmp_path_factory.mktemp("e2e") / "course")
    exchange = course / "exchange"
    nbgrader(course, "generate_assignment", A, "--force")
    nbgrader(course, "release_assignment", A)

    homes = {}
    # (perfect and partial students of every lesson are in test_e2e_lessons.py)
    for student, answers in [("partial", PARTIAL), ("nothing", {}), ("corrupt", PERFECT)]:
        home = course.parent / "students" / student
        folder = fetch(home, A, exchange)
        answer_notebook(folder / f"{A}.ipynb", answers)
        if student == "corrupt":
            (folder / f"{A}.answers.json").write_text('{"format": 1, "answers": {"al-g2": ', encoding="utf-8")
        submit(home, A, student, exchange)
        homes[student] = folder

    nbgrader(course, "collect", A)
    autograde = nbgrader(course, "autograde", A)
    nbgrader(course, "generate_feedback", A)
    return {"course": course, "homes": homes, "grades": read_grades(course), "autograde_log": autograde.stderr}


@pytest.mark.parametrize("student, expected", [("partial", 7.75), ("nothing", 0.0), ("corrupt", 0.0)])
def test_each_student_scores_exactly_what_they_chose(graded_class, student, expected):
    row = graded_class["grades"][(student, A)]
    assert float(row["raw_score"]) == pytest.approx(expected)
    assert float(row["max_score"]) == AUTOGRADED_MAX + MANUAL_MAX


def test_answers_file_travels_with_the_submission(graded_class):
    course, home = graded_class["course"], graded_class["homes"]["partial"]
    submitted = json.loads((home / f"{A}.answers.json").read_text())
    autograded = json.loads((course / "autograded" / "partial" / A / f"{A}.answers.json").read_text())
    assert autograded == submitted
    assert autograded["answers"]["al-g3"]["value"] == "a"
    # An honest submission (the lesson as fetched: notebook, item definitions, answers) has no problem to report.
    report = json.loads((course / "autograded" / "partial" / A / f"{A}.grading.json").read_text())
    assert report["problems"] == [], report["problems"]
    assert "Notes from the grader" not in (course / "feedback" / "partial" / A / f"{A}.html").read_text()


def test_feedback_names_every_item_with_choice_and_reason(graded_class):
    html = (graded_class["course"] / "feedback" / "partial" / A / f"{A}.html").read_text()
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
    html = (graded_class["course"] / "feedback" / "nothing" / A / f"{A}.html").read_text()
    assert "No answer was saved for this item" in html


def test_feedback_reveals_no_more_of_the_key_than_the_policy_says(graded_class):
    """Policy: after grading, a single-choice item shows the student's option and the best one,
    with their explanations; the explanations of the other options stay in the key."""
    from support import REPO
    from course.grading.keys import load_keys

    keys = load_keys(REPO / "keys" / f"{A}.yaml")
    html = (graded_class["course"] / "feedback" / "partial" / A / f"{A}.html").read_text()
    import html as html_lib

    text = html_lib.unescape(html)
    for item_id, key in keys.items():
        if key.kind != "single":
            continue
        shown = {PARTIAL[item_id], key.answer}
        for option, reason in key.why.items():
            if option in shown:
                assert reason in text, f"{item_id}: explanation of ({option}) missing from feedback"
            else:
                assert reason not in text, f"{item_id}: explanation of unchosen ({option}) leaked into feedback"
