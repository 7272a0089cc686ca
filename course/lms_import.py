"""Import an LMS download (a zip) into `submitted/`, bounded, and steered only by the LMS.

The LMS names each entry `<student>_<...>_<file>`; the student chose only what is inside
their upload. So:
- a student is whoever the LMS's entry name says (matched by the pattern, at the archive's
  top level); an archive a student uploaded is unpacked as *that student's* files, flat
  (last path part only), never searched for other students' names, and never recursively;
- a student id must pass `course.safe_names.is_safe_id`; a file name must be a plain name
  ending in an allowed extension;
- nothing of an entry's mode, owner, time or link-ness is kept: files are written 0644 by
  this process; link entries and folders are refused;
- sizes are bounded on the bytes actually decompressed (a header can lie), and the number of
  entries is capped, so a small archive cannot fill the disk;
- every refusal is a message naming the entry and why; none stops the import of others.
Each student's folder is built aside and then swapped in, so a failed import leaves the
previous copy.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .safe_names import is_safe_id, shown

MAX_ENTRIES = 20_000             # entries in the LMS archive
MAX_INNER_ENTRIES = 200          # entries in one student's own archive
MAX_FILE_BYTES = 50 * 2**20      # one imported file, decompressed
MAX_STUDENT_BYTES = 100 * 2**20  # one student's files together
MAX_TOTAL_BYTES = 2**30          # the whole import (held in memory until written)
INNER_ARCHIVE = ".zip"
_CHUNK = 1 << 16


@dataclass
class Imported:
    students: dict[str, dict[str, bytes]] = field(default_factory=dict)  # id -> file name -> content
    timestamps: dict[str, str] = field(default_factory=dict)              # id -> LMS timestamp text
    refused: list[str] = field(default_factory=list)                      # one message per refusal
    unmatched: list[str] = field(default_factory=list)                    # entry names the pattern did not match


class TooBig(Exception):
    pass


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes, or TooBig as soon as more than `limit` come out (whatever the header says)."""
    if info.file_size > limit:
        raise TooBig(f"{info.file_size} bytes")
    out = io.BytesIO()
    with archive.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            if out.tell() + len(chunk) > limit:
                raise TooBig(f"more than {limit} bytes when decompressed")
            out.write(chunk)
    return out.getvalue()


def _is_link_or_special(info: zipfile.ZipInfo) -> bool:
    kind = stat.S_IFMT(info.external_attr >> 16)  # Unix file type; 0 when the archiver gave none
    return info.create_system == 3 and kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def plain_file_name(name: str, extensions: list[str]) -> str | None:
    """`name` if it is a file name the course may write (no folder part, no dot-name, printable,
    an allowed extension), else None."""
    if not name or "/" in name or "\\" in name or name.startswith((".", "-")) or not name.isprintable():
        return None
    if len(name.encode("utf-8", "surrogatepass")) > 200 or not any(name.endswith(e) for e in extensions):
        return None
    return name


