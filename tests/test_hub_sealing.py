"""The hub's root sealing service (deploy/hub/seal_submissions.py) against a student's races.

Run as root (CI is): the service changes owners. A submission owned by a student user holds two
folders of files; while the service seals it, another process keeps swapping the second folder
for a link to a root-owned folder outside the submission. Nothing outside the submission may
change owner or mode, however the race falls, and a sealed submission cannot be renamed.
"""
from __future__ import annotations

import multiprocessing
import os
import pwd
import stat
import time
from pathlib import Path

import pytest

from tests.support.hub import hub_module

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the sealing service runs as root")

STUDENT = "nobody"           # any existing unprivileged user stands in for the student
INSTRUCTOR_UID = 4242        # the instructor need not exist for the service: it takes numbers
INSTRUCTOR_GID = 4242
FILES = 1000                 # per folder: enough that sealing one folder takes a while


def load_sealer():
    return hub_module("seal_submissions")


def make_files(folder: Path, count: int, uid: int) -> None:
    folder.mkdir()
    for i in range(count):
        (folder / f"f{i}").write_text("x")
        os.chown(folder / f"f{i}", uid, uid)
        os.chmod(folder / f"f{i}", 0o644)
    os.chown(folder, uid, uid)


def make_submission(inbound: Path, uid: int, files: int) -> Path:
    sub = inbound / f"{STUDENT}+02-active-listening+2026-12-01 08:00:00.000000 UTC"
    sub.mkdir()
    for marker in ("timestamp.txt", "submission_secret.txt"):
        (sub / marker).write_text("x")
        os.chown(sub / marker, uid, uid)
    make_files(sub / "a", files, uid)
    make_files(sub / "b", files, uid)
    os.chown(sub, uid, uid)
    os.chmod(sub, 0o777)       # nbgrader's submit does this last
    return sub


def attack(submission: str, victim: str, uid: int, flip: bool) -> None:
    """The attacker, as the student, in a shell whose working folder is the submission.

    flip=False is the attack as it was found: wait until the service is sealing one of the two
    folders, then swap the other for a link to `victim`, once. flip=True swaps folder b back and
    forth as fast as it can, for as long as it is let."""
    os.chdir(submission)
    os.setgid(uid)
    os.setuid(uid)
    while not flip:
        for busy, other in (("a", "b"), ("b", "a")):
            try:
                if any(os.stat(f"{busy}/f{i}").st_uid != uid for i in range(0, FILES, 50)):
                    os.rename(other, other + ".hold")
                    os.symlink(victim, other)
                    return
            except OSError:
                pass
    while True:
        try:
            os.rename("b", "b.hold")
            os.symlink(victim, "b")
            os.unlink("b")
            os.rename("b.hold", "b")
        except OSError:
            pass


def sealed_in(inbound: Path) -> Path | None:
    """The sealed submission in `inbound` (the service renames it to the hub's time)."""
    found = sorted(inbound.glob(f"{STUDENT}+02-active-listening+*"))
    assert len(found) <= 1, found
    return found[0] if found else None


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.lstat().st_uid, stat.S_IMODE(p.lstat().st_mode)) for p in [folder, *folder.rglob("*")]}


@pytest.mark.parametrize("flip", [False, True], ids=["swap-once", "swap-back-and-forth"])
def test_a_swapped_in_link_never_lets_the_service_leave_the_submission(tmp_path, flip):
    sealer = load_sealer()
    uid = pwd.getpwnam(STUDENT).pw_uid
    victim = tmp_path / "root-owned"
    victim.mkdir()
    for i in range(50):
        (victim / f"v{i}").write_text("precious")
        os.chmod(victim / f"v{i}", 0o644)
    before = snapshot(victim)
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        inbound = tmp_path / f"inbound{attempt}"
        inbound.mkdir(mode=0o733)
        sub = make_submission(inbound, uid, files=FILES)
        racer = context.Process(target=attack, args=(str(sub), str(victim), uid, flip), daemon=True)
        racer.start()
        time.sleep(0.05)
        try:
            sealer.scan(str(inbound), INSTRUCTOR_UID, INSTRUCTOR_GID, {})
        finally:
            racer.kill()
            racer.join()
        assert snapshot(victim) == before, f"attempt {attempt}: the service changed files outside the submission"
        kept = sealed_in(inbound)
        sealed = kept or next((inbound.parent / "quarantine").glob(sub.name + ".*"))
        top = sealed.lstat()
        if kept:
            assert (top.st_uid, stat.S_IMODE(top.st_mode)) == (INSTRUCTOR_UID, 0o700)
            for path in sealed.rglob("*"):
                st = path.lstat()
                assert not stat.S_ISLNK(st.st_mode), f"{path} is a link left in a sealed submission"
                assert st.st_uid == INSTRUCTOR_UID, f"{path} was not sealed"


def test_a_link_or_foreign_file_in_a_submission(tmp_path):
    sealer = load_sealer()
    uid = pwd.getpwnam(STUDENT).pw_uid
    secret = tmp_path / "secret"
    secret.write_text("root's")
    os.chmod(secret, 0o600)
    inbound = tmp_path / "inbound"
    inbound.mkdir(mode=0o733)
    sub = make_submission(inbound, uid, files=2)
    os.symlink(secret, sub / "a" / "link")
    assert sealer.scan(str(inbound), INSTRUCTOR_UID, INSTRUCTOR_GID, {}) == 1
    sub = sealed_in(inbound)
    assert not (sub / "a" / "link").is_symlink() and not (sub / "a" / "link").exists()
    assert (secret.stat().st_uid, stat.S_IMODE(secret.stat().st_mode)) == (0, 0o600)

    # A file that is not the student's (root's here) is never given away: the folder is quarantined.
    inbound2 = tmp_path / "inbound2"
    inbound2.mkdir(mode=0o733)
    sub2 = make_submission(inbound2, uid, files=2)
    (sub2 / "a" / "roots").write_text("x")
    assert sealer.scan(str(inbound2), INSTRUCTOR_UID, INSTRUCTOR_GID, {}) == 0
    assert not sub2.exists()
    kept = next((tmp_path / "quarantine").glob(sub2.name + ".*"))
    assert (kept / "a" / "roots").stat().st_uid == 0


