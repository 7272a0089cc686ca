"""Helpers the tests share (imported as `support`; fixtures stay in conftest.py):

- `REPO`, `copy_course`: the repository and a throwaway copy of its course directory;
- `support.pipeline`: the real nbgrader commands, run as an instructor and students would.
"""
from __future__ import annotations

from pathlib import Path

from course.cli.coursedir import copy_course as _copy_course

REPO = Path(__file__).resolve().parents[2]


def copy_course(target: Path) -> Path:
    return _copy_course(REPO, target)
