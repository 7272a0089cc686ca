"""Feedback steps: what a student may see after grading, and nothing more.

nbgrader's feedback shows each test cell's source, hidden tests included (nbgrader#917):
`HideHiddenTests` replaces everything between `### BEGIN HIDDEN TESTS` and `### END HIDDEN
TESTS` with one line, so neither the checks nor how many there are is shown. `DropWidgetOutputs`
leaves out widget outputs, which a static page can only show as code.
"""
from __future__ import annotations

import re

from .base import CoursePreprocessor

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
