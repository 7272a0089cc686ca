"""Written replies: saved text, practice feedback from the recogniser, graded partial credit."""
from __future__ import annotations

import pytest

from course import Lesson
from course.exercises.base import ExerciseError
from course.grading.score.item import score_item
from course.grading.score.keys import ItemKey

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


DV_STATEMENT = ("He's been getting worse since he lost his job. Last night he pinned me against the wall "
                "in the hallway. I don't want him arrested, I just want it to stop.")


def test_grader_says_suggested_and_names_what_it_recognised():
    from course.grading.score.written import suggest_written
    key = ItemKey("w", "written", extra={"statement": STATEMENT, "expected_skills": ["emotional_labeling", "open_question"]})
    s = suggest_written(key, GOOD)
    assert s.fraction == 1.0 and s.needs_manual_grade
    assert set(s.skills) == {"emotional_labeling", "open_question"} and not s.roadblocks
    assert any(line.startswith("Suggested score: 1.00") and "emotional labeling" in line for line in s.lines)
    assert any("SUGGESTED" in line and "confirms or changes" in line for line in s.lines)
    graded = score_item(key, {"kind": "written", "value": GOOD})
    assert graded.fraction == s.fraction and graded.lines == s.lines


def test_hostile_question_is_a_roadblock_not_an_open_question():
    key = ItemKey("w", "written", extra={"statement": STATEMENT, "expected_skills": ["emotional_labeling", "open_question"]})
    result = score_item(key, {"kind": "written", "value": "You sound angry. What's your problem, mate?"})
    assert result.fraction == 0.0
    assert any("Roadblock: judging" in line for line in result.lines)
    assert not any("Skill: open question" in line for line in result.lines)


@pytest.mark.parametrize("reply", ["Has he ever put his hands on your neck?",
                                   "Are there any weapons in the house?"])
def test_dv_safety_question_is_credited_and_never_told_to_paraphrase(reply):
    key = ItemKey("w", "written", extra={"statement": DV_STATEMENT, "context": "domestic_dispute",
                                         "expected_skills": ["paraphrasing", "emotional_labeling"]})
    result = score_item(key, {"kind": "written", "value": reply})
    assert result.fraction == 0.5
    assert any("Skill: safety question" in line for line in result.lines)
    advice = " ".join(line for line in result.lines if line.startswith("Suggestion:"))
    assert "own words" not in advice and "paraphrase" not in advice.lower()


def test_safety_question_out_of_context_is_not_credited():
    key = ItemKey("w", "written", extra={"statement": STATEMENT, "context": "protest"})
    result = score_item(key, {"kind": "written", "value": "Are you thinking about killing yourself?"})
    assert result.fraction == 0.0
    assert not any("safety question" in line for line in result.lines)
