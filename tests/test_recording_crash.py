"""Killing a process while it writes the answers file leaves the previous valid file."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from course.recording import AnswerStore, read_answers_file

WRITER = """
import sys
from course.recording import AnswerStore
store = AnswerStore.for_notebook("lesson", sys.argv[1])
n = 0
while True:
    n += 1
    # a large record makes each write take long enough to be interrupted part way
    store.record("q1", "single", "b", padding="x" * 200_000, n=n)
"""


def test_sigkill_during_writes_never_leaves_a_broken_file(tmp_path):
    AnswerStore.for_notebook("lesson", tmp_path).record("q1", "single", "a")
    for attempt in range(12):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)])
        time.sleep(0.25 + 0.037 * attempt)  # kill at varied points of a write
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        parsed = read_answers_file(tmp_path / "lesson.answers.json")  # raises if half-written
        assert parsed.answers["q1"]["value"] in ("a", "b")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "lesson.answers.json"]
    # a temp file may survive a SIGKILL (no cleanup runs), but it is never the answers file itself
    assert all(name.startswith(".lesson.answers.json.") and name.endswith(".tmp") for name in leftovers)
    json.loads((tmp_path / "lesson.answers.json").read_text())


def test_the_next_save_cleans_up_temp_files_left_by_a_killed_writer(tmp_path):
    store = AnswerStore.for_notebook("lesson", tmp_path)
    (tmp_path / ".lesson.answers.json.abc123.tmp").write_text('{"half": ')
    store.record("q1", "single", "a")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.answers.json"]
