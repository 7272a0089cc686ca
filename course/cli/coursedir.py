"""What the verbs share: the course directory (course/coursedir.py) and nbgrader's Python API."""
from __future__ import annotations

import shutil
from pathlib import Path

from ..coursedir import CourseDir, CourseError, find_root  # noqa: F401 - the verbs import them from here
from ..coursedir import load_course_config as load_config  # noqa: F401


def nbgrader_api(root: Path):
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=load_config(root))


def assignments(root: Path) -> list[str]:
    return CourseDir.at(root).assignments()


def require_assignment(root: Path, name: str) -> str:
    return CourseDir.at(root).require_assignment(name)


def check_result(result: dict, what: str) -> dict:
    """Raise a CourseError naming `what` when an NbGraderAPI call did not succeed."""
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip().splitlines()
        tail = "\n".join(detail[-8:])
        raise CourseError(f"{what} failed" + (f":\n{tail}" if tail else ""))
    return result


# What a working copy of the course needs (the demo and the tests grade in copies).
COURSE_PARTS = ["nbgrader_config.py", "lessons", "source", "release", "keys", "scenarios"]


def copy_course(repo: Path, target: Path) -> Path:
    """Copy the course directory's parts into `target`, leaving out answers files and caches."""
    target.mkdir(parents=True, exist_ok=True)
    for part in COURSE_PARTS:
        src = repo / part
        if src.is_dir():
            shutil.copytree(src, target / part, ignore=shutil.ignore_patterns(
                "*.answers.json*", ".ipynb_checkpoints", "__pycache__"))
        elif src.exists():
            shutil.copy(src, target / part)
    return target
