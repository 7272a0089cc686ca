"""Parallel autograding that gives exactly what serial `nbgrader autograde` gives.

Design (one submission = one job):

- A worker grades ONE submission in its own scratch course directory: a folder holding
  a copy of nbgrader_config.py, keys/, source/<assignment>/, submitted/<student>/<assignment>/
  and (SQLite) a private copy of the gradebook. There it runs nbgrader's own Autograde
  converter (in-process, the same code `nbgrader autograde` runs, with whatever
  preprocessors nbgrader_config.py names), so scores cannot drift from serial grading.
- SQLite: the worker only writes its private gradebook copy. It returns a plain record of
  what autograde wrote for that student (submission timestamp, late penalty, every
  grade's auto_score / needs_manual_grade, every comment's auto_comment). The parent is
  the single writer of the course gradebook: it merges the record in ONE transaction.
- PostgreSQL (`CourseDirectory.db_url` is not SQLite): workers write the course gradebook
  directly, as nbgrader does; the parent only installs the files.
- Only after the merge commits does the parent move the scratch autograded folder into
  autograded/<student>/<assignment> (a rename; the old folder, with --force, is renamed
  away first). nbgrader itself treats that folder as "already autograded", so a run that
  was killed at any point leaves each submission either fully done (merged AND installed)
  or not done (redone next time: merging the same record twice writes the same values,
  never a second row). Scratch folders and half-installed folders are swept at start.

The executor is pluggable: a local process pool, or an existing Dask cluster
(shared filesystem, PostgreSQL gradebook required).
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sqlite3
import sys
import time
import traceback
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

SCRATCH_DIRNAME = ".scratch"
CONFIG_NAME = "nbgrader_config.py"


class ParallelGradingError(RuntimeError):
    """Grading cannot start or go on; the message names the assignment, student or file."""


# --------------------------------------------------------------------------- helpers

def is_sqlite(db_url: str) -> bool:
    from sqlalchemy.engine import make_url

    return make_url(db_url).get_backend_name() == "sqlite"


def sqlite_path(db_url: str) -> Path:
    from sqlalchemy.engine import make_url

    return Path(make_url(db_url).database or "")


def load_course_config(root: Path, db_url: str | None = None):
    """nbgrader's configuration for the course at `root` (its nbgrader_config.py), with the
    root and, if given, the gradebook URL forced (the environment must not redirect a scratch
    course to the real gradebook)."""
    from traitlets.config.loader import PyFileConfigLoader

    saved_path = list(sys.path)
    try:
        config = PyFileConfigLoader(CONFIG_NAME, path=str(root)).load_config()
    finally:
        sys.path[:] = saved_path  # the config file puts its folder first on sys.path
    config.CourseDirectory.root = str(Path(root).resolve())
    if db_url:
        config.CourseDirectory.db_url = db_url
    return config


def submission_record(db_url: str, course_id: str, assignment: str, student: str) -> dict:
    """Everything `nbgrader autograde` writes to the gradebook for one submission, as plain data."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        sub = gb.find_submission(assignment, student)
        notebooks = {}
        for nb in sub.notebooks:
            notebooks[nb.name] = {
                "late_submission_penalty": nb.late_submission_penalty,
                "grades": {g.name: {"auto_score": g.auto_score, "needs_manual_grade": bool(g.needs_manual_grade)}
                           for g in nb.grades},
                "comments": {c.name: {"auto_comment": c.auto_comment} for c in nb.comments},
            }
        score = sum((g.score or 0.0) for nb in sub.notebooks for g in nb.grades)
        max_score = sum((g.max_score or 0.0) for nb in sub.notebooks for g in nb.grades)
        return {"assignment": assignment, "student": student, "timestamp": sub.timestamp,
                "notebooks": notebooks, "score": score, "max_score": max_score}


