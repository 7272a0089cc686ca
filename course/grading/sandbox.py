"""SandboxedExecute: nbgrader's Execute step, run inside a bubblewrap sandbox.

The autograde kernel would otherwise run a student's code as the instructor, inside
the course folder. Here the notebook is executed by `course.grading.sandbox_exec`
inside `bwrap` with:
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
If the run fails (the student's code killed everything), the notebook comes back
unexecuted with a note; recorded answers are scored from the snapshot regardless.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Integer, List, Unicode

from .limits import CgroupLimits, Limits, apply_rlimits


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
        folder = Path(resources.get("metadata", {}).get("path") or ".").resolve()
        bwrap = shutil.which(self.bwrap)
        if bwrap is None:
            if self.require_sandbox:
                raise SandboxError(
                    "bubblewrap is not installed, so students' code cannot be isolated while grading. "
                    "Install it (Debian/Ubuntu: apt-get install bubblewrap), or set "
                    "c.SandboxedExecute.require_sandbox = False in nbgrader_config.py to grade unsandboxed.")
            self.log.warning("bubblewrap missing: grading %s WITHOUT a sandbox", folder)
        with tempfile.TemporaryDirectory(prefix="course-sandbox-") as exchange_dir:
            io_dir = Path(exchange_dir)
            nb_in, nb_out = io_dir / "in.ipynb", io_dir / "out.ipynb"
            nbformat.write(nb, nb_in)
            command = [sys.executable, "-m", "course.grading.sandbox_exec", str(nb_in), str(nb_out),
                       "--timeout", str(self.timeout), "--max-output", str(self.max_output_chars),
                       "--folder", str(folder)]
            if bwrap:
                command = self.bwrap_command(bwrap, folder, io_dir) + command
            outcome = self._run(command, folder)
            if nb_out.exists():
                try:
                    executed = nbformat.read(nb_out, as_version=4)
                except Exception as exc:  # the student's code may have scribbled on it
                    outcome = f"the executed notebook could not be read back ({exc})"
                else:
                    if outcome:
                        self.log.warning("%s: %s", folder, outcome)
                    return executed, resources
        self.log.warning("%s: %s; the notebook was not executed", folder, outcome)
        self._note_failure(nb, outcome)
        return nb, resources

    def _run(self, command: list[str], folder: Path) -> str:
        limits = self.limits()
        env = {**os.environ, "HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/.mpl",
               "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime", "PYTHONDONTWRITEBYTECODE": "1",
               "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])}
        with CgroupLimits(limits) as cgroups:
            def enter_limits():
                os.setsid()
                cgroups.join()
                apply_rlimits(limits)

            try:
                result = subprocess.run(command, cwd=folder, env=env, preexec_fn=enter_limits,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        timeout=self.wall_timeout)
            except subprocess.TimeoutExpired:
                return f"the notebook ran longer than {self.wall_timeout} s and was stopped"
        if result.returncode != 0:
            tail = result.stderr.decode(errors="replace")[-800:]
            return f"the sandboxed run ended with exit code {result.returncode}: {tail}"
        return ""

    def bwrap_command(self, bwrap: str, folder: Path, io_dir: Path) -> list[str]:
        hidden = self._hidden()
        command = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        for path in hidden:
            if path.exists() and path != Path("/"):
                command += ["--tmpfs", str(path)]
        # Mount back, read-only, what must stay visible inside hidden folders: the Python
        # installation (it may live in the home folder) and the course package.
        for path in self._needed_inside(hidden):
            command += ["--ro-bind", str(path), str(path)]
        command += ["--bind", str(folder), str(folder), "--bind", str(io_dir), str(io_dir),
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
        from .sandbox_exec import mark_not_run

        mark_not_run(nb.cells, f"the notebook could not be run ({reason})")
