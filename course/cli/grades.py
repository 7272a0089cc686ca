"""`course grades`: export the gradebook as a CSV file an LMS can import.

One row per student (student_id, last_name, first_name, email), one column per
assignment (its score after any late penalty; 0 when nothing was submitted), and a
total column. The first data row, `Points Possible`, holds each assignment's maximum
and the maximum total, as LMS gradebook imports (e.g. Canvas) expect. Manual grades
entered in formgrader are included.
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from .coursedir import CourseError, find_root, nbgrader_api

FIXED = ["student_id", "last_name", "first_name", "email"]
POINTS_ROW = "Points Possible"


def _number(value: float) -> str:
    value = round(float(value), 4)
    return str(int(value)) if value == int(value) else repr(value)


def gradebook_table(root: Path, names: list[str] | None = None) -> tuple[list[str], list[list[str]]]:
    from nbgrader.api import MissingEntry

    api = nbgrader_api(root)
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
            rows.append([student.id, student.last_name or "", student.first_name or "", student.email or ""]
                        + [_number(s) for s in scores] + [_number(sum(scores))])
    return header, rows


def write_csv(header: list[str], rows: list[list[str]], output: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if output == "-":
        sys.stdout.write(buffer.getvalue())
    else:
        Path(output).write_text(buffer.getvalue(), encoding="utf-8")
    return buffer.getvalue()


def run(args) -> int:
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
