"""`course autograde ASSIGNMENT`: grade the collected submissions in parallel.

Gives exactly the scores and gradebook contents of serial `nbgrader autograde`: each
worker runs nbgrader's own autograde for one student in a scratch copy of the course;
with the default SQLite gradebook this process is the only writer and merges each
student's grades in one transaction, then moves the graded folder into autograded/.
Interrupted? Run the same command again: finished students are skipped, the rest are
graded; nothing is counted twice. Submissions already autograded are skipped unless
--force (or the submission is newer), like nbgrader.

--dask SCHEDULER_ADDRESS runs the same workers on an existing Dask cluster; it needs a
shared filesystem and a PostgreSQL gradebook (COURSE_DB_URL=postgresql+psycopg2://...).
"""
from __future__ import annotations

import io
import os

from ..grading.parallel import ParallelGradingError, autograde
from .coursedir import CourseError, find_root, require_assignment
from .progress import Progress


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def run_autograde(root, assignment: str, workers: int | None = None, students=None, force: bool = False,
                  dask: str | None = None, quiet: bool = False):
    require_assignment(root, assignment)
    state = {}

    def on_start(todo: int, skipped: int) -> None:
        if not quiet:
            print(f"{assignment}: {todo} to grade, {skipped} already autograded"
                  + (f", on Dask at {dask}" if dask else f", {workers or default_workers()} workers"), flush=True)
        state["progress"] = Progress(todo, label="autograde", tty=False if quiet else None,
                                     stream=io.StringIO() if quiet else None)

    def on_result(result: dict) -> None:
        progress = state["progress"]
        if result["ok"]:
            score, max_score = result["record"]["score"], result["record"]["max_score"]
            progress.advance(f"graded {result['student']} {score:g}/{max_score:g}")
        else:
            progress.advance(f"FAILED {result['student']}")

    try:
        outcome = autograde(root, assignment, students=students, workers=workers or default_workers(), force=force,
                            dask=dask, on_start=on_start, on_result=on_result)
    except ParallelGradingError as exc:
        raise CourseError(str(exc)) from None
    finally:
        if "progress" in state:
            state["progress"].close()
    if outcome.failed:
        details = "\n".join(f"--- {student}:\n" + "\n".join(text.strip().splitlines()[-6:])
                            for student, text in sorted(outcome.failed.items()))
        raise CourseError(f"{assignment}: autograding failed for student(s) {', '.join(sorted(outcome.failed))} "
                          f"({len(outcome.graded)} graded):\n{details}")
    if not quiet:
        print(f"{assignment}: graded {len(outcome.graded)}, skipped {len(outcome.skipped)} in {outcome.seconds:.1f} s")
    return outcome


def run(args) -> int:
    run_autograde(find_root(), args.assignment, workers=args.workers, students=args.student or None,
                  force=args.force, dask=args.dask)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("autograde", help="grade collected submissions in parallel (same results as nbgrader)",
                                   description=__doc__)
    parser.add_argument("assignment", help="assignment id, e.g. 02-active-listening")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="worker processes (default: the CPU cores, at most 4)")
    parser.add_argument("--student", action="append", metavar="S", help="grade only this student (repeatable)")
    parser.add_argument("--force", action="store_true", help="grade again submissions that were already autograded")
    parser.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                        help="run on an existing Dask cluster (shared filesystem and PostgreSQL gradebook required)")
    parser.set_defaults(func=run)
