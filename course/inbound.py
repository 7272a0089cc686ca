"""What the exchange's inbound folder holds for one assignment, judged before anything is copied.

On a plain exchange every student can write the inbound folder, so a folder's name (student
id, timestamp) and its `timestamp.txt` are what *someone* wrote, not necessarily that student.
What the student cannot forge is the folder's owner (uid) and its change time (ctime: set by
the file system when the folder or an entry in it last changed; `touch` moves mtime, never
ctime). So, per folder `<student>+<assignment>+<timestamp>[+<random>]`:

- an id that is not a safe name (`course.safe_names`) is refused;
- a link, or not a folder, is refused;
- larger than the course's `max_dir_size`, or more than MAX_ENTRIES entries, is refused (the
  student's previous folder, if any, is taken instead: one folder never stops collect);
- impersonation: a folder named for a date later than its arrival (beyond CLOCK_SKEW) is refused;
  so is one owned by another uid than the student's own account (when the id names one) or,
  failing that, than the student's newest folder not so dated;
- arrival: when `timestamp.txt` disagrees with the arrival time (the latest ctime in the
  folder) by more than CLOCK_SKEW, lateness counts from the later one and it is reported.
Used by collect (`course.grading.intake.safe_collect`) and `course status`.
"""
from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .safe_names import is_safe_id, shown

CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_ENTRIES = 10_000


@dataclass
class Folder:
    path: Path
    student: str
    stamp: dt.datetime | None     # from the folder's name (naive UTC, as nbgrader parses it)
    uid: int = -1
    size: int = 0
    entries: int = 0
    arrival: dt.datetime | None = None  # latest ctime of the folder and anything in it (naive UTC)
    claimed: dt.datetime | None = None  # timestamp.txt
    problem: str = ""

    @property
    def filename(self) -> str:
        return self.path.name

    def late_stamp(self) -> dt.datetime | None:
        """The time lateness counts from: timestamp.txt, or the arrival when that is later."""
        if self.claimed is None or (self.arrival and self.arrival - self.claimed > CLOCK_SKEW):
            return self.arrival
        return self.claimed

    def disagreement(self) -> str:
        if self.claimed is None or self.arrival is None or abs(self.arrival - self.claimed) <= CLOCK_SKEW:
            return ""
        used = self.late_stamp()
        return (f"student {shown(self.student)}: timestamp.txt says {self.claimed:%Y-%m-%d %H:%M:%S} UTC but "
                f"{shown(self.filename, 160)} arrived at {self.arrival:%Y-%m-%d %H:%M:%S} UTC; lateness counts from "
                f"{used:%Y-%m-%d %H:%M:%S} UTC")


@dataclass
class Inbound:
    chosen: dict[str, Folder] = field(default_factory=dict)   # student -> the folder to collect
    accepted: dict[str, list[Folder]] = field(default_factory=dict)  # student -> folders, newest first
    refused: list[Folder] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)           # disagreements, shown, nothing refused

    def messages(self) -> list[str]:
        return [f"student {shown(f.student)}: {shown(f.filename, 160)}: {f.problem}" for f in self.refused] + self.notes


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(tzinfo=None)


def parse_name(path: Path, assignment: str) -> tuple[str, str] | None:
    """(student, timestamp text) from `<student>+<assignment>+<timestamp>[+<random>]`, as nbgrader splits it."""
    parts = path.name.rsplit("+", 3)
    if len(parts) == 4 and parts[1] != assignment:
        parts = path.name.rsplit("+", 2)
    if len(parts) < 3 or parts[1] != assignment:
        return None
    return parts[0], parts[2]


