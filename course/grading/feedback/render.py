"""How one item's grading result reads in the feedback a student gets."""
from __future__ import annotations

import html
import re
from nbformat.v4 import new_output

from ...items.kinds import KINDS
from ...items.types import ItemResult

TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """A prompt's text without its HTML tags (prompts use <i> and <b>)."""
    return html.unescape(TAG.sub("", str(text))).strip()


def describe_answer(definition: dict | None, value) -> list[str]:
    """The question and the chosen options as the student saw them (from the lesson's item
    definition): the feedback page shows no widget, so letters alone would mean nothing."""
    if not definition:
        return []
    lines = [f"Question: {plain(definition['prompt'])}"] if definition.get("prompt") else []
    options = definition.get("options") or {}
    kind = KINDS.get(definition.get("kind"))
    if kind is not None and kind.chooses_options and options and value not in (None, "", []):
        chosen = value if isinstance(value, list) else [value]
        lines += [f"Your answer ({option}): {plain(options.get(str(option), '(not an option of this question)'))}"
                  for option in chosen]
    return lines


def _points(earned: float, points: float) -> str:
    return f"{earned:g} of {points:g} points"


def render_item_text(result: ItemResult, earned: float, points: float, section: str) -> str:
    head = f"{result.item_id}: {_points(earned, points)}" + (f" (tests: {section})" if section else "")
    return "\n".join([head, *("  - " + line for line in result.lines)])


def render_item_html(result: ItemResult, earned: float, points: float, section: str) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in result.lines)
    tests = f" <em>Tests: {html.escape(section)}</em>" if section else ""
    return (f"<div class='course-feedback'><p><strong>{html.escape(result.item_id)}: "
            f"{_points(earned, points)}</strong>.{tests}</p><ul>{items}</ul></div>")


def item_outputs(result: ItemResult, earned: float, points: float, section: str) -> list:
    """A keyed cell's outputs: the feedback, and the points as nbgrader reads a partial grade."""
    return [
        new_output("display_data", data={
            "text/html": render_item_html(result, earned, points, section),
            "text/plain": render_item_text(result, earned, points, section),
        }),
        # nbgrader's partial credit: the last expression's value, a number of points.
        new_output("execute_result", data={"text/plain": repr(earned)}, execution_count=None),
    ]
