"""Written reply: the student writes what they would say to a person, in their own words.

Practice mode recognises the active-listening skills and roadblocks in the reply at once
(course.listening) and suggests a next step. Graded mode only saves the text; the grader
gives partial credit with the same recogniser and the instructor can override the score
in formgrader (the recogniser misses unusual phrasings, see bench/README.md).
"""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .base import PRACTICE, Exercise, ExerciseError, escape

MAX_REPLY_CHARS = 2000


class WrittenReply(Exercise):
    kind = "written"

    def __init__(self, item_id: str, prompt: str, statement: str, store, mode: str,
                 expected_skills: list[str] | None = None):
        self.statement = statement
        self.expected_skills = list(expected_skills or [])
        super().__init__(item_id, prompt, store, mode)
        self.button.description = "Check my reply" if mode == PRACTICE else "Save reply"

    def build_inputs(self):
        quote = widgets.HTML(f"<blockquote>“{escape(self.statement)}”</blockquote>")
        self.text = widgets.Textarea(value="", placeholder="Write exactly what you would say…",
                                     description="Your reply:", style={"description_width": "initial"},
                                     layout=widgets.Layout(width="95%", height="6em"))
        return widgets.VBox([quote, self.text])

    def read_inputs(self):
        return self.text.value

    def show_value(self, value):
        self.text.value = value

    def check_value(self, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ExerciseError(f"item {self.item_id!r}: write a reply first")
        if len(value) > MAX_REPLY_CHARS:
            raise ExerciseError(f"item {self.item_id!r}: keep the reply under {MAX_REPLY_CHARS} characters "
                                f"(it has {len(value)}); say it as you would say it to the person")
        return value.strip()

    def describe_value(self, value) -> str:
        return f"“{escape(value[:120])}{'…' if len(value) > 120 else ''}”"

    def practice_feedback(self, value) -> str:
        from ..listening import recognise, suggestion
        from ..listening.scoring import off_topic

        found = recognise(self.statement, value)
        rows = [f"<li>{'✔ Skill' if f.kind == 'skill' else '✘ Roadblock'}: <strong>{escape(f.label.replace('_', ' '))}</strong>"
                f" (“{escape(f.evidence)}”): {escape(f.explanation)}</li>" for f in found.findings]
        body = f"<ul>{''.join(rows)}</ul>" if rows else "<p>No listening skill recognised yet.</p>"
        wanted = ""
        if self.expected_skills:
            missing = [s.replace("_", " ") for s in self.expected_skills if s not in found.skills]
            if missing:
                verdict = f" Not recognised yet: {escape(', '.join(missing))}."
            elif off_topic(found):
                # issue 27: an off-topic reply is never "All there", whatever skill its form shows
                verdict = (" Your reply does not pick up anything they said, so it is not there yet:"
                           " answer their words.")
            else:
                verdict = " All there."
            wanted = (f"<p>This exercise asks for: {escape(', '.join(s.replace('_', ' ') for s in self.expected_skills))}."
                      + verdict + "</p>")
        return (f"<p><strong>What the checker recognised</strong> (it is a machine: it can miss an unusual "
                f"phrasing; your instructor has the last word):</p>{body}{wanted}"
                f"<p><strong>Suggestion:</strong> {escape(suggestion(found))}</p>")
