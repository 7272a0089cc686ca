"""Gather the autograder's results into one tidy table, and note every problem on the way.

Widget items come from `autograded/<student>/<assignment>/<notebook>.grading.json` (written by
`course.grading.steps.ScoreRecordedAnswers`) and the answer keys in `keys/`; the
autograded code test cells that no key covers come from nbgrader's gradebook (`gradebook`,
kind "code"), for the students with a readable grading file.
Never raises for a bad file: a missing, unreadable or malformed grading file, a missing
key, or an unreadable gradebook becomes a line in `Collection.problems` and the rest is
still reported.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..coursedir import CourseDir
from ..grading.feedback.grading_file import GRADING_SUFFIX
from ..grading.score.keys import KeyError_, key_path, load_keys
from ..items.answer_check import checked_value
from ..items.types import ItemKey

COLUMNS = ["student", "assignment", "item", "kind", "value", "fraction", "points", "max_points",
           "answered", "section", "file"]


@dataclass
class Problem:
    where: str      # a file or "<assignment>/<item>"
    what: str
    assignment: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Collection:
    items: pd.DataFrame                                   # one row per (student, assignment, item)
    students: dict[str, list[str]]                        # assignment -> students with a readable grading file
    keys: dict[str, dict[str, ItemKey]]                   # assignment -> item id -> key (empty if no key)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)    # answers-file notes copied from grading files
    # assignment -> item id -> what the student saw (prompt, option and line texts), in lesson
    # order, from the instructor's source/<assignment>/*.items.json; empty for a plain assignment
    definitions: dict[str, dict[str, dict]] = field(default_factory=dict)

    @property
    def assignments(self) -> list[str]:
        return sorted(self.students)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def read_grading_file(path: Path, root: Path, keys: dict[str, ItemKey], student: str, assignment: str
                      ) -> tuple[list[dict], list[Problem], list[Problem]]:
    """Rows of one grading file, the problems found in it, and the answers-file notes it carries."""
    where = _rel(path, root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(where, f"cannot be read ({type(exc).__name__}: {exc}); student left out")], []
    except json.JSONDecodeError as exc:
        return [], [Problem(where, f"is not valid JSON ({exc}); student left out")], []
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return [], [Problem(where, "has no 'items' list; student left out")], []
    problems, rows = [], []
    for n, raw in enumerate(data["items"], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("item"), str):
            problems.append(Problem(where, f"entry {n} is not an item record; skipped"))
            continue
        item = raw["item"]
        fraction, points, max_points = (_number(raw.get(k)) for k in ("fraction", "points", "max_points"))
        if fraction is None or points is None or max_points is None or not 0 <= fraction <= 1:
            problems.append(Problem(where, f"item {item!r} has no valid fraction/points/max_points; skipped"))
            continue
        key = keys.get(item)
        if keys and key is None:
            problems.append(Problem(where, f"item {item!r} is not in keys/{assignment}.yaml; reported without key"))
        rows.append({
            "student": student, "assignment": assignment, "item": item,
            "kind": key.kind if key else str(raw.get("kind", "")),
            "value": raw.get("value"), "fraction": fraction, "points": points, "max_points": max_points,
            "answered": bool(raw.get("answered", raw.get("value") is not None)),
            "section": (key.section if key and key.section else str(raw.get("section") or "")),
            "file": where,
        })
    notes = [Problem(where, str(p)) for p in data.get("problems") or [] if p]
    return rows, problems, notes


def collect(course_root: str | Path, assignments: list[str] | None = None, gradebook: bool = True) -> Collection:
    """Every grading file under `course_root/autograded/`, and (unless `gradebook` is False) the
    gradebook's autograded code test items, as a tidy DataFrame (see COLUMNS)."""
    root = Path(course_root)
    course = CourseDir.readable(root)
    autograded = course.folder("autograded")
    problems: list[Problem] = []
    notes: list[Problem] = []
    rows: list[dict] = []
    students: dict[str, list[str]] = {}
    keys: dict[str, dict[str, ItemKey]] = {}
    plain: dict[str, bool] = {}  # assignment -> no key file: graded by nbgrader alone, no grading files
    if not autograded.is_dir():
        problems.append(Problem(_rel(autograded, root), "no autograded/ folder: run `nbgrader autograde` first"))
    # <student>/<assignment>; not the grader's own .scratch/ and .logs/ (nbgrader's glob skips dot-names too)
    folders = sorted(p for p in autograded.glob("*/*") if p.is_dir() and not p.parent.name.startswith(".")
                     ) if autograded.is_dir() else []
    if autograded.is_dir() and not folders:
        problems.append(Problem(_rel(autograded, root), "no graded submissions yet: run `nbgrader autograde` first"))
    wanted = set(assignments or [])
    for assignment in sorted(wanted - {f.name for f in folders}):
        problems.append(Problem(f"autograded/*/{assignment}", "no student has autograded output for this assignment",
                                    assignment))
        students.setdefault(assignment, [])
    for folder in folders:
        student, assignment = folder.parent.name, folder.name
        if wanted and assignment not in wanted:
            continue
        if assignment not in keys:
            plain[assignment] = not key_path(course.keys_dir, assignment).exists()
            keys[assignment] = {} if plain[assignment] else _load_key(course, assignment, problems)
            students.setdefault(assignment, [])
        files = sorted(folder.glob(f"*{GRADING_SUFFIX}"))
        if not files and plain[assignment]:  # a plain nbgrader assignment (no key): its scores are in the gradebook
            students[assignment].append(student)
            continue
        if not files:
            problems.append(Problem(_rel(folder, root), f"no {GRADING_SUFFIX} file (autograde failed or older "
                                                        f"than the course grader?); student left out", assignment))
            continue
        readable = False
        for path in files:
            got, found, carried = read_grading_file(path, root, keys[assignment], student, assignment)
            problems += [Problem(p.where, p.what, assignment) for p in found]
            notes += [Problem(p.where, p.what, assignment) for p in carried]
            rows += got
            readable = readable or bool(got) or not found
        if readable:
            students[assignment].append(student)
    for assignment in keys:
        if assignment in wanted or not wanted:
            students.setdefault(assignment, [])
    if gradebook:
        from .gradebook import code_item_rows  # nbgrader and SQLAlchemy: imported only here

        covered = {a: set(keys.get(a, {})) | {r["item"] for r in rows if r["assignment"] == a} for a in students}
        counted = {a: sorted(set(s)) for a, s in students.items()}
        code_rows, code_problems = code_item_rows(root, counted, covered)
        rows += code_rows
        problems += code_problems
    definitions = {a: _load_definitions(course, a, problems) for a in students}
    for row in rows:  # a grading file written before answers were checked: nothing undefined is counted or drawn
        value, dropped = checked_value(row["kind"], row["value"], definitions.get(row["assignment"], {}).get(row["item"]),
                                       keys.get(row["assignment"], {}).get(row["item"]))
        if dropped:
            row["value"] = value
            problems.append(Problem(row["file"], f"item {row['item']}: {dropped}", row["assignment"]))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # saved answers stay Python objects: pandas 3 would make a column of only strings and None a str
    # column, turning None ("no answer") into NaN
    frame["value"] = pd.Series([row.get("value") for row in rows], index=frame.index, dtype=object)
    return Collection(frame, {a: sorted(set(s)) for a, s in students.items()}, keys, problems, notes, definitions)


def _load_definitions(course: CourseDir, assignment: str, problems: list[Problem]) -> dict[str, dict]:
    from ..items import ItemDefinitionError, lesson_definitions

    try:
        return lesson_definitions(course.folder("source", assignment))
    except ItemDefinitionError as exc:
        problems.append(Problem(f"source/{assignment}", f"{exc}; options are shown by letter only", assignment))
        return {}


def _load_key(course: CourseDir, assignment: str, problems: list[Problem]) -> dict[str, ItemKey]:
    try:
        return load_keys(key_path(course.keys_dir, assignment))
    except KeyError_ as exc:
        problems.append(Problem(f"keys/{assignment}.yaml", f"{exc}; options and sections cannot be shown", assignment))
    except Exception as exc:  # a key that breaks the loader must not stop the report
        problems.append(Problem(f"keys/{assignment}.yaml", f"could not be loaded ({type(exc).__name__}: {exc})",
                                assignment))
    return {}
