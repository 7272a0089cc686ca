"""A simulated class for `course demo`, the tests and the benchmark (not a verb).

Each student fetches a released lesson from the exchange, answers it through the
widgets in a real kernel (course.simulate.answer_notebook) and submits it under their
own id, all through nbgrader's exchange classes in-process.
"""
from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..grading.keys import load_keys

SIMULATED_KINDS = ("single", "multiple", "classify")


def _options(key) -> list[str]:
    return sorted(key.why) if key.why else []


def plan_answers(keys: dict, skill: float, rng: random.Random) -> tuple[dict[str, Any], list[str]]:
    """Answers of a student who gets each choice right with probability `skill`, drawn from
    the answer keys. Returns (answers, notes about items that cannot be simulated)."""
    answers, notes = {}, []
    labels = sorted({str(v) for key in keys.values() if key.kind == "classify" for v in key.answer.values()})
    for item_id, key in keys.items():
        if key.kind not in SIMULATED_KINDS:
            notes.append(f"{item_id}: kind {key.kind!r} is not simulated; left unanswered")
            continue
        if key.kind == "single":
            wrong = [o for o in _options(key) if o != key.answer]
            answers[item_id] = key.answer if rng.random() < skill or not wrong else rng.choice(wrong)
        elif key.kind == "multiple":
            right = set(key.answer)
            chosen = {o for o in _options(key) if (o in right) == (rng.random() < skill)}
            answers[item_id] = sorted(chosen) or sorted(right)[:1]
        else:  # classify: each line right with probability `skill`
            choice = {}
            for line, label in key.answer.items():
                wrong = [x for x in labels if x != str(label)]
                choice[str(line)] = label if rng.random() < skill or not wrong else rng.choice(wrong)
            answers[item_id] = choice
    return answers, notes


def _exchange_object(kind: str, home: Path, course_id: str, exchange_root: Path, assignment: str, student: str):
    from traitlets.config import Config
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory

    config = Config()
    config.CourseDirectory.course_id = course_id
    config.CourseDirectory.root = str(home)
    config.Exchange.root = str(exchange_root)
    config.Exchange.assignment_dir = str(home)
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    factory = ExchangeFactory(config=config)
    cls = factory.FetchAssignment if kind == "fetch" else factory.Submit
    return cls(coursedir=coursedir, authenticator=Authenticator(config=config), config=config)


def unsimulated_reason(release_dir: Path) -> str | None:
    """Why the lesson in `release_dir` cannot be answered by a simulated student, or None.
    A lesson where students write code (an nbgrader solution code cell) cannot: the
    simulator runs every cell, and later cells need the student's code."""
    import nbformat

    for notebook in sorted(Path(release_dir).glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("solution"):
                return f"{notebook.name} cell {meta.get('grade_id', '?')!r} asks for code, which is not simulated"
    return None


def student_turn(job: dict) -> dict:
    """Fetch, answer and submit one lesson as one student. Returns a small report."""
    from ..simulate import answer_notebook

    home, assignment, student = Path(job["home"]), job["assignment"], job["student"]
    home.mkdir(parents=True, exist_ok=True)
    if not (home / assignment).exists():
        _exchange_object("fetch", home, job["course_id"], Path(job["exchange"]), assignment, student).start()
    for notebook in sorted((home / assignment).glob("*.ipynb")):
        for attempt in range(3):  # a kernel that cannot start (zmq port taken on a busy machine) is retried
            try:
                answer_notebook(notebook, job["answers"], timeout=job.get("timeout", 60))
                break
            except RuntimeError as exc:
                if "Kernel died" not in str(exc) or attempt == 2:
                    raise
    _exchange_object("submit", home, job["course_id"], Path(job["exchange"]), assignment, student).start()
    return {"student": student, "assignment": assignment}


def make_class(keys_dir: Path, assignments: list[str], n_students: int, seed: int = 2024,
               skills: tuple[float, float] = (0.35, 0.95)) -> tuple[dict[str, dict[str, dict]], list[str]]:
    """{student: {assignment: answers}} for a class of varied skill, and notes on skipped items."""
    rng = random.Random(seed)
    keys = {a: load_keys(Path(keys_dir) / f"{a}.yaml") for a in assignments}
    plans, notes = {}, set()
    width = len(str(n_students))
    for index in range(1, n_students + 1):
        student = f"student{index:0{width}d}"
        skill = rng.uniform(*skills)
        plans[student] = {}
        for assignment in assignments:
            answers, skipped = plan_answers(keys[assignment], skill, rng)
            plans[student][assignment] = answers
            notes.update(f"{assignment} {n}" for n in skipped)
    return plans, sorted(notes)


def submit_class(plans: dict[str, dict[str, dict]], homes: Path, exchange: Path, course_id: str,
                 workers: int = 2, on_done=None) -> None:
    """Every student answers and submits every lesson in their plan, `workers` at a time."""
    jobs = [{"home": str(Path(homes) / student), "assignment": assignment, "student": student, "answers": answers,
             "course_id": course_id, "exchange": str(exchange)}
            for student, lessons in plans.items() for assignment, answers in lessons.items()]
    if workers <= 1:
        for job in jobs:
            report = student_turn(job)
            if on_done:
                on_done(report)
        return
    import multiprocessing

    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for report in pool.map(student_turn, jobs):
            if on_done:
                on_done(report)
