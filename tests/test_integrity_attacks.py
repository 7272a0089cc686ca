"""Adversarial submissions through the real, sandboxed autograde.

One honest student solves the code exercises of the Community Policing lesson (a lesson whose
code runs at grading time; a widget lesson starts no kernel at all); each attacker submits the
same code plus a cell of hostile code. Every attacker must score no more than the honest
answers, nobody else's grade may change, nothing outside the attacker's own folder may be read
or written, and the batch must finish. (tests/test_attacks_outside_tmp.py repeats the attacks
that matter with the course outside /tmp, through both `course autograde` and nbgrader.)
"""
from __future__ import annotations

import json
import shutil
import socket
import threading
import uuid
from pathlib import Path

import nbformat
import pytest

from support import copy_course
from course.grading.score.keys import load_keys
from support.pipeline import COURSE_ID, fetch, nbgrader, read_grades, submit

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("bwrap") is None,
                                                  reason="bubblewrap is not installed (apt-get install bubblewrap)")]

A = "06-community-policing"
HONEST_SCORE = 12.0  # the six code exercises; no widget item answered
# What an attacker writes over the answers file while the grader runs: every single-choice item right.
PERFECT_FILE = {"format": 1, "notebook": A, "answers": {
    item: {"kind": "single", "value": key.answer, "mode": "graded"}
    for item, key in load_keys(Path(__file__).resolve().parents[1] / "keys" / f"{A}.yaml").items()
    if key.kind == "single"}}

MARKER = uuid.uuid4().hex  # files an attack tries to create outside its folder carry this name


def attacks(course: Path, port: int) -> dict[str, str]:
    key_file = course / "keys" / f"{A}.yaml"
    source_nb = course / "source" / A / f"{A}.ipynb"
    return {
        "monkeypatch-course": (
            "import course.grading.score.item as s, course.grading.preprocessors as p\n"
            "s.score_item = lambda key, record: s.ItemResult(key.item_id, 1.0, ['hacked'])\n"
            "p.score_item = s.score_item\n"),
        "strip-asserts-transformer": (
            "ip = get_ipython()\n"
            "ip.input_transformers_cleanup.append(lambda lines: [l for l in lines if 'assert' not in l])\n"),
        "always-equal-object": (
            "class Always:\n    def __eq__(self, other): return True\n    def __float__(self): return 100.0\n"
            "lesson.saved = lambda item: Always()\n"
            "lesson.store.get = lambda item: {'kind': 'single', 'value': Always()}\n"),
        "rewrite-answers-during-grading": (
            f"import json\njson.dump({json.dumps(PERFECT_FILE)}, open('{A}.answers.json', 'w'))\n"),
        "kill-the-grader": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)\n",
        "read-key-and-source": (
            f"for path in [{str(key_file)!r}, {str(source_nb)!r}, '../../../keys/{A}.yaml']:\n"
            "    try:\n        print(open(path).read())\n    except OSError as exc:\n        print('blocked', exc)\n"),
        "write-the-gradebook": (
            "import sqlite3\n"
            f"db = sqlite3.connect({str(course / 'gradebook.db')!r})\n"
            "db.execute('update grade set auto_score = 100'); db.commit()\n"),
        "write-outside-own-folder": (
            f"for path in [{str(course / 'release' / MARKER)!r}, '/tmp/{MARKER}', {str(course.parent / MARKER)!r}]:\n"
            "    try:\n        open(path, 'w').write('pwned')\n    except OSError as exc:\n        print('blocked', exc)\n"),
        "read-other-submissions": (
            "import glob\n"
            f"print(glob.glob({str(course / 'submitted' / '*' / A / '*')!r}))\n"
            f"print(glob.glob({str(course / 'autograded' / '*' / A / '*.answers.json')!r}))\n"),
        "network": (
            "import socket\n"
            f"socket.create_connection(('127.0.0.1', {port}), timeout=3).sendall(b'leak')\n"),
        "infinite-loop": "while True:\n    pass\n",
        "hundred-mb-output": "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)\n",
        "memory-bomb": "blocks = []\nwhile True:\n    blocks.append(bytearray(100 * 1024 * 1024))\n",
        "process-flood": (
            "import subprocess\nprocs = []\n"
            "for _ in range(400):\n    procs.append(subprocess.Popen(['sleep', '60']))\n"),
        "os-exit": "import os\nos._exit(0)\n",
    }


