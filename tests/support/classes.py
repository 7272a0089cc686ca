"""One class per test run: each lesson released once, and each student of its roster
(tests/students/<lesson>.yaml) fetching it, answering through the widgets in a real kernel
and submitting once. Tests never share the result itself: each takes a clone (a copy of the
course with its gradebook and exchange, cut to the lessons and students it asked for) and
collects, grades or breaks that as it likes.

    course = the_class.clone(tmp_path / "course", ["02-active-listening"], ["perfect", "blank"])
    the_class.submit_copy(course, "02-active-listening", "perfect", "dave")   # a late submission
"""
from __future__ import annotations

import contextlib
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

import yaml

from . import REPO, copy_course
from .pipeline import COURSE_ID, fetch, nbgrader, submit

ROSTER_DIR = REPO / "tests" / "students"
# Settings a test may put in the environment (a PostgreSQL gradebook, another exchange); the
# class is built in the course's own gradebook and exchange whichever test first asks for it.
SETTINGS_FROM_ENV = ("COURSE_EXCHANGE", "COURSE_DB_URL", "NBGRADER_EXECUTION")


@contextlib.contextmanager
def _without_course_settings():
    saved = {name: os.environ.pop(name) for name in SETTINGS_FROM_ENV if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def roster(lesson: str) -> dict[str, dict]:
    """The students of `lesson`: name -> {answers, code, expected} (tests/students/<lesson>.yaml)."""
    return yaml.safe_load((ROSTER_DIR / f"{lesson}.yaml").read_text(encoding="utf-8"))["students"]


def rostered_lessons() -> list[str]:
    return sorted(p.stem for p in ROSTER_DIR.glob("*.yaml"))


class SubmittedClass:
    """The lessons asked for so far, released in one course and submitted by their rosters."""

    def __init__(self, base: Path):
        self.base = base
        self.course = copy_course(base / "course")
        self.exchange = self.course / "exchange"
        self.homes = base / "homes"
        self.lessons: set[str] = set()
        self.failed: dict[str, str] = {}

    def ensure(self, lessons: Iterable[str]) -> None:
        """Release the lessons not released yet and have their rosters submit them: two students
        at a time (one per core), as a class works; only the exchange is shared. A lesson whose
        set-up failed fails again with the same cause for every test that asks for it."""
        lessons = list(dict.fromkeys(lessons))
        for lesson in lessons:
            if lesson in self.failed:
                raise RuntimeError(f"the class could not submit {lesson} earlier in this run: {self.failed[lesson]}")
        new = [lesson for lesson in lessons if lesson not in self.lessons]
        if not new:
            return
        try:
            with _without_course_settings():
                for lesson in new:
                    nbgrader(self.course, "generate_assignment", lesson, "--force")
                    nbgrader(self.course, "release_assignment", lesson)
                cases = [(lesson, student) for lesson in new for student in roster(lesson)]
                with ThreadPoolExecutor(max_workers=2) as pool:
                    list(pool.map(self._student_works, cases))
        except Exception as exc:
            self.failed.update({lesson: f"{type(exc).__name__}: {exc}" for lesson in new})
            raise
        self.lessons.update(new)

    def _student_works(self, case: tuple[str, str]) -> None:
        from course.simulation.kernel import answer_notebook

        lesson, student = case
        spec = roster(lesson)[student]
        home = self.homes / student / lesson   # a home per case: no two threads share one
        folder = fetch(home, lesson, self.exchange)
        answer_notebook(folder / f"{lesson}.ipynb", spec.get("answers") or {}, code=spec.get("code"))
        submit(home, lesson, student, self.exchange)

    def home(self, student: str, lesson: str) -> Path:
        """The student's fetched and answered lesson folder (copy it before changing anything)."""
        self.ensure([lesson])
        return self.homes / student / lesson / lesson

    def clone(self, target: Path, lessons: Iterable[str], students: Iterable[str] | None = None) -> Path:
        """A copy of the course at `target` holding only `lessons` (in the gradebook and the
        exchange) and only the submissions of `students` (default: every roster student)."""
        lessons = list(lessons)
        self.ensure(lessons)
        keep_students = set(students) if students is not None else None
        shutil.copytree(self.course, target, symlinks=True)
        exchange = target / "exchange" / COURSE_ID
        for folder in (exchange / "outbound").iterdir():
            if folder.name not in lessons:
                shutil.rmtree(folder)
        for folder in (exchange / "inbound").iterdir():
            student, lesson = folder.name.split("+")[:2]
            if lesson not in lessons or (keep_students is not None and student not in keep_students):
                shutil.rmtree(folder)
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{target / 'gradebook.db'}", COURSE_ID) as gb:
            for assignment in [a.name for a in gb.assignments if a.name not in lessons]:
                gb.remove_assignment(assignment)
        return target

    def submit_copy(self, course: Path, lesson: str, student: str, as_name: str,
                    edit: Callable[[Path], None] | None = None) -> Path:
        """`as_name` submits to `course`'s exchange a copy of what `student` answered, after
        `edit(folder)` (a broken file, a planted one); returns the submitted folder."""
        home = course.parent / "homes" / as_name
        folder = home / lesson
        shutil.copytree(self.home(student, lesson), folder)
        if edit is not None:
            edit(folder)
        submit(home, lesson, as_name, course / "exchange")
        return folder
