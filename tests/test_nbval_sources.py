"""nbval executes every source notebook (they hold the solutions), on a copy: running a
notebook in place would write into source/."""
from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def test_source_notebooks_run_clean_under_nbval(course_copy):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", str(course_copy / "source")],
        cwd=course_copy, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    assert not list((course_copy / "source").rglob("*.answers.json")), "running a lesson wrote answers"
