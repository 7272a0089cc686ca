"""The compiled metadata check accepts and refuses exactly what nbgrader's own check does."""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from course.grading.intake.metadata_check import CompiledMetadataValidator

SOURCE = Path(__file__).resolve().parents[1] / "source"


def _first_graded(nb):
    return next(cell for cell in nb.cells if "nbgrader" in cell.metadata and cell.metadata.nbgrader.get("grade"))


def _outcome(validator_cls, nb):
    try:
        validator_cls().validate_nb(nb)
    except Exception as exc:  # compare the class and the message
        return type(exc).__name__, str(exc)
    return None


BREAKAGES = {
    "valid": lambda nb: None,
    "points not a number": lambda nb: _first_graded(nb).metadata.nbgrader.__setitem__("points", "ten"),
    "schema too old": lambda nb: _first_graded(nb).metadata.nbgrader.__setitem__("schema_version", 1),
    "schema too new": lambda nb: _first_graded(nb).metadata.nbgrader.__setitem__("schema_version", 9),
    "missing grade flag": lambda nb: _first_graded(nb).metadata.nbgrader.pop("grade"),
    "empty grade id": lambda nb: _first_graded(nb).metadata.nbgrader.__setitem__("grade_id", ""),
    "duplicate grade id": lambda nb: [c.metadata.nbgrader.__setitem__("grade_id", "same")
                                      for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")],
}


@pytest.mark.parametrize("lesson", sorted(p.name for p in SOURCE.iterdir() if p.is_dir()))
@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_same_verdict_as_nbgrader(lesson, breakage):
    nb = nbformat.read(next((SOURCE / lesson).glob("*.ipynb")), as_version=4)
    BREAKAGES[breakage](nb)
    expected = _outcome(MetadataValidator, copy.deepcopy(nb))
    assert _outcome(CompiledMetadataValidator, nb) == expected
    assert (expected is None) == (breakage == "valid")
