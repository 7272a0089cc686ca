"""The nbgrader way, in the browser: a student fetches and submits the lesson from JupyterLab's
Assignments panel (nbgrader's labextension), the instructor collects and autogrades, then grades
the reflection by hand in formgrader, opened in its own tab, and the score shows in the export.

Two servers: the student's JupyterLab (its config folder holds an nbgrader_config.py naming the
course id and the exchange) and the instructor's, started in the course folder.
"""
from __future__ import annotations

import re

import pytest

from support.pipeline import COURSE_ID, nbgrader, read_grades

from .support import register_server
from .support import (A, KERNEL_TIMEOUT, NOTEBOOK, UI_TIMEOUT, JupyterServer, enter_manual_score, login,
                      open_nbgrader_menu)

pytestmark = pytest.mark.browser

MANUAL_ITEM = "al-reflection"
MANUAL_SCORE = 3


@pytest.fixture(scope="module")
def course(tmp_path_factory, request):
    from support import copy_course

    base = tmp_path_factory.mktemp("panels")
    course = copy_course(base / "course")
    exchange = course / "exchange"
    nbgrader(course, "generate_assignment", A, "--force")
    nbgrader(course, "release_assignment", A)

    home = base / "student"
    home.mkdir()
    student = JupyterServer.lab(home, base / "student-jupyter", name="student")
    (student.base / "config" / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n")
    instructor = JupyterServer.lab(course, base / "instructor-jupyter", name="instructor")
    for server in (student, instructor):
        register_server(request, server)
    student.start()
    instructor.start()
    yield {"course": course, "home": home, "student": student, "instructor": instructor}
    student.stop()
    instructor.stop()


def test_fetch_submit_in_lab_then_grade_by_hand_in_formgrader(page, course, tmp_path):
    student, home = course["student"], course["home"]
    login(page, student)
    open_nbgrader_menu(page, f"{student.url}/lab/workspaces/panels?reset")
    page.get_by_role("menuitem", name="Assignment List").click()

    released = page.locator("#released_assignments_list")
    released.get_by_text(A).wait_for(timeout=UI_TIMEOUT)
    released.get_by_role("button", name="Fetch").click()
    fetched = page.locator("#fetched_assignments_list")
    fetched.get_by_text(A).first.wait_for(timeout=UI_TIMEOUT)
    assert (home / A / NOTEBOOK).is_file()
    fetched.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list").get_by_text(A).first.wait_for(timeout=UI_TIMEOUT)
    page.screenshot(path=str(tmp_path / "assignments-panel.png"))

    # The instructor collects and autogrades (the course's own commands), then grades by hand.
    folder = course["course"]
    nbgrader(folder, "collect", A)
    nbgrader(folder, "autograde", A)
    student_id = next(iter((folder / "submitted").iterdir())).name

    instructor = course["instructor"]
    formgrader = page.context.new_page()       # formgrader in its own tab
    # Its page asks a CDN for MathJax; offline that request can hang and hold back window load,
    # where formgrader binds its handlers. Refuse it at once, as a blocked network would.
    formgrader.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    login(formgrader, instructor)
    formgrader.goto(f"{instructor.url}/formgrader/gradebook/{A}/{A}")
    formgrader.get_by_role("link", name=re.compile(r"Submission #")).first.click()
    score = formgrader.locator(f"input.score#{MANUAL_ITEM}")
    score.wait_for(timeout=KERNEL_TIMEOUT)
    enter_manual_score(formgrader, score, MANUAL_SCORE, KERNEL_TIMEOUT)
    formgrader.screenshot(path=str(tmp_path / "formgrader.png"))

    row = read_grades(folder)[(student_id, A)]
    # Nothing was answered in the widgets: the whole score is the hand-given one.
    assert float(row["raw_score"]) == pytest.approx(MANUAL_SCORE), row
