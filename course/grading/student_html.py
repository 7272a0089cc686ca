"""Stable configuration name: nbgrader_config.py files name these as `course.grading.student_html.<name>`.
They live in steps.py (in pipeline order); keep this module while a configuration may name it."""
from .steps import NeutraliseStudentHtml  # noqa: F401
