"""The option-package exercise (kind "package") and its scorer."""
from __future__ import annotations

import json

import pytest

from course import Lesson
from course.exercises.base import ExerciseError
from course.grading.score.item import score_item
from course.grading.score.keys import ItemKey, KeyError_, load_keys

PARTIES = {
    "ann": {"name": "Ann", "interests": {"sleep": "sleep at night", "car": "get her car out"}},
    "bo": {"name": "Bo", "interests": {"income": "keep his income", "time": "work evenings"}},
}
OPTIONS = {"o1": "Loud work before 21:00", "o2": "Bo closes the shop", "o3": "Driveway kept clear", "o4": "Earplugs"}
SERVES = {"o1": ["ann.sleep", "bo.income", "bo.time"], "o2": ["ann.sleep", "ann.car"], "o3": ["ann.car"], "o4": ["bo.time"]}
REASONS = {"r1": "Outside standard", "r2": "Serves both", "r3": "Split the difference"}
ANSWER = {"required": ["o1", "o3"], "breaks": {"o2": "bo", "o4": "ann"}, "reasons": {"o1": ["r2"], "o3": "r1"}}
WHY = {"o1": "why o1", "o2": "why o2", "o3": "why o3", "o4": "why o4"}


@pytest.fixture
def lesson(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Lesson("demo")


def make(lesson, item="g1", **kw):
    return lesson.option_package(item, "Build a package.", PARTIES, OPTIONS, SERVES, REASONS, **kw)


def on_disk(lesson):
    return json.loads(lesson.store.path.read_text())["answers"]


def test_creating_writes_nothing_and_ticking_without_saving_records_nothing(lesson):
    item = make(lesson)
    item.boxes["o1"].value = True
    item.reason_menus["o1"].value = "r2"
    assert not lesson.store.path.exists()


def test_table_shows_whose_interests_the_ticked_options_serve(lesson):
    item = make(lesson)
    assert "package is empty" in item.table.value
    item.boxes["o3"].value = True
    assert "get her car out" in item.table.value and "Not yet served" in item.table.value
    assert item.reason_rows["o3"].layout.display is None and item.reason_rows["o1"].layout.display == "none"
    # Ann's sleep and both of Bo's interests are still unserved
    assert "sleep at night" in item.table.value.split("Not yet served")[1]


def test_click_saves_only_ticked_options_and_their_reasons(lesson):
    item = make(lesson)
    item.click({"options": ["o3", "o1"], "reasons": {"o1": "r2"}})
    record = on_disk(lesson)["g1"]
    assert record["kind"] == "package" and record["mode"] == "graded"
    assert record["value"] == {"options": ["o1", "o3"], "reasons": {"o1": "r2"}}
    assert "1 of 2 options with a reason" in item.status.value
    assert "Correct" not in item.status.value and "Not quite" not in item.status.value
    # unticking an option drops its reason from what is read
    item.boxes["o1"].value = False
    assert item.read_inputs() == {"options": ["o3"], "reasons": {}}


def test_restart_restores_without_writing(lesson):
    make(lesson).click({"options": ["o1"], "reasons": {"o1": "r1"}})
    before = lesson.store.path.read_bytes()
    again = make(Lesson("demo"))
    assert again.boxes["o1"].value and not again.boxes["o2"].value
    assert again.reason_menus["o1"].value == "r1"
    assert "Restored your saved answer" in again.status.value
    assert lesson.store.path.read_bytes() == before


def test_bad_values_are_refused_with_the_item_named(lesson):
    make(lesson)
    for bad, message in [
        ("o1", "give a package like"),
        ({"options": []}, "tick at least one option"),
        ({"options": ["o9"]}, "are not options"),
        ({"options": ["o1"], "reasons": {"o3": "r1"}}, "not in the package"),
        ({"options": ["o1"], "reasons": {"o1": "r9"}}, "unknown reasons"),
    ]:
        with pytest.raises(ExerciseError, match=f"item 'g1': .*{message}"):
            lesson.answer("g1", bad)
    assert not lesson.store.path.exists()


def test_button_with_nothing_ticked_explains_instead_of_saving(lesson):
    item = make(lesson)
    item.button.click()
    assert "Not saved" in item.status.value and not lesson.store.path.exists()


def test_practice_feedback_per_option_and_reason(lesson):
    item = make(lesson, item="p1", answer=ANSWER, why=WHY)
    item.click({"options": ["o1", "o2"], "reasons": {"o1": "r3"}})
    status = item.status.value
    assert "Not quite" in status and "0 of 4 marks" in status  # o1 +1, wrong reason 0, o2 breaks -1
    assert "breaks a core interest of Bo; you included it" in status and "why o2" in status
    assert "the sound reason is (r2)" in status
    item.click({"options": ["o1", "o3"], "reasons": {"o1": "r2", "o3": "r1"}})
    assert "Correct" in item.status.value and "4 of 4 marks" in item.status.value


def test_practice_needs_a_sound_answer_and_every_explanation(lesson):
    with pytest.raises(ExerciseError, match="practice answer"):
        make(lesson, item="p1", answer={"required": ["o1"]}, why=WHY)
    with pytest.raises(ExerciseError, match="missing"):
        make(lesson, item="p2", answer=ANSWER, why={"o1": "x"})
    with pytest.raises(ExerciseError, match="party.interest"):
        lesson.option_package("p3", "Q", PARTIES, OPTIONS, {"o1": ["ann.money"]}, REASONS)


def key():
    return ItemKey("pk", "package", answer=ANSWER, why={**WHY, "r3": "splitting positions misses interests"})


def rec(value):
    return {"kind": "package", "value": value}


@pytest.mark.parametrize("value, fraction", [
    ({"options": ["o1", "o3"], "reasons": {"o1": "r2", "o3": "r1"}}, 1.0),
    ({"options": ["o1", "o3"], "reasons": {}}, 0.5),                               # 2 options, no reasons
    ({"options": ["o1"], "reasons": {"o1": "r2"}}, 0.5),                           # one option with its reason
    ({"options": ["o1", "o3", "o4"], "reasons": {"o1": "r2", "o3": "r3"}}, 0.5),   # 2 + 1 - 1 break
    ({"options": ["o2", "o4"], "reasons": {}}, 0.0),                               # only breakers: clamped at 0
    ({"options": ["o1", "o2", "o3", "o4"], "reasons": {"o1": "r2", "o3": "r1"}}, 0.5),  # ticking all costs
])
def test_scorer_partial_credit(value, fraction):
    assert score_item(key(), rec(value)).fraction == pytest.approx(fraction)


def test_scorer_feedback_names_options_reasons_and_breaks():
    result = score_item(key(), rec({"options": ["o1", "o4"], "reasons": {"o1": "r3"}}))
    text = "\n".join(result.lines)
    assert "1 of 2 needed options included" in text
    assert "(o3) belongs in the package; you left it out" in text
    assert "(o4) breaks a core interest of ann; you included it (-1)" in text
    assert "Your reason (r3) does not fit; the sound reason is (r2)" in text and "splitting positions" in text


@pytest.mark.parametrize("value", ["o1", ["o1"], {"options": "o1"}, {"options": ["o1"], "reasons": ["r1"]},
                                   {"options": [1, 2]}, None])
def test_scorer_bad_values_score_zero_without_crashing(value):
    result = score_item(key(), rec(value))
    assert result.fraction == 0.0 and "scored 0" in result.lines[0]


def test_bad_package_key_names_file_and_item(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text("items:\n  pk:\n    kind: package\n    answer: {required: [o1], reasons: {o2: r1}}\n")
    with pytest.raises(KeyError_, match=r"k.yaml:\d+: item 'pk': 'reasons' must give"):
        load_keys(path)
    path.write_text("items:\n  pk:\n    kind: package\n    answer: {required: [o1], breaks: {o1: ann}, reasons: {o1: r1}}\n")
    with pytest.raises(KeyError_, match=r"item 'pk': options \['o1'\] are both required and breaking"):
        load_keys(path)
    path.write_text("items:\n  pk:\n    kind: package\n    answer: {required: [o1], reasons: {o1: [r1, r2]}}\n")
    assert load_keys(path)["pk"].answer["required"] == ["o1"]
