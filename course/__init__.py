"""Negotiation in police conflict resolution: the package the lesson notebooks import.

Lessons start with `from course import Lesson`; exercises live in `course.exercises`,
scenarios in `course.scenarios`, grading glue in `course.grading`, the instructor's
command line in `course.cli`.
"""
__version__ = "0.1.0"

from .lesson import Lesson  # noqa: E402

__all__ = ["Lesson", "__version__"]
