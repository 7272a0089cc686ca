#!/usr/bin/env python3
"""Seal each submission in nbgrader's inbound (run by JupyterHub as a root service).

nbgrader's `submit` leaves every submission folder mode 777 with 644 files, so a student who
learns a classmate's folder name can read it and add files to it (and `collect` copies them).
This watches the inbound folder and, once a submission is complete (nbgrader wrote its
timestamp.txt and submission_secret.txt and made the folder 777, its last step), gives the
folder and everything in it to the instructor, mode 700 (folders) / 600 (files). It runs as root
inside a tree the student controls, so it works by file descriptor only: the top folder is
sealed first, every entry is opened relative to its parent without following links, and only
the student's own plain files and folders are changed (links are removed; anything else sends the
folder to quarantine). It keeps the inbound sticky, so nobody renames a folder that is not theirs.
A folder not owned by the student its name starts with (someone dropping a folder in a
classmate's name), a name nbgrader's submit would not make, or anything that is not a plain
folder, is moved to a root-only quarantine beside inbound.

Times come from this service's clock, not the student's: once a submission is sealed, its
`timestamp.txt` (which nbgrader's collect and autograde read for due dates and late penalties)
is rewritten with the time it was sealed, and the folder is renamed to that time (collect picks
the latest submission by the time in its name). Each seal and each quarantine is appended to
`hub-record.jsonl` beside inbound (root's, readable by the instructor's group, 640): what the
student's own timestamp said, the hub's time, why an entry was quarantined. `course collect` and
`course status` read it.

    seal_submissions.py --inbound /srv/nbgrader/exchange/COURSE/inbound --owner INSTRUCTOR [--once]
"""
from __future__ import annotations

import argparse
import datetime
import errno
import json
import os
import pwd
import stat
import sys
import time

SEALED_MODE = 0o700
# A submission is a notebook, its answers file and nbgrader's two small files; a tree far larger
# than that is an attack on the service (it would keep root busy), so it is quarantined instead.
MAX_ENTRIES = 5000
MAX_DEPTH = 16
MAX_PASSES = 4
# Opened only by file descriptor and never through a link: a name in a student's tree can be
# swapped for a link at any moment, so no path inside it is ever resolved twice.
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_OPEN_ANY = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
# nbgrader's submit names a folder STUDENT+ASSIGNMENT+TIMESTAMP+RANDOM with this format (UTC).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
RECORD = "hub-record.jsonl"
RECORD_MODE = 0o640


def log(message: str) -> None:
    print(f"[seal-submissions] {message}", file=sys.stderr, flush=True)


class Refused(Exception):
    """The submission holds something that is not the student's plain file or folder."""


