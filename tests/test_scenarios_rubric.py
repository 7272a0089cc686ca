"""Rubric loading, checking and scoring under the attempt policy."""
from __future__ import annotations

from pathlib import Path

import pytest

from course.scenarios import (
    POLICY, ScenarioError, has_key_text, load_rubric, load_shipped, replay, rubric_path, score_attempt,
    validate_rubric,
)

KEYS = Path(__file__).resolve().parents[1] / "keys"

PATHS = {
    "mental-health-crisis": {
        "good": ["ask_sister", "plan_roles", "announce_and_hold", "label_emotion", "open_question_daughter",
                 "paraphrase", "ask_suicide_directly", "secure_means_together", "ask_knife_gently", "thank_and_ask",
                 "offer_choices"],
        "poor": ["go_straight_up", "order_drop_hall", "draw_and_order"],
        "unfinished": ["ask_sister", "plan_roles", "announce_and_hold", "label_emotion"],
    },
    "domestic-dispute": {
        "good": ["ask_see_everyone", "separate_parties", "ask_injury", "full_screen", "acknowledge_and_document",
                 "lethality_screen", "secure_knife", "compare_evidence", "name_predominant", "explain_arrest",
                 "safety_plan"],
        "poor": ["ask_see_everyone", "joint_talk", "screen_together", "mediate_rent"],
        "unfinished": ["ask_see_everyone", "separate_parties", "ask_injury", "full_screen",
                       "acknowledge_and_document"],
    },
    "protest": {
        "good": ["meet_organisers", "deploy_liaison", "negotiate_route", "target_individuals",
                 "explain_to_marcus", "separate_groups", "negotiate_end"],
        "poor": ["riot_posture", "line_at_start", "refuse_route", "warn_everyone", "advance_line"],
        "unfinished": ["meet_organisers", "deploy_liaison", "negotiate_route"],
    },
}
EXPECTED = {
    "mental-health-crisis": {"good": 1.0, "poor": 0.0, "unfinished": 3 / 10},  # the all-recommended path earns full marks
    "domestic-dispute": {"good": 1.0, "poor": 0.0, "unfinished": 2 / 10},
    "protest": {"good": 1.0, "poor": 0.0, "unfinished": 4 / 10},
}


def loaded(scenario_id):
    s = load_shipped(scenario_id)
    assert not has_key_text(s), "a graded scenario's file must not carry best/best_why/debrief"
    return s, load_rubric(rubric_path(scenario_id, KEYS), s)


@pytest.mark.parametrize("scenario_id", sorted(PATHS))
def test_rubrics_are_valid_and_sized(scenario_id):
    s, rubric = loaded(scenario_id)
    assert validate_rubric(rubric_path(scenario_id, KEYS), s) == []
    assert 4 <= len(rubric.decisions) <= 7
    assert any(d.rule.type == "ending" for d in rubric.decisions)


@pytest.mark.parametrize("scenario_id", sorted(PATHS))
@pytest.mark.parametrize("kind", ["good", "poor", "unfinished"])
def test_exact_fractions(scenario_id, kind):
    s, rubric = loaded(scenario_id)
    choices = PATHS[scenario_id][kind]
    assert replay(s, choices).complete == (kind != "unfinished")
    score = score_attempt(s, rubric, {"attempts": [{"choices": choices, "complete": kind != "unfinished"}]})
    assert score.fraction == pytest.approx(EXPECTED[scenario_id][kind])
    assert len(score.lines) == len(rubric.decisions)
    if kind == "unfinished":
        assert not score.complete and "without ending credit" in score.feedback()


def test_first_attempt_counts_even_unfinished():
    """Graded: the first attempt counts, complete or not; abandoning a bad run does not help."""
    s, rubric = loaded("protest")
    p = PATHS["protest"]
    record = {"attempts": [{"choices": p["poor"], "complete": True},
                           {"choices": p["good"], "complete": True}]}
    score = score_attempt(s, rubric, record)
    assert score.attempt_index == 0 and score.fraction == 0.0 and score.outcome == "use_of_force"
    assert any("practice" in n for n in score.notes)
    gamed = {"attempts": [{"choices": p["poor"][:2], "complete": False},
                          {"choices": p["poor"][:3], "complete": False},
                          {"choices": p["good"], "complete": True}]}
    score = score_attempt(s, rubric, gamed)
    assert score.attempt_index == 0 and not score.complete and score.fraction == 0.0
    assert "without ending credit" in score.feedback()


