#!/usr/bin/env python3
"""A class at size on the hub (issue 23): N students log in at the same moment and Run All in a lesson.

    python bench/hub_load.py                      # as root: sets up its own hub, 30 students, then removes it
    python bench/hub_load.py --url http://127.0.0.1:8000 --passwords /opt/course-hub/passwords.csv \
        --students load-01,load-02                # a hub that runs already (its students have the lesson released)

Each student is a thread that, released together with the others, does over HTTP what a browser
does: GET the hub's login page, POST the form, wait until /user/NAME/lab answers (the hub starts the
server; OAuth sets the server's cookie), fetch the lesson with the Assignment List's API, open the
notebook (contents API, then a session: a kernel), connect to the kernel's websocket, ask for
kernel_info ("the kernel answered"), run the setup cell ("a usable lesson"), then every other code
cell in order (Run All). HTTP and not a browser: 30 Chromium tabs with JupyterLab on the same two
cores would measure Chromium, not the hub (a tab costs about as much as the student's server);
what is left out is JupyterLab's static files (a few MB per student, cached by a browser after the
first load) and the widgets' drawing on the page (the kernel still creates every widget).

Bounded: loopback URLs only, at most 60 students, a deadline per student (--deadline), and the
hub it sets up is removed afterwards (deploy/hub/remove.sh). It is a benchmark, not a test: run
it by hand, on a machine with a few GB free. Prints one JSON report; see bench/README.md.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "hub"))
from hub_client import HubUser  # noqa: E402

LESSON = "03-assessment-and-control"
COURSE_ID = "police-negotiation"
MAX_STUDENTS = 60
PHASES = ("logged_in", "server_up", "fetched", "kernel_answered", "setup_cell_ran", "run_all_done")


def memory_used_mb() -> float:
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    kb = lambda key: int(info[key].split()[0])  # noqa: E731
    return (kb("MemTotal") - kb("MemAvailable")) / 1024


class MemoryPeak(threading.Thread):
    """The machine's used memory (MemTotal - MemAvailable), sampled every half second."""

    def __init__(self):
        super().__init__(daemon=True)
        self.baseline = memory_used_mb()
        self.peak = self.baseline
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, memory_used_mb())
            time.sleep(0.5)


def student_run(url: str, name: str, password: str, lesson: str, start: threading.Barrier,
                deadline: float) -> dict:
    """One student's class, timed from the moment all are released; never raises."""
    times: dict[str, float] = {}
    result = {"student": name, "times": times, "error": None, "cell_errors": []}
    user = HubUser(url, name, password, timeout=min(120.0, deadline))
    start.wait()
    t0 = time.monotonic()
    mark = lambda phase: times.__setitem__(phase, round(time.monotonic() - t0, 2))  # noqa: E731
    kernel = None
    try:
        user.log_in()
        mark("logged_in")
        user.wait_for_server(deadline)
        mark("server_up")
        fetched = user.api("POST", "assignments/fetch", data={"course_id": COURSE_ID, "assignment_id": lesson})
        if fetched.status_code != 200 or not fetched.json().get("success"):
            raise RuntimeError(f"fetch: {fetched.status_code} {fetched.text[:200]}")
        mark("fetched")
        notebook, kernel_id = user.open_notebook(f"{lesson}/{lesson}.ipynb")
        kernel = user.kernel(kernel_id)
        left = lambda: max(1.0, deadline - (time.monotonic() - t0))  # noqa: E731
        kernel.kernel_info(left())
        mark("kernel_answered")
        cells = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
        for number, code in enumerate(cells):
            reply = kernel.execute(code, left())
            if reply.get("status") != "ok":
                result["cell_errors"].append(f"cell {number}: {reply.get('ename')}: {reply.get('evalue')}")
            if number == 0:
                mark("setup_cell_ran")
        mark("run_all_done")
        result["code_cells"] = len(cells)
    except Exception as exc:  # a benchmark reports errors, it does not stop at them
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if kernel is not None:
            kernel.close()
    return result


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (k - low), 1)


