"""A graded scenario played on the course recorder, one node at a time (issue 28).

The recorder runs for real (tornado on loopback, a SQLite store, a stand-in hub identity API);
the kernel side is the course's own Lesson and player with COURSE_RECORDER_URL and a hub token
in the environment, as a hub's spawner sets them. What is checked: the kernel is sent the node
the student is at and never the scenario; each move is recorded by the server as it plays it;
rewinding the answers file changes nothing; a whole attempt cannot be posted; "Start again" is
refused while the graded attempt is open; one student cannot see another's play.
"""
from __future__ import annotations

import json
import shutil
import urllib.request

import pytest

from course import Lesson
from course.exercises.base import ExerciseError
from course.recorder.client import RecorderClient, RecorderError, RemoteScenarioPlay
from course.recorder.replay import graded_answers
from course.recorder.store import RecordStore
from course.scenarios import iter_paths, load_shipped, scenarios_dir
from support.recorder import running_recorder

LESSON, ITEM, SCENARIO = "03-assessment-and-control", "ac-g4", "mental-health-crisis"


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """A recorder that plays lesson 03's graded scenario, and a student's (alice's) kernel environment."""
    published = tmp_path / "published" / LESSON
    published.mkdir(parents=True)
    shutil.copy(scenarios_dir() / f"{SCENARIO}.yaml", published / f"{ITEM}.yaml")
    with running_recorder(tmp_path, tmp_path / "published") as recorder:
        monkeypatch.setenv("COURSE_RECORDER_URL", recorder.url)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice-token")
        home = tmp_path / "alice"
        home.mkdir()
        monkeypatch.chdir(home)
        yield recorder


def a_complete_path() -> list[str]:
    return list(next(iter(iter_paths(load_shipped(SCENARIO))))[0])


def graded_player(hub):
    return Lesson(LESSON).scenario(ITEM, SCENARIO, graded=True)


def test_the_kernel_gets_the_node_it_is_at_never_the_scenario(hub):
    scenario = load_shipped(SCENARIO)
    player = graded_player(hub)
    assert player.remote and not hasattr(player.play, "scenario") and not hasattr(player.play, "run")
    answer = RecorderClient.from_environment().play(LESSON, ITEM, "view")
    text = json.dumps(answer)
    here = scenario.node(scenario.start)
    others = [n for n in scenario.nodes if n != here.id and n not in {c.next for c in here.choices if c.next}]
    assert not [n for n in others if f'"{n}"' in text]          # no other node's id
    for node in scenario.nodes.values():                         # no teaching point, no ending's text
        for choice in node.choices:
            assert not choice.teaching_point or choice.teaching_point not in text
        assert not node.debrief or node.debrief not in text
    assert sorted(answer) == ["header", "view"]
    assert [c for c, _text in player.view.choices] == [c.id for c in here.choices if c.is_visible(
        scenario.initial_state, frozenset())]


def test_each_move_is_recorded_by_the_server_and_rewinding_the_file_changes_nothing(hub, tmp_path):
    path = a_complete_path()
    player = graded_player(hub)
    player.click(path[:2])
    records = RecordStore(hub.db_url, read_only=True).records("alice", LESSON)
    assert [r.value["attempts"][0]["choices"] for r in records] == [path[:1], path[:2]]
    assert "Teaching point:" not in player.scene.value               # graded: reactions only

    # The student deletes (rewinds) the answers file and runs the cell again: the server's play goes on.
    (tmp_path / "alice" / f"{LESSON}.answers.json").unlink()
    again = graded_player(hub)
    assert again.view.moves == 2 and "Restored from the course server" in again.status.value
    with pytest.raises(ExerciseError, match="Start again is locked"):
        again.restart()
    # ... and cannot post a whole well-played attempt instead of playing it.
    with pytest.raises(RecorderError, match="409"):
        RecorderClient.from_environment().send(LESSON, ITEM, "scenario", "graded",
                                               {"attempts": [{"choices": path, "complete": True}]})
    for choice in path[2:]:
        again.submit(choice)
    assert again.view.ended
    replayed = graded_answers(RecordStore(hub.db_url, read_only=True).records("alice", LESSON))
    assert replayed.answers[ITEM]["value"] == {"attempts": [{"choices": path, "complete": True}]}
    assert replayed.notes == []


def test_after_the_graded_attempt_practice_attempts_are_played_and_kept_apart(hub):
    path = a_complete_path()
    player = graded_player(hub)
    player.submit(path)
    player.restart()
    player.submit(path[0])
    assert player.view.attempt == 2 and "Teaching point:" in player.scene.value
    replayed = graded_answers(RecordStore(hub.db_url, read_only=True).records("alice", LESSON))
    assert replayed.answers[ITEM]["value"]["attempts"] == [{"choices": path, "complete": True}]


def test_a_move_not_offered_is_refused_and_nothing_is_recorded(hub):
    client = RecorderClient.from_environment()
    with pytest.raises(RecorderError, match="409"):
        client.play(LESSON, ITEM, "choose", "no_such_choice")
    with pytest.raises(RecorderError, match="400.*choice"):
        client.play(LESSON, ITEM, "choose", "<script>")
    assert RecordStore(hub.db_url, read_only=True).records("alice") == []


def test_another_student_sees_only_their_own_play(hub, monkeypatch):
    graded_player(hub).submit(a_complete_path()[:2])
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "bob-token")
    bob = RemoteScenarioPlay.open(LESSON, ITEM)
    assert bob.view().moves == 0 and bob.view().attempts == ()
    request = urllib.request.Request(hub.url + "api/play", method="POST", headers={"Authorization": "token stolen"},
                                     data=json.dumps({"lesson": LESSON, "item": ITEM, "action": "view"}).encode())
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(request, timeout=10)


def test_an_item_the_recorder_does_not_play_is_played_in_the_kernel(hub, tmp_path):
    """A practice scenario (or a course that releases its scenarios) plays locally as before."""
    folder = tmp_path / "alice" / "scenarios"
    folder.mkdir()
    shutil.copy(scenarios_dir() / "protest.yaml", folder)
    player = Lesson(LESSON).scenario("cr-g4", "protest", graded=True)
    assert not player.remote and player.view.choices


def test_the_recorder_down_is_said_plainly(hub, monkeypatch):
    monkeypatch.setenv("COURSE_RECORDER_URL", "http://127.0.0.1:9/services/recorder/")
    with pytest.raises(ExerciseError, match="played on the course server.*could not be reached"):
        graded_player(hub)
