"""A saved answer held against its item's definition, before anything scores, counts or draws it.

The answers file is the student's: a select-all item may hold 60,000 made-up option ids, a
classify item lines that do not exist. Scoring, feedback, the class report and its charts work
per option, so an unchecked answer sizes their work (and memory). Here an answer keeps only
the option ids, line ids and labels the item defines (from the lesson's items file, or failing
that the key), and what was dropped is said in one line naming the item.
"""
from __future__ import annotations

from typing import Any

NOT_AN_OPTION = "(not an option)"
MAX_PARTS = 200  # parts kept when the item's options are not known at all


def known_options(definition: dict | None, key: Any = None) -> list[str] | None:
    """The item's option ids (single, multiple), or None when neither definition nor key lists them."""
    options = (definition or {}).get("options")
    if isinstance(options, dict) and options:
        return [str(o) for o in options]
    if key is not None and getattr(key, "why", None):
        answer = key.answer if isinstance(key.answer, list) else [key.answer]
        return list(dict.fromkeys([str(o) for o in key.why] + [str(a) for a in answer if a is not None]))
    return None


def _known(definition: dict | None, field: str, key: Any = None, from_key=None) -> set[str] | None:
    found = (definition or {}).get(field)
    if isinstance(found, dict) and found:
        return {str(k) for k in found}
    return from_key(key) if key is not None and from_key else None


def _key_lines(key):
    return {str(k) for k in key.answer} if isinstance(getattr(key, "answer", None), dict) else None


def _key_labels(key):
    return {str(v) for v in key.answer.values()} if isinstance(getattr(key, "answer", None), dict) else None


def checked_value(kind: str, value: Any, definition: dict | None, key: Any = None) -> tuple[Any, str]:
    """(the answer with only what the item defines, a note on what was dropped or ""): the kind's
    `value_check` in the registry (course/items/kinds.py); a kind without one keeps its value."""
    from .kinds import KINDS

    check = KINDS[kind].function("value_check") if kind in KINDS else None
    return check(value, definition, key) if check is not None else (value, "")


# Each kind's value check (the registry names these): (value, definition, key) -> (kept, note).

def check_single(value: Any, definition: dict | None, key: Any) -> tuple[Any, str]:
    options = known_options(definition, key)
    if value is None or options is None or (
            isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) in options):
        return value, ""
    return NOT_AN_OPTION, f"its answer is not one of the options ({', '.join(options)}); counted as not an option"


def check_multiple(value: Any, definition: dict | None, key: Any) -> tuple[Any, str]:
    if not isinstance(value, list):
        return value, ""
    options = known_options(definition, key)
    if options is None:
        kept = list(dict.fromkeys(str(v) for v in value[:MAX_PARTS] if isinstance(v, (str, int))))
    else:
        chosen = {str(v) for v in value if isinstance(v, (str, int)) and not isinstance(v, bool)}
        kept = [o for o in options if o in chosen]
    dropped = len(value) - len(kept)
    return kept, (f"{dropped} option id(s) that the item does not define were dropped" if dropped else "")


def check_classify(value: Any, definition: dict | None, key: Any) -> tuple[Any, str]:
    if not isinstance(value, dict):
        return value, ""
    lines = _known(definition, "lines", key, _key_lines)
    labels = _known(definition, "labels", key, _key_labels)
    kept = {}
    for line, label in list(value.items())[: (None if lines is not None else MAX_PARTS)]:
        if (lines is None or str(line) in lines) and isinstance(label, str) and (labels is None or label in labels):
            kept[str(line)] = label
    dropped = len(value) - len(kept)
    return kept, (f"{dropped} line(s) or label(s) that the item does not define were dropped" if dropped else "")
