"""deploy/hub/remove.sh without a hub (issue 23, operations): it refuses to delete a gradebook
that has no backup newer than it unless --force, and it removes the folders start.sh made on the
way to the exchange (an empty /srv/nbgrader was left behind) but not the ones that were there."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REMOVE = REPO / "deploy" / "hub" / "remove.sh"
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="remove.sh runs as root")


@pytest.fixture
def fake_hub(tmp_path):
    tag = secrets.token_hex(3)
    prefix = Path(f"/opt/course-hub-test-rm-{tag}")
    base = Path(f"/var/tmp/course-hub-test-rm-{tag}")
    (base / "srv").mkdir(parents=True)                        # there before start.sh
    exchange = base / "srv" / "nbgrader" / "exchange"         # start.sh made srv/nbgrader/exchange
    (exchange / "police-negotiation" / "inbound").mkdir(parents=True)
    course = tmp_path / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("grades")
    (prefix / "etc").mkdir(parents=True)
    (prefix / "state").mkdir()
    (prefix / "etc" / "hub.json").write_text(json.dumps({"course_dir": str(course), "exchange": str(exchange)}))
    (prefix / "state" / "made-dirs").write_text(f"{base / 'srv' / 'nbgrader'}\n")
    profile = Path(f"/etc/profile.d/course-hub-{prefix.name}.sh")
    profile.write_text("# test\n")
    yield {"prefix": prefix, "base": base, "exchange": exchange, "course": course, "profile": profile}
    shutil.rmtree(prefix, ignore_errors=True)
    shutil.rmtree(base, ignore_errors=True)
    profile.unlink(missing_ok=True)


def remove(hub, *extra):
    return subprocess.run(["bash", str(REMOVE), "--prefix", str(hub["prefix"]), *extra],
                          capture_output=True, text=True, timeout=60)


def test_remove_refuses_a_gradebook_without_a_backup(fake_hub):
    result = remove(fake_hub)
    assert result.returncode == 3 and "course backup" in result.stderr, result.stderr
    assert fake_hub["prefix"].exists() and fake_hub["exchange"].exists() and fake_hub["profile"].exists()
    # A backup older than the gradebook's last change does not count either.
    marker = fake_hub["course"] / ".course-backup"
    marker.write_text("{}")
    old = time.time() - 60
    os.utime(marker, (old, old))
    assert remove(fake_hub).returncode == 3


def test_remove_after_a_backup_takes_what_start_made_and_nothing_else(fake_hub):
    (fake_hub["course"] / ".course-backup").write_text("{}")   # newer than the gradebook
    result = remove(fake_hub)
    assert result.returncode == 0, result.stderr
    assert not fake_hub["prefix"].exists() and not fake_hub["exchange"].exists()
    assert not (fake_hub["base"] / "srv" / "nbgrader").exists(), "the empty folder start.sh made is left"
    assert (fake_hub["base"] / "srv").is_dir(), "a folder that was there before start.sh was removed"
    assert not fake_hub["profile"].exists()
    assert (fake_hub["course"] / "gradebook.db").exists(), "only the users named lose their homes"


def test_remove_with_force(fake_hub):
    result = remove(fake_hub, "--force")
    assert result.returncode == 0, result.stderr
    assert not fake_hub["prefix"].exists() and not (fake_hub["base"] / "srv" / "nbgrader").exists()


def test_remove_stops_what_runs_from_the_prefix_and_removes_the_cgroups(fake_hub):
    """A hub that did not stop cleanly leaves its services (the sealer runs as root, the recorder
    as its own user: no user remove.sh is given); the students' cgroups (limited_spawner.py)."""
    program = fake_hub["prefix"] / "venv" / "bin" / "sleep"
    program.parent.mkdir(parents=True)
    shutil.copy("/bin/sleep", program)
    service = subprocess.Popen([str(program), "300"])
    elsewhere = subprocess.Popen(["sleep", "300"])            # not the hub's: left alone
    hierarchies = [h for h in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup/cpu"))
                   if (h / "cgroup.procs").exists()]
    groups = [h / f"course-hub-{fake_hub['prefix'].name}" for h in hierarchies]
    try:
        for group in groups:
            (group / "a-student").mkdir(parents=True)
        result = remove(fake_hub, "--force")
        assert result.returncode == 0, result.stderr
        assert service.wait(timeout=10) is not None
        assert elsewhere.poll() is None, "a process not run from the prefix was stopped"
        assert not [g for g in groups if g.exists()], f"cgroups left: {result.stderr}"
    finally:
        elsewhere.kill()
        service.kill()
        for group in groups:
            for folder in (group / "a-student", group):
                if folder.exists():
                    folder.rmdir()
