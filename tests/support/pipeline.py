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
