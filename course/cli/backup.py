"""`course backup DIR` and `course restore DIR`: the gradebook, the course folder and the exchange.

`course backup DIR` writes into DIR (made if missing; it must be empty):
  gradebook.db      a consistent copy of the SQLite gradebook (SQLite's online backup, so a
                    grading run that is writing meanwhile cannot leave a half copy)
  course.tar.gz     the course folder (sources, keys, releases, submitted/, autograded/,
                    feedback/, the configuration...), without the gradebook, the exchange, DIR,
                    and what is not course data (.git, .venv, venv, demo, work, __pycache__)
  recorder.db       the course recorder's store of graded saves, when the course grades from one
  exchange.tar.gz   this course's folder in nbgrader's exchange (releases, submissions, feedback,
                    the class hub's record); what the instructor may not read (the hub's root-only
                    quarantine) is left out and named
  manifest.json     when, from where, and the SHA-256 of each file
and notes the backup in the course folder's `.course-backup`, which deploy/hub/remove.sh checks
before it deletes a gradebook. A PostgreSQL gradebook is not copied: back it up with pg_dump.

`course restore DIR` checks every file against the manifest, then puts the course folder, the
gradebook and the exchange folder back where this course's configuration says they go (run it
in a fresh clone or the same course folder). An existing gradebook is replaced only with --force.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tarfile
from pathlib import Path

from ..coursedir import sqlite_file
from .coursedir import CourseError, find_root, nbgrader_api

log = logging.getLogger(__name__)

MARKER = ".course-backup"
MANIFEST = "manifest.json"
SKIP_IN_COURSE = {"gradebook.db", "gradebook.db-journal", "gradebook.db-wal", "gradebook.db-shm", MARKER}
# Not course data: a clone's git history and environments, the demo's and `course start`'s folders.
SKIP_TOP = {".git", ".venv", "venv", "demo", "work", "node_modules", ".pytest_cache"}
SKIP_ANYWHERE = {"__pycache__", ".ipynb_checkpoints"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _add_tree(archive: tarfile.TarFile, folder: Path, skip, skipped: list[str]) -> None:
    """Add `folder`'s contents (names relative to it), links as links; unreadable entries are noted."""
    for current, dirs, files in os.walk(folder, onerror=lambda exc: skipped.append(str(exc.filename))):
        here = Path(current)
        for name in list(dirs):
            path = here / name
            if skip(path) or not os.access(path, os.R_OK | os.X_OK):
                if not skip(path):
                    skipped.append(str(path))
                dirs.remove(name)
                continue
            archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
        for name in files:
            path = here / name
            if skip(path):
                continue
            try:
                archive.add(path, arcname=str(path.relative_to(folder)), recursive=False)
            except OSError:
                skipped.append(str(path))


RECORDER_COPY = "recorder.db"


def recorder_store(root: Path) -> Path | None:
    """The course recorder's SQLite store, if the course grades from one (course/recorder/)."""
    from ..coursedir import load_course_config

    url = str(load_course_config(root).SnapshotRecordedAnswers.get("recorder_db_url", "") or "")
    return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None


def _sqlite_copy(path: Path, copy_to: Path) -> None:
    """A consistent copy (SQLite's online backup): a writer meanwhile cannot leave half a copy."""
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(copy_to)
    with copy:
        source.backup(copy)
    source.close()
    copy.close()


def backup(root: Path, target: Path) -> dict:
    api = nbgrader_api(root)
    target = Path(target).expanduser()
    if target.exists() and any(target.iterdir()):
        raise CourseError(f"{target}: not empty (a backup goes into a new or empty folder)")
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)   # the keys and every student's work are in it
    manifest = {"made": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "course_root": str(root), "course_id": api.course_id, "files": {}, "left_out": []}

    gradebook = sqlite_file(api.coursedir.db_url, root)
    if gradebook is None:
        log.warning(f"warning: the gradebook ({api.coursedir.db_url.split('@')[-1]}) is not SQLite: "
                    f"back it up with its own tools (pg_dump)")
    elif gradebook.is_file():
        _sqlite_copy(gradebook, target / "gradebook.db")

    recorder = recorder_store(root)
    if recorder is not None and recorder.is_file():
        _sqlite_copy(recorder, target / RECORDER_COPY)
    elif recorder is not None:
        log.warning(f"warning: the course recorder's store {recorder} is not there (yet); not backed up")

    exchange_root = Path(api.exchange_root) if api.exchange_root else None
    exchange = exchange_root / api.course_id if exchange_root else None
    local_exchange = exchange_root is not None and not _inside(root, exchange_root)

    def skip_course(path: Path) -> bool:
        if path.parent == root and (path.name in SKIP_IN_COURSE or path.name in SKIP_TOP):
            return True
        if path.name in SKIP_ANYWHERE or _inside(path, target):
            return True
        return local_exchange and _inside(path, exchange_root)  # it goes in exchange.tar.gz
    with tarfile.open(target / "course.tar.gz", "w:gz") as archive:
        _add_tree(archive, root, skip_course, manifest["left_out"])
    if exchange is not None and exchange.is_dir():
        manifest["exchange"] = str(exchange)
        with tarfile.open(target / "exchange.tar.gz", "w:gz") as archive:
            _add_tree(archive, exchange, lambda path: _inside(path, target), manifest["left_out"])
    for path in sorted(target.iterdir()):
        manifest["files"][path.name] = _sha256(path)
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    for item in manifest["left_out"]:
        log.warning(f"warning: not readable, left out of the backup: {item}")
    # After the copy: deploy/hub/remove.sh compares this file's time with the gradebook's.
    (root / MARKER).write_text(json.dumps({"backup": str(target.resolve()), "made": manifest["made"]}) + "\n")
    log.info(f"backed up {root} to {target} ({', '.join(manifest['files'])})")
    return manifest