def merge_record(db_url: str, course_id: str, record: dict) -> None:
    """Write one student's autograde results into the course gradebook in ONE transaction.

    Creates the student and the submission (with its notebooks, grades and comments, as
    nbgrader's Gradebook.add_submission lays them out) if missing; then sets exactly the
    fields autograde sets. Manual scores, manual comments, extra credit, flags and
    extensions are left as they are. Idempotent: merging the same record twice is a no-op.
    """
    from nbgrader.api import (Comment, Grade, Gradebook, MissingEntry, Student, SubmittedAssignment,
                              SubmittedNotebook)

    assignment, student = record["assignment"], record["student"]
    with Gradebook(db_url, course_id) as gb:
        session = gb.db
        try:
            try:
                db_student = gb.find_student(student)
            except MissingEntry:
                db_student = Student(id=student)
                session.add(db_student)
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                db_assignment = gb.find_assignment(assignment)
                with session.no_autoflush:  # lay out the whole submission, as add_submission does
                    sub = SubmittedAssignment(assignment=db_assignment, student=db_student)
                    session.add(sub)
                    for notebook in db_assignment.notebooks:
                        nb = SubmittedNotebook(notebook=notebook, assignment=sub)
                        session.add(nb)
                        for cell in notebook.grade_cells:
                            session.add(Grade(cell=cell, notebook=nb))
                        for cell in notebook.solution_cells:
                            session.add(Comment(cell=cell, notebook=nb))
                        for cell in notebook.task_cells:
                            session.add(Comment(cell=cell, notebook=nb))
                            session.add(Grade(cell=cell, notebook=nb))
                session.flush()
            sub.timestamp = record["timestamp"]
            for nb in sub.notebooks:
                data = record["notebooks"].get(nb.name)
                if data is None:
                    raise ParallelGradingError(
                        f"{assignment}/{student}: notebook {nb.name!r} is in the gradebook but not in the graded result")
                nb.late_submission_penalty = data["late_submission_penalty"]
                for grade in nb.grades:
                    values = data["grades"][grade.name]
                    grade.auto_score = values["auto_score"]
                    grade.needs_manual_grade = values["needs_manual_grade"]
                for comment in nb.comments:
                    comment.auto_comment = data["comments"][comment.name]["auto_comment"]
            session.commit()
        except BaseException:
            session.rollback()
            raise


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


# --------------------------------------------------------------------------- the worker

def grade_submission(job: dict) -> dict:
    """Grade one submission in a scratch course directory (runs in a worker process or on a
    Dask worker). Never raises for a grading failure: returns {"ok": False, "error": ...}."""
    started = time.monotonic()
    root = Path(job["root"])
    assignment, student = job["assignment"], job["student"]
    scratch = Path(job["scratch"])
    result = {"ok": False, "assignment": assignment, "student": student, "scratch": str(scratch),
              "autograded": str(scratch / "autograded" / student / assignment), "worker_pid": os.getpid()}
    try:
        import warnings

        from sqlalchemy.exc import SAWarning

        # nbgrader 0.9's add_submission trips SQLAlchemy 2's autoflush warning; serial autograde prints it too
        warnings.filterwarnings("ignore", category=SAWarning)
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.utils import capture_log

        if scratch.exists():
            shutil.rmtree(scratch)
        scratch.mkdir(parents=True)
        shutil.copy2(root / CONFIG_NAME, scratch / CONFIG_NAME)
        for part in job.get("copy_dirs", ["keys"]):
            if (root / part).is_dir():
                shutil.copytree(root / part, scratch / part, symlinks=True)
        shutil.copytree(root / "source" / assignment, scratch / "source" / assignment, symlinks=True)
        if (root / "release" / assignment).is_dir():  # the intake hook mends broken notebooks from it
            shutil.copytree(root / "release" / assignment, scratch / "release" / assignment, symlinks=True)
        shutil.copytree(Path(job["submitted"]), scratch / "submitted" / student / assignment, symlinks=True)
        if job.get("template_db"):
            db_file = scratch / "gradebook.db"
            shutil.copyfile(job["template_db"], db_file)
            db_url = "sqlite:///" + str(db_file)
        else:
            db_url = job["db_url"]  # PostgreSQL: write the course gradebook directly

        config = load_course_config(scratch, db_url)
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        app = Autograde(coursedir=coursedir, config=config)
        app.force = True
        app.create_student = True
        outcome = capture_log(app)
        result["log"] = outcome.get("log", "")
        if not outcome["success"]:
            result["error"] = outcome.get("error") or "nbgrader autograde failed"
            return result
        if not Path(result["autograded"]).is_dir():
            result["error"] = f"nbgrader autograde produced no {result['autograded']}"
            return result
        result["record"] = submission_record(db_url, job["course_id"], assignment, student)
        result["ok"] = True
    except Exception:  # reported to the parent, which names the student
        result["error"] = traceback.format_exc()
    finally:
        result["seconds"] = time.monotonic() - started
    return result


