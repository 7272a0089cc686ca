"""The same recording works in the other front ends students use: Jupyter Notebook 7 and Voila.

One Jupyter server (JupyterLab's, started as `course start` starts it) serves all three:
Notebook 7 at /tree and /notebooks, Voila through its server extension at /voila/render.
"""
from __future__ import annotations

import re
import time

import pytest

from .support import register_server
from .support import (A, KERNEL_TIMEOUT, NOTEBOOK, UI_TIMEOUT, JupyterServer, course_start, dismiss_toasts, exercise,
                      login, read_answers, saved_cells, screenshot, status_of, wait_for_answer)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def student(tmp_path_factory, request):
    from support import REPO

    base = tmp_path_factory.mktemp("frontends")
    home = course_start(REPO, base / "negotiation-course")
    # Two copies of the lesson, one per front end, so their answers files stay apart.
    (home / "voila").mkdir()
    course_start(REPO, home / "voila")
    server = JupyterServer.lab(home, base / "jupyter")
    register_server(request, server)
    server.start()
    yield {"home": home, "server": server, "saved_cells": saved_cells(home / A / NOTEBOOK)}
    server.stop()


def wait_kernel_idle(server, path: str, timeout: float = KERNEL_TIMEOUT / 1000) -> None:
    """The server's own word that the notebook's kernel has started and is idle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for session in server.api("GET", "/api/sessions"):
            if session["path"].endswith(path) and session["kernel"]["execution_state"] == "idle":
                return
        time.sleep(0.25)
    raise AssertionError(f"no idle kernel for {path} within {timeout} s; sessions: {server.api('GET', '/api/sessions')}")


def test_notebook7_records_a_graded_click(page, student, tmp_path):
    server, home = student["server"], student["home"]
    login(page, server)
    page.goto(f"{server.url}/tree")
    page.locator(".jp-DirListing-item", has_text=A).first.dblclick()
    with page.context.expect_page(timeout=UI_TIMEOUT) as opened:
        page.locator(".jp-DirListing-item", has_text=NOTEBOOK).first.dblclick()
    notebook = opened.value
    notebook.locator(".jp-Notebook").first.wait_for(timeout=UI_TIMEOUT * 2)
    assert "/notebooks/" in notebook.url
    wait_kernel_idle(server, f"{A}/{NOTEBOOK}")
    notebook.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=KERNEL_TIMEOUT)
    dismiss_toasts(notebook)
    notebook.get_by_role("menuitem", name="Run", exact=True).click()
    notebook.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    notebook.wait_for_function(
        """n => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
             .filter(e => /: (not answered yet|answer saved at)/.test(e.textContent)).length >= n""",
        arg=student["saved_cells"], timeout=KERNEL_TIMEOUT)

    g2 = exercise(notebook, "al-g2")
    g2.get_by_role("radio", name=re.compile(r"^\(d\) ")).click()
    g2.get_by_role("button", name="Save answer").click()
    status_of(g2).get_by_text(re.compile(r"^Saved \(")).wait_for(timeout=UI_TIMEOUT)
    assert read_answers(home / A)["al-g2"]["value"] == "d"
    screenshot(g2, "notebook7-graded-single", tmp_path)
    notebook.close()


def test_voila_records_a_graded_click(page, student, tmp_path):
    server, home = student["server"], student["home"]
    login(page, server)
    page.goto(f"{server.url}/voila/render/voila/{A}/{NOTEBOOK}")
    # Voila runs every cell itself and shows only the outputs: no code, no menus.
    page.locator(".course-exercise").nth(7).wait_for(timeout=KERNEL_TIMEOUT)
    assert page.locator(".jp-InputArea-editor").count() == 0
    g4 = exercise(page, "al-g4")
    g4.get_by_role("radio", name=re.compile(r"^\(c\) ")).click()
    g4.get_by_role("button", name="Save answer").click()
    status_of(g4).get_by_text(re.compile(r"^Saved \(")).wait_for(timeout=UI_TIMEOUT)
    record = read_answers(home / "voila" / A)["al-g4"]
    assert record["value"] == "c" and record["mode"] == "graded"
    screenshot(g4, "voila-graded-single", tmp_path)


SCENARIO_LESSON = "03-assessment-and-control"
SCENARIO_ITEM = "ac-g4"


def test_scenario_played_to_an_ending_with_the_mouse(page, student, tmp_path):
    """Lesson 03's graded scenario player (course.exercises.scenario.ScenarioPlayer), in Voila:
    pick an option and press "Save move" until the call ends; the attempt is saved complete."""
    server, home = student["server"], student["home"]
    notebook = home / SCENARIO_LESSON / f"{SCENARIO_LESSON}.ipynb"
    if not notebook.exists():
        pytest.skip(f"{SCENARIO_LESSON} is not released")
    login(page, server)
    page.goto(f"{server.url}/voila/render/{SCENARIO_LESSON}/{SCENARIO_LESSON}.ipynb")
    player = exercise(page, SCENARIO_ITEM)
    player.wait_for(timeout=KERNEL_TIMEOUT)
    debrief = player.get_by_role("region", name="Debrief")
    for step in range(40):
        if debrief.count():
            break
        before = player.text_content()
        player.get_by_role("radio").first.click()
        player.get_by_role("button", name="Save move").click()
        # The step is shown when the page has changed and either the debrief is there or the
        # next options are, none chosen yet (the kernel updates the widgets one by one).
        page.wait_for_function(
            """([box, before]) => box.textContent !== before && (
                   box.querySelector("[aria-label='Debrief']") ||
                   (box.querySelectorAll("input[type=radio]").length > 0 &&
                    !box.querySelector("input[type=radio]:checked")))""",
            arg=[player.element_handle(), before], timeout=UI_TIMEOUT)
    else:
        raise AssertionError("the scenario did not reach an ending in 40 choices")
    assert "Outcome:" in debrief.text_content()
    page.set_viewport_size({"width": 1280, "height": 2400})  # the whole player in one picture
    player.scroll_into_view_if_needed()
    screenshot(player, "scenario-ending", tmp_path)
    deadline = time.monotonic() + 15
    while True:  # the last step's save may land a moment after the page shows the ending
        attempts = wait_for_answer(home / SCENARIO_LESSON, SCENARIO_ITEM, SCENARIO_LESSON)["value"]["attempts"]
        if attempts[-1]["complete"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert attempts[-1]["complete"] is True and len(attempts[-1]["choices"]) == step
