"""Written replies: saved text, practice feedback from the recogniser, graded partial credit."""
from __future__ import annotations

import pytest

from course import Lesson
from course.exercises.base import ExerciseError
from course.grading.keys import ItemKey
from course.grading.score import score_item

STATEMENT = "You lot just stand there while they tear down the only place our kids have got!"
GOOD = "It sounds like you're really angry that the centre is closing. What has the centre meant for your kids?"
POOR = "Calm down. Shouting at us will not change anything, you should write to the council."


@pytest.fixture
def lesson(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Lesson("demo")


def test_practice_shows_recognised_skills_and_a_suggestion(lesson):
    item = lesson.written_reply("w1", "Reply:", STATEMENT, expected_skills=["emotional_labeling"])
    assert not lesson.store.path.exists()
    item.click(GOOD)
    assert "emotional labeling" in item.status.value and "Suggestion:" in item.status.value
    assert lesson.store.get("w1")["value"] == GOOD


def test_graded_saves_without_feedback_and_restores(lesson):
    item = lesson.written_reply("w2", "Reply:", STATEMENT, graded=True)
    item.click(POOR)
    assert "Roadblock" not in item.status.value and "graded after you submit" in item.status.value
    assert Lesson("demo").written_reply("w2", "Reply:", STATEMENT, graded=True).text.value == POOR


def test_empty_reply_is_refused_with_the_item_named(lesson):
    lesson.written_reply("w3", "Reply:", STATEMENT)
    with pytest.raises(ExerciseError, match="item 'w3': write a reply first"):
        lesson.answer("w3", "   ")


def test_grader_gives_partial_credit_and_explains():
    key = ItemKey("w", "written", extra={"statement": STATEMENT, "expected_skills": ["emotional_labeling", "open_question"]})
    good = score_item(key, {"kind": "written", "value": GOOD})
    poor = score_item(key, {"kind": "written", "value": POOR})
    assert good.fraction == 1.0 and poor.fraction == 0.0
    assert any("Roadblock: advising" in line for line in poor.lines)
    assert any("instructor reviews" in line for line in poor.lines)
    assert score_item(key, {"kind": "written", "value": 42}).fraction == 0.0
