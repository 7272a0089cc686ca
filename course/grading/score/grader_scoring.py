"""Every graded cell is scored by the grader; the student's kernel decides nothing.

Two preprocessors around the sandboxed Execute step:

- `PlanGraderScoring` (before Execute) reads the instructor's source notebook and key
  (course/grading/intake/trusted.py) and sorts each graded test cell of the submission:
  * a keyed widget item: scored from the answers file (ScoreRecordedAnswers); its source is
    emptied so nothing of it runs in the kernel;
  * a code exercise's test cell: its source is replaced by an export of the names the
    solution cells bound (course/grading/run/code_checks.py), so its checks never run there;
  * anything else (a graded cell the grader cannot score): emptied, and scored 0 with a
    message after execution.
  If no cell needs the kernel (every widget lesson), Execute is told to start none.
- `CheckCodeOutsideKernel` (after Execute) reads each export, runs the instructor's checks in
  a separate trusted process, writes their result as the cell's output (what nbgrader's
  SaveAutoGrades reads) and puts every cell's source back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nbformat.v4 import new_output

from ..base import CoursePreprocessor
from ..intake.plain_data import MIME
from ..intake.trusted import read_keys, read_source_notebook
from ..run.code_checks import CodeCheckError, export_source, is_test_cell, plan_checks, run_checks
from ..run.run_cells import error_output

PLAN = "course_scoring_plan"


@dataclass
class ScoringPlan:
    keyed: set[str] = field(default_factory=set)
    checks: object = None  # code_checks.CheckPlan
    unscored: set[str] = field(default_factory=set)
    sources: dict[int, str] = field(default_factory=dict)  # cell index -> original source
    needs_kernel: bool = False


def keys_folder(preprocessor) -> Path:
    """The configured keys folder (relative to the course root), or `<course root>/keys`."""
    from nbgrader.coursedir import CourseDirectory

    from ...coursedir import resolve_keys_dir

    return resolve_keys_dir(preprocessor.keys_dir, Path(CourseDirectory(config=preprocessor.config).root))


def scenarios_folder(preprocessor) -> Path:
    """The configured folder of graded scenarios (relative to the course root), or `<root>/scenarios`."""
    from nbgrader.coursedir import CourseDirectory

    from ...coursedir import resolve_scenarios_dir

    return resolve_scenarios_dir(preprocessor.scenarios_dir, Path(CourseDirectory(config=preprocessor.config).root))


def _grade_cells(nb):
    for index, cell in enumerate(nb.cells):
        if is_test_cell(cell):
            yield index, cell, cell.metadata["nbgrader"].get("grade_id")


def scoring_plan(resources) -> ScoringPlan | None:
    return resources.get(PLAN)


class PlanGraderScoring(CoursePreprocessor):
    """Decide, from the instructor's side, how each graded cell is scored; keep checks out of the kernel."""


    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment, notebook = info.get("assignment"), info.get("notebook") or resources.get("unique_key")
        source = read_source_notebook(self.config, assignment, notebook)
        keys = read_keys(keys_folder(self), assignment, scenarios_folder(self))
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
        resources[PLAN] = plan
        return nb, resources


class CheckCodeOutsideKernel(CoursePreprocessor):
    """Score each code exercise from its exported values, in a trusted process; restore the sources."""

    def preprocess(self, nb, resources):
        plan = scoring_plan(resources)
        if plan is None:
            raise RuntimeError("CheckCodeOutsideKernel needs PlanGraderScoring earlier in the autograde preprocessors")
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
            self.log.error("%s/%s: %s", resources.get("nbgrader", {}).get("student"), resources.get("unique_key"), exc)
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
        return nb, resources


def _last_export(cell) -> dict | None:
    for output in reversed(cell.get("outputs", [])):
        data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
        if MIME in data and isinstance(data[MIME], dict):
            return data[MIME]
    return None
