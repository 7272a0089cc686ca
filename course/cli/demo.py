"""`course demo`: the whole instructor workflow on a simulated class, in a throwaway folder.

Copies the course into DIR/course (default demo/ under the repository, which git
ignores), then: release every released lesson; simulated students of varied skill
fetch it, answer every graded item through the widgets in a real kernel (right with a
per-student probability, answers drawn from keys/: choices, scenarios played decision
by decision, option packages, written replies), type code into its solution cells (the
instructor's solution from source/, or a plausible mistake), write the reflection (good,
middling or poor, now and then blank) and submit; collect; autograde in parallel; grade the
reflections by hand through nbgrader's Python API (nbgrader.api.Gradebook: a manual score on
each grade that needs one, as formgrader would); generate and release feedback; export
grades.csv; write the class report (course/reports/).

The terminal shows one progress line per step and a summary: students, assignments,
mean/min/max scores of the gradebook (as grades.csv: automatic points plus the hand-graded
reflections), the class report (automatically graded points only, so its maximum is lower
by the reflections' points) and the time per step. The students' kernels' messages go to
DIR/kernels.log; `course -v demo` shows them and each step, `course -q demo` only the summary.
The repository's own gradebook and exchange are never touched (COURSE_EXCHANGE and
COURSE_DB_URL are ignored for the demo).
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import statistics
import time
from pathlib import Path

from .autograde import default_workers
from ..simulation.position import DEMO_STUDENTS, PARTS, demo_plans, position_scores
from ..simulation.classroom import grade_reflections, make_class, submit_class, unsimulated_reason
from .collect import collect
from .coursedir import CourseDir, CourseError, copy_course, find_root, nbgrader_api
from .feedback import feedback
from .grades import gradebook_table, write_csv
from .logs import hushed, progress
from .release import release
from .report import report as write_report

log = logging.getLogger(__name__)

MARKER = ".course-demo"
POSITION_SAMPLE = 200   # simulated guessers per lesson, for the chance figure beside the position students


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


# The verbs the demo runs as its steps: their own messages only with -v (the demo draws one
# progress line per step instead).
STEP_LOGGERS = ("course.cli.release", "course.cli.generate", "course.cli.collect", "course.cli.feedback")


def _autograde(course: Path, lessons: list[str], workers: int) -> None:
    """`course autograde` of every lesson in one pool of workers, with one progress line."""
    from ..grading.parallel import ParallelGradingError, autograde_all

    state: dict = {}

    def on_start(todo: int, skipped: int) -> None:
        state["progress"] = progress(log, todo, "autograde")

    def on_result(result: dict) -> None:
        note = f"{result['student']} {result['assignment']}"
        state["progress"].advance(note if result["ok"] else f"FAILED {note}")

    try:
        outcomes = autograde_all(course, lessons, workers=workers or default_workers(), on_start=on_start,
                                 on_result=on_result)
    except ParallelGradingError as exc:
        raise CourseError(str(exc)) from None
    finally:
        if "progress" in state:
            state["progress"].close()
    failed = [f"{student} ({name})" for name, outcome in outcomes.items() for student in sorted(outcome.failed)]
    if failed:
        raise CourseError(f"autograding failed for {', '.join(failed)}; run `course autograde` in {course} to see why")


def demo(repo: Path, target: Path, n_students: int = 30, workers: int = 2, seed: int = 2024,
         verbosity: int = 0) -> dict:
    """Run the demo (see the module docstring); print the summary and return its numbers.
    verbosity > 0: the kernels' messages on the terminal too (the progress lines and each step
    follow the `course` logger's level, which `course -q` / `-v` set)."""
    if n_students < 1:
        raise CourseError(f"--students must be at least 1, not {n_students}")
    for name in ("COURSE_EXCHANGE", "COURSE_DB_URL"):
        if os.environ.pop(name, None):
            log.warning(f"note: {name} is ignored for the demo (it uses its own exchange and gradebook)")
    source_course = CourseDir.at(repo)
    moved = [source_course.shown(folder) for folder, default in (
        (source_course.folder("source"), "source"), (source_course.folder("release"), "release"),
        (source_course.keys_dir, "keys"), (source_course.scenarios_dir, "scenarios"))
        if folder != source_course.root / default]
    if moved:
        # the demo's copy (COURSE_PARTS) and its simulated class read nbgrader's default folders
        raise CourseError(f"the demo needs the default folders source/, release/, keys/ and scenarios/; this course's "
                          f"{source_course.shown(source_course.root / 'nbgrader_config.py')} puts them at "
                          f"{', '.join(moved)}")
    lessons = []
    for name in source_course.released():
        key = source_course.keys_dir / f"{name}.yaml"
        reason = None if key.is_file() else f"no {source_course.shown(key)}"
        reason = reason or unsimulated_reason(source_course.folder("release", name))
        if reason:
            log.warning(f"note: {name} is left out of the demo: {reason}")
        else:
            lessons.append(name)
    if not lessons:
        raise CourseError(f"{source_course.folder('release')}: no released lesson with an answer key to simulate")
    times: dict[str, float] = {}

    @contextlib.contextmanager
    def step(name: str):
        log.debug(f"== {name}")
        start = time.monotonic()
        yield
        times[name] = time.monotonic() - start

    with step("prepare"):
        course = prepare(repo, target)
    with _chdir(course), hushed(*STEP_LOGGERS):
        with step("release"):
            release(course, lessons)
        api = nbgrader_api(course)
        with step("students answer and submit"):
            plans, notes = make_class(course / "keys", lessons, n_students, seed=seed)
            for note in notes:
                log.warning(f"note: {note}")
            plans.update(demo_plans(course, lessons))   # and three who answer by position
            kernel_log = None if verbosity > 0 else target / "kernels.log"
            with progress(log, len(plans) * len(lessons), "submit") as shown:
                submit_class(plans, target / "students", Path(api.exchange_root), api.course_id, workers=workers,
                             on_done=lambda r: shown.advance(f"{r['student']} {r['assignment']}"),
                             kernel_log=kernel_log)
        with step("collect"):
            with progress(log, len(lessons), "collect") as shown:
                for lesson in lessons:
                    collect(course, lesson)
                    shown.advance(lesson)
        with step("autograde"):
            _autograde(course, lessons, workers)  # one pool of workers for every lesson
        with step("grade reflections by hand"):
            hand_grades, confirmed = grade_reflections(course, lessons)
            log.debug(f"{hand_grades} reflection(s) graded and {confirmed} suggested score(s) confirmed "
                      "through nbgrader.api.Gradebook")
        with step("feedback"):
            with progress(log, len(lessons), "feedback") as shown:
                for lesson in lessons:
                    feedback(course, lesson)
                    shown.advance(lesson)
        with step("grades"):
            header, rows = gradebook_table(course, lessons)
            write_csv(header, rows, str(target / "grades.csv"))
            log.debug(f"wrote {target / 'grades.csv'}")
        with step("position check"):
            positions = position_scores(course, lessons, students=POSITION_SAMPLE)
        with step("report"):
            try:
                index = write_report(course)
            except CourseError as exc:
                log.warning(f"note: the class report was not written: {exc}")
                index = None
    from ..report.gradebook import hand_graded_points

    hand = {lesson: hand_graded_points(course, lesson) for lesson in lessons}
    return summarize(header, rows, lessons, n_students, times, target, hand, hand_grades, index, confirmed,
                     positions)


