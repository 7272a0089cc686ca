"""Run a notebook's code cells for grading: every cell gets a result, whatever the student's code does.

A failing, looping or killed cell never stops the run: a timeout is recorded as an
error in that cell, a dead kernel as an error in that cell with the rest marked not
run, and each cell's output is capped while it arrives (so a flood of output cannot
fill the grader's memory) and again when the cell ends.
"""
from __future__ import annotations

import threading
import time

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from traitlets import Integer

TRUNCATED = "\n[output cut by the grader: {size} characters over the limit]\n"


def error_output(name: str, message: str):
    return new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


def _output_size(output) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    data = output.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())


def cap_outputs(cell, limit: int, dropped: int = 0) -> None:
    """Keep at most `limit` characters of text in a cell's outputs (`dropped` more never arrived).
    Error outputs have no text to count and are always kept: they decide a test cell's grade."""
    budget, kept = limit, []
    for output in cell.get("outputs", []):
        size = _output_size(output)
        if size <= budget:
            kept.append(output)
            budget -= size
            continue
        if output.output_type == "stream" and budget > 0:
            output.text = output.text[:budget]
            kept.append(output)
            dropped += size - budget
        else:
            dropped += size
        budget = 0
    if dropped:
        kept.append(new_output("stream", name="stdout", text=TRUNCATED.format(size=dropped)))
    cell.outputs = kept


def mark_not_run(cells, reason: str) -> None:
    """A test cell with no output would score full marks: mark every unrun code cell as failed."""
    for cell in cells:
        if cell.cell_type == "code":
            cell.outputs = [error_output("NotRun", f"this cell was not run: {reason}")]


class KernelStartError(RuntimeError):
    """The kernel did not start: not the student's doing, so the grader may try again."""


class GradingClient(NotebookClient):
    """nbclient that stops keeping a cell's output once it passes the limit (a higher one for
    the cells that export a code exercise's values: grader_scoring.py)."""

    max_output_chars = Integer(1_000_000).tag(config=True)
    max_export_chars = Integer(50_000_000).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.received: dict[int, int] = {}
        self.dropped: dict[int, int] = {}
        self.export_cells: set[int] = set()

    def export_limit(self, cell_index: int, default: int) -> int:
        return self.max_export_chars if cell_index in self.export_cells else default

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = (len(content.get("text", "")) + sum(len(line) for line in content.get("traceback", []))
                + sum(len(v) if isinstance(v, str) else len(str(v)) for v in content.get("data", {}).values()))
        seen = self.received.get(cell_index, 0)
        self.received[cell_index] = seen + size
        limit = self.export_limit(cell_index, self.max_output_chars)
        if seen >= limit:  # over the limit already: count it, do not keep it
            self.dropped[cell_index] = self.dropped.get(cell_index, 0) + size
            return None
        return super().output(outs, msg, display_id, cell_index)


def _interrupted(cell) -> bool:
    errors = [o for o in cell.outputs if o.output_type == "error"]
    return bool(errors) and errors[-1].ename == "KeyboardInterrupt"


def execute(nb, km, folder: str, timeout: int, max_output: int, wall_timeout: int = 900,
            launch: dict | None = None, max_export: int = 50_000_000) -> None:
    """Run every code cell of `nb` in place, in a fresh kernel from `km`; `launch` goes to the kernel's Popen."""
    from .code_checks import EXPORT_MARK

    client = GradingClient(nb, km=km, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                           record_timing=False, store_widget_state=False, shutdown_kernel="immediate",
                           max_output_chars=max_output, max_export_chars=max_export,
                           resources={"metadata": {"path": folder}},
                           # no IPython history database: nothing to write, nothing to read back
                           extra_arguments=["--HistoryManager.hist_file=:memory:"])
    client.export_cells = {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and EXPORT_MARK in c.source}
    try:
        kernel = client.setup_kernel(cleanup_kc=True, **(launch or {}))
        kernel.__enter__()
    except Exception as exc:  # noqa: BLE001 - whatever stopped the start, it was not a cell
        raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc
    # A watchdog past the wall-clock limit: if nbclient ever waits forever on a kernel that went
    # quiet after an interrupt, killing the kernel turns the wait into a DeadKernelError (fail closed).
    watchdog = threading.Timer(wall_timeout + WATCHDOG_GRACE, _kill_kernel, args=(km,))
    watchdog.daemon = True
    watchdog.start()
    try:
        _run_cells(nb, client, timeout, max_output, wall_timeout)
    finally:
        watchdog.cancel()
        kernel.__exit__(None, None, None)


WATCHDOG_GRACE = 30  # seconds after the wall-clock limit


def _kill_kernel(km) -> None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        process.kill()


def _run_cells(nb, client, timeout: int, max_output: int, wall_timeout: int) -> None:
    deadline = time.monotonic() + wall_timeout  # from the kernel's start: the limit is on the student's code
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            mark_not_run(nb.cells[index:], f"the notebook ran longer than {wall_timeout} s")
            return
        client.timeout = int(min(timeout, max(left, 1)))
        started = time.monotonic()
        try:
            client.execute_cell(cell, index)
            if _interrupted(cell) and time.monotonic() - started >= client.timeout:
                cell.outputs.append(error_output("TimeoutError", f"cell ran longer than {client.timeout} s and was stopped"))
        except CellTimeoutError:
            cell.outputs.append(error_output("TimeoutError", f"cell ran longer than {client.timeout} s and was stopped"))
        except DeadKernelError:
            cell.outputs.append(error_output("DeadKernelError", "the kernel died while running this cell; "
                                             "later cells were not run"))
            cap_outputs(cell, client.export_limit(index, max_output), client.dropped.get(index, 0))
            mark_not_run(nb.cells[index + 1:], "the kernel died in an earlier cell")
            return
        except CellExecutionError as exc:  # allow_errors keeps most errors in the cell; be safe anyway
            cell.outputs.append(error_output("CellExecutionError", str(exc)[:2000]))
        cap_outputs(cell, client.export_limit(index, max_output), client.dropped.get(index, 0))
