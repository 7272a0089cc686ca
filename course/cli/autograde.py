"""`course autograde ASSIGNMENT [ASSIGNMENT ...] | --all`: grade the collected submissions in parallel.

A drop-in for `nbgrader autograde` on any nbgrader course (this one, or another course's
folder with its own nbgrader_config.py): the same scores and gradebook contents, the same
CourseDirectory settings (submitted_directory, autograded_directory, source_directory,
directory_structure, student_id_exclude, ...) and `c.Autograde.create_student`. Each worker
runs nbgrader's own autograde for one student in a scratch copy; with the default SQLite
gradebook this process is the only writer and merges the students' grades, then moves each
graded folder into place. Interrupted? Run the same command again: finished students are
skipped, the rest are graded; nothing is counted twice. Submissions already autograded are
skipped unless --force (or the submission is newer), like nbgrader. A collected folder with no
notebook is skipped with a warning, like nbgrader. A failed submission is named with its
notebook and cause, its full log is kept in <autograded>/.logs/ASSIGNMENT/STUDENT.log, and
the command exits 1 (what nbgrader recorded before failing, an unreadable notebook's empty
submission for one, is kept in the gradebook as nbgrader keeps it). Several assignments (or
--all: every assignment with collected submissions) are graded in one pool of workers.

Students' code always runs in the bubblewrap sandbox (docs/threat-model.md): if the course's
nbgrader_config.py runs it with nbgrader's plain Execute (any course not set up like this
one), `course autograde` runs course.grading.steps.SandboxedExecute in its place and says
so (the scores are the same); another unsandboxed executing step is refused. To run a
course's code unsandboxed, use plain `nbgrader autograde`.

--dask SCHEDULER_ADDRESS runs the same workers on an existing Dask cluster; it needs a
shared filesystem and a PostgreSQL gradebook (COURSE_DB_URL=postgresql+psycopg2://...).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from ..grading.parallel import ParallelGradingError, autograde_all
from .coursedir import CourseError, assignments, find_root
from .logs import progress

log = logging.getLogger(__name__)


def default_workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def run_autograde(root, assignment: str | list[str], workers: int | None = None, students=None,
                  force: bool = False, dask: str | None = None):
    """Grade one assignment (returns its Outcome) or a list of them (returns {assignment: Outcome})."""
    names = [assignment] if isinstance(assignment, str) else list(assignment)
    label = names[0] if len(names) == 1 else f"{len(names)} assignments"
    state = {}

    def on_start(todo: int, skipped: int) -> None:
        log.info(f"{label}: {todo} to grade, {skipped} already autograded"
                 + (f", on Dask at {dask}" if dask else f", {workers or default_workers()} workers"))
        state["progress"] = progress(log, todo, "autograde")

    def on_result(result: dict) -> None:
        shown = state["progress"]
        where = result["student"] if len(names) == 1 else f"{result['student']} {result['assignment']}"
        if result["ok"]:
            score, max_score = result["record"]["score"], result["record"]["max_score"]
            shown.advance(f"graded {where} {score:g}/{max_score:g}")
        else:
            shown.advance(f"FAILED {where}")

    try:
        outcomes = autograde_all(root, names, students=students, workers=workers or default_workers(), force=force,
                                 dask=dask, on_start=on_start, on_result=on_result)
    except ParallelGradingError as exc:
        raise CourseError(str(exc)) from None
    finally:
        if "progress" in state:
            state["progress"].close()
    note = next((o.sandbox_note for o in outcomes.values() if o.sandbox_note), "")
    if note:
        log.warning(f"note: {note}")
    for name, outcome in outcomes.items():  # nbgrader: "No notebooks were matched by ...", and goes on
        for student, folder in sorted(outcome.empty.items()):
            log.warning(f"warning: {student} ({name}): no notebook in {folder}; skipped, as nbgrader skips it")
    failed = [(name, student, text) for name, outcome in outcomes.items() for student, text in sorted(outcome.failed.items())]
    if failed:
        details = "\n".join(f"  {student} ({name}): {text}" for name, student, text in failed)
        graded = sum(len(o.graded) for o in outcomes.values())
        raise CourseError(f"{label}: autograding failed for {len(failed)} submission(s) ({graded} graded):\n{details}")
    for name, outcome in outcomes.items():
        log.info(f"{name}: graded {len(outcome.graded)}, skipped {len(outcome.skipped)}")
    log.info(f"done in {next(iter(outcomes.values())).seconds:.1f} s")
    faults = grader_faults(root, {name: outcome.graded for name, outcome in outcomes.items()})
    if faults:
        details = "\n".join(f"  {student} ({name}) item {item}: {error}" for name, student, item, error in faults)
        raise CourseError(f"{label}: the grader failed on {len(faults)} item(s); each is marked for manual "
                          f"grading in formgrader (the students' feedback says so), and the scorer needs fixing:\n"
                          f"{details}")
    return outcomes[names[0]] if isinstance(assignment, str) else outcomes


def grader_faults(root, graded: dict[str, list[str]]) -> list[tuple[str, str, str, str]]:
    """(assignment, student, item, error) for every item the grader itself failed to score in
    the submissions just graded, read from their grading files."""
    import json

    from ..grading.feedback.grading_file import GRADING_SUFFIX
    from ..grading.parallel import course_coursedir

    _, coursedir = course_coursedir(root)
    faults = []
    for name, students in graded.items():
        for student in sorted(students):
            folder = Path(coursedir.format_path(coursedir.autograded_directory, student, name))
            for report in sorted(folder.glob(f"*{GRADING_SUFFIX}")):
                try:
                    items = json.loads(report.read_text(encoding="utf-8")).get("items", [])
                except (OSError, ValueError):
                    continue
                faults += [(name, student, i.get("item"), i["grader_error"]) for i in items if i.get("grader_error")]
    return faults


def collected_assignments(root) -> list[str]:
    """Assignments (in the gradebook, or with a source folder) with at least one collected
    submission, found where the course's CourseDirectory settings say."""
    from ..grading.parallel import collected_students, course_coursedir

    _, coursedir = course_coursedir(root)
    names = set(assignments(root))
    try:
        from nbgrader.api import Gradebook

        with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
            names |= {a.name for a in gb.assignments}
    except Exception:  # noqa: BLE001 - no gradebook yet: autograde itself says so
        pass
    return [a for a in sorted(names) if collected_students(coursedir, a)]


