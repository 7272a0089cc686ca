"""What one grading step hands to a later step of the same notebook.

nbgrader passes a `resources` dict from step to step; the course's steps keep their entries in it
only through `GradingState`, one attribute per entry, each naming the step that writes it. A step
declares the entries it reads and gives (`reads`, `gives` in steps.py), so the order they need is
checked against nbgrader_config.py by tests/test_pipeline_contract.py, not first found while
grading a class. Imports nothing of the course.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .score.grader_scoring import ScoringPlan


@dataclass
class AnswersSnapshot:
    """The answers to grade, read before any student code runs, and what the grader noticed."""

    path: str = ""
    answers: dict[str, dict] = field(default_factory=dict)   # item id -> record (kind, value, mode, ...)
    problems: list[str] = field(default_factory=list)        # shown to the student as the grader's notes


class _Entry:
    def __init__(self, key: str, writer: str):
        self.key, self.writer = key, writer

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, state, owner=None):
        return self if state is None else state.resources.get(self.key)

    def __set__(self, state, value) -> None:
        state.resources[self.key] = value


class GradingState:
    """The course's entries in nbgrader's `resources` for one notebook, and nbgrader's facts about it."""

    snapshot: AnswersSnapshot | None = _Entry("course_recorded_answers", "SnapshotRecordedAnswers")
    plan: ScoringPlan | None = _Entry("course_scoring_plan", "PlanGraderScoring")
    review_flags: list[str] | None = _Entry("course_review_flags", "FlagInterpreterTampering")
    grader_errors: list[str] | None = _Entry("course_grader_errors", "ScoreRecordedAnswers")

    def __init__(self, resources: dict):
        self.resources = resources

    @classmethod
    def entries(cls) -> dict[str, _Entry]:
        return {name: value for name, value in vars(cls).items() if isinstance(value, _Entry)}

    @classmethod
    def writer(cls, entry: str) -> str:
        return cls.entries()[entry].writer

    def need(self, entry: str, step: object) -> Any:
        """The entry, which `step` cannot work without."""
        value = getattr(self, entry)
        if value is None:
            raise RuntimeError(f"{type(step).__name__} needs {self.writer(entry)} earlier in the autograde "
                               f"preprocessors")
        return value

    def add_grader_error(self, item_id: str) -> None:
        self.resources.setdefault(type(self).grader_errors.key, []).append(item_id)

    @property
    def nbgrader(self) -> dict:
        """nbgrader's own facts: assignment, notebook, student, db_url (empty when not grading)."""
        return self.resources.get("nbgrader", {})

    @property
    def folder(self) -> Path:
        """The folder of the notebook being converted."""
        return Path(self.resources.get("metadata", {}).get("path") or ".")

    @property
    def notebook_id(self) -> str:
        return self.resources.get("unique_key") or self.resources.get("metadata", {}).get("name", "")
