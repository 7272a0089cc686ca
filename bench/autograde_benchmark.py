"""Benchmark: serial `nbgrader autograde` vs `course autograde --workers N` vs the floor.

One simulated class answers every released lesson that has a key (through the widgets,
in real kernels, code typed where a lesson asks for code) and submits; it is collected once. For each size (number of
submissions), a fresh copy of the collected course holding that many submissions is
graded three ways:
  serial    `nbgrader autograde LESSON` for each lesson (what instructors run today)
  parallel  `course autograde --all --workers N`: one command, one pool of workers for
            every lesson (one command per lesson is also timed: `parallel_per_lesson_s`)
  floor     the same submitted notebooks executed with nbclient alone, N at a time
            (no nbgrader, no gradebook: the least any autograder could take)
and `import course` is timed. Run:

    python bench/autograde_benchmark.py                  # sizes 10 40, 2 workers
    python bench/autograde_benchmark.py --sizes 10 40 160 --json bench-result.json
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from course.simulation.classroom import make_class, submit_class, unsimulated_reason  # noqa: E402
from course.cli.collect import collect  # noqa: E402
from course.cli.coursedir import nbgrader_api  # noqa: E402
from course.cli.release import release  # noqa: E402

COURSE_PARTS = ["nbgrader_config.py", "lessons", "source", "release", "keys"]


def copy_course(target: Path) -> Path:
    target.mkdir(parents=True)
    for part in COURSE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, target / part, ignore=shutil.ignore_patterns("*.answers.json*", ".ipynb_checkpoints"))
        elif src.exists():
            shutil.copy(src, target / part)
    return target


def lessons() -> list[str]:
    """Released lessons a simulated student can answer (a key; code cells need the instructor's solution)."""
    chosen = []
    for folder in sorted(p for p in (REPO / "release").iterdir() if p.is_dir() and any(p.glob("*.ipynb"))):
        reason = None if (REPO / "keys" / f"{folder.name}.yaml").is_file() else "no key"
        reason = reason or unsimulated_reason(folder)
        if reason:
            print(f"left out {folder.name}: {reason}")
        else:
            chosen.append(folder.name)
    return chosen


def kept_class(class_dir: Path, submissions: int, lessons_: list[str]) -> tuple[Path, list[tuple[str, str]]]:
    """The class simulated once into `class_dir` and kept there (simulated now if absent or too small)."""
    info_file = class_dir / "class.json"
    if info_file.is_file():
        info = json.loads(info_file.read_text())
        if len(info["order"]) >= submissions and info["lessons"] == lessons_:
            print(f"kept class in {class_dir}: {len(info['order'])} submissions, simulated in "
                  f"{info['simulation_s']:.0f} s", flush=True)
            return class_dir / "collected", [tuple(x) for x in info["order"]]
    if class_dir.exists():
        shutil.rmtree(class_dir)
    class_dir.mkdir(parents=True)
    start = time.monotonic()
    collected, order = build_class(class_dir, submissions, lessons_)
    shutil.rmtree(class_dir / "homes", ignore_errors=True)
    info = {"lessons": lessons_, "order": order, "simulation_s": time.monotonic() - start,
            "load_after": os.getloadavg()}
    info_file.write_text(json.dumps(info) + "\n")
    return collected, order


def build_class(work: Path, submissions: int, lessons_: list[str]) -> tuple[Path, list[tuple[str, str]]]:
    course = copy_course(work / "collected")
    release(course, lessons_)
    api = nbgrader_api(course)
    n_students = -(-submissions // len(lessons_))
    plans, _ = make_class(course / "keys", lessons_, n_students, seed=11)
    start = time.monotonic()
    submit_class(plans, work / "homes", Path(api.exchange_root), api.course_id, workers=2)
    for lesson in lessons_:
        collect(course, lesson)
    print(f"simulated and collected {n_students * len(lessons_)} submissions in {time.monotonic() - start:.0f} s",
          flush=True)
    order = [(s, l) for s in sorted(plans) for l in lessons_]
    return course, order


def subset(collected: Path, target: Path, chosen: list[tuple[str, str]], copies: int = 1) -> Path:
    """A fresh course copy holding the chosen submissions. With `copies` > 1 (a full term from a
    smaller simulated class), every simulated student's submissions are also filed under
    `copies - 1` more names (<student>-c2, <student>-c3, ...): real submissions, graded in full."""
    copy_course(target)
    shutil.copy2(collected / "gradebook.db", target / "gradebook.db")
    for copy in range(1, copies + 1):
        for student, lesson in chosen:
            name = student if copy == 1 else f"{student}-c{copy}"
            shutil.copytree(collected / "submitted" / student / lesson, target / "submitted" / name / lesson)
    return target


def timed(command: list[str], cwd: Path) -> float:
    start = time.monotonic()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return time.monotonic() - start


def _execute(path: str) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # allow_errors: a student's failing test is a result to record, as the grader records it.
    # A kernel that fails to start (a busy machine: "Kernel died before replying to kernel_info")
    # is not what is measured: retried, as the grader retries it (SandboxedExecute.start_retries).
    for attempt in range(3):
        try:
            NotebookClient(nb, timeout=60, startup_timeout=60, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(Path(path).parent)}}).execute()
            return
        except RuntimeError as exc:
            if "Kernel died" not in str(exc) or attempt == 2:
                raise
            nb = nbformat.read(path, as_version=4)


