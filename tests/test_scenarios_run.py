"""The run engine: choices, effects, clamping, branching on state, record and replay."""
from __future__ import annotations

import pytest

from course.scenarios import InvalidChoice, ScenarioRun, debrief, describe_state, load_keyed, load_shipped, replay

GOOD_MH = ["ask_sister", "plan_roles", "announce_and_hold", "label_emotion", "open_question_daughter",
           "paraphrase", "ask_suicide_directly", "secure_means_together", "ask_knife_gently", "thank_and_ask",
           "offer_choices"]


def test_play_a_path_and_end():
    s = load_shipped("mental-health-crisis")
    run = ScenarioRun(s)
    assert run.node.id == "arrival" and not run.ended and run.state == {"tension": 7, "rapport": 1, "risk": 6}
    assert [c.id for c in run.visible_choices()] == ["ask_sister", "go_straight_up", "call_more_units"]
    step = run.choose("ask_sister")
    assert step.node.id == "plan" and "knife" in step.reaction and step.teaching_point
    assert step.flags_set == ("family_info", "weapon_seen")
    for cid in GOOD_MH[1:]:
        run.choose(cid)
    assert run.ended and run.ending.id == "voluntary_end" and run.outcome == "voluntary_help"
    assert run.path[0] == ("arrival", "ask_sister") and len(run.path) == len(GOOD_MH)
    assert run.visible_choices() == []
    with pytest.raises(InvalidChoice):
        run.choose("anything")


def test_record_and_replay_round_trip():
    s = load_shipped("mental-health-crisis")
    run = ScenarioRun(s)
    for cid in GOOD_MH[:5]:
        run.choose(cid)
    record = run.to_record()
    assert record == {"choices": GOOD_MH[:5], "complete": False}
    again = ScenarioRun.from_record(s, record)
    assert (again.node.id, again.state, again.flags, again.path) == (run.node.id, run.state, run.flags, run.path)
    run.restart()
    assert run.node.id == "arrival" and run.path == [] and run.state == dict(s.initial_state)


def test_replay_stops_at_an_invalid_choice():
    s = load_shipped("mental-health-crisis")
    result = replay(s, ["ask_sister", "no_such_choice", "plan_roles"])
    assert result.stopped_at == 1 and "no_such_choice" in result.error
    assert result.run.node.id == "plan" and not result.complete
    with pytest.raises(InvalidChoice):
        ScenarioRun.from_record(s, {"choices": ["ask_sister", "no_such_choice"]})


def test_hidden_choice_cannot_be_chosen():
    s = load_shipped("domestic-dispute")
    run = ScenarioRun(s)
    run.choose("ask_see_everyone")
    run.choose("separate_parties")
    run.choose("minimise")                       # -> dana_withdraws
    run.choose("check_evidence_anyway")          # -> rob_side, no violence screen
    run.choose("compare_evidence")               # -> aggressor
    assert run.node.id == "aggressor"
    assert "mediate_now" not in [c.id for c in run.visible_choices()]
    with pytest.raises(InvalidChoice, match="not available"):
        run.choose("mediate_now")


def test_state_is_clamped_and_branches_on_tension():
    s = load_shipped("mental-health-crisis")
    run = ScenarioRun(s)
    run.choose("ask_sister")
    run.choose("go_in_fast")                     # tension 8
    step = run.choose("order_drop")              # +2 -> 10 -> knife raised
    assert step.node.id == "knife_raised" and run.state["tension"] == 10
    step = run.choose("draw_and_order")          # +2, clamped at 10
    assert run.state["tension"] == 10 and run.state["risk"] == 8 and step.changes == {"risk": 2}
    assert run.outcome == "use_of_force"          # he advances at tension 10: force only through the state
    assert "comes down the hallway" in run.narrative
    # the same choice, calmer, leads elsewhere
    calm = ScenarioRun(s)
    calm.choose("ask_sister")
    calm.choose("plan_roles")                    # tension 7
    assert calm.choose("order_drop").node.id == "knife_raised"     # 9 -> escalates
    calmer = ScenarioRun(s)
    for cid in ["ask_sister", "plan_roles", "announce_and_hold", "label_emotion"]:
        calmer.choose(cid)
    assert calmer.state["tension"] == 5


def test_undo():
    s = load_shipped("protest")
    run = ScenarioRun(s)
    run.choose("meet_organisers")
    run.choose("deploy_liaison")
    run.undo()
    assert run.path == [("briefing", "meet_organisers")] and run.node.id == "deployment"


def test_describe_state_in_words():
    s = load_shipped("mental-health-crisis")
    words = describe_state({"tension": 8, "rapport": 1, "risk": 6})
    assert words["tension"] == "very tense: shouting, pacing"
    assert words["rapport"].startswith("none")
    assert words["risk"].startswith("high")
    assert ScenarioRun(s).describe_state()["tension"].startswith("tense")    # scenario's own words
    assert describe_state({"mood": 3}) == {"mood": "level 3 of 10"}


def test_debrief_names_better_choices():
    s = load_keyed("domestic-dispute")          # the recommended choices live in keys/scenarios
    run = ScenarioRun(s)
    for cid in ["ask_see_everyone", "joint_talk", "screen_together", "mediate_rent"]:
        run.choose(cid)
    d = debrief(run)
    assert d.ended and d.outcome == "unresolved" and "mediation" in d.ending_text
    missed = {p.node_id: p.best_id for p in d.missed}
    assert missed == {"entry": "separate_parties", "joint_story": "separate_now", "issues": "separate_to_check"}
