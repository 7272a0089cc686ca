"""Score a written reply with the listening recogniser: partial credit, explained.

Key entry: `{kind: written, statement: "...", expected_skills: [emotional_labeling, open_question]}`.
The instructor can override the score in formgrader (the cell's manual score replaces it).
"""
from __future__ import annotations

from typing import Any

from ..listening import recognise, score_reply, suggestion
from .keys import ItemKey
from .score import ItemResult


def score_written(key: ItemKey, value: Any) -> ItemResult:
    if not isinstance(value, str) or not value.strip():
        return ItemResult(key.item_id, 0.0, ["The saved reply is empty or not text; scored 0."])
    statement = str(key.extra.get("statement", ""))
    expected = set(key.extra.get("expected_skills") or []) or None
    found = recognise(statement, value)
    fraction = score_reply(statement, value, expected)
    lines = [f"Your reply: \"{value[:300]}\""]
    lines += [f"{'Skill' if f.kind == 'skill' else 'Roadblock'}: {f.label.replace('_', ' ')} (\"{f.evidence}\"). "
              f"{f.explanation}" for f in found.findings] or ["No listening skill was recognised."]
    if expected:
        lines.append("This item asked for: " + ", ".join(sorted(s.replace("_", " ") for s in expected)) + ".")
    lines.append(f"Suggestion: {suggestion(found)}")
    lines.append("This score was given by an automatic checker; your instructor reviews written replies "
                 "and may change it.")
    return ItemResult(key.item_id, fraction, lines)
