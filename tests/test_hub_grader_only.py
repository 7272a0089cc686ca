"""The grader-only server (deploy/hub/grader_only.py; issue 23, teaching assistants): nbgrader's
formgrader, behind a guard that lets a grader read the gradebook and submissions and write
scores, comments and flags, and refuses everything else (formgrader's release, generate,
collect, autograde and feedback actions, assignment and student edits, and every route of the
Jupyter server itself: contents, kernels, terminals). The hub test drives it through JupyterHub
(roles, OAuth, a student refused); here a plain Jupyter server with a token runs it against a
one-submission gradebook, so that the guard is tested without a hub."""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.support.hub import HUB, hub_module

REPO = Path(__file__).resolve().parents[1]
KEY = "items:\n  g1:\n    answer: secret-answer\n"


def load():
    return hub_module("grader_only")


class FakeHandler:
    pass


def named(name: str):
    module, _, cls = name.rpartition(".")
    return type(cls, (FakeHandler,), {"__module__": module, "__qualname__": cls})


def test_the_guard_allows_grading_and_refuses_the_rest():
    guard = load()
    fg = guard.FORMGRADER
    base = "/services/grading/"
    decide = guard.decide
    assert decide(named(fg + "apihandlers.GradeHandler"), "PUT", base + "formgrader/api/grade/x", base) == "allow"
    assert decide(named(fg + "apihandlers.CommentHandler"), "PUT", base + "formgrader/api/comment/x", base) == "allow"
    assert decide(named(fg + "handlers.SubmissionHandler"), "GET", base + "formgrader/submissions/x/", base) == "allow"
    for action in ("ReleaseHandler", "AssignHandler", "UnReleaseHandler", "CollectHandler", "AutogradeHandler",
                   "GenerateAllFeedbackHandler", "ReleaseAllFeedbackHandler", "GenerateFeedbackHandler",
                   "ReleaseFeedbackHandler"):
        assert decide(named(fg + "apihandlers." + action), "POST", base + "formgrader/api/assignment/a/x", base) == "refuse"
    assert decide(named(fg + "apihandlers.AssignmentHandler"), "PUT", base + "formgrader/api/assignment/a", base) == "refuse"
    assert decide(named(fg + "apihandlers.StudentHandler"), "PUT", base + "formgrader/api/student/s", base) == "refuse"
    assert decide(named(fg + "handlers.ManageAssignmentsHandler"), "GET", base + "formgrader/manage_assignments", base) == "refuse"
    assert decide(named("jupyter_server.services.contents.handlers.ContentsHandler"), "PUT",
                  base + "api/contents/keys/a.yaml", base) == "refuse"
    assert decide(named("jupyter_server_terminals.api_handlers.TerminalRootHandler"), "POST", base + "api/terminals", base) == "refuse"
    assert decide(None, "GET", base + "nowhere", base) == "refuse"
    # formgrader's submission files handler would serve any file of the course directory by ../
    files = named(fg + "handlers.SubmissionFilesHandler")
    assert decide(files, "GET", base + "formgrader/submissions/x/figure.png", base) == "allow"
    for path in ("x/../../../keys/a.yaml", "x/..%2F..%2F..%2Fkeys%2Fa.yaml", "x/%2e%2e/%2e%2e/gradebook.db", "x/./a"):
        assert decide(files, "GET", base + "formgrader/submissions/" + path, base) == "refuse", path
    # tornado's static file handler only for formgrader's own files
    static = named("tornado.web.StaticFileHandler")
    assert decide(static, "GET", base + "formgrader/static/js/formgrade.js", base) == "allow"
    assert decide(static, "GET", base + "static/anything", base) == "refuse"
    # formgrader's front page (which would re-read the configuration from ?path=) and the root
    assert decide(named(fg + "handlers.FormgraderHandler"), "GET", base + "formgrader?path=/", base) == "gradebook"
    assert decide(named("jupyter_server.base.handlers.RedirectWithParams"), "GET", base, base) == "gradebook"


