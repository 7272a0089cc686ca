"""Execute one notebook, cell by cell, inside the grading sandbox.

Run as `python -m course.grading.sandbox_exec IN.ipynb OUT.ipynb --timeout 60 --max-output 1000000`
by SandboxedExecute. The kernel cannot talk to a client outside the sandbox once the
network is unshared, so the whole client runs in here and notebooks go in and out as files.

A failing, looping or killed cell never stops the run: a timeout is recorded as an
error in that cell, a dead kernel as an error in that cell with the rest left unrun,
and every output is cut to a size limit.
"""
from __future__ import annotations

import argparse
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output

TRUNCATED = "\n[output cut by the grader: {size} characters over the limit]\n"


def error_output(name: str, message: str):
    return new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


def cap_outputs(cell, limit: int) -> None:
    """Keep at most `limit` characters of text in a cell's outputs."""
    budget = limit
    kept = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            text = output.text
            if len(text) > budget:
                output.text = text[:max(budget, 0)] + TRUNCATED.format(size=len(text) - max(budget, 0))
                kept.append(output)
                budget = 0
                break
            budget -= len(text)
        else:
            data = output.get("data", {})
            size = sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())
            if size > budget:
                kept.append(new_output("stream", name="stdout", text=TRUNCATED.format(size=size)))
                budget = 0
                break
            budget -= size
        kept.append(output)
    cell.outputs = kept


def mark_not_run(cells, reason: str) -> None:
    """A test cell with no output would score full marks: mark every unrun code cell as failed."""
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = [error_output("NotRun", f"this cell was not run: {reason}")]


def execute(nb, timeout: int, max_output: int, folder: str) -> None:
    client = NotebookClient(nb, timeout=timeout, kernel_name=nb.metadata.get("kernelspec", {}).get("name", "python3"),
                            allow_errors=True, interrupt_on_timeout=True, record_timing=False,
                            resources={"metadata": {"path": folder}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                cell.outputs.append(error_output("TimeoutError", f"cell ran longer than {timeout} s and was stopped"))
            except DeadKernelError:
                cell.outputs.append(error_output("DeadKernelError", "the kernel died while running this cell; "
                                                 "later cells were not run"))
                cap_outputs(cell, max_output)
                mark_not_run(nb.cells[index + 1:], "the kernel died in an earlier cell")
                return
            except CellExecutionError as exc:  # allow_errors keeps most errors in the cell; be safe anyway
                cell.outputs.append(error_output("CellExecutionError", str(exc)[:2000]))
            cap_outputs(cell, max_output)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebook_in")
    parser.add_argument("notebook_out")
    parser.add_argument("--timeout", type=int, default=60)
    parser.add_argument("--max-output", type=int, default=1_000_000)
    parser.add_argument("--folder", default=".")
    args = parser.parse_args(argv)
    nb = nbformat.read(args.notebook_in, as_version=4)
    try:
        execute(nb, args.timeout, args.max_output, args.folder)
    finally:
        nbformat.write(nb, args.notebook_out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
