"""The grader's notes at the top of the graded notebook, so the feedback says what was flagged,
mended or ignored (flags from score/review.py, copied cells from intake/dedupe.py, the answers
snapshot's problems from intake/)."""
from __future__ import annotations

from nbformat.v4 import new_markdown_cell

from ..intake.dedupe import grader_notes
from .student_html import markdown_literal

NOTES_CELL_ID = "course-grader-notes"


def add_grader_notes(nb, flags: list[str], problems: list[str]) -> None:
    # Notes quote what the student controls (file names, item and cell ids): each is made
    # literal text here; only the course's own words carry markdown.
    notes = [markdown_literal(n) for n in grader_notes(nb)]
    if flags:
        notes.insert(0, "**Flagged for review by your instructor:** your code touches the interpreter's "
                        "machinery (" + markdown_literal(", ".join(flags)) + "). Your code exercises were "
                        "checked by the grader outside your notebook; an instructor will look at this submission.")
    notes += [markdown_literal(p) for p in problems]
    if notes:
        text = "### Notes from the grader\n\n" + "\n".join(f"- {n}" for n in notes)
        cell = new_markdown_cell(text)
        cell.id = NOTES_CELL_ID
        nb.cells = [c for c in nb.cells if c.get("id") != cell.id]
        nb.cells.insert(0, cell)
