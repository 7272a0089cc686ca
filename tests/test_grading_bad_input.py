"""Broken submissions are graded as far as they can be and reported; the batch never stops.

Every student here saved the same honest answers as the roster's "midway" student (7.75 points,
tests/students/02-active-listening.yaml) and then broke something.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from support.classes import roster
from support.pipeline import nbgrader, read_grades

pytestmark = pytest.mark.e2e

A = "02-active-listening"
# The same answers for every case: 7.75 of the lesson's graded points when nothing is broken.
HONEST = "midway"
HONEST_SCORE = roster(A)[HONEST]["expected"]
NB = f"{A}.ipynb"
ANSWERS = f"{A}.answers.json"


def corrupt_notebook(folder: Path):
    (folder / NB).write_text('{"cells": [ this is not json')


def renamed_notebook(folder: Path):
    (folder / NB).rename(folder / f"Copy of {NB}")


def deleted_cells(folder: Path):
    nb = nbformat.read(folder / NB, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") not in ("al-g3", "sec-stairway", "al-g5-cell")]
    nbformat.write(nb, folder / NB)


def reordered_cells(folder: Path):
    nb = nbformat.read(folder / NB, as_version=4)
    nb.cells = nb.cells[:2] + list(reversed(nb.cells[2:]))
    nbformat.write(nb, folder / NB)


def wrong_types(folder: Path):
    data = json.loads((folder / ANSWERS).read_text())
    data["answers"]["al-g2"]["value"] = 5             # not an option letter: 0 of 2
    data["answers"]["al-g5"]["value"] = "a"           # not a list: 0 of 0.75
    data["answers"]["al-g4"] = ["not", "a", "record"]  # malformed record: skipped, 0 of 2
    (folder / ANSWERS).write_text(json.dumps(data))


def unknown_items(folder: Path):
    data = json.loads((folder / ANSWERS).read_text())
    data["answers"]["zz-made-up"] = {"kind": "single", "value": "a", "mode": "graded"}
    (folder / ANSWERS).write_text(json.dumps(data))


def huge_answers(folder: Path):
    data = json.loads((folder / ANSWERS).read_text())
    data["padding"] = "x" * 3_000_000
    (folder / ANSWERS).write_text(json.dumps(data))


def extra_files(folder: Path):
    (folder / "notes.txt").write_text("my notes")
    (folder / "helper.py").write_text("print('hi')")


CASES = {
    # name: (how it breaks, expected score, words the report must contain)
    "corrupt-notebook": (corrupt_notebook, HONEST_SCORE, "not valid JSON"),
    "renamed-notebook": (renamed_notebook, HONEST_SCORE, "notebook was renamed"),
    "deleted-cells": (deleted_cells, HONEST_SCORE, None),
    "reordered-cells": (reordered_cells, HONEST_SCORE, None),
    "wrong-types": (wrong_types, HONEST_SCORE - 2 - 0.75 - 2, "record must be an object"),
    "unknown-items": (unknown_items, HONEST_SCORE, "unknown items ['zz-made-up']"),
    "huge-answers": (huge_answers, 0.0, "far larger than an answers file"),
    "extra-files": (extra_files, HONEST_SCORE, "helper.py: unexpected file"),
}


@pytest.fixture(scope="module")
def graded(the_class, tmp_path_factory):
    course = the_class.clone(tmp_path_factory.mktemp("badinput") / "course", [A], students=[])
    for name, (breaker, _, _) in CASES.items():
        the_class.submit_copy(course, A, HONEST, name, edit=breaker)
    nbgrader(course, "collect", A)
    log = nbgrader(course, "autograde", A, check=False)
    return course, read_grades(course), log


@pytest.mark.parametrize("name", list(CASES))
def test_graded_as_far_as_possible(graded, name):
    _, grades, log = graded
    assert (name, A) in grades, f"{name} was not graded:\n{log.stderr[-3000:]}"
    assert float(grades[(name, A)]["raw_score"]) == pytest.approx(CASES[name][1])


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[2]])
def test_problem_is_reported_in_the_grading_report(graded, name):
    course, _, _ = graded
    report = json.loads((course / "autograded" / name / A / f"{A}.grading.json").read_text())
    assert any(CASES[name][2] in problem for problem in report["problems"]), report["problems"]


def test_the_batch_completed_without_errors(graded):
    _, _, log = graded
    assert log.returncode == 0, log.stderr[-3000:]
