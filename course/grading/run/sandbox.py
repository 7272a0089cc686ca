"""SandboxedExecute: nbgrader's Execute step, with the kernel inside a bubblewrap sandbox.

The autograde kernel would otherwise run a student's code as the instructor, inside
the course folder. Here the kernel is started inside `bwrap` (see sandbox_kernel.py) with:
- a file system built from an allow-list, read-only: the system folders (/usr, /etc and
  the /bin, /lib links), the Python installation and its site-packages, and the `course`
  package. Nothing else exists inside: not the course folder wherever it lives, the
  exchange, home folders, /srv or /var, nor any grader's scratch copy;
- a private, writable copy of the submission's files (regular files only) as its working
  folder, which the grader never reads back: the grader's own folder, logs and results are
  out of the student's reach, so nothing can be swapped for a link the grader would follow;
- no network (`--unshare-net`), its own process tree (`--unshare-pid`), killed with its
  parent (`--die-with-parent`); as an unprivileged user when the grader runs as root;
- rlimits on memory, CPU time, file size and open files, a process cap (cgroup where
  available), a per-cell timeout, a wall-clock timeout for the whole run and a cap on each
  cell's output.
The client that feeds it cells runs here, in the grading process, and cannot be reached from
the kernel's PID namespace. If the kernel cannot start or dies, the cells that did not run
get an error (fail closed). When every graded cell is scored by the grader (a widget
lesson: see grader_scoring.py), no kernel is started and no student code runs at all.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, List, Unicode

from ...errors import CourseError
from ..state import GradingState
from .limits import CgroupLimits, Limits, apply_rlimits


# Environment variables passed on to the student's kernel; everything else is dropped.
KERNEL_ENV_KEPT = {"LANG", "LANGUAGE", "TZ", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8",
                   "VIRTUAL_ENV", "CONDA_PREFIX", "JUPYTER_PATH", "JUPYTER_DATA_DIR"}


# System folders mounted read-only (Debian links /bin, /lib and /sbin into /usr).
SYSTEM_FOLDERS = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_START_FAILURE = "the kernel did not start"


def _parents(path: Path, made: set[Path]) -> list[str]:
    """bwrap gives the folders above a mount the modes of the real ones (a home, or a private
    temporary folder, is 700): make them plain folders an unprivileged kernel can pass through."""
    args = []
    for parent in reversed(path.parents):
        if parent != Path("/") and parent not in made and not _under_system(parent):
            args += ["--perms", "0755", "--dir", str(parent)]
            made.add(parent)
    return args


def _under_system(path: Path) -> bool:
    return any(path == Path(top) or Path(top) in path.parents for top in SYSTEM_FOLDERS)


def copy_plain_files(src: Path, dest: Path) -> None:
    """Copy the regular files and folders of `src` to `dest`, never following a link."""
    dest.mkdir(parents=True)
    for entry in os.scandir(src):
        if entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False):
            copy_plain_files(Path(entry.path), dest / entry.name)
        elif entry.is_file(follow_symlinks=False):
            shutil.copyfile(entry.path, dest / entry.name, follow_symlinks=False)


class SandboxError(CourseError):
    """The sandbox cannot run here; the message says what to install or set."""


class SandboxedExecute(Execute):
    """nbgrader's Execute (so `--no-execute` and `c.Execute.*` reach it), with the kernel sandboxed."""

    reads = ("plan",)  # no kernel at all when the plan says every graded cell is scored by the grader

    require_sandbox = Bool(True, help="Refuse to grade when bubblewrap is missing (set False to run "
                                      "unsandboxed, which trusts students' code).").tag(config=True)
    hide = List(Unicode(), help="Folders that must never be visible to students' code (the course root, the "
                                "exchange); grading stops if a mounted folder would contain one.").tag(config=True)
    expose = List(Unicode(), help="More folders to mount read-only (for example a data folder lessons read).").tag(config=True)
    timeout = Integer(60, help="Seconds one cell may run.").tag(config=True)
    wall_timeout = Integer(900, help="Seconds the whole notebook may run.").tag(config=True)
    memory_mb = Integer(2048, help="Memory for the sandbox (address space per process; cgroup total).").tag(config=True)
    cpu_seconds = Integer(300, help="CPU seconds per process.").tag(config=True)
    max_processes = Integer(128, help="Processes in the sandbox.").tag(config=True)
    max_file_mb = Integer(64, help="Largest file the student's code may write.").tag(config=True)
    max_output_chars = Integer(1_000_000, help="Characters of output kept per cell.").tag(config=True)
    max_export_chars = Integer(50_000_000, help="Characters of exported values kept per code exercise.").tag(config=True)
    sandbox_uid_base = Integer(200_000, help="When grading as root, the student's kernel runs as an unprivileged uid "
                                             "from this base (one per grading process, so that a process limit "
                                             "one student exhausts is not another's); 0 runs it as root.").tag(config=True)
    start_retries = Integer(2, help="Times to retry a kernel that fails to start (not the student's fault).").tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)

    def limits(self) -> Limits:
        return Limits(memory_bytes=self.memory_mb * 1024**2, cpu_seconds=self.cpu_seconds,
                      file_bytes=self.max_file_mb * 1024**2, processes=self.max_processes)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        plan = state.plan
        folder = state.folder.resolve()
        if plan is not None and not plan.needs_kernel:
            self.log.debug("%s: every graded cell is scored by the grader; no student code is run", folder)
            return nb, resources
        bwrap = shutil.which(self.bwrap)
        if bwrap is None:
            if self.require_sandbox:
                raise SandboxError(
                    "bubblewrap is not installed, so students' code cannot be isolated while grading. "
                    "Install it (Debian/Ubuntu: apt-get install bubblewrap), or set "
                    "c.SandboxedExecute.require_sandbox = False in nbgrader_config.py to grade unsandboxed.")
            self.log.warning("bubblewrap missing: grading %s WITHOUT a sandbox", folder)
        outcome = None
        for attempt in range(1 + max(0, self.start_retries)):
            outcome = self._run_once(nb, folder, bwrap)
            if outcome is None or not outcome.startswith(_START_FAILURE):
                break
            self.log.warning("%s: the kernel did not start (%s); retrying", folder, outcome)
        if outcome is not None:
            self.log.warning("%s: %s; the notebook was not executed", folder, outcome)
            self._note_failure(nb, outcome)
        return nb, resources

    def _run_once(self, nb, folder: Path, bwrap: str | None) -> str | None:
        """Run the notebook once in a fresh private sandbox; None on success, else what went wrong."""
        from .run_cells import KernelStartError, execute
        from .sandbox_kernel import sandboxed_kernel_manager

        limits = self.limits()
        # A short path under /tmp: unix socket paths are limited to about 100 characters.
        with tempfile.TemporaryDirectory(prefix="course-kernel-", dir="/tmp") as private, \
                CgroupLimits(limits) as cgroups:
            private = Path(private)
            sockets, work, log_path = private / "sock", private / "work" / folder.name, private / "kernel.log"
            sockets.mkdir()
            copy_plain_files(folder, work)
            uid = self._kernel_uid()
            if uid is not None:
                for path in (sockets, work.parent, *work.rglob("*"), work):
                    os.chown(path, uid, uid)
            wrapper = self.bwrap_command(bwrap, work, sockets, uid) if bwrap else []
            km = sandboxed_kernel_manager(nb.metadata.get("kernelspec", {}).get("name", "python3"), wrapper,
                                          str(sockets), owner=uid)

            def enter_limits():  # in the kernel's process, before bwrap starts
                cgroups.join()
                apply_rlimits(limits, own_uid=uid is not None)

            # The log is outside every folder the sandbox can see: the student cannot swap it.
            with open(log_path, "wb") as kernel_log:
                # independent: no JPY_PARENT_PID, whose pid means nothing inside the PID namespace
                launch = {"env": self._kernel_env(), "independent": True, "preexec_fn": enter_limits,
                          "stdout": subprocess.DEVNULL, "stderr": kernel_log}
                try:
                    execute(nb, km, str(work if bwrap else folder), self.timeout, self.max_output_chars,
                            self.wall_timeout, launch, max_export=self.max_export_chars)
                    return None
                except Exception as exc:  # the kernel did not start, or the client failed
                    tail = log_path.read_text(errors="replace")[-800:]
                    prefix = f"{_START_FAILURE}: " if isinstance(exc, KernelStartError) else ""
                    return f"{prefix}{type(exc).__name__}: {exc}" + (f"; kernel log: {tail}" if tail else "")

    def _kernel_uid(self) -> int | None:
        if os.geteuid() != 0 or not self.sandbox_uid_base:
            return None
        return self.sandbox_uid_base + os.getpid() % 100_000

    @staticmethod
    def _kernel_env() -> dict:
        # Only what a kernel needs: the grader's environment may hold secrets (a PostgreSQL
        # password in COURSE_DB_URL) that a student could otherwise print into their feedback.
        kept = {k: v for k, v in os.environ.items() if k in KERNEL_ENV_KEPT or k.startswith("LC_")}
        return {**kept, "HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.mpl",
                "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime", "PYTHONDONTWRITEBYTECODE": "1",
                "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde"),
                "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])}

    def bwrap_command(self, bwrap: str, work: Path, sockets: Path, uid: int | None = None) -> list[str]:
        command = [bwrap]
        for top in SYSTEM_FOLDERS:
            path = Path(top)
            if path.is_symlink():
                command += ["--symlink", os.readlink(path), top]
            elif path.is_dir():
                command += ["--ro-bind", top, top]
        command += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        made: set[Path] = set()
        for path in self.mounts():
            command += _parents(path, made) + ["--ro-bind", str(path), str(path)]
        for path in (work, sockets):
            command += _parents(path, made) + ["--bind", str(path), str(path)]
        command += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                    "--die-with-parent", "--new-session", "--chdir", str(work), "--"]
        if uid is not None:  # bwrap sets up the mounts as root; the student's code then runs unprivileged
            command += [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        return command

    def mounts(self) -> list[Path]:
        """The folders mounted read-only besides the system ones: Python, its packages, `course`."""
        import course

        wanted = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent,
                  Path(course.__file__).resolve().parent, *(Path(p).resolve() for p in self.expose if p)}
        wanted |= {Path(p).resolve() for p in sys.path if p and Path(p).is_dir()
                   and ("site-packages" in p or "dist-packages" in p)}
        wanted = {p for p in wanted if p.is_dir() and not _under_system(p)}
        mounts = sorted(p for p in wanted if not any(q in p.parents for q in wanted))
        for hidden in self.hidden_folders():
            for path in mounts:
                if path == hidden or path in hidden.parents:
                    raise SandboxError(f"the sandbox would mount {path}, which contains {hidden} (a folder students' "
                                       f"code must not see); move Python or the course package out of it")
        return mounts

    def hidden_folders(self) -> list[Path]:
        """`hide`, and the instructor's keys and graded scenarios wherever the config puts them."""
        from ...coursedir import CourseDir

        course = CourseDir(config=self.config)
        return [Path(h).resolve() for h in [*self.hide, str(course.keys_dir), str(course.scenarios_dir)] if h]

    @staticmethod
    def _note_failure(nb, reason: str) -> None:
        # Fail closed: nbgrader gives full marks to a test cell without output, so every code
        # cell gets an error saying it was not run (recorded answers are scored separately).
        from .run_cells import mark_not_run

        mark_not_run(nb.cells, f"the notebook could not be run ({reason})")
