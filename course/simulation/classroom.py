"""A simulated class for `course demo`, the tests and the benchmark (not a verb).

Each student fetches a released lesson from the exchange, answers it through the
widgets in a real kernel (course.simulation.kernel.answer_notebook) and submits it under their
own id, all through nbgrader's exchange classes in-process.

A student has a skill in [0, 1] and answers every graded item of every kind:
- single, multiple, classify: each choice (option, box, line) right with probability skill;
- scenario: played one decision at a time with the engine (course.scenarios.ScenarioRun):
  at each decision the author's recommended choice with probability skill, else another
  choice the engine offers there; some students who end badly play a second attempt
  (the first attempt is the one graded; the second is practice);
- package: each needed option ticked, and each option that breaks a party's core interest
  left out, with probability skill; a sound reason for a needed option with probability skill;
- written: a good reply (with probability skill), else a middling or a poor one, from the
  item's bank in `lessons/<lesson>.simulate.yaml` (course/simulation/banks.py);
- code (nbgrader solution cells): the instructor's solution from source/ with probability
  skill, else a plausible mistake from the same file, an unfinished attempt, or the released stub;
- reflections (markdown answer cells graded by hand): a good reflection with probability skill,
  else a middling or a poor one (REFLECTIONS), now and then left blank; `grade_reflections`
  is the instructor who then grades them in the gradebook, as formgrader would.
"""
from __future__ import annotations

import contextlib
import functools
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..coursedir import CourseDir
from ..grading.score.keys import load_keys
from .answers import banks_near, plan_answers
from .banks import Banks

SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION")

# Reflections (markdown answer cells nbgrader leaves to the instructor), by quality, and the
# share of the cell's points the simulated instructor gives each quality (grade_reflections).
REFLECTIONS: dict[str, list[str]] = {
    "good": [
        "In the exercise I named the other person's feeling before asking anything, and the tension dropped: "
        "he started explaining instead of shouting. I would keep that, and next time I would paraphrase his "
        "main point earlier, because I jumped to an option too soon. The evidence from the lesson supports "
        "slowing down; its limit is that the studies were of trained officers, not of new recruits.",
        "Two skills worked: an open question about what mattered to her, and a short summary before I "
        "proposed anything, which she corrected, so I learnt what she really needed. I made the mistake of "
        "giving advice once; rapport dipped and I had to go back to listening. I would now check my summary "
        "with her before moving on, so the plan rests on her interests, not on my guess.",
    ],
    "middling": [
        "I think listening is important and I tried to stay calm. It went mostly well but I could improve.",
        "I used an open question and it helped a bit. Next time I would try to be more patient.",
    ],
    "poor": [
        "It was fine.",
        "I would just tell them what to do, because that is quicker.",
    ],
}
REFLECTION_CREDIT = {"good": 1.0, "middling": 0.5, "poor": 0.25}
UNKNOWN_REFLECTION_CREDIT = 0.5   # a reflection not from the bank above (a real student's): half marks
BLANK_CHANCE = 0.15               # at skill 0 a student leaves the reflection blank this often


@dataclass
class LessonPlan:
    """What one student does in one lesson: widget answers (item id -> value) and the code
    typed into solution cells (notebook file name -> {cell id: source})."""

    answers: dict[str, Any]
    code: dict[str, dict[str, str]] = field(default_factory=dict)


# ---- code cells --------------------------------------------------------------------

