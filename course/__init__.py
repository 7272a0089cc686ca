"""Negotiation in police conflict resolution: the package the lesson notebooks import.

Lessons start with `from course import Lesson` and build their exercises from
`course.exercises`; the grader and the instructor tools live in `course.grading`
and `course.cli`.
"""
__version__ = "0.1.0"
