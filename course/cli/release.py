"""`course release ASSIGNMENT...`: generate the student version if needed, then release it.

Generates (like `course generate`) when release/<assignment>/ is missing, older than
source/, or the gradebook does not know the assignment yet (a fresh clone has no
gradebook); then copies it to the exchange with nbgrader's release_assignment.
An assignment already in the exchange is left alone unless --force.
"""
from __future__ import annotations

import logging
from pathlib import Path

from ..coursedir import exchange_problem
from .coursedir import CourseDir, CourseError, check_result, find_root, nbgrader_api, require_assignment
from .generate import generate, lesson_scenarios

log = logging.getLogger(__name__)


def _newest(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    return max(times, default=0.0)


def needs_generate(course: CourseDir, api, assignment: str) -> str | None:
    """Why the assignment must be generated first, or None."""
    release = course.folder("release", assignment)
    if not release.is_dir() or not any(release.glob("*.ipynb")):
        return f"no {course.shown(release)}/"
    from nbgrader.api import MissingEntry

    with api.gradebook as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return "not in the gradebook yet"
    lesson = course.root / "lessons" / f"{assignment}.md"
    source = course.folder("source", assignment)
    newest_source = max(_newest(source), lesson.stat().st_mtime if lesson.exists() else 0.0)
    if newest_source > _newest(release):
        return f"{course.shown(source)}/ is newer than {course.shown(release)}/"
    return None


def release(root: Path, names: list[str], force: bool = False) -> list[str]:
    for name in names:
        require_assignment(root, name)
    api = nbgrader_api(root)
    if api.exchange_root and not Path(api.exchange_root).exists():
        # releasing creates the exchange (loading the config does not: `course status` only reads)
        try:
            Path(api.exchange_root).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CourseError(f"the exchange {api.exchange_root} cannot be created ({exc.strerror or exc}): "
                              "check Exchange.root / COURSE_EXCHANGE") from None
        api = nbgrader_api(root)
    if (problem := exchange_problem(api)):
        raise CourseError(problem)
    done = []
    course = CourseDir.at(root)
    for name in names:
        reason = needs_generate(course, api, name)
        if reason:
            log.info(f"{name}: generating ({reason})")
            generate(root, [name])
            api = nbgrader_api(root)
        for line in lesson_scenarios(course, name):    # a hub course: graded scenarios to the recorder only
            log.info(line)
        if name in api.get_released_assignments():
            if not force:
                log.info(f"{name}: already released (use --force to release it again)")
                continue
            check_result(api.unrelease(name), f"unreleasing {name}")
        check_result(api.release_assignment(name), f"releasing {name} to {api.exchange_root}")
        log.info(f"{name}: released to {api.exchange_root}")
        done.append(name)
    return done


def run(args) -> int:
    release(find_root(), args.assignments, force=args.force)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("release", help="generate if needed, then release assignments to the exchange",
                                   description=__doc__)
    parser.add_argument("assignments", nargs="+", help="assignment ids")
    parser.add_argument("--force", action="store_true", help="release again an assignment already in the exchange")
    parser.set_defaults(func=run)
