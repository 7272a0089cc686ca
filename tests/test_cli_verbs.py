"""The instructor verbs: --help, errors that name the thing, status counts, the grades CSV,
and zip_collect of an LMS download."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import nbformat
import pytest

from support.pipeline import course_cli, course_main
from course.cli import main as cli_main
from course.cli.collect import collect
from course.cli.progress import Progress

ASSIGNMENT = "02-active-listening"
VERBS = ["status", "release", "collect", "autograde", "feedback", "grades", "demo"]


@pytest.mark.parametrize("verb", VERBS)
def test_help_says_what_each_verb_does(verb, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli_main.main([verb, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert f"course {verb}" in text and len(text.split()) > 30


def test_every_verb_is_registered_once():
    names = [verb.__name__.rsplit(".", 1)[-1] for verb in cli_main.VERBS]
    assert set(VERBS) <= set(names) and len(names) == len(set(names))


def test_progress_line_shows_counts_and_time_left():
    out = io.StringIO()
    progress = Progress(40, stream=out, tty=False)
    progress.advance("alice", step=12)
    line = out.getvalue().strip()
    assert line.startswith("[12/40] 30% elapsed 0:0") and "left ~" in line and line.endswith("alice")
    tty = io.StringIO()
    Progress(2, stream=tty, tty=True).advance()
    assert tty.getvalue().startswith("\r[1/2] 50%")


@pytest.mark.parametrize("args, named", [
    (["autograde", "no-such-lesson"], "no-such-lesson"),
    (["release", "no-such-lesson"], "no-such-lesson"),
    (["collect", ASSIGNMENT, "--zip", "missing-download.zip"], "missing-download.zip"),
    (["feedback", ASSIGNMENT], ASSIGNMENT),
    (["grades", "no-such-lesson"], "no-such-lesson"),
    (["status", "no-such-lesson"], "no-such-lesson"),
])
def test_errors_exit_nonzero_and_name_the_thing(course_copy, args, named):
    result = course_main(course_copy, *args)
    assert result.returncode != 0
    assert named in result.stderr and "Traceback" not in result.stderr


def write_reflection(path: Path) -> None:
    """A student writes their reflection (a cell graded by hand); the others leave it blank, which
    nbgrader scores 0 without asking for manual grading."""
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "markdown"]
    assert cells, "the lesson has no written answer cell"
    cells[0].source = "I would slow down, label his feelings and paraphrase before offering any option."
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def klass(the_class, tmp_path_factory):
    """Released; perfect, midway and blank submitted and collected (midway then wrote a reflection,
    and wrote no written reply, so only the reflection waits for the instructor); dave submitted
    after the collect."""
    base = tmp_path_factory.mktemp("verbs")
    course = the_class.clone(base / "course", [ASSIGNMENT], ["perfect", "midway", "blank"])
    collect(course, ASSIGNMENT)
    write_reflection(course / "submitted" / "midway" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    the_class.submit_copy(course, ASSIGNMENT, "perfect", "dave")
    return {"base": base, "course": course}


@pytest.mark.e2e
def test_status_counts_and_grades_csv(klass):
    course = klass["course"]
    status = course_cli(course, "status", ASSIGNMENT)
    assert status.returncode == 0, status.stderr
    row = status.stdout.splitlines()[1].split()
    assert row == [ASSIGNMENT, "yes", "4", "3", "0", "0", "0"], status.stdout

    errors = course_cli(course, "autograde", ASSIGNMENT, "--student", "zed")
    assert errors.returncode == 1 and "zed" in errors.stderr
    dask = course_cli(course, "autograde", ASSIGNMENT, "--dask", "tcp://127.0.0.1:1")
    assert dask.returncode == 1 and "PostgreSQL" in dask.stderr

    graded = course_cli(course, "autograde", ASSIGNMENT, "--workers", "2", "--student", "perfect", "--student", "midway")
    assert graded.returncode == 0, graded.stderr
    assert "[2/2] 100%" in graded.stdout
    feedback = course_cli(course, "feedback", ASSIGNMENT, "--student", "perfect")
    assert feedback.returncode == 0, feedback.stderr
    assert (course / "feedback" / "perfect" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    row = course_cli(course, "status").stdout.splitlines()
    row = next(line for line in row if line.startswith(ASSIGNMENT)).split()
    # needs_manual: the submissions with a grade waiting for the instructor: midway's reflection, and
    # (since written replies' suggested scores wait for confirmation) any written reply
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "police-negotiation") as gb:
        waiting = {s["student"] for s in gb.submission_dicts(ASSIGNMENT) if s["needs_manual_grade"]}
    assert "midway" in waiting
    assert row == [ASSIGNMENT, "yes", "4", "3", "2", "1", str(len(waiting))]

    out = course / "grades.csv"
    result = course_cli(course, "grades", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(out.open(newline="")))
    assert rows[0][:4] == ["student_id", "last_name", "first_name", "email"] and rows[0][-1] == "total"
    assert ASSIGNMENT in rows[0]
    column = rows[0].index(ASSIGNMENT)
    assert rows[1][0] == "Points Possible" and float(rows[1][column]) > 0
    by_student = {r[0]: r for r in rows[2:]}
    assert sorted(by_student) == ["midway", "perfect"]  # a row per student in the gradebook
    assert float(by_student["perfect"][column]) > float(by_student["midway"][column]) > 0
    for r in rows[1:]:
        assert float(r[-1]) == pytest.approx(sum(float(v) for v in r[4:-1]))


@pytest.mark.e2e
def test_zip_collect_from_an_lms_download(klass, the_class, tmp_path):
    """Canvas-style names: <student>_<id>_<id>_<file>. Grading the imported copies gives the same
    scores as grading the exchange-collected ones."""
    source = klass["course"]
    archive = tmp_path / "lms-download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for number, student in enumerate(["perfect", "midway"], start=100):
            folder = source / "submitted" / student / ASSIGNMENT
            for path in sorted(folder.iterdir()):
                if path.name != "timestamp.txt":
                    zf.write(path, f"{student}_{number}_{number + 50}_{path.name}")
        zf.writestr("readme.txt", "not a submission")
    course = the_class.clone(tmp_path / "lms", [ASSIGNMENT], students=[])
    result = course_cli(course, "collect", ASSIGNMENT, "--zip", str(archive))
    assert result.returncode == 0, result.stderr
    for student in ("perfect", "midway"):
        folder = course / "submitted" / student / ASSIGNMENT
        assert (folder / f"{ASSIGNMENT}.ipynb").is_file() and (folder / f"{ASSIGNMENT}.answers.json").is_file()
    graded = course_cli(course, "autograde", ASSIGNMENT, "--workers", "2")
    assert graded.returncode == 0, graded.stderr
    # the same two submissions graded from the exchange collect (already done if the status test ran)
    assert course_cli(source, "autograde", ASSIGNMENT, "--student", "perfect", "--student", "midway").returncode == 0
    ours = course_cli(course, "grades", "-o", "-").stdout
    theirs = course_cli(source, "grades", "-o", "-").stdout
    assert [r[:6] for r in csv.reader(io.StringIO(ours))][2:] == [r[:6] for r in csv.reader(io.StringIO(theirs))][2:4]

    bad = tmp_path / "not-a-zip.zip"
    bad.write_text("hello")
    result = course_cli(course, "collect", ASSIGNMENT, "--zip", str(bad))
    assert result.returncode == 1 and "not-a-zip.zip" in result.stderr


def test_status_in_a_fresh_checkout_only_reads(course_copy):
    """Neither the gradebook nor the exchange is created by looking at the status."""
    result = course_cli(course_copy, "status")
    assert result.returncode == 0, result.stderr
    assert ASSIGNMENT in result.stdout and "Traceback" not in result.stderr
    assert not (course_copy / "gradebook.db").exists()
    assert not (course_copy / "exchange").exists()


def test_grades_csv_rounds_points_as_formgrader_shows_them(course_copy, tmp_path):
    """nbgrader stores 31.134; formgrader shows 31.13 (2 decimals), and so does the CSV."""
    from nbgrader.api import Gradebook

    from course.cli.grades import gradebook_table, write_csv

    with Gradebook(f"sqlite:///{course_copy / 'gradebook.db'}", "police-negotiation") as gb:
        gb.add_assignment("a1")
        gb.add_notebook("a1", "a1")
        gb.add_grade_cell("t1", "a1", "a1", max_score=40, cell_type="code")
        gb.add_grade_cell("t2", "a1", "a1", max_score=2.5, cell_type="code")
        for student, (one, two) in {"ann": (31.134, 2.005), "bo": (10.0, 0.1255)}.items():
            gb.add_student(student)
            gb.add_submission("a1", student)
            gb.find_grade("t1", "a1", "a1", student).auto_score = one
            gb.find_grade("t2", "a1", "a1", student).auto_score = two
        gb.db.commit()
    header, rows = gradebook_table(course_copy)
    text = write_csv(header, rows, str(tmp_path / "g.csv"))
    by_student = {r[0]: r for r in csv.reader(io.StringIO(text))}
    assert by_student["Points Possible"][4:] == ["42.5", "42.5"]
    assert by_student["ann"][4:] == ["33.14", "33.14"]      # 33.139 -> 33.14
    assert by_student["bo"][4:] == ["10.13", "10.13"]       # 10.1255 -> 10.13
    assert all(len(v.partition(".")[2]) <= 2 for r in rows for v in r[4:])


@pytest.mark.parametrize("args, path", [
    (["grades", "-o", "/nonexistent/dir/g.csv"], "/nonexistent/dir/g.csv"),
    (["report", "--out", "/proc/nope"], "/proc/nope"),
])
def test_unwritable_output_is_one_line_naming_the_path(course_copy, args, path):
    result = course_main(course_copy, *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and path in lines[0], result.stderr
