"""A throwaway PostgreSQL server for the tests that need one (Debian's postgresql package).

`postgres_server()` starts one on a free loopback port in a temporary folder (as the `postgres`
user when run as root, as CI is) and yields its SQLAlchemy URL; without a server binary or a
usable user it skips the test with the reason.
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_server():
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
