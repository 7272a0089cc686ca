"""Memory and CPU limits per student for JupyterHub's LocalProcessSpawner, with Linux cgroups.

LocalProcessSpawner ignores `Spawner.mem_limit` and `Spawner.cpu_limit`. `CgroupLocalProcessSpawner`
honours them without systemd: before a server starts, the hub (root) makes a cgroup for the user,
`course-hub-NAME/USER` (NAME: the hub's prefix folder's name), writes the limits into it, and the
server process joins it before it drops to the user; its kernels and terminals are its children
and stay in it (a user cannot move a process out: the cgroup's files are root's). Over the memory
limit the kernel's OOM killer ends a process of that cgroup (in practice the kernel that grew), not
a process of the machine; the CPU limit is a CFS quota (1.0 = one core's time).

cgroup v2 (Debian 12 with systemd: /sys/fs/cgroup/cgroup.controllers) and v1 (separate memory and
cpu hierarchies) are both handled. `remove.sh` removes the cgroups when it removes the hub.
"""
from __future__ import annotations

import os
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

CGROUP_ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


def cgroup_version(root: Path = CGROUP_ROOT) -> int:
    """2 for the unified hierarchy, 1 for separate memory and cpu hierarchies, 0 for none usable."""
    if (root / "cgroup.controllers").exists():
        return 2
    if (root / "memory" / "memory.limit_in_bytes").exists() and (root / "cpu" / "cpu.cfs_quota_us").exists():
        return 1
    return 0


def limit_files(group: str, mem_bytes: int | None, cpu: float | None, root: Path = CGROUP_ROOT):
    """(the cgroup folders to make, {file: value} to write in order, the cgroup.procs files to join)."""
    quota = int(cpu * PERIOD_US) if cpu else None
    version = cgroup_version(root)
    if version == 2:
        parent, folder = root / group.split("/")[0], root / group
        writes = {root / "cgroup.subtree_control": "+memory +cpu", parent / "cgroup.subtree_control": "+memory +cpu"}
        writes[folder / "memory.max"] = str(mem_bytes) if mem_bytes else "max"
        writes[folder / "memory.swap.max"] = "0" if mem_bytes else "max"
        writes[folder / "cpu.max"] = f"{quota if quota else 'max'} {PERIOD_US}"
        return [folder], writes, [folder / "cgroup.procs"]
    if version == 1:
        memory, cpu_dir = root / "memory" / group, root / "cpu" / group
        writes = {memory / "memory.limit_in_bytes": str(mem_bytes) if mem_bytes else "-1",
                  cpu_dir / "cpu.cfs_period_us": str(PERIOD_US),
                  cpu_dir / "cpu.cfs_quota_us": str(quota) if quota else "-1"}
        if mem_bytes and (memory.parent / "memory.memsw.limit_in_bytes").exists():
            writes[memory / "memory.memsw.limit_in_bytes"] = str(mem_bytes)  # no swapping past the limit
        return [memory, cpu_dir], writes, [memory / "cgroup.procs", cpu_dir / "cgroup.procs"]
    raise RuntimeError("no writable cgroup hierarchy under /sys/fs/cgroup: memory and CPU limits cannot be "
                       "enforced (run start.sh with --mem-limit 0 --cpu-limit 0 to go without)")


class CgroupLocalProcessSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose servers run in a cgroup of their user with mem_limit and cpu_limit."""

    cgroup_parent = Unicode("course-hub", config=True, help="the cgroup (under each hierarchy) of this hub's users")

    def _limited(self) -> bool:
        return bool(self.mem_limit or self.cpu_limit)

    async def start(self):
        self._join = []
        if self._limited():
            folders, writes, self._join = limit_files(f"{self.cgroup_parent}/{self.user.name}", self.mem_limit,
                                                      self.cpu_limit)
            for folder in folders:
                folder.mkdir(parents=True, exist_ok=True)
            for path, value in writes.items():
                if path.name != "memory.swap.max" or path.exists():  # absent without swap accounting
                    path.write_text(value)
            self.log.info("%s: server in cgroup %s/%s (memory %s bytes, %s CPU)", self.user.name,
                          self.cgroup_parent, self.user.name, self.mem_limit or "unlimited", self.cpu_limit or "unlimited")
        return await super().start()

    def make_preexec_fn(self, name):
        drop_to_user = super().make_preexec_fn(name)
        join = [str(path) for path in getattr(self, "_join", [])]

        def preexec():
            for procs in join:  # still root here: join the user's cgroup, then become the user
                with open(procs, "w") as fh:
                    fh.write(str(os.getpid()))
            drop_to_user()

        return preexec

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._limited():
            folders, _, _ = limit_files(f"{self.cgroup_parent}/{self.user.name}", self.mem_limit, self.cpu_limit)
            for folder in folders:
                try:
                    folder.rmdir()  # only once empty: a kernel still ending keeps it until remove.sh
                except OSError:
                    pass
