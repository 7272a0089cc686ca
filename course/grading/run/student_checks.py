"""Generate-time: the released notebook of a code lesson runs top to bottom without stopping.

The grader never runs a test cell in the student's kernel: it checks code exercises from the
instructor's *source* notebook in its own process (grader_scoring.py, code_checks.py). So the
release may give the student a friendlier version of each code exercise's test cell:

- the test cell becomes `lesson.check_code("cp-scan", [names], r'''<the visible checks>''')`,
  which runs the same checks in the student's namespace and prints "Not yet: <what to fix>"
  instead of raising (course/lesson.py); hidden checks are removed later by nbgrader's
  ClearHiddenTests, as before;
- each solution cell, and each later code cell that uses a name an exercise makes (directly or
  through another such cell), is tagged `raises-exception`: JupyterLab's Run All (and nbclient)
  go on past its error, so an unfinished exercise never stops the cells after it.

Runs before ClearSolutions (it reads the names the instructor's solution binds) and before
ComputeChecksums and SaveCells, so the gradebook holds exactly the released test cell and
nbgrader's OverwriteCells finds nothing changed at autograde. source/ keeps the plain asserts,
which are what the grader runs.
"""
from __future__ import annotations

from ..base import CoursePreprocessor
from .code_checks import bound_names, is_test_cell, used_names

TAG = "raises-exception"
WRAPPER_START = "lesson.check_code("


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_solution_code(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(_nbgrader(cell).get("solution"))


def is_code_check(source: str) -> bool:
    """A test cell holding checks (asserts), not a call into the lesson (widget items)."""
    return not source.lstrip().startswith(("lesson.", WRAPPER_START))


def wrap_checks(grade_id: str, names: list[str], checks: str) -> str:
    """The released test cell: the checks as a raw string, run by `lesson.check_code`."""
    body = checks.strip("\n")
    if "'''" in body or body.endswith("\\"):
        literal = repr(body)
    else:
        literal = "r'''\n" + body + "\n'''"
    return (f"# Checks your answer to the exercise above; it says what to fix, and the grader checks it again.\n"
            f"{WRAPPER_START}{grade_id!r}, {names!r}, {literal})")


def _tag(cell) -> None:
    tags = list(cell.metadata.get("tags", []))
    if TAG not in tags:
        cell.metadata["tags"] = tags + [TAG]


class FriendlyCodeChecks(CoursePreprocessor):
    """Wrap code exercises' test cells for the student and let Run All go past unfinished work."""

    before = ("ClearSolutions", "ComputeChecksums", "SaveCells")  # it reads the solution; they record the result

    def preprocess(self, nb, resources):
        exercise_names: list[str] = []   # names the latest group of solution cells binds
        pending = False                  # a solution cell since the last test cell
        tainted: set[str] = set()        # names that are missing while an exercise is unfinished
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            if _is_solution_code(cell):
                names = bound_names(cell.source)
                exercise_names = list(dict.fromkeys((exercise_names if pending else []) + names))
                pending = True
                tainted |= set(names)
                _tag(cell)
            elif is_test_cell(cell):
                pending = False
                if exercise_names and is_code_check(cell.source):
                    cell.source = wrap_checks(_nbgrader(cell)["grade_id"], exercise_names, cell.source)
            elif tainted and used_names(cell.source) & tainted:
                tainted |= set(bound_names(cell.source))
                _tag(cell)
        return nb, resources
