"""Submissions whose code reaches into the interpreter are flagged for an instructor to review.

The grader's scores do not depend on the student's kernel (grader_scoring.py), but code that
registers IPython transformers, traces frames, patches builtins or loads ctypes is either an
attempt on the grading or something an instructor should see. Before Execute, `flagged_code`
looks for it in the cells the student wrote; after SaveAutoGrades, `mark_for_manual_grading`
flags the submitted notebook and sends its code tests, every item the grader failed to score
and every written reply to manual grading in the gradebook. The steps are in ../steps.py; the
notes the student reads are feedback/notes.py.
"""
from __future__ import annotations

import re

from ...items.kinds import KINDS
from ..intake.trusted import TrustedSourceError, read_source_notebook
from ..run.code_checks import is_test_cell

# What touches the interpreter's machinery, one pattern a line.
TAMPERING = re.compile(r"""
    input_transformers | ast_transformers | input_transformer_manager | register_transformer
  | \.events\.register | register_magic | set_custom_exc | displayhook | excepthook
  | sys\s*\.\s*(settrace|setprofile|addaudithook|_getframe|modules|meta_path|path_hooks)
  | threading\s*\.\s*(settrace|setprofile)
  | \binspect\s*\.\s*(currentframe|stack|getouterframes)
  | \bf_(back|globals|locals|builtins|code)\b | \btb_frame\b | \bgi_frame\b
  | \b__builtins__\b | \bbuiltins\b | \bctypes\b | \bcffi\b | \bimport\s+gc\b | \bgc\s*\.
  | __subclasses__ | __globals__ | __code__ | __closure__ | \bimportlib\b
  | \bcourse\s*\.\s*grading\b | \bfrom\s+course\.grading\b | \bplain_data\b
""", re.VERBOSE)


def tampering_in(source: str) -> list[str]:
    return sorted({m.group(0).strip() for m in TAMPERING.finditer(source)})


def flagged_code(config, nb, assignment: str | None, notebook: str | None) -> dict[str, str]:
    """What touches the interpreter's machinery in the code cells the student wrote -> the first cell id."""
    try:
        source = read_source_notebook(config, assignment, notebook)
        instructor = {c.source for c in source.cells if c.cell_type == "code"}
    except TrustedSourceError:
        instructor = set()
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source not in instructor and not is_test_cell(cell):
            for hit in tampering_in(cell.source):
                found.setdefault(hit, cell.get("id", "?"))
    return found


def cells_to_review(nb, flags: list[str], grader_errors: set[str], plan) -> set[str]:
    """Every item the grader failed to score, and a flagged submission's code tests."""
    to_review = set(grader_errors)
    if flags:
        to_review |= set(plan.checks.exports) if plan is not None else {
            c.metadata["nbgrader"]["grade_id"] for c in nb.cells if is_test_cell(c)}
    return to_review


def written_to_confirm(nb, keys: dict, answered: dict) -> set[str]:
    """The graded items a student answered whose score is only a suggestion (the kind's
    `needs_manual_review`: a written reply's recogniser, score/written.py). An unanswered reply
    scores 0 for certain; only a written answer needs a reader."""
    written = {item for item, key in keys.items() if KINDS[key.kind].needs_manual_review and answered.get(item)}
    return {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("grade_id") in written}


def mark_for_manual_grading(info: dict, grade_ids: set[str], *, flag: bool = False,
                            keep_hand_grades: bool = False) -> None:
    """In the gradebook: these grades need manual grading (`keep_hand_grades`: unless an instructor
    already graded them by hand), and with `flag` the submitted notebook is flagged."""
    from nbgrader.api import Gradebook

    with Gradebook(info["db_url"]) as gb:
        submitted = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
        if flag:
            submitted.flagged = True
        for grade in submitted.grades:
            if grade.name in grade_ids and not (keep_hand_grades and grade.manual_score is not None):
                grade.needs_manual_grade = True
        gb.db.commit()
