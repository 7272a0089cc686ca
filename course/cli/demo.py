"""`course demo`: the whole instructor workflow on a simulated class, in a throwaway folder.

Copies the course into DIR/course (default demo/ under the repository, which git
ignores), then: release every released lesson; simulated students of varied skill
fetch it, answer every graded item through the widgets in a real kernel (right with a
per-student probability, answers drawn from keys/: choices, scenarios played decision
by decision, option packages, written replies), type code into its solution cells (the
instructor's solution from source/, or a plausible mistake) and submit; collect;
autograde in parallel; generate and release feedback; export grades.csv; and `course report` if that verb
exists. Prints a summary: students, assignments, mean/min/max scores and time per step.
The repository's own gradebook and exchange are never touched (COURSE_EXCHANGE and
COURSE_DB_URL are ignored for the demo).
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import statistics
import time
from pathlib import Path

from .autograde import run_autograde
from .classsim import make_class, submit_class, unsimulated_reason
from .collect import collect
from .coursedir import CourseError, copy_course, find_root, nbgrader_api
from .feedback import feedback
from .grades import FIXED, gradebook_table, write_csv
from .progress import Progress
from .release import release

MARKER = ".course-demo"


def prepare(repo: Path, target: Path) -> Path:
    if target.exists():
        if not (target / MARKER).exists():
            raise CourseError(f"{target}: exists and is not a demo folder (no {MARKER}); choose another --dir")
        shutil.rmtree(target)
    (target / MARKER).parent.mkdir(parents=True, exist_ok=True)
    course = copy_course(repo, target / "course")
    (target / MARKER).write_text("made by `course demo`; safe to delete\n")
    return course


@contextlib.contextmanager
def _chdir(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def demo(repo: Path, target: Path, n_students: int = 30, workers: int = 2, seed: int = 2024) -> dict:
    if n_students < 1:
        raise CourseError(f"--students must be at least 1, not {n_students}")
    for name in ("COURSE_EXCHANGE", "COURSE_DB_URL"):
        if os.environ.pop(name, None):
            print(f"note: {name} is ignored for the demo (it uses its own exchange and gradebook)")
    released = sorted(p.name for p in (repo / "release").iterdir() if p.is_dir() and any(p.glob("*.ipynb"))) \
        if (repo / "release").is_dir() else []
    lessons = []
    for name in released:
        reason = None if (repo / "keys" / f"{name}.yaml").is_file() else f"no keys/{name}.yaml"
        reason = reason or unsimulated_reason(repo / "release" / name)
        if reason:
            print(f"note: {name} is left out of the demo: {reason}")
        else:
            lessons.append(name)
    if not lessons:
        raise CourseError(f"{repo / 'release'}: no released lesson with an answer key to simulate")
    times: dict[str, float] = {}

    def step(name: str):
        @contextlib.contextmanager
        def timed():
            print(f"== {name}", flush=True)
            start = time.monotonic()
            yield
            times[name] = time.monotonic() - start
        return timed()

    with step("prepare"):
        course = prepare(repo, target)
    with _chdir(course):
        with step("release"):
            release(course, lessons, quiet=True)
        api = nbgrader_api(course)
        with step("students answer and submit"):
            plans, notes = make_class(course / "keys", lessons, n_students, seed=seed)
            for note in notes:
                print(f"note: {note}")
            with Progress(n_students * len(lessons), label="submit") as progress:
                submit_class(plans, target / "students", Path(api.exchange_root), api.course_id, workers=workers,
                             on_done=lambda r: progress.advance(f"{r['student']} {r['assignment']}"))
        with step("collect"):
            for lesson in lessons:
                collect(course, lesson)
        with step("autograde"):
            run_autograde(course, lessons, workers=workers)  # one pool of workers for every lesson
        with step("feedback"):
            for lesson in lessons:
                feedback(course, lesson)
        with step("grades"):
            header, rows = gradebook_table(course, lessons)
            write_csv(header, rows, str(target / "grades.csv"))
            print(f"wrote {target / 'grades.csv'}")
        if importlib.util.find_spec("course.cli.report") is not None:
            with step("report"):
                from .main import main as course_main
                try:
                    code = course_main(["report"])
                except SystemExit as exc:  # the verb wanted other arguments
                    code = exc.code
                if code:
                    print(f"note: `course report` exited with {code}")
    return summarize(header, rows, lessons, n_students, times, target)


def summarize(header, rows, lessons, n_students, times, target) -> dict:
    totals = [float(r[-1]) for r in rows[1:]]
    max_total = float(rows[0][-1])
    per_lesson = {}
    for lesson in lessons:
        column = header.index(lesson)
        values = [float(r[column]) for r in rows[1:]]
        per_lesson[lesson] = (statistics.mean(values), min(values), max(values), float(rows[0][column]))
    print()
    print(f"Demo class in {target}")
    print(f"  students: {n_students}   assignments: {len(lessons)} ({', '.join(lessons)})")
    print(f"  total score: mean {statistics.mean(totals):.2f}  min {min(totals):g}  max {max(totals):g}  of {max_total:g}")
    for lesson, (mean, low, high, top) in per_lesson.items():
        print(f"  {lesson}: mean {mean:.2f}  min {low:g}  max {high:g}  of {top:g}")
    print("  time per step:")
    for name, seconds in times.items():
        print(f"    {name:<28} {seconds:7.1f} s")
    print(f"    {'total':<28} {sum(times.values()):7.1f} s")
    return {"students": n_students, "assignments": lessons, "totals": totals, "times": times,
            "per_lesson": per_lesson, "grades_csv": str(target / "grades.csv")}


def run(args) -> int:
    repo = find_root()
    target = Path(args.dir).resolve() if args.dir else repo / "demo"
    demo(repo, target, n_students=args.students, workers=args.workers, seed=args.seed)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="run the whole workflow on a simulated class in a throwaway folder",
                                   description=__doc__)
    parser.add_argument("--students", type=int, default=30, help="class size (default 30)")
    parser.add_argument("--dir", default=None, help="working folder (default demo/ in the repository; replaced each run)")
    parser.add_argument("--workers", type=int, default=2, help="parallel students and autograde workers (default 2)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed of the simulated class")
    parser.set_defaults(func=run)