def run_class(url: str, passwords: dict[str, str], students: list[str], lesson: str, deadline: float) -> dict:
    start = threading.Barrier(len(students))
    results: list[dict] = []
    threads = [threading.Thread(target=lambda n=name: results.append(
        student_run(url, n, passwords[n], lesson, start, deadline))) for name in students]
    memory = MemoryPeak()
    load_before = os.getloadavg()
    memory.start()
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(deadline + 60)
    wall = time.monotonic() - t0
    memory.running = False
    summary = {}
    for phase in PHASES:
        values = [r["times"][phase] for r in results if phase in r["times"]]
        summary[phase] = {"n": len(values), "p50_s": percentile(values, 50), "p95_s": percentile(values, 95),
                          "max_s": max(values) if values else None}
    per_user_rss = {}
    for name in students:
        out = subprocess.run(["ps", "-o", "rss=", "-u", name], capture_output=True, text=True).stdout.split()
        per_user_rss[name] = round(sum(int(x) for x in out) / 1024)
    return {
        "students": len(students), "lesson": lesson, "wall_s": round(wall, 1),
        "usable_lesson": summary["setup_cell_ran"],  # login to the kernel answering and the setup cell run
        "phases_from_login_s": summary,
        "errors": [f"{r['student']}: {r['error']}" for r in results if r["error"]],
        "cell_errors": [f"{r['student']}: {e}" for r in results for e in r["cell_errors"]],
        "completed_run_all": sum("run_all_done" in r["times"] for r in results),
        "memory_mb": {"used_before": round(memory.baseline), "peak_used": round(memory.peak),
                      "peak_growth": round(memory.peak - memory.baseline), "used_after": round(memory_used_mb())},
        "rss_per_student_mb": {"median": statistics.median(per_user_rss.values()) if per_user_rss else None,
                               "max": max(per_user_rss.values(), default=None)},
        "load_average_before": [round(x, 2) for x in load_before],
        "cpus": os.cpu_count(),
        "per_student": sorted(results, key=lambda r: r["student"]),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def own_hub(args, students: list[str]):
    """start.sh with these students (loopback, its own prefix), the lesson released; a stop function."""
    instructor = f"{args.user_prefix}t"
    command = ["bash", str(REPO / "deploy/hub/start.sh"), "--students", ",".join(students), "--instructor", instructor,
               "--prefix", args.prefix, "--exchange", f"{args.prefix}/exchange", "--ip", "127.0.0.1",
               "--port", str(args.port), "--hub-port", str(free_port()), "--proxy-api-port", str(free_port()),
               "--formgrader-port", str(free_port()), "--recorder-port", str(free_port()),
               "--grading-port", str(free_port()), "--release", args.lesson]
    log = open(Path("/tmp") / f"{Path(args.prefix).name}.log", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://127.0.0.1:{args.port}"
    deadline = time.monotonic() + 1500
    while True:
        if process.poll() is not None:
            raise SystemExit(f"start.sh exited with {process.returncode}: see {log.name}")
        try:
            if requests.get(f"{url}/hub/login", timeout=5, verify=False).status_code == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the hub did not answer: see {log.name}")
        time.sleep(2)

    def stop():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
        subprocess.run(["bash", str(REPO / "deploy/hub/remove.sh"), "--users", ",".join([*students, instructor]),
                        "--prefix", args.prefix, "--force"], check=False, timeout=1800)
        log.close()

    return url, f"{args.prefix}/passwords.csv", stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30, help="how many students (own hub), at most 60")
    parser.add_argument("--url", help="a running hub (loopback); default: set one up and remove it after")
    parser.add_argument("--passwords", help="its passwords.csv (with --url)")
    parser.add_argument("--names", help="its students, comma-separated (with --url)")
    parser.add_argument("--lesson", default=LESSON)
    parser.add_argument("--deadline", type=float, default=600, help="seconds each student has for the whole run")
    parser.add_argument("--prefix", default="/opt/course-hub-load", help="the own hub's prefix (under /opt)")
    parser.add_argument("--port", type=int, default=18800, help="the own hub's port (loopback)")
    parser.add_argument("--user-prefix", default="load-", help="the own hub's user names: load-01 ... and load-t")
    parser.add_argument("--keep", action="store_true", help="leave the own hub running (remove it with remove.sh)")
    parser.add_argument("-o", "--output", help="also write the JSON report here")
    args = parser.parse_args()
    stop = None
    if args.url:
        if not (args.passwords and args.names):
            parser.error("--url needs --passwords and --names")
        url, passwords_file, students = args.url, args.passwords, args.names.split(",")
        if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error("loopback only: the benchmark logs in many users at once")
    else:
        if os.geteuid() != 0:
            parser.error("setting up a hub needs root (or give --url of a running one)")
        students = [f"{args.user_prefix}{i:02d}" for i in range(1, args.students + 1)]
    if not 1 <= len(students) <= MAX_STUDENTS:
        parser.error(f"1 to {MAX_STUDENTS} students")
    if not args.url:
        url, passwords_file, stop = own_hub(args, students)
    try:
        with open(passwords_file) as fh:
            passwords = {row["user"]: row["password"] for row in csv.DictReader(fh)}
        report = run_class(url, passwords, students, args.lesson, args.deadline)
    finally:
        if stop and not args.keep:
            stop()
    text = json.dumps(report, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 0 if not report["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
