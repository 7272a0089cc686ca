"""Planning: which collected submissions to grade, found exactly as nbgrader finds them (every
CourseDirectory setting honoured), checked before anything runs, and made into jobs."""
from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from pathlib import Path

from ...coursedir import CourseDir, is_sqlite, sqlite_file
from .records import Job, ParallelGradingError

SCRATCH_DIRNAME = ".scratch"
LOG_DIRNAME = ".logs"  # <autograded>/.logs/<assignment>/<student>.log: a failed submission's full log


@contextlib.contextmanager
def _assignment_lock(scratch_root: Path, assignment: str):
    scratch_root.mkdir(parents=True, exist_ok=True)
    path = scratch_root / f"{assignment}.lock"
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParallelGradingError(
                f"{assignment}: another `course autograde {assignment}` is running (lock {path})") from None
        yield


def _needs_grading(coursedir, assignment: str, student: str, force: bool) -> bool:
    """nbgrader's own rule (BaseConverter.init_destination): grade when there is no autograded
    folder, with --force, or when the submission is newer than the autograded copy."""
    dest = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    if force or not dest.is_dir():
        return True
    src = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    new, old = coursedir.get_existing_timestamp(src), coursedir.get_existing_timestamp(str(dest))
    return new is not None and old is not None and new > old


def course_coursedir(root: Path):
    """The real course's configuration and nbgrader CourseDirectory (loaded once)."""
    course = CourseDir.at(Path(root).resolve())
    return course.config, course.nbgrader


def source_folder(coursedir, assignment: str) -> Path:
    return Path(coursedir.format_path(coursedir.source_directory, ".", assignment))


def autograded_root(coursedir) -> Path:
    """The folder autograded submissions go under (<root>/autograded by default)."""
    return Path(coursedir.root) / coursedir.autograded_directory


def failure_log_path(coursedir, assignment: str, student: str) -> Path:
    return autograded_root(coursedir) / LOG_DIRNAME / assignment / f"{student}.log"


def _check_assignments(coursedir, keys_dir: Path, db_url: str, course_id: str, assignments: list[str]) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    from ..score.keys import KeyError_, key_path, load_keys

    for assignment in assignments:
        source = source_folder(coursedir, assignment)
        if not source.is_dir():
            raise ParallelGradingError(f"unknown assignment {assignment!r}: no {source}/")
        keys = key_path(keys_dir, assignment)
        if keys.parent.is_dir():  # this course's grader scores every graded cell from its key: fail closed
            try:
                load_keys(keys)
            except KeyError_ as exc:
                raise ParallelGradingError(f"{assignment}: {exc}; nothing was graded") from None
    if is_sqlite(db_url) and not sqlite_file(db_url).is_file():
        raise ParallelGradingError(f"{assignments[0]}: no gradebook at {sqlite_file(db_url)}; "
                                   f"run `course release {assignments[0]}` (or nbgrader generate_assignment) first")
    with Gradebook(db_url, course_id) as gb:
        for assignment in assignments:
            try:
                gb.find_assignment(assignment)
            except MissingEntry:
                raise ParallelGradingError(
                    f"{assignment}: not in the gradebook {db_url}; run `course release {assignment}` "
                    f"(or `course generate {assignment}`) first") from None


def collected_students(coursedir, assignment: str) -> dict[str, Path]:
    """{student: collected folder} for one assignment, found as nbgrader finds them (the
    configured submitted_directory and directory_structure; student_id_exclude left out)."""
    import glob
    import re

    pattern = coursedir.format_path(coursedir.submitted_directory, "*", assignment)
    regexp = coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>.*)", assignment, escape=True)
    excluded = set(filter(None, coursedir.student_id_exclude.split(",")))
    found = {}
    for path in sorted(glob.glob(pattern)):
        match = re.match(regexp, path)
        if match and os.path.isdir(path) and match.group("student_id") not in excluded:
            found[match.group("student_id")] = Path(path)
    return found


def _chosen_students(coursedir, assignments: list[str], students: list[str] | None,
                     ) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """The students to grade per assignment: all collected, or those named. A named student must
    have a collected submission (of the one assignment; of at least one, when there are several).
    Also, per assignment, the chosen folders that hold no notebook: nbgrader skips them with a
    warning, and so does this."""
    chosen, empty, where = {}, {}, []
    for assignment in assignments:
        collected = collected_students(coursedir, assignment)
        where.append(coursedir.format_path(coursedir.submitted_directory, "<student>", assignment))
        names = [s for s in dict.fromkeys(students) if s in collected] if students else sorted(collected)
        chosen[assignment], empty[assignment] = [], {}
        for student in names:
            if any(collected[student].glob(coursedir.notebook_id + ".ipynb")):
                chosen[assignment].append(student)
            else:
                empty[assignment][student] = str(collected[student])
    missing = [s for s in dict.fromkeys(students or [])
               if not any(s in chosen[a] or s in empty[a] for a in assignments)]
    if missing:
        raise ParallelGradingError(
            f"{', '.join(assignments)}: no collected submission for student(s) {', '.join(missing)} "
            f"(looked in {' or '.join(where)})")
    return chosen, empty


def make_jobs(coursedir, root: Path, course_id: str, todo: list[tuple[str, str]], config_key: str,
              scratch_root: Path, template: Path | None, db_url: str | None) -> list[Job]:
    """A job per (assignment, student), largest notebooks first, so that no long one is left
    running alone at the end."""
    jobs: list[Job] = [Job(root=str(root), assignment=a, student=s, course_id=course_id, config_key=config_key,
                           scratch_root=str(scratch_root),
                           submitted=coursedir.format_path(coursedir.submitted_directory, s, a),
                           source=str(source_folder(coursedir, a).resolve()),
                           scratch=str(scratch_root / a / f"{s}-{uuid.uuid4().hex[:8]}"),
                           template_db=str(template) if template else None, db_url=db_url) for a, s in todo]
    jobs.sort(key=lambda job: -sum(f.stat().st_size for f in Path(job["submitted"]).glob("*.ipynb")))
    return jobs