class LmsImport:
    def __init__(self, regexp: str, extensions: list[str]):
        self.pattern = re.compile(regexp)
        self.extensions = extensions
        self.result = Imported()
        self.total = 0
        self.sizes: dict[str, int] = {}

    def refuse(self, entry: str, why: str) -> None:
        self.result.refused.append(f"{shown(entry)}: {why}")

    def _add(self, student: str, name: str, data: bytes, entry: str, from_lms: bool) -> None:
        files = self.result.students.setdefault(student, {})
        if name in files:
            # the LMS's own entry wins over a file of the same name inside the student's archive
            if from_lms and name not in self._from_inner.get(student, set()):
                self.refuse(entry, f"a second {shown(name)} for student {shown(student)}; the first one is kept")
                return
            if not from_lms:
                self.refuse(entry, f"{shown(name)} is already in student {shown(student)}'s submission; not replaced")
                return
        if self.sizes.get(student, 0) + len(data) > MAX_STUDENT_BYTES:
            self.refuse(entry, f"student {shown(student)}'s files would pass {MAX_STUDENT_BYTES} bytes; not imported")
            return
        if self.total + len(data) > MAX_TOTAL_BYTES:
            self.refuse(entry, f"the import would pass {MAX_TOTAL_BYTES} bytes; not imported")
            return
        if name in files:
            self.sizes[student] -= len(files[name])
            self.total -= len(files[name])
        files[name] = data
        self.sizes[student] = self.sizes.get(student, 0) + len(data)
        self.total += len(data)
        (self._from_inner.setdefault(student, set()).add(name) if not from_lms
         else self._from_inner.get(student, set()).discard(name))

    def _inner(self, student: str, data: bytes, entry: str) -> None:
        """A student's own archive: its plain files, by last path part, as that student's."""
        try:
            inner = zipfile.ZipFile(io.BytesIO(data))
            members = inner.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self.refuse(entry, f"student {shown(student)}'s archive cannot be read ({exc}); not imported")
            return
        if len(members) > MAX_INNER_ENTRIES:
            self.refuse(entry, f"student {shown(student)}'s archive has {len(members)} entries "
                               f"(at most {MAX_INNER_ENTRIES}); not imported")
            return
        with inner:
            for info in members:
                where = f"{entry} > {info.filename}"
                if info.is_dir():
                    continue
                if _is_link_or_special(info):
                    self.refuse(where, "a link or special file; not imported")
                    continue
                name = plain_file_name(info.filename.replace("\\", "/").rsplit("/", 1)[-1], self.extensions)
                if name is None:
                    if not info.filename.endswith(INNER_ARCHIVE):
                        self.unmatched.append(where)
                    else:
                        self.refuse(where, "an archive inside an archive is not unpacked")
                    continue
                try:
                    content = _read_bounded(inner, info, MAX_FILE_BYTES)
                except TooBig as exc:
                    self.refuse(where, f"too large ({exc}; at most {MAX_FILE_BYTES}); not imported")
                    continue
                except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                    self.refuse(where, f"cannot be read ({type(exc).__name__}: {exc}); not imported")
                    continue
                self._add(student, name, content, where, from_lms=False)

    @property
    def unmatched(self) -> list[str]:
        return self.result.unmatched

    def read(self, path: Path) -> Imported:
        self._from_inner: dict[str, set[str]] = {}
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ENTRIES:
                raise ValueError(f"{path}: {len(members)} entries (at most {MAX_ENTRIES}); nothing imported")
            # LMS entries first, students' own archives after: a name the LMS gave always wins
            ordered = sorted(members, key=lambda i: i.filename.endswith(INNER_ARCHIVE))
            for info in ordered:
                if info.is_dir():
                    continue
                match = self.pattern.match("/" + info.filename)
                if match is None:
                    self.unmatched.append(info.filename)
                    continue
                groups = match.groupdict()
                student, file_id = groups.get("student_id"), groups.get("file_id") or ""
                if not is_safe_id(student):
                    self.refuse(info.filename, f"student id {shown(student)} is not a safe name (letters, digits, "
                                               f"'._@-', not starting with '.' or '-', at most 64); not imported")
                    continue
                if _is_link_or_special(info):
                    self.refuse(info.filename, "a link or special file; not imported")
                    continue
                inner = file_id.endswith(INNER_ARCHIVE)
                name = None if inner else plain_file_name(file_id, self.extensions)
                if name is None and not inner:
                    self.unmatched.append(info.filename)
                    continue
                try:
                    data = _read_bounded(archive, info, MAX_STUDENT_BYTES if inner else MAX_FILE_BYTES)
                except TooBig as exc:
                    self.refuse(info.filename, f"too large ({exc}); not imported")
                    continue
                except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                    self.refuse(info.filename, f"cannot be read ({type(exc).__name__}: {exc}); not imported")
                    continue
                if groups.get("timestamp"):
                    self.result.timestamps[student] = max(self.result.timestamps.get(student, ""), groups["timestamp"])
                if inner:
                    self._inner(student, data, info.filename)
                else:
                    self._add(student, name, data, info.filename, from_lms=True)
        return self.result


def write_submission(folder: Path, files: dict[str, bytes], timestamp: str | None) -> None:
    """Replace `folder` by exactly `files` (0644, written by this process), atomically per student."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".import-", dir=folder.parent))
    try:
        for name, data in files.items():
            fd = os.open(work / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(work / name, 0o644)  # whatever the umask: readable by the grader, never executable
        if timestamp:
            (work / "timestamp.txt").write_text(timestamp)
        os.chmod(work, 0o755)
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)
        elif folder.exists() or folder.is_symlink():
            folder.unlink()
        os.rename(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
