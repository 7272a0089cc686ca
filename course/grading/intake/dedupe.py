"""Grade the original of a graded cell that a student copied, and ignore the copy.

Jupyter copies a cell with its nbgrader metadata, so an honest student can duplicate a graded
cell by accident. nbgrader's DeduplicateIds keeps the first occurrence and empties the
metadata of the rest, and an empty `nbgrader` entry then fails the schema check, which stops
`nbgrader autograde` for the whole class. Here the cell whose Jupyter id matches the released
one is the original (else the first); copies lose their `nbgrader` entry altogether, so they
are ordinary cells, and the student's feedback says so (notebook metadata `course_grading`,
rewritten on every run so a submission cannot bring its own).
"""
from __future__ import annotations

from collections import defaultdict

from nbgrader.preprocessors import DeduplicateIds

from .trusted import TrustedSourceError, read_source_notebook

NOTES_KEY = "course_grading"


def grader_notes(nb) -> list[str]:
    notes = nb.metadata.get(NOTES_KEY, {}).get("notes", [])
    return [str(n) for n in notes] if isinstance(notes, list) else []


class DeduplicateGradedCells(DeduplicateIds):
    enabled = DeduplicateIds.enabled

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        try:
            source = read_source_notebook(self.config, info.get("assignment"), info.get("notebook"))
            original_ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c.get("id") for c in source.cells
                            if c.metadata.get("nbgrader", {}).get("grade_id")}
        except TrustedSourceError:
            original_ids = {}
        by_grade_id = defaultdict(list)
        for index, cell in enumerate(nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id:
                by_grade_id[grade_id].append(index)
        notes = []
        for grade_id, indexes in by_grade_id.items():
            if len(indexes) < 2:
                continue
            keep = next((i for i in indexes if nb.cells[i].get("id") == original_ids.get(grade_id)), indexes[0])
            for index in indexes:
                if index != keep:
                    del nb.cells[index].metadata["nbgrader"]
            notes.append(f"The graded cell {grade_id} appeared {len(indexes)} times (a copied cell keeps its grading "
                         f"marks); the original was graded and the copies were treated as ordinary cells.")
            self.log.warning("%s/%s: graded cell %s copied; graded the original", info.get("student"),
                             info.get("notebook"), grade_id)
        nb.metadata[NOTES_KEY] = {"notes": notes}
        return nb, resources
