"""Real Jupyter servers and a real Chromium for the browser tests.

A server is started the way `course start` starts JupyterLab (`course.cli.start.lab_command`),
plus a token, a free port and no browser, with its own HOME and Jupyter folders under a
temporary folder, so nothing of the developer's own Jupyter set-up leaks in or out.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from course.cli.start import lab_command

CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
STUDENT_ID = "browser-student"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
A = "02-active-listening"
NOTEBOOK = f"{A}.ipynb"
ANSWERS = f"{A}.answers.json"
START_TIMEOUT = 120  # seconds; two shared cores can be slow
KERNEL_TIMEOUT = 90_000  # ms, Playwright's unit
UI_TIMEOUT = 30_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_env(base: Path) -> dict[str, str]:
    """HOME and every Jupyter folder under `base`; JupyterLab's news and update checks off."""
    folders = {
        "HOME": base / "home-env",
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTERLAB_SETTINGS_DIR": base / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "lab-workspaces",
        "IPYTHONDIR": base / "ipython",
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    notification = folders["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update({name: str(path) for name, path in folders.items()})
    env["PYTHONUNBUFFERED"] = "1"
    # The identity options are shuffled for (course/exercises/order.py): fixed, so a test knows
    # the order its student sees whatever OS user runs it.
    env["COURSE_STUDENT_ID"] = STUDENT_ID
    return env


class JupyterServer:
    """One Jupyter server process: `url`, `token`, `log`; `stop()` ends it."""

    def __init__(self, command: list[str], base: Path, cwd: Path, name: str = "lab"):
        self.base = base
        self.cwd = cwd
        self.name = name
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = jupyter_env(base)
        self.log = base / f"{name}-server.log"
        self.command = [*command, "--no-browser", f"--ServerApp.token={self.token}", f"--port={self.port}",
                        "--ServerApp.ip=127.0.0.1"]
        if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in self.command:
            self.command.append("--allow-root")
        self.process: subprocess.Popen | None = None

    @classmethod
    def lab(cls, root: Path, base: Path, name: str = "lab") -> "JupyterServer":
        """JupyterLab exactly as `course start` runs it, in `root`."""
        return cls(lab_command(root, None, open_browser=False), base, cwd=root, name=name)

    def start(self) -> "JupyterServer":
        handle = open(self.log, "w")
        handle.write("$ " + " ".join(self.command) + "\n")
        handle.flush()
        self.process = subprocess.Popen(self.command, cwd=self.cwd, env=self.env, stdout=handle,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited with {self.process.returncode}; log {self.log}:\n"
                                   + self.log_tail())
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} server did not answer within {START_TIMEOUT} s; log {self.log}:\n" + self.log_tail())

    def api(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=15) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def shutdown_kernels(self) -> None:
        """End every kernel, so the next test starts from a notebook that has not run."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def run(command: list[str], cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def course_start(course: Path, workdir: Path) -> Path:
    """The student's `course start --no-lab --dir WORKDIR`, run from the course folder `course`."""
    run([sys.executable, "-m", "course.cli.main", "start", "--no-lab", "--dir", str(workdir)], cwd=course)
    assert (workdir / A / NOTEBOOK).is_file(), f"course start did not copy {A} into {workdir}"
    return workdir


def read_answers(folder: Path, notebook_id: str = A) -> dict:
    path = folder / f"{notebook_id}.answers.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["answers"]


def wait_for_answer(folder: Path, item_id: str, notebook_id: str = A, timeout: float = 15.0) -> dict:
    """The record of `item_id` once the kernel has written it (the page may show a step first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = read_answers(folder, notebook_id).get(item_id)
        if record is not None:
            return record
        time.sleep(0.1)
    raise AssertionError(f"no answer for {item_id} in {folder} after {timeout} s: {read_answers(folder, notebook_id)}")


# ---------------------------------------------------------------------------------------------
# Browser side
# ---------------------------------------------------------------------------------------------

def browser_unavailable_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install -e '.[browser]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium; or set COURSE_CHROMIUM)"
    return None


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def login(page, server: JupyterServer) -> None:
    """Present the token once; the server then sets its login cookie for the context."""
    page.goto(f"{server.url}/api/status?token={server.token}")


def dismiss_toasts(page) -> None:
    """The 'news' toast can cover the page; say No if it is there."""
    buttons = page.locator(".jp-toast-button", has_text="No")
    for index in range(buttons.count()):
        try:
            buttons.nth(index).click(timeout=2_000)
        except Exception:  # it may vanish by itself between count() and click()
            pass


def wait_idle(page, timeout: int = KERNEL_TIMEOUT) -> None:
    """Wait for a connected, idle kernel. (The toolbar's execution indicator alone says 'idle'
    before any kernel is connected, so the status bar must name the kernel and say Idle too.)"""
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\(ipykernel\) \| Idle")).wait_for(timeout=timeout)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(timeout=timeout)


def open_in_lab(page, server: JupyterServer, relpath: str, workspace: str) -> None:
    """Open a notebook in a fresh JupyterLab workspace and wait for an idle kernel."""
    login(page, server)
    open_notebook_url(page, f"{server.url}/lab/workspaces/{workspace}/tree/{relpath}?reset")


def open_notebook_url(page, url: str) -> None:
    """Go to a notebook's JupyterLab address, accept the kernel, wait until it is idle."""
    page.goto(url)
    page.locator(".jp-Notebook").first.wait_for(timeout=UI_TIMEOUT * 2)
    dismiss_toasts(page)
    select_kernel = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept", has_text="Select")
    if select_kernel.count():
        select_kernel.click()
    wait_idle(page)


SAVED_OUTPUT = re.compile(r": (not answered yet|answer saved at)")


def saved_cells(notebook: Path) -> int:
    """How many `lesson.saved(...)` cells a notebook has: each shows one line once it has run."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return sum(c["cell_type"] == "code" and "".join(c["source"]).lstrip().startswith("lesson.saved(") for c in cells)


def run_all(page, expected: int) -> None:
    """Run ▸ Run All Cells; wait until the `expected` lesson.saved lines are shown anew and the kernel is idle."""
    dismiss_toasts(page)
    outputs = page.locator(".jp-OutputArea-output").get_by_text(SAVED_OUTPUT)
    stale = outputs.last.element_handle() if outputs.count() else None
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()
    if stale is not None:  # the last cell's old output goes when that cell runs again
        page.wait_for_function("node => !node.isConnected", arg=stale, timeout=KERNEL_TIMEOUT)
    page.wait_for_function(
        """([n, pattern]) => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
             .filter(e => new RegExp(pattern).test(e.textContent)).length >= n""",
        arg=[expected, SAVED_OUTPUT.pattern], timeout=KERNEL_TIMEOUT)
    wait_idle(page)


def restart_kernel(page) -> None:
    """Kernel ▸ Restart Kernel…, confirm, and wait until the new kernel is idle."""
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Restart Kernel…")).click()
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept", has_text="Restart").click()
    try:  # the restart is seen in the status bar for a second or more
        page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\| (Restarting|Starting|Unknown|Busy)")).wait_for(timeout=10_000)
    except Exception:
        pass  # already back to idle
    wait_idle(page)


def exercise(page, item_id: str):
    """The exercise box of one item (practice or graded)."""
    title = page.locator(".course-exercise-header > strong", has_text=re.compile(rf"· {re.escape(item_id)}$"))
    return page.locator(".course-exercise").filter(has=title)


def status_of(box):
    """The widgets.HTML status line under an exercise's button (the last child of the box)."""
    return box.locator("[aria-live='polite']")


def save_notebook(page) -> None:
    page.locator(".jp-Notebook").first.focus()
    page.keyboard.press("Control+s")
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached", timeout=UI_TIMEOUT)


def screenshot(locator_or_page, name: str, tmp_path: Path) -> Path:
    """Save a screenshot into the test's tmp folder, and into $COURSE_SCREENSHOTS when set."""
    target = tmp_path / f"{name}.png"
    locator_or_page.screenshot(path=str(target))
    extra = os.environ.get("COURSE_SCREENSHOTS")
    if extra:
        folder = Path(extra)
        if not folder.is_absolute():
            folder = Path(__file__).resolve().parents[2] / folder
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(target, folder / target.name)
    return target


def open_nbgrader_menu(page, url: str) -> None:
    """Open a JupyterLab workspace at `url` and its Nbgrader menu."""
    page.goto(url)
    page.locator("#jp-main-statusbar").wait_for(timeout=UI_TIMEOUT * 2)
    dismiss_toasts(page)
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()


def enter_manual_score(formgrader, score, value, timeout: float) -> None:
    """Type a score in formgrader once its script can save it, and wait for the save.

    The score box is in the page before formgrader's script has fetched the grades and bound its
    change handler; typing earlier saves nothing. Its own `loaded` flag never turns true offline
    (init stops at the missing MathJax): wait on grades and comments instead."""
    formgrader.wait_for_function(
        "() => window.formgrader && formgrader.grades && formgrader.grades.loaded"
        " && formgrader.comments && formgrader.comments.loaded", timeout=timeout)
    with formgrader.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT",
                                    timeout=UI_TIMEOUT) as saved:
        score.fill(str(value))
        score.press("Tab")
    assert saved.value.ok


SERVERS_ATTR = "_browser_servers"


def register_server(request, server) -> None:
    """Remember a test module's server, so a failed test's report can attach its log."""
    servers = getattr(request.module, SERVERS_ATTR, [])
    servers.append(server)
    setattr(request.module, SERVERS_ATTR, servers)