# --------------------------------------------------------------------------- executors

def _import_grading_modules() -> None:
    import nbclient  # noqa: F401
    import nbgrader.converters  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401

    from . import metadata_check, preprocessors, run_cells, sandbox, sandbox_kernel  # noqa: F401


class LocalExecutor:
    """A pool of local worker processes."""

    def __init__(self, workers: int):
        self.workers = max(1, int(workers))

    def run(self, fn: Callable[[dict], dict], jobs: list[dict]) -> Iterator[dict]:
        if not jobs:
            return
        import multiprocessing

        if sys.platform.startswith("linux"):
            _import_grading_modules()  # once here, and every forked worker starts with them loaded
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        with ProcessPoolExecutor(max_workers=min(self.workers, len(jobs)), mp_context=context) as pool:
            futures = [pool.submit(fn, job) for job in jobs]
            for future in as_completed(futures):
                yield future.result()


class DaskExecutor:
    """Run the same worker function on an existing Dask cluster (shared filesystem assumed)."""

    def __init__(self, address: str):
        self.address = address

    def run(self, fn: Callable[[dict], dict], jobs: list[dict]) -> Iterator[dict]:
        try:
            from distributed import Client, as_completed as dask_completed
        except ImportError:
            raise ParallelGradingError("--dask needs the 'distributed' package: pip install 'dask[distributed]'") from None
        try:
            client = Client(self.address, timeout=30)
        except Exception as exc:
            raise ParallelGradingError(f"cannot reach the Dask scheduler at {self.address}: {exc}") from None
        try:
            futures = [client.submit(fn, job, pure=False, key=f"autograde-{job['assignment']}-{job['student']}-{uuid.uuid4().hex[:8]}")
                       for job in jobs]
            for future in dask_completed(futures):
                yield future.result()
        finally:
            client.close()


# --------------------------------------------------------------------------- the parent

@dataclass
class Outcome:
    assignment: str
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    seconds: float = 0.0


@contextlib.contextmanager
def _assignment_lock(scratch_root: Path, assignment: str):
    scratch_root.mkdir(parents=True, exist_ok=True)
    path = scratch_root / f"{assignment}.lock"
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParallelGradingError(
                f"{assignment}: another `course autograde {assignment}` is running (lock {path})") from None
        yield


def _needs_grading(coursedir, assignment: str, student: str, force: bool) -> bool:
    """nbgrader's own rule (BaseConverter.init_destination): grade when there is no autograded
    folder, with --force, or when the submission is newer than the autograded copy."""
    dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    if force or not dest.is_dir():
        return True
    src = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    new, old = coursedir.get_existing_timestamp(src), coursedir.get_existing_timestamp(str(dest))
    return new is not None and old is not None and new > old


def autograde(root: Path, assignment: str, **options) -> Outcome:
    """Autograde the collected submissions of one assignment in parallel (see autograde_all)."""
    return autograde_all(root, [assignment], **options)[assignment]


