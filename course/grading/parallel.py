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
  course.grading.sandbox.SandboxedExecute in its place (same scores; see sandbox_config).
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
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import sys
import time
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..coursedir import is_sqlite, load_course_config, sqlite_file

SCRATCH_DIRNAME = ".scratch"
LOG_DIRNAME = ".logs"  # <autograded>/.logs/<assignment>/<student>.log: a failed submission's full log
SANDBOXED_EXECUTE = "course.grading.sandbox.SandboxedExecute"
# How a worker lays out its scratch course (nbgrader's defaults); the real course's own layout
# is used by the parent to find submissions and install results.
WORKER_LAYOUT = {"directory_structure": "{nbgrader_step}/{student_id}/{assignment_id}",
                 "submitted_directory": "submitted", "autograded_directory": "autograded",
                 "source_directory": "source", "release_directory": "release", "feedback_directory": "feedback",
                 "solution_directory": "solution", "source_with_tests_directory": "source_with_tests",
                 "student_id": "*", "assignment_id": "", "notebook_id": "*"}
MERGE_BATCH = 32  # records merged per gradebook transaction (at most; fewer when results are slow to come)
MERGE_WAIT_S = 2.0  # merge what has arrived once the oldest unmerged result has waited this long


class ParallelGradingError(RuntimeError):
    """Grading cannot start or go on; the message names the assignment, student or file."""


# --------------------------------------------------------------------------- helpers

