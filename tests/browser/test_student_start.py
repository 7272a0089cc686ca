"""What `course start` gives a student, in Chromium: JupyterLab with the Assignments panel working
(the lessons are listed as fetched, Submit sends one) and without the instructor's panels."""
from __future__ import annotations

from pathlib import Path

import pytest

from course.cli.start import lab_command, lab_env, local_exchange, set_up

from .support import register_server
from .support import A, UI_TIMEOUT, JupyterServer, login, open_nbgrader_menu, screenshot

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def student(tmp_path_factory, request):
    base = tmp_path_factory.mktemp("start")
    work = (base / "negotiation-course").resolve()
    set_up(REPO, work)                                   # `course start --no-lab`
    server = JupyterServer(lab_command(work, None, open_browser=False), base / "jupyter", cwd=work, name="student")
    server.env = lab_env(work, server.env)               # as `course start` runs JupyterLab
    register_server(request, server)
    server.start()
    yield {"work": work, "server": server}
    server.stop()


def test_assignments_panel_submits_and_instructor_panels_are_off(page, student, tmp_path):
    server, work = student["server"], student["work"]
    login(page, server)
    open_nbgrader_menu(page, f"{server.url}/lab/workspaces/start?reset")
    assert page.get_by_role("menuitem", name="Formgrader").count() == 0
    assert page.get_by_role("menuitem", name="Course List").count() == 0
    page.get_by_role("menuitem", name="Assignment List").click()

    fetched = page.locator("#fetched_assignments_list")
    fetched.get_by_text(A).first.wait_for(timeout=UI_TIMEOUT)
    row = fetched.locator(".list_item", has_text=A).first
    row.get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list").get_by_text(A).first.wait_for(timeout=UI_TIMEOUT)
    screenshot(page, "student-assignments-panel", tmp_path)
    inbound = local_exchange(work) / "police-negotiation" / "inbound"
    assert [p.name.split("+")[1] for p in inbound.iterdir()] == [A]
