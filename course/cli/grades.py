"""`course grades`: export the gradebook as a CSV file a learning platform imports as it is.

Scores: one per student and assignment, after any late penalty, 0 when nothing was submitted;
manual grades entered in formgrader are included. Points are rounded to 2 decimals, as
formgrader shows them (nbgrader 0.9's roundToPrecision(score, 2)); totals are sums of the
rounded scores. Names and emails come from the class roster (`--roster FILE`, by default
`roster.csv` in the course folder when there is one; see course/roster.py). A student in the
gradebook without a roster row is exported all the same (without names) and warned about;
roster rows without a gradebook student are listed. Every cell goes through the course's CSV
defusing (course/csv_safe.py), so a spreadsheet never evaluates one.

Formats (`--format`):

plain (the default): `student_id, last_name, first_name, email`, a column per assignment and
`total`; the first data row, `Points Possible`, holds each maximum.

canvas: Canvas's gradebook import (Grades > Import). Columns `Student, ID, SIS User ID, SIS
Login ID, Section`, then one per assignment, and a second row whose first cell is
`    Points Possible` with each assignment's maximum, as Canvas's own export writes them.
Sources: the Canvas Instructor Guide "How do I import grades in the Gradebook?"
(community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807)
and a university's summary of it (teaching.resources.osu.edu, "Import a CSV file to Carmen
grades": Student name or ID or SIS User ID, then SIS Login ID, Section, the assignments); and
Canvas's importer itself, instructure/canvas-lms app/models/gradebook_importer.rb: the header
must start with `Student` and `ID`, `SIS User ID` and `SIS Login ID` are found by name, the
student columns end with `Section`, a row whose first cell contains `Points Possible` sets the
points, and columns such as `Current Score` or `Final Grade` are read-only, others are
assignments ("Title (id)", or a title).
Canvas finds each student by `ID` (its own numeric user id, which we do not know: left empty),
then `SIS User ID` (the roster's lms_id), then `SIS Login ID` (the roster's email), then the
name in `Student` ("Last, First", as Canvas exports it). An assignment column is the assignment's name:
Canvas matches it to an existing assignment of that title, or to the assignment whose Canvas
id `--canvas-id NAME=ID` gives ("NAME (ID)", as Canvas exports), and otherwise offers to create
a new assignment. No total column: Canvas would read it as one more assignment.

moodle: Moodle's CSV grade import (Grades > Import > CSV file). Sources: MoodleDocs "Grade
import" (docs.moodle.org/311/en/Grade_import: "Map from" a column of the file, "Map to"
useremail, username, useridnumber or userid) and moodle/moodle
grade/import/csv/classes/load_data.php (how each row is matched). The file: one identifier
column, then one column per grade item, no points row. At the import's preview the instructor
maps the identifier column ("Map from") to the user field ("Map to": `Email address` to
useremail, the default; with `--moodle-id lms_id`, `Username` to username) and each assignment
column to its grade item (made beforehand with the lesson's maximum, which the command prints:
a "new grade item" is out of 100; grades above 100 need Moodle's unlimitedgrades setting).
Moodle stops the whole import at a row whose identifier it does not find (and gives a row with
an empty one to the row above), so a student with no email (no lms_id) in the roster is left
out of this file, and named in a warning.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from ..csv_safe import csv_text
from ..roster import RosterError, Student, load_roster
from ..safe_names import shown
from .coursedir import CourseError, find_root
from .status import read_only_api

FIXED = ["student_id", "last_name", "first_name", "email"]
POINTS_ROW = "Points Possible"


PRECISION = 2  # decimals formgrader shows (nbgrader's roundToPrecision(score, 2))


def rounded(value: float) -> float:
    """`value` rounded as formgrader rounds (JavaScript's Math.round: halves up)."""
    scaled = float(value) * 10 ** PRECISION
    whole = math.floor(scaled)
    return (whole + (1 if scaled - whole >= 0.5 else 0)) / 10 ** PRECISION


def _number(value: float) -> str:
    value = rounded(value)
    return str(int(value)) if value == int(value) else f"{value:.{PRECISION}f}".rstrip("0")


ROSTER_FILE = "roster.csv"
FORMATS = ("plain", "canvas", "moodle")
CANVAS_FIXED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS = "    Points Possible"   # the first cell of Canvas's own points row
MOODLE_ID = {"email": "Email address", "lms_id": "Username"}


def gradebook_scores(root: Path, names: list[str] | None = None):
    """(assignments, their maxima, [(student id, gradebook student, [rounded score per assignment])])."""
    from nbgrader.api import MissingEntry

    api = read_only_api(root)  # exporting only reads: a missing gradebook is not created
    with api.gradebook as gb:
        known = [a.name for a in sorted(gb.assignments, key=lambda a: a.name)]
        for name in names or []:
            if name not in known:
                raise CourseError(f"unknown assignment {name!r}: not in the gradebook (known: {', '.join(known) or 'none'})")
        chosen = names or known
        if not chosen:
            raise CourseError(f"the gradebook {api.coursedir.db_url} has no assignments yet; run `course release` first")
        maxima = [gb.find_assignment(a).max_score for a in chosen]
        students = []
        for student in sorted(gb.students, key=lambda s: s.id):
            scores = []
            for name in chosen:
                try:
                    sub = gb.find_submission(name, student.id)
                except MissingEntry:
                    scores.append(0.0)
                    continue
                scores.append(max(0.0, (sub.score or 0.0) - (sub.late_submission_penalty or 0.0)))
            known_names = Student(student.id, student.first_name or "", student.last_name or "", student.email or "")
            students.append((student.id, known_names, [rounded(s) for s in scores]))
    return chosen, maxima, students


def canvas_column(name: str, canvas_ids: dict[str, str]) -> str:
    return f"{name} ({canvas_ids[name]})" if name in canvas_ids else name


def gradebook_table(root: Path, names: list[str] | None = None, roster: dict[str, Student] | None = None,
                    fmt: str = "plain", canvas_ids: dict[str, str] | None = None, moodle_id: str = "email",
                    warnings: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and rows of the export in `fmt`; what the instructor should know goes to `warnings`."""
    warnings = [] if warnings is None else warnings
    roster = roster or {}
    canvas_ids = canvas_ids or {}
    chosen, maxima, students = gradebook_scores(root, names)
    for name in canvas_ids:
        if name not in chosen:
            raise CourseError(f"--canvas-id {name}=...: {name!r} is not an exported assignment ({', '.join(chosen)})")

    unlisted = [sid for sid, _, _ in students if roster and sid not in roster]
    if unlisted:
        warnings.append(f"{len(unlisted)} student(s) in the gradebook have no roster row (exported without names): "
                        + ", ".join(shown(s) for s in unlisted))
    in_gradebook = {sid for sid, _, _ in students}
    absent = [r for sid, r in roster.items() if sid not in in_gradebook]
    if absent:
        warnings.append(f"{len(absent)} roster row(s) have no student in the gradebook (not exported): "
                        + ", ".join(f"{shown(r.student_id)} (line {r.line})" for r in absent))

    def person(sid: str, from_gradebook: Student) -> Student:
        return roster.get(sid) or from_gradebook

    if fmt == "plain":
        header = FIXED + chosen + ["total"]
        rows = [[POINTS_ROW, "", "", ""] + [_number(m) for m in maxima] + [_number(sum(maxima))]]
        for sid, gb_student, scores in students:
            p = person(sid, gb_student)
            rows.append([sid, p.last_name, p.first_name, p.email] + [_number(s) for s in scores] + [_number(sum(scores))])
        return header, rows
    if fmt == "canvas":
        header = CANVAS_FIXED + [canvas_column(a, canvas_ids) for a in chosen]
        rows = [[CANVAS_POINTS, "", "", "", ""] + [_number(m) for m in maxima]]
        for sid, gb_student, scores in students:
            p = person(sid, gb_student)
            lms_id = roster[sid].lms_id if sid in roster else ""
            rows.append([p.sortable_name or sid, "", lms_id, p.email, ""] + [_number(s) for s in scores])
        return header, rows
    if fmt == "moodle":
        header = [MOODLE_ID[moodle_id]] + chosen
        rows, left_out = [], []
        for sid, gb_student, scores in students:
            p = person(sid, gb_student)
            key = p.email if moodle_id == "email" else (roster[sid].lms_id if sid in roster else "")
            if not key:
                left_out.append(sid)
                continue
            rows.append([key] + [_number(s) for s in scores])
        what = "email" if moodle_id == "email" else "lms_id"
        if not rows:
            raise CourseError(f"no student has an {what} in the roster, and Moodle matches students by it: "
                              f"give a roster (--roster FILE, or {ROSTER_FILE} in the course folder) with an {what} column")
        warnings.append("a Moodle CSV has no points row: give each grade item its maximum in Moodle ("
                        + ", ".join(f"{a} {_number(m)}" for a, m in zip(chosen, maxima))
                        + "); a column imported as a \"new grade item\" is out of 100")
        if left_out:
            warnings.append(f"{len(left_out)} student(s) left out: no {what} in the roster, and Moodle stops the whole "
                            f"import at a row it cannot match: " + ", ".join(shown(s) for s in left_out))
        return header, rows
    raise CourseError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def find_roster(root: Path, given: str | None) -> tuple[dict[str, Student], Path | None]:
    """The roster `--roster` names, else roster.csv in the course folder if there is one."""
    path = Path(given).expanduser() if given else root / ROSTER_FILE
    if not given and not path.is_file():
        return {}, None
    try:
        return load_roster(path), path
    except RosterError as exc:
        raise CourseError(str(exc)) from None


def canvas_ids_from(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs or []:
        name, sep, number = pair.partition("=")
        if not sep or not name or not number.isdigit() or not number.isascii():
            raise CourseError(f"--canvas-id {pair!r}: give ASSIGNMENT=NUMBER (the number in the Canvas assignment's address)")
        found[name] = number
    return found


def check_output(path: Path) -> None:
    """A CourseError naming `path` when a file cannot be written there."""
    path = path.expanduser()
    folder = path.parent
    if not folder.is_dir():
        raise CourseError(f"cannot write {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise CourseError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise CourseError(f"cannot write {path}: the folder {folder} is not writable")


def write_csv(header: list[str], rows: list[list[str]], output: str) -> str:
    text = csv_text(header, rows)  # quoted, formulas defused: ids and names come from outside
    if output == "-":
        sys.stdout.write(text)
    else:
        path = Path(output).expanduser()
        folder = path.parent
        if not folder.is_dir():
            raise CourseError(f"cannot write {path}: the folder {folder} does not exist")
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CourseError(f"cannot write {path}: {exc.strerror or exc}") from None
    return text


def run(args) -> int:
    if args.output != "-":
        check_output(Path(args.output))  # before reading the gradebook: fail fast on a bad path
    if args.format != "canvas" and args.canvas_id:
        raise CourseError("--canvas-id is for --format canvas")
    if args.format != "moodle" and args.moodle_id:
        raise CourseError("--moodle-id is for --format moodle")
    root = find_root()
    roster, roster_path = find_roster(root, args.roster)
    canvas_ids = canvas_ids_from(args.canvas_id)
    warnings: list[str] = []
    header, rows = gradebook_table(root, args.assignments or None, roster, args.format, canvas_ids,
                                   args.moodle_id or "email", warnings)
    if args.format in ("plain", "canvas") and not roster_path:
        also = ", and Canvas can match students by name only" if args.format == "canvas" else ""
        warnings.append(f"no roster ({ROSTER_FILE} in the course folder, or --roster FILE): names and emails are "
                        f"only those in the gradebook, usually none{also}")
    write_csv(header, rows, args.output)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.output != "-":
        students = len(rows) - (0 if args.format == "moodle" else 1)
        assignments = len(header) - {"plain": len(FIXED) + 1, "canvas": len(CANVAS_FIXED), "moodle": 1}[args.format]
        print(f"wrote {args.output} ({args.format}): {students} student(s), {assignments} assignment(s)"
              + (f", names from {roster_path}" if roster_path else ""))
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("grades", help="export grades as an LMS-importable CSV (a row per student)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every assignment in the gradebook)")
    parser.add_argument("-o", "--output", default="grades.csv", help="CSV file to write, '-' for stdout (default grades.csv)")
    parser.add_argument("--format", choices=FORMATS, default="plain",
                        help="plain (default), canvas (Canvas gradebook import) or moodle (Moodle CSV grade import)")
    parser.add_argument("--roster", metavar="FILE",
                        help=f"the class roster CSV (student_id, first_name, last_name, email[, lms_id]); "
                             f"default: {ROSTER_FILE} in the course folder if there is one")
    parser.add_argument("--canvas-id", action="append", default=[], metavar="ASSIGNMENT=NUMBER",
                        help="with --format canvas: the Canvas id of an assignment (its column is then 'ASSIGNMENT (NUMBER)'); repeatable")
    parser.add_argument("--moodle-id", choices=sorted(MOODLE_ID), default=None,
                        help="with --format moodle: the identifier column, the roster's email (default) or its lms_id (the Moodle username)")
    parser.set_defaults(func=run)
