"""The course's nbgrader pipelines against nbgrader's own defaults: an nbgrader upgrade that adds or
renames a step must not be dropped silently by nbgrader_config.py. Each of nbgrader's default
steps is either in the course's list, or replaced by a named course step that subclasses it (or
is named here with the reason it is replaced). The course's own steps run in the order
course/grading/steps.py gives, each after the steps whose state it reads, and every class
nbgrader_config.py names (and every older configuration name) imports."""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]

# nbgrader step -> the course step that does its job instead, and why.
REPLACED = {
    "nbgrader.preprocessors.execute.Execute": "course.grading.run.sandbox.SandboxedExecute",
    "nbgrader.preprocessors.checkcellmetadata.CheckCellMetadata": "course.grading.intake.metadata_check.CompiledCheckCellMetadata",
    "nbgrader.preprocessors.deduplicateids.DeduplicateIds": "course.grading.intake.dedupe.DeduplicateGradedCells",
}


def course_config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()


def qualified(step) -> str:
    if isinstance(step, str):
        module, _, name = step.rpartition(".")
        step = getattr(importlib.import_module(module), name)
    return f"{step.__module__}.{step.__qualname__}"


def steps(names) -> list:
    found = []
    for name in names:
        module, _, attr = name.rpartition(".") if isinstance(name, str) else (None, None, None)
        found.append(getattr(importlib.import_module(module), attr) if isinstance(name, str) else name)
    return found


@pytest.mark.parametrize("app, trait", [
    ("nbgrader.converters.Autograde", "sanitize_preprocessors"),
    ("nbgrader.converters.Autograde", "autograde_preprocessors"),
    ("nbgrader.converters.GenerateAssignment", "preprocessors"),
    ("nbgrader.converters.GenerateFeedback", "preprocessors"),
])
def test_every_default_nbgrader_step_is_kept_or_replaced_by_a_subclass(app, trait):
    module, _, name = app.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    defaults = [qualified(s) for s in cls.class_traits()[trait].default()]
    configured = getattr(course_config(), name)[trait]
    ours = steps(configured)
    ours_names = {qualified(s) for s in ours}
    for default in defaults:
        if default in ours_names:
            continue
        replacement = REPLACED.get(default)
        assert replacement in ours_names, f"{name}.{trait}: nbgrader's {default} is missing and nothing replaces it"
        base = steps([default])[0]
        assert issubclass(steps([replacement])[0], base), f"{replacement} should subclass {default}"


def test_course_steps_are_nbgrader_preprocessors():
    from nbgrader.preprocessors import NbGraderPreprocessor

    config = course_config()
    for trait in ("sanitize_preprocessors", "autograde_preprocessors"):
        for step in steps(config.Autograde[trait]):
            if step.__module__.startswith("course."):
                assert issubclass(step, NbGraderPreprocessor), f"{step} should subclass nbgrader's preprocessor"


COURSE_PIPELINES = [  # nbgrader_config.py's list(s) -> the course's order in course/grading/steps.py
    (["GenerateAssignment.preprocessors"], "GENERATE"),
    (["Autograde.sanitize_preprocessors"], "SANITIZE"),
    (["Autograde.autograde_preprocessors"], "AUTOGRADE"),
    (["GenerateFeedback.preprocessors"], "GENERATE_FEEDBACK"),
]


def configured(lists: list[str]) -> list:
    config = course_config()
    return steps([name for entry in lists for name in config[entry.split(".")[0]][entry.split(".")[1]]])


@pytest.mark.parametrize("lists, order", COURSE_PIPELINES)
def test_the_course_steps_run_in_the_order_steps_py_gives(lists, order):
    from course.grading import steps as course_steps

    expected = list(getattr(course_steps, order))
    ours = [step for step in configured(lists) if step in expected or step.__module__.startswith("course.")]
    assert ours == expected, f"{lists}: the course's steps should be {[s.__name__ for s in expected]}"


