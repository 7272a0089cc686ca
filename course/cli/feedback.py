"""`course feedback ASSIGNMENT [...]`: generate feedback for autograded submissions, then release it.

Runs nbgrader's generate_feedback (HTML per student in feedback/) and release_feedback
(copies it to the exchange, where students fetch it). --no-release only generates.
"""
from __future__ import annotations

import logging

from ..coursedir import exchange_problem
from ..safe_names import shown as shown_id
from .coursedir import CourseError, check_result, find_root, nbgrader_api, require_assignment
from .logs import progress

log = logging.getLogger(__name__)


def feedback(root, assignment: str, students: list[str] | None = None, release: bool = True) -> int:
    require_assignment(root, assignment)
    api = nbgrader_api(root)
    graded = sorted(api.get_autograded_students(assignment))
    if students:
        missing = [s for s in students if s not in graded]
        if missing:
            raise CourseError(f"{assignment}: no autograded submission for student(s) {', '.join(missing)}; "
                              f"run `course autograde {assignment}` first")
        graded = students
    if not graded:
        raise CourseError(f"{assignment}: nothing autograded yet; run `course autograde {assignment}` first")
    if release and (problem := exchange_problem(api)):
        raise CourseError(problem)
    failed = []
    with progress(log, len(graded), "feedback") as shown:
        for student in graded:
            # one student's failure is reported and the next student still gets feedback
            try:
                check_result(api.generate_feedback(assignment, student),
                             f"generating feedback for {student} on {assignment}")
                if release:
                    check_result(api.release_feedback(assignment, student),
                                 f"releasing feedback for {student} on {assignment}")
            except CourseError as exc:
                log.error(f"error: {exc}")
                failed.append(student)
            shown.advance(student)
    done = len(graded) - len(failed)
    log.info(f"{assignment}: feedback {'generated and released' if release else 'generated'} for {done} student(s)")
    if failed:
        raise CourseError(f"{assignment}: no feedback for {len(failed)} student(s): {', '.join(shown_id(s) for s in failed)} "
                          f"(see the errors above); the other {done} have theirs")
    return len(graded)


def run(args) -> int:
    root = find_root()
    for assignment in args.assignment:
        feedback(root, assignment, args.student or None, release=not args.no_release)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("feedback", help="generate and release feedback for autograded submissions",
                                   description=__doc__)
    parser.add_argument("assignment", nargs="+", help="assignment id(s)")
    parser.add_argument("--student", action="append", metavar="S", help="only this student (repeatable)")
    parser.add_argument("--no-release", action="store_true", help="generate feedback but do not release it")
    parser.set_defaults(func=run)
