"""What one graded submission is, as plain data: the job a worker gets, the result it
returns, and the gradebook record inside it; and how records are read from and merged into a
gradebook (the parent is the single writer of a SQLite gradebook)."""
from __future__ import annotations

from typing import Any, TypedDict

from ...errors import CourseError


class ParallelGradingError(CourseError):
    """Grading cannot start or go on; the message names the assignment, student or file."""


class Job(TypedDict):
    """One submission to grade (plain data: it crosses to worker processes and Dask workers)."""
    root: str                 # the real course root
    assignment: str
    student: str
    course_id: str
    config_key: str           # which worker configuration (worker.worker_config) grades it
    scratch_root: str
    submitted: str            # the collected folder, read-only to the worker
    source: str               # the instructor's source folder, linked into the scratch course
    scratch: str              # this job's own scratch course directory
    template_db: str | None   # SQLite: the gradebook snapshot the worker copies; else None
    db_url: str | None        # PostgreSQL: the course gradebook the worker writes; else None


class Record(TypedDict):
    """Everything `nbgrader autograde` writes to the gradebook for one submission."""
    assignment: str
    student: str
    timestamp: Any
    notebooks: dict[str, dict]   # notebook -> late penalty, flag, grades, comments
    score: float
    max_score: float


class Result(TypedDict, total=False):
    """What a worker returns for a Job; `ok` False with `error` (and the log) when it failed."""
    ok: bool
    assignment: str
    student: str
    scratch: str
    autograded: str           # the graded folder in the scratch course, installed by the parent
    submitted_copy: str
    worker_pid: int
    ran: bool                 # nbgrader's converter started (a failure then removes the graded folder)
    record: Record | None
    error: str
    traceback: str
    log: str
    seconds: float
    profile: dict[str, float]


def submission_record(db_url: str, course_id: str, assignment: str, student: str,
                      missing_ok: bool = False) -> Record | None:
    """Everything `nbgrader autograde` writes to the gradebook for one submission, as plain data
    (None with `missing_ok` when there is no such submission)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            if missing_ok:
                return None
            raise
        notebooks = {}
        for nb in sub.notebooks:
            notebooks[nb.name] = {
                "late_submission_penalty": nb.late_submission_penalty, "flagged": bool(nb.flagged),
                "grades": {g.name: {"auto_score": g.auto_score, "needs_manual_grade": bool(g.needs_manual_grade)}
                           for g in nb.grades},
                "comments": {c.name: {"auto_comment": c.auto_comment} for c in nb.comments},
            }
        score = sum((g.score or 0.0) for nb in sub.notebooks for g in nb.grades)
        max_score = sum((g.max_score or 0.0) for nb in sub.notebooks for g in nb.grades)
        return {"assignment": assignment, "student": student, "timestamp": sub.timestamp,
                "notebooks": notebooks, "score": score, "max_score": max_score}


def merge_records(gb, records: list[Record]) -> None:
    """Write several students' autograde results into the open gradebook `gb` in ONE transaction.

    Creates the student and the submission (with its notebooks, grades and comments, as
    nbgrader's Gradebook.add_submission lays them out) if missing; then sets exactly the
    fields autograde sets. Manual scores, manual comments, extra credit, flags and
    extensions are left as they are (the grader may set a flag, never clear one).
    Idempotent: merging the same record twice is a no-op. All or nothing.
    """
    from nbgrader.api import Comment, Grade, MissingEntry, Student, SubmittedAssignment, SubmittedNotebook

    session = gb.db
    try:
        for record in records:
            assignment, student = record["assignment"], record["student"]
            try:
                db_student = gb.find_student(student)
            except MissingEntry:
                db_student = Student(id=student)
                session.add(db_student)
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                db_assignment = gb.find_assignment(assignment)
                with session.no_autoflush:  # lay out the whole submission, as add_submission does
                    sub = SubmittedAssignment(assignment=db_assignment, student=db_student)
                    session.add(sub)
                    for notebook in db_assignment.notebooks:
                        nb = SubmittedNotebook(notebook=notebook, assignment=sub)
                        session.add(nb)
                        for cell in notebook.grade_cells:
                            session.add(Grade(cell=cell, notebook=nb))
                        for cell in notebook.solution_cells:
                            session.add(Comment(cell=cell, notebook=nb))
                        for cell in notebook.task_cells:
                            session.add(Comment(cell=cell, notebook=nb))
                            session.add(Grade(cell=cell, notebook=nb))
                session.flush()
            sub.timestamp = record["timestamp"]
            for nb in sub.notebooks:
                data = record["notebooks"].get(nb.name)
                if data is None:
                    raise ParallelGradingError(
                        f"{assignment}/{student}: notebook {nb.name!r} is in the gradebook but not in the graded result")
                nb.late_submission_penalty = data["late_submission_penalty"]
                if data.get("flagged"):  # the grader flags for review; only an instructor clears a flag
                    nb.flagged = True
                for grade in nb.grades:
                    values = data["grades"][grade.name]
                    grade.auto_score = values["auto_score"]
                    grade.needs_manual_grade = values["needs_manual_grade"]
                for comment in nb.comments:
                    comment.auto_comment = data["comments"][comment.name]["auto_comment"]
        session.commit()
    except BaseException:
        session.rollback()
        raise


def gradebook_snapshot(db_url: str, course_id: str, assignment: str | None = None) -> dict:
    """The gradebook's per-student contents keyed by names, not row ids, for comparing two
    gradebooks: students; per submission its timestamp and extension; per submitted notebook
    its flag and late penalty; per grade auto_score, manual_score, extra_credit,
    needs_manual_grade; per comment auto_comment and manual_comment. Row ids (random uuids)
    are left out: they differ between any two runs, serial or not."""
    from nbgrader.api import Gradebook

    snapshot: dict = {"students": {}, "submissions": {}}
    with Gradebook(db_url, course_id) as gb:
        for student in gb.students:
            snapshot["students"][student.id] = (student.first_name, student.last_name, student.email,
                                                student.lms_user_id)
        for db_assignment in gb.assignments:
            if assignment and db_assignment.name != assignment:
                continue
            for sub in db_assignment.submissions:
                notebooks = {}
                for nb in sub.notebooks:
                    notebooks[nb.name] = {
                        "flagged": bool(nb.flagged), "late_submission_penalty": nb.late_submission_penalty,
                        "grades": {g.name: (g.auto_score, g.manual_score, g.extra_credit, bool(g.needs_manual_grade))
                                   for g in nb.grades},
                        "grade_rows": len(nb.grades), "comment_rows": len(nb.comments),
                        "comments": {c.name: (c.auto_comment, c.manual_comment) for c in nb.comments},
                    }
                snapshot["submissions"][(db_assignment.name, sub.student.id)] = {
                    "timestamp": sub.timestamp.isoformat() if sub.timestamp else None,
                    "extension": str(sub.extension) if sub.extension else None,
                    "score": sub.score, "notebooks": notebooks}
    return snapshot