def _solution_cells(notebook) -> list:
    return [c for c in notebook.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def instructor_solution(source: str) -> tuple[str, list[str]] | None:
    """(the text outside the solution markers, the solution's lines) of a source cell, or None
    when the cell has no `### BEGIN SOLUTION` / `### END SOLUTION` block."""
    lines = source.splitlines()
    begins = [i for i, line in enumerate(lines) if line.lstrip().startswith("#") and SOLUTION_MARKERS[0] in line]
    ends = [i for i, line in enumerate(lines) if line.lstrip().startswith("#") and SOLUTION_MARKERS[1] in line]
    if not begins or not ends or ends[0] < begins[0]:
        return None
    prefix = "".join(line + "\n" for line in lines[:begins[0]])
    return prefix, lines[begins[0] + 1:ends[0]]


def _instructor_solutions(release_dir: Path) -> tuple[dict[str, dict[str, tuple[str, str, list[str]]]], list[str]]:
    """{notebook name: {grade id: (cell id, prefix, solution lines)}} for every solution code cell
    of the released lesson, from the instructor's notebook in source/; and the cells without one."""
    import nbformat

    release_dir = Path(release_dir)
    source_dir = release_dir.parent.parent / "source" / release_dir.name
    found, missing = {}, []
    for notebook in sorted(release_dir.glob("*.ipynb")):
        cells = _solution_cells(nbformat.read(notebook, as_version=4))
        if not cells:
            continue
        source_path = source_dir / notebook.name
        source_cells = {}
        if source_path.is_file():
            source_cells = {c.metadata["nbgrader"].get("grade_id"): c.source
                            for c in _solution_cells(nbformat.read(source_path, as_version=4))}
        found[notebook.name] = {}
        for cell in cells:
            grade_id = cell.metadata["nbgrader"].get("grade_id", "?")
            solution = instructor_solution(source_cells.get(grade_id, ""))
            if solution is None:
                missing.append(f"{notebook.name} cell {grade_id!r}")
            else:
                found[notebook.name][grade_id] = (cell.get("id"), *solution)
    return found, missing


@functools.lru_cache(maxsize=None)
def _cached_solutions(release_dir: str):
    return _instructor_solutions(Path(release_dir))


def plan_code(release_dir: Path, skill: float, rng: random.Random, banks: Banks | None = None) -> dict[str, dict[str, str]]:
    """What a student types into each solution code cell of the released lesson:
    {notebook name: {cell id: source}}. With probability `skill` the instructor's solution
    (from source/, without the markers); else a plausible mistake from the lesson's banks, the first
    lines of the solution only (unfinished), or nothing (the released stub stays and raises)."""
    solutions, _ = _cached_solutions(str(Path(release_dir).resolve()))
    wrong_code = (banks or banks_near(release_dir)).wrong_code
    plan = {}
    for notebook, cells in solutions.items():
        typed = {}
        for grade_id, (cell_id, prefix, lines) in cells.items():
            if rng.random() < skill:
                typed[cell_id] = prefix + "".join(line + "\n" for line in lines)
                continue
            ways = ["stub"] + (["unfinished"] if len(lines) > 1 else []) + (["wrong"] * 2 if grade_id in wrong_code else [])
            way = rng.choice(ways)
            if way == "wrong":
                typed[cell_id] = prefix + rng.choice(wrong_code[grade_id])
            elif way == "unfinished":
                typed[cell_id] = prefix + "".join(line + "\n" for line in lines[:rng.randrange(1, len(lines))])
        plan[notebook] = typed
    return plan


def _reflection_cells(notebook) -> list:
    """Markdown answer cells graded by hand (nbgrader solution + grade cells)."""
    return [c for c in notebook.cells if c.cell_type == "markdown"
            and c.metadata.get("nbgrader", {}).get("solution") and c.metadata["nbgrader"].get("grade")]


@functools.lru_cache(maxsize=None)
def _reflection_ids(release_dir: str) -> dict[str, list[str]]:
    import nbformat

    found = {}
    for notebook in sorted(Path(release_dir).glob("*.ipynb")):
        ids = [c.get("id") for c in _reflection_cells(nbformat.read(notebook, as_version=4)) if c.get("id")]
        if ids:
            found[notebook.name] = ids
    return found


def plan_reflections(release_dir: Path, skill: float, rng: random.Random) -> dict[str, dict[str, str]]:
    """What a student writes into each reflection cell of the released lesson: {notebook name:
    {cell id: text}}: good with probability `skill`, else middling or poor; a cell is left blank
    (not in the plan) with probability BLANK_CHANCE * (1 - skill)."""
    plan = {}
    for notebook, ids in _reflection_ids(str(Path(release_dir).resolve())).items():
        typed = {}
        for cell_id in ids:
            if rng.random() < BLANK_CHANCE * (1 - skill):
                continue
            tier = "good" if rng.random() < skill else rng.choice(("middling", "poor"))
            typed[cell_id] = rng.choice(REFLECTIONS[tier])
        if typed:
            plan[notebook] = typed
    return plan


def reflection_credit(text: str) -> float:
    """The share of a reflection's points the simulated instructor gives `text`."""
    text = text.strip()
    for tier, bank in REFLECTIONS.items():
        if text in bank:
            return REFLECTION_CREDIT[tier]
    return UNKNOWN_REFLECTION_CREDIT


def grade_reflections(course: Path, assignments: list[str]) -> tuple[int, int]:
    """The instructor's manual grading, through nbgrader's API (nbgrader.api.Gradebook), of every
    grade that needs it, as in formgrader: a reflection (a markdown answer cell) gets a manual
    score (reflection_credit of the autograded notebook's answer, to half a point); any other
    grade waiting for the instructor (a written reply's suggested score) is confirmed at the
    autograder's score. Neither needs grading afterwards. Returns (reflections graded,
    suggestions confirmed)."""
    import nbformat
    from nbgrader.api import Gradebook

    from ..coursedir import load_course_config

    config = load_course_config(course)
    root = Path(config.CourseDirectory.root)
    autograded = root / "autograded"
    reflections = confirmed = 0
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        for assignment in assignments:
            for submission in gb.assignment_submissions(assignment):
                student = submission.student.id
                for notebook in submission.notebooks:
                    pending = [g for g in notebook.grades if g.needs_manual_grade]
                    if not pending:
                        continue
                    path = autograded / student / assignment / f"{notebook.name}.ipynb"
                    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
                             for c in nbformat.read(path, as_version=4).cells}
                    for grade in pending:
                        if grade.cell.cell_type == "markdown":
                            credit = reflection_credit(cells.get(grade.name, ""))
                            grade.manual_score = round(credit * grade.max_score * 2) / 2
                            reflections += 1
                        else:
                            grade.manual_score = grade.auto_score or 0.0
                            confirmed += 1
                        grade.needs_manual_grade = False
        gb.db.commit()
    return reflections, confirmed


