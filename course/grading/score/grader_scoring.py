"""Every graded cell is scored by the grader; the student's kernel decides nothing.

Two steps around the sandboxed Execute step (../steps.py):

- `PlanGraderScoring` (before Execute, `plan_scoring`) reads the instructor's source notebook
  and key (course/grading/intake/trusted.py) and sorts each graded test cell of the submission:
  * a keyed widget item: scored from the answers file (ScoreRecordedAnswers); its source is
    emptied so nothing of it runs in the kernel;
  * a code exercise's test cell: its source is replaced by an export of the names the
    solution cells bound (course/grading/run/code_checks.py), so its checks never run there;
  * anything else (a graded cell the grader cannot score): emptied, and scored 0 with a
    message after execution.
  If no cell needs the kernel (every widget lesson), Execute is told to start none.
- `CheckCodeOutsideKernel` (after Execute, `check_code_outside_kernel`) reads each export, runs
  the instructor's checks in a separate trusted process, writes their result as the cell's
  output (what nbgrader's SaveAutoGrades reads) and puts every cell's source back.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nbformat.v4 import new_output

from ..intake.plain_data import MIME
from ..run.code_checks import CodeCheckError, export_source, is_test_cell, plan_checks, run_checks
from ..run.run_cells import error_output


@dataclass
class ScoringPlan:
    keyed: set[str] = field(default_factory=set)
    checks: object = None  # code_checks.CheckPlan
    unscored: set[str] = field(default_factory=set)
    sources: dict[int, str] = field(default_factory=dict)  # cell index -> original source
    needs_kernel: bool = False


def _grade_cells(nb):
    for index, cell in enumerate(nb.cells):
        if is_test_cell(cell):
            yield index, cell, cell.metadata["nbgrader"].get("grade_id")


def plan_scoring(nb, source, keys) -> ScoringPlan:
    """Sort each graded cell from the instructor's `source` and `keys`, and keep checks out of the kernel."""
    checks = plan_checks(source, set(keys))
    plan = ScoringPlan(keyed=set(keys), checks=checks)
    for index, cell, grade_id in _grade_cells(nb):
        plan.sources[index] = cell.source
        if grade_id in keys:
            cell.source = ""
        elif grade_id in checks.exports:
            cell.source = export_source(checks.exports[grade_id])
            plan.needs_kernel = True
        else:
            plan.unscored.add(grade_id)
            cell.source = ""
    return plan


def check_code_outside_kernel(nb, plan: ScoringPlan, *, log, where: str) -> None:
    """Score each code exercise from its exported values, in a trusted process; restore the sources."""
    exports = {}
    for index, cell, grade_id in _grade_cells(nb):
        if grade_id in plan.checks.exports:
            record = _last_export(cell)
            if record is not None:
                exports[grade_id] = record
    try:
        results = run_checks(plan.checks, exports)
        failure = None
    except CodeCheckError as exc:
        results, failure = {}, str(exc)
        log.error("%s: %s", where, exc)
    for index, cell, grade_id in _grade_cells(nb):
        cell.source = plan.sources.get(index, cell.source)
        if grade_id in plan.keyed:
            continue  # ScoreRecordedAnswers writes these
        if grade_id in plan.unscored:
            cell.outputs = [error_output("NotScored", f"{grade_id}: the grader has no key or check for this "
                                         "graded cell, so it scores 0; tell your instructor")]
            continue
        result = results.get(grade_id)
        if result is None:
            why = failure or ("your code did not run as far as this exercise (an earlier cell stopped "
                              "the notebook, or the kernel died)" if grade_id not in exports else "no result")
            cell.outputs = [error_output("NotChecked", why)]
        elif result.ok:
            cell.outputs = ([new_output("stream", name="stdout", text=result.stdout)] if result.stdout else [])
            if result.partial is not None:
                cell.outputs.append(new_output("execute_result", data={"text/plain": repr(result.partial)},
                                               execution_count=None))
        else:
            cell.outputs = ([new_output("stream", name="stdout", text=result.stdout)] if result.stdout else [])
            cell.outputs.append(error_output(result.ename, result.evalue))


def _last_export(cell) -> dict | None:
    for output in reversed(cell.get("outputs", [])):
        data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
        if MIME in data and isinstance(data[MIME], dict):
            return data[MIME]
    return None
