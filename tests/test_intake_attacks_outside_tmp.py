"""Attacks on what reaches grading before any code runs: the exchange's inbound folder, an LMS
archive, and answers that break the class's tools (issue 24, sections 2 and 3).

The course lives under /var/tmp (as in test_attacks_outside_tmp.py). The widget lesson (02) is
submitted by honest students and by attackers; the inbound is collected by `course collect` and
by plain `nbgrader collect`, each then graded by `course autograde --workers 2` and by plain
`nbgrader autograde`. An LMS download carrying a student's hostile upload is imported with
`course collect --zip` and graded the same two ways.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from support import copy_course
from support.pipeline import COURSE_ID, course_cli, nbgrader
from test_attacks_outside_tmp import OUTSIDE_TMP, WIDGET_ANSWERS, WIDGETS, read_scores, write_submission

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("bwrap") is None,
                                                  reason="bubblewrap is not installed (apt-get install bubblewrap)")]

WRONG_ANSWERS = {"format": 1, "notebook": WIDGETS, "answers": {
    "al-g2": {"kind": "single", "value": "a", "mode": "graded"},
    "al-g4": {"kind": "single", "value": "a", "mode": "graded"}}}
HONEST = ["ann", "ben", "vic", "tim"]
UNSAFE_IDS = ["..", "=2+5", '=HYPERLINK("x.example?"&A1)', "eve\n=1+1", "<img src=x onerror=alert(1)>"]
OWNER = "daemon"  # an account every Debian has: stands for a student who submits as their own user
DUE = dt.datetime(2020, 1, 1)


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _inbound(exchange: Path) -> Path:
    return exchange / COURSE_ID / "inbound"


def _folder_of(exchange: Path, student: str) -> Path:
    return max((p for p in _inbound(exchange).iterdir() if p.name.startswith(f"{student}+{WIDGETS}+")),
               key=lambda p: p.name)


def _plant(exchange: Path, like: Path, name: str, answers: dict | None = None) -> Path:
    """A folder dropped into the inbound by someone, copied from a real submission."""
    target = _inbound(exchange) / name
    shutil.copytree(like, target)
    if answers is not None:
        (target / f"{WIDGETS}.answers.json").write_text(json.dumps(answers))
    return target


def _set_due_date(course: Path) -> None:
    from nbgrader.api import Gradebook

    with Gradebook("sqlite:///" + str(course / "gradebook.db"), COURSE_ID) as gb:
        gb.update_or_create_assignment(WIDGETS, duedate=DUE)


def _late_seconds(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook("sqlite:///" + str(course / "gradebook.db"), COURSE_ID) as gb:
        return {s.student.id: s.total_seconds_late for s in gb.assignment_submissions(WIDGETS)}


def _modes(folder: Path) -> list[str]:
    """Paths under `folder` with a setuid, setgid or any executable bit on a file."""
    bad = []
    for path in folder.rglob("*"):
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode) and mode & (stat.S_ISUID | stat.S_ISGID | 0o111):
            bad.append(f"{path} {oct(mode)}")
    return bad


def _released_course(request, name: str) -> tuple[Path, Path]:
    """A copy of the course outside /tmp (removed after the module) with the widget lesson
    generated and released to its own exchange; returns (base folder, course)."""
    base = OUTSIDE_TMP / f"course-{name}-{uuid.uuid4().hex[:8]}"
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    course = copy_course(base / "course")
    nbgrader(course, "generate_assignment", WIDGETS, "--force")
    nbgrader(course, "release_assignment", WIDGETS)
    return base, course


@pytest.fixture(scope="module")
def inbound_class(request):
    """Honest students, then in the inbound: a folder in vic's name dated 2099, a newer folder
    in the OS user daemon's name owned by someone else, folders under five unsafe ids, a 101 MB
    folder, tim's timestamp.txt rewritten to 2000, a setuid executable in ann's folder."""
    base, course = _released_course(request, "inbound")
    exchange = course / "exchange"
    _set_due_date(course)
    home = base / "home"
    for student in HONEST + [OWNER]:
        write_submission(home / student, WIDGETS, student, exchange, answers=WIDGET_ANSWERS)
    honest = _folder_of(exchange, "ann")
    tool = _folder_of(exchange, "ann") / "tool"
    shutil.copy("/bin/true", tool)
    os.chmod(tool, 0o4755)
    # vic's classmate plants a wrong submission in vic's name, dated in the future
    _plant(exchange, honest, f"vic+{WIDGETS}+2099-01-01 00:00:00.000000 UTC", WRONG_ANSWERS)
    # daemon submitted as their own user; root (another uid) plants a newer one in their name
    daemon_uid = pwd.getpwnam(OWNER).pw_uid
    for path in [_folder_of(exchange, OWNER), *_folder_of(exchange, OWNER).rglob("*")]:
        os.lchown(path, daemon_uid, -1)
    _plant(exchange, honest, f"{OWNER}+{WIDGETS}+{_stamp(dt.datetime.utcnow())}", WRONG_ANSWERS)
    for n, student in enumerate(UNSAFE_IDS):
        _plant(exchange, honest, f"{student}+{WIDGETS}+{_stamp(dt.datetime.utcnow())}")
    big = write_submission(home / "big", WIDGETS, "big", exchange, answers=WIDGET_ANSWERS)
    with open(_folder_of(exchange, "big") / "video.mp4", "wb") as handle:  # 101 MB, sparse
        handle.truncate(101 * 10**6)
    (_folder_of(exchange, "tim") / "timestamp.txt").write_text("2000-01-01 00:00:00.000000 UTC")
    runs = {}
    for how in ("course", "nbgrader"):
        target = base / f"by-{how}"
        # collect only reads the exchange: both read the one the class submitted to (a copy would
        # change every folder's owner and arrival time)
        shutil.copytree(course, target, symlinks=True, ignore=shutil.ignore_patterns("exchange"))
        flags = [f"--Exchange.root={exchange}"]
        env = {**os.environ, "COURSE_EXCHANGE": str(exchange)}
        if how == "course":
            collect = course_cli(target, "collect", WIDGETS, env=env)
            status = course_cli(target, "status", WIDGETS, env=env)
            grade = course_cli(target, "autograde", WIDGETS, "--workers", "2")
            feedback = course_cli(target, "feedback", WIDGETS, "--no-release", env=env)
        else:
            collect = nbgrader(target, "collect", WIDGETS, *flags, check=False)
            status = None
            grade = nbgrader(target, "autograde", WIDGETS, check=False)
            feedback = nbgrader(target, "generate_feedback", WIDGETS, check=False)
        runs[how] = {"course": target, "collect": collect, "status": status, "grade": grade,
                     "feedback": feedback, "scores": read_scores(target), "late": _late_seconds(target)}
    return {"course": course, "runs": runs, "big": big}


HOW = ["course", "nbgrader"]


def _said(result) -> str:
    return result.stdout + result.stderr


@pytest.mark.parametrize("how", HOW)
def test_every_honest_student_is_collected_graded_and_given_feedback(inbound_class, how):
    run = inbound_class["runs"][how]
    assert run["collect"].returncode == 0, _said(run["collect"])[-3000:]
    assert run["grade"].returncode == 0, _said(run["grade"])[-3000:]
    assert run["feedback"].returncode == 0, _said(run["feedback"])[-3000:]
    submitted = sorted(p.name for p in (run["course"] / "submitted").iterdir())
    assert submitted == sorted(HONEST + [OWNER]), submitted
    for student in HONEST + [OWNER]:
        assert (run["course"] / "feedback" / student / WIDGETS).is_dir(), f"{student} got no feedback ({how})"


@pytest.mark.parametrize("how", HOW)
def test_a_submission_planted_in_a_classmates_name_is_refused(inbound_class, how):
    run = inbound_class["runs"][how]
    honest = run["scores"][("ann", WIDGETS)]
    assert honest > 0
    assert run["scores"][("vic", WIDGETS)] == honest      # not the 2099 folder's wrong answers
    assert run["scores"][(OWNER, WIDGETS)] == honest       # not root's newer folder in daemon's name
    said = _said(run["collect"])
    assert "vic+" in said and "future" in said and "impersonation" in said
    assert f"{OWNER}+" in said and "owned by uid 0" in said


def test_course_status_reports_the_impersonation_and_the_timestamp(inbound_class):
    status = inbound_class["runs"]["course"]["status"]
    assert status.returncode == 0, _said(status)
    assert "student 'vic'" in status.stdout and "impersonation" in status.stdout
    assert "student 'tim': timestamp.txt says 2000-01-01" in status.stdout


@pytest.mark.parametrize("how", HOW)
def test_unsafe_student_ids_are_refused_and_named_escaped(inbound_class, how):
    run = inbound_class["runs"][how]
    said = _said(run["collect"])
    for student in UNSAFE_IDS:
        assert ascii(student) in said, f"{student!r} not reported ({how})"
    assert "eve\n" not in said  # a newline in an id cannot forge a line of the output
    assert not (run["course"] / WIDGETS).exists()  # `..` would have written ROOT/<lesson>


@pytest.mark.parametrize("how", HOW)
def test_an_oversized_folder_is_skipped_and_the_rest_collected(inbound_class, how):
    run = inbound_class["runs"][how]
    assert not (run["course"] / "submitted" / "big").exists()
    assert "student 'big'" in _said(run["collect"]) and "larger than" in _said(run["collect"])


@pytest.mark.parametrize("how", HOW)
def test_a_backdated_timestamp_does_not_escape_the_late_flag(inbound_class, how):
    run = inbound_class["runs"][how]
    assert run["late"]["tim"] > 0 and run["late"]["tim"] == pytest.approx(run["late"]["ann"], abs=600)
    said = _said(run["collect"])
    assert "student 'tim': timestamp.txt says 2000-01-01 00:00:00 UTC but" in said


@pytest.mark.parametrize("how", HOW)
def test_no_setuid_or_executable_bit_survives_collect(inbound_class, how):
    run = inbound_class["runs"][how]
    assert (run["course"] / "submitted" / "ann" / WIDGETS / "tool").is_file()
    assert _modes(run["course"] / "submitted") == []


# --- an LMS download -------------------------------------------------------------------------

def _zip_bytes(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buffer.getvalue()


def _gib_of_zeros(zf: zipfile.ZipFile, name: str) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as handle:
        block = bytes(1 << 20)
        for _ in range(1024):
            handle.write(block)


def _mode_entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def _graded_by_both(base: Path, course: Path, how: str) -> tuple[Path, object]:
    """A copy of the collected course graded by `course autograde --workers 2` or plain
    `nbgrader autograde`; returns (the copy, the grading run)."""
    target = base / f"by-{how}"
    shutil.copytree(course, target, symlinks=True)
    grade = (course_cli(target, "autograde", WIDGETS, "--workers", "2") if how == "course"
             else nbgrader(target, "autograde", WIDGETS, check=False))
    return target, grade


@pytest.fixture(scope="module")
def lms_class(request):
    base = OUTSIDE_TMP / f"course-lms-{uuid.uuid4().hex[:8]}"
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    course = copy_course(base / "course")
    nbgrader(course, "generate_assignment", WIDGETS, "--force")
    notebook = (course / "release" / WIDGETS / f"{WIDGETS}.ipynb").read_bytes()
    answers = json.dumps(WIDGET_ANSWERS).encode()
    upload = io.BytesIO()  # what mal uploaded: it names classmates, escapes, links, a setuid file, 1 GiB
    with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{WIDGETS}.ipynb", notebook)
        zf.writestr(f"{WIDGETS}.answers.json", answers)
        zf.writestr(f"x/vic_1_2_{WIDGETS}.ipynb", notebook)
        zf.writestr(f"vic_1_2_{WIDGETS}.answers.json", json.dumps(WRONG_ANSWERS))
        zf.writestr(f"ann_1_2_{WIDGETS}.answers.json", json.dumps(WRONG_ANSWERS))
        zf.writestr(f".._1_2_{WIDGETS}.ipynb", notebook)
        zf.writestr(_mode_entry("run.ipynb", 0o104755), b"#!/bin/sh\nid\n")
        zf.writestr(_mode_entry("key.json", 0o120777), str(course / "keys" / f"{WIDGETS}.yaml"))
        zf.writestr(f"{WIDGETS}.answers.json/y", b"x beside x/y")
        _gib_of_zeros(zf, "big.json")
    entries = []
    for n, student in enumerate(["ann", "ben"]):
        entries += [(f"{student}_{100 + n}_{200 + n}_{WIDGETS}.ipynb", notebook),
                    (f"{student}_{100 + n}_{200 + n}_{WIDGETS}.answers.json", answers)]
    entries += [(f"mal_102_202_{WIDGETS}.zip", upload.getvalue())]
    entries += [(f"{student}_1_2_{WIDGETS}.ipynb", notebook) for student in UNSAFE_IDS if "_" not in student]
    entries += [(f"ben_100_200_{WIDGETS}.ipynb/y", b"x beside x/y"), (f"ben_100_200_{WIDGETS}.ipynb", notebook)]
    archive = base / "lms-download.zip"
    archive.write_bytes(_zip_bytes(entries))
    collect = course_cli(course, "collect", WIDGETS, "--zip", str(archive))
    runs = {}
    for how in ("course", "nbgrader"):
        target, grade = _graded_by_both(base, course, how)
        grades = course_cli(target, "grades", "-o", "-")
        runs[how] = {"course": target, "grade": grade, "grades": grades, "scores": read_scores(target)}
    return {"course": course, "archive": archive, "collect": collect, "runs": runs}


def test_the_lms_import_takes_only_what_the_lms_named(lms_class):
    collect, course = lms_class["collect"], lms_class["course"]
    assert collect.returncode == 0, _said(collect)
    assert lms_class["archive"].stat().st_size < 2 * 2**20
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ann", "ben", "mal"]
    assert not (course / WIDGETS).exists() and not (course / "submitted" / "vic").exists()
    mal = course / "submitted" / "mal" / WIDGETS
    # mal's upload is mal's: flat, whatever names it holds; its setuid file is a plain 0644 file
    assert sorted(p.name for p in mal.iterdir()) == sorted([f"{WIDGETS}.ipynb", f"{WIDGETS}.answers.json",
                                                            f"vic_1_2_{WIDGETS}.ipynb", "run.ipynb",
                                                            f"vic_1_2_{WIDGETS}.answers.json",
                                                            f"ann_1_2_{WIDGETS}.answers.json"])
    ann = json.loads((course / "submitted" / "ann" / WIDGETS / f"{WIDGETS}.answers.json").read_text())
    assert ann == WIDGET_ANSWERS  # mal's file named for ann stayed in mal's folder
    said = _said(collect)
    for student in UNSAFE_IDS:
        if "_" not in student:
            assert ascii(student) in said
    assert "key.json': a link or special file" in said
    assert "big.json': too large" in said
    assert "a second '02-active-listening.ipynb' for student 'ben'" in said  # the duplicate did not stop the rest
    assert "eve\n" not in said


def test_the_lms_import_writes_no_big_file_no_mode_and_no_link(lms_class):
    assert (lms_class["course"] / "submitted" / "mal" / WIDGETS / "run.ipynb").is_file()  # imported, as a plain file
    for path in (lms_class["course"] / "submitted").rglob("*"):
        info = os.lstat(path)
        assert not stat.S_ISLNK(info.st_mode), path
        assert info.st_size < 60 * 2**20, path
        if stat.S_ISREG(info.st_mode):
            assert stat.S_IMODE(info.st_mode) == 0o644, (path, oct(info.st_mode))


@pytest.mark.parametrize("how", HOW)
def test_the_imported_class_is_graded_by_both_graders(lms_class, how):
    run = lms_class["runs"][how]
    assert run["grade"].returncode == 0, _said(run["grade"])[-3000:]
    assert run["scores"][("ann", WIDGETS)] == run["scores"][("ben", WIDGETS)] == run["scores"][("mal", WIDGETS)] > 0


def test_every_cell_of_course_grades_is_quoted_and_no_formula(lms_class, tmp_path):
    from nbgrader.api import Gradebook

    course = lms_class["runs"]["course"]["course"]
    with Gradebook("sqlite:///" + str(course / "gradebook.db"), COURSE_ID) as gb:
        gb.update_or_create_student("ann", first_name="=HYPERLINK(\"http://x.example\")", last_name="+1-2",
                                    email="@SUM(A1)")
    text = course_cli(course, "grades", "-o", "-").stdout
    for line in text.splitlines():
        assert line.startswith('"') and line.endswith('"'), line
    rows = list(csv.reader(io.StringIO(text)))
    ann = next(r for r in rows if r[0] == "ann")
    assert ann[1:4] == ["'+1-2", "'=HYPERLINK(\"http://x.example\")", "'@SUM(A1)"]
    assert float(ann[4]) > 0  # numbers stay numbers


# --- one answer that broke the class's tools ---------------------------------------------------

def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture(scope="module")
def tool_breakers(request):
    base, course = _released_course(request, "breakers")
    exchange = course / "exchange"
    home = base / "home"
    mathtext = json.loads(json.dumps(WIDGET_ANSWERS))
    mathtext["answers"]["al-g3"] = {"kind": "single", "value": "$\\foo$", "mode": "graded"}
    flood = json.loads(json.dumps(WIDGET_ANSWERS))
    flood["answers"]["al-g5"] = {"kind": "multiple", "value": ["a", "b"] + [f"x{i}" for i in range(60_000)],
                                 "mode": "graded"}
    for student, answers in [("honest", WIDGET_ANSWERS), ("mathtext", mathtext), ("flood", flood),
                             ("deep-answers", None), ("deep-notebook", WIDGET_ANSWERS)]:
        folder = write_submission(home / student, WIDGETS, student, exchange, answers=answers)
        inbound = _folder_of(exchange, student)
        if student == "deep-answers":
            (inbound / f"{WIDGETS}.answers.json").write_text(_deep(200_000))
        if student == "deep-notebook":
            (inbound / f"{WIDGETS}.ipynb").write_text('{"cells": [], "metadata": {"x": ' + _deep(200_000) + "}}")
    nbgrader(course, "collect", WIDGETS)
    runs = {}
    for how in ("course", "nbgrader"):
        target, grade = _graded_by_both(base, course, how)
        feedback = (course_cli(target, "feedback", WIDGETS, "--no-release") if how == "course"
                    else nbgrader(target, "generate_feedback", WIDGETS, check=False))
        # the report's peak memory, measured on its own process
        report = subprocess.run([sys.executable, "-c", (
            "import resource, subprocess, sys\n"
            "done = subprocess.run([sys.executable, '-m', 'course.cli.main', 'report', '--out', 'class-report'],"
            " capture_output=True, text=True)\n"
            "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.stderr.write(done.stdout + done.stderr)\n")], cwd=target, capture_output=True, text=True, timeout=900)
        code, peak_kb = (int(v) for v in report.stdout.split()[-2:])
        runs[how] = {"course": target, "grade": grade, "feedback": feedback, "report": report, "report_code": code,
                     "report_peak_mb": peak_kb / 1024, "scores": read_scores(target)}
    return runs


@pytest.mark.parametrize("how", HOW)
def test_every_student_is_graded_and_the_batch_exits_0(tool_breakers, how):
    run = tool_breakers[how]
    assert run["grade"].returncode == 0, _said(run["grade"])[-3000:]
    assert run["feedback"].returncode == 0, _said(run["feedback"])[-3000:]
    scores = run["scores"]
    honest = scores[("honest", WIDGETS)]
    assert scores[("mathtext", WIDGETS)] == honest and scores[("deep-notebook", WIDGETS)] == honest
    assert scores[("flood", WIDGETS)] >= honest  # the flood's made-up ids dropped, a and b kept
    assert ("deep-answers", WIDGETS) in scores
    intake = json.loads((run["course"] / "autograded" / "deep-notebook" / WIDGETS / "course-intake.json").read_text())
    assert any("nested too deeply" in p for p in intake["problems"])


@pytest.mark.parametrize("how", HOW)
def test_the_class_report_is_written_with_bounded_memory(tool_breakers, how):
    run = tool_breakers[how]
    assert run["report_code"] == 0, run["report"].stderr[-3000:]
    assert run["report_peak_mb"] < 1024, run["report_peak_mb"]
    report = run["course"] / "class-report"
    shares = list(csv.DictReader((report / "csv" / "option_shares.csv").open()))
    assert len([r for r in shares if r["item"] == "al-g5"]) <= 8
    pages = "".join(p.read_text() for p in report.glob("*.html"))
    assert "deep-answers" in pages and "nested too deeply" in pages  # the unreadable answers file, noted
    assert "60000 option id(s) that the item does not define were dropped" in pages
