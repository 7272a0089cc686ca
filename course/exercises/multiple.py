"""Multiple choice: select all that apply."""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .base import PRACTICE, Exercise, ExerciseError, escape, require_explanations, verdict


class MultipleChoice(Exercise):
    kind = "multiple"

    def __init__(self, item_id, prompt, options: dict[str, str], store, mode,
                 answer: list[str] | None = None, why: dict[str, str] | None = None):
        if len(options) < 2:
            raise ExerciseError(f"item {item_id!r}: a multiple-choice item needs at least two options")
        self.options = dict(options)
        if mode == PRACTICE:
            unknown = [key for key in (answer or []) if key not in self.options]
            if answer is None or unknown:
                raise ExerciseError(f"item {item_id!r}: practice answer must list options of {list(self.options)}")
            self.why = require_explanations(item_id, list(self.options), why, "option")
        self.answer = sorted(answer) if answer is not None else None
        super().__init__(item_id, prompt, store, mode)

    def build_inputs(self):
        self.shown = self.ordered(self.options)
        self.boxes = {
            key: widgets.Checkbox(
                value=False, description=f"({key}) {self.options[key]}", indent=False,
                layout=widgets.Layout(width="auto"),
            )
            for key in self.shown
        }
        hint = widgets.HTML("<em>Select all that apply.</em>")
        return widgets.VBox([hint, *self.boxes.values()])

    def read_inputs(self):
        return [key for key in self.options if self.boxes[key].value]

    def show_value(self, value):
        for key, box in self.boxes.items():
            box.value = key in value

    def check_value(self, value: Any) -> list[str]:
        if isinstance(value, str) or not isinstance(value, (list, tuple, set)):
            raise ExerciseError(f"item {self.item_id!r}: give a list of option letters, e.g. ['a', 'c']")
        unknown = [key for key in value if key not in self.options]
        if unknown:
            raise ExerciseError(f"item {self.item_id!r}: {unknown} are not options; the options are {list(self.options)}")
        return sorted(set(value))

    def describe_value(self, value):
        if not value:
            return "nothing selected"
        return ", ".join(f"({escape(key)})" for key in value)

    def practice_feedback(self, value):
        rows = []
        for key in self.options:
            chosen, right = key in value, key in self.answer
            mark = "✔" if chosen == right else "✘"
            state = ("you selected it" if chosen else "you left it out") + (
                "; it belongs" if right else "; it does not belong")
            rows.append(f"<li>{mark} ({escape(key)}) {state}. {escape(self.why[key])}</li>")
        return verdict(list(value) == self.answer) + f"<ul>{''.join(rows)}</ul>"
