"""The scenario player: a branching call played one decision at a time.

Shows the narrative and what people say, the choices, the state as a bar AND in words, and
after each choice the person's reaction. The rules of an attempt (the first graded attempt
counts, finished or not; "Start again" is locked until it ends; later attempts are practice)
live in `course.scenarios.play.ScenarioPlay`; this widget only shows its `NodeView`s and
passes the student's moves on. Where the play runs:

- in the kernel (a laptop course, or a practice scenario): `ScenarioPlay` on the scenario file,
  every move saved to the answers file as `{"attempts": [{"choices": [...], "complete": bool}]}`;
- on a class hub, a graded scenario is played on the course recorder
  (`course.recorder.client.RemoteScenarioPlay`): the kernel is sent the node the student is at,
  its choices and the state, never the scenario's graph; the recorder keeps every move, and
  the answers file gets a copy for the student's own reference.

Practice mode shows each choice's teaching point at once and debriefs after an ending. A
graded attempt shows only reactions; its debrief (the recommended choices and what the ending
means, kept in the instructor's keys/) comes with the feedback after grading.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..scenarios import POLICY, STATE_MAX, STATE_MIN
from ..scenarios.play import NodeView, PlayRefused, check_value
from .base import GRADED, Exercise, ExerciseError, escape
from .order import decision


def _quoted(text: str) -> str:
    """Choice texts that are speech already carry quotes; actions do not."""
    text = text.strip()
    return text if text[:1] in "\"“'" else f"“{text}”"


class ScenarioPlayer(Exercise):
    kind = "scenario"

    def __init__(self, item_id: str, play, header: dict[str, Any], store, mode: str):
        """`play` is a ScenarioPlay (in the kernel) or a RemoteScenarioPlay (on the recorder);
        `header` the call's title, setting, dispatch and people (scenarios.play.scenario_header)."""
        self.play = play
        self.header_data = header
        self.view: NodeView = play.view()
        super().__init__(item_id, self._prompt(), store, mode)
        self.button.description = "Save move"  # like "Save answer": the button says that it saves
        self.button.tooltip = "Save the selected move; the call goes on from there"
        self.render()

    @property
    def remote(self) -> bool:
        return bool(getattr(self.play, "remote", False))

    # ---- layout ---------------------------------------------------------
    def _prompt(self) -> str:
        h = self.header_data
        people = "".join(f"<li><strong>{escape(name)}</strong>, {escape(role)}: {escape(description)}</li>"
                         for name, role, description in h["people"])
        return (f"<h4>{escape(h['title'])}</h4><p><em>{escape(h['setting'])}</em></p>"
                f"<p><strong>Dispatch:</strong> {escape(h['dispatch'])}</p><ul>{people}</ul>")

    def build_inputs(self):
        self.policy = widgets.HTML(f"<p><em>{escape(POLICY)}</em></p>" if self.mode == GRADED else "")
        self.meters = {key: widgets.IntProgress(value=value, min=STATE_MIN, max=STATE_MAX, description=label,
                                                bar_style="")
                       for key, label, value, _words in self.view.state}
        self.meter_words = widgets.HTML()
        self.scene = widgets.HTML()
        self.choice = widgets.RadioButtons(options=[], value=None, description="Your move:",
                                           style={"description_width": "initial"}, layout=widgets.Layout(width="auto"))
        self.restart_button = widgets.Button(description="Start again", tooltip="Start a new attempt from the beginning")
        self.restart_note = widgets.HTML()
        self.restart_button.on_click(lambda _b: self._restart_clicked())
        self.debrief_box = widgets.HTML()
        state_row = widgets.VBox([*self.meters.values(), self.meter_words])
        return widgets.VBox([self.policy, state_row, self.scene, self.choice])

    def render(self) -> None:
        """Redraw everything from the current view (never saves)."""
        view = self.view
        for key, _label, value, _words in view.state:
            if key in self.meters:
                self.meters[key].value = value
        self.meter_words.value = "<ul aria-label='How things stand'>" + "".join(
            f"<li><strong>{escape(label)}: {value} of {STATE_MAX}</strong>, {escape(words)}</li>"
            for _key, label, value, words in view.state) + "</ul>"
        reaction = ""
        if view.practising and view.graded and view.attempt > 1:
            reaction = ("<p><strong>Practice attempt:</strong> your graded attempt is finished; this one "
                        "is not graded.</p>")
        if view.reaction:
            reaction += f"<p><strong>What happens:</strong> {escape(view.reaction)}</p>"
        if view.teaching_point:
            reaction += f"<p><strong>Teaching point:</strong> {escape(view.teaching_point)}</p>"
        lines = "".join(f"<p><strong>{escape(name)}:</strong> “{escape(text)}”</p>" for name, text in view.lines)
        self.scene.value = f"{reaction}<div><p>{escape(view.narrative)}</p>{lines}</div>"
        # in this student's order for this decision (exercises/order.py), never the file's order,
        # in which the recommended choice would sit at one position
        texts = dict(view.choices)
        shown = self.ordered(list(texts), decision(view.node_id))
        self.choice.options = [(texts[c], c) for c in shown]
        self.choice.value = None
        self.choice.layout.display = "none" if view.ended else None
        self.button.layout.display = "none" if view.ended else None
        self.debrief_box.value = self._debrief_html() if view.ended else ""
        self.restart_button.disabled = view.restart_locked
        self.restart_note.value = (
            "<p><em>Start again is locked: in a graded scenario your first attempt is the one that counts, "
            "finished or not. Play it to an ending; after that you may start again to practise.</em></p>"
            if view.restart_locked else "")
        self.box.children = [self.header, self.inputs, self.button, self.restart_button, self.restart_note,
                             self.debrief_box, self.status]

    @property
    def graded_attempt_open(self) -> bool:
        return self.view.restart_locked

    def _debrief_html(self) -> str:
        view = self.view
        if not view.practising:
            return (f"<div role='region' aria-label='Debrief'><h4>Outcome: {escape(view.outcome_label)}</h4>"
                    "<p>Your graded attempt is finished and saved. Its debrief (what the ending means and the "
                    "recommended choice at each decision) comes with your feedback after grading. You may "
                    "<strong>Start again</strong> to practise; practice attempts are not graded.</p></div>")
        rows = []
        for number, point in enumerate(view.debrief, start=1):
            text = f"<li>Decision {number}: you chose {escape(_quoted(point.chosen_text))}. {escape(point.teaching_point)}"
            if not point.was_best:
                text += (f"<br><strong>A better choice:</strong> {escape(_quoted(point.best_text))}. "
                         f"{escape(point.best_why)}")
            rows.append(text + "</li>")
        ending = f"<p>{escape(view.ending_text)}</p>" if view.ending_text else ""
        return (f"<div role='region' aria-label='Debrief'><h4>Outcome: {escape(view.outcome_label)}</h4>"
                f"{ending}<h5>Your path, decision by decision</h5><ol>{''.join(rows)}</ol></div>")

    # ---- the Exercise hooks -------------------------------------------------
    def read_inputs(self):
        return self.choice.value

    def _restore(self) -> None:
        if not self.remote:
            return super()._restore()
        # On the hub the course recorder's play is the truth; the answers file is only a copy.
        if self.view.attempt:
            self._set_status(f"<p>Restored from the course server: {escape(self._attempt_summary())}.</p>")

    def show_value(self, value):
        """Restore the attempts from the answers file; continue (or show the end of) the latest one."""
        self.view = self.play.restore(value).view()
        if hasattr(self, "box"):
            self.render()

    def check_value(self, value: Any) -> dict[str, Any]:
        try:
            check_value(value)
        except ValueError as exc:
            raise ExerciseError(f"item {self.item_id!r}: {exc}") from None
        return value

    def describe_value(self, value) -> str:
        return escape(self._attempt_summary())

    def practice_feedback(self, value) -> str:
        return ""

    def _attempt_summary(self) -> str:
        view = self.view
        if not view.attempt:
            return "no attempt yet"
        current = f"attempt {view.attempt}, {view.moves} decision{'' if view.moves == 1 else 's'} so far"
        if self.mode == GRADED:
            first = view.attempts[0] if view.attempts else {}
            counted = ("attempt 1 (complete) is the one graded; later attempts are practice" if first.get("complete")
                       else "attempt 1 is the one graded, finished or not: play it to an ending")
            return f"{current}; {counted}"
        return current

    # ---- acting ---------------------------------------------------------------
    def _on_button(self) -> None:
        choice_id = self.choice.value
        if choice_id is None:
            self._set_status("<p role='alert'><strong>Not saved:</strong> choose what to do first.</p>")
            return
        try:
            self.make_choice(choice_id)
        except ExerciseError as exc:
            self._set_status(f"<p role='alert'><strong>Not saved:</strong> {escape(exc)}</p>")

    def make_choice(self, choice_id: str) -> dict[str, Any]:
        """Take one decision and save the attempt: the one save path for the player."""
        self.view = self._act(lambda: self.play.choose(choice_id))
        value = {"attempts": [dict(a) for a in self.view.attempts]}
        # On the hub the move is recorded by the course recorder itself, as it played it.
        details = {"server": "recorded"} if self.remote else {}
        record = self.store.record(self.item_id, self.kind, value, mode=self.mode, scenario=self.header_data["id"],
                                   **details)
        self.saved = record
        self.render()
        self._show_result(value, record, restored=False)
        return record

    def _act(self, action) -> NodeView:
        from ..recorder.client import RecorderError

        try:
            return action()
        except PlayRefused as exc:
            raise ExerciseError(f"item {self.item_id!r}: {exc}") from None
        except RecorderError as exc:
            raise ExerciseError(f"item {self.item_id!r}: the move was not saved: {exc}. Press the button again "
                                f"in a moment; tell your instructor if this stays.") from None

    def submit(self, value: Any) -> dict[str, Any]:
        """Plain-Python answering: one choice id, or a list of them, taken from where the run is now."""
        if value == "restart":
            self.restart()
            return self.saved
        choices = [value] if isinstance(value, str) else value
        if not isinstance(choices, list) or not choices:
            raise ExerciseError(f"item {self.item_id!r}: give a choice id, or a list of them, e.g. {self._example()!r}")
        record = None
        for choice_id in choices:
            visible = [c for c, _text in self.view.choices]
            if choice_id not in visible:
                raise ExerciseError(f"item {self.item_id!r}: {choice_id!r} is not a choice here; "
                                    f"the choices now are {visible or self._ended_hint()}")
            record = self.make_choice(choice_id)
        return record

    def _ended_hint(self) -> str:
        return f'none: the scenario has ended; type lesson.answer("{self.item_id}", "restart") to start again'

    def _example(self) -> str:
        return self.view.choices[0][0] if self.view.choices else "start again first"

    def restart(self) -> None:
        """A new attempt from the start; saved with its first decision. In graded mode only once
        the first (graded) attempt has reached an ending."""
        try:
            self.view = self._act(self.play.restart)
        except ExerciseError as exc:
            self._set_status(f"<p role='alert'><strong>Not restarted:</strong> {escape(str(exc).split(': ', 1)[-1])}</p>")
            raise
        self.render()
        self._set_status(f"<p>New attempt started. {escape(self._attempt_summary())}.</p>")

    def _restart_clicked(self) -> None:
        try:
            self.restart()
        except ExerciseError:
            pass                    # the status already says why

    def click(self, value: Any) -> None:
        """Play like a mouse: `value` is a list of choice ids, or a list of such lists (attempts)."""
        attempts = value if value and isinstance(value[0], list) else [value]
        for number, choices in enumerate(attempts):
            if number or self.view.moves:
                if self.graded_attempt_open:
                    return          # as in a browser: the button is disabled during the graded attempt
                self.restart_button.click()
            for choice_id in choices:
                self.choice.value = choice_id
                self.button.click()