def test_each_step_comes_after_the_steps_whose_state_it_reads():
    from course.grading.state import GradingState

    entries = GradingState.entries()
    sequence = configured(["Autograde.sanitize_preprocessors", "Autograde.autograde_preprocessors"])
    given: set[str] = set()
    for step in sequence:
        for entry in getattr(step, "reads", ()):
            assert entry in entries, f"{step.__name__} reads {entry!r}, which GradingState does not hold"
            assert entry in given, f"{step.__name__} reads {entry!r}: {entries[entry].writer} must come before it"
        for entry in getattr(step, "gives", ()):
            assert entries[entry].writer == step.__name__, f"{entry!r} is written by {entries[entry].writer}"
            given.add(entry)


@pytest.mark.parametrize("lists", [lists for lists, _ in COURSE_PIPELINES])
def test_course_steps_keep_their_place_among_nbgrader_steps(lists):
    names = [step.__name__ for step in configured(lists)]
    for index, step in enumerate(configured(lists)):
        for before in getattr(step, "after", ()):
            assert before in names[:index], f"{step.__name__} must come after nbgrader's {before}"
        for later in getattr(step, "before", ()):
            assert later in names[index + 1:], f"{step.__name__} must come before nbgrader's {later}"


def test_a_step_run_out_of_order_names_the_step_it_needs():
    from course.grading.steps import CheckCodeOutsideKernel, ScoreRecordedAnswers

    with pytest.raises(RuntimeError, match="ScoreRecordedAnswers needs SnapshotRecordedAnswers earlier"):
        ScoreRecordedAnswers().preprocess(None, {})
    with pytest.raises(RuntimeError, match="CheckCodeOutsideKernel needs PlanGraderScoring earlier"):
        CheckCodeOutsideKernel().preprocess(None, {})


# Stable configuration names: nbgrader_config.py files written before course/grading/ was laid
# out by phase name these; each must still be the step nbgrader_config.py names today.
STABLE_NAMES = [
    "course.grading.preprocessors.RefuseAnswerFiles", "course.grading.preprocessors.StripRuntimeMetadata",
    "course.grading.preprocessors.SnapshotRecordedAnswers", "course.grading.preprocessors.ScoreRecordedAnswers",
    "course.grading.preprocessors.ConfirmWrittenSuggestions", "course.grading.preprocessors.assignment_answer_files",
    "course.grading.student_checks.FriendlyCodeChecks", "course.grading.dedupe.DeduplicateGradedCells",
    "course.grading.metadata_check.CompiledCheckCellMetadata", "course.grading.grader_scoring.PlanGraderScoring",
    "course.grading.grader_scoring.CheckCodeOutsideKernel", "course.grading.review.FlagInterpreterTampering",
    "course.grading.review.AddGraderNotes", "course.grading.review.RecordReviewFlag",
    "course.grading.sandbox.SandboxedExecute", "course.grading.student_html.NeutraliseStudentHtml",
    "course.grading.feedback.HideHiddenTests", "course.grading.feedback.DropWidgetOutputs",
    "course.grading.feedback.CleanFeedbackPages", "course.grading.safe_collect.LinkRefusingCollect",
    "course.grading.intake.SubmissionIntake",
]


@pytest.mark.parametrize("name", STABLE_NAMES)
def test_a_stable_configuration_name_still_imports(name):
    from traitlets.utils.importstring import import_item

    from course.grading import steps as course_steps

    assert import_item(name) is getattr(course_steps, name.rpartition(".")[2])


def test_every_class_the_course_configuration_names_imports():
    import re

    from traitlets.utils.importstring import import_item

    text = (ROOT / "nbgrader_config.py").read_text()
    named = set(re.findall(r'"((?:course|nbgrader|nbconvert)\.[\w.]+\.[A-Z]\w*)"', text))
    named |= {f"{module}.{name.strip()}" for module, names in re.findall(r"^from (course[\w.]*) import (.+?)(?:  #|$)",
                                                                         text, re.M) for name in names.split(",")}
    assert any(n.startswith("course.grading.steps.") for n in named)
    for name in sorted(named):
        assert import_item(name) is not None, name