def _measure(folder: Folder, max_bytes: int) -> None:
    """Size, entry count and latest ctime, without following links; stops early past a limit."""
    top = os.lstat(folder.path)
    folder.uid, latest = top.st_uid, top.st_ctime
    for dirpath, dirnames, filenames, dirfd in os.fwalk(folder.path, follow_symlinks=False):
        for name in dirnames + filenames:
            folder.entries += 1
            info = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            latest = max(latest, info.st_ctime)
            if stat.S_ISREG(info.st_mode):
                folder.size += info.st_size
            if folder.size > max_bytes or folder.entries > MAX_ENTRIES:
                folder.arrival = _utc(latest)
                return
    folder.arrival = _utc(latest)


def _claimed(path: Path) -> dt.datetime | None:
    from nbgrader.utils import parse_utc

    try:
        fd = os.open(path / "timestamp.txt", os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            return parse_utc(handle.read(200).decode("utf-8", "replace").strip())
    except (OSError, ValueError, OverflowError):
        return None


def _rightful_owner(student: str, folders: list[Folder]) -> int:
    """Whose folders are the student's: their own account when the folders' owners differ and the
    id names one (as nbgrader's check_owner compares), else the owner of their newest folder."""
    if len({f.uid for f in folders}) > 1:
        try:
            import pwd

            return pwd.getpwnam(student).pw_uid
        except (ImportError, KeyError):
            pass
    return folders[0].uid


def examine(inbound: Path, assignment: str, max_dir_kb: int, student: str | None = None) -> Inbound:
    """Judge every inbound folder of `assignment` (or only `student`'s) and choose one per student."""
    from nbgrader.utils import parse_utc

    result = Inbound()
    by_student: dict[str, list[Folder]] = {}
    max_bytes = 1000 * max_dir_kb if max_dir_kb else float("inf")
    try:
        names = sorted(os.listdir(inbound))
    except OSError:
        return result
    for name in names:
        parsed = parse_name(inbound / name, assignment)
        if parsed is None or (student is not None and parsed[0] != student):
            continue
        who, stamp_text = parsed
        try:
            stamp = parse_utc(stamp_text)
        except (ValueError, OverflowError):
            stamp = None
        folder = Folder(inbound / name, who, stamp)
        if not is_safe_id(who):
            folder.problem = "the student id is not a safe name; skipped"
            result.refused.append(folder)
            continue
        mode = os.lstat(folder.path).st_mode
        if not stat.S_ISDIR(mode):
            folder.problem = "a link or not a folder; skipped"
            result.refused.append(folder)
            continue
        if stamp is None:
            folder.problem = f"the timestamp {shown(stamp_text)} in its name cannot be read; skipped"
            result.refused.append(folder)
            continue
        _measure(folder, max_bytes)
        if folder.size > max_bytes:
            folder.problem = f"larger than {max_dir_kb} kB (c.CourseDirectory.max_dir_size); skipped"
        elif folder.entries > MAX_ENTRIES:
            folder.problem = f"more than {MAX_ENTRIES} files and folders; skipped"
        elif folder.arrival and folder.stamp - folder.arrival > CLOCK_SKEW:
            folder.problem = (f"named for {folder.stamp:%Y-%m-%d %H:%M:%S} but arrived at "
                              f"{folder.arrival:%Y-%m-%d %H:%M:%S} UTC: a submission dated in the future "
                              "(impersonation?); refused")
        if folder.problem:
            result.refused.append(folder)
            continue
        folder.claimed = _claimed(folder.path)
        by_student.setdefault(who, []).append(folder)
    for who, folders in sorted(by_student.items()):
        folders.sort(key=lambda f: f.stamp, reverse=True)
        owner = _rightful_owner(who, folders)
        for folder in folders:
            if folder.uid != owner:
                folder.problem = (f"owned by uid {folder.uid}, not by uid {owner} (the account named {shown(who)}, or the "
                                  "owner of their newest submission): impersonation?; refused")
                result.refused.append(folder)
            else:
                result.accepted.setdefault(who, []).append(folder)
                result.chosen.setdefault(who, folder)
        if who in result.chosen and (said := result.chosen[who].disagreement()):
            result.notes.append(said)
    return result
