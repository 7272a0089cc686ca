"""The one registry of item kinds. For each kind, in one entry:

- its definition: the fields a lesson gives it (`<!-- item -->` cells, course/items/definitions.py)
  and whether a practice item carries its answer there;
- `show`: how a lesson shows it (the widget, course/exercises/);
- `key_check`: what its entry in the instructor's keys/<lesson>.yaml must hold;
- `value_check`: what of a saved answer the item defines (course/items/answer_check.py), kept
  before anything scores, counts or draws it;
- `scorer`: how the grader scores a saved answer against the instructor's key (keys/);
- `simulator`: how a simulated student answers it (course/simulation/answers.py);
- `report`: how the class report shows its results (course/report/sections.py).

The last five are "module:function" names, imported on first use, so reading the registry
costs nothing and no module imports another's dependencies (the grader never loads widgets).
A new kind is its modules' functions plus one entry here. `code` is an nbgrader solution and
test cell, not a defined item: it has only a report section (nbgrader scores it). Each role's
signature is a Protocol below (tests/test_item_kinds.py holds every registered function to it);
what callers need to know about a kind is a flag (`keyed`, `needs_manual_review`,
`chooses_options`), never a test on its name.
"""
from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Protocol, overload

from .types import ItemKey, ItemResult


class KeyCheck(Protocol):
    """(the kind's entry in keys/<lesson>.yaml) -> "" when sound, else what is wrong, in a phrase."""
    def __call__(self, spec: dict, /) -> str: ...


class ValueCheck(Protocol):
    """(the student's saved value, the item's definition or None, its key or None) -> (what the
    item defines of it, a note on what was dropped or "")."""
    def __call__(self, value: Any, definition: dict | None, key: Any, /) -> tuple[Any, str]: ...


class Scorer(Protocol):
    """(key, the student's saved value) -> the result; a malformed value scores 0 with a reason."""
    def __call__(self, key: ItemKey, value: Any, /) -> ItemResult: ...


class Simulator(Protocol):
    """(key, skill in [0, 1], rng, simulation.answers.Context) -> the value a simulated student saves."""
    def __call__(self, key: ItemKey, skill: float, rng: random.Random, context: Any, /) -> Any: ...


class ReportSection(Protocol):
    """(report.analyse.AssignmentReport, the item's row, the output folder) -> HTML parts."""
    def __call__(self, report: Any, row: Any, out: Path, /) -> list[str]: ...


ROLES: dict[str, type] = {"key_check": KeyCheck, "value_check": ValueCheck, "scorer": Scorer, "simulator": Simulator,
                          "report": ReportSection}


@dataclass(frozen=True)
class ItemKind:
    name: str
    summary: str
    required: tuple[str, ...] = ()     # fields every definition of this kind has
    optional: tuple[str, ...] = ()     # fields it may have
    practice_answer: bool = True       # a practice item carries answer/why; a graded one never does
    show: Callable[[Any, str, dict], Any] | None = None  # (lesson, item id, definition) -> widget; None: not defined in lessons
    keyed: bool = True                 # scored from keys/<lesson>.yaml by the course grader
    needs_manual_review: bool = False  # its score is a suggestion an instructor confirms in formgrader
    chooses_options: bool = False      # the answer is one or more of the definition's `options`
    key_check: str = ""                # "module:function" (key entry) -> "" or what is wrong with it
    value_check: str = ""              # "module:function" (value, definition, key) -> (kept value, note)
    scorer: str = ""                   # "module:function" (ItemKey, saved value) -> ItemResult
    simulator: str = ""                # "module:function" (ItemKey, skill, rng, context) -> saved value
    report: str = ""                   # "module:function" (AssignmentReport, item row, out folder) -> HTML parts

    @property
    def fields(self) -> tuple[str, ...]:
        return ("kind", "graded", *self.required, *self.optional)

    @overload
    def function(self, role: Literal["key_check"]) -> KeyCheck | None: ...
    @overload
    def function(self, role: Literal["value_check"]) -> ValueCheck | None: ...
    @overload
    def function(self, role: Literal["scorer"]) -> Scorer | None: ...
    @overload
    def function(self, role: Literal["simulator"]) -> Simulator | None: ...
    @overload
    def function(self, role: Literal["report"]) -> ReportSection | None: ...

    def function(self, role: str) -> Callable | None:
        """The kind's function for `role` (one of ROLES), or None if it has none."""
        name = getattr(self, role)
        if not name:
            return None
        module, _, attribute = name.partition(":")
        return getattr(importlib.import_module(module), attribute)


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


SCORE = "course.grading.score.item"
VALUES = "course.items.answer_check"
KEYS = "course.grading.score.keys"
SIMULATE = "course.simulation.answers"
SECTIONS = "course.report.sections"

KINDS: dict[str, ItemKind] = {kind.name: kind for kind in (
    ItemKind("single", "one choice among options", ("prompt", "options"), ("answer", "why"), show=_choice("single_choice"),
             chooses_options=True,
             key_check=f"{KEYS}:check_choice_key", value_check=f"{VALUES}:check_single", scorer=f"{SCORE}:score_single", simulator=f"{SIMULATE}:plan_single", report=f"{SECTIONS}:choice_section"),
    ItemKind("multiple", "select all that apply", ("prompt", "options"), ("answer", "why"), show=_choice("multiple_choice"),
             chooses_options=True,
             key_check=f"{KEYS}:check_choice_key", value_check=f"{VALUES}:check_multiple", scorer=f"{SCORE}:score_multiple", simulator=f"{SIMULATE}:plan_multiple", report=f"{SECTIONS}:choice_section"),
    ItemKind("classify", "a label for each line", ("prompt", "lines", "labels"), ("answer", "why"), show=_choice("classify"),
             key_check=f"{KEYS}:check_choice_key", value_check=f"{VALUES}:check_classify", scorer=f"{SCORE}:score_classify", simulator=f"{SIMULATE}:plan_classify", report=f"{SECTIONS}:lines_section"),
    ItemKind("package", "a package of options, each with a reason", ("prompt", "parties", "options", "serves", "reasons"),
             ("answer", "why"), show=_package,
             key_check=f"{KEYS}:check_package_key", scorer="course.grading.score.package:score_package", simulator=f"{SIMULATE}:plan_package_item"),
    ItemKind("written", "a reply in the student's own words", ("prompt", "statement"), ("expected_skills",),
             practice_answer=False, show=_written, needs_manual_review=True,
             key_check=f"{KEYS}:check_written_key", scorer="course.grading.score.written:score_written", simulator=f"{SIMULATE}:plan_written"),
    ItemKind("scenario", "a branching scenario played move by move", ("scenario",), (),
             practice_answer=False, show=_scenario,
             key_check=f"{KEYS}:check_scenario_key", scorer="course.grading.score.scenario:score_scenario", simulator=f"{SIMULATE}:plan_scenario_item",
             report=f"{SECTIONS}:scenario_section"),
    ItemKind("code", "an nbgrader solution cell checked by its test cell", keyed=False,
             report=f"{SECTIONS}:code_section"),
)}
DEFINED = tuple(name for name, kind in KINDS.items() if kind.show is not None)   # kinds a lesson defines
KEYED = tuple(name for name, kind in KINDS.items() if kind.keyed)                 # kinds keys/ holds


def kind_of(name: Any, where: str) -> ItemKind:
    from .definitions import ItemDefinitionError

    if name not in DEFINED:
        raise ItemDefinitionError(f"{where}: kind must be one of {', '.join(DEFINED)}, not {name!r}")
    return KINDS[name]
