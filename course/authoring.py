"""Build nbgrader source notebooks from plain-text lesson files.

A lesson is written in `lessons/NN-topic.md` as a sequence of cells, each opened by a
marker line:

    <!-- markdown -->              prose (read-only for students)
    <!-- code id=setup -->         code the student runs (read-only)
    <!-- code editable -->         code the student may change (a scratch cell)
    <!-- test id=al-g1 points=2 --> an autograded cell: the grader scores item al-g1
    <!-- manual id=al-reflect points=4 --> a written answer graded by hand
    <!-- solution id=cp-scan-code -->  code the student writes; the body holds
                                   ### BEGIN SOLUTION / ### END SOLUTION, which
                                   nbgrader's release replaces with a stub
    <!-- item id=al-g2 -->         an exercise, defined in YAML (kind, prompt, options...;
                                   see course/items/kinds.py); the notebook gets one
                                   hidden-input line, `lesson.show("al-g2")`

The text is easy to review and diff; `python -m course.authoring lessons/*.md`
writes `source/NN-topic/NN-topic.ipynb` with nbgrader's cell metadata and fixed cell
ids, so regenerating gives the same bytes, and the item definitions beside it
(`NN-topic.items.json`, released with the notebook). A graded item's answer is never
in the lesson file: it lives in keys/. A test checks both files are current.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .errors import CourseError
from .items.definitions import ItemDefinitionError, check_definition, items_path, render_definitions

MARKER = re.compile(r"^<!--\s*(markdown|code|test|manual|solution|item)\b(.*?)-->\s*$")
SAVED_LINE = re.compile(r"""^lesson\.saved\(["'][\w.-]+["']\)$""")
ATTRIBUTE = re.compile(r"(\w+)(?:=([\w.-]+))?")
CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class LessonFormatError(CourseError, ValueError):
    """A lesson file is malformed; the message names the file and line."""


def parse_lesson(path: Path) -> list[dict]:
    cells: list[dict] = []
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARKER.match(line)
        if match:
            kind, attrs = match.group(1), dict(ATTRIBUTE.findall(match.group(2)))
            current = {"kind": kind, "attrs": attrs, "line": number, "lines": []}
            cells.append(current)
        elif current is None:
            if line.strip():
                raise LessonFormatError(f"{path}:{number}: text before the first cell marker")
        else:
            current["lines"].append(line)
    if not cells:
        raise LessonFormatError(f"{path}: no cells (a cell starts with a line like '<!-- markdown -->')")
    return cells


def _nbgrader_meta(cell_id: str, *, grade: bool, solution: bool, locked: bool, points=None) -> dict:
    meta = {"grade": grade, "grade_id": cell_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _hide_input(cell) -> None:
    # JupyterLab collapses the input of such a cell: the student sees the widget, not the call.
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True


def _item_definition(spec: dict, path: Path) -> dict:
    """The YAML body of an item cell, checked; errors name the lesson file's own line."""
    where = f"{path}:{spec['line']}"
    if "id" not in spec["attrs"]:
        raise LessonFormatError(f"{where}: an item cell needs id= (the id its key and answers use)")
    try:
        body = yaml.safe_load("\n".join(spec["lines"]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = spec["line"] + 1 + mark.line if mark is not None else spec["line"]
        raise LessonFormatError(f"{path}:{line}: item {spec['attrs']['id']!r} is not valid YAML: "
                                f"{getattr(exc, 'problem', None) or exc}") from None
    try:
        return check_definition(spec["attrs"]["id"], body, where)
    except ItemDefinitionError as exc:
        raise LessonFormatError(str(exc)) from None


def build_notebook(path: Path):
    return build_lesson(path)[0]


def build_lesson(path: Path):
    """(the source notebook, {item id: definition}) built from one lesson file."""
    seen: dict[str, int] = {}
    items: dict[str, dict] = {}
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC})
    for index, spec in enumerate(parse_lesson(path), start=1):
        kind, attrs, where = spec["kind"], spec["attrs"], f"{path}:{spec['line']}"
        source = "\n".join(spec["lines"]).strip("\n")
        if kind == "item":
            item_id = attrs.get("id", "")
            if item_id in items:
                raise LessonFormatError(f"{where}: item {item_id!r} is defined twice")
            items[item_id] = _item_definition(spec, path)
            source = f'lesson.show("{item_id}")'
        cell_id = attrs.get("cell") or (f"{attrs['id']}-cell" if kind == "item" else None) or attrs.get("id") or f"{kind}-{index:03d}"
        if not CELL_ID.match(cell_id):
            raise LessonFormatError(f"{where}: cell id {cell_id!r} may use only letters, digits, '-' and '_'")
        if cell_id in seen:
            raise LessonFormatError(f"{where}: cell id {cell_id!r} is already used on line {seen[cell_id]}")
        seen[cell_id] = spec["line"]
        points = None
        if kind in ("test", "manual"):
            if "id" not in attrs or "points" not in attrs:
                raise LessonFormatError(f"{where}: a {kind} cell needs id= and points=")
            try:
                points = float(attrs["points"])
            except ValueError:
                raise LessonFormatError(f"{where}: points={attrs['points']!r} is not a number") from None
            points = int(points) if points.is_integer() else points
        if kind == "markdown":
            cell = new_markdown_cell(source, metadata=_nbgrader_meta(cell_id, grade=False, solution=False, locked=True))
        elif kind == "item":
            cell = new_code_cell(source, metadata=_nbgrader_meta(cell_id, grade=False, solution=False, locked=True))
            _hide_input(cell)
        elif kind == "code":
            editable = "editable" in attrs
            cell = new_code_cell(source, metadata=_nbgrader_meta(cell_id, grade=False, solution=False, locked=not editable))
            if editable:
                cell.metadata = {}
        elif kind == "solution":
            # nbgrader's ClearSolutions replaces the marked region with a stub in release/;
            # the cell is autograded through the test cells that follow it.
            _check_solution_markers(spec, where)
            cell = new_code_cell(source, metadata=_nbgrader_meta(cell_id, grade=False, solution=True, locked=False))
        elif kind == "test":
            cell = new_code_cell(source, metadata=_nbgrader_meta(cell_id, grade=True, solution=False, locked=True, points=points))
            if SAVED_LINE.match(source.strip()):
                _hide_input(cell)
        else:  # manual: a written answer, graded by hand in formgrader
            cell = new_markdown_cell(source or "YOUR ANSWER HERE",
                                     metadata=_nbgrader_meta(cell_id, grade=True, solution=True, locked=False, points=points))
        cell.id = cell_id
        nb.cells.append(cell)
    return nb, items


def _check_solution_markers(spec: dict, where: str) -> None:
    if "id" not in spec["attrs"]:
        raise LessonFormatError(f"{where}: a solution cell needs id= (simulated students and graders refer to it)")
    stripped = [line.strip() for line in spec["lines"]]
    if BEGIN_SOLUTION not in stripped or END_SOLUTION not in stripped:
        raise LessonFormatError(f"{where}: a solution cell needs lines '{BEGIN_SOLUTION}' and '{END_SOLUTION}'")
    if stripped.index(BEGIN_SOLUTION) > stripped.index(END_SOLUTION):
        raise LessonFormatError(f"{where}: '{BEGIN_SOLUTION}' must come before '{END_SOLUTION}'")


def notebook_path(lesson_file: Path, source_root: Path) -> Path:
    stem = lesson_file.name.removesuffix(".md")
    return source_root / stem / f"{stem}.ipynb"


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def build(lesson_file: Path, source_root: Path) -> Path:
    target = notebook_path(lesson_file, source_root)
    nb, items = build_lesson(lesson_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(nb), encoding="utf-8")
    definitions = items_path(target.parent, target.stem)
    if items:
        definitions.write_text(render_definitions(target.stem, items), encoding="utf-8")
    elif definitions.exists():
        definitions.unlink()
    return target


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course.authoring",
                                     description="Build source/NN/NN.ipynb from lessons/NN.md")
    parser.add_argument("lessons", nargs="+", type=Path)
    parser.add_argument("--source", type=Path, default=Path("source"))
    args = parser.parse_args(argv)
    try:
        for lesson in args.lessons:
            print(f"{lesson} -> {build(lesson, args.source)}")
    except LessonFormatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