def autograde_all(root: Path, assignments: list[str], students: list[str] | None = None, workers: int = 2,
                  force: bool = False, dask: str | None = None, scratch_dir: Path | None = None,
                  on_start: Callable[[int, int], None] | None = None,
                  on_result: Callable[[dict], None] | None = None) -> dict[str, Outcome]:
    """Autograde the collected submissions of several assignments in ONE worker pool, so workers
    never wait for the slowest submission of one assignment before the next starts. See the
    module docstring. Returns an Outcome per assignment, in the order given."""
    from nbgrader.coursedir import CourseDirectory

    started = time.monotonic()
    root = Path(root).resolve()
    assignments = list(dict.fromkeys(assignments))
    if not assignments:
        raise ParallelGradingError("no assignment to autograde")
    config = load_course_config(root)
    coursedir = CourseDirectory(config=config)
    db_url, course_id = coursedir.db_url, coursedir.course_id
    sqlite = is_sqlite(db_url)
    if dask and sqlite:
        raise ParallelGradingError(
            f"--dask needs a PostgreSQL gradebook (set COURSE_DB_URL=postgresql+psycopg2://...): the gradebook "
            f"{db_url} is SQLite, which workers on other machines cannot share")
    _check_assignments(root, db_url, course_id, assignments)
    chosen = _chosen_students(coursedir, assignments, students)

    scratch_root = Path(scratch_dir).resolve() if scratch_dir else Path(coursedir.autograded_directory
                                                                          if os.path.isabs(coursedir.autograded_directory)
                                                                          else root / coursedir.autograded_directory) / SCRATCH_DIRNAME
    outcomes = {a: Outcome(a) for a in assignments}
    with contextlib.ExitStack() as locks:
        for assignment in sorted(assignments):  # one order, so two runs cannot deadlock
            locks.enter_context(_assignment_lock(scratch_root, assignment))
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
            with contextlib.closing(sqlite3.connect(sqlite_path(db_url))) as src, \
                    contextlib.closing(sqlite3.connect(template)) as dst:
                src.backup(dst)  # a consistent snapshot even while something else reads the gradebook
        jobs = [{"root": str(root), "assignment": a, "student": s, "course_id": course_id,
                 "submitted": coursedir.format_path(coursedir.submitted_directory, s, a),
                 "scratch": str(scratch_root / a / f"{s}-{uuid.uuid4().hex[:8]}"),
                 "template_db": str(template) if template else None,
                 "db_url": None if sqlite else db_url} for a, s in todo]
        # Largest notebooks first, so that no long one is left running alone at the end.
        jobs.sort(key=lambda job: -sum(f.stat().st_size for f in Path(job["submitted"]).glob("*.ipynb")))
        if on_start:
            on_start(len(todo), sum(len(o.skipped) for o in outcomes.values()))
        executor = DaskExecutor(dask) if dask else LocalExecutor(workers)
        results = executor.run(grade_submission, jobs)
        try:
            while True:
                try:
                    result = next(results)
                except StopIteration:
                    break
                except ParallelGradingError:
                    raise
                except Exception as exc:  # a worker process died (out of memory, killed), the cluster went away
                    done = sum(len(o.graded) for o in outcomes.values())
                    raise ParallelGradingError(
                        f"{', '.join(assignments)}: grading stopped after {done} of {len(jobs)} submission(s): "
                        f"{type(exc).__name__}: {exc}. Finished students are kept; run the same command again "
                        f"to grade the rest") from exc
                _install(result, outcomes[result["assignment"]], coursedir, db_url, course_id, sqlite)
                if on_result:
                    on_result(result)
        finally:
            if template:
                template.unlink(missing_ok=True)
        for assignment in assignments:
            shutil.rmtree(scratch_root / assignment, ignore_errors=True)
    seconds = time.monotonic() - started
    for outcome in outcomes.values():
        outcome.seconds = seconds
    return outcomes


