"""A warm, trusted checker process: code exercises checked without a fresh interpreter each time.

A fresh checker (`python -m course.grading.run.checker`) for every notebook spends most of its
run importing pandas and matplotlib and replaying the same instructor imports (several seconds
per lesson-06 submission). Here one server process per grading process imports them once; for
each request it forks a child that runs what a fresh checker runs (checker.replay: the
instructor's cells with one student's values) in its own temporary folder, and exits. So every
check still starts from the same clean state (nothing one student's values or checks do
survives the child), and a check that runs too long is killed without touching the server.

Only the grader talks to it (pipes, no socket), and it only ever receives the instructor's own
cells and plain data decoded by `plain_data` (never objects), as a fresh checker does.

Protocol: one JSON request a line on stdin ({"steps", "exports", "timeout"}), one JSON reply a
line on stdout ({"results": [...]} or {"error": "..."}).
"""
from __future__ import annotations

import ast
import importlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from .checker import checker_env, prepare, replay

READY = "course-check-server ready"
# Imported before any fork; the instructor's own imports are added per request (see _warm).
PRELOAD = ("numpy", "pandas", "matplotlib.pyplot")


class CheckServerError(RuntimeError):
    """The server could not answer; the caller falls back to a fresh process."""


def _imported_modules(steps: list[dict]) -> set[str]:
    names: set[str] = set()
    for step in steps:
        try:
            tree = ast.parse(step.get("source") or "")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


def _warm(steps: list[dict], warmed: set[str]) -> None:
    """Import, in the server, the modules the instructor's cells import, so each child finds
    them loaded. Importing is all that happens here: the cells themselves run only in a child."""
    for name in sorted(_imported_modules(steps) - warmed):
        warmed.add(name)
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the child will meet (and report) the same error
            pass


def _child(request: dict, write_fd: int) -> None:
    """In the forked child: replay, write the results, exit without running any cleanup."""
    code = 0
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)            # nothing may write into the server's reply channel
        os.dup2(devnull, 2)
        work = tempfile.mkdtemp(prefix="course-checks-")
        os.chdir(work)
        payload = json.dumps({"results": replay(request["steps"], request["exports"])})
        shutil.rmtree(work, ignore_errors=True)
    except BaseException as exc:  # noqa: BLE001 - reported to the grader as a failed run
        payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
        code = 1
    data = payload.encode()
    while data:
        data = data[os.write(write_fd, data):]
    os.close(write_fd)
    os._exit(code)


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes until it closes the pipe, or None at the deadline."""
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _serve_one(request: dict) -> dict:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(request, write_fd)
    os.close(write_fd)
    timeout = float(request.get("timeout") or 300)
    try:
        data = _read_all(read_fd, time.monotonic() + timeout)
    finally:
        os.close(read_fd)
    if data is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return {"error": f"the checks did not finish within {timeout:g} s", "timeout": True}
    os.waitpid(pid, 0)
    try:
        return json.loads(data.decode())
    except ValueError:
        return {"error": "the checks gave no result (the checking process died)"}


def serve() -> None:
    prepare()
    warmed: set[str] = set()
    for name in PRELOAD:
        _warm([{"source": f"import {name}"}], warmed)
    reply = sys.stdout
    reply.write(READY + "\n")
    reply.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            _warm(request["steps"], warmed)
            answer = _serve_one(request)
        except Exception as exc:  # noqa: BLE001 - a bad request must not stop the server
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        reply.write(json.dumps(answer) + "\n")
        reply.flush()


class CheckServer:
    """The grader's handle on its server: started on first use, one per process (a forked
    grading worker starts its own), restarted if it dies."""

    _instance: "CheckServer | None" = None

    def __init__(self) -> None:
        # One thread for numpy's maths: the server forks, and a fork copies no other thread.
        env = {**checker_env(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        self.owner = os.getpid()
        self.process = subprocess.Popen([sys.executable, "-m", "course.grading.run.check_server"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        cwd=tempfile.gettempdir(), env=env, text=True, bufsize=1)
        first = self._line(120)
        if first != READY:
            self.close()
            raise CheckServerError(f"the check server did not start ({first!r})")

    @classmethod
    def shared(cls) -> "CheckServer":
        current = cls._instance
        if current is None or current.owner != os.getpid() or current.process.poll() is not None:
            cls._instance = current = cls()
        return current

    def _line(self, timeout: float) -> str | None:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline()
        return line.rstrip("\n") if line else None

    def run(self, steps: list[dict], exports: dict, timeout: float) -> dict:
        try:
            self.process.stdin.write(json.dumps({"steps": steps, "exports": exports, "timeout": timeout}) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            self.close()
            raise CheckServerError(f"the check server is gone ({exc})") from None
        line = self._line(timeout + 30)  # the server enforces `timeout` itself; this is its margin
        if line is None:
            self.close()
            raise CheckServerError("the check server did not answer")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if CheckServer._instance is self:
            CheckServer._instance = None


if __name__ == "__main__":
    serve()
