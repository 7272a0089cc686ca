"""A lesson notebook's handle: its answers file and its exercises.

A notebook starts with `lesson = Lesson("02-active-listening")`; the id must be the
notebook's file name without `.ipynb`, because the grader looks for
`<id>.answers.json` next to the submitted notebook. Each exercise cell is one line,
`lesson.show("al-g2")`, which builds the item from its definition in `<id>.items.json`
beside the notebook (course/items/); the methods below build one from Python directly.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .exercises.base import GRADED, PRACTICE, Exercise, ExerciseError
from .exercises.classify import Classify
from .exercises.multiple import MultipleChoice
from .exercises.package import OptionPackage
from .exercises.single import SingleChoice
from .recording import AnswerStore


class Lesson:
    def __init__(self, notebook_id: str, folder: str = "."):
        self.notebook_id = notebook_id
        self.folder = folder
        self.store = AnswerStore.for_notebook(notebook_id, folder)
        self.exercises: dict[str, Exercise] = {}
        self._definitions: dict[str, dict] | None = None

    def show(self, item_id: str) -> Exercise:
        """The exercise `item_id`, as its definition in `<notebook>.items.json` describes it."""
        from .items import KINDS, items_path, load_definitions

        if self._definitions is None:
            self._definitions = load_definitions(items_path(self.folder, self.notebook_id))
        definition = self._definitions.get(item_id)
        if definition is None:
            raise ExerciseError(f"{items_path(self.folder, self.notebook_id)}: no item {item_id!r} "
                                f"(it defines {', '.join(self._definitions) or 'none'})")
        return KINDS[definition["kind"]].show(self, item_id, definition)

    # Practice when an answer is given (it is shown to the student anyway);
    # graded when not (the key lives only in the instructor's keys/ folder).
    def single_choice(self, item_id: str, prompt: str, options: dict[str, str],
                      answer: str | None = None, why: dict[str, str] | None = None) -> SingleChoice:
        return self._add(SingleChoice(item_id, prompt, options, self.store, _mode(answer), answer, why))

    def multiple_choice(self, item_id: str, prompt: str, options: dict[str, str],
                        answer: list[str] | None = None, why: dict[str, str] | None = None) -> MultipleChoice:
        return self._add(MultipleChoice(item_id, prompt, options, self.store, _mode(answer), answer, why))

    def classify(self, item_id: str, prompt: str, items: dict[str, str], labels: dict[str, str],
                 answer: dict[str, str] | None = None, why: dict[str, str] | None = None) -> Classify:
        return self._add(Classify(item_id, prompt, items, labels, self.store, _mode(answer), answer, why))

    def written_reply(self, item_id: str, prompt: str, statement: str, graded: bool = False,
                      expected_skills: list[str] | None = None):
        """The student writes their own reply to `statement`; practice shows the skills recognised."""
        from .exercises.written import WrittenReply

        return self._add(WrittenReply(item_id, prompt, statement, self.store, GRADED if graded else PRACTICE,
                                      expected_skills))

    def scenario(self, item_id: str, scenario: str, graded: bool = False):
        """A branching scenario player; `scenario` is a scenario id (released with the lesson in
        its scenarios/ folder, or a practice scenario of the package) or a YAML file path. On a
        class hub a graded scenario is played on the course recorder, which sends this kernel
        only the node the student is at (course/recorder/client.py)."""
        from .exercises.scenario import ScenarioPlayer
        from .scenarios import resolve_scenario
        from .scenarios.play import ScenarioPlay, scenario_header

        mode = GRADED if graded else PRACTICE
        if graded:
            from .recorder.client import RecorderError, RemoteScenarioPlay

            try:
                remote = RemoteScenarioPlay.open(self.notebook_id, item_id)
            except RecorderError as exc:
                raise ExerciseError(f"{item_id}: this graded scenario is played on the course server, and {exc}. "
                                    f"Run this cell again in a moment; tell your instructor if this stays.") from None
            if remote is not None:
                return self._add(ScenarioPlayer(item_id, remote, remote.header, self.store, mode))
        loaded = resolve_scenario(scenario, bases=[self.folder], folders=[Path(self.folder) / "scenarios"])
        return self._add(ScenarioPlayer(item_id, ScenarioPlay(loaded, graded), scenario_header(loaded), self.store, mode))

    def option_package(self, item_id: str, prompt: str, parties: dict[str, dict], options: dict[str, str],
                       serves: dict[str, list[str]], reasons: dict[str, str],
                       answer: dict | None = None, why: dict[str, str] | None = None) -> OptionPackage:
        """Build a package of options (step 1) and give a reason for each (step 2).
        `parties` maps a party id to {"name", "interests": {id: text}}; `serves` maps an
        option to the "party.interest" it serves (shown to the student as a table)."""
        return self._add(OptionPackage(item_id, prompt, parties, options, serves, reasons, self.store,
                                       _mode(answer), answer, why))

    def _add(self, exercise: Exercise) -> Exercise:
        self.exercises[exercise.item_id] = exercise
        return exercise

    def answer(self, item_id: str, value: Any) -> str:
        """Answer an exercise from plain Python (keyboard users, VS Code, tests).

        Saves exactly what the widget's button saves, e.g.
        `lesson.answer("al-p1", "c")` (an option's letter, whatever order it is shown in),
        `lesson.answer("al-p6", ["a", "c"])`, `lesson.answer("al-p2", {"s1": "expressive"})`.
        """
        exercise = self.exercises.get(item_id)
        if exercise is None:
            raise ExerciseError(
                f"{self.notebook_id}: no exercise {item_id!r} has been shown yet in this session; "
                f"run its cell first (known: {sorted(self.exercises)})")
        exercise.submit(value)
        return f"Saved {item_id}: {value!r}"

    def saved(self, item_id: str):
        """What the test cell of a graded item shows the student: whether an answer is saved,
        kept up to date as they save (the grader scores the item itself, outside the kernel)."""
        import os

        import ipywidgets as widgets

        from .exercises.page_script import display_page_script, time_html

        if os.environ.get("NBGRADER_EXECUTION") == "autograde":
            # The grader never runs this cell; if it does, nbgrader_config.py lacks the course's
            # grading steps, and this error makes the item score 0 rather than full marks.
            raise RuntimeError(f"{item_id} is scored by the course grader (PlanGraderScoring and "
                               "ScoreRecordedAnswers), which did not run; check nbgrader_config.py")

        def describe(record) -> str:
            if record is None:
                return f"<p><em>{item_id}: not answered yet.</em> Answer it above and press its save button.</p>"
            return (f"<p>{item_id}: answer saved at {time_html(record.get('saved_at', ''))}. "
                    "It is scored when your submission is graded.</p>")

        line = widgets.HTML(describe(self.store.get(item_id)))

        def refresh(saved_item, record):
            if saved_item == item_id:
                line.value = describe(record)

        self.store.listeners.append(refresh)
        display_page_script()   # shows the saved time in the student's time zone
        return line


    def check_code(self, item_id: str, names: list[str], checks: str, namespace: dict | None = None) -> None:
        """What a code exercise's check cell runs in the released notebook: the exercise's
        visible checks, in the student's namespace, reporting "Not yet: ..." instead of raising,
        so Run All goes on (and returns nothing, so the cell shows only the message). The grader runs the instructor's own
        checks outside the kernel (course/grading/run/code_checks.py); this is only the student's view.
        Under `nbgrader validate` a failed check raises, so Validate reports it."""
        import os
        import sys

        mode = os.environ.get("NBGRADER_EXECUTION")
        if mode == "autograde":
            # As for `saved`: the grader replaces this cell; if it runs, the config is wrong.
            raise RuntimeError(f"{item_id} is checked by the course grader (PlanGraderScoring and "
                               "CheckCodeOutsideKernel), which did not run; check nbgrader_config.py")
        if namespace is None:
            namespace = sys._getframe(1).f_globals  # the notebook's namespace, where the cell runs
        if mode is None:
            self._explain_missing_names(item_id, names)
        try:
            exec(compile(checks, f"<checks of {item_id}>", "exec"), namespace)
        except AssertionError as exc:
            message = str(exc).strip() or "one of the checks failed"
            self._not_yet(message if message[-1] in ".?!" else message + ".", exc, mode)
        except NameError as exc:
            name = getattr(exc, "name", None) or str(exc)
            if name in names:
                why = (f"`{name}` is not made yet: write it in the cell above, run that cell, "
                       "then run this one.")
            else:
                why = (f"`{name}` is not defined: it comes from a cell above, which needs the exercises "
                       "before it. Finish those, run the cells above (Run ▸ Run All Cells), then this one.")
            self._not_yet(why, exc, mode)
        except Exception as exc:  # the student's values made a check fail in another way
            self._not_yet(f"checking your answer gave {type(exc).__name__}: {exc}. Look at what you "
                          "wrote in the cell above.", exc, mode)

    def _explain_missing_names(self, item_id: str, names: list[str]) -> None:
        """In the student's kernel, a NameError for a name a code exercise makes says which
        exercise to finish, instead of a bare traceback (the cells using it are tagged
        raises-exception at release, so Run All goes on past them)."""
        owners = self.__dict__.setdefault("_exercise_names", {})
        owners.update({name: item_id for name in names})
        if self.__dict__.get("_name_error_hook"):
            return
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        if shell is None or not hasattr(shell, "set_custom_exc"):
            return

        def explain(shell, etype, value, tb, tb_offset=None):
            # IPython ignores what a custom handler returns: it must show the error itself.
            owner = owners.get(getattr(value, "name", None))
            if owner is None:
                shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            else:
                shell._showtraceback(etype, value, [
                    f"NameError: `{value.name}` is made by the code exercise {owner} above, which is not done "
                    "yet. Finish it (its check says what is missing), then run this cell again."])

        shell.set_custom_exc((NameError,), explain)
        self._name_error_hook = True

    @staticmethod
    def _not_yet(message: str, exc: BaseException, mode: str | None) -> None:
        print(f"Not yet: {message}")
        if mode == "validate":
            raise exc


def _mode(answer: Any) -> str:
    return PRACTICE if answer is not None else GRADED
