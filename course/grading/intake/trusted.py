"""What the grader trusts, read from the instructor's side of the course, never the student's.

A submitted notebook can carry anything: the grader decides how each graded cell is scored
from the instructor's source notebook (`source/<assignment>/<notebook>.ipynb`, located through
nbgrader's CourseDirectory so a custom `source_directory` is honoured) and the answer key
(`keys/<assignment>.yaml`). Either missing or unreadable stops the grading of that notebook:
grading without them would fail open.
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from ...errors import CourseError
from ...items.types import ItemKey
from ..file_versions import per_file_version
from ..score.keys import KeyError_, key_path, load_keys


class TrustedSourceError(CourseError):
    """The instructor's source notebook or key is missing or unreadable; the message names the file."""


def source_notebook_path(config, assignment: str, notebook: str) -> Path:
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    return Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook}.ipynb"


def read_source_notebook(config, assignment: str, notebook: str):
    """The instructor's notebook; parsed once per file version (three grading steps read it per
    submission, and a worker grades many), a fresh copy each call so no step changes another's."""
    path = source_notebook_path(config, assignment, notebook)
    try:
        return copy.deepcopy(_parse_notebook(path))
    except FileNotFoundError:
        raise TrustedSourceError(f"{path}: the instructor's source notebook is missing; "
                                 f"{assignment}/{notebook} cannot be graded safely") from None
    except Exception as exc:  # noqa: BLE001 - any parse failure means the same thing here
        raise TrustedSourceError(f"{path}: the instructor's source notebook cannot be read ({exc})") from None


@per_file_version()
def _parse_notebook(name: str):
    return nbformat.read(name, as_version=4)


def read_keys(keys_dir: str | Path, assignment: str, scenarios_dir: str | Path | None = None) -> dict[str, ItemKey]:
    """The assignment's answer key; a missing or broken key stops grading (it must never fail open)."""
    try:
        return load_keys(key_path(keys_dir, assignment), scenarios_dir)
    except KeyError_ as exc:
        raise TrustedSourceError(f"{exc}; grading of {assignment} stopped (a code-only assignment "
                                 f"needs a key file too: `items: {{}}`)") from None


def read_definitions(config, assignment: str, notebook: str) -> dict[str, dict]:
    """The lesson's item definitions from the instructor's source folder (what the student saw:
    prompts and option texts, for the feedback); {} when the lesson has none. They never decide
    a score, so a broken file is reported in the log and the feedback shows letters only."""
    from ...items import ItemDefinitionError, items_path

    path = items_path(source_notebook_path(config, assignment, notebook).parent, notebook)
    try:
        return _parse_definitions(path)
    except FileNotFoundError:
        return {}
    except ItemDefinitionError as exc:
        import logging

        logging.getLogger("course.grading").error("%s", exc)
        return {}


@per_file_version()
def _parse_definitions(name: str) -> dict[str, dict]:
    # Callers only read it.
    from ...items import load_definitions

    return load_definitions(name)
