"""SandboxedExecute: nbgrader's Execute step, with the kernel inside a bubblewrap sandbox.

The autograde kernel would otherwise run a student's code as the instructor, inside
the course folder. Here the kernel is started inside `bwrap` (see sandbox_kernel.py)
with:
- the whole file system read-only, and the course folder, the exchange and the
  instructor's home hidden behind empty tmpfs mounts (so source/, keys/, the
  gradebook and other students' work cannot be read or written); only the
  submission's own autograded folder is writable, and the `course` package and the
  Python installation are mounted back read-only so lessons still import;
- no network (`--unshare-net`), its own process tree (`--unshare-pid`), killed with
  its parent (`--die-with-parent`);
- rlimits on memory, CPU time, file size and open files, a process cap (cgroup
  where available), a per-cell timeout, a wall-clock timeout for the whole run and a
  cap on each cell's output.
The client that feeds it cells runs here, in the grading process, and cannot be
reached from the kernel's PID namespace. If the kernel cannot start or dies, the cells
that did not run get an error (fail closed); recorded answers are scored from the
snapshot regardless.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer, List, Unicode

from .limits import CgroupLimits, Limits, apply_rlimits


# Environment variables passed on to the student's kernel; everything else is dropped.
KERNEL_ENV_KEPT = {"LANG", "LANGUAGE", "TZ", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8",
                   "VIRTUAL_ENV", "CONDA_PREFIX", "JUPYTER_PATH", "JUPYTER_DATA_DIR"}


class SandboxError(RuntimeError):
    """The sandbox cannot run here; the message says what to install or set."""


class SandboxedExecute(Preprocessor):
    enabled = Bool(True).tag(config=True)
    require_sandbox = Bool(True, help="Refuse to grade when bubblewrap is missing (set False to run "
                                      "unsandboxed, which trusts students' code).").tag(config=True)
    hide = List(Unicode(), help="Folders the student's code must not see (course root, exchange).").tag(config=True)
    expose = List(Unicode(), help="Folders inside hidden ones to mount back read-only (the course package).").tag(config=True)
    timeout = Integer(60, help="Seconds one cell may run.").tag(config=True)
    wall_timeout = Integer(900, help="Seconds the whole notebook may run.").tag(config=True)
    memory_mb = Integer(2048, help="Memory for the sandbox (address space per process; cgroup total).").tag(config=True)
    cpu_seconds = Integer(300, help="CPU seconds per process.").tag(config=True)
    max_processes = Integer(128, help="Processes in the sandbox.").tag(config=True)
    max_file_mb = Integer(64, help="Largest file the student's code may write.").tag(config=True)
    max_output_chars = Integer(1_000_000, help="Characters of output kept per cell.").tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)

    def limits(self) -> Limits:
        return Limits(memory_bytes=self.memory_mb * 1024**2, cpu_seconds=self.cpu_seconds,
                      file_bytes=self.max_file_mb * 1024**2, processes=self.max_processes)

    def preprocess(self, nb, resources):
        from .run_cells import execute
        from .sandbox_kernel import sandboxed_kernel_manager

        folder = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        bwrap = shutil.which(self.bwrap)
        if bwrap is None:
            if self.require_sandbox:
                raise SandboxError(
                    "bubblewrap is not installed, so students' code cannot be isolated while grading. "
                    "Install it (Debian/Ubuntu: apt-get install bubblewrap), or set "
                    "c.SandboxedExecute.require_sandbox = False in nbgrader_config.py to grade unsandboxed.")
            self.log.warning("bubblewrap missing: grading %s WITHOUT a sandbox", folder)
        limits = self.limits()
        # A short path under /tmp: unix socket paths are limited to about 100 characters.
        with tempfile.TemporaryDirectory(prefix="course-kernel-", dir="/tmp") as socket_dir, \
                CgroupLimits(limits) as cgroups:
            wrapper = self.bwrap_command(bwrap, folder, Path(socket_dir)) if bwrap else []
            km = sandboxed_kernel_manager(nb.metadata.get("kernelspec", {}).get("name", "python3"), wrapper, socket_dir)

            def enter_limits():  # in the kernel's process, before bwrap starts
                cgroups.join()
                apply_rlimits(limits)

            with open(Path(socket_dir) / "kernel.log", "wb") as kernel_log:
                # independent: no JPY_PARENT_PID, whose pid means nothing inside the PID namespace
                launch = {"env": self._kernel_env(), "independent": True, "preexec_fn": enter_limits,
                          "stdout": subprocess.DEVNULL, "stderr": kernel_log}
                try:
                    execute(nb, km, str(folder), self.timeout, self.max_output_chars, self.wall_timeout, launch)
                    return nb, resources
                except Exception as exc:  # the kernel did not start, or the client failed
                    log_tail = (Path(socket_dir) / "kernel.log").read_text(errors="replace")[-800:]
                    outcome = f"{type(exc).__name__}: {exc}" + (f"; kernel log: {log_tail}" if log_tail else "")
        self.log.warning("%s: %s; the notebook was not executed", folder, outcome)
        self._note_failure(nb, outcome)
        return nb, resources

    @staticmethod
    def _kernel_env() -> dict:
        # Only what a kernel needs: the grader's environment may hold secrets (a PostgreSQL
        # password in COURSE_DB_URL) that a student could otherwise print into their feedback.
        kept = {k: v for k, v in os.environ.items() if k in KERNEL_ENV_KEPT or k.startswith("LC_")}
        return {**kept, "HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.mpl",
                "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime", "PYTHONDONTWRITEBYTECODE": "1",
                "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])}

    def bwrap_command(self, bwrap: str, folder: Path, socket_dir: Path) -> list[str]:
        hidden = self._hidden()
        command = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        for path in hidden:
            if path.exists() and path != Path("/"):
                command += ["--tmpfs", str(path)]
        # Mount back, read-only, what must stay visible inside hidden folders: the Python
        # installation (it may live in the home folder) and the course package.
        for path in self._needed_inside(hidden):
            command += ["--ro-bind", str(path), str(path)]
        command += ["--bind", str(folder), str(folder), "--bind", str(socket_dir), str(socket_dir),
                    "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                    "--die-with-parent", "--new-session", "--chdir", str(folder), "--"]
        return command

    def _hidden(self) -> list[Path]:
        return [Path(p).resolve() for p in self.hide if p] + [Path.home().resolve()]

    def _needed_inside(self, hidden: list[Path]) -> list[Path]:
        # /tmp is an empty tmpfs inside too, so anything needed from it must be mounted back.
        hidden = [*hidden, Path("/tmp").resolve()]
        import course

        wanted = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent,
                  Path(course.__file__).resolve().parent, *(Path(p).resolve() for p in self.expose)}
        wanted |= {Path(p).resolve() for p in sys.path if p and Path(p).is_dir() and "site-packages" in p}
        inside = sorted(p for p in wanted if any(p == h or h in p.parents for h in hidden))
        # Drop paths already covered by a parent in the list.
        return [p for p in inside if not any(q in p.parents for q in inside)]

    @staticmethod
    def _note_failure(nb, reason: str) -> None:
        # Fail closed: nbgrader gives full marks to a test cell without output, so every code
        # cell gets an error saying it was not run (recorded answers are scored separately).
        from .run_cells import mark_not_run

        mark_not_run(nb.cells, f"the notebook could not be run ({reason})")
