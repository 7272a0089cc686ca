"""`course start` gives a student a working nbgrader student set-up: the lessons fetched from an
exchange (a local one, or the instructor's), a config the Assignment List and `nbgrader submit`
read, and a JupyterLab without the instructor's panels. Tested without a browser: the server's
own API answers what the Assignments panel would show."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support import REPO
from course.cli.coursedir import CourseError
from course.cli.start import (STUDENT_LAB_EXTENSIONS_OFF, lab_command, lab_env, local_exchange, set_up)

COURSE_ID = "police-negotiation"
LESSONS = sorted(p.name for p in (REPO / "release").iterdir() if p.is_dir())
A = "02-active-listening"


def test_local_set_up_fetches_every_lesson_and_names_the_exchange(tmp_path):
    work = tmp_path / "work"
    done = set_up(REPO, work)
    assert done["local"] and done["fetched"] == LESSONS and done["kept"] == []
    exchange = local_exchange(work.resolve())
    for name in LESSONS:
        assert (work / name / f"{name}.ipynb").read_bytes() == (REPO / "release" / name / f"{name}.ipynb").read_bytes()
        assert (exchange / COURSE_ID / "outbound" / name / f"{name}.ipynb").is_file()
    assert (exchange / COURSE_ID / "inbound").is_dir()
    config = (work / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.course_id = {COURSE_ID!r}" in config and str(exchange) in config
    page = json.loads((work / ".course" / "jupyter" / "labconfig" / "page_config.json").read_text())
    assert sorted(page["disabledExtensions"]) == sorted(STUDENT_LAB_EXTENSIONS_OFF)
    assert (work / ".course").stat().st_mode & 0o077 == 0


def test_the_release_folder_is_where_the_course_config_puts_it(tmp_path):
    """A course whose nbgrader_config.py names another release folder is released from there."""
    from support import copy_course

    course = copy_course(tmp_path / "course")
    (course / "release").rename(course / "student_release")
    with (course / "nbgrader_config.py").open("a") as config:
        config.write('\nc.CourseDirectory.release_directory = "student_release"\n')
    done = set_up(course, tmp_path / "work")
    assert done["fetched"] == LESSONS
    assert (tmp_path / "work" / A / f"{A}.ipynb").read_bytes() == (course / "student_release" / A / f"{A}.ipynb").read_bytes()


def test_a_second_start_keeps_the_students_work(tmp_path):
    work = tmp_path / "work"
    set_up(REPO, work)
    notebook = work / A / f"{A}.ipynb"
    notebook.write_text("my work")
    (work / A / f"{A}.answers.json").write_text("{}")
    done = set_up(REPO, work)
    assert done["fetched"] == [] and done["kept"] == LESSONS
    assert notebook.read_text() == "my work" and (work / A / f"{A}.answers.json").exists()


def test_the_instructors_exchange_is_used_as_it_is(tmp_path):
    instructor = tmp_path / "instructor"
    set_up(REPO, instructor)                       # an exchange with the lessons released to it
    exchange = local_exchange(instructor.resolve())
    done = set_up(REPO, tmp_path / "student", exchange=exchange, course_id=COURSE_ID)
    assert not done["local"] and done["fetched"] == LESSONS
    assert not (tmp_path / "student" / ".course" / "exchange").exists()
    assert str(exchange) in (tmp_path / "student" / "nbgrader_config.py").read_text()
    with pytest.raises(CourseError, match="no lessons released to course 'other'"):
        set_up(REPO, tmp_path / "student2", exchange=exchange, course_id="other")
    with pytest.raises(CourseError, match="does not exist"):
        set_up(REPO, tmp_path / "student3", exchange=tmp_path / "nowhere")


def test_a_folder_with_someone_elses_nbgrader_config_is_refused(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    with pytest.raises(CourseError, match="not written by `course start`"):
        set_up(REPO, tmp_path)
    with pytest.raises(CourseError, match="course folder itself"):
        set_up(REPO, REPO)


@pytest.mark.e2e
def test_nbgrader_submit_from_the_students_folder(tmp_path):
    work = tmp_path / "work"
    set_up(REPO, work)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "submit", A], cwd=work, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    inbound = list((local_exchange(work.resolve()) / COURSE_ID / "inbound").iterdir())
    assert len(inbound) == 1 and inbound[0].name.split("+")[1] == A
    assert (inbound[0] / f"{A}.ipynb").is_file()


@pytest.mark.e2e
def test_jupyterlab_as_course_start_runs_it_lists_fetches_and_submits(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from browser.support import JupyterServer

    work = tmp_path / "work"
    set_up(REPO, work)
    server = JupyterServer(lab_command(work.resolve(), None, open_browser=False), tmp_path / "jupyter", cwd=work,
                           name="student")
    server.env = lab_env(work.resolve(), server.env)
    server.start()
    try:
        assert server.api("GET", "/courses") == {"success": True, "value": [COURSE_ID]}
        listed = server.api("GET", f"/assignments?course_id={COURSE_ID}")
        assert listed["success"], listed
        assert {(a["assignment_id"], a["status"]) for a in listed["value"]} == {(n, "fetched") for n in LESSONS}
        for path in ("/formgrader", "/formgrader/api/assignments"):      # the instructor's panel is off
            with pytest.raises(urllib.error.HTTPError) as refused:
                server.api("GET", path)
            assert refused.value.code == 404
        submitted = server.api("POST", "/assignments/submit", {"course_id": COURSE_ID, "assignment_id": A})
        assert submitted["success"], submitted
        assert any(a["assignment_id"] == A and a["status"] == "submitted" for a in submitted["value"])
        request = urllib.request.Request(server.url + "/lab", headers={"Authorization": f"token {server.token}"})
        html = urllib.request.urlopen(request, timeout=30).read().decode()
        page = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                    html, re.S).group(1))
        assert set(STUDENT_LAB_EXTENSIONS_OFF) <= set(page["disabledExtensions"])
        assert "@jupyter/nbgrader:assignment-list" not in page["disabledExtensions"]
    finally:
        server.stop()
    log = server.log.read_text()
    assert "not a subdirectory of the notebook server root" not in log
    assert "formgrader | extension was successfully loaded" not in log
