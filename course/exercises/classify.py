"""Classify each item: give every line (e.g. of a transcript) a label."""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .base import PRACTICE, Exercise, ExerciseError, escape, require_explanations, verdict

PLACEHOLDER = "— choose a label —"


class Classify(Exercise):
    kind = "classify"

    def __init__(self, item_id, prompt, items: dict[str, str], labels: dict[str, str], store, mode,
                 answer: dict[str, str] | None = None, why: dict[str, str] | None = None):
        if not items or len(labels) < 2:
            raise ExerciseError(f"item {item_id!r}: needs at least one line to classify and two labels")
        self.items = dict(items)
        self.labels = dict(labels)
        if mode == PRACTICE:
            if answer is None or set(answer) != set(self.items) or any(v not in self.labels for v in answer.values()):
                raise ExerciseError(f"item {item_id!r}: practice answer must give a known label for every line {list(self.items)}")
            self.why = require_explanations(item_id, list(self.items), why, "line")
        self.answer = answer
        super().__init__(item_id, prompt, store, mode)

    def build_inputs(self):
        self.dropdowns = {}
        rows = []
        self.shown = self.ordered(self.labels)  # one menu order for every line of the item
        for number, (line_id, text) in enumerate(self.items.items(), start=1):
            dropdown = widgets.Dropdown(
                # "" rather than None: a Dropdown shows a None value as a blank box
                options=[(PLACEHOLDER, "")] + [(self.labels[key], key) for key in self.shown],
                value="",
                description=f"Line {number}:",
                layout=widgets.Layout(width="auto"),
            )
            self.dropdowns[line_id] = dropdown
            rows.append(widgets.HTML(f"<p><strong>Line {number}.</strong> {escape(text)}</p>"))
            rows.append(dropdown)
        return widgets.VBox(rows)

    def read_inputs(self):
        return {line_id: box.value for line_id, box in self.dropdowns.items() if box.value}

    def show_value(self, value):
        for line_id, box in self.dropdowns.items():
            box.value = value.get(line_id) or ""

    def check_value(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise ExerciseError(f"item {self.item_id!r}: give a mapping of line id to label, e.g. {{'{next(iter(self.items))}': '{next(iter(self.labels))}'}}")
        unknown_lines = [key for key in value if key not in self.items]
        unknown_labels = [label for label in value.values() if label not in self.labels]
        if unknown_lines or unknown_labels:
            raise ExerciseError(
                f"item {self.item_id!r}: unknown lines {unknown_lines} or labels {unknown_labels}; "
                f"lines are {list(self.items)}, labels are {list(self.labels)}")
        if not value:
            raise ExerciseError(f"item {self.item_id!r}: label at least one line first")
        return {line_id: value[line_id] for line_id in self.items if line_id in value}

    def describe_value(self, value):
        done = len(value)
        return f"{done} of {len(self.items)} lines labelled"

    def practice_feedback(self, value):
        rows, right = [], 0
        for number, line_id in enumerate(self.items, start=1):
            given, correct = value.get(line_id), self.answer[line_id]
            ok = given == correct
            right += ok
            given_name = self.labels.get(given, "no label")
            rows.append(
                f"<li>{'✔' if ok else '✘'} Line {number}: you said <em>{escape(given_name)}</em>"
                f"{'' if ok else f'; it is <em>{escape(self.labels[correct])}</em>'}. {escape(self.why[line_id])}</li>")
        return verdict(right == len(self.items)) + f"<p>{right} of {len(self.items)} lines right.</p><ul>{''.join(rows)}</ul>"
