"""Stable configuration name: nbgrader_config.py files name these as `course.grading.safe_collect.<name>`.
They live in steps.py (in pipeline order); keep this module while a configuration may name it."""
from .steps import LinkRefusingCollect  # noqa: F401
