"""The course recorder (course/recorder/): its store, its HTTP service and the kernel's client.

The service runs for real (tornado, on loopback) with a real SQLite store. Who owns a token is
asked of a hub API: here a stand-in that answers `GET /hub/api/user` as JupyterHub does for two
students' tokens (the class hub test drives the real JupyterHub).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from course.recorder.client import RecorderClient, RecorderError
from course.recorder.replay import graded_answers
from course.recorder.store import RecordStore
from course.recording import AnswerStore
from support.recorder import running_recorder


@pytest.fixture
def recorder(tmp_path):
    """The recorder service and a stand-in hub API on loopback: .url, .db_url, .hub_api."""
    with running_recorder(tmp_path) as running:
        yield running


def test_the_store_is_append_only(tmp_path):
    store = RecordStore(f"sqlite:///{tmp_path / 'r.db'}")
    first = store.append("alice", "02-active-listening", "al-g2", "single", "graded", "b")
    assert [r.value for r in store.records("alice")] == ["b"] and first.recorded_at.endswith("+00:00")
    with store.engine.begin() as db, pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.exec_driver_sql("UPDATE course_records SET value = '\"a\"'")
    with store.engine.begin() as db, pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.exec_driver_sql("DELETE FROM course_records")
    reader = RecordStore(f"sqlite:///{tmp_path / 'r.db'}", read_only=True)
    assert [r.item for r in reader.records("alice", "02-active-listening")] == ["al-g2"]
    with pytest.raises(sa.exc.OperationalError):
        reader.append("alice", "x", "y", "single", "graded", 1)


def test_each_student_records_and_reads_only_their_own(recorder):
    url, db_url = recorder.url, recorder.db_url
    alice, bob = RecorderClient(url, "alice-token"), RecorderClient(url, "bob-token")
    assert alice.send("02-active-listening", "al-g2", "single", "graded", "b")["kept"] is True
    # A body that names another user is still alice's: the service has no field for "who".
    import urllib.request
    forged = json.dumps({"user": "bob", "lesson": "02-active-listening", "item": "al-g4", "kind": "single",
                         "mode": "graded", "value": "c"}).encode()
    urllib.request.urlopen(urllib.request.Request(url + "api/records", data=forged, method="POST",
                                                  headers={"Authorization": "token alice-token"}), timeout=10)
    assert bob.send("02-active-listening", "al-g2", "single", "graded", "a")["kept"] is True
    assert bob.send("02-active-listening", "al-p1", "single", "practice", "a")["kept"] is False

    assert [(r["item"], r["value"]) for r in alice.mine("02-active-listening")] == [("al-g2", "b"), ("al-g4", "c")]
    assert [(r["item"], r["value"]) for r in bob.mine()] == [("al-g2", "a")]
    stored = RecordStore(db_url, read_only=True)
    assert {r.user for r in stored.records("alice")} == {"alice"}
    assert [r.item for r in stored.records("bob")] == ["al-g2"]          # practice is not kept


@pytest.mark.parametrize("token,status", [("", 401), ("stolen", 403), ("service-token", 403)])
def test_no_token_an_unknown_one_or_a_services_records_nothing(recorder, token, status):
    url, db_url = recorder.url, recorder.db_url
    with pytest.raises(RecorderError, match=str(status)):
        RecorderClient(url, token).send("02-active-listening", "al-g2", "single", "graded", "b")
    assert RecordStore(db_url, read_only=True).records("alice") == []


@pytest.mark.parametrize("field,value", [("lesson", "../etc"), ("item", "<img src=x>"), ("kind", "Single!"),
                                         ("mode", "final")])
def test_a_malformed_record_is_refused_with_its_field_named(recorder, field, value):
    url = recorder.url
    body = {"lesson": "02-active-listening", "item": "al-g2", "kind": "single", "mode": "graded", field: value}
    with pytest.raises(RecorderError, match=field):
        RecorderClient(url, "alice-token").send(body["lesson"], body["item"], body["kind"], body["mode"], "b")


def test_a_graded_save_in_the_kernel_reaches_the_recorder(recorder, tmp_path, monkeypatch):
    url, db_url = recorder.url, recorder.db_url
    monkeypatch.setenv("COURSE_RECORDER_URL", url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice-token")
    store = AnswerStore.for_notebook("02-active-listening", tmp_path)
    assert store.record("al-g2", "single", "b", mode="graded")["server"] == "recorded"
    assert "server" not in store.record("al-p1", "single", "a", mode="practice")
    assert [r.value for r in RecordStore(db_url, read_only=True).records("alice")] == ["b"]

    # The recorder down: the answer is still in the file, and the student is told it was not recorded.
    monkeypatch.setenv("COURSE_RECORDER_URL", "http://127.0.0.1:9/services/recorder/")
    store = AnswerStore.for_notebook("02-active-listening", tmp_path)
    record = store.record("al-g4", "single", "c", mode="graded")
    assert record["server"].startswith("not recorded: the course server could not be reached")
    assert json.loads(Path(store.path).read_text())["answers"]["al-g4"]["value"] == "c"


def test_the_graded_attempt_is_the_first_the_recorder_saw(tmp_path):
    store = RecordStore(f"sqlite:///{tmp_path / 'r.db'}")
    bad = ["ask_sister", "plan_roles"]
    store.append("eve", "03", "ac-g4", "scenario", "graded", {"attempts": [{"choices": bad[:1], "complete": False}]})
    store.append("eve", "03", "ac-g4", "scenario", "graded", {"attempts": [{"choices": bad, "complete": False}]})
    # The answers file rewound, the scenario replayed well: attempt 1 now starts differently.
    store.append("eve", "03", "ac-g4", "scenario", "graded",
                 {"attempts": [{"choices": ["ask_sister", "request_clinician"], "complete": False}]})
    store.append("eve", "03", "ac-g1", "single", "graded", "a")
    store.append("eve", "03", "ac-g1", "single", "graded", "b")        # changed before submitting
    replayed = graded_answers(store.records("eve", "03"))
    assert replayed.answers["ac-g4"]["value"] == {"attempts": [{"choices": bad, "complete": False}]}
    assert replayed.answers["ac-g1"]["value"] == "b"
    assert any("rewound" in note for note in replayed.notes)


def test_the_store_on_postgresql_is_append_only_too():
    from support.postgres import postgres_server

    with postgres_server() as url:
        store = RecordStore(url)
        store.append("alice", "02-active-listening", "al-g2", "single", "graded", "b")
        RecordStore(url)  # opening it again (a restart) keeps what is there
        assert [r.value for r in RecordStore(url).records("alice")] == ["b"]
        for statement in ("UPDATE course_records SET value = '\"a\"'", "DELETE FROM course_records",
                          "TRUNCATE course_records"):
            with store.engine.begin() as db, pytest.raises(sa.exc.DatabaseError, match="append-only"):
                db.exec_driver_sql(statement)
        store.engine.dispose()


def test_records_survive_the_recorder_being_killed_mid_scenario(recorder, tmp_path):
    """The service killed (SIGKILL) between two moves of a graded scenario played on it, then
    started again on the same store: the play goes on from the move recorded before the kill."""
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from course.scenarios import scenarios_dir

    db_url = f"sqlite:///{tmp_path / 'killed.db'}"
    published = tmp_path / "published"
    (published / "03").mkdir(parents=True)
    shutil.copy(scenarios_dir() / "mental-health-crisis.yaml", published / "03" / "ac-g4.yaml")

    def start(port):
        process = subprocess.Popen([sys.executable, "-m", "course.recorder.service", "--port", str(port),
                                    "--db-url", db_url, "--hub-api-url", recorder.hub_api, "--prefix", "/",
                                    "--scenarios", str(published)],
                                   stderr=subprocess.PIPE, text=True)
        client = RecorderClient(f"http://127.0.0.1:{port}/", "alice-token")
        for _ in range(150):
            try:
                client.mine()
                return process, client
            except RecorderError:
                time.sleep(0.1)
        process.kill()
        raise AssertionError(process.stderr.read())

    from support.postgres import _free_port

    process, client = start(port := _free_port())
    client.play("03", "ac-g4", "choose", "ask_sister")
    process.send_signal(signal.SIGKILL)
    process.wait()
    process, client = start(port)
    try:
        assert client.play("03", "ac-g4", "view")["view"]["attempts"] == [{"choices": ["ask_sister"], "complete": False}]
        client.play("03", "ac-g4", "choose", "plan_roles")
        assert [r["value"]["attempts"][0]["choices"] for r in client.mine("03")] == [
            ["ask_sister"], ["ask_sister", "plan_roles"]]
    finally:
        process.kill()
        process.wait()
