"""Shared fixtures: a throwaway copy of the course directory, so tests never touch the repo's
source/, release/ or gradebook."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COURSE_PARTS = ["nbgrader_config.py", "lessons", "source", "release", "keys"]


def copy_course(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in COURSE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, target / part, ignore=shutil.ignore_patterns(
                "*.answers.json*", ".ipynb_checkpoints", "__pycache__"))
        elif src.exists():
            shutil.copy(src, target / part)
    return target


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")


@pytest.fixture(autouse=True)
def _isolate_nbgrader_env(monkeypatch):
    # The repo's own settings must not leak into a test's course copy.
    for name in ("COURSE_EXCHANGE", "COURSE_DB_URL", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(name, raising=False)
