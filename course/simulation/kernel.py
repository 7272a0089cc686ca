"""A simulated student: run a lesson in a real kernel and answer it through the widgets.

Used by the end-to-end tests and by the instructor's `course demo`. The answers are
given the way a mouse gives them: the simulator sets each widget's value and
clicks the exercise's button, inside the kernel that ran the notebook, so the
answers file is written by the same code path a real click takes.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

# Kernel-side code that sets an exercise's widgets to `value` and presses its button.
_CLICK = """
def _course_click(item_id, value):
    lesson.exercises[item_id].click(value)
"""


def answer_notebook(notebook: Path, answers: dict[str, Any], timeout: int = 60, save: bool = True,
                    code: dict[str, str] | None = None, allow_errors: bool = False,
                    student: str | None = None) -> nbformat.NotebookNode:
    """Run every cell of `notebook` in a fresh kernel, then answer `answers` by clicking.

    `answers` maps item id to the value a student picks (an option key, a list of keys,
    a line-to-label mapping, or for scenarios a list of attempts). `code` maps the id of a
    cell the student writes (a solution cell) to the source the student types there. Cells
    the student wrote, and test cells, may raise (a wrong answer fails its test); any other
    cell that raises stops the run, unless `allow_errors` (a simulated student who leaves code
    unfinished: later cells that need it raise too, as they would in the student's notebook).
    The answering itself must never raise. The executed notebook is saved in place, as a
    student's would be. `student` is the identity the kernel shows options for
    (COURSE_STUDENT_ID, course/exercises/order.py), as a student's own kernel would.
    """
    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    typed = _type_code(nb, code or {}, notebook)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    env = dict(os.environ)
    if student is not None:
        env["COURSE_STUDENT_ID"] = student
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            client.allow_errors = (allow_errors or index in typed
                                   or bool(cell.metadata.get("nbgrader", {}).get("grade", False)))
            client.execute_cell(cell, index)
        client.allow_errors = False
        clicks = [_CLICK] + [f"_course_click({item!r}, json.loads({json.dumps(json.dumps(value))}))"
                             for item, value in answers.items()]
        cell = nbformat.v4.new_code_cell("import json\n" + "\n".join(clicks))
        nb.cells.append(cell)  # nbclient writes outputs back by index; removed again below
        try:
            client.execute_cell(cell, len(nb.cells) - 1)
        finally:
            nb.cells.pop()
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            raise RuntimeError(f"{notebook}: answering failed: {errors[0].ename}: {errors[0].evalue}")
    if save:
        nbformat.write(nb, notebook)
    return nb


def _type_code(nb, code: dict[str, str], notebook: Path) -> set[int]:
    """Replace the source of the named cells, as a student typing there would; their indexes."""
    index_of = {cell.get("id"): i for i, cell in enumerate(nb.cells)}
    unknown = sorted(set(code) - set(index_of))
    if unknown:
        raise ValueError(f"{notebook}: no cells with ids {unknown} to type code into")
    for cell_id, source in code.items():
        nb.cells[index_of[cell_id]].source = source
    return {index_of[cell_id] for cell_id in code}
