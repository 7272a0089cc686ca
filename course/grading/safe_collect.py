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
    """ExchangeCollect whose copy leaves out links and special files, and says so."""

    def do_copy(self, src, dest, log=None):
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