def _safe_members(archive: tarfile.TarFile, where: str) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts:
            raise CourseError(f"{where}: refusing {member.name!r} (outside the folder)")
        if not (member.isfile() or member.isdir() or member.issym()):
            raise CourseError(f"{where}: refusing {member.name!r} (not a file, folder or link)")
        if member.issym() and (Path(member.linkname).is_absolute() or ".." in Path(member.linkname).parts):
            raise CourseError(f"{where}: refusing the link {member.name!r} -> {member.linkname!r}")
        members.append(member)
    return members


def _extract(archive_path: Path, into: Path) -> int:
    with tarfile.open(archive_path, "r:gz") as archive:
        members = _safe_members(archive, archive_path.name)
        into.mkdir(parents=True, exist_ok=True)
        try:
            archive.extractall(into, members=members, filter="tar")
        except TypeError:  # a Python without extraction filters (the members are checked above)
            archive.extractall(into, members=members)
    return len(members)


def restore(root: Path, source: Path, force: bool = False) -> dict:
    source = Path(source).expanduser()
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise CourseError(f"{source}: not a course backup ({MANIFEST}: {exc})") from exc
    for name, digest in manifest.get("files", {}).items():
        path = source / name
        if not path.is_file() or _sha256(path) != digest:
            raise CourseError(f"{path}: missing or changed since the backup (its SHA-256 differs): nothing restored")
    api = nbgrader_api(root)
    gradebook = sqlite_file(api.coursedir.db_url, root)
    if "gradebook.db" in manifest["files"]:
        if gradebook is None:
            raise CourseError("this course's gradebook is not SQLite: restore gradebook.db by hand")
        if gradebook.exists() and not force:
            raise CourseError(f"{gradebook} exists: restoring would replace it (give --force to replace it)")
    counts = {}
    if "course.tar.gz" in manifest["files"]:
        counts["course"] = _extract(source / "course.tar.gz", root)
    if "gradebook.db" in manifest["files"]:
        gradebook.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "gradebook.db", gradebook)
        counts["gradebook"] = 1
    if "exchange.tar.gz" in manifest["files"]:
        if not api.exchange_root:
            raise CourseError("this course has no exchange (Exchange.root) to restore into")
        counts["exchange"] = _extract(source / "exchange.tar.gz", Path(api.exchange_root) / api.course_id)
    if RECORDER_COPY in manifest["files"]:
        recorder = recorder_store(root)
        if recorder is None:
            log.warning(f"warning: {source / RECORDER_COPY} holds the course recorder's records, but this "
                        f"course names no recorder store (c.SnapshotRecordedAnswers.recorder_db_url)")
        elif recorder.exists() and not force:
            raise CourseError(f"{recorder} exists: restoring would replace the recorder's records (give --force)")
        else:
            try:
                shutil.copyfile(source / RECORDER_COPY, recorder)
                counts["recorder"] = 1
            except PermissionError:
                log.warning(f"warning: {recorder} belongs to the recorder's user: as root, copy "
                            f"{source / RECORDER_COPY} there (and give it to that user)")
    log.info(f"restored {source} into {root}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def run_backup(args) -> int:
    backup(find_root(), Path(args.folder))
    return 0


def run_restore(args) -> int:
    restore(find_root(), Path(args.folder), force=args.force)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("backup", help="copy the gradebook, the course folder and the exchange to a folder",
                                   description=__doc__)
    parser.add_argument("folder", help="a new or empty folder for the backup")
    parser.set_defaults(func=run_backup)
    parser = subparsers.add_parser("restore", help="put a `course backup` back (gradebook, course folder, exchange)",
                                   description=__doc__)
    parser.add_argument("folder", help="the folder `course backup` wrote")
    parser.add_argument("--force", action="store_true", help="replace an existing gradebook")
    parser.set_defaults(func=run_restore)
