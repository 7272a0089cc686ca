"""`course grades`: export the gradebook as a CSV file an LMS can import.

One row per student (student_id, last_name, first_name, email), one column per
assignment (its score after any late penalty; 0 when nothing was submitted), and a
total column. The first data row, `Points Possible`, holds each assignment's maximum
and the maximum total, as LMS gradebook imports (e.g. Canvas) expect. Manual grades
entered in formgrader are included. Points are rounded to 2 decimals, as formgrader shows
them (nbgrader 0.9's roundToPrecision(score, 2)); the total is the sum of the rounded scores.
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from ..csv_safe import csv_text
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


def gradebook_table(root: Path, names: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
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
        header = FIXED + chosen + ["total"]
        maxima = [gb.find_assignment(a).max_score for a in chosen]
        rows = [[POINTS_ROW, "", "", ""] + [_number(m) for m in maxima] + [_number(sum(maxima))]]
        for student in sorted(gb.students, key=lambda s: s.id):
            scores = []
            for name in chosen:
                try:
                    sub = gb.find_submission(name, student.id)
                except MissingEntry:
                    scores.append(0.0)
                    continue
                scores.append(max(0.0, (sub.score or 0.0) - (sub.late_submission_penalty or 0.0)))
            scores = [rounded(s) for s in scores]
            rows.append([student.id, student.last_name or "", student.first_name or "", student.email or ""]
                        + [_number(s) for s in scores] + [_number(sum(scores))])
    return header, rows


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
    header, rows = gradebook_table(find_root(), args.assignments or None)
    write_csv(header, rows, args.output)
    if args.output != "-":
        print(f"wrote {args.output}: {len(rows) - 1} student(s), {len(header) - len(FIXED) - 1} assignment(s)")
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("grades", help="export grades as an LMS-importable CSV (a row per student)",
                                   description=__doc__)
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every assignment in the gradebook)")
    parser.add_argument("-o", "--output", default="grades.csv", help="CSV file to write, '-' for stdout (default grades.csv)")
    parser.set_defaults(func=run)
