"""The scenario player widget: saves every step, restores after a restart, keeps attempts apart."""
from __future__ import annotations

import json
import shutil

import pytest

from course import Lesson
from course.exercises.base import ExerciseError
from course.scenarios import iter_paths, load_shipped, scenarios_dir

SCENARIO = "mental-health-crisis"


@pytest.fixture
def lesson(tmp_path, monkeypatch):
    """A lesson released as on a laptop: its scenario in its scenarios/ folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COURSE_RECORDER_URL", raising=False)
    (tmp_path / "scenarios").mkdir()
    shutil.copy(scenarios_dir() / f"{SCENARIO}.yaml", tmp_path / "scenarios")
    return Lesson("demo")


def a_complete_path():
    scenario = load_shipped(SCENARIO)
    return next(iter(iter_paths(scenario)))[0]


def saved_attempts(lesson, item="mh"):
    return json.loads(lesson.store.path.read_text())["answers"][item]["value"]["attempts"]


def test_showing_the_player_writes_nothing(lesson):
    lesson.scenario("mh", SCENARIO, graded=True)
    assert not lesson.store.path.exists()


def test_each_choice_is_saved_and_shows_reaction_and_state_in_words(lesson):
    player = lesson.scenario("mh", SCENARIO)
    first = player.choice.options[0][1]
    player.click([first])
    assert saved_attempts(lesson) == [{"choices": [first], "complete": False}]
    assert "What happens:" in player.scene.value
    assert "Tension:" in player.meter_words.value and " of 10</strong>, " in player.meter_words.value
    assert "Teaching point:" in player.scene.value  # practice mode


def test_graded_mode_hides_teaching_points_until_the_end_and_states_the_policy(lesson):
    player = lesson.scenario("mh", SCENARIO, graded=True)
    assert "FIRST attempt is the one that counts, finished or not" in player.policy.value
    path = a_complete_path()
    player.click(path[:1])
    assert "Teaching point:" not in player.scene.value
    for choice_id in path[1:]:
        player.submit(choice_id)
    assert player.view.ended
    assert "Outcome:" in player.debrief_box.value and "feedback after grading" in player.debrief_box.value
    assert "A better choice" not in player.debrief_box.value      # the key is not in the package
    assert "attempt 1 (complete) is the one graded" in player.status.value


def test_restart_keeps_the_first_attempt_and_starts_another(lesson):
    player = lesson.scenario("mh", SCENARIO, graded=True)
    path = a_complete_path()
    player.click([path, path[:1]])
    attempts = saved_attempts(lesson)
    assert attempts == [{"choices": list(path), "complete": True}, {"choices": list(path[:1]), "complete": False}]


def test_kernel_restart_continues_the_latest_attempt(lesson):
    player = lesson.scenario("mh", SCENARIO)
    path = a_complete_path()
    player.click(path[:2])
    again = Lesson("demo").scenario("mh", SCENARIO)
    assert [a["choices"] for a in again.view.attempts][-1] == list(path[:2])
    again.submit(path[2])
    assert saved_attempts(lesson)[-1]["choices"] == list(path[:3])


def test_plain_python_choices_are_checked(lesson):
    player = lesson.scenario("mh", SCENARIO)
    with pytest.raises(ExerciseError, match="is not a choice here"):
        lesson.answer("mh", "no_such_choice")
    lesson.answer("mh", player.choice.options[0][1])
    assert len(saved_attempts(lesson)[0]["choices"]) == 1


def test_do_this_without_a_choice_explains(lesson):
    player = lesson.scenario("mh", SCENARIO)
    player.button.click()
    assert "choose what to do first" in player.status.value
    assert not lesson.store.path.exists()


def test_keyboard_users_can_restart_by_typing(lesson):
    player = lesson.scenario("mh", SCENARIO)
    path = a_complete_path()
    lesson.answer("mh", list(path))
    with pytest.raises(ExerciseError, match="restart"):
        lesson.answer("mh", path[0])
    lesson.answer("mh", "restart")
    lesson.answer("mh", path[0])
    assert [a["choices"] for a in saved_attempts(lesson)] == [list(path), [path[0]]]
    assert "1 decision so far" in player.status.value


def test_a_malformed_saved_record_is_reported_not_raised(lesson):
    import json as json_lib

    lesson.store.path.write_text(json_lib.dumps({"format": 1, "answers": {
        "mh": {"kind": "scenario", "value": {"attempts": ["garbage"]}}}}))
    player = lesson.scenario("mh", SCENARIO)
    assert "could not be shown" in player.status.value
    assert player.view.moves == 0


def test_graded_restart_is_locked_until_the_first_attempt_ends(lesson):
    player = lesson.scenario("mh", SCENARIO, graded=True)
    path = a_complete_path()
    player.submit(path[:2])
    assert player.restart_button.disabled and "locked" in player.restart_note.value
    with pytest.raises(ExerciseError, match="first attempt counts"):
        lesson.answer("mh", "restart")
    player.restart_button.click()                     # a click does nothing but explain
    assert "Not restarted" in player.status.value
    player.click([path, path[:1]])                     # the simulator's second attempt is ignored too
    assert [a["choices"] for a in saved_attempts(lesson)] == [list(path[:2])]
    player.submit(path[2:])
    assert player.view.ended and not player.restart_button.disabled
    lesson.answer("mh", "restart")
    lesson.answer("mh", path[0])
    assert "Practice attempt" in player.scene.value and "Teaching point:" in player.scene.value
    assert [a["choices"] for a in saved_attempts(lesson)] == [list(path), [path[0]]]


def test_practice_mode_restarts_mid_attempt(lesson):
    player = lesson.scenario("mh", SCENARIO)
    path = a_complete_path()
    player.submit(path[:2])
    assert not player.restart_button.disabled
    lesson.answer("mh", "restart")
    lesson.answer("mh", path[0])
    assert [a["choices"] for a in saved_attempts(lesson)] == [list(path[:2]), [path[0]]]
