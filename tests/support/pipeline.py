"""Run the real nbgrader commands the way an instructor and students would (for tests)."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

COURSE_ID = "police-negotiation"


def nbgrader(cwd: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **(env or {})}, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def course_cli(course: Path, *args: str, timeout: int = 1200, **kwargs) -> subprocess.CompletedProcess:
    """`course ARGS...` run in `course` as an instructor would, output captured (not checked)."""
    return subprocess.run([sys.executable, "-m", "course.cli.main", *args], cwd=course, capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def course_main(course: Path, *args: str) -> subprocess.CompletedProcess:
    """`course ARGS...` run in this process (no interpreter start-up: for the fast tests of the
    verbs' messages), in `course`, with its stdout and stderr captured; the loggers the command
    configures are put back as they were. An exception the command does not turn into a message propagates."""
    import contextlib
    import io
    import logging

    from course.cli.logs import LIBRARY_LOGGERS
    from course.cli.main import main

    logger = logging.getLogger("course")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    library_levels = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(course)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(before)
        logger.handlers[:], logger.level, logger.propagate = saved
        for name, level in library_levels.items():
            logging.getLogger(name).setLevel(level)
    return subprocess.CompletedProcess(["course", *args], code, out.getvalue(), err.getvalue())


def student_flags(exchange: Path) -> list[str]:
    return [f"--course={COURSE_ID}", f"--Exchange.root={exchange}"]


def fetch(home: Path, assignment: str, exchange: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    nbgrader(home, "fetch_assignment", assignment, *student_flags(exchange))
    return home / assignment


def submit(home: Path, assignment: str, student: str, exchange: Path) -> None:
    nbgrader(home, "submit", assignment, f"--student={student}", *student_flags(exchange))


def read_grades(course: Path) -> dict[tuple[str, str], dict]:
    nbgrader(course, "export", "--to=grades.csv")
    with open(course / "grades.csv", newline="") as handle:
        return {(row["student_id"], row["assignment"]): row for row in csv.DictReader(handle)}
