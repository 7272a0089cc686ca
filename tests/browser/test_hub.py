"""A real class on JupyterHub, in a real Chromium (deploy/hub/).

`deploy/hub/start.sh` sets up a whole class (a venv under /opt, configurable-http-proxy from npm,
three students and an instructor as Unix users, the course directory, the exchange) and runs the
hub; then, through the browser, two students log in, fetch lesson 02 from the Assignment List,
answer a graded question with the mouse and submit; the hub's sealing service locks each
submission; a third student can read neither their homes nor their submissions, nor open their
servers or formgrader; the instructor collects and autogrades with `course autograde`, grades a
reflection in formgrader (a Hub service, its own tab) and releases feedback; each student
fetches exactly their own feedback. Everything made (users, processes, the /opt prefix) is removed.

Needs root (it creates Unix users; skipped otherwise), Chromium, Playwright, PyPI and the npm
registry. It takes 3 to 7 minutes on two cores, most of it installing the hub's venv.
COURSE_HUB_TEST=0 skips it.
"""
from __future__ import annotations

import csv
import filecmp
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from .support import (A, NOTEBOOK, UI_TIMEOUT, dismiss_toasts, enter_manual_score, exercise, free_port,
                      open_notebook_url, status_of, wait_idle)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(os.environ.get("COURSE_HUB_TEST") == "0",
                                 reason="COURSE_HUB_TEST=0 skips the JupyterHub class test (deploy/hub/README.md)")]

REPO = Path(__file__).resolve().parents[2]
START = REPO / "deploy" / "hub" / "start.sh"
REMOVE = REPO / "deploy" / "hub" / "remove.sh"
SETUP_TIMEOUT = 1200  # s: apt, a fresh venv from PyPI and npm on two busy cores
SPAWN_TIMEOUT = 180_000  # ms
MANUAL_ITEM = "al-reflection"
MANUAL_SCORE = 3
COURSE_ID = "police-negotiation"


