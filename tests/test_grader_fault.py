"""A fault in the grader never looks like a wrong answer.

The course's own nbgrader_config.py swaps in a single-choice scorer that raises (as a refactor
that broke it would), so it runs inside the real graders. Every student's single-choice items
are then marked for manual grading in the gradebook, the feedback says the grader failed (not the
answer), the error is logged, and `course autograde` ends non-zero naming each item; plain
`nbgrader autograde` finishes (it cannot tell) but leaves the same marks. A student's malformed
value is still just 0 with a reason (tests/test_grading_bad_input.py). Outside /tmp.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from support.pipeline import course_cli, nbgrader

pytestmark = pytest.mark.e2e

A = "02-active-listening"
OUTSIDE_TMP = Path(os.environ.get("COURSE_ATTACK_DIR", "/var/tmp"))
BROKEN_SCORER = '''
# test: a broken scorer, as a bad refactor would leave it
import course.grading.score.item as _score
def _broken_single(key, value):
    raise RuntimeError("single-choice scorer broken by a refactor")
_score.score_single = _broken_single
'''


@pytest.fixture
def broken_course(the_class):
    base = OUTSIDE_TMP / f"course-fault-{uuid.uuid4().hex[:8]}"
    course = the_class.clone(base / "course", [A])
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(BROKEN_SCORER)
    nbgrader(course, "collect", A)
    yield course
    shutil.rmtree(base, ignore_errors=True)


def single_items(course: Path) -> set[str]:
    import yaml

    items = yaml.safe_load((course / "keys" / f"{A}.yaml").read_text())["items"]
    return {item for item, key in items.items() if key.get("kind") == "single"}


def manual_marks(course: Path) -> dict[str, set[str]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: {g.name for g in s.notebooks[0].grades if g.needs_manual_grade}
                for s in gb.assignment_submissions(A)}


def check_marked(course: Path) -> None:
    singles = single_items(course)
    marks = manual_marks(course)
    assert marks, "nothing was graded"
    faulted = 0
    for student, marked in marks.items():
        report = json.loads((course / "autograded" / student / A / f"{A}.grading.json").read_text())
        # Every answered single-choice item met the broken scorer (an unanswered one never reaches it).
        errors = {i["item"] for i in report["items"] if i.get("grader_error")}
        answered_singles = {i["item"] for i in report["items"] if i["item"] in singles and i["answered"]}
        assert errors == answered_singles, student
        assert errors <= marked, f"{student}: {errors - marked} not sent to manual grading"
        if errors:
            faulted += 1
            notebook = (course / "autograded" / student / A / f"{A}.ipynb").read_text()
            assert "a fault in the grader, not in your answer" in notebook
    assert faulted >= 2


@pytest.mark.parametrize("grader", ["course", "nbgrader"])
def test_a_scorer_that_raises_sends_its_items_to_manual_grading(broken_course, grader):
    if grader == "course":
        result = course_cli(broken_course, "autograde", A)
        assert result.returncode != 0, "course autograde reported success over a broken scorer"
        assert "the grader failed on" in result.stderr
        assert "item al-g2: single scorer raised RuntimeError" in result.stderr
    else:
        result = nbgrader(broken_course, "autograde", A)
        assert "GRADER ERROR" in result.stderr
    check_marked(broken_course)


def test_a_missing_rubric_is_a_grader_fault_not_a_wrong_scenario(tmp_path):
    """The scenario scorer's own loading failures (a rubric deleted, a scenario file broken)
    are the instructor's side: a grader fault, never 0 points passed off as the student's."""
    from course.grading.score.item import GRADER_FAULT_LINE, score_item
    from course.grading.score.keys import ItemKey

    key = ItemKey(item_id="ac-g4", kind="scenario", answer=None, why={}, section="",
                  extra={"scenario": "mental-health-crisis", "keys_dir": str(tmp_path / "keys")})
    result = score_item(key, {"kind": "scenario", "mode": "graded",
                              "value": {"attempts": [{"choices": ["ask_sister"], "complete": False}]}})
    assert result.grader_error and "could not be loaded" in result.grader_error
    assert result.lines == [GRADER_FAULT_LINE]
