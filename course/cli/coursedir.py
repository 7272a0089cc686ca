"""Find the course directory and talk to nbgrader through its Python API."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

PACKAGE_PARENT = Path(__file__).resolve().parents[2]


class CourseError(RuntimeError):
    """An instructor command cannot go on; the message says which file or assignment and why."""


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The course directory: the folder holding nbgrader_config.py, from `start` upwards,
    else the repository the installed package came from."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "source").is_dir():
            return folder
    if (PACKAGE_PARENT / "nbgrader_config.py").is_file():
        return PACKAGE_PARENT
    raise CourseError(f"no course directory (a folder with nbgrader_config.py and source/) at or above {here}")


def load_config(root: Path):
    # One loader for the course's nbgrader_config.py (it also keeps sys.path as it was).
    from ..grading.parallel import load_course_config

    return load_course_config(root)


def nbgrader_api(root: Path):
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=load_config(root))


def assignments(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def require_assignment(root: Path, name: str) -> str:
    """`name` if source/<name>/ holds a notebook, else a CourseError naming it and the known ones."""
    known = assignments(root)
    if name not in known:
        raise CourseError(f"unknown assignment {name!r}: no notebook in {root / 'source' / name}/ "
                          f"(known: {', '.join(known) or 'none'})")
    return name


def check_result(result: dict, what: str) -> dict:
    """Raise a CourseError naming `what` when an NbGraderAPI call did not succeed."""
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip().splitlines()
        tail = "\n".join(detail[-8:])
        raise CourseError(f"{what} failed" + (f":\n{tail}" if tail else ""))
    return result


# What a working copy of the course needs (the demo and the tests grade in copies).
COURSE_PARTS = ["nbgrader_config.py", "lessons", "source", "release", "keys"]


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