def unsimulated_reason(release_dir: Path) -> str | None:
    """Why the lesson in `release_dir` cannot be answered by a simulated student, or None.
    A lesson where students write code (nbgrader solution code cells) needs the instructor's
    solution to every such cell in source/<lesson>/ (students who know the item type it)."""
    _, missing = _instructor_solutions(Path(release_dir))
    if missing:
        return f"{', '.join(missing)} asks for code and source/ has no instructor solution for it"
    return None


# ---- the exchange and the kernels ------------------------------------------------

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


def _asks_for_code(notebook: Path) -> bool:
    import nbformat

    return bool(_solution_cells(nbformat.read(notebook, as_version=4)))


def _check_saved(folder: Path, answers: dict[str, Any]) -> None:
    """Every answer the student gave is in the lesson's answers files (a widget that refuses a
    value shows a message instead of saving; for a simulated student that is a bug)."""
    from ..recording import ANSWERS_SUFFIX, read_answers_file

    saved = set()
    for path in folder.glob(f"*{ANSWERS_SUFFIX}"):
        saved.update(read_answers_file(path).answers)
    missing = sorted(set(answers) - saved)
    if missing:
        raise RuntimeError(f"{folder}: the widgets did not save {missing}")


@contextlib.contextmanager
def _stderr_to(path: str | None):
    """Send this process's standard error (file descriptor 2, which the kernels it starts
    inherit) to the file `path` meanwhile; with no path, change nothing."""
    if not path:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def student_turn(job: dict) -> dict:
    """Fetch, answer and submit one lesson as one student. Returns a small report.
    In a notebook with code to write, any cell may raise (as in a real student's notebook:
    later cells need the code the student did not finish); the answering itself may not."""
    from .kernel import answer_notebook

    home, assignment, student = Path(job["home"]), job["assignment"], job["student"]
    home.mkdir(parents=True, exist_ok=True)
    if not (home / assignment).exists():
        _exchange_object("fetch", home, job["course_id"], Path(job["exchange"]), assignment, student).start()
    for notebook in sorted((home / assignment).glob("*.ipynb")):
        code = (job.get("code") or {}).get(notebook.name) or {}
        for attempt in range(3):  # a kernel that cannot start (zmq port taken on a busy machine) is retried
            try:
                with _stderr_to(job.get("kernel_log")):  # the kernel's warnings go to the log, if one is given
                    answer_notebook(notebook, job["answers"], timeout=job.get("timeout", 60), code=code,
                                    allow_errors=_asks_for_code(notebook), student=student)
                break
            except RuntimeError as exc:
                if "Kernel died" not in str(exc) or attempt == 2:
                    raise
    _check_saved(home / assignment, job["answers"])
    _exchange_object("submit", home, job["course_id"], Path(job["exchange"]), assignment, student).start()
    return {"student": student, "assignment": assignment}


