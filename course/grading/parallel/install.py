"""Installing: merge a batch of results into the course gradebook in one transaction, then move
each graded folder into place (so a killed run leaves every submission fully done or not done),
and keep each failure's full log."""
from __future__ import annotations

import os
import shutil
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from .plan import failure_log_path
from .records import Result, merge_records
from .worker import _one_line


@dataclass
class Outcome:
    assignment: str
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # student -> what failed, where, and the log's path
    empty: dict[str, str] = field(default_factory=dict)  # student -> collected folder holding no notebook
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    seconds: float = 0.0
    sandbox_note: str = ""


def _replace_dir(src: Path, dest: Path) -> None:
    """Put folder `src` at `dest`, replacing what is there, so that `dest` is never half-written:
    `src` is first brought next to `dest` (a rename when on the same filesystem, else a copy),
    then renamed into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    incoming = dest.parent / f".{dest.name}.incoming"
    old = dest.parent / f".{dest.name}.old"
    for leftover in (incoming, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        os.rename(src, incoming)
    except OSError:
        shutil.copytree(src, incoming, symlinks=True)
    if dest.exists():
        os.rename(dest, old)
    os.rename(incoming, dest)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)

def _real_paths(text: str, result: dict, coursedir) -> str:
    """Name the course's own folders in a worker's message, never the scratch copy it worked in."""
    student, assignment = result["student"], result["assignment"]
    text = text.replace(result["submitted_copy"], coursedir.format_path(coursedir.submitted_directory, student,
                                                                        assignment))
    text = text.replace(result["autograded"], coursedir.format_path(coursedir.autograded_directory, student,
                                                                    assignment))
    return text.replace(result["scratch"], "<scratch copy>")


def settle(batch: list[Result], outcomes: dict[str, Outcome], coursedir, gb, prof: dict | None = None) -> None:
    """Merge the records of a batch of results in one transaction (SQLite: this process is the only
    writer), then move each graded folder into place; report each failure with its log kept."""
    records = [r for r in batch if r.get("record")]
    begin = time.monotonic()
    if gb is not None and records:
        try:
            merge_records(gb, [r["record"] for r in records])
            if prof is not None:
                prof["merge_batches"] += 1
        except Exception:  # find which one: merge them one by one
            for result in records:
                try:
                    merge_records(gb, [result["record"]])
                except Exception as exc:
                    result["ok"] = False
                    result["error"] = f"merging into the gradebook: {_one_line(f'{type(exc).__name__}: {exc}')}"
                    result["traceback"] = traceback.format_exc()
    if prof is not None:
        prof["merge_s"] += time.monotonic() - begin
        begin = time.monotonic()
    for result in batch:
        student, assignment = result["student"], result["assignment"]
        outcome = outcomes[assignment]
        dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
        if result["ok"]:
            try:
                _replace_dir(Path(result["autograded"]), dest)
            except Exception as exc:
                result["ok"] = False
                result["error"] = f"installing {dest}: {_one_line(f'{type(exc).__name__}: {exc}')}"
                result["traceback"] = traceback.format_exc()
        if result["ok"]:
            outcome.graded.append(student)
            outcome.scores[student] = (result["record"]["score"], result["record"]["max_score"])
            failure_log_path(coursedir, assignment, student).unlink(missing_ok=True)
        else:
            if result.get("ran") and dest.is_dir():  # nbgrader removes a failed submission's autograded folder
                shutil.rmtree(dest)
            log = failure_log_path(coursedir, assignment, student)
            log.parent.mkdir(parents=True, exist_ok=True)
            error = _real_paths(result.get("error", "failed"), result, coursedir)
            log.write_text(f"{student} {assignment}: {error}\n\n"
                           + _real_paths(result.get("log", "") + "\n" + result.get("traceback", ""), result, coursedir))
            outcome.failed[student] = f"{error} (full log: {log})"
            result["error"] = outcome.failed[student]
        shutil.rmtree(result["scratch"], ignore_errors=True)
    if prof is not None:
        prof["install_s"] += time.monotonic() - begin
