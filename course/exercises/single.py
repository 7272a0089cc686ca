"""Single choice: pick the one best option."""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .base import PRACTICE, Exercise, ExerciseError, escape, require_explanations, verdict


class SingleChoice(Exercise):
    kind = "single"

    def __init__(self, item_id, prompt, options: dict[str, str], store, mode,
                 answer: str | None = None, why: dict[str, str] | None = None):
        if len(options) < 2:
            raise ExerciseError(f"item {item_id!r}: a single-choice item needs at least two options")
        self.options = dict(options)
        if mode == PRACTICE:
            if answer not in self.options:
                raise ExerciseError(f"item {item_id!r}: practice answer {answer!r} is not one of {list(self.options)}")
            self.why = require_explanations(item_id, list(self.options), why, "option")
        self.answer = answer
        super().__init__(item_id, prompt, store, mode)

    def build_inputs(self):
        self.shown = self.ordered(self.options)
        self.choice = widgets.RadioButtons(
            options=[(f"({key}) {self.options[key]}", key) for key in self.shown],
            value=None,
            description="Your choice:",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto"),
        )
        return self.choice

    def read_inputs(self):
        return self.choice.value

    def show_value(self, value):
        self.choice.value = value

    def check_value(self, value: Any) -> str:
        if value is None:
            raise ExerciseError(f"item {self.item_id!r}: choose one option first")
        if value not in self.options:
            raise ExerciseError(f"item {self.item_id!r}: {value!r} is not an option; the options are {list(self.options)}")
        return value

    def describe_value(self, value):
        return f"({escape(value)}) {escape(self.options[value])}"

    def practice_feedback(self, value):
        lines = [verdict(value == self.answer), f"<p>{escape(self.why[value])}</p>"]
        if value != self.answer:
            lines.append(f"<p>The best choice is ({escape(self.answer)}): {escape(self.why[self.answer])}</p>")
        return "".join(lines)
