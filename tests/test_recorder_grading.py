"""A graded scenario is graded as the course recorder saw it first, whatever the student's file says.

The attack: play the graded scenario badly, cut attempt 1 out of the answers file, replay it well
and submit. Without a recorder the well-played file is graded (as the README says, homework
trust). With one (`c.SnapshotRecordedAnswers.recorder_db_url`), both graders, `course autograde`
and plain `nbgrader autograde`, grade the attempt the recorder saw first and the feedback says
the file was rewound. The course is outside /tmp.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from support.pipeline import course_cli, nbgrader, read_grades

pytestmark = pytest.mark.e2e

A = "03-assessment-and-control"
SCENARIO_ITEM = "ac-g4"
OUTSIDE_TMP = Path(os.environ.get("COURSE_ATTACK_DIR", "/var/tmp"))
# The opening of a poor first attempt (the roster's 'partial'), stopped after two decisions.
POOR_START = ["ask_sister", "plan_roles"]


def item_points(course: Path, attempt: dict) -> float:
    """What the course's own scorer gives `attempt` as the graded attempt of the scenario item."""
    import nbformat

    from course.grading.intake.trusted import read_keys
    from course.grading.score.item import score_item

    key = read_keys(course / "keys", A)[SCENARIO_ITEM]
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    points = next(float(c.metadata["nbgrader"]["points"]) for c in source.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id") == SCENARIO_ITEM)
    fraction = score_item(key, {"kind": "scenario", "value": {"attempts": [attempt]}, "mode": "graded"}).fraction
    return round(fraction * points, 2)


def record_class(course: Path, student: str, answers: dict, db: Path) -> None:
    """What the recorder holds for `student`: the file's graded answers, except the scenario,
    whose first recorded attempt began with POOR_START before the file was rewound."""
    from course.recorder.store import RecordStore

    store = RecordStore(f"sqlite:///{db}")
    for item, record in answers.items():
        if record.get("mode") == "graded" and item != SCENARIO_ITEM:
            store.append(student, A, item, record["kind"], "graded", record["value"])
    for moves in (1, 2):
        store.append(student, A, SCENARIO_ITEM, "scenario", "graded",
                     {"attempts": [{"choices": POOR_START[:moves], "complete": False}]})
    store.append(student, A, SCENARIO_ITEM, "scenario", "graded", answers[SCENARIO_ITEM]["value"])


@pytest.fixture(scope="module")
def rewound(the_class):
    base = OUTSIDE_TMP / f"course-recorder-{uuid.uuid4().hex[:8]}"
    course = the_class.clone(base / "course", [A], students=[])
    the_class.submit_copy(course, A, "perfect", "rewinder")
    nbgrader(course, "collect", A)
    answers = json.loads((course / "submitted" / "rewinder" / A / f"{A}.answers.json").read_text())["answers"]
    yield course, answers, base
    shutil.rmtree(base, ignore_errors=True)


def graded_points(course: Path) -> float:
    return float(read_grades(course)[("rewinder", A)]["raw_score"])


def grading_problems(course: Path) -> list[str]:
    report = course / "autograded" / "rewinder" / A / f"{A}.grading.json"
    return json.loads(report.read_text())["problems"]


def test_without_a_recorder_the_rewound_file_is_graded(rewound):
    course, answers, _ = rewound
    result = course_cli(course, "autograde", A)
    assert result.returncode == 0, result.stderr
    assert graded_points(course) == pytest.approx(17)   # the well-played replay: accepted


@pytest.mark.parametrize("grader", ["course", "nbgrader"])
def test_with_a_recorder_the_first_recorded_attempt_is_graded(rewound, grader):
    course, answers, base = rewound
    db = base / f"records-{grader}.db"
    record_class(course, "rewinder", answers, db)
    config = course / "nbgrader_config.py"
    text = config.read_text().split("\n# test: recorder\n")[0]
    config.write_text(text + f"\n# test: recorder\nc.SnapshotRecordedAnswers.recorder_db_url = 'sqlite:///{db}'\n")
    if grader == "course":
        result = course_cli(course, "autograde", A, "--force")
        assert result.returncode == 0, result.stderr
    else:
        nbgrader(course, "autograde", A, "--force")
    poor = item_points(course, {"choices": POOR_START, "complete": False})
    well = item_points(course, answers[SCENARIO_ITEM]["value"]["attempts"][0])
    assert poor < well
    assert graded_points(course) == pytest.approx(17 - well + poor)
    assert any("not the attempt the course server recorded first" in p for p in grading_problems(course))
