"""nbgrader's own grades of the autograded code test cells, as rows of the report's tidy table.

Widget items are scored by the course grader into the grading files (see `collect`). Code
exercises are not: nbgrader scores their test cells itself (full points unless the test cell
raised) and only the gradebook holds those points. This module reads them with nbgrader's API
(`nbgrader.api.Gradebook`, the course's `CourseDirectory.db_url` and `.course_id`):

* an item is an *autograded code test*: a grade cell of type code that is not also a solution
  cell (a solution + grade cell is a manually graded answer, such as a reflection, and stays
  out like today), and not already covered by a key entry or a grading file's item;
* one row per student that `collect` counts (a readable grading file) and per such item, with
  kind "code", nbgrader's score (a manual override wins, as in nbgrader), the cell's points,
  and as section the nearest markdown heading above the test cell in
  `source/<assignment>/<notebook>.ipynb`.

A SQLite gradebook is opened read-only (never created, never written: `autograde` may be
merging into it while the report runs). Never raises: a gradebook or config that cannot be
read becomes a Problem, and the report goes on with the grading files alone.
"""
from __future__ import annotations

import contextlib
import json
import logging
import re
from pathlib import Path
from typing import Iterator

from ..coursedir import CONFIG_NAME, CourseDir, read_only_url, sqlite_file
from .collect import Problem

CODE_KIND = "code"
LEFT_OUT = "code test items (nbgrader's grades) are not shown"
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")


