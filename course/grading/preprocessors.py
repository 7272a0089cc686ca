"""Stable configuration name: nbgrader_config.py files name these as `course.grading.preprocessors.<name>`.
They live in steps.py (in pipeline order); keep this module while a configuration may name it."""
from .steps import (  # noqa: F401
    ConfirmWrittenSuggestions, RefuseAnswerFiles, ScoreRecordedAnswers, SnapshotRecordedAnswers, StripRuntimeMetadata,
    assignment_answer_files,
)
