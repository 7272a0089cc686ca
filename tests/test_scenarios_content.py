"""The three shipped scenarios: valid, big enough, safe by design, and drawable."""
from __future__ import annotations

from collections import Counter

import pytest

from course.scenarios import (
    explore, has_key_text, iter_paths, load_keyed, load_shipped, scenarios_dir, shipped_scenario_ids, validate,
)

SHIPPED = ["domestic-dispute", "mental-health-crisis", "protest"]


def test_the_three_scenarios_ship():
    assert set(SHIPPED) <= set(shipped_scenario_ids())     # capstone scenarios may ship beside them


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_validator_finds_no_errors_or_warnings(scenario_id):
    problems = validate(scenarios_dir() / f"{scenario_id}.yaml")
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_size_requirements(scenario_id):
    s = load_shipped(scenario_id)
    assert len(s.decision_nodes) >= 12
    assert len({n.outcome for n in s.endings}) >= 4
    long_paths = [p for p, _ in iter_paths(s, simple=True) if len(p) >= 6]
    assert len(long_paths) >= 2
    assert s.references and s.id == scenario_id


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_every_ending_and_node_is_reached_when_conditions_are_respected(scenario_id):
    s = load_shipped(scenario_id)
    ex = explore(s)
    assert not ex.truncated
    assert ex.reached_nodes == set(s.nodes)


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_content_is_complete(scenario_id):
    raw = load_shipped(scenario_id)
    assert not has_key_text(raw), "graded: recommended choices and debriefs belong in keys/scenarios"
    s = load_keyed(scenario_id)
    for node in s.decision_nodes:
        assert node.best and node.best_why, node.id
        assert len(node.choices) >= 2, node.id
        for c in node.choices:
            assert c.reaction and c.teaching_point and c.text, (node.id, c.id)
    for node in s.endings:
        assert node.debrief, node.id
    # state matters: some choice branches on state
    assert any(c.next_if for n in s.decision_nodes for c in n.choices)


def test_domestic_mediation_is_gated_behind_the_violence_screen():
    s = load_shipped("domestic-dispute")
    mediation = {(n.id, c.id) for n in s.decision_nodes for c in n.choices if c.id.startswith("mediate")}
    assert len(mediation) >= 2
    for node_id, choice_id in mediation:
        cond = s.node(node_id).choice(choice_id).condition
        assert cond is not None and "violence_screened" in cond.flags_all
    ex = explore(s)
    assert not ex.truncated
    offered = 0
    for i, (node_id, _, flags) in enumerate(ex.keys):
        for c in s.node(node_id).choices:
            if (node_id, c.id) in mediation and c.is_visible(ex.state_of(i), flags):
                offered += 1
                assert "violence_screened" in flags, ex.path_to(i)
    assert offered > 0        # the gate opens after a screen: the choice is real, not dead text
    # and along every complete path, no mediation choice comes before the screen
    for path, _ in iter_paths(s, simple=True):
        screened = False
        for cid in path:
            if cid in {"full_screen", "screen_together"}:
                screened = True
            if cid.startswith("mediate"):
                assert screened, path


def test_protest_and_mental_health_use_state_words():
    for sid in ("protest", "mental-health-crisis"):
        assert "tension" in load_shipped(sid).state_words


def test_state_words_follow_the_flags():
    """Issue 26: once the knife is secured the words no longer put it in his hand, and a flag
    named in state_words_when must be declared (the error names the line)."""
    from course.scenarios import ScenarioError, ScenarioRun, load_scenario, resolve_scenario
    from course.scenarios.describe import describe_state

    scenario = resolve_scenario("mental-health-crisis")
    before = describe_state({"tension": 6, "risk": 6}, scenario)
    after = describe_state({"tension": 6, "risk": 6}, scenario, {"knife_secured"})
    assert "knife" in before["tension"] and "armed" in before["risk"]
    assert "gripping" not in after["tension"] and "armed" not in after["risk"]
    assert ScenarioRun(scenario).describe_state()  # the run passes its flags through

    import pathlib
    import tempfile

    text = pathlib.Path(scenario.source).read_text().replace("  knife_secured:\n    tension:", "  no_such_flag:\n    tension:", 1)
    with tempfile.TemporaryDirectory() as folder:
        broken = pathlib.Path(folder) / "broken.yaml"
        broken.write_text(text)
        try:
            load_scenario(broken)
        except ScenarioError as exc:
            assert "no_such_flag" in str(exc) and "not a declared flag" in str(exc)
            assert f"{broken.name}:" in str(exc) or "line" in str(exc)
        else:
            raise AssertionError("an undeclared flag in state_words_when was accepted")
