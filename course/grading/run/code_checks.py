"""Checks of code exercises, run by the grader instead of the student's kernel.

An assert that runs in the student's kernel proves nothing: the student's cells can register
IPython hooks that rewrite later cells, patch builtins, or return objects whose `__eq__` is
always true. So at grading time the kernel only *exports* what the student's solution cells
bound (course/grading/intake/plain_data.py: plain data, never objects), and this module checks those
values in a separate, trusted Python process:

1. `plan_checks(source_nb)` reads the instructor's source notebook (never the student's):
   each autograded test cell, the names the solution cells before it bind (to export), and
   the instructor's own cells the checks need (a backward slice by name, so widget cells and
   displays are not replayed).
2. In the kernel, each test cell's source is replaced by `export_source(names)`.
3. `run_checks(plan, exports)` has the trusted checker (checker.py) replay the instructor's
   cells with the student's values put in where the solution cells were, then run each test
   cell's checks, in a process of its own with a timeout (a child of the warm check server,
   check_server.py, or a fresh interpreter).
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field

from .checker import checker_env, without_magics

CHECK_TIMEOUT = 300  # seconds for the whole replay of one notebook


class CodeCheckError(RuntimeError):
    """The checks could not be run; the message says why."""


# ----------------------------------------------------------------------------- names in code

def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(without_magics(source))
    except SyntaxError:
        return None


def bound_names(source: str) -> list[str]:
    """Names a cell binds at its top level (assignments, imports, defs, loop targets), in order."""
    tree = _parse(source)
    names: list[str] = []

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            return  # names inside a function body are its own
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.extend((alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*")
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    if tree is not None:
        for statement in tree.body:
            visit(statement)
    return list(dict.fromkeys(names))


def used_names(source: str) -> set[str]:
    """Every name a cell reads (an over-estimate is safe: it only replays more)."""
    tree = _parse(source)
    if tree is None:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


# ----------------------------------------------------------------------------- the plan

@dataclass
class Step:
    """One step of the replay: run an instructor cell, put in a solution's names, or check."""

    action: str  # "run" | "inject" | "check"
    source: str = ""
    names: list[str] = field(default_factory=list)
    grade_id: str = ""


@dataclass
class CheckPlan:
    steps: list[Step]
    exports: dict[str, list[str]]  # test cell grade_id -> names its export carries

    @property
    def check_ids(self) -> list[str]:
        return [step.grade_id for step in self.steps if step.action == "check"]


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_test_cell(cell) -> bool:
    meta = _nbgrader(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def plan_checks(source_nb, keyed: set[str]) -> CheckPlan:
    """The replay plan for the autograded test cells of `source_nb` that are not keyed items."""
    cells = [c for c in source_nb.cells if c.get("cell_type") == "code"]
    exports: dict[str, list[str]] = {}
    owner: dict[int, str] = {}  # solution cell -> the test cell after it, whose export carries its names
    pending: list[int] = []
    for index, cell in enumerate(cells):
        meta = _nbgrader(cell)
        if meta.get("solution"):
            pending.append(index)
        elif is_test_cell(cell) and meta.get("grade_id") not in keyed:
            names = [n for i in pending for n in bound_names(cells[i].source)]
            exports[meta["grade_id"]] = list(dict.fromkeys(names))
            owner.update({i: meta["grade_id"] for i in pending})
            pending = []
    # Backward slice: keep an instructor cell only if a later step needs a name it binds.
    needed: set[str] = set()
    steps: list[Step] = []
    for index in reversed(range(len(cells))):
        cell, meta = cells[index], _nbgrader(cells[index])
        if meta.get("solution"):
            names = bound_names(cell.source)
            steps.append(Step("inject", names=names, grade_id=owner.get(index, "")))
            needed -= set(names)
        elif is_test_cell(cell):
            if meta.get("grade_id") in exports:
                steps.append(Step("check", source=cell.source, grade_id=meta["grade_id"]))
                needed |= used_names(cell.source)
        elif set(bound_names(cell.source)) & needed:
            steps.append(Step("run", source=cell.source))
            needed = (needed - set(bound_names(cell.source))) | used_names(cell.source)
    steps.reverse()
    return CheckPlan(steps=steps, exports=exports)


EXPORT_MARK = "_course_plain_data.emit("


def export_source(names: list[str]) -> str:
    """What the kernel runs in place of a test cell: report the named values as data."""
    return ("import course.grading.intake.plain_data as _course_plain_data\n"
            f"_course_plain_data.emit(globals(), {names!r})\n")


# ----------------------------------------------------------------------------- running the checks

@dataclass
class CheckResult:
    grade_id: str
    ok: bool
    stdout: str = ""
    ename: str = ""
    evalue: str = ""
    partial: float | None = None  # the last expression's value, if a number


def run_checks(plan: CheckPlan, exports: dict[str, dict], timeout: int = CHECK_TIMEOUT) -> dict[str, CheckResult]:
    """Replay `plan` in a trusted process of its own with the student's exported values: a
    child forked from the warm check server (course/grading/run/check_server.py), or, if that
    cannot answer or COURSE_CHECK_SERVER=0, a fresh Python process.

    `exports` maps a test cell's grade_id to its export record (name -> encoded value), as
    the kernel displayed it; a missing record means the names were never exported."""
    if not plan.check_ids:
        return {}
    steps = [asdict(s) for s in plan.steps]
    if os.environ.get("COURSE_CHECK_SERVER", "1") != "0":
        from .check_server import CheckServer, CheckServerError

        try:
            answer = CheckServer.shared().run(steps, exports, timeout)
        except CheckServerError:
            answer = None  # the fresh process below gives the same result, only slower
        if answer is not None:
            if "error" in answer:
                raise CodeCheckError(answer["error"] if answer.get("timeout")
                                     else f"the checks failed to run: {answer['error'][-2000:]}")
            return _results(answer["results"])
    return _run_fresh(steps, exports, timeout)


def _results(rows: list[dict]) -> dict[str, CheckResult]:
    return {row["grade_id"]: CheckResult(**row) for row in rows}


def _run_fresh(steps: list[dict], exports: dict[str, dict], timeout: int) -> dict[str, CheckResult]:
    payload = json.dumps({"steps": steps, "exports": exports})
    env = checker_env()
    with tempfile.TemporaryDirectory(prefix="course-checks-") as work:
        try:
            done = subprocess.run([sys.executable, "-m", "course.grading.run.checker"], input=payload,
                                  capture_output=True, text=True, cwd=work, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CodeCheckError(f"the checks did not finish within {timeout} s") from None
    if done.returncode != 0:
        raise CodeCheckError(f"the checks failed to run: {done.stderr.strip()[-2000:]}")
    try:
        results = json.loads(done.stdout.splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise CodeCheckError(f"the checks gave no result: {done.stderr.strip()[-2000:]}") from None
    return _results(results)
