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

from ...items.package_rules import accepted_reasons, key_problem, shape_problem, tally
from ...items.types import ItemKey, ItemResult


def score_package(key: ItemKey, value: Any) -> ItemResult:
    problem = key_problem(key.answer)
    if problem:
        return ItemResult(key.item_id, 0.0, [f"The answer key for this item is not usable ({problem}); "
                                             "scored 0. Ask your instructor."])
    shape = shape_problem(value)
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
            accepted = accepted_reasons(key.answer, option)
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