def make_course(root: Path) -> dict:
    """A course folder with one autograded submission of a one-cell notebook, and a key."""
    from nbgrader.api import Gradebook

    root.mkdir()
    (root / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "guarded"\n')
    (root / "keys").mkdir()
    (root / "keys" / "a1.yaml").write_text(KEY)
    notebook = {"cells": [{"cell_type": "markdown", "id": "c1", "metadata": {"nbgrader": {
        "grade": True, "grade_id": "g1", "points": 2, "solution": True, "locked": False, "schema_version": 3,
        "task": False}}, "source": "my answer"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    for folder in ("source/a1", "autograded/s1/a1"):
        (root / folder).mkdir(parents=True)
        (root / folder / "n1.ipynb").write_text(json.dumps(notebook))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "guarded") as gb:
        gb.add_assignment("a1")
        gb.add_notebook("n1", "a1")
        gb.add_grade_cell("g1", "n1", "a1", max_score=2, cell_type="markdown")
        gb.add_solution_cell("g1", "n1", "a1")
        gb.add_student("s1")
        gb.add_submission("a1", "s1")
        grade = gb.find_grade("g1", "n1", "a1", "s1")
        return {"grade": grade.id, "submission": gb.find_submission_notebook("n1", "a1", "s1").id}


@pytest.mark.e2e
def test_a_grader_only_server_grades_and_refuses(tmp_path):
    from tests.browser.support import JupyterServer

    class GradingServer(JupyterServer):
        def api(self, method, path, body=None):  # the server is up when formgrader answers
            return super().api(method, "/formgrader/api/status" if path == "/api/status" else path, body)

    ids = make_course(tmp_path / "course")
    server = GradingServer([sys.executable, "-m", "jupyter", "server",
                            "--ServerApp.authorizer_class=grader_only.RefuseJupyterApi",
                            "--ServerApp.terminals_enabled=False"], tmp_path / "jupyter", cwd=tmp_path / "course",
                           name="grading")
    (server.base / "config" / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {
        "grader_only": True, "jupyterlab": False, "notebook": False, "nbclassic": False, "voila": False,
        "nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.assignment_list": False,
        "nbgrader.server_extensions.course_list": False, "nbgrader.server_extensions.validate_assignment": False}}}))
    server.env["PYTHONPATH"] = f"{HUB}:{REPO}"
    server.start()

    def call(method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else (b"" if method in ("POST", "PUT") else None)
        request = urllib.request.Request(server.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {server.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode(), response.url
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(), error.url

    try:
        # Grading: the gradebook page, the submission, a manual score and a comment.
        status, _, text, _ = call("GET", "/formgrader/gradebook")
        assert status == 200 and "Manual Grading" in text
        status, _, text, _ = call("GET", f"/formgrader/submissions/{ids['submission']}/")
        assert status == 200 and "my answer" in text
        status, _, text, _ = call("PUT", f"/formgrader/api/grade/{ids['grade']}", {"manual_score": 1.5})
        assert status == 200 and json.loads(text)["manual_score"] == 1.5
        status, _, text, _ = call("PUT", f"/formgrader/api/comment/{ids['grade']}", {"manual_comment": "good"})
        assert status in (200, 404), text          # a comment id is not a grade id; the route is allowed
        status, _, _, _ = call("GET", "/formgrader/api/assignments")
        assert status == 200
        # The front page and the root go to the gradebook, whatever ?path= says.
        for path in ("/formgrader?path=/", "/"):
            status, _, _, url = call("GET", path)
            assert status == 200 and urlparse(url).path == "/formgrader/gradebook", (path, status, url)
        # Everything else is refused by the guard (the header says it was the guard).
        refused = {
            "release": ("POST", "/formgrader/api/assignment/a1/release", None),
            "generate": ("POST", "/formgrader/api/assignment/a1/assign", None),
            "collect": ("POST", "/formgrader/api/assignment/a1/collect", None),
            "autograde": ("POST", "/formgrader/api/submission/a1/s1/autograde", None),
            "generate feedback": ("POST", "/formgrader/api/assignment/a1/generate_feedback", None),
            "edit an assignment": ("PUT", "/formgrader/api/assignment/a1", {"duedate_notimezone": "2030-01-01"}),
            "edit a student": ("PUT", "/formgrader/api/student/s1", {"first_name": "x"}),
            "manage assignments": ("GET", "/formgrader/manage_assignments", None),
            "write a key": ("PUT", "/api/contents/keys/a1.yaml", {"type": "file", "format": "text", "content": "x"}),
            "read a key": ("GET", "/api/contents/keys/a1.yaml", None),
            "read a key as a file": ("GET", "/files/keys/a1.yaml", None),
            "a key through the submission files": ("GET", f"/formgrader/submissions/{ids['submission']}/..%2F..%2F..%2Fkeys%2Fa1.yaml", None),
            "the gradebook file": ("GET", f"/formgrader/submissions/{ids['submission']}/%2e%2e/%2e%2e/%2e%2e/gradebook.db", None),
            "open a terminal": ("POST", "/api/terminals", None),
            "start a kernel": ("POST", "/api/kernels", {"name": "python3"}),
            "a session": ("POST", "/api/sessions", {"path": "x.ipynb", "type": "notebook", "kernel": {"name": "python3"}}),
        }
        for what, (method, path, body) in refused.items():
            status, headers, text, _ = call(method, path, body)
            assert status == 403 and headers.get("X-Grading-Refused") == "1", f"{what}: {status} {text[:200]}"
            assert "secret-answer" not in text
        assert (tmp_path / "course" / "keys" / "a1.yaml").read_text() == KEY
        assert not (tmp_path / "course" / "release").exists(), "nothing was released"
    finally:
        server.stop()
