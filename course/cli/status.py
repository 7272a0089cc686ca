"""`course status`: where each assignment is in the workflow.

Per assignment: released to the exchange?, and how many students have submitted
(in the exchange), been collected, autograded, had feedback generated, and still
need manual grading (a reflection or any answer the autograder could not score).
Status only reads: a SQLite gradebook is opened read-only and a missing one counts as empty
(never created), and a missing exchange means nothing is released yet.
"""
from __future__ import annotations

import contextlib
import glob
import os
from pathlib import Path

from ..coursedir import read_only_url, sqlite_file
from . import hubrecord
from .coursedir import assignments, find_root, load_config, require_assignment

COLUMNS = ["assignment", "released", "submitted", "collected", "autograded", "feedback", "needs_manual"]


def _students_in(coursedir, directory: str, assignment: str) -> set[str]:
    pattern = coursedir.format_path(directory, "*", assignment)
    return {Path(p).parent.name for p in glob.glob(pattern) if os.path.isdir(p)}


def exchange_submitters(api, assignment: str) -> set[str]:
    """Students with a submission of `assignment` in the exchange's inbound folder."""
    inbound = Path(api.exchange_root or "") / api.course_id / "inbound"
    if not api.exchange_root or not inbound.is_dir():
        return set()
    found = set()
    for entry in inbound.iterdir():
        parts = entry.name.rsplit("+", 3)  # student+assignment+timestamp[+random]; ids may hold '+'
        if len(parts) == 4 and parts[1] != assignment:
            parts = entry.name.rsplit("+", 2)
        if len(parts) >= 3 and parts[1] == assignment:
            found.add(parts[0])
    return found


def inbound_problems(api, assignment: str) -> list[str]:
    """What collect would refuse or report in the inbound for `assignment` (see course.inbound)."""
    from ..inbound import examine

    inbound = Path(api.exchange_root or "") / api.course_id / "inbound"
    if not api.exchange_root or not inbound.is_dir():
        return []
    return [f"{assignment}: {line}" for line in examine(inbound, assignment, api.coursedir.max_dir_size).messages()]


def read_only_api(root: Path):
    """nbgrader's API for the course, reading the gradebook without creating or writing it."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    class ReadOnlyAPI(NbGraderAPI):
        @property
        def gradebook(self):
            return Gradebook(read_only_url(self.coursedir.db_url, root, missing="empty"), self.course_id)

    return ReadOnlyAPI(config=load_config(root))


def status(root: Path, names: list[str] | None = None) -> list[dict]:
    api = read_only_api(root)
    coursedir = api.coursedir
    released = api.get_released_assignments()
    gradebook_file = sqlite_file(coursedir.db_url, root)
    # Nothing graded yet: no gradebook to read (opening an empty one costs nbgrader seconds each time).
    graded = gradebook_file is None or gradebook_file.is_file()
    rows = []
    with contextlib.ExitStack() as stack:
        gb = stack.enter_context(api.gradebook) if graded else None
        for name in names or assignments(root):
            needs_manual = 0
            try:
                needs_manual = sum(1 for s in gb.submission_dicts(name) if s["needs_manual_grade"]) if gb else 0
            except Exception:  # not yet in the gradebook
                needs_manual = 0
            rows.append({
                "assignment": name,
                "released": name in released,
                "submitted": len(exchange_submitters(api, name)),
                "collected": len(_students_in(coursedir, coursedir.submitted_directory, name)),
                "autograded": len(api.get_autograded_students(name)) if graded else 0,
                "feedback": len(_students_in(coursedir, coursedir.feedback_directory, name)),
                "needs_manual": needs_manual,
                "problems": inbound_problems(api, name),
            })
    return rows


def format_table(rows: list[dict]) -> str:
    cells = [COLUMNS] + [[str(r["assignment"]), "yes" if r["released"] else "no"]
                         + [str(r[c]) for c in COLUMNS[2:]] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths)))
                     for row in cells)


def run(args) -> int:
    root = find_root()
    for name in args.assignments:
        require_assignment(root, name)
    rows = status(root, args.assignments or None)
    print(format_table(rows))
    problems = [line for row in rows for line in row["problems"]]
    if problems:  # impersonations, unsafe ids, oversized folders, timestamps that disagree with arrival
        print("\nIn the exchange's inbound (collect refuses or corrects these):")
        print("\n".join(f"  {line}" for line in problems))
    print_quarantine(root, args.assignments or None)
    return 0


def print_quarantine(root: Path, names: list[str] | None) -> None:
    """On the class hub: entries its sealing service quarantined, by student (deploy/hub/)."""
    entries = hubrecord.read_record(read_only_api(root))
    lines = [line for name in (names or [None]) for line in hubrecord.quarantine_lines(entries, name)]
    if lines:
        print("\nquarantined in the exchange (by student):")
        print("\n".join(f"  {line}" for line in lines))


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("status", help="per assignment: released?, submitted, collected, autograded, "
                                   "feedback, needing manual grading", description=__doc__)
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all in source/)")
    parser.set_defaults(func=run)
