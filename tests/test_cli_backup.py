"""`course backup DIR` / `course restore DIR` round trip (issue 23, backups): the gradebook, the
course folder and the exchange come back as they were, in a fresh copy of the course; a changed
backup is refused; an existing gradebook is replaced only with --force."""
from __future__ import annotations

import json
import os
import sqlite3

from support import copy_course
from support.pipeline import COURSE_ID, course_main

ASSIGNMENT = "02-active-listening"


def students_in(gradebook) -> list[str]:
    with sqlite3.connect(gradebook) as db:
        return sorted(row[0] for row in db.execute("select id from student"))


def test_backup_and_restore_round_trip(course_copy, tmp_path, monkeypatch):
    exchange = tmp_path / "exchange-a"
    monkeypatch.setenv("COURSE_EXCHANGE", str(exchange))
    assert course_main(course_copy, "release", ASSIGNMENT).returncode == 0
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_copy / 'gradebook.db'}", COURSE_ID) as gb:
        gb.add_student("alice", first_name="Alice", email="alice@example.org")
    submitted = course_copy / "submitted" / "alice" / ASSIGNMENT
    submitted.mkdir(parents=True)
    (submitted / "timestamp.txt").write_text("2026-12-04 02:00:00.000000 UTC")
    inbound = exchange / COURSE_ID / "inbound" / f"alice+{ASSIGNMENT}+2026-12-04 02:00:00.000000 UTC"
    inbound.mkdir(parents=True)
    (inbound / "timestamp.txt").write_text("x")
    (exchange / COURSE_ID / "hub-record.jsonl").write_text('{"event": "sealed"}\n')
    (course_copy / "demo").mkdir(exist_ok=True)
    (course_copy / "demo" / "big").write_text("not course data")

    target = tmp_path / "backups" / "monday"
    result = course_main(course_copy, "backup", str(target))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((target / "manifest.json").read_text())
    assert set(manifest["files"]) == {"gradebook.db", "course.tar.gz", "exchange.tar.gz"}
    assert (target.stat().st_mode & 0o077) == 0, "a backup holds keys and students' work: private"
    marker = course_copy / ".course-backup"
    assert json.loads(marker.read_text())["backup"] == str(target.resolve())
    assert marker.stat().st_mtime >= (course_copy / "gradebook.db").stat().st_mtime
    assert course_main(course_copy, "backup", str(target)).returncode != 0, "a backup never overwrites another"

    # A new machine: a fresh copy of the course, another exchange.
    fresh = copy_course(tmp_path / "fresh")
    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange-b"))
    result = course_main(fresh, "restore", str(target))
    assert result.returncode == 0, result.stderr
    assert students_in(fresh / "gradebook.db") == ["alice"]
    assert (fresh / "submitted" / "alice" / ASSIGNMENT / "timestamp.txt").read_text().startswith("2026-12-04")
    assert (fresh / "release" / ASSIGNMENT).is_dir()
    restored = tmp_path / "exchange-b" / COURSE_ID
    assert (restored / "outbound" / ASSIGNMENT).is_dir()
    assert (restored / "inbound" / inbound.name / "timestamp.txt").read_text() == "x"
    assert (restored / "hub-record.jsonl").exists()
    assert not (fresh / "demo").exists() and not (fresh / "exchange-a").exists()

    # Restoring again would replace the gradebook: only with --force.
    result = course_main(fresh, "restore", str(target))
    assert result.returncode != 0 and "--force" in result.stderr
    assert course_main(fresh, "restore", str(target), "--force").returncode == 0

    # A backup changed since it was made is refused, and nothing is restored.
    with open(target / "gradebook.db", "ab") as fh:
        fh.write(b"x")
    other = copy_course(tmp_path / "other")
    result = course_main(other, "restore", str(target))
    assert result.returncode != 0 and "SHA-256" in result.stderr
    assert not (other / "gradebook.db").exists()


def test_an_archive_reaching_outside_the_folder_is_refused(course_copy, tmp_path, monkeypatch):
    import hashlib
    import io
    import tarfile

    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    target = tmp_path / "evil"
    target.mkdir()
    with tarfile.open(target / "course.tar.gz", "w:gz") as archive:
        data = b"owned"
        info = tarfile.TarInfo("../../outside.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    digest = hashlib.sha256((target / "course.tar.gz").read_bytes()).hexdigest()
    (target / "manifest.json").write_text(json.dumps({"files": {"course.tar.gz": digest}}))
    result = course_main(course_copy, "restore", str(target))
    assert result.returncode != 0 and "outside the folder" in result.stderr
    assert not (tmp_path / "outside.txt").exists() and not os.path.exists(course_copy.parent.parent / "outside.txt")


def test_the_recorders_store_is_backed_up_and_restored(course_copy, tmp_path, monkeypatch):
    """A course that grades from the course recorder (issue 28): its records are graded work too."""
    from course.recorder.store import RecordStore

    monkeypatch.setenv("COURSE_EXCHANGE", str(tmp_path / "exchange"))
    store = tmp_path / "recorder" / "records.db"
    store.parent.mkdir()
    RecordStore(f"sqlite:///{store}").append("alice", ASSIGNMENT, "al-g2", "single", "graded", "c")
    with open(course_copy / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.SnapshotRecordedAnswers.recorder_db_url = 'sqlite:///{store}'\n")
    target = tmp_path / "backup"
    result = course_main(course_copy, "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert "recorder.db" in json.loads((target / "manifest.json").read_text())["files"]

    store.unlink()                     # the recorder's disk lost
    result = course_main(course_copy, "restore", str(target), "--force")
    assert result.returncode == 0, result.stderr
    assert [r.value for r in RecordStore(f"sqlite:///{store}", read_only=True).records("alice")] == ["c"]
