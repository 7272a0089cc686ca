"""Score an option package (`kind: package`): the options a student put together, and why.

The student's saved value (written by `course.exercises.package.OptionPackage`):

    {"options": ["o1", "o3", "o6"],            # the options ticked in step 1
     "reasons": {"o1": "r2", "o3": "r1"}}      # step 2: one reason per ticked option (may be partial)

The key, in `keys/<assignment>.yaml`:

    pkg-item:
      kind: package
      section: "4. Evaluating options"
      answer:
        required: [o1, o3, o6]       # options a sound package must contain (at least one)
        breaks:                      # options that break a party's core interest: option -> party
          o2: marek
          o5: aisha
        reasons:                     # for each required option, the accepted reason(s)
          o1: [r2]
          o3: r1                     # one reason may be written without a list
          o6: [r4]
      why:                           # explanation per option (and optionally per reason id)
        o1: "..."
        r5: "..."

Options in neither `required` nor `breaks` are neutral: no credit and no deduction.

Points, as a fraction of 2 x len(required):
  +1 for each required option included;
  +1 for each included required option given an accepted reason;
  -1 for each included option that breaks a party's core interest;
the total is clamped to [0, 1]. A value of the wrong shape scores 0 with a reason, never a crash.
"""
from __future__ import annotations

from typing import Any

from ...items.types import ItemKey, ItemResult


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


def _accepted(answer: dict, option: str) -> list[str]:
    accepted = answer["reasons"][option]
    return [accepted] if isinstance(accepted, str) else list(accepted)


def tally(answer: dict, value: dict) -> dict[str, Any]:
    """Count a (checked) value against a (sound) key answer. Shared by practice feedback and grading."""
    chosen = list(dict.fromkeys(map(str, value.get("options") or [])))
    reasons = {str(k): str(v) for k, v in (value.get("reasons") or {}).items()}
    required = [str(o) for o in answer["required"]]
    breaks = {str(o): str(p) for o, p in (answer.get("breaks") or {}).items()}
    included = [o for o in required if o in chosen]
    right_reasons = [o for o in included if reasons.get(o) in _accepted(answer, o)]
    broken = [o for o in chosen if o in breaks]
    total = 2 * len(required)
    earned = len(included) + len(right_reasons) - len(broken)
    return {"chosen": chosen, "reasons": reasons, "required": required, "breaks": breaks,
            "included": included, "right_reasons": right_reasons, "broken": broken,
            "earned": max(0, earned), "total": total, "fraction": min(1.0, max(0.0, earned / total))}


def _shape_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "is not a package (a mapping with 'options' and 'reasons')"
    options = value.get("options")
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        return "has no list of chosen options"
    reasons = value.get("reasons", {})
    if not isinstance(reasons, dict) or not all(isinstance(r, str) for r in reasons.values()):
        return "has reasons that are not a mapping of option to reason"
    return None


def score_package(key: ItemKey, value: Any) -> ItemResult:
    problem = key_problem(key.answer)
    if problem:
        return ItemResult(key.item_id, 0.0, [f"The answer key for this item is not usable ({problem}); "
                                             "scored 0. Ask your instructor."])
    shape = _shape_problem(value)
    if shape:
        return ItemResult(key.item_id, 0.0, [f"The saved answer {value!r} {shape}; scored 0."])
    t = tally(key.answer, value)
    why = key.why
    lines = [
        f"Your package: {', '.join(f'({o})' for o in t['chosen']) or 'nothing'}. "
        f"{len(t['included'])} of {len(t['required'])} needed options included, "
        f"{len(t['right_reasons'])} of {len(t['required'])} needed options with a sound reason, "
        f"{len(t['broken'])} option(s) that break a party's core interest "
        f"({t['earned']} of {t['total']} marks)."
    ]
    for option in dict.fromkeys(t["required"] + t["chosen"] + list(t["breaks"])):
        inside = option in t["chosen"]
        if option in t["required"]:
            status = ("belongs in the package; you included it" if inside
                      else "belongs in the package; you left it out")
        elif option in t["breaks"]:
            status = (f"breaks a core interest of {t['breaks'][option]}; you included it (-1)" if inside
                      else f"breaks a core interest of {t['breaks'][option]}; you rightly left it out")
        else:
            status = "is optional: no marks either way; you included it"
        line = f"({option}) {status}."
        if option in t["required"] and inside:
            given = t["reasons"].get(option)
            accepted = _accepted(key.answer, option)
            if given is None:
                line += f" You gave no reason; the sound reason is ({'/'.join(accepted)})."
            elif given in accepted:
                line += f" Your reason ({given}) is sound."
            else:
                line += f" Your reason ({given}) does not fit; the sound reason is ({'/'.join(accepted)})."
                if why.get(given):
                    line += f" About ({given}): {why[given]}"
        if why.get(option):
            line += f" {why[option]}"
        lines.append(line)
    return ItemResult(key.item_id, t["fraction"], lines)
