"""The data every role of an item kind shares: an item's answer key and a scored result.

Key checks, scorers, simulators and the class report all take or give these (the roles'
signatures are the Protocols in kinds.py). Imports nothing of the course, so any role's module,
grader-side or not, can use them without pulling in another's dependencies.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ItemKey:
    """One item's entry in the instructor's keys/<lesson>.yaml (grading/score/keys.py reads it)."""

    item_id: str
    kind: str
    answer: Any = None
    why: dict[str, str] = field(default_factory=dict)
    section: str = ""  # the lesson section the item tests, for feedback and analytics
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ItemResult:
    """What a scorer gives for one saved answer."""

    item_id: str
    fraction: float
    lines: list[str] = field(default_factory=list)  # plain-text feedback, one point a line
    answered: bool = True
    # Set when the grader itself failed on this item (never for a student's malformed answer):
    # the item goes to manual grading and `course autograde` ends with an error naming it.
    grader_error: str | None = None