def summarize(header, rows, lessons, n_students, times, target, hand: dict[str, float] | None = None,
              hand_grades: int = 0, index: Path | None = None, confirmed: int = 0, positions=None) -> dict:
    hand = hand or {}
    by_position = {r[0]: r for r in rows[1:] if r[0] in DEMO_STUDENTS}
    rows = [r for r in rows if r[0] not in DEMO_STUDENTS]    # the class's figures without them
    totals = [float(r[-1]) for r in rows[1:]]
    max_total = float(rows[0][-1])
    hand_total = sum(hand.values())
    per_lesson = {}
    for lesson in lessons:
        column = header.index(lesson)
        values = [float(r[column]) for r in rows[1:]]
        per_lesson[lesson] = (statistics.mean(values), min(values), max(values), float(rows[0][column]))
    print()
    print(f"Demo class in {target}")
    print(f"  students: {n_students}   assignments: {len(lessons)} ({', '.join(lessons)})")
    print(f"  gradebook scores, as in grades.csv: automatic points plus {hand_grades} reflection(s) graded by hand"
          + (f" ({confirmed} suggested score(s) of written replies confirmed)" if confirmed else ""))
    print(f"  total score: mean {statistics.mean(totals):.2f}  min {min(totals):g}  max {max(totals):g}  "
          f"of {max_total:g} ({hand_total:g} of them for reflections graded by hand)")
    for lesson, (mean, low, high, top) in per_lesson.items():
        print(f"  {lesson}: mean {mean:.2f}  min {low:g}  max {high:g}  of {top:g}"
              + (f" ({hand[lesson]:g} hand-graded)" if hand.get(lesson) else ""))
    if index is not None:
        print(f"  class report: {index}")
        print(f"    automatically graded points only: of {max_total - hand_total:g}, without the {hand_total:g} "
              f"points of the hand-graded reflections")
    position_lines = position_summary(header, by_position, lessons, positions or [])
    for line in position_lines:
        print(line)
    print("  time per step:")
    for name, seconds in times.items():
        print(f"    {name:<28} {seconds:7.1f} s")
    print(f"    {'total':<28} {sum(times.values()):7.1f} s")
    return {"students": n_students, "assignments": lessons, "totals": totals, "times": times,
            "per_lesson": per_lesson, "grades_csv": str(target / "grades.csv"), "hand_graded": hand,
            "hand_grades": hand_grades, "confirmed": confirmed, "report": str(index) if index else None,
            "by_position": {student: {lesson: float(row[header.index(lesson)]) for lesson in lessons}
                            for student, row in by_position.items()},
            "guessing": {r.lesson: sum(r.mean[p]["guess"] for p in PARTS) for r in positions or []}}


