"""The class hub's record (deploy/hub/seal_submissions.py writes EXCHANGE/COURSE/hub-record.jsonl):
`course status` lists quarantined entries by student, `course collect` lists them and the
submissions whose own time disagreed with the hub's (issue 23, items 3 and 4). Without a hub
there is no record and nothing more is printed."""
from __future__ import annotations

import json
from types import SimpleNamespace

from support.pipeline import COURSE_ID, course_main
from course.cli import hubrecord

ASSIGNMENT = "02-active-listening"
HUB_TIME = "2026-12-04 02:20:11.123456 UTC"


def write_record(exchange, entries):
    folder = exchange / COURSE_ID
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "inbound").mkdir(exist_ok=True)
    (folder / hubrecord.RECORD).write_text("".join(json.dumps(e) + "\n" for e in entries) + "not json\n")


ENTRIES = [
    {"event": "sealed", "time": HUB_TIME, "student": "bob", "assignment": ASSIGNMENT,
     "submission": f"bob+{ASSIGNMENT}+{HUB_TIME}", "submitted_as": f"bob+{ASSIGNMENT}+2026-12-01 08:00:00.000000 UTC",
     "student_timestamp": "2026-12-01 08:00:00.000000 UTC", "name_timestamp": "2026-12-01 08:00:00.000000 UTC"},
    {"event": "sealed", "time": HUB_TIME, "student": "alice", "assignment": ASSIGNMENT,
     "submission": "x", "submitted_as": "y", "student_timestamp": "2026-12-04 02:20:10.900000 UTC",
     "name_timestamp": "2026-12-04 02:20:10.900000 UTC"},
    {"event": "quarantined", "time": HUB_TIME, "student": "alice", "assignment": ASSIGNMENT,
     "entry": f"alice+{ASSIGNMENT}+fake", "reason": "owned by uid 1003, not by student 'alice'",
     "kept_as": f"alice+{ASSIGNMENT}+fake.1764814811000"},
    {"event": "quarantined", "time": HUB_TIME, "student": "carol", "assignment": "03-assessment-and-control",
     "entry": "carol+03", "reason": "not a folder", "kept_as": "carol+03.1"},
]


def test_disagreements_and_quarantine_by_student(tmp_path):
    write_record(tmp_path, ENTRIES)
    api = SimpleNamespace(exchange_root=str(tmp_path), course_id=COURSE_ID)
    entries = hubrecord.read_record(api)
    assert len(entries) == 4                       # the line that is not JSON is skipped
    [late] = hubrecord.disagreements(entries, ASSIGNMENT)  # alice's 0.2 s is no disagreement
    assert late["student"] == "bob" and late["claimed"] == "2026-12-01 08:00:00.000000 UTC"
    assert set(hubrecord.quarantined(entries)) == {"alice", "carol"}
    assert set(hubrecord.quarantined(entries, ASSIGNMENT)) == {"alice"}
    notes = hubrecord.collect_notes(api, ASSIGNMENT)
    assert any(n.startswith("bob: ") and "2026-12-01 08:00" in n and HUB_TIME in n for n in notes), notes
    assert any(n.startswith("alice: ") and "quarantined" in n and "uid 1003" in n for n in notes), notes
    assert not any("carol" in n for n in notes)
    assert hubrecord.read_record(SimpleNamespace(exchange_root=str(tmp_path / "none"), course_id=COURSE_ID)) == []


def test_status_lists_quarantined_entries_by_student(course_copy, monkeypatch):
    exchange = course_copy / "hub-exchange"
    monkeypatch.setenv("COURSE_EXCHANGE", str(exchange))
    result = course_main(course_copy, "status")
    assert result.returncode == 0, result.stderr
    assert "quarantined" not in result.stdout      # no hub, no record: the table alone
    write_record(exchange, ENTRIES)
    result = course_main(course_copy, "status")
    assert result.returncode == 0, result.stderr
    tail = result.stdout.split("quarantined in the exchange (by student):")[1]
    assert "alice: 02-active-listening: quarantined" in tail and "carol: 03-assessment-and-control" in tail
    result = course_main(course_copy, "status", ASSIGNMENT)
    assert "alice" in result.stdout and "carol" not in result.stdout


def test_collect_shows_the_record_to_the_instructor(course_copy, monkeypatch):
    exchange = course_copy / "hub-exchange"
    monkeypatch.setenv("COURSE_EXCHANGE", str(exchange))
    assert course_main(course_copy, "release", ASSIGNMENT).returncode == 0
    write_record(exchange, ENTRIES)
    result = course_main(course_copy, "collect", ASSIGNMENT)
    assert result.returncode == 0, result.stderr
    out = result.stdout + result.stderr
    assert "bob: 02-active-listening: the submission's own time said '2026-12-01 08:00:00.000000 UTC'" in out, out
    assert "alice: 02-active-listening: quarantined" in out, out
