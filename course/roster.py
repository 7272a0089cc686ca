"""The class roster an instructor gives: who each student id is, for the LMS export.

A CSV file (UTF-8, an Excel byte-order mark is fine) with a header row and one row per
student. Columns, in any order, named as below (case, spaces and dashes do not matter:
`Student ID`, `student-id`, `StudentID` and `student_id` are the same column,
as are `E-mail` and `email`):

- `student_id` (required): the hub / Unix user name, which is the nbgrader student id;
- `first_name`, `last_name`, `email` (required columns; a cell may be empty);
- `lms_id` (optional column): the student's id in the learning platform: Canvas's
  "SIS User ID", or the Moodle username (`course grades --format moodle --moodle-id lms_id`).

Anything else is refused with the file, line and column named, so a column the instructor
expects to be used is never silently ignored: an unknown or repeated column, a student id
that is not a safe name (`course.safe_names`), a student id given twice, an email that is not
one, an id or email a spreadsheet would read as a formula (it could not be written as it is,
so the LMS would not match it), a control character, a row with more cells than the header.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .csv_safe import FORMULA_START
from .errors import CourseError
from .safe_names import MAX_ID_LENGTH, is_safe_id, shown

REQUIRED = ("student_id", "first_name", "last_name", "email")
OPTIONAL = ("lms_id",)
COLUMNS = REQUIRED + OPTIONAL
MAX_ERRORS = 20          # listed in one message; the rest are counted
MAX_CELL = 200           # characters in a name, email or LMS id


class RosterError(CourseError, ValueError):
    """A roster that cannot be used; the message names the file, line and column of each problem."""


@dataclass(frozen=True)
class Student:
    student_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_id: str = ""
    line: int = 0

    @property
    def sortable_name(self) -> str:
        """'Last, First' (as Canvas exports its Student column), or whichever part is known."""
        return ", ".join(part for part in (self.last_name, self.first_name) if part)


def column_key(header: str) -> str:
    """The column a header names: case, spaces, dashes and underscores do not matter."""
    compact = "".join(c for c in header.strip().lower() if c not in " -_")
    return next((c for c in COLUMNS if c.replace("_", "") == compact), header.strip())


def _problem(value: str, column: str) -> str | None:
    """What is wrong with one cell of `column`, or None."""
    if not value.isprintable():
        return f"{shown(value)} contains a control character (a line break, tab or the like)"
    if len(value) > MAX_CELL:
        return f"{shown(value)} is longer than {MAX_CELL} characters"
    if column == "student_id":
        if not is_safe_id(value):
            return (f"{shown(value)} is not a safe student id (letters, digits and . _ @ -, not starting "
                    f"with . or -, at most {MAX_ID_LENGTH} characters: the hub user name)")
        return None
    if column in ("email", "lms_id") and value:
        if value.startswith(FORMULA_START):
            return f"{shown(value)} starts with a character a spreadsheet reads as a formula"
        if any(c.isspace() for c in value):
            return f"{shown(value)} contains a space"
        if column == "email" and (value.count("@") != 1 or value.startswith("@") or value.endswith("@")):
            return f"{shown(value)} is not an email address"
    return None


def parse_roster(text: str, name: str) -> dict[str, Student]:
    """The roster in `text` (the contents of the file `name`), by student id, in file order."""
    problems: list[str] = []

    def problem(line: int, column: str | None, message: str) -> None:
        where = f"{name} line {line}" + (f", column {column}" if column else "")
        problems.append(f"{where}: {message}")

    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise RosterError(f"{name} line 1: not a CSV file ({exc})") from None
    if not header or not any(h.strip() for h in header):
        raise RosterError(f"{name}: no header row (expected the columns {', '.join(COLUMNS)})")
    keys = [column_key(h) if h.strip() else None for h in header]  # None: a nameless column (Excel's trailing commas)
    for index, (raw, key) in enumerate(zip(header, keys), start=1):
        if key is None:
            continue
        if key not in COLUMNS:
            problem(1, f"{index} ({shown(raw)})", f"unknown column (the columns are {', '.join(COLUMNS)})")
        elif keys.index(key) != index - 1:
            problem(1, f"{index} ({shown(raw)})", f"repeats column {keys.index(key) + 1}")
    for key in REQUIRED:
        if key not in keys:
            problem(1, None, f"no {key} column (the columns are {', '.join(COLUMNS)}; lms_id is optional)")
    if problems:
        raise RosterError("\n".join(problems))

    students: dict[str, Student] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problem(reader.line_num, None, f"cannot be read as CSV ({exc})")
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # a blank line (a spreadsheet's trailing rows)
        if len(row) > len(keys) and any(cell.strip() for cell in row[len(keys):]):
            problem(line, None, f"{len(row)} cells but the header has {len(keys)} columns")
            continue
        cells = {key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(keys) if key}
        bad = False
        for i, key in enumerate(keys):
            if key is None and i < len(row) and row[i].strip():
                problem(line, str(i + 1), f"{shown(row[i].strip())} is under a column with no name in the header")
                bad = True
        for key, value in cells.items():
            message = _problem(value, key)
            if message:
                problem(line, key, message)
                bad = True
        sid = cells["student_id"]
        if bad:
            continue
        if sid in students:
            problem(line, "student_id", f"student id {shown(sid)} is already on line {students[sid].line}")
            continue
        students[sid] = Student(sid, cells["first_name"], cells["last_name"], cells["email"],
                                cells.get("lms_id", ""), line)
    if problems:
        more = len(problems) - MAX_ERRORS
        listed = problems[:MAX_ERRORS] + ([f"... and {more} more problem(s)"] if more > 0 else [])
        raise RosterError("\n".join(listed))
    return students


def load_roster(path: Path) -> dict[str, Student]:
    """The roster file at `path`; RosterError naming it when it cannot be read or used."""
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"cannot read the roster {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RosterError(f"{path} line {line}: not UTF-8 text (save the roster as 'CSV UTF-8')") from None
    return parse_roster(text, str(path))


if __name__ == "__main__":  # `python -m course.roster FILE`: check a roster (deploy/hub/start.sh does)
    import sys

    try:
        found = load_roster(Path(sys.argv[1]))
    except (RosterError, IndexError) as exc:
        print(exc if isinstance(exc, RosterError) else "usage: python -m course.roster FILE", file=sys.stderr)
        sys.exit(2)
    print(" ".join(found))
