"""Submissions whose code reaches into the interpreter are flagged for an instructor to review.

The grader's scores do not depend on the student's kernel (grader_scoring.py), but code that
registers IPython transformers, traces frames, patches builtins or loads ctypes is either an
attempt on the grading or something an instructor should see. `FlagInterpreterTampering`
(before Execute) looks for it in the cells the student wrote; `RecordReviewFlag` (after
SaveAutoGrades) marks the submitted notebook as flagged and its code tests as needing manual
grading in the gradebook; `AddGraderNotes` puts every note of the grader at the top of the
graded notebook, so the feedback says what was flagged, mended or ignored.
"""
from __future__ import annotations

import re

from nbformat.v4 import new_markdown_cell

from ..base import CoursePreprocessor
from ..feedback.student_html import markdown_literal
from ..intake.dedupe import grader_notes
from ..intake.trusted import TrustedSourceError, read_source_notebook
from ..run.code_checks import is_test_cell
from .item import GRADER_ERRORS

FLAGS = "course_review_flags"
SNAPSHOT = "course_recorded_answers"

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


class FlagInterpreterTampering(CoursePreprocessor):
    """Find, in the cells the student wrote, code that touches the interpreter's machinery."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        try:
            source = read_source_notebook(self.config, info.get("assignment"), info.get("notebook"))
            instructor = {c.source for c in source.cells if c.cell_type == "code"}
        except TrustedSourceError:
            instructor = set()
        found = {}
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.source not in instructor and not is_test_cell(cell):
                for hit in tampering_in(cell.source):
                    found.setdefault(hit, cell.get("id", "?"))
        resources[FLAGS] = [f"{hit} (cell {cell_id})" for hit, cell_id in sorted(found.items())]
        if found:
            self.log.warning("%s/%s: flagged for review: code touches %s", info.get("student"), info.get("notebook"),
                             ", ".join(sorted(found)))
        return nb, resources


class RecordReviewFlag(CoursePreprocessor):
    """Mark what an instructor must look at in the gradebook: a flagged submission (the notebook
    flagged, its code tests to review) and every item the grader itself failed to score."""

    def preprocess(self, nb, resources):
        grader_errors = set(resources.get(GRADER_ERRORS) or [])
        if not resources.get(FLAGS) and not grader_errors:
            return nb, resources
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        to_review = set(grader_errors)
        if resources.get(FLAGS):
            plan = resources.get("course_scoring_plan")
            to_review |= set(plan.checks.exports) if plan is not None else {
                c.metadata["nbgrader"]["grade_id"] for c in nb.cells if is_test_cell(c)}
        with Gradebook(info["db_url"]) as gb:
            submitted = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            submitted.flagged = submitted.flagged or bool(resources.get(FLAGS))
            for grade in submitted.grades:
                if grade.name in to_review:
                    grade.needs_manual_grade = True
            gb.db.commit()
        return nb, resources


class AddGraderNotes(CoursePreprocessor):
    """Put the grader's notes (flags, mended files, ignored copies) in a cell at the top."""

    def preprocess(self, nb, resources):
        # Notes quote what the student controls (file names, item and cell ids): each is made
        # literal text here; only the course's own words carry markdown.
        notes = [markdown_literal(n) for n in grader_notes(nb)]
        flags = resources.get(FLAGS) or []
        if flags:
            notes.insert(0, "**Flagged for review by your instructor:** your code touches the interpreter's "
                            "machinery (" + markdown_literal(", ".join(flags)) + "). Your code exercises were "
                            "checked by the grader outside your notebook; an instructor will look at this submission.")
        snapshot = resources.get(SNAPSHOT) or {}
        notes += [markdown_literal(p) for p in snapshot.get("problems", [])]
        if notes:
            text = "### Notes from the grader\n\n" + "\n".join(f"- {n}" for n in notes)
            cell = new_markdown_cell(text)
            cell.id = "course-grader-notes"
            nb.cells = [c for c in nb.cells if c.get("id") != cell.id]
            nb.cells.insert(0, cell)
        return nb, resources
