"""Running: grade ONE submission in a scratch course directory with nbgrader's own Autograde
converter (in a local worker process or on a Dask worker), and the executors that run the
jobs. The configuration every worker grades with is made here too (students' code always
sandboxed)."""
from __future__ import annotations

import os
import shutil
import sys
import time
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Iterator

from ...coursedir import CourseDir, is_sqlite, load_course_config, sqlite_file
from .records import Job, ParallelGradingError, Result, submission_record

SANDBOXED_EXECUTE = "course.grading.steps.SandboxedExecute"
# How a worker lays out its scratch course (nbgrader's defaults); the real course's own layout
# is used by the parent to find submissions and install results.
WORKER_LAYOUT = {"directory_structure": "{nbgrader_step}/{student_id}/{assignment_id}",
                 "submitted_directory": "submitted", "autograded_directory": "autograded",
                 "source_directory": "source", "release_directory": "release", "feedback_directory": "feedback",
                 "solution_directory": "solution", "source_with_tests_directory": "source_with_tests",
                 "student_id": "*", "assignment_id": "", "notebook_id": "*"}
MERGE_WAIT_S = 2.0  # the executors yield None after this long without a result: the parent merges what it holds
PROFILE_ENV = "COURSE_AUTOGRADE_PROFILE"  # a file: where each second went, as JSON (bench/autograde_benchmark.py)


def _default_of(cls, name: str):
    return cls.class_traits()[name].default()


def sandboxed_preprocessors(config) -> tuple[list, bool]:
    """Autograde's preprocessors as `config` names them, with nbgrader's plain Execute replaced by
    course.grading.steps.SandboxedExecute (the same step with the kernel in bubblewrap), and
    whether a replacement was made. Another executing step that is not sandboxed is refused:
    `course autograde` never runs students' code outside the sandbox."""
    from nbconvert.preprocessors import ExecutePreprocessor
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import LazyConfigValue
    from traitlets.utils.importstring import import_item

    from ..run.sandbox import SandboxedExecute

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
    # absolute: a worker's CourseDirectory root is its scratch folder, not the course
    wconfig.CoursePreprocessor.keys_dir = str(CourseDir(root, config).keys_dir)
    wconfig.CoursePreprocessor.scenarios_dir = str(CourseDir(root, config).scenarios_dir)
    for name, value in WORKER_LAYOUT.items():
        wconfig.CourseDirectory[name] = value
    wconfig.CourseDirectory.student_id_exclude = ""  # the parent chose the students
    return wconfig, replaced


_WORKER_CONFIGS: dict[str, Any] = {}  # filled by the parent before the pool forks; per process on Dask


def _worker_base_config(job: Job):
    key = job["config_key"]
    if key not in _WORKER_CONFIGS:  # a Dask worker: load the real course's config once per process
        root = Path(job["root"])
        _WORKER_CONFIGS[key] = worker_config(load_course_config(root), root, Path(job["scratch_root"]))[0]
    return _WORKER_CONFIGS[key]

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


def grade_submission(job: Job) -> Result:
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

def _import_grading_modules() -> None:
    import nbclient  # noqa: F401
    import nbgrader.converters  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401

    from .. import steps  # noqa: F401
    from ..intake import metadata_check  # noqa: F401
    from ..run import run_cells, sandbox, sandbox_kernel  # noqa: F401


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