class Listener:
    """A loopback TCP server that records whether anything reached it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def attacked_class(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("attacks") / "course")
    exchange = course / "exchange"
    listener = Listener()
    env = {"COURSE_CELL_TIMEOUT": "10"}
    nbgrader(course, "generate_assignment", A, "--force")
    nbgrader(course, "release_assignment", A)
    home = course.parent / "home"
    folder = fetch(home, A, exchange)
    source = nbformat.read(course / "source" / A / f"{A}.ipynb", as_version=4)
    solutions = {c.id: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}
    honest_nb = nbformat.read(folder / f"{A}.ipynb", as_version=4)
    for cell in honest_nb.cells:
        cell.source = solutions.get(cell.id, cell.source)  # typed, not run: the grader runs it
    nbformat.write(honest_nb, folder / f"{A}.ipynb")
    submit(home, A, "honest", exchange)
    names = list(attacks(course, listener.port))
    for name, code in attacks(course, listener.port).items():
        nb = nbformat.from_dict(json.loads(json.dumps(honest_nb)))
        cell = nbformat.v4.new_code_cell(code)
        cell.id = f"attack-{name}"
        setup = next(i for i, c in enumerate(nb.cells) if c.get("id") == "setup")
        nb.cells.insert(setup + 1, cell)  # right after the lesson's imports
        nbformat.write(nb, folder / f"{A}.ipynb")
        submit(home, A, name, exchange)
    nbgrader(course, "collect", A)
    result = nbgrader(course, "autograde", A, env=env)
    listener.close()
    return {"course": course, "grades": read_grades(course), "names": names, "listener": listener,
            "log": result.stdout + result.stderr}


def attack_output(course: Path, name: str) -> str:
    """The text the attack cell itself printed when the grader ran it."""
    nb = nbformat.read(course / "autograded" / name / A / f"{A}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == f"attack-{name}")
    return "".join(o.get("text", "") for o in cell.outputs)


def test_the_batch_finishes_and_grades_everyone(attacked_class):
    for name in ["honest", *attacked_class["names"]]:
        assert (name, A) in attacked_class["grades"], f"{name} was not graded"


def test_honest_student_is_graded_normally(attacked_class):
    assert float(attacked_class["grades"][("honest", A)]["raw_score"]) == pytest.approx(HONEST_SCORE)


@pytest.mark.parametrize("name", list(attacks(Path("/x"), 1)))
def test_attack_scores_no_more_than_the_honest_answers(attacked_class, name):
    assert float(attacked_class["grades"][(name, A)]["raw_score"]) <= HONEST_SCORE


def test_no_key_or_source_text_reached_the_attackers_notebook(attacked_class):
    course = attacked_class["course"]
    executed = attack_output(course, "read-key-and-source")
    from course.grading.score.keys import load_keys

    for item in load_keys(course / "keys" / f"{A}.yaml").values():
        for reason in item.why.values():
            assert reason not in executed
    assert "BEGIN" not in executed and "grade_id" not in executed
    assert "blocked" in executed  # '../../../keys' relative to its folder: it does not exist there


def test_nothing_was_written_outside_the_attackers_folder(attacked_class):
    course = attacked_class["course"]
    assert not (course / "release" / MARKER).exists()
    assert not (Path("/tmp") / MARKER).exists()
    assert not (course.parent / MARKER).exists()


def test_other_submissions_were_invisible(attacked_class):
    import ast

    own = str(attacked_class["course"] / "autograded" / "read-other-submissions")
    submitted, graded = (ast.literal_eval(line) for line in
                         attack_output(attacked_class["course"], "read-other-submissions").split())
    assert submitted == []                           # submitted/ is hidden entirely
    assert all(path.startswith(own) for path in graded)  # only its own graded copy is visible


def test_no_network_connection_left_the_sandbox(attacked_class):
    assert attacked_class["listener"].connections == 0


def test_huge_output_was_cut(attacked_class):
    path = attacked_class["course"] / "autograded" / "hundred-mb-output" / A / f"{A}.ipynb"
    assert path.stat().st_size < 5_000_000