def position_summary(header, by_position: dict, lessons: list[str], positions) -> list[str]:
    """Per lesson: what each position-biased student of the demo scored in the gradebook (one
    student: one draw of the order) and, in brackets, the mean of POSITION_SAMPLE simulated
    students of the same kind, beside what random guessing earns on the same items."""
    if not by_position:
        return []
    means = {r.lesson: {s: sum(r.mean[p][s] for p in PARTS) for s in r.mean[PARTS[0]]} for r in positions}
    names = sorted(by_position)
    lines = ["  students who answer by position, not by reading (left out of the figures above; each sees",
             "  their own order; written replies, code and reflections left blank): points per lesson in the",
             f"  gradebook, (in brackets) the mean of {POSITION_SAMPLE} simulated students of the same kind:",
             "    " + f"{'lesson':<28}" + "".join(f"{n:>20}" for n in names) + f"{'random guessing':>17}"]
    for lesson in lessons:
        column = header.index(lesson)
        mean = means.get(lesson, {})
        cells = "".join(f"{float(by_position[n][column]):>11g} ({mean.get(DEMO_STUDENTS[n], float('nan')):5.2f})"
                        for n in names)
        lines.append(f"    {lesson:<28}{cells}{mean.get('guess', float('nan')):>17.2f}")
    return lines


def run(args) -> int:
    repo = find_root()
    target = Path(args.dir).resolve() if args.dir else repo / "demo"
    demo(repo, target, n_students=args.students, workers=args.workers, seed=args.seed,
         verbosity=getattr(args, "verbosity", 0))
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="run the whole workflow on a simulated class in a throwaway folder",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30, help="class size (default 30)")
    parser.add_argument("--dir", default=None, help="working folder (default demo/ in the repository; replaced each run)")
    parser.add_argument("--workers", type=int, default=2, help="parallel students and autograde workers (default 2)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed of the simulated class")
    parser.set_defaults(func=run)
