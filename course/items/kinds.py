"""The one registry of item kinds: for each kind, the fields its definition has, which of them
may only appear on a practice item, and how a lesson shows it (the widget).

A definition is what a student may see (prompt, options, lines, labels); the answers and
explanations of graded items live only in the instructor's keys/ folder (course/grading/keys.py
checks those per kind). Adding a kind: its exercise widget in course/exercises/, one entry
here, and its scorer in course/grading/score.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class ItemKind:
    name: str
    summary: str
    required: tuple[str, ...]          # fields every definition of this kind has
    optional: tuple[str, ...] = ()     # fields it may have
    practice_answer: bool = True       # a practice item carries answer/why; a graded one never does
    show: Callable[[Any, str, dict], Any] | None = None  # (lesson, item id, definition) -> widget

    @property
    def fields(self) -> tuple[str, ...]:
        return ("kind", "graded", *self.required, *self.optional)


def _choice(method: str):
    def show(lesson, item_id: str, d: dict):
        extra = {"answer": d.get("answer"), "why": d.get("why")}
        if method == "classify":
            return lesson.classify(item_id, d["prompt"], d["lines"], d["labels"], **extra)
        return getattr(lesson, method)(item_id, d["prompt"], d["options"], **extra)
    return show


def _written(lesson, item_id: str, d: dict):
    return lesson.written_reply(item_id, d["prompt"], d["statement"], graded=d["graded"],
                                expected_skills=d.get("expected_skills"))


def _scenario(lesson, item_id: str, d: dict):
    return lesson.scenario(item_id, d["scenario"], graded=d["graded"])


def _package(lesson, item_id: str, d: dict):
    return lesson.option_package(item_id, d["prompt"], d["parties"], d["options"], d["serves"], d["reasons"],
                                 answer=d.get("answer"), why=d.get("why"))


KINDS: dict[str, ItemKind] = {kind.name: kind for kind in (
    ItemKind("single", "one choice among options", ("prompt", "options"), ("answer", "why"), show=_choice("single_choice")),
    ItemKind("multiple", "select all that apply", ("prompt", "options"), ("answer", "why"), show=_choice("multiple_choice")),
    ItemKind("classify", "a label for each line", ("prompt", "lines", "labels"), ("answer", "why"), show=_choice("classify")),
    ItemKind("package", "a package of options, each with a reason", ("prompt", "parties", "options", "serves", "reasons"),
             ("answer", "why"), show=_package),
    ItemKind("written", "a reply in the student's own words", ("prompt", "statement"), ("expected_skills",),
             practice_answer=False, show=_written),
    ItemKind("scenario", "a branching scenario played move by move", ("scenario",), (),
             practice_answer=False, show=_scenario),
)}


def kind_of(name: Any, where: str) -> ItemKind:
    from .definitions import ItemDefinitionError

    if name not in KINDS:
        raise ItemDefinitionError(f"{where}: kind must be one of {', '.join(KINDS)}, not {name!r}")
    return KINDS[name]
