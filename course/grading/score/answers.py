"""Score each keyed graded cell from the answers snapshot (intake/), never from the kernel's output.

Only what the item defines is scored: a saved value is first held against the lesson's item
definition (course/items/answer_check.py), and what is dropped is reported. A note from the
grader (the snapshot's problems so far) is added to every item's feedback.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...items.answer_check import checked_value
from ...items.types import ItemKey, ItemResult
from ..state import AnswersSnapshot
from .item import score_item


@dataclass
class ScoredCell:
    cell: Any
    key: ItemKey
    result: ItemResult
    points: float
    value: Any

    @property
    def earned(self) -> float:
        return round(self.result.fraction * self.points, 4)

    def row(self) -> dict:
        """The item's line in the grading file (feedback/grading_file.py)."""
        return {"item": self.key.item_id, "kind": self.key.kind, "fraction": self.result.fraction,
                "grader_error": self.result.grader_error,
                "points": self.earned, "max_points": self.points,
                "answered": self.result.answered, "section": self.key.section, "value": self.value}


def score_answers(nb, snapshot: AnswersSnapshot, keys: dict[str, ItemKey], definitions: dict[str, dict], *,
                  assignment: str, student: str | None, log) -> list[ScoredCell]:
    scored: list[ScoredCell] = []
    seen = set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        item_id = meta.get("grade_id")
        if cell.cell_type != "code" or not meta.get("grade") or item_id not in keys:
            continue
        seen.add(item_id)
        record = snapshot.answers.get(item_id)
        if isinstance(record, dict) and "value" in record:  # only what the item defines is scored or kept
            value, dropped = checked_value(keys[item_id].kind, record["value"], definitions.get(item_id),
                                           keys[item_id])
            record = {**record, "value": value}
            if dropped:
                snapshot.problems.append(f"item {item_id}: {dropped}")
                log.warning("%s: item %s: %s", assignment, item_id, dropped)
        result = score_item(keys[item_id], record)
        if snapshot.problems:
            result.lines.append("Note from the grader: " + "; ".join(snapshot.problems))
        if result.grader_error:
            log.error("%s/%s item %s: GRADER ERROR, marked for manual grading: %s", student, assignment, item_id,
                      result.grader_error)
        scored.append(ScoredCell(cell, keys[item_id], result, float(meta.get("points", 0)),
                                 (record or {}).get("value")))
    unknown = sorted(item for item, record in snapshot.answers.items()
                     if item not in keys and record.get("mode") != "practice")
    if unknown:  # ids the student's file holds: named, but never more than a few
        shown = ", ".join(repr(item)[:80] for item in unknown[:10])
        more = f", and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        snapshot.problems.append(f"answers for unknown items [{shown}{more}] were ignored")
    for missing in sorted(set(keys) - seen):
        log.warning("%s: key item %r has no graded test cell in the notebook", assignment, missing)
    return scored