def floor(course: Path, workers: int, scratch: Path, submitted: str = "submitted") -> float:
    copies = []
    for notebook in sorted((course / submitted).glob("*/*/*.ipynb")):
        target = scratch / notebook.parent.parent.name / notebook.parent.name
        if not target.exists():
            shutil.copytree(notebook.parent, target)
        copies.append(str(target / notebook.name))
    start = time.monotonic()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_execute, copies))
    return time.monotonic() - start


def same_scores(serial: Path, parallel: Path) -> bool:
    """Both gradebooks hold the same grades (by names, not row ids)."""
    from course.grading.parallel import gradebook_snapshot, load_course_config

    snapshots = []
    for course in (serial, parallel):
        config = load_course_config(course)
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=config)
        snapshots.append(gradebook_snapshot(coursedir.db_url, coursedir.course_id))
    return snapshots[0] == snapshots[1]


def profiled(command: list[str], cwd: Path, profile: Path) -> tuple[float, dict]:
    """Run `course autograde` with its per-phase timing (COURSE_AUTOGRADE_PROFILE) written to `profile`."""
    os.environ["COURSE_AUTOGRADE_PROFILE"] = str(profile)
    try:
        seconds = timed(command, cwd)
    finally:
        os.environ.pop("COURSE_AUTOGRADE_PROFILE", None)
    return seconds, json.loads(profile.read_text()) if profile.is_file() else {}


def show_profile(profile: dict) -> str:
    if not profile:
        return "(no profile)"
    n = max(1, profile.get("jobs", 1))
    phases = ", ".join(f"{name} {value / n * 1000:.0f} ms" for name, value in
                       sorted(profile.get("worker_s", {}).items(), key=lambda kv: -kv[1]))
    return (f"per submission in a worker: {phases}; parent: start {profile.get('start_s', 0):.1f} s, "
            f"gradebook merge {profile.get('merge_s', 0):.1f} s in {profile.get('merge_batches', 0)} transactions, "
            f"install {profile.get('install_s', 0):.1f} s")


PLAIN_DOCS = Path(__import__("nbgrader").__file__).parent / "docs" / "source" / "user_guide"