def course_root() -> Path:
    """The nearest folder at or above the current one with an nbgrader_config.py (any nbgrader
    course, whatever its source_directory), else this course's root."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file():
            return folder
    return find_root()


def run(args) -> int:
    root = course_root()
    if args.all == bool(args.assignment):
        raise CourseError("name the assignments to grade, or give --all (not both)")
    names = collected_assignments(root) if args.all else args.assignment
    if not names:
        raise CourseError("--all: no collected submissions; run `course collect` (or nbgrader collect) first")
    run_autograde(root, names, workers=args.workers, students=args.student or None, force=args.force, dask=args.dask)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("autograde", help="grade collected submissions in parallel (same results as nbgrader)",
                                   description=__doc__)
    parser.add_argument("assignment", nargs="*", help="assignment ids, e.g. 02-active-listening")
    parser.add_argument("--all", action="store_true", help="every assignment with collected submissions")
    parser.epilog = ("Students' code always runs sandboxed: a config with nbgrader's plain Execute gets "
                     "course.grading.steps.SandboxedExecute in its place (same scores).")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="worker processes (default: the CPU cores, at most 4)")
    parser.add_argument("--student", action="append", metavar="S", help="grade only this student (repeatable)")
    parser.add_argument("--force", action="store_true", help="grade again submissions that were already autograded")
    parser.add_argument("--dask", metavar="SCHEDULER_ADDRESS",
                        help="run on an existing Dask cluster (shared filesystem and PostgreSQL gradebook required)")
    parser.set_defaults(func=run)
