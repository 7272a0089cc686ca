"""The course's nbgrader pipelines against nbgrader's own defaults: an nbgrader upgrade that adds or
renames a step must not be dropped silently by nbgrader_config.py. Each of nbgrader's default
steps is either in the course's list, or replaced by a named course step that subclasses it (or
is named here with the reason it is replaced)."""
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
