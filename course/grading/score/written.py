"""Score a written reply with the listening recogniser: a SUGGESTED partial credit, explained.

Key entry: `{kind: written, statement: "...", expected_skills: [emotional_labeling, open_question],
context: domestic_dispute}`. `context` (or `setting`) is optional: where the statement was said
(a setting such as mental_health_crisis, domestic_dispute, welfare_check, or a word such as
"crisis" or "domestic"); it decides whether a direct safety question ("Are you thinking about
killing yourself?", "Has he ever put his hands on your neck?") is credited. Without it the
statement itself is read for risk cues.

The recogniser is a machine: its score is a suggestion for the instructor to confirm or change
in formgrader, never a final grade. `suggest_written(key, value)` returns what the nbgrader side
needs (the suggested fraction, the explanation lines, and the labels recognised), and
`score_written(key, value)` wraps it in an ItemResult as every scorer does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...items.types import ItemKey, ItemResult
from ...listening import recognise, suggestion
from ...listening.labels import TITLES
from ...listening.scoring import score_recognition

SUGGESTION_NOTE = ("This is a SUGGESTED score from an automatic checker, not a final grade: "
                   "your instructor reviews every written reply and confirms or changes it.")


@dataclass(frozen=True)
class WrittenSuggestion:
    """What the machine suggests for one written reply; the instructor decides."""
    item_id: str
    fraction: float                                  # suggested credit in [0, 1]
    lines: list[str] = field(default_factory=list)   # explanation, one point a line
    skills: tuple[str, ...] = ()                     # skill ids recognised
    roadblocks: tuple[str, ...] = ()                 # roadblock ids recognised
    needs_manual_grade: bool = True                  # always: a person confirms it


def _context(key: ItemKey) -> str | None:
    value = key.extra.get("context") or key.extra.get("setting")
    return str(value) if value else None


def _names(labels) -> str:
    return ", ".join(TITLES[label].lower() for label in labels) or "none"


def suggest_written(key: ItemKey, value: Any) -> WrittenSuggestion:
    """The suggested fraction and the explanation lines for a written reply (for formgrader)."""
    if not isinstance(value, str) or not value.strip():
        return WrittenSuggestion(key.item_id, 0.0, [
            "The saved reply is empty or not text; suggested score 0.", SUGGESTION_NOTE])
    statement = str(key.extra.get("statement", ""))
    expected = set(key.extra.get("expected_skills") or []) or None
    found = recognise(statement, value, _context(key))
    fraction = score_recognition(found, expected)
    skills = tuple(f.label for f in found.findings if f.kind == "skill")
    roadblocks = tuple(f.label for f in found.findings if f.kind == "roadblock")
    lines = [f"Your reply: \"{value[:300]}\""]
    lines.append(f"Suggested score: {fraction:.2f} of 1. Recognised skills: {_names(skills)}; "
                 f"roadblocks: {_names(roadblocks)}.")
    lines += [f"{'Skill' if f.kind == 'skill' else 'Roadblock'}: {f.label.replace('_', ' ')} (\"{f.evidence}\"). "
              f"{f.explanation}" for f in found.findings] or ["No listening skill was recognised."]
    if found.hostile:
        lines.append("A hostile, sarcastic or blaming question counts against the reply, even after a "
                     "listening phrase.")
    if expected:
        lines.append("This item asked for: " + ", ".join(sorted(s.replace("_", " ") for s in expected)) + ".")
        if "safety_question" in skills and found.safety_context and "safety_question" not in expected:
            lines.append("A direct safety question is good practice here; it was credited in place of one "
                         "of the skills asked for.")
    lines.append(f"Suggestion: {suggestion(found)}")
    lines.append(SUGGESTION_NOTE)
    return WrittenSuggestion(key.item_id, fraction, lines, skills, roadblocks)


def score_written(key: ItemKey, value: Any) -> ItemResult:
    """The grader's entry point (signature unchanged): the suggestion as an ItemResult."""
    s = suggest_written(key, value)
    return ItemResult(key.item_id, s.fraction, list(s.lines))