def _check_assignments(root: Path, db_url: str, course_id: str, assignments: list[str]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    for assignment in assignments:
        if not (root / "source" / assignment).is_dir():
            raise ParallelGradingError(f"unknown assignment {assignment!r}: no source/{assignment}/")
    if is_sqlite(db_url) and not sqlite_path(db_url).is_file():
        raise ParallelGradingError(f"{assignments[0]}: no gradebook at {sqlite_path(db_url)}; "
                                   f"run `course release {assignments[0]}` first")
    with Gradebook(db_url, course_id) as gb:
        for assignment in assignments:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                raise ParallelGradingError(
                    f"{assignment}: not in the gradebook {db_url}; run `course release {assignment}` "
                    f"(or `course generate {assignment}`) first") from None


def _chosen_students(coursedir, assignments: list[str], students: list[str] | None) -> dict[str, list[str]]:
    """The students to grade per assignment: all collected, or those named. A named student must
    have a collected submission (of the one assignment; of at least one, when there are several)."""
    chosen, roots = {}, {}
    for assignment in assignments:
        roots[assignment] = Path(coursedir.format_path(coursedir.submitted_directory, "*", assignment)).parent.parent
        collected = sorted(p.parent.name for p in roots[assignment].glob(f"*/{assignment}") if p.is_dir())
        chosen[assignment] = [s for s in dict.fromkeys(students) if s in collected] if students else collected
    missing = [s for s in dict.fromkeys(students or []) if not any(s in names for names in chosen.values())]
    if missing:
        where = " or ".join(f"{roots[a]}/<student>/{a}" for a in assignments)
        raise ParallelGradingError(
            f"{', '.join(assignments)}: no collected submission for student(s) {', '.join(missing)} (looked in {where})")
    return chosen


def _install(result: dict, outcome: Outcome, coursedir, db_url: str, course_id: str, sqlite: bool) -> None:
    """Merge one worker's result into the gradebook (SQLite: this process is the only writer),
    then move its graded folder into autograded/; on any failure the student is reported."""
    student, assignment = result["student"], result["assignment"]
    if result["ok"]:
        try:
            if sqlite:
                merge_record(db_url, course_id, result["record"])
            dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
            _replace_dir(Path(result["autograded"]), dest)
        except Exception:
            result["ok"] = False
            result["error"] = traceback.format_exc()
    if result["ok"]:
        outcome.graded.append(student)
        outcome.scores[student] = (result["record"]["score"], result["record"]["max_score"])
    else:
        outcome.failed[student] = result.get("error", "") + "\n" + result.get("log", "")
    shutil.rmtree(result["scratch"], ignore_errors=True)


def gradebook_snapshot(db_url: str, course_id: str, assignment: str | None = None) -> dict:
    """The gradebook's per-student contents keyed by names, not row ids, for comparing two
    gradebooks: students; per submission its timestamp and extension; per submitted notebook
    its flag and late penalty; per grade auto_score, manual_score, extra_credit,
    needs_manual_grade; per comment auto_comment and manual_comment. Row ids (random uuids)
    are left out: they differ between any two runs, serial or not."""
    from nbgrader.api import Gradebook

    snapshot: dict = {"students": {}, "submissions": {}}
    with Gradebook(db_url, course_id) as gb:
        for student in gb.students:
            snapshot["students"][student.id] = (student.first_name, student.last_name, student.email,
                                                student.lms_user_id)
        for db_assignment in gb.assignments:
            if assignment and db_assignment.name != assignment:
                continue
            for sub in db_assignment.submissions:
                notebooks = {}
                for nb in sub.notebooks:
                    notebooks[nb.name] = {
                        "flagged": bool(nb.flagged), "late_submission_penalty": nb.late_submission_penalty,
                        "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit, bool(g.needs_manual_grade))
                                   for g in nb.grades},
                        "grade_rows": len(nb.grades), "comment_rows": len(nb.comments),
                        "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments},
                    }
                snapshot["submissions"][(db_assignment.name, sub.student.id)] = {
                    "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
                    "extension": str(sub.extension) if sub.extension else None,
                    "score": sub.score, "notebooks": notebooks}
    return snapshot
