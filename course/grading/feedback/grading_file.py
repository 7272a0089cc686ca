"""The per-notebook grading file the autograder leaves next to each graded notebook:
`autograded/<student>/<assignment>/<notebook>.grading.json`, read by `course report`.
One writer, so the grader, the report and the tests agree on its shape."""
from __future__ import annotations

import json
from pathlib import Path

from ...recording import write_atomically

GRADING_SUFFIX = ".grading.json"


def write_grading_file(folder: Path, notebook: str, *, assignment: str, student: str | None,
                       items: list[dict], problems: list[str]) -> Path:
    """Write one notebook's item results atomically (a killed grader leaves the old file or the new)."""
    path = Path(folder) / f"{notebook}{GRADING_SUFFIX}"
    document = {"assignment": assignment, "notebook": notebook, "student": student,
                "items": items, "problems": problems}
    write_atomically(path, json.dumps(document, indent=1) + "\n")
    return path
