"""What simulated students write where a lesson asks for their own words or code.

Lesson-specific banks are data beside each lesson, `lessons/<lesson>.simulate.yaml`
(replies to its written items, by item id; plausible mistakes for its solution cells, by cell
id), so a new lesson needs no change here. A written item with no bank gets GENERIC_REPLIES.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CourseError

QUALITIES = ("good", "middling", "poor")

# For a written item whose lesson has no bank for it: replies that fit any statement.
GENERIC_REPLIES: dict[str, list[str]] = {
    "good": ["It sounds like you're really upset about this. What happened?",
             "You sound worried. Tell me more about what's going on."],
    "middling": ["What happened?", "You sound upset, but you need to calm down."],
    "poor": ["Calm down and listen to me.", "Don't worry, it will all be fine."],
}


class SimulationDataError(CourseError, ValueError):
    """A lesson's simulation file is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Banks:
    replies: dict[str, dict[str, list[str]]] = field(default_factory=dict)   # item id -> quality -> replies
    wrong_code: dict[str, list[str]] = field(default_factory=dict)           # solution cell id -> mistaken code

    def replies_for(self, item_id: str) -> dict[str, list[str]]:
        return self.replies.get(item_id, GENERIC_REPLIES)


def _read(path: Path) -> Banks:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SimulationDataError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"replies", "wrong_code"}:
        raise SimulationDataError(f"{path}: expected a mapping with 'replies' and/or 'wrong_code'")
    replies = {}
    for item_id, bank in (data.get("replies") or {}).items():
        if not isinstance(bank, dict) or set(bank) != set(QUALITIES) or not all(
                isinstance(bank[q], list) and bank[q] and all(isinstance(r, str) for r in bank[q]) for q in QUALITIES):
            raise SimulationDataError(f"{path}: replies of {item_id!r} need non-empty lists of text under "
                                      f"{', '.join(QUALITIES)}")
        replies[str(item_id)] = {q: list(bank[q]) for q in QUALITIES}
    wrong = {}
    for cell_id, mistakes in (data.get("wrong_code") or {}).items():
        if not isinstance(mistakes, list) or not all(isinstance(m, dict) and isinstance(m.get("code"), str)
                                                     for m in mistakes):
            raise SimulationDataError(f"{path}: wrong_code of {cell_id!r} must be a list of {{why, code}}")
        wrong[str(cell_id)] = [m["code"] for m in mistakes]
    return Banks(replies, wrong)


@functools.lru_cache(maxsize=8)
def course_banks(course_root: str) -> Banks:
    """Every lesson's banks in `course_root/lessons/`, merged (ids are unique across lessons)."""
    replies: dict = {}
    wrong: dict = {}
    for path in sorted(Path(course_root, "lessons").glob("*.simulate.yaml")):
        banks = _read(path)
        replies.update(banks.replies)
        wrong.update(banks.wrong_code)
    return Banks(replies, wrong)