def display_name(db_url: str, root: Path) -> str:
    """How the report names the gradebook: a SQLite file relative to the course root, else the
    URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        path = sqlite_file(db_url, root)
        if path is None:
            return make_url(db_url).render_as_string(hide_password=True)
    except Exception:
        return "the gradebook (CourseDirectory.db_url)"
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def _quiet_nbgrader() -> Iterator[None]:
    """nbgrader logs a traceback (tornado's app log) before raising some errors we report as Problems."""
    logger = logging.getLogger("tornado.application")
    before = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = before


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def headings_above(notebook_path: Path) -> dict[str, str]:
    """grade_id -> the lesson section above that cell: the nearest heading at the notebook's
    section level ("" if none). The section level is the shallowest one below the title (the
    lessons' "## 4. Scanning" headings), so a test under a "### Make a chart" sub-heading reports
    the section it belongs to, as the widget items' keys do. Lines in fenced code blocks are not
    headings. Raises for an unreadable notebook."""
    cells = [cell for cell in json.loads(notebook_path.read_text(encoding="utf-8")).get("cells", [])
             if isinstance(cell, dict)]
    headings = [list(_headings(cell)) for cell in cells]
    levels = {level for cell_heads in headings for level, _ in cell_heads}
    section_level = min((level for level in levels if level > 1), default=1)
    current, out = "", {}
    for cell, cell_heads in zip(cells, headings):
        for level, text in cell_heads:
            if level <= section_level:
                current = text
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if isinstance(meta, dict) and meta.get("grade_id"):
            out[str(meta["grade_id"])] = current
    return out


def _headings(cell: dict) -> Iterator[tuple[int, str]]:
    """(level, text) of each non-empty markdown heading of a cell, outside fenced code."""
    if cell.get("cell_type") != "markdown":
        return
    fenced = False
    for line in _cell_text(cell).splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match and (match.group(2) or "").strip():
            yield len(match.group(1)), match.group(2).strip()


def _sections(course: CourseDir, assignment: str, notebook: str, problems: list[Problem]) -> dict[str, str]:
    path = course.folder("source", assignment) / f"{notebook}.ipynb"
    try:
        return headings_above(path)
    except Exception as exc:
        problems.append(Problem(course.shown(path),
                                f"cannot be read ({type(exc).__name__}: {exc}); code test items have no section",
                                assignment))
        return {}


def _assignment_rows(gb, course: CourseDir, name: str, assignment: str, students: list[str], covered: set[str]
                     ) -> tuple[list[dict], list[Problem]]:
    from nbgrader.api import MissingEntry

    try:
        db_assignment = gb.find_assignment(assignment)
    except MissingEntry:
        return [], [Problem(name, f"has no assignment {assignment!r}; its {LEFT_OUT}", assignment)]
    tests: dict[tuple[str, str], float] = {}       # (notebook, grade id) -> points
    for notebook in db_assignment.notebooks:
        solutions = {cell.name for cell in notebook.solution_cells}
        for cell in notebook.grade_cells:
            if (cell.cell_type == "code" and cell.name not in solutions and cell.name not in covered
                    and (cell.max_score or 0) > 0):
                tests[(notebook.name, cell.name)] = float(cell.max_score)
    if not tests:
        return [], []
    problems: list[Problem] = []
    ids = [cell for _, cell in tests]
    item_of = {(nb, cell): (cell if ids.count(cell) == 1 else f"{nb}/{cell}") for nb, cell in tests}
    sections = {nb: _sections(course, assignment, nb, problems) for nb in sorted({nb for nb, _ in tests})}
    rows, no_submission, ungraded = [], [], []
    for student in students:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            no_submission.append(student)
            continue
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                key = (notebook.name, grade.name)
                if key not in tests:
                    continue
                if grade.auto_score is None and grade.manual_score is None:
                    ungraded.append(f"{student}/{item_of[key]}")
                    continue
                points, max_points = float(grade.score or 0.0), tests[key]
                rows.append({
                    "student": student, "assignment": assignment, "item": item_of[key], "kind": CODE_KIND,
                    "value": None, "fraction": round(min(max(points / max_points, 0.0), 1.0), 4),
                    "points": round(points, 4), "max_points": max_points,
                    "answered": None,   # the gradebook cannot tell an untouched exercise from a wrong one
                    "section": sections[notebook.name].get(grade.name, ""), "file": name,
                })
    if no_submission:
        problems.append(Problem(name, f"has no submission of {assignment} by {', '.join(no_submission)}; "
                                      f"their code test items are left out", assignment))
    if ungraded:
        problems.append(Problem(name, f"{assignment}: code test cells without a score (not autograded?): "
                                      f"{', '.join(ungraded)}; left out", assignment))
    return rows, problems


def code_item_rows(course_root: str | Path, students: dict[str, list[str]], covered: dict[str, set[str]]
                   ) -> tuple[list[dict], list[Problem]]:
    """Rows (collect's COLUMNS) for the autograded code test cells of each assignment in
    `students` (assignment -> the students collect counts) whose grade id is not in
    `covered[assignment]`, and the problems found. Never raises."""
    root = Path(course_root)
    wanted = {a: names for a, names in sorted(students.items()) if names}
    if not wanted:
        return [], []
    try:
        course = CourseDir.at(root)  # its nbgrader_config.py, or nbgrader's defaults when it has none
        db_url, course_id = course.db_url, course.course_id
    except Exception as exc:
        return [], [Problem(CONFIG_NAME, f"could not be loaded ({type(exc).__name__}: {exc}); the gradebook "
                                         f"cannot be found, so {LEFT_OUT}")]
    name = display_name(db_url, root)
    try:
        gradebook_file = sqlite_file(db_url, root)
        url = read_only_url(db_url, root)
    except Exception as exc:
        return [], [Problem(name, f"is not a usable database URL ({type(exc).__name__}: {exc}); {LEFT_OUT}")]
    if gradebook_file is not None and not gradebook_file.is_file():
        return [], [Problem(name, f"no gradebook here (run `nbgrader autograde` first?); {LEFT_OUT}")]
    rows: list[dict] = []
    problems: list[Problem] = []
    try:
        from nbgrader.api import Gradebook

        with _quiet_nbgrader(), Gradebook(url, course_id) as gb:
            for assignment, names in wanted.items():
                try:
                    got, found = _assignment_rows(gb, course, name, assignment, names, covered.get(assignment, set()))
                except Exception as exc:
                    gb.db.rollback()
                    problems.append(Problem(name, f"{assignment} could not be read ({type(exc).__name__}: {exc}); "
                                                  f"its {LEFT_OUT}", assignment))
                    continue
                rows += got
                problems += found
    except Exception as exc:
        problems.append(Problem(name, f"cannot be read ({type(exc).__name__}: {exc}); {LEFT_OUT}"))
    return rows, problems


def hand_graded_points(course_root: str | Path, assignment: str) -> float:
    """The points of `assignment` that are graded by hand and so not in the report's scores: its
    manually graded answers (nbgrader grade + solution cells, such as reflections) and tasks, from
    the cells' nbgrader metadata in source/<assignment>/*.ipynb (0 when there is no source)."""
    total = 0.0
    for path in sorted(CourseDir.readable(course_root).folder("source", assignment).glob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
            if isinstance(meta, dict) and ((meta.get("grade") and meta.get("solution")) or meta.get("task")):
                try:
                    total += float(meta.get("points") or 0)
                except (TypeError, ValueError):
                    continue
    return total
