"""The widget toolkit: saving only on a real choice, restoring after a restart, practice vs graded."""
from __future__ import annotations

import json

import pytest

from course import Lesson
from course.exercises.base import ExerciseError

OPTIONS = {"a": "First", "b": "Second", "c": "Third"}
WHY = {"a": "why a", "b": "why b", "c": "why c"}


@pytest.fixture
def lesson(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Lesson("demo")


def answers_on_disk(lesson):
    return json.loads(lesson.store.path.read_text())["answers"]


def test_creating_or_rerunning_a_widget_writes_nothing(lesson):
    lesson.single_choice("g1", "Q?", OPTIONS)
    lesson.multiple_choice("g2", "Q?", OPTIONS)
    lesson.classify("g3", "Q?", {"l1": "line"}, {"x": "X", "y": "Y"})
    assert not lesson.store.path.exists()


def test_click_saves_and_restart_restores(lesson):
    item = lesson.single_choice("g1", "Q?", OPTIONS)
    item.choice.value = "b"
    item.button.click()
    assert answers_on_disk(lesson)["g1"]["value"] == "b"
    before = lesson.store.path.read_bytes()
    # A kernel restart: a new Lesson and a new widget, created from the file.
    again = Lesson("demo").single_choice("g1", "Q?", OPTIONS)
    assert again.choice.value == "b"
    assert "Restored your saved answer" in again.status.value
    assert lesson.store.path.read_bytes() == before  # restoring wrote nothing


def test_selecting_without_pressing_save_records_nothing(lesson):
    item = lesson.single_choice("g1", "Q?", OPTIONS)
    item.choice.value = "a"
    assert not lesson.store.path.exists()


def test_graded_mode_does_not_reveal_correctness(lesson):
    item = lesson.single_choice("g1", "Q?", OPTIONS)
    item.choice.value = "a"
    item.button.click()
    assert "Saved" in item.status.value and "graded after you submit" in item.status.value
    assert "Correct" not in item.status.value and "Not quite" not in item.status.value
    assert answers_on_disk(lesson)["g1"]["mode"] == "graded"


def test_practice_mode_explains_the_choice_and_the_answer(lesson):
    item = lesson.single_choice("p1", "Q?", OPTIONS, answer="c", why=WHY)
    item.choice.value = "a"
    item.button.click()
    assert "Not quite" in item.status.value and "why a" in item.status.value and "why c" in item.status.value
    item.choice.value = "c"
    item.button.click()
    assert "Correct" in item.status.value


def test_multiple_choice_practice_feedback_per_option(lesson):
    item = lesson.multiple_choice("p2", "Q?", OPTIONS, answer=["a", "c"], why=WHY)
    item.boxes["a"].value = True
    item.boxes["b"].value = True
    item.button.click()
    status = item.status.value
    assert "you selected it; it does not belong" in status and "you left it out; it belongs" in status


def test_classify_records_each_line(lesson):
    item = lesson.classify("g3", "Q?", {"l1": "one", "l2": "two"}, {"x": "X", "y": "Y"})
    item.dropdowns["l1"].value = "y"
    item.button.click()
    assert answers_on_disk(lesson)["g3"]["value"] == {"l1": "y"}
    assert "1 of 2 lines labelled" in item.status.value


def test_plain_python_answer_writes_the_same_record_as_a_click(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clicked = Lesson("a")
    item = clicked.multiple_choice("g2", "Q?", OPTIONS)
    item.boxes["c"].value = item.boxes["a"].value = True
    item.button.click()
    typed = Lesson("b")
    typed.multiple_choice("g2", "Q?", OPTIONS)
    typed.answer("g2", ["c", "a"])
    strip = lambda rec: {k: v for k, v in rec.items() if k != "saved_at"}  # noqa: E731
    assert strip(clicked.store.get("g2")) == strip(typed.store.get("g2"))


def test_bad_plain_python_answers_name_the_item(lesson):
    lesson.single_choice("g1", "Q?", OPTIONS)
    with pytest.raises(ExerciseError, match=r"item 'g1': 'z' is not an option"):
        lesson.answer("g1", "z")
    with pytest.raises(ExerciseError, match="no exercise 'g9'"):
        lesson.answer("g9", "a")
    assert not lesson.store.path.exists()


def test_button_with_nothing_chosen_explains_instead_of_saving(lesson):
    item = lesson.single_choice("g1", "Q?", OPTIONS)
    item.button.click()
    assert "Not saved" in item.status.value and "choose one option first" in item.status.value
    assert not lesson.store.path.exists()


def test_corrupt_answers_file_shows_a_clear_warning(lesson):
    lesson.store.path.write_text("garbage")
    item = lesson.single_choice("g1", "Q?", OPTIONS)
    assert "could not be read" in item.status.value and "demo.answers.json" in item.status.value
    item.choice.value = "a"
    item.button.click()
    assert answers_on_disk(lesson)["g1"]["value"] == "a"
    assert any(".corrupt-" in p.name for p in lesson.store.path.parent.iterdir())


@pytest.mark.parametrize("kwargs, message", [
    (dict(answer="z", why=WHY), "practice answer 'z' is not one of"),
    (dict(answer="a", why={"a": "x"}), "missing ['b', 'c']"),
])
def test_bad_item_definitions_name_the_item(lesson, kwargs, message):
    with pytest.raises(ExerciseError) as error:
        lesson.single_choice("p9", "Q?", OPTIONS, **kwargs)
    assert "p9" in str(error.value) and message in str(error.value)
