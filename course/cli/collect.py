"""`course collect ASSIGNMENT`: collect submissions from the exchange into submitted/.

With --zip FILE, ingest an LMS download instead (nbgrader's zip_collect): the archive's
files are matched by name to students. The default pattern fits LMS downloads named
`<student>_<file>` or Canvas-style `<student>_<id>_<id>_<file>` (an optional `late_`
after the student is allowed), e.g. `jdoe_1234_5678_02-active-listening.ipynb` and
`jdoe_1234_5678_02-active-listening.answers.json`; give your own with --regexp (named
groups student_id and file_id, optionally timestamp). The answers file must be in the
archive too: it holds the student's choices.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

from ..coursedir import exchange_problem
from . import hubrecord
from .coursedir import CourseError, check_result, find_root, load_config, nbgrader_api, require_assignment

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
    """Ingest an LMS download with nbgrader's ZipCollectApp, in a temporary work folder."""
    from nbgrader.apps.zipcollectapp import ZipCollectApp
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    require_assignment(root, assignment)
    archive = Path(archive)
    if not archive.is_file():
        raise CourseError(f"{archive}: no such file")
    if not zipfile.is_zipfile(archive):
        raise CourseError(f"{archive}: not a zip archive")
    api = nbgrader_api(root)
    before = set(api.get_submitted_students(assignment))
    # nbgrader puts the download folder under the course root; a hidden temporary one, removed after
    with tempfile.TemporaryDirectory(prefix=".zip-collect-", dir=root) as work:
        config = load_config(root)
        config.ZipCollectApp.downloaded_directory = Path(work).name
        config.ZipCollectApp.force = force
        config.ExtractorPlugin.force = force
        config.FileNameCollectorPlugin.named_regexp = regexp
        config.FileNameCollectorPlugin.valid_ext = COLLECTED_EXTENSIONS
        target = Path(work) / assignment / "archive"
        target.mkdir(parents=True)
        shutil.copy(archive, target / archive.name)
        app = ZipCollectApp(config=config)
        app.coursedir = CourseDirectory(parent=app)
        app.coursedir.assignment_id = assignment
        result = capture_log(app)
        check_result(result, f"zip_collect of {archive} for {assignment}")
        app_log = result.get("log", "")
    students = sorted(api.get_submitted_students(assignment))
    if not set(students) - before and not any(line for line in app_log.splitlines() if "Copying to" in line):
        raise CourseError(f"{archive}: no file matched the pattern {regexp!r} for {assignment}\n{app_log[-1500:]}")
    skipped = [line for line in app_log.splitlines() if "Skipped" in line or "did not match" in line]
    for line in skipped:
        log.warning(f"warning: {line}")
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
