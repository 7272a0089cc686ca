"""The three capstone scenarios (lesson 08): new calls, not the ones played in lessons 03, 05 and 07;
valid, big enough, graded from keys/ only, audited, and safe by design (the properties an expert
trainer checks: suicide and lethal means before a good ending, the violence screen before any
mediation, force against a crowd never rewarded)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.grading.score.keys import load_keys
from course.items import load_definitions
from course.scenarios import (
    ScenarioRun, explore, has_key_text, iter_paths, load_keyed, load_rubric, load_shipped, rubric_path,
    scenarios_dir, validate,
)
from course.scenarios.audit import audit, load_for_audit

REPO = Path(__file__).resolve().parents[1]
KEYS = REPO / "keys"
CAPSTONE = ["capstone-crisis", "capstone-domestic", "capstone-protest"]
EARLIER = {"mental-health-crisis", "domestic-dispute", "protest"}     # played in lessons 03, 05, 07
HARMFUL_OUTCOMES = {"use_of_force", "injury"}


def recommended_run(scenario_id: str) -> ScenarioRun:
    s = load_keyed(scenario_id, KEYS)
    run = ScenarioRun(s)
    while not run.ended:
        run.choose(run.node.best)
    return run


def test_the_capstone_grades_the_new_scenarios_not_the_earlier_ones():
    keys = load_keys(KEYS / "08-capstone.yaml")
    graded = {item: key.extra["scenario"] for item, key in keys.items() if key.kind == "scenario"}
    assert sorted(graded.values()) == CAPSTONE
    assert not EARLIER & set(graded.values())
    lesson = (REPO / "lessons" / "08-capstone.md").read_text()
    points = {m.group(1): float(m.group(2)) for m in re.finditer(r"<!-- test id=(\S+) points=([\d.]+)", lesson)}
    definitions = load_definitions(REPO / "source" / "08-capstone" / "08-capstone.items.json")
    for item, scenario_id in graded.items():
        assert definitions[item] == {"kind": "scenario", "graded": True, "scenario": scenario_id}
        rubric = load_rubric(rubric_path(scenario_id, KEYS), load_shipped(scenario_id))
        assert points[item] == rubric.possible == 10


@pytest.mark.parametrize("scenario_id", CAPSTONE)
def test_valid_big_enough_and_every_node_reached(scenario_id):
    assert validate(scenarios_dir() / f"{scenario_id}.yaml") == []
    s = load_shipped(scenario_id)
    assert len(s.decision_nodes) >= 12
    assert len({n.outcome for n in s.endings}) >= 4
    assert len([p for p, _ in iter_paths(s, simple=True) if len(p) >= 8]) >= 2
    ex = explore(s)
    assert not ex.truncated and ex.reached_nodes == set(s.nodes)
    assert s.references and {"tension", "rapport", "risk"} <= set(s.initial_state) <= set(s.state_words)
    assert any(c.next_if for n in s.decision_nodes for c in n.choices)      # state matters


@pytest.mark.parametrize("scenario_id", CAPSTONE)
def test_key_text_only_in_keys_and_content_complete(scenario_id):
    assert has_key_text(load_shipped(scenario_id)) == []
    s = load_keyed(scenario_id, KEYS)
    for node in s.decision_nodes:
        assert node.best and node.best_why, node.id
        assert len(node.choices) >= 3, node.id
        for c in node.choices:
            assert c.text and c.reaction and c.teaching_point, (node.id, c.id)
    assert all(n.debrief for n in s.endings)


@pytest.mark.parametrize("scenario_id", CAPSTONE)
def test_audit_passes_and_harm_earns_little(scenario_id):
    scenario, rubric, config = load_for_audit(scenario_id, KEYS)
    assert 4 <= len(rubric.decisions) <= 7
    assert not any(d.rule.type in ("flag_not_set", "not_visited") for d in rubric.decisions)
    report = audit(scenario, rubric, config)
    assert report.failures == [], "\n".join(report.failures)
    assert report.best is not None and report.best.earned == rubric.possible
    harmful_endings = set(config.harmful)
    assert {n.id for n in scenario.endings if n.outcome in HARMFUL_OUTCOMES} <= harmful_endings
    assert max(r.earned for r in report.paths if r.ending in harmful_endings) <= 0.2 * rubric.possible


@pytest.mark.parametrize("scenario_id", CAPSTONE)
def test_state_falls_on_the_recommended_path(scenario_id):
    s = load_shipped(scenario_id)
    run = recommended_run(scenario_id)
    assert run.node.outcome not in HARMFUL_OUTCOMES | {"unresolved"}
    assert run.state["tension"] < s.initial_state["tension"]
    assert run.state["risk"] < s.initial_state["risk"]
    assert run.state["rapport"] > s.initial_state["rapport"]


def test_crisis_good_endings_need_a_plain_suicide_question_and_the_means_out_of_reach():
    s = load_shipped("capstone-crisis")
    good = {n.id for n in s.endings if n.outcome in ("voluntary_help", "referral")}
    for path, end in iter_paths(s, simple=True):
        if end in good:
            run = ScenarioRun(s)
            for cid in path:
                run.choose(cid)
            assert {"suicide_asked", "means_secured"} <= run.flags, path
    # readiness is not use: the cover officer's ready Taser leads on; firing it never ends well
    assert "taser_fired" not in s.node("screwdriver").choice("hold_ready_barrier").effects.set_flags
    for path, end in iter_paths(s, simple=True):
        if "taser_now" in path or "taser_wall" in path:
            assert s.node(end).outcome in HARMFUL_OUTCOMES, path


def test_domestic_screen_comes_before_any_mediation_and_separation_is_not_the_kitchen():
    s = load_shipped("capstone-domestic")
    mediation = [(n.id, c.id) for n in s.decision_nodes for c in n.choices if "mediation_started" in c.effects.set_flags]
    assert mediation
    for node_id, choice_id in mediation:
        assert "violence_screened" in s.node(node_id).choice(choice_id).condition.flags_all
    ex = explore(s)
    offered = 0
    for i, (node_id, _, flags) in enumerate(ex.keys):
        for c in s.node(node_id).choices:
            if (node_id, c.id) in mediation and c.is_visible(ex.state_of(i), flags):
                offered += 1
                assert "violence_screened" in flags
    assert offered > 0
    separate = s.node("hallway").choice("separate_apart")
    assert "parties_separated" in separate.effects.set_flags and "kitchen" not in separate.text.lower()
    assert "parties_separated" not in s.node("hallway").choice("kitchen_split").effects.set_flags
    # the victim is never arrested on the recommended path, and the right arrest is reached only
    # through weighing the evidence at the aggressor decision
    for path, end in iter_paths(s, simple=True):
        if end in ("arrest_end", "arrest_thin_end"):
            assert "weigh_evidence" in path, path


def test_protest_force_against_a_crowd_or_a_peaceful_person_never_ends_well():
    s = load_shipped("capstone-protest")
    for path, end in iter_paths(s, simple=True):
        run = ScenarioRun(s)
        for cid in path:
            run.choose(cid)
        if run.flags & {"indiscriminate_force", "force_on_peaceful", "rally_stopped"}:
            assert end not in ("both_facilitated_end", "tense_arrests_end"), path
        if end == "both_facilitated_end":
            assert {"channel_open", "facilitated", "targeted_action"} <= run.flags, path
