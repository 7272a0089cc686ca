"""nbgrader's collect, refusing links and special files in a student's submission.

nbgrader's own collect copies a submission folder with links followed: a link a student
places in their inbound submission, pointing at keys/ or source/, would be copied as the
file it points to, and the key would then sit in submitted/, the graded notebook and the
feedback. This collect copies plain files and folders only, and names each refused entry
(student and file) in the log as an error. Named in nbgrader_config.py as
`c.ExchangeFactory.collect`, so `nbgrader collect` and `course collect` both use it.
"""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import ignore_patterns


def _plain_modes(folder: str | os.PathLike, groupshared: bool = False) -> None:
    """Folders 0755, files 0644 (group-writable when the course is groupshared, as nbgrader makes
    them): no setuid, sticky or executable bit of the student's survives collect."""
    folder_mode, file_mode = (0o2775, 0o664) if groupshared else (0o755, 0o644)
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        os.chmod(dirpath, folder_mode)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, file_mode)


def unsafe_entries(folder: str | os.PathLike) -> list[str]:
    """Paths (relative to `folder`) that are links or neither plain files nor folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append(str(path.relative_to(folder)))
    return sorted(found)


class LinkRefusingCollect(ExchangeCollect):
    """ExchangeCollect whose copy leaves out links and special files, and says so; that
    collects only the inbound folders `course.inbound` accepts (safe ids, bounded sizes, no
    impersonation) and names each refused one; that keeps no mode bits of the student's; and
    whose submitted timestamp.txt is the later of the student's and the folder's arrival."""

    def init_src(self):
        from nbgrader.utils import check_mode

        from ...inbound import examine

        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail("Course not found: {}".format(self.inbound_path))
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail("You don't have read permissions for the directory: {}".format(self.inbound_path))
        assignment = self.coursedir.assignment_id
        found = examine(Path(self.inbound_path), assignment, self.coursedir.max_dir_size,
                        None if self.coursedir.student_id in ("", "*") else self.coursedir.student_id)
        for line in found.messages():
            self.log.error("collect %s: %s", assignment, line)
        self.duedate = self._duedate()
        self.src_records = []
        for student, folders in sorted(found.accepted.items()):
            pick = folders[0]
            if self.duedate is not None and self.before_duedate:
                pick = next((f for f in folders if f.stamp <= self.duedate), folders[0])
            self.src_records.append({"username": student, "filename": pick.filename, "timestamp": pick.stamp,
                                     "folder": pick})
        self._folders = {rec["filename"]: rec["folder"] for rec in self.src_records}

    def _duedate(self):
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                return gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                return None

    def do_copy(self, src, dest, log=None):
        where = f"collect {self.coursedir.assignment_id}, student {Path(src).name.split('+')[0]}"
        try:
            self._copy(src, dest, log)
        except Exception as exc:  # one submission never stops the collection of the others
            self.log.error("%s: not collected (%s: %s)", where, type(exc).__name__, exc)
            shutil.rmtree(dest, ignore_errors=True)
            return
        _plain_modes(dest, self.coursedir.groupshared)
        folder = getattr(self, "_folders", {}).get(Path(src).name)
        if folder is not None and folder.disagreement():
            self.log.error("collect %s: %s", self.coursedir.assignment_id, folder.disagreement())
            Path(dest, "timestamp.txt").write_text(folder.late_stamp().isoformat(" "))

    def _copy(self, src, dest, log=None):
        student = Path(src).name.split("+")[0]
        where = f"collect {self.coursedir.assignment_id}, student {student}"
        if os.path.islink(src) or not os.path.isdir(src):
            self.log.error("%s: the submission %s is a link or not a folder; not collected", where, Path(src).name)
            return
        refused = set(unsafe_entries(src))
        if not refused:
            return super().do_copy(src, dest, log)  # nbgrader's copy, size checks and group permissions
        for relative in sorted(refused):
            self.log.error("%s: refused %s (links and special files are not collected; the rest of the "
                           "submission is)", where, relative)
        nbgrader_ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                          max_file_size=self.coursedir.max_file_size, log=self.log)

        def ignore(directory, names):
            here = Path(directory).relative_to(src)
            return {n for n in names if str(here / n) in refused} | set(nbgrader_ignore(directory, names))

        if self.coursedir.max_dir_size and self.get_size(src) > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"{where}: the submission is larger than {self.coursedir.max_dir_size} kB")
        shutil.copytree(src, dest, ignore=ignore)
