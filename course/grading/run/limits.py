"""Resource limits for a sandboxed grading run: rlimits always, cgroups where we may.

rlimits bound each process (address space, CPU seconds, file size, open files, and
processes for a non-root user). The process count of root is not limited by
RLIMIT_NPROC, so when the cgroup v1 `pids` and `memory` hierarchies are writable (as
root usually they are) the whole sandbox also goes into a fresh cgroup with a
process cap and a memory cap.
"""
from __future__ import annotations

import os
import resource
import uuid
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass
class Limits:
    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 300
    file_bytes: int = 64 * 1024**2
    open_files: int = 256
    processes: int = 128


def apply_rlimits(limits: Limits, own_uid: bool = False) -> None:
    """Run in the child before exec (preexec_fn). `own_uid`: the kernel will run as a uid of
    its own (grading as root), so the process cap counts only the sandbox's processes."""
    settings = [
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if own_uid:  # root ignores it; the unprivileged uid the kernel switches to does not
        settings.append((resource.RLIMIT_NPROC, limits.processes))
    elif os.geteuid() != 0:
        settings.append((resource.RLIMIT_NPROC, limits.processes + _own_process_count()))
    for which, value in settings:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


def _own_process_count() -> int:
    # RLIMIT_NPROC counts every process of the user, so leave room for those already running.
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


class CgroupLimits:
    """A throwaway cgroup (v1 pids + memory) for one run; a no-op where not permitted."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.name = f"course-grading-{uuid.uuid4().hex[:12]}"
        self.paths: list[Path] = []

    def __enter__(self) -> "CgroupLimits":
        for controller, settings in (
            ("pids", {"pids.max": str(self.limits.processes)}),
            ("memory", {"memory.limit_in_bytes": str(self.limits.memory_bytes)}),
        ):
            folder = CGROUP_ROOT / controller / self.name
            try:
                folder.mkdir()
            except OSError:
                continue
            try:
                for key, value in settings.items():
                    (folder / key).write_text(value)
                self.paths.append(folder)
            except OSError:
                folder.rmdir()
        return self

    def join(self) -> None:
        """Put the calling process (the child, before exec) into the cgroups."""
        for folder in self.paths:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def __exit__(self, *exc) -> None:
        for folder in self.paths:
            try:
                for pid in (folder / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), 9)
                    except ProcessLookupError:
                        pass
                folder.rmdir()
            except OSError:
                pass
