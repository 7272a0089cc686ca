"""The scenario player: a branching call played one decision at a time.

Shows the narrative and what people say, the choices, the state as a bar AND in
words, and after each choice the person's reaction. Every step is saved to the
answers file as `{"attempts": [{"choices": [...], "complete": bool}, ...]}`; the
grader replays the attempts with the engine (see course.scenarios.rubric.POLICY).

Practice mode shows each choice's teaching point at once and debriefs after an ending.
Graded mode: the FIRST attempt counts, finished or not, so "Start again" is locked until it
reaches an ending; it shows only reactions, and its debrief (the recommended choices and what
the ending means, kept in the instructor's keys/) comes with the feedback after grading. After
the graded attempt ends, "Start again" opens practice attempts, which say so and show the
teaching points. A practice-only scenario whose file carries `best`/`debrief` debriefs at once.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..scenarios import POLICY, ScenarioRun, debrief, outcome_label, replay, state_label
from ..scenarios.model import STATE_MAX, STATE_MIN, Scenario
from .base import GRADED, PRACTICE, Exercise, ExerciseError, escape
from .order import decision


def _quoted(text: str) -> str:
    """Choice texts that are speech already carry quotes; actions do not."""
    text = text.strip()
    return text if text[:1] in "\"“'" else f"“{text}”"


class ScenarioPlayer(Exercise):
    kind = "scenario"

    def __init__(self, item_id: str, scenario: Scenario, store, mode: str):
        self.scenario = scenario
        self.run = ScenarioRun(scenario)
        self.attempts: list[dict[str, Any]] = []
        self.last_step = None
        super().__init__(item_id, self._prompt(), store, mode)
        self.button.description = "Save move"  # like "Save answer": the button says that it saves
        self.button.tooltip = "Save the selected move; the call goes on from there"
        self.render()

    # ---- layout ---------------------------------------------------------
    def _prompt(self) -> str:
        people = "".join(f"<li><strong>{escape(p.name)}</strong>, {escape(p.role)}: {escape(p.description)}</li>"
                         for p in self.scenario.people)
        return (f"<h4>{escape(self.scenario.title)}</h4><p><em>{escape(self.scenario.setting)}</em></p>"
                f"<p><strong>Dispatch:</strong> {escape(self.scenario.dispatch)}</p><ul>{people}</ul>")

    def build_inputs(self):
        self.policy = widgets.HTML(f"<p><em>{escape(POLICY)}</em></p>" if self.mode == GRADED else "")
        self.meters = {key: widgets.IntProgress(value=value, min=STATE_MIN, max=STATE_MAX,
                                                description=state_label(key), bar_style="")
                       for key, value in self.run.state.items()}
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
        """Redraw everything from `self.run` (never saves)."""
        words = self.run.describe_state()
        for key, meter in self.meters.items():
            meter.value = self.run.state.get(key, 0)
        self.meter_words.value = "<ul aria-label='How things stand'>" + "".join(
            f"<li><strong>{escape(state_label(k))}: {v} of {STATE_MAX}</strong>, {escape(words[k])}</li>"
            for k, v in self.run.state.items()) + "</ul>"
        node = self.run.node
        reaction = ""
        if self.practising and self.attempts and self.mode == GRADED:
            reaction = ("<p><strong>Practice attempt:</strong> your graded attempt is finished; this one "
                        "is not graded.</p>")
        if self.last_step is not None:
            reaction += f"<p><strong>What happens:</strong> {escape(self.last_step.reaction)}</p>"
            if self.practising and self.last_step.teaching_point:
                reaction += f"<p><strong>Teaching point:</strong> {escape(self.last_step.teaching_point)}</p>"
        people = {p.id: p.name for p in self.scenario.people}
        lines = "".join(f"<p><strong>{escape(people.get(line.speaker, line.speaker))}:</strong> “{escape(line.text)}”</p>"
                        for line in node.lines)
        self.scene.value = f"{reaction}<div><p>{escape(self.run.narrative)}</p>{lines}</div>"
        # in this student's order for this decision (exercises/order.py), never the file's order,
        # in which the recommended choice would sit at one position
        choices = {c.id: c for c in self.run.visible_choices()}
        shown = self.ordered(choices, decision(node.id))
        self.choice.options = [(choices[c].text, c) for c in shown]
        self.choice.value = None
        self.choice.layout.display = "none" if self.run.ended else None
        self.button.layout.display = "none" if self.run.ended else None
        self.debrief_box.value = self._debrief_html() if self.run.ended else ""
        locked = self.graded_attempt_open
        self.restart_button.disabled = locked
        self.restart_note.value = (
            "<p><em>Start again is locked: in a graded scenario your first attempt is the one that counts, "
            "finished or not. Play it to an ending; after that you may start again to practise.</em></p>"
            if locked else "")
        self.box.children = [self.header, self.inputs, self.button, self.restart_button, self.restart_note,
                             self.debrief_box, self.status]

    @property
    def practising(self) -> bool:
        """Practice mode, or a later attempt after the graded one has ended."""
        if self.mode == PRACTICE:
            return True
        return bool(self.attempts) and len(self.attempts) > 1

    @property
    def graded_attempt_open(self) -> bool:
        """Graded mode with the first (graded) attempt begun and not yet at an ending."""
        return (self.mode == GRADED and bool(self.attempts) and len(self.attempts) == 1
                and bool(self.run.steps) and not self.run.ended)

    def _debrief_html(self) -> str:
        report = debrief(self.run)
        if not self.practising:
            return (f"<div role='region' aria-label='Debrief'><h4>Outcome: {escape(report.outcome_label)}</h4>"
                    "<p>Your graded attempt is finished and saved. Its debrief (what the ending means and the "
                    "recommended choice at each decision) comes with your feedback after grading. You may "
                    "<strong>Start again</strong> to practise; practice attempts are not graded.</p></div>")
        rows = []
        for number, point in enumerate(report.points, start=1):
            text = f"<li>Decision {number}: you chose {escape(_quoted(point.chosen_text))}. {escape(point.teaching_point)}"
            if not point.was_best:
                text += (f"<br><strong>A better choice:</strong> {escape(_quoted(point.best_text))}. "
                         f"{escape(point.best_why or point.best_teaching_point)}")
            rows.append(text + "</li>")
        ending = f"<p>{escape(report.ending_text)}</p>" if report.ending_text else ""
        return (f"<div role='region' aria-label='Debrief'><h4>Outcome: {escape(report.outcome_label)}</h4>"
                f"{ending}<h5>Your path, decision by decision</h5><ol>{''.join(rows)}</ol></div>")

    # ---- the Exercise hooks -------------------------------------------------
    def read_inputs(self):
        return self.choice.value

    def show_value(self, value):
        """Restore the attempts; continue (or show the end of) the latest one."""
        self.attempts = [dict(a) for a in value["attempts"]]
        latest = self.attempts[-1] if self.attempts else {"choices": []}
        self.run = replay(self.scenario, latest.get("choices", [])).run
        self.last_step = self.run.steps[-1] if self.run.steps else None
        if hasattr(self, "box"):
            self.render()

    def check_value(self, value: Any) -> dict[str, Any]:
        if (not isinstance(value, dict) or not isinstance(value.get("attempts"), list)
                or not all(isinstance(a, dict) and isinstance(a.get("choices", []), list) for a in value["attempts"])):
            raise ExerciseError(f"item {self.item_id!r}: a scenario answer is {{'attempts': [{{'choices': [...]}}]}}")
        return value

    def describe_value(self, value) -> str:
        return self._attempt_summary(value["attempts"])

    def practice_feedback(self, value) -> str:
        return ""

    def _attempt_summary(self, attempts: list[dict]) -> str:
        if not attempts:
            return "no attempt yet"
        made = len(attempts[-1].get("choices", []))
        current = f"attempt {len(attempts)}, {made} decision{'' if made == 1 else 's'} so far"
        if self.mode == GRADED:
            first = attempts[0]
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
        self.make_choice(choice_id)

    def make_choice(self, choice_id: str) -> dict[str, Any]:
        """Take one decision and save the attempt: the one save path for the player."""
        self.last_step = self.run.choose(choice_id)
        if not self.attempts:
            self.attempts.append({})
        self.attempts[-1] = self.run.to_record()  # the current attempt is always the last
        record = self.store.record(self.item_id, self.kind, {"attempts": self.attempts}, mode=self.mode,
                                   scenario=self.scenario.id)
        self.saved = record
        self.render()
        self._show_result({"attempts": self.attempts}, record, restored=False)
        return record

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
            visible = [c.id for c in self.run.visible_choices()]
            if choice_id not in visible:
                raise ExerciseError(f"item {self.item_id!r}: {choice_id!r} is not a choice here; "
                                    f"the choices now are {visible or self._ended_hint()}")
            record = self.make_choice(choice_id)
        return record

    def _ended_hint(self) -> str:
        return f'none: the scenario has ended; type lesson.answer("{self.item_id}", "restart") to start again'

    def _example(self) -> str:
        visible = self.run.visible_choices()
        return visible[0].id if visible else "start again first"

    def restart(self) -> None:
        """A new attempt from the start; saved with its first decision. In graded mode only once
        the first (graded) attempt has reached an ending."""
        if self.graded_attempt_open:
            message = ("Start again is locked: in a graded scenario your first attempt counts, finished or not. "
                       "Play it to an ending first; after that you may start again to practise.")
            self._set_status(f"<p role='alert'><strong>Not restarted:</strong> {escape(message)}</p>")
            raise ExerciseError(f"item {self.item_id!r}: {message}")
        if self.run.steps:
            self.attempts.append({"choices": [], "complete": False})
        self.run = ScenarioRun(self.scenario)
        self.last_step = None
        self.render()
        self._set_status(f"<p>New attempt started. {escape(self._attempt_summary(self.attempts))}.</p>")

    def _restart_clicked(self) -> None:
        try:
            self.restart()
        except ExerciseError:
            pass                    # the status already says why

    def click(self, value: Any) -> None:
        """Play like a mouse: `value` is a list of choice ids, or a list of such lists (attempts)."""
        attempts = value if value and isinstance(value[0], list) else [value]
        for number, choices in enumerate(attempts):
            if number or self.run.steps:
                if self.graded_attempt_open:
                    return          # as in a browser: the button is disabled during the graded attempt
                self.restart_button.click()
            for choice_id in choices:
                self.choice.value = choice_id
                self.button.click()
