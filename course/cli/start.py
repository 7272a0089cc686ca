"""`course start`: set a student up as nbgrader expects, then open JupyterLab.

- The exchange: the one your instructor names (`--exchange PATH`, and `--course ID` if the
  course id is not police-negotiation), or else a local one for you alone in
  `<dir>/.course/exchange`, into which the course's released lessons are released
  (nbgrader's release_assignment, so it has nbgrader's layout and permissions).
- Every released lesson not yet in your folder is fetched into it (nbgrader's
  fetch_assignment). Lessons already there are kept: your answers and notes are never
  overwritten, and working a lesson never changes the course's release/ folder.
- `<dir>/nbgrader_config.py` names the course, the exchange and your folder: JupyterLab's
  Assignments panel (Nbgrader ▸ Assignment List) and `nbgrader submit LESSON` (run in your
  folder) read it to submit and to fetch feedback.
- `<dir>/.course/jupyter/` switches the instructor's parts of nbgrader off for this
  JupyterLab (Formgrader, Create Assignment, Course List), as nbgrader's installation guide
  says to, for you only; JupyterLab starts in your folder with that folder on
  JUPYTER_CONFIG_PATH.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

from .coursedir import CourseDir, CourseError, find_root

DEFAULT_WORKDIR = Path.home() / "negotiation-course"
DEFAULT_COURSE_ID = os.environ.get("COURSE_ID", "police-negotiation")
PRIVATE = ".course"  # hidden in JupyterLab's file browser
CONFIG_MARK = "# Written by `course start`"

# nbgrader's instructor parts, off for students (nbgrader docs, "Installation": disabling extensions)
STUDENT_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
}
STUDENT_LAB_EXTENSIONS_OFF = [
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
]


def local_exchange(workdir: Path) -> Path:
    return workdir / PRIVATE / "exchange"


def jupyter_config_dir(workdir: Path) -> Path:
    return workdir / PRIVATE / "jupyter"


def _nbgrader_config(course_id: str, exchange: Path, workdir: Path, root: Path | None = None, assignment: str = ""):
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.course_id = course_id
    config.CourseDirectory.assignment_id = assignment
    if root is not None:
        config.CourseDirectory.root = str(root)
    config.Exchange.root = str(exchange)
    config.Exchange.assignment_dir = str(workdir)
    return config


def _run_exchange(kind: str, config) -> None:
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError, ExchangeFactory

    coursedir = CourseDirectory(config=config)
    factory = ExchangeFactory(config=config)
    step = getattr(factory, kind)(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)
    try:
        step.start()
    except ExchangeError as exc:
        raise CourseError(f"nbgrader {kind} of {coursedir.assignment_id}: {exc}") from None


def _same_tree(a: Path, b: Path) -> bool:
    compare = filecmp.dircmp(a, b, ignore=[".ipynb_checkpoints", "__pycache__"])
    if compare.left_only or compare.right_only or compare.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compare.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(a / d, b / d) for d in compare.common_dirs)


def release_locally(root: Path, exchange: Path, course_id: str, workdir: Path) -> list[str]:
    """Release every lesson of the course's release folder to the student's own exchange (again
    when it changed)."""
    course = CourseDir.at(root)
    lessons = course.released()
    if not lessons:
        raise CourseError(f"{course.folder('release')}: no released lessons (run `course generate` first)")
    exchange.mkdir(parents=True, exist_ok=True)
    for name in lessons:
        outbound = exchange / course_id / "outbound" / name
        if outbound.is_dir() and _same_tree(course.folder("release", name), outbound):
            continue
        config = _nbgrader_config(course_id, exchange, workdir, root=course.root, assignment=name)
        for setting in ("release_directory", "directory_structure"):  # where the course keeps its releases
            config.CourseDirectory[setting] = getattr(course.nbgrader, setting)
        config.ExchangeReleaseAssignment.force = True
        _run_exchange("ReleaseAssignment", config)
    return lessons


def exchange_lessons(exchange: Path, course_id: str) -> list[str]:
    outbound = exchange / course_id / "outbound"
    if not outbound.is_dir():
        raise CourseError(f"{outbound}: no lessons released to course {course_id!r} in the exchange {exchange} "
                          "(check --exchange and --course with your instructor)")
    return sorted(p.name for p in outbound.iterdir() if p.is_dir())


def fetch_lessons(exchange: Path, course_id: str, workdir: Path) -> tuple[list[str], list[str]]:
    """Fetch each released lesson the student does not have yet; keep the ones they have."""
    workdir.mkdir(parents=True, exist_ok=True)
    fetched, kept = [], []
    for name in exchange_lessons(exchange, course_id):
        if (workdir / name).exists():
            kept.append(name)
            continue
        _run_exchange("FetchAssignment", _nbgrader_config(course_id, exchange, workdir, assignment=name))
        fetched.append(name)
    return fetched, kept


def write_student_config(workdir: Path, exchange: Path, course_id: str) -> Path:
    """The student's nbgrader_config.py (course id, exchange, folder) and the Jupyter config
    that switches the instructor's panels off."""
    target = workdir / "nbgrader_config.py"
    if target.exists() and CONFIG_MARK not in target.read_text(encoding="utf-8", errors="replace"):
        raise CourseError(f"{target} exists and was not written by `course start` (is {workdir} a course "
                          "folder?): choose another folder with --dir")
    target.write_text(
        f"{CONFIG_MARK}: this folder's nbgrader settings (rewritten by each `course start`).\n"
        "# JupyterLab's Assignments panel and `nbgrader submit LESSON`, run here, read them.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.assignment_dir = {str(workdir)!r}\n", encoding="utf-8")
    config_dir = jupyter_config_dir(workdir)
    (config_dir / "labconfig").mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": STUDENT_SERVER_EXTENSIONS}}, indent=2) + "\n")
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {name: True for name in STUDENT_LAB_EXTENSIONS_OFF}}, indent=2) + "\n")
    return target


