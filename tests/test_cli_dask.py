"""`course autograde --dask`: the same worker function on a Dask cluster, with a PostgreSQL
gradebook that workers write directly. A real PostgreSQL server is started for the test
(Debian's `postgresql` package; .ci/run installs it); the test is skipped only when that
server cannot start, and the skip says why.

The result must equal serial `nbgrader autograde` of the same submissions into a SQLite
gradebook (same comparison as tests/test_cli_autograde.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course.cli.collect import collect
from course.cli.release import release
from course.grading.parallel import gradebook_snapshot
from support.classes import roster
from support.postgres import postgres_server
from support.pipeline import nbgrader

pytestmark = pytest.mark.e2e

ASSIGNMENT = "02-active-listening"
STUDENTS = sorted(roster(ASSIGNMENT))  # the class of tests/support/classes.py


@pytest.fixture(scope="module")
def postgres():
    with postgres_server() as url:
        yield url


def test_dask_autograde_on_postgresql_equals_serial_nbgrader(postgres, the_class, tmp_path, monkeypatch):
    from distributed import LocalCluster

    # the serial reference: SQLite, plain nbgrader
    serial = the_class.clone(tmp_path / "serial", [ASSIGNMENT], students=[])

    monkeypatch.setenv("COURSE_DB_URL", postgres)
    course = the_class.clone(tmp_path / "pg", [ASSIGNMENT])
    (course / "gradebook.db").unlink()
    release(course, [ASSIGNMENT])  # generates into the PostgreSQL gradebook; the exchange has it already
    collect(course, ASSIGNMENT)
    assert not (course / "gradebook.db").exists()
    shutil.copytree(course / "submitted", serial / "submitted")

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = subprocess.run([sys.executable, "-m", "course.cli.main", "autograde", ASSIGNMENT,
                                 "--dask", cluster.scheduler_address], cwd=course, capture_output=True, text=True,
                                timeout=600, env={**os.environ, "COURSE_DB_URL": postgres})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "on Dask at" in result.stderr and f"graded {len(STUDENTS)}," in result.stderr

    monkeypatch.delenv("COURSE_DB_URL")
    nbgrader(serial, "autograde", ASSIGNMENT)
    expected = gradebook_snapshot("sqlite:///" + str(serial / "gradebook.db"), "police-negotiation", ASSIGNMENT)
    got = gradebook_snapshot(postgres, "police-negotiation", ASSIGNMENT)
    assert sorted(s for _, s in got["submissions"]) == STUDENTS
    assert got == expected
    for student in STUDENTS:
        assert (course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
