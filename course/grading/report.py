"""How one item's grading result reads in the feedback a student gets."""
from __future__ import annotations

import html

from .score import ItemResult


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
