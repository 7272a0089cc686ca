"""The one base of the errors a course's user (an instructor, an author) can act on.

Each says which file, line, item or assignment is wrong and why; `course` commands print its
message without a traceback. Subclasses keep their own builtin base (ValueError for a bad file),
so code that caught them before still does. Imports nothing of the course, so any module can
raise one.
"""
from __future__ import annotations


class CourseError(RuntimeError):
    """An instructor command cannot go on; the message says which file or assignment and why."""
