"""`course autograde ASSIGNMENT [ASSIGNMENT ...] | --all`: grade the collected submissions in parallel.

Gives exactly the scores and gradebook contents of serial `nbgrader autograde`: each
worker runs nbgrader's own autograde for one student in a scratch copy of the course;
with the default SQLite gradebook this process is the only writer and merges each
student's grades in one transaction, then moves the graded folder into autograded/.
Interrupted? Run the same command again: finished students are skipped, the rest are
graded; nothing is counted twice. Submissions already autograded are skipped unless
--force (or the submission is newer), like nbgrader. Several assignments (or --all: every
assignment with collected submissions) are graded in one pool of workers, which is
faster than one command per assignment.

--dask SCHEDULER_ADDRESS runs the same workers on an existing Dask cluster; it needs a
shared filesystem and a PostgreSQL gradebook (COURSE_DB_URL=postgresql+psycopg2://...).
"""
from __future__ import annotations

import io
import os

from ..grading.parallel import ParallelGradingError, autograde_all
from .coursedir import CourseError, assignments, find_root, require_assignment
from .progress import Progress


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def run_autograde(root, assignment: str | list[str], workers: int | None = None, students=None,
                  force: bool = False, dask: str | None = None, quiet: bool = False):
    """Grade one assignment (returns its Outcome) or a list of them (returns {assignment: Outcome})."""
    names = [assignment] if isinstance(assignment, str) else list(assignment)
    for name in names:
        require_assignment(root, name)
    label = names[0] if len(names) == 1 else f"{len(names)} assignments"
    state = {}

    def on_start(todo: int, skipped: int) -> None:
        if not quiet:
            print(f"{label}: {todo} to grade, {skipped} already autograded"
                  + (f", on Dask at {dask}" if dask else f", {workers or default_workers()} workers"), flush=True)
        state["progress"] = Progress(todo, label="autograde", tty=False if quiet else None,
                                     stream=io.StringIO() if quiet else None)

    def on_result(result: dict) -> None:
        progress = state["progress"]
        where = result["student"] if len(names) == 1 else f"{result['student']} {result['assignment']}"
        if result["ok"]:
            score, max_score = result["record"]["score"], result["record"]["max_score"]
            progress.advance(f"graded {where} {score:g}/{max_score:g}")
        else:
            progress.advance(f"FAILED {where}")

    try:
        outcomes = autograde_all(root, names, students=students, workers=workers or default_workers(), force=force,
                                 dask=dask, on_start=on_start, on_result=on_result)
    except ParallelGradingError as exc:
        raise CourseError(str(exc)) from None
    finally:
        if "progress" in state:
            state["progress"].close()
    failed = [(name, student, text) for name, outcome in outcomes.items() for student, text in sorted(outcome.failed.items())]
    if failed:
        details = "\n".join(f"--- {student} ({name}):\n" + "\n".join(text.strip().splitlines()[-6:])
                            for name, student, text in failed)
        graded = sum(len(o.graded) for o in outcomes.values())
        raise CourseError(f"{label}: autograding failed for {len(failed)} submission(s): "
                          + ", ".join(f"{student} ({name})" for name, student, _ in failed)
                          + f" ({graded} graded):\n{details}")
    if not quiet:
        for name, outcome in outcomes.items():
            print(f"{name}: graded {len(outcome.graded)}, skipped {len(outcome.skipped)}")
        print(f"done in {next(iter(outcomes.values())).seconds:.1f} s")
    return outcomes[names[0]] if isinstance(assignment, str) else outcomes


def collected_assignments(root) -> list[str]:
    """Assignments with at least one collected submission."""
    return [a for a in assignments(root) if any((root / "submitted").glob(f"*/{a}"))]


def run(args) -> int:
    root = find_root()
    if args.all == bool(args.assignment):
        raise CourseError("name the assignments to grade, or give --all (not both)")
    names = collected_assignments(root) if args.all else args.assignment
    if not names:
        raise CourseError(f"--all: no collected submissions in {root / 'submitted'}; run `course collect` first")
    run_autograde(root, names, workers=args.workers, students=args.student or None, force=args.force, dask=args.dask)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("autograde", help="grade collected submissions in parallel (same results as nbgrader)",
                                   description=__doc__)
    parser.add_argument("assignment", nargs="*", help="assignment ids, e.g. 02-active-listening")
    parser.add_argument("--all", action="store_true", help="every assignment with collected submissions")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="worker processes (default: the CPU cores, at most 4)")
    parser.add_argument("--student", action="append", metavar="S", help="grade only this student (repeatable)")
    parser.add_argument("--force", action="store_true", help="grade again submissions that were already autograded")
    parser.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                        help="run on an existing Dask cluster (shared filesystem and PostgreSQL gradebook required)")
    parser.set_defaults(func=run)