def submission_record(db_url: str, course_id: str, assignment: str, student: str,
                      missing_ok: bool = False) -> dict | None:
    """Everything `nbgrader autograde` writes to the gradebook for one submission, as plain data
    (None with `missing_ok` when there is no such submission)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            if missing_ok:
                return None
            raise
        notebooks = {}
        for nb in sub.notebooks:
            notebooks[nb.name] = {
                "late_submission_penalty": nb.late_submission_penalty, "flagged": bool(nb.flagged),
                "grades": {g.name: {"auto_score": g.auto_score, "needs_manual_grade": bool(g.needs_manual_grade)}
                           for g in nb.grades},
                "comments": {c.name: {"auto_comment": c.auto_comment} for c in nb.comments},
            }
        score = sum((g.score or 0.0) for nb in sub.notebooks for g in nb.grades)
        max_score = sum((g.max_score or 0.0) for nb in sub.notebooks for g in nb.grades)
        return {"assignment": assignment, "student": student, "timestamp": sub.timestamp,
                "notebooks": notebooks, "score": score, "max_score": max_score}


def merge_records(gb, records: list[dict]) -> None:
    """Write several students' autograde results into the open gradebook `gb` in ONE transaction.

    Creates the student and the submission (with its notebooks, grades and comments, as
    nbgrader's Gradebook.add_submission lays them out) if missing; then sets exactly the
    fields autograde sets. Manual scores, manual comments, extra credit, flags and
    extensions are left as they are (the grader may set a flag, never clear one).
    Idempotent: merging the same record twice is a no-op. All or nothing.
    """
    from nbgrader.api import Comment, Grade, MissingEntry, Student, SubmittedAssignment, SubmittedNotebook

    session = gb.db
    try:
        for record in records:
            assignment, student = record["assignment"], record["student"]
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
                if data.get("flagged"):  # the grader flags for review; only an instructor clears a flag
                    nb.flagged = True
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


# --------------------------------------------------------------------------- the worker's configuration

def _default_of(cls, name: str):
    return cls.class_traits()[name].default()


def sandboxed_preprocessors(config) -> tuple[list, bool]:
    """Autograde's preprocessors as `config` names them, with nbgrader's plain Execute replaced by
    course.grading.sandbox.SandboxedExecute (the same step with the kernel in bubblewrap), and
    whether a replacement was made. Another executing step that is not sandboxed is refused:
    `course autograde` never runs students' code outside the sandbox."""
    from nbconvert.preprocessors import ExecutePreprocessor
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import LazyConfigValue
    from traitlets.utils.importstring import import_item

    from .sandbox import SandboxedExecute

    default = list(_default_of(Autograde, "autograde_preprocessors"))
    named = config.Autograde.get("autograde_preprocessors", default) if "Autograde" in config else default
    if isinstance(named, LazyConfigValue):
        named = named.get_value(default)
    steps, replaced = [], False
    for step in named:
        cls = import_item(step) if isinstance(step, str) else step
        if cls is Execute:
            steps.append(SANDBOXED_EXECUTE)
            replaced = True
        elif isinstance(cls, type) and issubclass(cls, ExecutePreprocessor) and not issubclass(cls, SandboxedExecute):
            name = step if isinstance(step, str) else f"{cls.__module__}.{cls.__qualname__}"
            raise ParallelGradingError(
                f"c.Autograde.autograde_preprocessors runs students' code with {name}, which is not sandboxed; "
                f"`course autograde` only runs it in the sandbox: put {SANDBOXED_EXECUTE!r} in its place in "
                f"nbgrader_config.py (or grade with plain `nbgrader autograde`, unsandboxed)")
        else:
            steps.append(step)
    return steps, replaced


def worker_config(config, root: Path, scratch_root: Path):
    """What every worker grades with: the real course's configuration (loaded from the real root,
    so the keys, the release folder and the hide list describe the real course), with students'
    code sandboxed, the real root, exchange and scratch folders hidden from it, and the scratch
    course laid out as nbgrader's default. Returns (config, whether Execute was replaced)."""
    import copy

    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    wconfig = copy.deepcopy(config)
    steps, replaced = sandboxed_preprocessors(config)
    wconfig.Autograde.autograde_preprocessors = steps
    hide = list(config.SandboxedExecute.get("hide", [])) if "SandboxedExecute" in config else []
    hide += [str(root), str(scratch_root)]
    exchange = config.Exchange.get("root") if "Exchange" in config else None
    if exchange:
        hide.append(str(exchange))
    for step in ("source_directory", "release_directory", "submitted_directory", "autograded_directory",
                 "feedback_directory"):
        folder = Path(coursedir.root) / getattr(coursedir, step)
        hide.append(str(folder))
    if is_sqlite(coursedir.db_url):
        hide.append(str(sqlite_file(coursedir.db_url).parent))
    wconfig.SandboxedExecute.hide = list(dict.fromkeys(os.path.abspath(h) for h in hide if h))
    if not (config.CoursePreprocessor.get("keys_dir") if "CoursePreprocessor" in config else None):
        wconfig.CoursePreprocessor.keys_dir = str(root / "keys")
    for name, value in WORKER_LAYOUT.items():
        wconfig.CourseDirectory[name] = value
    wconfig.CourseDirectory.student_id_exclude = ""  # the parent chose the students
    return wconfig, replaced


_WORKER_CONFIGS: dict[str, Any] = {}  # filled by the parent before the pool forks; per process on Dask


def _worker_base_config(job: dict):
    key = job["config_key"]
    if key not in _WORKER_CONFIGS:  # a Dask worker: load the real course's config once per process
        root = Path(job["root"])
        _WORKER_CONFIGS[key] = worker_config(load_course_config(root), root, Path(job["scratch_root"]))[0]
    return _WORKER_CONFIGS[key]


# --------------------------------------------------------------------------- the worker

def _track_failures(app, state: dict) -> None:
    """Remember which notebook nbgrader was converting and the exception that stopped it
    (nbgrader logs the traceback and raises a generic error)."""
    convert, init = app.convert_single_notebook, app.init_assignment

    def convert_single_notebook(filename):
        state["notebook"] = os.path.basename(filename)
        try:
            return convert(filename)
        except Exception as exc:
            state.setdefault("cause", f"{type(exc).__name__}: {exc}")
            raise

    def init_assignment(assignment_id, student_id):
        try:
            return init(assignment_id, student_id)
        except Exception as exc:
            state.setdefault("cause", f"{type(exc).__name__}: {exc}")
            raise

    app.convert_single_notebook = convert_single_notebook
    app.init_assignment = init_assignment


PROFILE_ENV = "COURSE_AUTOGRADE_PROFILE"  # a file: where each second went, as JSON (bench/autograde_benchmark.py)
_PROFILE: dict[str, float] = {}


def _profile_hooks() -> None:
    """Time nbgrader's steps (each preprocessor) and the kernel's start in this worker process."""
    if _PROFILE.get("_hooked"):
        return
    from nbclient import NotebookClient
    from nbconvert.preprocessors import Preprocessor

    def timed(fn, name_of):
        def wrapper(self, *args, **kwargs):
            begin = time.monotonic()
            try:
                return fn(self, *args, **kwargs)
            finally:
                name = name_of(self)
                _PROFILE[name] = _PROFILE.get(name, 0.0) + time.monotonic() - begin
        return wrapper

    Preprocessor.__call__ = timed(Preprocessor.__call__, lambda self: f"step {type(self).__name__}")
    for method in ("start_new_kernel", "start_new_kernel_client"):
        setattr(NotebookClient, method, timed(getattr(NotebookClient, method), lambda self: "kernel start"))
    _PROFILE["_hooked"] = 1.0


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


def grade_submission(job: dict) -> dict:
    """Grade one submission in a scratch course directory (runs in a worker process or on a
    Dask worker). Never raises for a grading failure: returns {"ok": False, "error": ...},
    with the gradebook record nbgrader left behind when it got as far as creating one."""
    import copy

    started = time.monotonic()
    assignment, student = job["assignment"], job["student"]
    scratch = Path(job["scratch"])
    result = {"ok": False, "assignment": assignment, "student": student, "scratch": str(scratch),
              "autograded": str(scratch / "autograded" / student / assignment), "worker_pid": os.getpid(),
              "submitted_copy": str(scratch / "submitted" / student / assignment), "ran": False}
    state: dict = {}
    db_url = None
    profile = bool(os.environ.get(PROFILE_ENV))
    if profile:
        _profile_hooks()
        for name in [n for n in _PROFILE if n != "_hooked"]:
            del _PROFILE[name]
    try:
        import warnings

        from sqlalchemy.exc import SAWarning

        # nbgrader 0.9's add_submission trips SQLAlchemy 2's autoflush warning; serial autograde prints it too
        warnings.filterwarnings("ignore", category=SAWarning)
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.utils import capture_log

        base = _worker_base_config(job)
        if scratch.exists():
            shutil.rmtree(scratch)
        (scratch / "submitted" / student).mkdir(parents=True)
        (scratch / "source").mkdir()
        shutil.copytree(Path(job["submitted"]), result["submitted_copy"], symlinks=True)
        # the instructor's source folder, shared read-only by every job (nbgrader only reads it)
        os.symlink(job["source"], scratch / "source" / assignment, target_is_directory=True)
        if job.get("template_db"):
            db_file = scratch / "gradebook.db"
            shutil.copyfile(job["template_db"], db_file)
            db_url = "sqlite:///" + str(db_file)
        else:
            db_url = job["db_url"]  # PostgreSQL: write the course gradebook directly

        set_up = time.monotonic()
        config = copy.deepcopy(base)
        config.CourseDirectory.root = str(scratch)
        config.CourseDirectory.db_url = db_url
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        app = Autograde(coursedir=coursedir, config=config)
        app.force = True
        _track_failures(app, state)
        result["ran"] = True
        graded_at = time.monotonic()
        outcome = capture_log(app)
        state["nbgrader_s"] = time.monotonic() - graded_at
        state["setup_s"] = graded_at - started
        state["config_s"] = graded_at - set_up
        result["log"] = outcome.get("log", "")
        if outcome["success"] and not Path(result["autograded"]).is_dir():
            outcome = {"success": False, "error": "nbgrader autograde wrote no autograded folder"}
        if not outcome["success"]:
            cause = state.get("cause") or (outcome.get("error") or "nbgrader autograde failed").strip().splitlines()[-1]
            where = state.get("notebook") or "before any notebook was graded"
            result["error"] = f"{where}: {_one_line(cause)}"
            result["traceback"] = outcome.get("error", "")
            if job.get("template_db"):  # what nbgrader wrote before it failed stays, as in serial grading
                result["record"] = submission_record(db_url, job["course_id"], assignment, student, missing_ok=True)
            return result
        result["record"] = submission_record(db_url, job["course_id"], assignment, student)
        result["ok"] = True
    except Exception as exc:  # reported to the parent, which names the student
        result["error"] = f"{state.get('notebook') or 'grading'}: {_one_line(f'{type(exc).__name__}: {exc}')}"
        result["traceback"] = traceback.format_exc()
    finally:
        result["seconds"] = time.monotonic() - started
        if profile:
            steps = {n: v for n, v in _PROFILE.items() if n != "_hooked"}
            nbgrader_s = state.get("nbgrader_s", 0.0)
            result["profile"] = {"scratch copy and gradebook copy": state.get("setup_s", 0.0) - state.get("config_s", 0.0),
                                 "config and converter set-up": state.get("config_s", 0.0),
                                 "nbgrader other (gradebook, files)": nbgrader_s - sum(
                                     v for n, v in steps.items() if n.startswith("step ")),
                                 "record read": result["seconds"] - state.get("setup_s", 0.0) - nbgrader_s, **steps}
            if "kernel start" in steps:  # counted inside the Execute step too: keep the step's own share
                for name in list(result["profile"]):
                    if name.startswith("step ") and "Execute" in name:
                        result["profile"][name] -= steps["kernel start"]
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
            pending = {pool.submit(fn, job) for job in jobs}
            while pending:
                done, pending = wait(pending, timeout=MERGE_WAIT_S, return_when=FIRST_COMPLETED)
                if not done:
                    yield None  # nothing arrived for a while: the parent merges what it holds
                for future in done:
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
    failed: dict[str, str] = field(default_factory=dict)  # student -> what failed, where, and the log's path
    empty: dict[str, str] = field(default_factory=dict)  # student -> collected folder holding no notebook
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    seconds: float = 0.0
    sandbox_note: str = ""


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


def course_coursedir(root: Path):
    """The real course's configuration and nbgrader CourseDirectory (loaded once)."""
    from nbgrader.coursedir import CourseDirectory

    config = load_course_config(Path(root).resolve())
    return config, CourseDirectory(config=config)


def source_folder(coursedir, assignment: str) -> Path:
    return Path(coursedir.format_path(coursedir.source_directory, ".", assignment))


def autograded_root(coursedir) -> Path:
    """The folder autograded submissions go under (<root>/autograded by default)."""
    return Path(coursedir.root) / coursedir.autograded_directory


def failure_log_path(coursedir, assignment: str, student: str) -> Path:
    return autograded_root(coursedir) / LOG_DIRNAME / assignment / f"{student}.log"


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
    _check_assignments(coursedir, root, db_url, course_id, assignments)
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
        jobs = [{"root": str(root), "assignment": a, "student": s, "course_id": course_id,
                 "config_key": config_key, "scratch_root": str(scratch_root),
                 "submitted": coursedir.format_path(coursedir.submitted_directory, s, a),
                 "source": str(source_folder(coursedir, a).resolve()),
                 "scratch": str(scratch_root / a / f"{s}-{uuid.uuid4().hex[:8]}"),
                 "template_db": str(template) if template else None,
                 "db_url": None if sqlite else db_url} for a, s in todo]
        # Largest notebooks first, so that no long one is left running alone at the end.
        jobs.sort(key=lambda job: -sum(f.stat().st_size for f in Path(job["submitted"]).glob("*.ipynb")))
        if on_start:
            on_start(len(todo), sum(len(o.skipped) for o in outcomes.values()))
        prof = {"start_s": time.monotonic() - started, "merge_s": 0.0, "merge_batches": 0, "install_s": 0.0,
                "jobs": len(jobs), "worker_s": {}} if os.environ.get(PROFILE_ENV) else None
        executor = DaskExecutor(dask) if dask else LocalExecutor(workers)
        results = executor.run(grade_submission, jobs)
        batch: list[dict] = []
        first_at = 0.0
        opened: dict = {}

        def settle() -> None:
            if sqlite and "gb" not in opened:  # opened once the workers have forked, kept for the run
                from nbgrader.api import Gradebook

                opened["gb"] = stack.enter_context(Gradebook(db_url, course_id))  # the only writer
            _settle(batch, outcomes, coursedir, opened.get("gb"), prof)
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


def _check_assignments(coursedir, root: Path, db_url: str, course_id: str, assignments: list[str]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    from .keys import KeyError_, key_path, load_keys

    for assignment in assignments:
        source = source_folder(coursedir, assignment)
        if not source.is_dir():
            raise ParallelGradingError(f"unknown assignment {assignment!r}: no {source}/")
        keys = key_path(root / "keys", assignment)
        if keys.parent.is_dir():  # this course's grader scores every graded cell from its key: fail closed
            try:
                load_keys(keys)
            except KeyError_ as exc:
                raise ParallelGradingError(f"{assignment}: {exc}; nothing was graded") from None
    if is_sqlite(db_url) and not sqlite_file(db_url).is_file():
        raise ParallelGradingError(f"{assignments[0]}: no gradebook at {sqlite_file(db_url)}; "
                                   f"run `course release {assignments[0]}` (or nbgrader generate_assignment) first")
    with Gradebook(db_url, course_id) as gb:
        for assignment in assignments:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                raise ParallelGradingError(
                    f"{assignment}: not in the gradebook {db_url}; run `course release {assignment}` "
                    f"(or `course generate {assignment}`) first") from None


def collected_students(coursedir, assignment: str) -> dict[str, Path]:
    """{student: collected folder} for one assignment, found as nbgrader finds them (the
    configured submitted_directory and directory_structure; student_id_exclude left out)."""
    import glob
    import re

    pattern = coursedir.format_path(coursedir.submitted_directory, "*", assignment)
    regexp = coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>.*)", assignment, escape=True)
    excluded = set(filter(None, coursedir.student_id_exclude.split(",")))
    found = {}
    for path in sorted(glob.glob(pattern)):
        match = re.match(regexp, path)
        if match and os.path.isdir(path) and match.group("student_id") not in excluded:
            found[match.group("student_id")] = Path(path)
    return found


def _chosen_students(coursedir, assignments: list[str], students: list[str] | None,
                     ) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """The students to grade per assignment: all collected, or those named. A named student must
    have a collected submission (of the one assignment; of at least one, when there are several).
    Also, per assignment, the chosen folders that hold no notebook: nbgrader skips them with a
    warning, and so does this."""
    chosen, empty, where = {}, {}, []
    for assignment in assignments:
        collected = collected_students(coursedir, assignment)
        where.append(coursedir.format_path(coursedir.submitted_directory, "<student>", assignment))
        names = [s for s in dict.fromkeys(students) if s in collected] if students else sorted(collected)
        chosen[assignment], empty[assignment] = [], {}
        for student in names:
            if any(collected[student].glob(coursedir.notebook_id + ".ipynb")):
                chosen[assignment].append(student)
            else:
                empty[assignment][student] = str(collected[student])
    missing = [s for s in dict.fromkeys(students or [])
               if not any(s in chosen[a] or s in empty[a] for a in assignments)]
    if missing:
        raise ParallelGradingError(
            f"{', '.join(assignments)}: no collected submission for student(s) {', '.join(missing)} "
            f"(looked in {' or '.join(where)})")
    return chosen, empty


def _real_paths(text: str, result: dict, coursedir) -> str:
    """Name the course's own folders in a worker's message, never the scratch copy it worked in."""
    student, assignment = result["student"], result["assignment"]
    text = text.replace(result["submitted_copy"], coursedir.format_path(coursedir.submitted_directory, student,
                                                                        assignment))
    text = text.replace(result["autograded"], coursedir.format_path(coursedir.autograded_directory, student,
                                                                    assignment))
    return text.replace(result["scratch"], "<scratch copy>")


def _settle(batch: list[dict], outcomes: dict[str, Outcome], coursedir, gb, prof: dict | None = None) -> None:
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
