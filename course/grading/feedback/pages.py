"""Feedback steps: what a student may see after grading, and nothing more.

nbgrader's feedback shows each test cell's source, hidden tests included (nbgrader#917):
`HideHiddenTests` replaces everything between `### BEGIN HIDDEN TESTS` and `### END HIDDEN
TESTS` with one line, so neither the checks nor how many there are is shown. `DropWidgetOutputs`
leaves out widget outputs, which a static page can only show as code.
"""
from __future__ import annotations

import re

from ..base import CoursePreprocessor

HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*$", re.S | re.M)
HIDDEN_NOTE = "# (the hidden checks ran here; they are not shown)"


class HideHiddenTests(CoursePreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = HIDDEN_BLOCK.sub(HIDDEN_NOTE, cell.source)
            if "### BEGIN HIDDEN TESTS" in cell.source:  # an unclosed block: hide the rest
                cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0] + HIDDEN_NOTE
        return cell, resources


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class DropWidgetOutputs(CoursePreprocessor):
    """A widget has no life in a feedback page: its output would show as raw code
    (`VBox(children=(HTML(...`). The grader's own item results are plain HTML and stay."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW not in o.get("data", {})]
        return cell, resources


class CleanFeedbackPages:
    """GenerateFeedback's post_convert_hook: nbgrader's feedback page loads MathJax from a CDN
    (a request to the internet for every student, and the lessons have no mathematics) and
    lists every graded cell as "Test cell". Remove the MathJax scripts and name each cell by
    its item id."""

    MATHJAX = re.compile(r"<script[^>]*>(?:(?!</script>).)*?</script>", re.S | re.I)
    TEST_CELL = re.compile(r'<a href="#([^"]+)">Test cell</a>')

    def __init__(self, feedback_root: str):
        self.feedback_root = feedback_root

    def __call__(self, assignment: str, student: str, notebooks: list[str]) -> None:
        from pathlib import Path

        folder = Path(self.feedback_root) / student / assignment
        for page in folder.glob("*.html"):
            text = page.read_text(encoding="utf-8")
            cleaned = self.MATHJAX.sub(lambda m: "" if "mathjax" in m.group(0).lower() else m.group(0), text)
            cleaned = self.TEST_CELL.sub(r'<a href="#\1">\1</a>', cleaned)
            if cleaned != text:
                page.write_text(cleaned, encoding="utf-8")
