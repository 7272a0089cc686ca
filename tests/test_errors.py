"""Every error an instructor or author can act on is a CourseError, so `course` commands print it
without a traceback; each keeps its builtin base, so code that caught it before still does."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from course.errors import CourseError

ROOT = Path(__file__).resolve().parents[1]

USER_ERRORS = [  # (module, class, the builtin base it had before CourseError)
    ("course.coursedir", "CourseError", RuntimeError),
    ("course.authoring", "LessonFormatError", ValueError),
    ("course.grading.score.keys", "KeyError_", ValueError),
    ("course.items.unique", "DuplicateItemError", ValueError),
    ("course.items.definitions", "ItemDefinitionError", ValueError),
    ("course.roster", "RosterError", ValueError),
    ("course.report", "ReportError", ValueError),
    ("course.simulation.banks", "SimulationDataError", ValueError),
    ("course.grading.intake.trusted", "TrustedSourceError", RuntimeError),
    ("course.grading.parallel.records", "ParallelGradingError", RuntimeError),
    ("course.grading.run.sandbox", "SandboxError", RuntimeError),
    ("course.scenarios.errors", "ScenarioError", Exception),
    ("course.listening.corpus", "CorpusError", ValueError),
]


@pytest.mark.parametrize("module, name, builtin", USER_ERRORS)
def test_each_user_error_is_a_course_error(module, name, builtin):
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, CourseError) and issubclass(cls, builtin)


def test_coursedir_still_exports_the_base():
    from course.coursedir import CourseError as from_coursedir

    assert from_coursedir is CourseError


def test_the_errors_module_imports_nothing_of_the_course():
    tree = ast.parse((ROOT / "course" / "errors.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0 and not (node.module or "").startswith("course"), ast.unparse(node)
        elif isinstance(node, ast.Import):
            assert not any(alias.name.startswith("course") for alias in node.names), ast.unparse(node)


def test_a_user_error_reaches_the_command_line_without_a_traceback(monkeypatch, capsys):
    from course.cli import main as cli
    from course.cli import status
    from course.roster import RosterError

    def broken(args):
        raise RosterError("roster.csv line 2, column 5: 'x' is under a column with no name")

    monkeypatch.setattr(status, "run", broken)   # read when the parser is built
    assert cli.main(["status"]) == 1
    assert "course status: error: roster.csv line 2" in capsys.readouterr().err