def test_the_inbound_is_made_sticky_so_a_sealed_submission_cannot_be_renamed(tmp_path):
    sealer = load_sealer()
    uid = pwd.getpwnam(STUDENT).pw_uid
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    os.chmod(inbound, 0o733)
    os.chmod(tmp_path, 0o755)
    make_submission(inbound, uid, files=1)
    sealer.scan(str(inbound), INSTRUCTOR_UID, INSTRUCTOR_GID, {})
    sub = sealed_in(inbound)
    assert inbound.stat().st_mode & stat.S_ISVTX
    # A student (nobody) tries to rename the sealed folder to a name of their own.
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.rename(sub, inbound / "nobody+02-active-listening+renamed")
            os._exit(0)
        except PermissionError:
            os._exit(13)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 13, "a student renamed a sealed submission"
    assert sub.exists()


def read_record(inbound: Path) -> list[dict]:
    import json

    path = inbound.parent / "hub-record.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_sealed_submission_carries_the_hubs_time_not_the_students(tmp_path):
    """Issue 23, item 3: a hand-made folder dated 1 December with its own timestamp.txt."""
    import datetime

    sealer = load_sealer()
    uid = pwd.getpwnam(STUDENT).pw_uid
    inbound = tmp_path / "inbound"
    inbound.mkdir(mode=0o733)
    sub = make_submission(inbound, uid, files=1)   # named 2026-12-01 08:00:00 UTC
    (sub / "timestamp.txt").write_text("2026-12-01 08:00:00.000000 UTC")
    before = datetime.datetime.now(datetime.timezone.utc)
    assert sealer.scan(str(inbound), INSTRUCTOR_UID, INSTRUCTOR_GID, {}) == 1
    after = datetime.datetime.now(datetime.timezone.utc)
    sealed = sealed_in(inbound)
    assert sealed is not None and sealed != sub and not sub.exists()
    stamp = (sealed / "timestamp.txt").read_text()

    def parse(text):
        return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f %Z").replace(tzinfo=datetime.timezone.utc)

    assert before <= parse(stamp) <= after, stamp
    assert sealed.name.split("+")[2] == stamp, "the folder's name carries the hub's time too"
    st = (sealed / "timestamp.txt").stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (INSTRUCTOR_UID, 0o600)
    assert not (sealed / ".timestamp.txt.hub").exists()
    record = tmp_path / "hub-record.jsonl"
    st = record.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, INSTRUCTOR_GID, 0o640)
    [entry] = read_record(inbound)
    assert entry["event"] == "sealed" and entry["student"] == STUDENT
    assert entry["assignment"] == "02-active-listening"
    assert entry["student_timestamp"] == "2026-12-01 08:00:00.000000 UTC"
    assert entry["time"] == stamp and entry["submission"] == sealed.name and entry["submitted_as"] == sub.name


def test_quarantined_entries_are_recorded_for_the_instructor(tmp_path):
    """Issue 23, item 4: a folder in a classmate's name, and a name collect could not parse."""
    sealer = load_sealer()
    uid = pwd.getpwnam(STUDENT).pw_uid
    inbound = tmp_path / "inbound"
    inbound.mkdir(mode=0o733)
    foreign = inbound / f"{STUDENT}+02-active-listening+2026-12-01 08:00:00.000000 UTC+x"
    foreign.mkdir()                               # root's, in the student's name
    garbled = inbound / f"{STUDENT}+02-active-listening+not a time"
    garbled.mkdir()
    os.chown(garbled, uid, uid)
    os.chmod(garbled, 0o777)
    assert sealer.scan(str(inbound), INSTRUCTOR_UID, INSTRUCTOR_GID, {}) == 0
    assert not foreign.exists() and not garbled.exists()
    entries = {e["entry"]: e for e in read_record(inbound)}
    assert set(entries) == {foreign.name, garbled.name}
    assert all(e["event"] == "quarantined" and e["student"] == STUDENT and e["assignment"] == "02-active-listening"
               for e in entries.values())
    assert "owned by uid 0" in entries[foreign.name]["reason"]
    assert (tmp_path / "quarantine" / entries[garbled.name]["kept_as"]).is_dir()


def test_the_record_is_never_written_through_a_link(tmp_path):
    """The folder beside inbound is the instructor's: a link named hub-record.jsonl is not followed."""
    sealer = load_sealer()
    uid = pwd.getpwnam(STUDENT).pw_uid
    inbound = tmp_path / "inbound"
    inbound.mkdir(mode=0o733)
    target = tmp_path / "precious"
    target.write_text("root's\n")
    os.symlink(target, tmp_path / "hub-record.jsonl")
    make_submission(inbound, uid, files=1)
    assert sealer.scan(str(inbound), INSTRUCTOR_UID, INSTRUCTOR_GID, {}) == 1
    assert target.read_text() == "root's\n"
    assert (target.stat().st_uid, target.stat().st_gid) == (0, 0)
