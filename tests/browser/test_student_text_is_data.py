"""Student text is data, in a real browser: formgrader and the feedback page run none of it.

A student submits lesson 02 carrying a script payload in every route a student controls: the
reflection, a markdown cell they added, a raw HTML cell, an unknown item id in the answers file
(quoted in the grader's notes) and the name of an extra file (quoted too). The course lives
outside /tmp. It is graded with `course autograde` + `course feedback`, then again with plain
`nbgrader autograde` + `nbgrader generate_feedback`; after each, the instructor opens the
submission in formgrader (their own JupyterLab session, the one a payload would use) and the
feedback page, in Chromium, and no payload may have run or be one click away.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_raw_cell

from support import copy_course
from support.pipeline import course_cli, fetch, nbgrader, submit

from .support import A, ANSWERS, KERNEL_TIMEOUT, NOTEBOOK, JupyterServer, login, register_server

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

OUTSIDE_TMP = Path(os.environ.get("COURSE_ATTACK_DIR", "/var/tmp"))
STUDENT = "mallory"
ROUTES = ("reflection", "added-cell", "raw-cell", "item-id", "file-name")


def payload(route: str) -> str:
    # No single quotes or slashes: it must survive a Python repr and be a legal file name.
    return f'<img src=x alt={route} onerror="window.XSSRAN=(window.XSSRAN||[]).concat(this.alt)">'


def plant_payloads(folder: Path) -> None:
    path = folder / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    reflection = next(c for c in nb.cells if c.cell_type == "markdown"
                      and c.metadata.get("nbgrader", {}).get("solution"))
    reflection.source = (f"I listened first. {payload('reflection')}<script>window.XSSRAN=['script']</script>\n\n"
                         "[my notes](javascript:window.XSSRAN=['link'])")
    raw = new_raw_cell(payload("raw-cell"))
    raw.metadata["format"] = "text/html"
    nb.cells[1:1] = [new_markdown_cell(f"Added by me {payload('added-cell')}"), raw]
    nbformat.write(nb, path)
    (folder / ANSWERS).write_text(json.dumps({"format": 1, "notebook": A, "answers": {
        "al-g2": {"kind": "single", "value": "b", "mode": "graded"},
        payload("item-id"): {"kind": "single", "value": "a", "mode": "graded"}}}))
    (folder / f"{payload('file-name')}.txt").write_text("notes")


@pytest.fixture(scope="module")
def course(tmp_path_factory, request):
    base = OUTSIDE_TMP / f"course-xss-{uuid.uuid4().hex[:8]}"
    try:
        course = copy_course(base / "course")
        exchange = course / "exchange"
        nbgrader(course, "generate_assignment", A, "--force")
        nbgrader(course, "release_assignment", A)
        home = base / "student"
        plant_payloads(fetch(home, A, exchange))
        submit(home, A, STUDENT, exchange)
        instructor = JupyterServer.lab(course, tmp_path_factory.mktemp("xss-instructor"), name="instructor")
        register_server(request, instructor)
        instructor.start()
        yield course, instructor
        instructor.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def ran(page) -> list:
    return page.evaluate("window.XSSRAN || []")


def script_links(page) -> list[str]:
    return page.evaluate("""Array.from(document.querySelectorAll('[href],[src],[action],[formaction]'))
        .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '')
        .filter(v => v.replace(/\\s/g, '').toLowerCase().startsWith('javascript:'))""")


def check_pages(chromium, course: Path, instructor: JupyterServer, grader: str) -> None:
    context = chromium.new_context()
    dialogs = []
    context.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    # formgrader asks a CDN for MathJax; offline, refuse it at once.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        login(page, instructor)
        page.goto(f"{instructor.url}/formgrader/gradebook/{A}/{A}")
        page.get_by_role("link", name=re.compile(r"Submission #")).first.click()
        page.locator("input.score").first.wait_for(timeout=KERNEL_TIMEOUT)
        page.get_by_text("I listened first.").first.wait_for()
        page.wait_for_timeout(1500)   # let any image error fire
        assert ran(page) == [], f"{grader}: script ran in formgrader: {ran(page)}"
        assert script_links(page) == [], f"{grader}: javascript: links in formgrader"
        text = page.inner_text("body")
        for shown in ("Added by me", "unexpected file in the submission", "unknown items"):
            assert shown in text, f"{grader}: formgrader no longer shows {shown!r}"

        feedback = course / "feedback" / STUDENT / A / f"{A}.html"
        page.goto(feedback.as_uri())
        page.get_by_text("I listened first.").first.wait_for()
        page.wait_for_timeout(1500)
        assert ran(page) == [], f"{grader}: script ran in the feedback page: {ran(page)}"
        assert script_links(page) == [], f"{grader}: javascript: links in the feedback page"
        assert dialogs == []
    finally:
        context.close()


def test_the_payloads_would_run_in_this_browser(chromium):
    """The check can fail: each payload, put in a page as it is, runs here."""
    page = chromium.new_page()
    page.set_content("".join(payload(route) for route in ROUTES))
    page.wait_for_function("(window.XSSRAN || []).length === %d" % len(ROUTES))
    page.close()


def test_formgrader_and_feedback_run_no_student_text(chromium, course):
    course_dir, instructor = course
    for command in (("collect", A), ("autograde", A), ("feedback", A, "--no-release")):
        result = course_cli(course_dir, *command)
        assert result.returncode == 0, f"course {' '.join(command)}:\n{result.stdout}\n{result.stderr}"
    check_pages(chromium, course_dir, instructor, "course autograde")

    nbgrader(course_dir, "autograde", A, "--force")
    nbgrader(course_dir, "generate_feedback", A, "--force")
    check_pages(chromium, course_dir, instructor, "nbgrader autograde")
