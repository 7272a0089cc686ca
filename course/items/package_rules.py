"""What an option package (`kind: package`) earns: the rules shared by the practice widget
(course/exercises/package.py, feedback at once) and the grader (course/grading/score/package.py),
so both count the same way and the student's widget never imports the grader.

The key's `answer` is {"required": [...], "breaks": {option: party}, "reasons": {option: reason id
or ids}}; a value is {"options": [...], "reasons": {option: reason id}}. Points, as a fraction of
2 x len(required): +1 for each required option included, +1 for each included required option
given an accepted reason, -1 for each included option that breaks a party's core interest;
clamped to [0, 1].
"""
from __future__ import annotations

from typing import Any


def key_problem(answer: Any) -> str | None:
    """What is wrong with a package key's `answer`, in words; None when it is sound."""
    if not isinstance(answer, dict):
        return "a package answer is a mapping with 'required', 'breaks' and 'reasons'"
    unknown = sorted(set(answer) - {"required", "breaks", "reasons"})
    if unknown:
        return f"a package answer has only 'required', 'breaks' and 'reasons', not {unknown}"
    required = answer.get("required")
    if not isinstance(required, list) or not required or not all(isinstance(o, str) for o in required):
        return "'required' must be a non-empty list of option ids"
    breaks = answer.get("breaks", {}) or {}
    if not isinstance(breaks, dict) or not all(isinstance(p, str) for p in breaks.values()):
        return "'breaks' must map each option that breaks a core interest to the party it harms"
    both = sorted(set(required) & set(map(str, breaks)))
    if both:
        return f"options {both} are both required and breaking"
    reasons = answer.get("reasons")
    if not isinstance(reasons, dict) or set(map(str, reasons)) != set(required):
        return f"'reasons' must give the accepted reason(s) for exactly the required options {required}"
    for option, accepted in reasons.items():
        accepted = [accepted] if isinstance(accepted, str) else accepted
        if not isinstance(accepted, list) or not accepted or not all(isinstance(r, str) for r in accepted):
            return f"'reasons' for {option!r} must be a reason id or a non-empty list of reason ids"
    return None


def accepted_reasons(answer: dict, option: str) -> list[str]:
    accepted = answer["reasons"][option]
    return [accepted] if isinstance(accepted, str) else list(accepted)


def tally(answer: dict, value: dict) -> dict[str, Any]:
    """Count a (checked) value against a (sound) key answer. Shared by practice feedback and grading."""
    chosen = list(dict.fromkeys(map(str, value.get("options") or [])))
    reasons = {str(k): str(v) for k, v in (value.get("reasons") or {}).items()}
    required = [str(o) for o in answer["required"]]
    breaks = {str(o): str(p) for o, p in (answer.get("breaks") or {}).items()}
    included = [o for o in required if o in chosen]
    right_reasons = [o for o in included if reasons.get(o) in accepted_reasons(answer, o)]
    broken = [o for o in chosen if o in breaks]
    total = 2 * len(required)
    earned = len(included) + len(right_reasons) - len(broken)
    return {"chosen": chosen, "reasons": reasons, "required": required, "breaks": breaks,
            "included": included, "right_reasons": right_reasons, "broken": broken,
            "earned": max(0, earned), "total": total, "fraction": min(1.0, max(0.0, earned / total))}


def shape_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "is not a package (a mapping with 'options' and 'reasons')"
    options = value.get("options")
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        return "has no list of chosen options"
    reasons = value.get("reasons", {})
    if not isinstance(reasons, dict) or not all(isinstance(r, str) for r in reasons.values()):
        return "has reasons that are not a mapping of option to reason"
    return None