def set_up(root: Path, workdir: Path, exchange: Path | None = None, course_id: str = DEFAULT_COURSE_ID) -> dict:
    """Everything `course start` does before JupyterLab opens; returns what it did."""
    workdir = workdir.resolve()
    if workdir == root.resolve():
        raise CourseError(f"{workdir} is the course folder itself: choose another folder with --dir")
    (workdir / PRIVATE).mkdir(parents=True, exist_ok=True)
    (workdir / PRIVATE).chmod(0o700)  # the local exchange and Jupyter config are this student's alone
    if exchange is None:
        exchange = local_exchange(workdir)
        release_locally(root, exchange, course_id, workdir)
        local = True
    else:
        exchange = exchange.expanduser().resolve()
        if not exchange.is_dir():
            raise CourseError(f"the exchange {exchange} does not exist (check --exchange with your instructor)")
        local = False
    fetched, kept = fetch_lessons(exchange, course_id, workdir)
    config = write_student_config(workdir, exchange, course_id)
    return {"workdir": workdir, "exchange": exchange, "local": local, "course_id": course_id,
            "fetched": fetched, "kept": kept, "config": config}


def lab_command(workdir: Path, port: int | None, open_browser: bool) -> list[str]:
    command = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={workdir}"]
    if port:
        command.append(f"--ServerApp.port={port}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    return command


def lab_env(workdir: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """`env` (default: this process's) with the student's Jupyter config folder first on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if env is None else env)
    paths = [str(jupyter_config_dir(workdir))] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def run(args) -> int:
    root = find_root()
    exchange = Path(args.exchange) if args.exchange else None
    done = set_up(root, Path(args.dir).expanduser(), exchange, args.course)
    workdir = done["workdir"]
    for name in done["fetched"]:
        print(f"fetched lesson {name} -> {workdir / name}")
    for name in done["kept"]:
        print(f"kept your existing {workdir / name} (not overwritten)")
    where = ("a local exchange for you alone" if done["local"] else "your instructor's exchange")
    print(f"Course {done['course_id']}: submissions go to {where}, {done['exchange']}.\n"
          f"Submit a lesson from JupyterLab's Assignments panel (Nbgrader > Assignment List), "
          f"or in a terminal: cd {workdir} && nbgrader submit LESSON")
    if args.no_lab:
        return 0
    print(f"Opening JupyterLab in {workdir}. Open a lesson folder, then its notebook. Stop with Ctrl+C.")
    command, env = lab_command(workdir, args.port, not args.no_browser), lab_env(workdir)
    sys.stdout.flush()
    if os.name == "posix":  # JupyterLab takes this process's place: a signal to it stops JupyterLab
        os.chdir(workdir)
        os.execve(command[0], command, env)
    return subprocess.call(command, cwd=workdir, env=env)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "start", help="fetch the lessons into your folder and open JupyterLab (students)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=str(DEFAULT_WORKDIR), help=f"your working folder (default {DEFAULT_WORKDIR})")
    parser.add_argument("--exchange", default=None,
                        help="your instructor's nbgrader exchange folder (default: a local one in DIR/.course/exchange)")
    parser.add_argument("--course", default=DEFAULT_COURSE_ID, help=f"the course id (default {DEFAULT_COURSE_ID})")
    parser.add_argument("--port", type=int, default=None, help="port for JupyterLab")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--no-lab", action="store_true", help="only set up the folder; do not start JupyterLab")
    parser.set_defaults(func=run)
