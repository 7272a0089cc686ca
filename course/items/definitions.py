"""A lesson's item definitions: `<notebook>.items.json` beside the notebook.

`python -m course.authoring` writes it from the lesson file's `<!-- item id=... -->` cells; the
release ships it with the notebook, so each exercise cell is one line, `lesson.show("al-g2")`,
and no answer is readable in a cell. It holds what the student sees (prompt, options, lines,
labels, a scenario's id) and, for practice items only, the answer and explanations shown at
once. Graded answers are never in it: they are in keys/. At grading, nbgrader copies the
instructor's version over the student's (Autograde overwrites released files), and the course
grader reads the instructor's file, never the submitted one.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import CourseError
from .kinds import kind_of

FORMAT = 1


class ItemDefinitionError(CourseError, ValueError):
    """An item definition is wrong or missing; the message names the file and the item."""


def items_path(folder: str | Path, notebook_id: str) -> Path:
    return Path(folder) / f"{notebook_id}.items.json"


def check_definition(item_id: str, spec: Any, where: str) -> dict:
    """The definition normalised (`graded` always present), or an error naming `where` and the field."""
    if not isinstance(spec, dict):
        raise ItemDefinitionError(f"{where}: item {item_id!r} must be a mapping of fields, not {type(spec).__name__}")
    kind = kind_of(spec.get("kind"), f"{where}: item {item_id!r}")
    unknown = sorted(set(spec) - set(kind.fields))
    if unknown:
        raise ItemDefinitionError(f"{where}: item {item_id!r} ({kind.name}) has unknown field(s) {', '.join(unknown)}; "
                                  f"a {kind.name} item has {', '.join(kind.fields)}")
    missing = [name for name in kind.required if name not in spec]
    if missing:
        raise ItemDefinitionError(f"{where}: item {item_id!r} ({kind.name}) needs {', '.join(missing)}")
    spec = dict(spec)
    has_answer = "answer" in spec
    graded = spec.setdefault("graded", kind.practice_answer and not has_answer)
    if not isinstance(graded, bool):
        raise ItemDefinitionError(f"{where}: item {item_id!r}: graded must be true or false, not {graded!r}")
    if kind.practice_answer:
        if graded and (has_answer or "why" in spec):
            raise ItemDefinitionError(
                f"{where}: item {item_id!r} is graded, so its answer and explanations belong in keys/, "
                "not in the lesson (everything here is released to students)")
        if not graded and not has_answer:
            raise ItemDefinitionError(f"{where}: practice item {item_id!r} needs an answer (shown at once when checked)")
    for name in ("options", "lines", "labels", "reasons", "why", "parties", "serves"):
        if name in spec and not (isinstance(spec[name], dict) and spec[name]):
            raise ItemDefinitionError(f"{where}: item {item_id!r}: {name} must be a non-empty mapping")
    for name in ("prompt", "statement", "scenario"):
        if name in spec and not (isinstance(spec[name], str) and spec[name].strip()):
            raise ItemDefinitionError(f"{where}: item {item_id!r}: {name} must be non-empty text")
    return spec


def render_definitions(lesson_id: str, items: dict[str, dict]) -> str:
    return json.dumps({"format": FORMAT, "lesson": lesson_id, "items": items}, indent=1, ensure_ascii=False) + "\n"


def load_definitions(path: str | Path) -> dict[str, dict]:
    """{item id: definition}, in lesson order; every problem names the file and the item."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ItemDefinitionError(
            f"{path} is missing: it holds this lesson's questions and comes with the notebook. "
            "Fetch the lesson again (or, as the instructor, run `course generate`).") from None
    except (OSError, ValueError) as exc:
        raise ItemDefinitionError(f"{path}: cannot be read as item definitions ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("items"), dict):
        raise ItemDefinitionError(f"{path}: not an item-definitions file (expected format {FORMAT} with 'items')")
    return {item_id: check_definition(item_id, spec, str(path)) for item_id, spec in data["items"].items()}


def lesson_definitions(folder: str | Path) -> dict[str, dict]:
    """Every item defined in a lesson folder (all its `*.items.json`), in lesson order; {} when
    the lesson has none (a plain nbgrader assignment). A broken file raises ItemDefinitionError."""
    found: dict[str, dict] = {}
    for path in sorted(Path(folder).glob("*.items.json")):
        found.update(load_definitions(path))
    return found
