"""`course collect ASSIGNMENT`: collect submissions from the exchange into submitted/.

With --zip FILE, import an LMS download instead (course.lms_import, not nbgrader's
zip_collect: only the LMS's own entry names say whose a file is, a zip a student uploaded is
that student's files, sizes and counts are bounded, and every refused entry is named). The default pattern fits LMS downloads named
`<student>_<file>` or Canvas-style `<student>_<id>_<id>_<file>` (an optional `late_`
after the student is allowed), e.g. `jdoe_1234_5678_02-active-listening.ipynb` and
`jdoe_1234_5678_02-active-listening.answers.json`; give your own with --regexp (named
groups student_id and file_id, optionally timestamp). The answers file must be in the
archive too: it holds the student's choices.
"""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from ..coursedir import exchange_problem
from ..safe_names import shown
from . import hubrecord
from .coursedir import CourseError, check_result, find_root, nbgrader_api, require_assignment

log = logging.getLogger(__name__)

LMS_REGEXP = r".*/(?P<student_id>[^/_]+)_(?:late_|LATE_)?(?:\d+_)*(?P<file_id>[^/]+)$"
COLLECTED_EXTENSIONS = [".ipynb", ".json"]


def collect(root: Path, assignment: str) -> int:
    require_assignment(root, assignment)
    api = nbgrader_api(root)
    if (problem := exchange_problem(api)):
        raise CourseError(problem)
    result = check_result(api.collect(assignment, update=True), f"collecting {assignment} from {api.exchange_root}")
    # What collect refused (links, special files) must reach the instructor, not only its log.
    for line in (result.get("log") or "").splitlines():
        if "ERROR" in line or "refused" in line:
            log.warning(line.strip())
    count = len(api.get_submitted_students(assignment))
    log.info(f"{assignment}: {count} submission(s) in submitted/")
    report_hub_record(api, assignment)
    return count


def report_hub_record(api, assignment: str) -> None:
    """On the class hub: quarantined entries and students' own times that disagreed with the hub's."""
    for line in hubrecord.collect_notes(api, assignment):
        log.warning(f"warning: {line}")


def zip_collect(root: Path, assignment: str, archive: Path, regexp: str = LMS_REGEXP, force: bool = True) -> list[str]:
    """Import an LMS download into submitted/ (see course.lms_import: only what the LMS named,
    bounded, every refusal reported); returns the students in submitted/ afterwards."""
    from nbgrader.utils import parse_utc

    from ..lms_import import LmsImport, write_submission

    require_assignment(root, assignment)
    archive = Path(archive)
    if not archive.is_file():
        raise CourseError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise CourseError(f"{archive}: not a zip archive")
    try:
        found = LmsImport(regexp, COLLECTED_EXTENSIONS).read(archive)
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"{archive}: {exc}") from None
    api = nbgrader_api(root)
    for line in found.unmatched:
        log.warning(f"warning: {archive.name}: skipped {shown(line)} (did not match the pattern for a student's "
                    f".ipynb or .json file)")
    for line in found.refused:
        log.warning(f"warning: {archive.name}: refused {line}")
    if not found.students:
        raise CourseError(f"{archive}: no file matched the pattern {regexp!r} for {assignment}")
    for student, files in sorted(found.students.items()):
        stamp = found.timestamps.get(student)
        try:
            stamp = parse_utc(stamp).isoformat(" ") if stamp else None
        except (ValueError, OverflowError):
            log.warning(f"warning: {archive.name}: student {shown(student)}: timestamp {shown(stamp)} cannot be read; "
                        "none recorded")
            stamp = None
        folder = Path(api.coursedir.format_path(api.coursedir.submitted_directory, student, assignment))
        try:
            write_submission(folder, files, stamp)
        except OSError as exc:  # one student's folder must not stop the others
            log.error(f"error: {archive.name}: student {shown(student)}: cannot write {folder}: {exc}")
            continue
        log.debug(f"{assignment}: imported {', '.join(sorted(files))} for {student}")
    students = sorted(api.get_submitted_students(assignment))
    log.info(f"{assignment}: {len(students)} submission(s) in submitted/ after importing {archive.name}")
    return students


def run(args) -> int:
    root = find_root()
    if args.zip:
        zip_collect(root, args.assignment, Path(args.zip), regexp=args.regexp)
    else:
        collect(root, args.assignment)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("collect", help="collect submissions from the exchange (or --zip an LMS download)",
                                   description=__doc__)
    parser.add_argument("assignment", help="assignment id")
    parser.add_argument("--zip", metavar="FILE", help="an LMS download (zip) to import instead of the exchange")
    parser.add_argument("--regexp", default=LMS_REGEXP,
                        help="pattern for file names in the zip (named groups student_id, file_id)")
    parser.set_defaults(func=run)
