"""The grader's side of the recorder: a student's graded answers as the record has them.

- An item's graded value is its last recorded save (a student may change an answer until they
  submit, as with the answers file).
- A scenario's graded attempt is its FIRST attempt as the recorder saw it: the first recorded
  save fixes attempt 1's opening moves; a later save counts only where it continues those moves.
  A save whose attempt 1 starts differently (the answers file rewound to replay the scenario)
  is ignored and reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .store import Record


@dataclass
class Replayed:
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def first_attempt(value: Any) -> dict | None:
    """Attempt 1 of a saved scenario value, or None when the value holds no attempt."""
    attempts = value.get("attempts") if isinstance(value, dict) else None
    if isinstance(attempts, list) and attempts and isinstance(attempts[0], dict) \
            and isinstance(attempts[0].get("choices", []), list):
        return attempts[0]
    return None


def graded_answers(records: list[Record]) -> Replayed:
    out = Replayed()
    scenario_attempt: dict[str, dict] = {}
    for record in records:
        if record.mode != "graded":
            continue
        if record.kind != "scenario":
            out.answers[record.item] = {"kind": record.kind, "value": record.value, "mode": "graded",
                                        "saved_at": record.recorded_at, "source": "recorder"}
            continue
        attempt = first_attempt(record.value)
        if attempt is None:
            out.notes.append(f"{record.item}: a recorded save at {record.recorded_at} was not a scenario "
                             f"attempt; ignored")
            continue
        kept = scenario_attempt.get(record.item)
        if kept is not None:
            before, now = kept.get("choices", []), attempt.get("choices", [])
            if now[:len(before)] != before:
                out.notes.append(f"{record.item}: the save at {record.recorded_at} replays the graded attempt "
                                 f"from a different start (the answers file was rewound); the first attempt "
                                 f"the course server recorded is graded")
                continue
        scenario_attempt[record.item] = attempt
        out.answers[record.item] = {"kind": "scenario", "value": {"attempts": [attempt]}, "mode": "graded",
                                    "saved_at": record.recorded_at, "source": "recorder"}
    return out
