"""A course whose keys and graded scenarios live outside its root (issue 29).

`c.CoursePreprocessor.keys_dir` and `scenarios_dir` name folders elsewhere (an instructor who keeps
answer keys out of the course folder students' files pass through). Both graders (`course
autograde` with workers, plain `nbgrader autograde`) and the audit must read them from the
configuration: the perfect student scores full marks on the scenario item, and nothing falls
back to the package checkout's keys. The course is outside /tmp.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from support.pipeline import course_cli, nbgrader, read_grades

pytestmark = pytest.mark.e2e

A = "03-assessment-and-control"
OUTSIDE_TMP = Path(os.environ.get("COURSE_ATTACK_DIR", "/var/tmp"))


@pytest.fixture(scope="module")
def moved(the_class):
    base = OUTSIDE_TMP / f"course-keys-outside-{uuid.uuid4().hex[:8]}"
    course = the_class.clone(base / "course", [A], students=[])
    the_class.submit_copy(course, A, "perfect", "keeper")
    nbgrader(course, "collect", A)
    instructor = base / "instructor-only"
    instructor.mkdir()
    for folder in ("keys", "scenarios"):
        shutil.move(str(course / folder), str(instructor / folder))
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.CoursePreprocessor.keys_dir = {str(instructor / 'keys')!r}\n"
                     f"c.CoursePreprocessor.scenarios_dir = {str(instructor / 'scenarios')!r}\n")
    yield course, instructor
    shutil.rmtree(base, ignore_errors=True)


def expected_points(course: Path, instructor: Path) -> float:
    """What the course's scorers give the submitted answers, item by item (the perfect student's
    scenario item earns all its points: the keys and scenario were found)."""
    import json

    import nbformat

    from course.grading.intake.trusted import read_keys
    from course.grading.score.item import score_item

    keys = read_keys(instructor / "keys", A, instructor / "scenarios")
    answers = json.loads((course / "submitted" / "keeper" / A / f"{A}.answers.json").read_text())["answers"]
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    points = {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"]) for c in source.cells
              if c.metadata.get("nbgrader", {}).get("grade_id") in keys}
    fractions = {item: score_item(key, answers.get(item)).fraction for item, key in keys.items()}
    assert fractions["ac-g4"] == 1.0
    return sum(points[item] * fraction for item, fraction in fractions.items())


@pytest.mark.parametrize("grader", ["course", "nbgrader"])
def test_both_graders_read_keys_and_scenarios_from_the_configuration(moved, grader):
    course, instructor = moved
    if grader == "course":
        result = course_cli(course, "autograde", A, "--force")
        assert result.returncode == 0, result.stderr
    else:
        nbgrader(course, "autograde", A, "--force")
    assert float(read_grades(course)[("keeper", A)]["raw_score"]) == pytest.approx(expected_points(course, instructor))


def test_the_audit_reads_them_from_the_configuration(moved):
    course, _ = moved
    result = course_cli(course, "audit", "mental-health-crisis", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
