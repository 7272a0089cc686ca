"""Parallel autograding that gives exactly what serial `nbgrader autograde` gives.

Design (one submission = one job):

- The parent loads the course's nbgrader_config.py ONCE, from the real course root, so every
  setting computed from the real root (keys, the release folder the intake step mends from,
  the sandbox's hide list) describes the real course, and every CourseDirectory setting
  (submitted_directory, autograded_directory, source_directory, directory_structure,
  student_id_exclude, notebook_id, ...) is honoured when it finds the submissions and
  installs the results. Workers receive that configuration (forked, or loaded once per Dask
  worker process), never load the config file per job.
- A worker grades ONE submission in its own scratch course directory, laid out the way
  nbgrader lays out a course by default: the submission copied to submitted/<student>/<a>,
  source/<a> a link to the instructor's real (read-only) source folder, and (SQLite) a
  private copy of the gradebook. There it runs nbgrader's own Autograde converter
  (in-process, the same code `nbgrader autograde` runs, with whatever preprocessors the
  config names, and its `create_student`), so scores cannot drift from serial grading.
  Students' code always runs sandboxed: a config that uses nbgrader's plain Execute gets
  course.grading.steps.SandboxedExecute in its place (same scores; see sandbox_config).
- SQLite: the worker only writes its private gradebook copy. It returns a plain record of
  what autograde wrote for that student (submission timestamp, late penalty, every
  grade's auto_score / needs_manual_grade, every comment's auto_comment), also when
  nbgrader failed part-way (an unreadable notebook: nbgrader keeps the submission it
  created, with no score). The parent is the single writer of the course gradebook: it
  merges the records of the results that have arrived, several per transaction.
- PostgreSQL (`CourseDirectory.db_url` is not SQLite): workers write the course gradebook
  directly, as nbgrader does; the parent only installs the files.
- Only after the merge commits does the parent move the scratch autograded folder into
  place (a rename; the old folder, with --force, is renamed away first). nbgrader itself
  treats that folder as "already autograded", so a run that was killed at any point leaves
  each submission either fully done (merged AND installed) or not done (redone next time:
  merging the same record twice writes the same values, never a second row). A failed
  submission has no autograded folder (nbgrader removes it too), so the next run retries
  it; its full log is kept in <autograded>/.logs/<assignment>/<student>.log. Scratch folders
  and half-installed folders are swept at start.
- A collected folder with no notebook is skipped with a warning, as nbgrader skips it.

The executor is pluggable: a local process pool, or an existing Dask cluster
(shared filesystem, PostgreSQL gradebook required).

Modules, one phase each: plan.py (which submissions, checked, as jobs), worker.py (grade one
job; the executors), install.py (merge records, move graded folders into place, keep failure
logs), records.py (the typed Job, Result and Record, and the gradebook reads and writes); this
file runs the phases (autograde_all).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Callable

from ...coursedir import CourseDir, is_sqlite, load_course_config, sqlite_file
from .install import Outcome, settle as install_batch
from .plan import (LOG_DIRNAME, SCRATCH_DIRNAME, _assignment_lock, _check_assignments, _chosen_students,
                   _needs_grading, autograded_root, collected_students, course_coursedir, failure_log_path,
                   make_jobs, source_folder)
from .records import Job, ParallelGradingError, Record, Result, gradebook_snapshot, merge_records, submission_record
from .worker import (_WORKER_CONFIGS, MERGE_WAIT_S, PROFILE_ENV, SANDBOXED_EXECUTE, DaskExecutor, LocalExecutor,
                     grade_submission, sandboxed_preprocessors, worker_config)

MERGE_BATCH = 32  # records merged per gradebook transaction (at most; fewer when results are slow to come)

__all__ = ["LOG_DIRNAME", "SCRATCH_DIRNAME", "Job", "Outcome", "ParallelGradingError", "Record", "Result",
           "autograde_all", "autograded_root", "collected_students", "course_coursedir", "failure_log_path",
           "gradebook_snapshot", "grade_submission", "load_course_config", "merge_records", "sandboxed_preprocessors",
           "source_folder", "submission_record", "worker_config"]


def autograde_all(root: Path, assignments: list[str], students: list[str] | None = None, workers: int = 2,
                  force: bool = False, dask: str | None = None, scratch_dir: Path | None = None,
                  on_start: Callable[[int, int], None] | None = None,
                  on_result: Callable[[dict], None] | None = None) -> dict[str, Outcome]:
    """Autograde the collected submissions of several assignments in ONE worker pool, so workers
    never wait for the slowest submission of one assignment before the next starts. See the
    module docstring. Returns an Outcome per assignment, in the order given."""
    started = time.monotonic()
    root = Path(root).resolve()
    assignments = list(dict.fromkeys(assignments))
    if not assignments:
        raise ParallelGradingError("no assignment to autograde")
    config, coursedir = course_coursedir(root)
    root = Path(coursedir.root)  # the root the config names, as nbgrader uses it
    db_url, course_id = coursedir.db_url, coursedir.course_id
    sqlite = is_sqlite(db_url)
    if dask and sqlite:
        raise ParallelGradingError(
            f"--dask needs a PostgreSQL gradebook (set COURSE_DB_URL=postgresql+psycopg2://...): the gradebook "
            f"{db_url} is SQLite, which workers on other machines cannot share")
    _check_assignments(coursedir, CourseDir(root, config).keys_dir, db_url, course_id, assignments)
    chosen, empty = _chosen_students(coursedir, assignments, students)

    scratch_root = Path(scratch_dir).resolve() if scratch_dir else autograded_root(coursedir).resolve() / SCRATCH_DIRNAME
    wconfig, replaced = worker_config(config, root, scratch_root)
    config_key = f"{root}|{scratch_root}"
    _WORKER_CONFIGS[config_key] = wconfig  # forked workers start with it: no config file loaded per job
    note = (f"nbgrader_config.py runs students' code with nbgrader's Execute; `course autograde` runs it with "
            f"{SANDBOXED_EXECUTE} instead (bubblewrap; same scores)") if replaced else ""
    outcomes = {a: Outcome(a, empty=empty.get(a, {}), sandbox_note=note) for a in assignments}
    with contextlib.ExitStack() as stack:
        for assignment in sorted(assignments):  # one order, so two runs cannot deadlock
            stack.enter_context(_assignment_lock(scratch_root, assignment))
        todo: list[tuple[str, str]] = []
        for assignment in assignments:
            work = scratch_root / assignment
            if work.exists():
                shutil.rmtree(work)  # scratch of a run that was killed: redo it
            work.mkdir(parents=True)
            for student in chosen[assignment]:
                dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
                for leftover in (dest.parent / f".{dest.name}.incoming", dest.parent / f".{dest.name}.old"):
                    if leftover.exists():
                        shutil.rmtree(leftover)
                if _needs_grading(coursedir, assignment, student, force):
                    todo.append((assignment, student))
                else:
                    outcomes[assignment].skipped.append(student)
        template = None
        if sqlite and todo:
            template = scratch_root / f"template-{uuid.uuid4().hex[:8]}.db"
            with contextlib.closing(sqlite3.connect(sqlite_file(db_url))) as src, \
                    contextlib.closing(sqlite3.connect(template)) as dst:
                src.backup(dst)  # a consistent snapshot even while something else reads the gradebook
        jobs = make_jobs(coursedir, root, course_id, todo, config_key, scratch_root, template,
                         None if sqlite else db_url)
        if on_start:
            on_start(len(todo), sum(len(o.skipped) for o in outcomes.values()))
        prof = {"start_s": time.monotonic() - started, "merge_s": 0.0, "merge_batches": 0, "install_s": 0.0,
                "jobs": len(jobs), "worker_s": {}} if os.environ.get(PROFILE_ENV) else None
        executor = DaskExecutor(dask) if dask else LocalExecutor(workers)
        results = executor.run(grade_submission, jobs)
        batch: list[Result] = []
        first_at = 0.0
        opened: dict = {}

        def settle() -> None:
            if sqlite and "gb" not in opened:  # opened once the workers have forked, kept for the run
                from nbgrader.api import Gradebook

                opened["gb"] = stack.enter_context(Gradebook(db_url, course_id))  # the only writer
            install_batch(batch, outcomes, coursedir, opened.get("gb"), prof)
            for result in batch if prof is not None else []:
                for name, value in (result.get("profile") or {}).items():
                    prof["worker_s"][name] = prof["worker_s"].get(name, 0.0) + value
            if on_result:
                for result in batch:
                    on_result(result)
            batch.clear()

        try:
            while True:
                try:
                    result = next(results)
                except StopIteration:
                    break
                except ParallelGradingError:
                    raise
                except Exception as exc:  # a worker process died (out of memory, killed), the cluster went away
                    settle()
                    done = sum(len(o.graded) for o in outcomes.values())
                    raise ParallelGradingError(
                        f"{', '.join(assignments)}: grading stopped after {done} of {len(jobs)} submission(s): "
                        f"{type(exc).__name__}: {exc}. Finished students are kept; run the same command again "
                        f"to grade the rest") from exc
                if result is not None:
                    if not batch:
                        first_at = time.monotonic()
                    batch.append(result)
                if batch and (not sqlite or result is None or len(batch) >= MERGE_BATCH
                              or time.monotonic() - first_at >= MERGE_WAIT_S):
                    settle()
            if batch:
                settle()
        finally:
            if template:
                template.unlink(missing_ok=True)
            _WORKER_CONFIGS.pop(config_key, None)
        for assignment in assignments:
            shutil.rmtree(scratch_root / assignment, ignore_errors=True)
    seconds = time.monotonic() - started
    for outcome in outcomes.values():
        outcome.seconds = seconds
    if prof is not None:
        prof["total_s"] = seconds
        Path(os.environ[PROFILE_ENV]).write_text(json.dumps(prof, indent=1) + "\n")
    return outcomes