def plain_course(target: Path, students: int) -> Path:
    """nbgrader's own documentation course (problem set ps1, its two real submissions, bitdiddle
    and hacker), with a minimal config of nbgrader's defaults (plain Execute), copied to a class
    of `students` and generated by nbgrader itself."""
    target.mkdir(parents=True)
    (target / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "course101"\n')
    shutil.copytree(PLAIN_DOCS / "source" / "ps1", target / "source" / "ps1")
    result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "ps1"], cwd=target,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"nbgrader generate_assignment failed:\n{result.stdout}\n{result.stderr}")
    real = ["bitdiddle", "hacker"]
    for index in range(students):
        shutil.copytree(PLAIN_DOCS / "submitted" / real[index % 2] / "ps1",
                        target / "submitted" / f"student{index + 1:03d}" / "ps1")
    return target


def bench_plain(work: Path, students: int, workers: int) -> dict:
    """The plain nbgrader course: serial `nbgrader autograde ps1` vs `course autograde ps1`."""
    base = plain_course(work / "plain-base", students)
    serial, parallel = work / "plain-serial", work / "plain-parallel"
    shutil.copytree(base, serial)
    shutil.copytree(base, parallel)
    row = {"course": "nbgrader docs ps1", "submissions": students}
    row["serial_s"] = timed([sys.executable, "-m", "nbgrader", "autograde", "ps1"], serial)
    print(f"plain course, {students} submissions: serial nbgrader {row['serial_s']:.1f} s", flush=True)
    row["parallel_s"], row["profile"] = profiled(
        [sys.executable, "-m", "course.cli.main", "autograde", "ps1", "--workers", str(workers)], parallel,
        work / "plain-profile.json")
    row["speedup_vs_serial"] = row["serial_s"] / row["parallel_s"]
    row["same_scores_as_serial"] = same_scores(serial, parallel)
    row["load_after"] = os.getloadavg()
    print(f"plain course, {students} submissions: course autograde --workers {workers} {row['parallel_s']:.1f} s "
          f"({row['speedup_vs_serial']:.2f}x serial), same gradebook: {row['same_scores_as_serial']}; "
          f"load {row['load_after'][0]:.1f}\n  {show_profile(row['profile'])}", flush=True)
    row["floor_s"] = floor(serial, workers, work / "plain-floor")
    print(f"plain course, {students} submissions: floor (nbclient x{workers}, unsandboxed) {row['floor_s']:.1f} s",
          flush=True)
    return row


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import course; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                                 check=True).stdout) for _ in range(5)]
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 40], help="numbers of submissions to grade")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--class-dir", metavar="DIR",
                        help="simulate the class once into DIR and keep it; later runs reuse it")
    parser.add_argument("--simulate-only", action="store_true", help="only simulate (with --class-dir)")
    parser.add_argument("--term", type=int, metavar="N",
                        help="also grade a term of N submissions with `course autograde --all` only (the kept "
                             "class's submissions, each also filed under more student names when N is larger)")
    parser.add_argument("--plain", type=int, metavar="N",
                        help="also benchmark nbgrader's documentation course (ps1) copied to N students")
    parser.add_argument("--no-floor", action="store_true", help="skip the nbclient floor")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--per-lesson", action="store_true",
                        help="also time `course autograde LESSON` run once per lesson")
    args = parser.parse_args()
    for name in ("COURSE_EXCHANGE", "COURSE_DB_URL"):
        os.environ.pop(name, None)
    lessons_ = lessons()
    work = Path(tempfile.mkdtemp(prefix="autograde-bench-", dir="/var/tmp"))
    results = {"lessons": lessons_, "workers": args.workers, "cpus": os.cpu_count(),
               "load_before": os.getloadavg(), "import_course_s": import_time(), "sizes": []}
    print(f"import course: {results['import_course_s'] * 1000:.0f} ms; lessons {', '.join(lessons_)}; "
          f"load {results['load_before'][0]:.1f}", flush=True)

    def save() -> None:  # after every figure: a run that dies later keeps what it measured
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1) + "\n")

    try:
        if args.plain:
            results["plain"] = bench_plain(work, args.plain, args.workers)
            save()
        if not args.sizes and not args.term and not args.simulate_only:
            return 0
        if args.class_dir:
            collected, order = kept_class(Path(args.class_dir).resolve(), max(args.sizes or [1]), lessons_)
        else:
            collected, order = build_class(work, max(args.sizes or [len(lessons_)]), lessons_)
        if args.simulate_only:
            return 0
        for size in args.sizes:
            chosen = order[:size]
            row = {"submissions": size}
            results["sizes"].append(row)
            serial = subset(collected, work / f"serial-{size}", chosen)
            row["serial_s"] = sum(timed([sys.executable, "-m", "nbgrader", "autograde", lesson], serial)
                                  for lesson in lessons_ if any((serial / "submitted").glob(f"*/{lesson}")))
            print(f"{size:>4} submissions: serial nbgrader {row['serial_s']:.1f} s "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
            save()
            parallel = subset(collected, work / f"parallel-{size}", chosen)
            row["parallel_s"], row["profile"] = profiled(
                [sys.executable, "-m", "course.cli.main", "autograde", "--all", "--workers", str(args.workers)],
                parallel, work / f"profile-{size}.json")
            row["speedup_vs_serial"] = row["serial_s"] / row["parallel_s"]
            row["same_scores_as_serial"] = same_scores(serial, parallel)
            row["load_after"] = os.getloadavg()
            print(f"{size:>4} submissions: course autograde --all --workers {args.workers} {row['parallel_s']:.1f} s "
                  f"({row['speedup_vs_serial']:.2f}x faster than serial); same gradebook as serial: "
                  f"{row['same_scores_as_serial']}; load {row['load_after'][0]:.1f}\n  {show_profile(row['profile'])}",
                  flush=True)
            save()
            if args.per_lesson:
                per_lesson = subset(collected, work / f"per-lesson-{size}", chosen)
                row["parallel_per_lesson_s"] = sum(
                    timed([sys.executable, "-m", "course.cli.main", "autograde", lesson, "--workers",
                           str(args.workers)], per_lesson) for lesson in lessons_ if any((per_lesson / "submitted").glob(f"*/{lesson}")))
                save()
            if not args.no_floor:
                row["floor_s"] = floor(serial, args.workers, work / f"floor-{size}")
                row["parallel_over_floor"] = row["parallel_s"] / row["floor_s"]
                print(f"{size:>4} submissions: floor (nbclient x{args.workers}) {row['floor_s']:.1f} s "
                      f"(parallel {row['parallel_over_floor']:.2f}x the floor)", flush=True)
                save()
            for folder in (serial, parallel):
                shutil.rmtree(folder, ignore_errors=True)
        if args.term:
            copies = -(-args.term // len(order))
            chosen = order[:-(-args.term // copies)]
            start = time.monotonic()
            term = subset(collected, work / "term", chosen, copies)
            n = sum(1 for _ in (term / "submitted").glob("*/*"))
            row = {"submissions": n, "students": len({p.name for p in (term / "submitted").iterdir()}),
                   "copies_per_simulated_student": copies, "setup_s": time.monotonic() - start}
            results["term"] = row
            print(f"term: {n} submissions of {row['students']} students (the kept class's {len(chosen)} submissions, "
                  f"each filed under {copies} names) set up in {row['setup_s']:.0f} s; grading...", flush=True)
            row["parallel_s"], row["profile"] = profiled(
                [sys.executable, "-m", "course.cli.main", "autograde", "--all", "--workers", str(args.workers)],
                term, work / "profile-term.json")
            row["load_after"] = os.getloadavg()
            row["gradebook_mb"] = (term / "gradebook.db").stat().st_size / 1e6
            print(f"term: {n} submissions graded by course autograde --all --workers {args.workers} in "
                  f"{row['parallel_s']:.1f} s ({row['parallel_s'] / 60:.1f} min, {row['parallel_s'] / n * 1000:.0f} ms "
                  f"per submission); load {row['load_after'][0]:.1f}; gradebook {row['gradebook_mb']:.1f} MB\n"
                  f"  {show_profile(row['profile'])}", flush=True)
            save()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