def make_class(keys_dir: Path, assignments: list[str], n_students: int, seed: int = 2024,
               skills: tuple[float, float] = (0.35, 0.95), course_dir: Path | None = None,
               ) -> tuple[dict[str, dict[str, LessonPlan]], list[str]]:
    """{student: {assignment: LessonPlan}} for a class of varied skill, and notes on skipped items.
    `course_dir` (default: the folder holding `keys_dir`) has the lessons' release/ and source/."""
    rng = random.Random(seed)
    course_dir = Path(course_dir) if course_dir is not None else Path(keys_dir).resolve().parent
    scenarios_dir = CourseDir.readable(course_dir).scenarios_dir
    keys = {a: load_keys(Path(keys_dir) / f"{a}.yaml", scenarios_dir) for a in assignments}
    plans, notes = {}, set()
    width = len(str(n_students))
    for index in range(1, n_students + 1):
        student = f"student{index:0{width}d}"
        skill = rng.uniform(*skills)
        plans[student] = {}
        for assignment in assignments:
            release_dir = course_dir / "release" / assignment
            answers, skipped = plan_answers(keys[assignment], skill, rng, release_dir=release_dir)
            code = plan_code(release_dir, skill, rng) if release_dir.is_dir() else {}
            if release_dir.is_dir():  # own random stream: the answers and code drawn above stay as they were
                written = plan_reflections(release_dir, skill, random.Random(f"{seed} {student} {assignment}"))
                for notebook, cells in written.items():
                    code.setdefault(notebook, {}).update(cells)
            plans[student][assignment] = LessonPlan(answers, code)
            notes.update(f"{assignment} {n}" for n in skipped)
    return plans, sorted(notes)


def submit_class(plans: dict[str, dict[str, LessonPlan | dict]], homes: Path, exchange: Path, course_id: str,
                 workers: int = 2, on_done=None, kernel_log: str | os.PathLike | None = None) -> None:
    """Every student answers and submits every lesson in their plan, `workers` at a time.
    A plan is a LessonPlan, or just the widget answers (item id -> value). With `kernel_log`,
    what the students' kernels write to standard error goes to that file, not the terminal."""
    jobs = []
    for student, lessons in plans.items():
        for assignment, plan in lessons.items():
            if not isinstance(plan, LessonPlan):
                plan = LessonPlan(plan)
            jobs.append({"home": str(Path(homes) / student), "assignment": assignment, "student": student,
                         "answers": plan.answers, "code": plan.code, "course_id": course_id,
                         "exchange": str(exchange), "kernel_log": str(kernel_log) if kernel_log else None})
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
