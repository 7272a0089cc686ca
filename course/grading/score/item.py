"""Score one recorded answer against its key: a fraction in [0, 1] and feedback lines.

Runs in the grader's process, never in the student's kernel, so nothing a student
runs in the notebook can change it.
"""
from __future__ import annotations

from typing import Any

from ...items.types import ItemKey, ItemResult

GRADER_FAULT_LINE = ("The grader could not score this item (a fault in the grader, not in your answer); "
                     "your instructor will grade it by hand.")


def _why(key: ItemKey, option: str) -> str:
    return key.why.get(str(option), "")


def score_single(key: ItemKey, value: Any) -> ItemResult:
    right = value == key.answer
    lines = [f"You chose ({value}). " + ("Correct." if right else "Not the best choice.")]
    if _why(key, value):
        lines.append(f"Why: {_why(key, value)}")
    if not right:
        lines.append(f"The best choice was ({key.answer}): {_why(key, key.answer)}".rstrip(": "))
    return ItemResult(key.item_id, 1.0 if right else 0.0, lines)


def score_multiple(key: ItemKey, value: Any) -> ItemResult:
    # Right-minus-wrong over the correct options: ticking every box earns nothing extra.
    if not isinstance(value, list):
        return ItemResult(key.item_id, 0.0, [f"The saved answer {value!r} is not a list of options; scored 0."])
    chosen, correct = set(map(str, value)), set(map(str, key.answer))
    hits, false_picks = len(chosen & correct), len(chosen - correct)
    fraction = max(0.0, (hits - false_picks) / len(correct)) if correct else float(not chosen)
    lines = [f"You selected {', '.join(f'({c})' for c in sorted(chosen)) or 'nothing'}: "
             f"{hits} of {len(correct)} right options, {false_picks} wrong."]
    for option in sorted(correct | chosen | set(key.why)):
        mark = "right" if (option in chosen) == (option in correct) else "wrong"
        belongs = "belongs" if option in correct else "does not belong"
        lines.append(f"({option}) {belongs}; your choice was {mark}. {_why(key, option)}".rstrip())
    return ItemResult(key.item_id, fraction, lines)


def score_classify(key: ItemKey, value: Any) -> ItemResult:
    if not isinstance(value, dict):
        return ItemResult(key.item_id, 0.0, [f"The saved answer {value!r} is not a line-to-label mapping; scored 0."])
    right = 0
    lines = []
    for line_id, label in key.answer.items():
        given = value.get(line_id)
        ok = given == label
        right += ok
        status = "right" if ok else f"you said {given or 'nothing'}; it is {label}"
        lines.append(f"{line_id}: {status}. {_why(key, line_id)}".rstrip())
    lines.insert(0, f"{right} of {len(key.answer)} lines labelled correctly.")
    return ItemResult(key.item_id, right / len(key.answer), lines)


def score_item(key: ItemKey, record: dict[str, Any] | None) -> ItemResult:
    if record is None:
        return ItemResult(key.item_id, 0.0, ["No answer was saved for this item; scored 0."], answered=False)
    if record.get("kind") != key.kind:
        return ItemResult(key.item_id, 0.0, [
            f"The saved answer is of kind {record.get('kind')!r}, but this item is {key.kind!r}; scored 0."])
    from ...items import KINDS  # the registry names each kind's scorer

    kind = KINDS.get(key.kind)
    scorer = kind.function("scorer") if kind is not None else None
    if scorer is None:
        return ItemResult(key.item_id, 0.0, [f"No scorer for items of kind {key.kind!r}; ask your instructor."])
    try:
        return scorer(key, record["value"])
    except Exception as exc:  # noqa: BLE001 - each scorer answers a malformed value with 0 and a reason
        # itself, so an exception is the grader's own fault: never passed off as a wrong answer
        return ItemResult(key.item_id, 0.0, [GRADER_FAULT_LINE],
                          grader_error=f"{key.kind} scorer raised {type(exc).__name__}: {exc}")