def test_an_empty_first_attempt_is_not_an_attempt():
    s, rubric = loaded("protest")
    record = {"attempts": [{"choices": [], "complete": False},
                           {"choices": PATHS["protest"]["unfinished"], "complete": False}]}
    score = score_attempt(s, rubric, record)
    assert score.attempt_index == 1 and score.fraction == pytest.approx(0.4)


def test_harmful_endings_are_capped_and_say_why():
    s, rubric = loaded("domestic-dispute")
    wrong = ["ask_see_everyone", "separate_parties", "minimise", "check_evidence_anyway", "arrest_both"]
    score = score_attempt(s, rubric, {"attempts": [{"choices": wrong}]})
    assert score.outcome == "arrest" and score.earned <= rubric.caps["wrong_arrest_end"]
    assert any("capped" in n for n in score.notes)
    left = score_attempt(s, rubric, {"attempts": [{"choices": ["accept_and_leave"]}]})
    assert left.earned == 0     # nothing for "did not mediate" or "did not arrest the victim" at the door


def test_invalid_choice_stops_replay_and_is_reported():
    s, rubric = loaded("protest")
    record = {"attempts": [{"choices": ["meet_organisers", "deploy_liaison", "hack", "negotiate_route"],
                            "complete": True}]}
    score = score_attempt(s, rubric, record)
    assert not score.complete and "'hack'" in score.replay_error
    assert any("'hack'" in n for n in score.notes)
    assert score.earned == 3          # dialogue_first + liaison_officers, nothing after the bad choice


def test_answers_file_record_and_empty_record():
    s, rubric = loaded("protest")
    wrapped = {"kind": "scenario", "value": {"attempts": [{"choices": PATHS["protest"]["good"], "complete": True}]}}
    assert score_attempt(s, rubric, wrapped).fraction == 1.0
    for empty in (None, {"attempts": []}, {"bogus": 1}):
        score = score_attempt(s, rubric, empty)
        assert score.fraction == 0.0 and score.attempt_index is None and score.notes


def test_policy_text():
    assert "FIRST attempt is the one that counts, finished or not" in POLICY
    assert "locked" in POLICY and "feedback after grading" in POLICY


def test_chose_rule_on_unvisited_node(tmp_path):
    s = load_shipped("domestic-dispute")
    key = tmp_path / "r.yaml"
    key.write_text("scenario: domestic-dispute\ndecisions:\n"
                   "  - {id: a, description: d, points: 1, rule: {type: chose, node: aggressor, choices: [name_predominant], if_not_visited: full}}\n"
                   "  - {id: b, description: d, points: 1, rule: {type: chose, node: aggressor, choices: [name_predominant]}}\n")
    rubric = load_rubric(key, s)
    score = score_attempt(s, rubric, {"attempts": [{"choices": PATHS["domestic-dispute"]["poor"]}]})
    assert [ln.earned for ln in score.lines] == [1, 0]
    assert "never" in score.lines[0].what_you_did


def test_rubric_validator_checks_names(tmp_path):
    s = load_shipped("domestic-dispute")
    key = tmp_path / "bad.yaml"
    key.write_text("scenario: domestic-dispute\n"
                   "decisions:\n"
                   "  - id: a\n    description: d\n    points: 1\n    rule: {type: chose, node: nowhere, choices: [x]}\n"
                   "  - id: b\n    description: d\n    points: 1\n    rule: {type: chose, node: aggressor, choices: [nope]}\n"
                   "  - id: c\n    description: d\n    points: 1\n    rule: {type: flag_set, flag: ghost}\n"
                   "  - id: d\n    description: d\n    points: 2\n    rule: {type: ending, points: {victory: 2}}\n"
                   "  - id: e\n    description: d\n    points: 1\n    rule: {type: sometimes}\n")
    problems = [str(p) for p in validate_rubric(key, s)]
    text = "\n".join(problems)
    assert "node 'nowhere' does not exist" in text and ":6:" in text
    assert "has no choice 'nope'" in text
    assert "flag 'ghost' is not declared" in text
    assert "'victory' is not an outcome class" in text
    assert "rule type must be one of" in text
    with pytest.raises(ScenarioError):
        load_rubric(key, s)


def test_rubrics_are_outside_the_package():
    import course
    package = Path(course.__file__).resolve().parent
    assert not list(package.rglob("keys"))
    assert rubric_path("protest", KEYS).is_file()
