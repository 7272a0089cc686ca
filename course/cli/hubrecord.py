"""What the class hub's sealing service recorded (deploy/hub/seal_submissions.py).

On a JupyterHub set up by deploy/hub/start.sh, a root service seals each submission in the
exchange's inbound, gives it the hub's time (its `timestamp.txt`, which nbgrader's collect and
autograde read for late penalties, and the time in its folder's name) and appends a line per
event to `EXCHANGE/COURSE/hub-record.jsonl` (root's, readable by the instructor):

    {"event": "sealed", "time": HUB TIME, "student": ..., "assignment": ..., "submission": NAME,
     "submitted_as": THE STUDENT'S NAME, "student_timestamp": THE STUDENT'S timestamp.txt, ...}
    {"event": "quarantined", "time": ..., "student": ..., "assignment": ..., "entry": NAME,
     "reason": WHY, "kept_as": NAME IN quarantine/}

`course collect` and `course status` show the instructor what students cannot see: entries
quarantined (a folder dropped in a classmate's name, a name collect could not parse, links to
what is not the student's), and submissions whose own time disagreed with the hub's. Without a
hub there is no record and nothing is shown.
"""
from __future__ import annotations

import datetime
import json
from pathlib import Path

RECORD = "hub-record.jsonl"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
DISAGREE_SECONDS = 60.0   # a student's clock this far from the hub's is shown to the instructor


def record_path(api) -> Path | None:
    if not getattr(api, "exchange_root", None) or not getattr(api, "course_id", None):
        return None
    return Path(api.exchange_root) / api.course_id / RECORD


def read_record(api) -> list[dict]:
    """The record's entries, oldest first; [] when there is none (no hub) or it is unreadable."""
    path = record_path(api)
    try:
        text = path.read_text(encoding="utf-8", errors="replace") if path else ""
    except OSError:
        return []
    entries = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def _time(text) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(str(text).strip(), TIMESTAMP_FORMAT)
    except ValueError:
        return None


def quarantined(entries: list[dict], assignment: str | None = None) -> dict[str, list[dict]]:
    """Quarantined entries by student (the name the entry was made in), for one assignment or all."""
    found: dict[str, list[dict]] = {}
    for entry in entries:
        if entry.get("event") == "quarantined" and (assignment is None or entry.get("assignment") == assignment):
            found.setdefault(str(entry.get("student", "?")), []).append(entry)
    return found


def disagreements(entries: list[dict], assignment: str) -> list[dict]:
    """Sealed submissions of `assignment` whose own timestamp (file or name) is off the hub's time."""
    found = []
    for entry in entries:
        if entry.get("event") != "sealed" or entry.get("assignment") != assignment:
            continue
        hub = _time(entry.get("time"))
        claims = [entry.get("student_timestamp"), entry.get("name_timestamp")]
        off = [c for c in claims if c is not None and (hub is None or _time(c) is None
                                                      or abs((_time(c) - hub).total_seconds()) > DISAGREE_SECONDS)]
        if off:
            found.append({**entry, "claimed": off[0]})
    return found


def quarantine_lines(entries: list[dict], assignment: str | None = None) -> list[str]:
    lines = []
    for student, items in sorted(quarantined(entries, assignment).items()):
        for item in items:
            lines.append(f"{student}: {item.get('assignment', '?')}: quarantined at {item.get('time', '?')} "
                         f"({item.get('reason', '?')}); kept as quarantine/{item.get('kept_as', '?')}, "
                         f"root only, never collected")
    return lines


def collect_notes(api, assignment: str) -> list[str]:
    """What `course collect` tells the instructor from the hub's record (empty without a hub)."""
    entries = read_record(api)
    lines = [f"{e.get('student', '?')}: {assignment}: the submission's own time said {e['claimed']!r}; "
             f"the hub sealed it at {e.get('time', '?')} (the hub's time is the one used)"
             for e in disagreements(entries, assignment)]
    return lines + quarantine_lines(entries, assignment)
