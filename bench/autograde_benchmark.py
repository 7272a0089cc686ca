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

from course.cli.classsim import make_class, submit_class, unsimulated_reason  # noqa: E402
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


def build_class(work: Path, submissions: int, lessons_: list[str]) -> tuple[Path, list[tuple[str, str]]]:
    course = copy_course(work / "collected")
    release(course, lessons_, quiet=True)
    api = nbgrader_api(course)
    n_students = -(-submissions // len(lessons_))
    plans, _ = make_class(course / "keys", lessons_, n_students, seed=11)
    start = time.monotonic()
    submit_class(plans, work / "homes", Path(api.exchange_root), api.course_id, workers=2)
    for lesson in lessons_:
        collect(course, lesson, quiet=True)
    print(f"simulated and collected {n_students * len(lessons_)} submissions in {time.monotonic() - start:.0f} s",
          flush=True)
    order = [(s, l) for s in sorted(plans) for l in lessons_]
    return course, order


def subset(collected: Path, target: Path, chosen: list[tuple[str, str]]) -> Path:
    copy_course(target)
    shutil.copy2(collected / "gradebook.db", target / "gradebook.db")
    for student, lesson in chosen:
        shutil.copytree(collected / "submitted" / student / lesson, target / "submitted" / student / lesson)
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
    # allow_errors: a student's failing test is a result to record, as the grader records it
    NotebookClient(nb, timeout=60, startup_timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()


def floor(course: Path, workers: int, scratch: Path) -> float:
    copies = []
    for notebook in sorted((course / "submitted").glob("*/*/*.ipynb")):
        target = scratch / notebook.parent.parent.name / notebook.parent.name
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
        snapshots.append(gradebook_snapshot(config.CourseDirectory.db_url, config.CourseDirectory.course_id))
    return snapshots[0] == snapshots[1]


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import course; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                                 check=True).stdout) for _ in range(5)]
    return min(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40], help="numbers of submissions to grade")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--per-lesson", action="store_true",
                        help="also time `course autograde LESSON` run once per lesson")
    args = parser.parse_args()
    for name in ("COURSE_EXCHANGE", "COURSE_DB_URL"):
        os.environ.pop(name, None)
    lessons_ = lessons()
    work = Path(tempfile.mkdtemp(prefix="autograde-bench-"))
    results = {"lessons": lessons_, "workers": args.workers, "cpus": os.cpu_count(),
               "load_before": os.getloadavg(), "import_course_s": import_time(), "sizes": []}
    print(f"import course: {results['import_course_s'] * 1000:.0f} ms; lessons {', '.join(lessons_)}", flush=True)
    try:
        collected, order = build_class(work, max(args.sizes), lessons_)
        for size in args.sizes:
            chosen = order[:size]
            row = {"submissions": size}
            serial = subset(collected, work / f"serial-{size}", chosen)
            row["serial_s"] = sum(timed([sys.executable, "-m", "nbgrader", "autograde", lesson], serial)
                                  for lesson in lessons_)
            parallel = subset(collected, work / f"parallel-{size}", chosen)
            row["parallel_s"] = timed([sys.executable, "-m", "course.cli.main", "autograde", "--all",
                                       "--workers", str(args.workers)], parallel)
            if args.per_lesson:
                per_lesson = subset(collected, work / f"per-lesson-{size}", chosen)
                row["parallel_per_lesson_s"] = sum(
                    timed([sys.executable, "-m", "course.cli.main", "autograde", lesson, "--workers",
                           str(args.workers)], per_lesson) for lesson in lessons_ if any((per_lesson / "submitted").glob(f"*/{lesson}")))
            row["floor_s"] = floor(serial, args.workers, work / f"floor-{size}")
            row["speedup_vs_serial"] = row["serial_s"] / row["parallel_s"]
            row["parallel_over_floor"] = row["parallel_s"] / row["floor_s"]
            row["load_after"] = os.getloadavg()
            results["sizes"].append(row)
            same = same_scores(serial, parallel)
            row["same_scores_as_serial"] = same
            print(f"{size:>4} submissions: serial {row['serial_s']:.1f} s, parallel {row['parallel_s']:.1f} s "
                  f"({row['speedup_vs_serial']:.2f}x faster), floor {row['floor_s']:.1f} s "
                  f"(parallel {row['parallel_over_floor']:.2f}x the floor); load {row['load_after'][0]:.1f}; "
                  f"same scores as serial: {same}",
                  flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
