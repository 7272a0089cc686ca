"""deploy/hub/start.sh refuses to run while the hub of its prefix runs (issue 23, operations): a
second start.sh rewrote the running hub's configuration, class list and passwords under it. The
lock is the one the hub holds (start.sh execs into it); here the test holds it, as a running hub
would, and start.sh must stop at once, say why and what to do, and change nothing. That a real
hub holds it, and that a stopped hub frees it for a restart, is checked in tests/browser/test_hub.py."""
from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
START = REPO / "deploy" / "hub" / "start.sh"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="start.sh runs as root")


def test_start_refuses_while_the_hub_of_its_prefix_runs():
    prefix = Path(f"/opt/course-hub-test-lock-{secrets.token_hex(3)}")
    (prefix / "state").mkdir(parents=True)
    (prefix / "state" / "jupyterhub.pid").write_text("4321\n")
    try:
        with open(prefix / "state" / "start.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            t = time.monotonic()
            done = subprocess.run(["bash", str(START), "--students", "lockstudent", "--instructor", "lockteacher",
                                   "--prefix", str(prefix)], capture_output=True, text=True, timeout=60)
            took = time.monotonic() - t
        assert done.returncode == 3, done.stderr
        assert f"the hub of {prefix} is running (pid 4321)" in done.stderr
        assert "Nothing was changed" in done.stderr and "kill -TERM 4321" in done.stderr
        assert took < 10, f"refused only after {took:.0f} s: it did work before looking"
        assert sorted(p.name for p in prefix.rglob("*")) == ["jupyterhub.pid", "start.lock", "state"]
        assert subprocess.run(["id", "-u", "lockstudent"], capture_output=True).returncode != 0
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
