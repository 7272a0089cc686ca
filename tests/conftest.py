"""Shared fixtures: a throwaway copy of the course directory, so tests never touch the repo's
source/, release/ or gradebook."""
from __future__ import annotations

from pathlib import Path

import pytest

from support import REPO, copy_course  # noqa: F401 - shared helpers live in tests/support


@pytest.fixture
def course_copy(tmp_path) -> Path:
    return copy_course(tmp_path / "course")


@pytest.fixture(autouse=True)
def _isolate_nbgrader_env(monkeypatch):
    # The repo's own settings must not leak into a test's course copy.
    for name in ("COURSE_EXCHANGE", "COURSE_DB_URL", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(name, raising=False)