def wait_until(what: str, check, timeout: float, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def as_user(user: str, *command: str, cwd: str | None = None, env: dict | None = None, timeout: int = 600):
    home = Path(os.path.expanduser(f"~{user}"))
    return subprocess.run(["runuser", "-u", user, "--", "env", f"HOME={home}", f"USER={user}",
                           *[f"{k}={v}" for k, v in (env or {}).items()], *command],
                          cwd=cwd or "/", capture_output=True, text=True, timeout=timeout)


def probe_as(user: str, code: str) -> str:
    """Run a Python snippet as `user` (the hub's Python); returns what it prints."""
    result = as_user(user, "/usr/bin/python3", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the hub test creates Unix users: run it as root")
    tag = secrets.token_hex(3)
    students = [f"hub{tag}a", f"hub{tag}b", f"hub{tag}c"]
    instructor = f"hub{tag}t"
    prefix = Path(f"/opt/course-hub-test-{tag}")
    port = free_port()
    log_dir = tmp_path_factory.mktemp("hub")
    log = log_dir / "hub.log"
    command = ["bash", str(START), "--students", ",".join(students), "--instructor", instructor,
               "--prefix", str(prefix), "--exchange", str(prefix / "exchange"), "--ip", "127.0.0.1",
               "--port", str(port), "--hub-port", str(free_port()), "--proxy-api-port", str(free_port()),
               "--formgrader-port", str(free_port()), "--release", A]
    started = time.monotonic()
    handle = open(log, "w")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    info = {"url": url, "students": students, "instructor": instructor, "prefix": prefix, "log": log,
            "exchange": prefix / "exchange" / COURSE_ID}
    try:
        def up():
            if process.poll() is not None:
                raise AssertionError(f"start.sh exited with {process.returncode}:\n{log.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{url}/hub/login", timeout=5) as response:
                    return response.status == 200
            except (urllib.error.URLError, ConnectionError, OSError):
                return False
        wait_until("the hub to answer", up, SETUP_TIMEOUT, interval=1)
        info["setup_seconds"] = time.monotonic() - started
        with open(prefix / "passwords.csv") as fh:
            info["passwords"] = {row["user"]: row["password"] for row in csv.DictReader(fh)}
        info["course_dir"] = Path(os.path.expanduser(f"~{instructor}")) / COURSE_ID
        yield info
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the hub's own process group: proxy and services
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        handle.close()
        kept = Path(os.environ.get("COURSE_HUB_LOG", log_dir / "hub-kept.log"))
        shutil.copy(log, kept) if log.exists() else None
        subprocess.run(["bash", str(REMOVE), "--users", ",".join([*students, instructor]), "--prefix", str(prefix)],
                       capture_output=True, text=True, timeout=180)
        for name in [*students, instructor]:
            assert subprocess.run(["id", "-u", name], capture_output=True).returncode != 0, f"user {name} left behind"
        assert not prefix.exists(), f"{prefix} left behind"


def log_in(context, hub, user: str):
    """Log in through the hub's form; wait for this user's JupyterLab (the hub starts it)."""
    page = context.new_page()
    page.goto(f"{hub['url']}/hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(hub["passwords"][user])
    page.locator("#login_submit").click()
    page.wait_for_url(re.compile(rf"/user/{user}/lab"), timeout=SPAWN_TIMEOUT)
    page.locator("#jp-main-statusbar").wait_for(timeout=SPAWN_TIMEOUT)
    dismiss_toasts(page)
    return page


def assignment_list(page):
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name="Assignment List").click()
    page.locator("#released_assignments_list, #fetched_assignments_list").first.wait_for(timeout=UI_TIMEOUT)


def answer_and_submit(page, hub, user: str, choice: str) -> None:
    """Fetch the lesson, pick `choice` in al-g2 with the mouse, save, and submit."""
    home = Path(os.path.expanduser(f"~{user}"))
    assignment_list(page)
    page.locator("#released_assignments_list").get_by_text(A).wait_for(timeout=UI_TIMEOUT)
    page.locator("#released_assignments_list").get_by_role("button", name="Fetch").click()
    page.locator("#fetched_assignments_list").get_by_text(A).first.wait_for(timeout=UI_TIMEOUT)
    notebook = home / A / NOTEBOOK
    assert notebook.is_file()
    assert notebook.stat().st_uid == Path(home).stat().st_uid, "the fetched lesson must belong to the student"

    open_notebook_url(page, f"{hub['url']}/user/{user}/lab/workspaces/hub/tree/{A}/{NOTEBOOK}?reset")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    box = exercise(page, "al-g2")
    box.wait_for(timeout=SPAWN_TIMEOUT)
    wait_idle(page)
    box.get_by_role("radio", name=re.compile(rf"^\({choice}\) ")).click()
    box.get_by_role("button", name=re.compile(r"^Save")).click()
    status_of(box).get_by_text(re.compile(r"^Saved \(")).wait_for(timeout=UI_TIMEOUT)
    answers = home / A / f"{A}.answers.json"
    wait_until(f"{user}'s answers file", answers.exists, 30)
    page.locator(".jp-Notebook").first.focus()
    page.keyboard.press("Control+s")
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached", timeout=UI_TIMEOUT)

    page.goto(f"{hub['url']}/user/{user}/lab/workspaces/hub-submit?reset")
    page.locator("#jp-main-statusbar").wait_for(timeout=UI_TIMEOUT * 2)
    dismiss_toasts(page)
    assignment_list(page)
    page.locator("#fetched_assignments_list").get_by_role("button", name="Submit").click()
    page.locator("#submitted_assignments_list").get_by_text(A).first.wait_for(timeout=UI_TIMEOUT)


def submissions(hub, user: str) -> list[Path]:
    inbound = hub["exchange"] / "inbound"
    return sorted(p for p in inbound.iterdir() if p.name.startswith(f"{user}+{A}+"))


def sealed(hub, folder: Path) -> bool:
    import pwd

    st = folder.stat()
    return (st.st_uid == pwd.getpwnam(hub["instructor"]).pw_uid and (st.st_mode & 0o777) == 0o700
            and all((p.stat().st_mode & 0o077) == 0 for p in folder.rglob("*")))


def memory_mb(user: str) -> float:
    out = subprocess.run(["ps", "-o", "rss=", "-u", user], capture_output=True, text=True).stdout.split()
    return sum(int(x) for x in out) / 1024


def test_a_class_on_jupyterhub(chromium, hub, tmp_path):
    t0 = time.monotonic()
    alice, bob, carol = hub["students"]
    teacher = hub["instructor"]
    key = yaml.safe_load((REPO / "keys" / f"{A}.yaml").read_text())["items"]["al-g2"]["answer"]
    wrong = "a" if key != "a" else "b"
    choices = {alice: key, bob: wrong}

    contexts = []
    try:
        # ---- two students: log in, fetch, answer with the mouse, submit -------------------
        pages = {}
        for user in (alice, bob):
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            context.set_default_timeout(30_000)
            contexts.append(context)
            pages[user] = log_in(context, hub, user)
            # Students see the Assignment List, not the instructor's panels.
            pages[user].get_by_role("menuitem", name="Nbgrader", exact=True).click()
            menu = pages[user].locator(".lm-Menu").last
            menu.get_by_text("Assignment List").wait_for()
            assert menu.get_by_text("Formgrader").count() == 0, "students must not see Formgrader"
            assert menu.get_by_text("Course List").count() == 0
            pages[user].keyboard.press("Escape")
        for user in (alice, bob):
            answer_and_submit(pages[user], hub, user, choices[user])
        memory = {user: memory_mb(user) for user in (alice, bob)}
        print(f"\nmemory per student (server + kernel, RSS): {memory}")

        # ---- the hub's service seals each submission ---------------------------------------
        for user in (alice, bob):
            folder = wait_until(f"{user}'s submission", lambda: submissions(hub, user), 30)[-1]
            wait_until(f"{user}'s submission to be sealed", lambda: sealed(hub, folder), 30)

        # ---- a third student can read neither their work nor their submissions --------------
        page_c = log_in(chromium.new_context(), hub, carol)
        contexts.append(page_c.context)
        inbound = hub["exchange"] / "inbound"
        a_home = Path(os.path.expanduser(f"~{alice}"))
        a_sub = submissions(hub, alice)[-1]
        probes = {
            "list alice's home": f"os.listdir({str(a_home)!r})",
            "read alice's answers": f"open({str(a_home / A / (A + '.answers.json'))!r}).read()",
            "list the inbound": f"os.listdir({str(inbound)!r})",
            "list alice's submission": f"os.listdir({str(a_sub)!r})",
            "read alice's submitted notebook": f"open({str(a_sub / NOTEBOOK)!r}).read()",
            "add a file to alice's submission": f"open({str(a_sub / 'extra.txt')!r}, 'w').write('x')",
            "read the course directory": f"os.listdir({str(hub['course_dir'])!r})",
            # the inbound is sticky: a sealed submission (the instructor's) keeps its name
            "rename alice's submission to her own name":
                f"os.rename({str(a_sub)!r}, {str(inbound / (carol + '+' + A + '+taken'))!r})",
        }
        for what, expression in probes.items():
            code = f"import os\ntry:\n    {expression}\n    print('ALLOWED')\nexcept PermissionError:\n    print('DENIED')"
            assert probe_as(carol, code) == "DENIED", f"{carol} could {what}"
        # A folder dropped into the inbound in a classmate's name is quarantined, never collected.
        fake = inbound / f"{alice}+{A}+2000-01-01 00:00:00.000000 UTC+fake"
        assert as_user(carol, "mkdir", str(fake)).returncode == 0
        wait_until("the fake submission to be quarantined", lambda: not fake.exists(), 30)
        # Carol's browser: not alice's server, not formgrader.
        for path in (f"/user/{alice}/lab", "/services/formgrader/formgrader"):
            response = page_c.goto(hub["url"] + path)
            assert response.status == 403 or "403" in page_c.content(), f"{carol} reached {path}"

        # ---- the instructor: collect, autograde (course autograde), formgrader, feedback ----
        venv_bin = hub["prefix"] / "venv" / "bin"
        env = {"PATH": f"{venv_bin}:/usr/bin:/bin"}
        for verb in (["collect", A], ["autograde", A], ):
            result = as_user(teacher, str(venv_bin / "course"), *verb, cwd=str(hub["course_dir"]), env=env)
            assert result.returncode == 0, f"course {' '.join(verb)}:\n{result.stdout}\n{result.stderr}"
        collected = sorted(p.name for p in (hub["course_dir"] / "submitted").iterdir())
        assert collected == sorted([alice, bob]), collected

        teacher_context = chromium.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(teacher_context)
        log_in(teacher_context, hub, teacher)
        formgrader = teacher_context.new_page()       # its own tab, not an iframe
        formgrader.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
        submission_id = subprocess.run(
            [str(venv_bin / "python"), "-c",
             "import sys; from nbgrader.api import Gradebook; gb = Gradebook(sys.argv[1]); "
             "print(gb.find_submission_notebook(sys.argv[2], sys.argv[2], sys.argv[3]).id); gb.close()",
             f"sqlite:///{hub['course_dir'] / 'gradebook.db'}", A, alice],
            capture_output=True, text=True, check=True).stdout.strip()
        formgrader.goto(f"{hub['url']}/services/formgrader/formgrader/submissions/{submission_id}/")
        score = formgrader.locator(f"input.score#{MANUAL_ITEM}")
        score.wait_for(timeout=SPAWN_TIMEOUT)
        enter_manual_score(formgrader, score, MANUAL_SCORE, SPAWN_TIMEOUT)
        formgrader.screenshot(path=str(tmp_path / "hub-formgrader.png"))

        result = as_user(teacher, str(venv_bin / "course"), "feedback", A, cwd=str(hub["course_dir"]), env=env)
        assert result.returncode == 0, f"course feedback:\n{result.stdout}\n{result.stderr}"
        result = as_user(teacher, str(venv_bin / "course"), "grades", "-o", "grades.csv", cwd=str(hub["course_dir"]), env=env)
        assert result.returncode == 0, result.stderr
        with open(hub["course_dir"] / "grades.csv") as fh:
            totals = {row["student_id"]: row for row in csv.DictReader(fh)}
        # alice answered al-g2 right and has the reflection's points; bob neither.
        assert float(totals[alice][A]) >= float(totals[bob][A]) + 2 + MANUAL_SCORE - 1e-6, totals

        # ---- each student fetches their own feedback, and only theirs ------------------------
        fetched = {}
        for user in (alice, bob):
            page = pages[user]
            page.goto(f"{hub['url']}/user/{user}/lab/workspaces/hub-feedback?reset")
            page.locator("#jp-main-statusbar").wait_for(timeout=UI_TIMEOUT * 2)
            dismiss_toasts(page)
            assignment_list(page)
            page.locator("#submitted_assignments_list").get_by_role("button", name="Fetch Feedback").first.click()
            home = Path(os.path.expanduser(f"~{user}"))
            mine = hub["course_dir"] / "feedback" / user / A / f"{A}.html"

            def fetched_copy():
                # The page appears before nbgrader has finished copying it: wait for the whole file.
                files = sorted((home / A / "feedback").rglob(f"{A}.html"))
                if files and files[0].stat().st_size >= mine.stat().st_size:
                    return files
                return None

            files = wait_until(f"{user}'s feedback", fetched_copy, 60)
            fetched[user] = files
            assert len(files) == 1, files
            assert filecmp.cmp(files[0], mine, shallow=False), (
                f"{user} got feedback not theirs: {files[0]} ({files[0].stat().st_size} bytes) "
                f"differs from {mine} ({mine.stat().st_size} bytes)")
        assert not filecmp.cmp(fetched[alice][0], fetched[bob][0], shallow=False)
        # Carol can list neither the feedback folder nor the others' feedback; she submitted
        # nothing and gets nothing.
        code = f"import os\ntry:\n    os.listdir({str(hub['exchange'] / 'feedback')!r})\n    print('ALLOWED')\nexcept PermissionError:\n    print('DENIED')"
        assert probe_as(carol, code) == "DENIED", f"{carol} could list the feedback folder"
        result = as_user(carol, str(venv_bin / "nbgrader"), "fetch_feedback", A, cwd=os.path.expanduser(f"~{carol}"), env=env)
        assert not list(Path(os.path.expanduser(f"~{carol}")).rglob(f"{A}.html")), f"{carol} got feedback"
        print(f"hub setup {hub['setup_seconds']:.0f} s; class steps {time.monotonic() - t0:.0f} s")
    finally:
        for context in contexts:
            context.close()
