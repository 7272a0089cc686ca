"""`course autograde --dask`: the same worker function on a Dask cluster, with a PostgreSQL
gradebook that workers write directly. A real PostgreSQL server is started for the test
(Debian's `postgresql` package; .ci/run installs it); the test is skipped only when that
server cannot start, and the skip says why.

The result must equal serial `nbgrader autograde` of the same submissions into a SQLite
gradebook (same comparison as tests/test_cli_autograde.py)."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from course.cli.collect import collect
from course.cli.release import release
from course.grading.parallel import gradebook_snapshot
from support.classes import roster
from support.pipeline import nbgrader

pytestmark = pytest.mark.e2e

ASSIGNMENT = "02-active-listening"
STUDENTS = sorted(roster(ASSIGNMENT))  # the class of tests/support/classes.py


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        pytest.skip("PostgreSQL server cannot start: no /usr/lib/postgresql/*/bin (apt-get install -y postgresql)")
    bindir = Path(bins[-1])
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    base = Path(tempfile.mkdtemp(prefix="course-pg-"))
    if os.geteuid() == 0:
        try:
            shutil.chown(base, "postgres", "postgres")
        except (LookupError, PermissionError) as exc:
            shutil.rmtree(base, ignore_errors=True)
            pytest.skip(f"PostgreSQL server cannot start: no usable 'postgres' user ({exc})")
    port, data = _free_port(), base / "data"
    steps = [
        as_postgres + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
        as_postgres + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "60",
                       "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1", "start"],
    ]
    for command in steps:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
            shutil.rmtree(base, ignore_errors=True)
            pytest.skip(f"PostgreSQL server cannot start: {' '.join(command[-3:])} failed: "
                        f"{(result.stderr or result.stdout).strip()[-400:]} {log[-300:]}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_postgres + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


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
