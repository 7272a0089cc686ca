"""What every widget exercise shares: an id, a mode, the answers file, the save path.

An exercise has two modes:
- practice: the student gets feedback at once, with an explanation for every option;
- graded: the choice is saved without any hint of correctness; the key lives in the
  instructor's keys/ folder and the grader scores the saved answer after submission.

Every save, from a click or from plain Python (`lesson.answer(...)`), goes through
`Exercise.submit`, so both write the same record.
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..recording import AnswerStore
from .order import order_for, student_identity

PRACTICE = "practice"
GRADED = "graded"

# ipywidgets gives each radio and check-box label a fixed one-line height, so a long option
# wraps over the next one (unreadable, and the radio button is hidden under the next label).
# Let those labels grow with their text, inside exercise boxes only.
STYLE = (
    "<style>"
    ".course-exercise .widget-radio-box label{height:auto;min-height:var(--jp-widgets-radio-item-height);"
    "line-height:1.4;display:flex;align-items:flex-start;padding:1px 0}"
    ".course-exercise .widget-radio-box input{order:-1;flex:none}"
    ".course-exercise .widget-checkbox{height:auto}"
    ".course-exercise .widget-checkbox label{height:auto;line-height:1.4;white-space:normal}"
    "</style>"
)


class ExerciseError(ValueError):
    """An exercise was defined or answered wrongly; the message names the item."""


def escape(text: str) -> str:
    return html.escape(str(text))


class Exercise:
    """Base class: subclasses build the input widgets and check values."""

    kind = "exercise"

    def __init__(self, item_id: str, prompt: str, store: AnswerStore, mode: str):
        if mode not in (PRACTICE, GRADED):
            raise ExerciseError(f"item {item_id!r}: mode must be 'practice' or 'graded', not {mode!r}")
        self.item_id = item_id
        self.prompt = prompt
        self.store = store
        self.mode = mode
        self.saved: dict[str, Any] | None = None
        # Options are shown in an order drawn for this student and item (exercises/order.py);
        # values stay the author's option ids, so the order never reaches the grader.
        self.identity = student_identity()
        self.shown: list[str] = []
        self.header = widgets.HTML(self._header_html())
        self.status = widgets.HTML("")
        self.button = widgets.Button(
            description="Check answer" if mode == PRACTICE else "Save answer",
            tooltip=f"{'Check' if mode == PRACTICE else 'Save'} your answer to {item_id}",
            button_style="primary",
        )
        self.button.on_click(lambda _button: self._on_button())
        self.inputs = self.build_inputs()
        self.box = widgets.VBox(
            [self.header, self.inputs, self.button, self.status],
            layout=widgets.Layout(border="1px solid #8a8a8a", padding="8px", margin="8px 0"),
        )
        self.box.add_class("course-exercise")
        self._restore()

    # ---- subclass hooks -------------------------------------------------
    def build_inputs(self) -> widgets.Widget:
        raise NotImplementedError

    def read_inputs(self) -> Any:
        """The value currently shown in the widgets."""
        raise NotImplementedError

    def show_value(self, value: Any) -> None:
        """Put a saved value back into the widgets (never saves)."""
        raise NotImplementedError

    def check_value(self, value: Any) -> Any:
        """Validate and normalise a value; raise ExerciseError naming the item."""
        raise NotImplementedError

    def practice_feedback(self, value: Any) -> str:
        """HTML feedback for practice mode."""
        raise NotImplementedError

    def describe_value(self, value: Any) -> str:
        return escape(value)

    def ordered(self, option_ids, part: str = "") -> list[str]:
        """`option_ids` in this student's order for this item (`part` tells apart two lists of
        one item, e.g. a package's options and its reasons)."""
        return order_for(option_ids, self.identity, self.item_id, part)

    # ---- shared behaviour ------------------------------------------------
    def _header_html(self) -> str:
        label = "Practice" if self.mode == PRACTICE else "Graded"
        note = (
            "Feedback appears as soon as you check your answer."
            if self.mode == PRACTICE
            else "Your answer is saved when you press Save; you can change it until you submit. "
            "Feedback comes after grading."
        )
        return (
            f"{STYLE}<div class='course-exercise-header'><strong>{label} · {escape(self.item_id)}</strong>"
            f"<div>{self.prompt}</div><div><em>{note}</em></div></div>"
        )

    def _restore(self) -> None:
        """Show the student's saved answer, if any, without writing anything."""
        record = self.store.get(self.item_id)
        if self.store.warning:
            self._set_status(f"<p role='alert'><strong>Warning:</strong> {escape(self.store.warning)}</p>")
        if record is None:
            return
        try:
            value = self.check_value(record["value"])
        except ExerciseError as exc:
            self._set_status(f"<p role='alert'>Your saved answer could not be shown: {escape(exc)}</p>")
            return
        self.saved = record
        self.show_value(value)
        self._show_result(value, record, restored=True)

    def click(self, value: Any) -> None:
        """Answer as a mouse would: set the widgets to `value`, then press the button.
        (Simulated students and browserless tests use this; it takes the click path.)"""
        self.show_value(value)
        self.button.click()

    def _on_button(self) -> None:
        try:
            self.submit(self.read_inputs())
        except ExerciseError as exc:
            self._set_status(f"<p role='alert'><strong>Not saved:</strong> {escape(exc)}</p>")

    def submit(self, value: Any) -> dict[str, Any]:
        """Validate, record atomically, and show the result: the one save path."""
        value = self.check_value(value)
        details = {"shown": list(self.shown)} if self.shown else {}
        record = self.store.record(self.item_id, self.kind, value, mode=self.mode, **details)
        self.saved = record
        self.show_value(value)
        self._show_result(value, record, restored=False)
        return record

    def _show_result(self, value: Any, record: dict[str, Any], restored: bool) -> None:
        from .page_script import time_html

        when = time_html(record.get("saved_at", ""))
        prefix = "Restored your saved answer" if restored else "Saved"
        saved_line = f"<p>{prefix} ({when}): {self.describe_value(value)}</p>"
        if self.mode == PRACTICE:
            self._set_status(saved_line + self.practice_feedback(value))
        else:
            server = str(record.get("server", ""))
            warning = (f"<p role='alert'><strong>Saved in your file, but {escape(server)}.</strong> Press the "
                       f"button again in a moment; tell your instructor if this stays.</p>"
                       if server.startswith("not recorded") and not restored else "")
            self._set_status(saved_line + warning + "<p>It will be graded after you submit the assignment.</p>")

    def _set_status(self, html_text: str) -> None:
        self.status.value = f"<div aria-live='polite'>{html_text}</div>"

    def _ipython_display_(self) -> None:
        from IPython.display import display

        from .page_script import display_page_script

        display(self.box)
        display_page_script()   # arrow keys in radio groups, local times (see page_script.py)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.item_id} ({self.mode})>"


def require_explanations(item_id: str, keys: list[str], why: dict[str, str] | None, what: str) -> dict[str, str]:
    """Practice items explain every option; say which are missing."""
    why = why or {}
    missing = [key for key in keys if key not in why]
    if missing:
        raise ExerciseError(f"item {item_id!r}: practice mode needs an explanation for every {what}; missing {missing}")
    unknown = [key for key in why if key not in keys]
    if unknown:
        raise ExerciseError(f"item {item_id!r}: explanations given for unknown {what}s {unknown}")
    return dict(why)


def verdict(ok: bool) -> str:
    """Correctness in words and symbol, never colour alone."""
    return "<strong>✔ Correct.</strong>" if ok else "<strong>✘ Not quite.</strong>"
