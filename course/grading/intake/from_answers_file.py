"""Answers from the submitted `<notebook>.answers.json`, the file the student owns.

Read before any of the student's code runs, so nothing in the notebook can change what is
scored. On a course without a recorder this is what is graded; with one (from_recorder.py) it is
only compared with the record.
"""
from __future__ import annotations

from pathlib import Path

from ...recording import AnswersFileError, answers_path, read_answers_file
from ..state import AnswersSnapshot


def read_answers_snapshot(folder: Path, notebook_id: str, problems: list[str]) -> AnswersSnapshot:
    """The answers file next to the notebook; `problems` (already noticed) come first."""
    path = answers_path(folder, notebook_id)
    snapshot = AnswersSnapshot(path=str(path), problems=list(problems))
    try:
        parsed = read_answers_file(path)
        snapshot.answers = parsed.answers
        snapshot.problems += parsed.problems
        if not path.exists():
            snapshot.problems.append(f"{path.name}: no answers file in the submission (nothing was saved)")
    except AnswersFileError as exc:
        snapshot.problems.append(f"{exc}; every item graded as unanswered")
    return snapshot