def seal(inbound_fd: int, name: str, student_uid: int, uid: int, gid: int) -> list[str]:
    """Give the submission `name` (a folder in the inbound) and its tree to uid:gid, 700/600.

    Works by file descriptor from the inbound down, so it never leaves the submission's own tree:
    the top folder is sealed first (nobody but root can then reach into it by name), each entry
    is opened relative to its parent with O_NOFOLLOW and changed with fchown/fchmod on what was
    opened. Only plain files and folders that belong to the student are changed; a link is
    removed (collect refuses links anyway); anything else (another owner, a hard link, a fifo,
    too many entries) raises Refused after the walk, and the caller quarantines the folder.
    Returns the notes of what was removed.
    """
    top = os.open(name, _OPEN_DIR, dir_fd=inbound_fd)
    try:
        st = os.fstat(top)
        if st.st_uid != student_uid:
            raise Refused(f"owned by uid {st.st_uid}, not by the student")
        os.fchown(top, uid, gid)
        os.fchmod(top, SEALED_MODE)
        notes: list[str] = []
        problems: list[str] = []
        # Once every folder in the tree is sealed nobody but root can change it, even through a
        # descriptor opened before; a folder renamed during a pass is caught by the next one.
        for _ in range(MAX_PASSES):
            changed = [0]
            _seal_tree(top, name, (student_uid, uid), uid, gid, 0, [0], changed, notes, problems)
            if problems or not changed[0]:
                break
        else:
            problems.append(f"still changing after {MAX_PASSES} passes")
    finally:
        os.close(top)
    if problems:
        raise Refused("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    return notes


def _seal_tree(dir_fd: int, where: str, owners: tuple[int, int], uid: int, gid: int, depth: int,
               count: list[int], changed: list[int], notes: list[str], problems: list[str]) -> None:
    if depth > MAX_DEPTH:
        problems.append(f"{where}: folders nested more than {MAX_DEPTH} deep")
        return
    for entry in os.scandir(dir_fd):
        count[0] += 1
        if count[0] > MAX_ENTRIES:
            problems.append(f"more than {MAX_ENTRIES} files and folders")
            return
        label = f"{where}/{entry.name}"
        try:
            fd = os.open(entry.name, _OPEN_ANY, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # a link (now): remove the name, never follow it
                _remove_link(dir_fd, entry.name, label, notes, problems)
                changed[0] += 1
            elif exc.errno != errno.ENOENT:
                problems.append(f"{label}: {exc.strerror}")
            continue
        try:
            st = os.fstat(fd)
            if st.st_uid not in owners:  # the student's, or sealed by an earlier pass
                problems.append(f"{label}: owned by uid {st.st_uid}, not by the student")
            elif stat.S_ISDIR(st.st_mode):
                _seal_fd(fd, st, uid, gid, 0o700, changed)
                _seal_tree(fd, label, owners, uid, gid, depth + 1, count, changed, notes, problems)
            elif stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
                _seal_fd(fd, st, uid, gid, 0o600, changed)
            elif stat.S_ISREG(st.st_mode):
                problems.append(f"{label}: a hard link ({st.st_nlink} names)")
            else:
                problems.append(f"{label}: not a plain file or folder")
        finally:
            os.close(fd)


def _seal_fd(fd: int, st: os.stat_result, uid: int, gid: int, mode: int, changed: list[int]) -> None:
    if (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) != (uid, gid, mode):
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        changed[0] += 1


def _remove_link(dir_fd: int, name: str, label: str, notes: list[str], problems: list[str]) -> None:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            os.unlink(name, dir_fd=dir_fd)  # removes the link itself, never its target
            notes.append(f"removed link {label}")
    except FileNotFoundError:
        pass
    except OSError as exc:
        problems.append(f"{label}: {exc.strerror}")


def now_utc() -> str:
    """The hub's clock, in nbgrader's timestamp format."""
    return datetime.datetime.now(datetime.timezone.utc).strftime(TIMESTAMP_FORMAT)


def parse_name(name: str) -> tuple[str, str, str, str] | None:
    """(student, assignment, timestamp, random) of a name nbgrader's submit makes, else None.

    nbgrader's collect fails on a name whose time it cannot parse, for the whole class, so such
    a name is never left in the inbound."""
    for parts in (name.rsplit("+", 3), name.rsplit("+", 2) + [""]):
        if len(parts) == 4 and all(parts[:3]):
            try:
                datetime.datetime.strptime(parts[2], TIMESTAMP_FORMAT)
            except ValueError:
                continue
            return parts[0], parts[1], parts[2], parts[3]
    return None


def record(inbound: str, gid: int, entry: dict) -> None:
    """Append one line to hub-record.jsonl beside inbound: root's, the instructor's group may read.

    The folder beside inbound is the instructor's, so the file is opened without following a
    link and only a plain file of root's with one name is written to."""
    parent = os.open(os.path.dirname(os.path.abspath(inbound)), _OPEN_DIR)
    try:
        fd = os.open(RECORD, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                     RECORD_MODE, dir_fd=parent)
    except OSError as exc:
        log(f"cannot write {RECORD}: {exc}")
        return
    finally:
        os.close(parent)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != 0:
            log(f"{RECORD} is not a plain file of root's: not written")
            return
        if (st.st_gid, stat.S_IMODE(st.st_mode)) != (gid, RECORD_MODE):
            os.fchown(fd, 0, gid)
            os.fchmod(fd, RECORD_MODE)
        os.write(fd, (json.dumps(entry, sort_keys=True) + "\n").encode())
    finally:
        os.close(fd)


def stamp(inbound_fd: int, name: str, parsed: tuple[str, str, str, str], uid: int, gid: int) -> dict:
    """Give a sealed submission the hub's time: rewrite its timestamp.txt and rename its folder.

    Runs after seal(): the folder is the instructor's, 700, so no student can reach into it.
    Returns the record entry (the student's own timestamp kept there)."""
    student, assignment, claimed, suffix = parsed
    when = now_utc()
    top = os.open(name, _OPEN_DIR, dir_fd=inbound_fd)
    try:
        # The name was sealed a moment ago and, the inbound being sticky, only root or the
        # instructor can have changed it since: make sure this is still the sealed folder.
        st = os.fstat(top)
        if (st.st_uid, stat.S_IMODE(st.st_mode)) != (uid, SEALED_MODE):
            raise OSError(errno.EPERM, f"{name} is no longer the sealed folder")
        student_time = None
        try:
            fd = os.open("timestamp.txt", _OPEN_ANY, dir_fd=top)
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    student_time = os.read(fd, 200).decode("utf-8", "replace").strip()
            finally:
                os.close(fd)
        except FileNotFoundError:
            pass
        temporary = ".timestamp.txt.hub"
        try:
            os.unlink(temporary, dir_fd=top)
        except FileNotFoundError:
            pass
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                     dir_fd=top)
        try:
            os.fchown(fd, uid, gid)
            os.fchmod(fd, 0o600)
            os.write(fd, when.encode())
        finally:
            os.close(fd)
        os.replace(temporary, "timestamp.txt", src_dir_fd=top, dst_dir_fd=top)
    finally:
        os.close(top)
    new_name = "+".join([student, assignment, when] + ([suffix] if suffix else []))
    try:
        os.stat(new_name, dir_fd=inbound_fd, follow_symlinks=False)
        new_name = name  # taken (cannot happen but by a student guessing the microsecond): keep it
    except FileNotFoundError:
        os.rename(name, new_name, src_dir_fd=inbound_fd, dst_dir_fd=inbound_fd)
    return {"event": "sealed", "time": when, "student": student, "assignment": assignment,
            "submission": new_name, "submitted_as": name, "student_timestamp": student_time,
            "name_timestamp": claimed}


def ensure_sticky(inbound: str) -> None:
    """Sticky inbound: nobody renames or removes a folder that is not theirs (a sealed one is
    the instructor's), so no student can move a classmate's submission to their own name."""
    st = os.lstat(inbound)
    if stat.S_ISDIR(st.st_mode) and not st.st_mode & stat.S_ISVTX:
        os.chmod(inbound, stat.S_IMODE(st.st_mode) | stat.S_ISVTX)
        log(f"made {inbound} sticky")


def quarantine(inbound: str, name: str, why: str, gid: int | None = None) -> None:
    target_dir = os.path.join(os.path.dirname(inbound), "quarantine")
    os.makedirs(target_dir, mode=0o700, exist_ok=True)
    os.chmod(target_dir, 0o700)
    target = os.path.join(target_dir, f"{name}.{int(time.time() * 1000)}")
    os.rename(os.path.join(inbound, name), target)
    log(f"quarantined {name}: {why} -> {target}")
    if gid is not None:
        parts = name.split("+")
        record(inbound, gid, {"event": "quarantined", "time": now_utc(), "student": parts[0],
                              "assignment": parts[1] if len(parts) > 1 else "", "entry": name,
                              "reason": why, "kept_as": os.path.basename(target)})


def complete(inbound_fd: int, name: str, st: os.stat_result) -> bool:
    """nbgrader's submit makes the folder 777 as its last step, after writing both files."""
    if stat.S_IMODE(st.st_mode) != 0o777:
        return False
    for marker in ("timestamp.txt", "submission_secret.txt"):
        try:
            if not stat.S_ISREG(os.stat(f"{name}/{marker}", dir_fd=inbound_fd, follow_symlinks=False).st_mode):
                return False
        except OSError:
            return False
    return True


def scan(inbound: str, uid: int, gid: int, first_seen: dict[str, float], grace: float = 300.0) -> int:
    sealed = 0
    try:
        inbound_fd = os.open(inbound, _OPEN_DIR)
    except FileNotFoundError:
        return 0
    try:
        ensure_sticky(inbound)
        names = os.listdir(inbound_fd)
        now = time.monotonic()
        for name in names:
            sealed += _scan_one(inbound, inbound_fd, name, uid, gid, first_seen, now, grace)
    finally:
        os.close(inbound_fd)
    return sealed


def _scan_one(inbound: str, inbound_fd: int, name: str, uid: int, gid: int,
              first_seen: dict[str, float], now: float, grace: float) -> int:
    try:
        st = os.stat(name, dir_fd=inbound_fd, follow_symlinks=False)
        if st.st_uid == uid and stat.S_IMODE(st.st_mode) == SEALED_MODE and stat.S_ISDIR(st.st_mode):
            return 0  # sealed already
        if not stat.S_ISDIR(st.st_mode):
            quarantine(inbound, name, "not a folder", gid)
            return 0
        student = name.split("+", 1)[0]
        try:
            owner = pwd.getpwnam(student).pw_uid
        except KeyError:
            owner = None
        if owner is None or st.st_uid != owner:
            quarantine(inbound, name, f"owned by uid {st.st_uid}, not by student {student!r}", gid)
            return 0
        parsed = parse_name(name)
        if parsed is None:
            quarantine(inbound, name, "not a name nbgrader's submit makes (STUDENT+ASSIGNMENT+TIME)", gid)
            return 0
        if complete(inbound_fd, name, st):
            why = "sealed"
        elif now - first_seen.setdefault(name, now) > grace:
            why = f"sealed incomplete after {grace:.0f} s"  # a submit that died half-way
        else:
            return 0
        try:
            notes = seal(inbound_fd, name, owner, uid, gid)
        except Refused as exc:
            first_seen.pop(name, None)
            quarantine(inbound, name, str(exc), gid)
            return 0
        first_seen.pop(name, None)
        entry = stamp(inbound_fd, name, parsed, uid, gid)
        if notes:
            entry["notes"] = notes
        record(inbound, gid, entry)
        log(f"{why} {name} as {entry['submission']}" + (f" ({'; '.join(notes)})" if notes else ""))
        return 1
    except FileNotFoundError:
        return 0  # removed meanwhile
    except OSError as exc:
        log(f"{name}: {exc}")
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbound", required=True)
    parser.add_argument("--owner", required=True, help="the instructor's Unix user")
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--once", action="store_true", help="one pass, then exit")
    args = parser.parse_args(argv)
    owner = pwd.getpwnam(args.owner)
    first_seen: dict[str, float] = {}
    log(f"watching {args.inbound} (sealed for {args.owner})")
    while True:
        scan(args.inbound, owner.pw_uid, owner.pw_gid, first_seen)
        if args.once:
            return 0
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
