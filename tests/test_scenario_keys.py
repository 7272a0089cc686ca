"""Keys out of the package: a graded scenario's recommended choices and debriefs live in
keys/scenarios, the player does not show them, the feedback after grading does; a practice-only
scenario may carry its own and debriefs at once. Also narrative_if, which keeps narratives true
to the path."""
from __future__ import annotations

import json
from pathlib import Path

import shutil

import pytest

from course import Lesson
from course.grading.score.keys import ItemKey
from course.grading.score.scenario import score_scenario
from course.scenarios import (
    ScenarioError, ScenarioRun, load_key, load_keyed, load_scenario, load_shipped, replay, rubric_path, validate,
)

REPO = Path(__file__).resolve().parents[1]
KEYS = REPO / "keys"
POOR_DD = ["ask_see_everyone", "joint_talk", "screen_together", "mediate_rent"]

PRACTICE = """id: practice-demo
title: Practice
setting: s
dispatch: d
people: [{id: p, name: P, role: r}]
state: {tension: 5, rapport: 1}
flags: {heard: you listened}
start: a
nodes:
  - id: a
    type: decision
    narrative: You arrive.
    best: listen
    best_why: Listening first lowers tension.
    choices:
      - {id: listen, text: Listen, reaction: r, teaching_point: tp listen, effects: {set: [heard]}, next: calm_end}
      - {id: order, text: Order, reaction: r, teaching_point: tp order, next: calm_end}
  - id: calm_end
    type: ending
    outcome: resolved_agreement
    narrative: It ends without a word exchanged.
    narrative_if:
      - condition: {flags_all: [heard]}
        narrative: It ends after you listened.
    debrief: The practice debrief text.
"""


def released_with(scenario_id: str, folder: Path, monkeypatch) -> Lesson:
    """A lesson released as on a laptop, its scenario in its scenarios/ folder."""
    from course.scenarios import scenarios_dir

    monkeypatch.chdir(folder)
    monkeypatch.delenv("COURSE_RECORDER_URL", raising=False)
    (folder / "scenarios").mkdir(exist_ok=True)
    shutil.copy(scenarios_dir() / f"{scenario_id}.yaml", folder / "scenarios")
    return Lesson("demo")


def test_the_key_fills_in_best_and_debriefs():
    raw, keyed = load_shipped("domestic-dispute"), load_keyed("domestic-dispute", KEYS)
    assert all(not n.best and not n.debrief for n in raw.nodes.values())
    assert all(n.best and n.best_why for n in keyed.decision_nodes)
    assert all(n.debrief for n in keyed.endings)
    key = load_key(rubric_path("domestic-dispute", KEYS), raw)
    assert key.recommended["entry"][0] == "separate_parties"


def test_feedback_after_grading_carries_the_debrief_of_the_graded_attempt():
    key = ItemKey("md-g4", "scenario", extra={"scenario": "domestic-dispute", "keys_dir": str(KEYS)})
    result = score_scenario(key, {"attempts": [{"choices": POOR_DD}, {"choices": ["ask_see_everyone"]}]})
    text = "\n".join(result.lines)
    assert result.fraction == 0.0
    assert "Debrief (Unresolved): This looked like a resolution, but it was a mediation of a crime." in text
    assert 'Decision 2: you chose "Let us all sit down' in text and "A better choice:" in text
    assert "the 1 later attempt was practice" in text


def test_the_graded_player_shows_no_key_text(tmp_path, monkeypatch):
    lesson = released_with("domestic-dispute", tmp_path, monkeypatch)
    player = lesson.scenario("dd", "domestic-dispute", graded=True)
    player.submit(POOR_DD)
    shown = player.debrief_box.value + player.scene.value + player.status.value
    keyed = load_keyed("domestic-dispute", KEYS)
    assert "feedback after grading" in shown
    for node in keyed.nodes.values():
        for secret in (node.best_why, node.debrief):
            if secret:
                assert secret[:40] not in shown


def test_a_practice_only_scenario_debriefs_at_once(tmp_path, monkeypatch):
    path = tmp_path / "practice-demo.yaml"
    path.write_text(PRACTICE)
    assert [p for p in validate(path) if p.is_error] == []
    monkeypatch.chdir(tmp_path)
    lesson = Lesson("demo")
    player = lesson.scenario("pr", str(path))
    player.submit(["order"])
    box = player.debrief_box.value
    assert "The practice debrief text." in box and "A better choice" in box and "Listening first" in box
    assert "It ends without a word exchanged." in player.scene.value


def test_narrative_if_follows_the_path_and_its_errors_name_the_line(tmp_path):
    path = tmp_path / "practice-demo.yaml"
    path.write_text(PRACTICE)
    s = load_scenario(path)
    assert replay(s, ["listen"]).run.narrative == "It ends after you listened."
    assert replay(s, ["order"]).run.narrative == "It ends without a word exchanged."
    bad = tmp_path / "bad.yaml"
    bad.write_text(PRACTICE.replace("flags_all: [heard]", "flags_all: [ghost]"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    line = PRACTICE.splitlines().index("      - condition: {flags_all: [heard]}") + 1
    assert f"{bad}:{line}: node 'calm_end': narrative_if uses flag 'ghost'" in str(info.value)


def test_shipped_narratives_do_not_contradict_the_path():
    dd = load_shipped("domestic-dispute")
    photographed = ["ask_see_everyone", "separate_parties", "ask_injury", "full_screen", "acknowledge_and_document",
                    "skip_to_rob", "compare_evidence", "mediate_now"]
    run = replay(dd, photographed).run
    assert run.node.id == "mediated_end" and "never examined" not in run.narrative
    assert "never examined" in replay(dd, POOR_DD).run.narrative
    # the aggressor summary cites only what was disclosed on this path
    withdrawn = ["ask_see_everyone", "separate_parties", "minimise", "check_evidence_anyway", "compare_evidence"]
    run = replay(dd, withdrawn).run
    assert run.node.id == "aggressor" and "March" not in run.narrative and "told you nothing more" in run.narrative
    # after an arrest is announced the path never returns to joint mediation
    run = ScenarioRun(dd)
    for cid in ["ask_see_everyone", "separate_parties", "ask_injury", "full_screen", "arrest_straight_away",
                "arrest_in_front"]:
        run.choose(cid)
    assert run.node.id == "escalation"
    run.choose("talk_from_distance")
    assert run.node.id in ("arrest_moment", "injury_end")
    # separation is out of sight and hearing, never into the kitchen
    sep = dd.node("entry").choice("separate_parties")
    assert "kitchen" not in sep.text and "landing" in sep.text
    assert "carries from the kitchen" not in dd.node("screen_dana").narrative


def test_mental_health_readiness_is_not_use_and_a_hallway_is_not_cover():
    mh = load_shipped("mental-health-crisis")
    ready = mh.node("standoff").choice("prepare_taser")
    assert ready.next == "standoff" and "cover_ready" in ready.effects.set_flags and not ready.effects.deltas
    assert "hallway between us" not in mh.node("plan").choice("plan_roles").text
    assert "door frame" in mh.node("plan").choice("plan_roles").text
    cover = mh.node("knife_raised").choice("cover_from_frame")
    assert cover.next == "standoff" and "force_shown" not in cover.effects.set_flags
    # force comes only through the state: drawing and shouting ends in force only at tension 10
    draw = mh.node("knife_raised").choice("draw_and_order")
    assert [b.condition.min for b in draw.next_if if b.condition] == [{"tension": 10}]
    # asking plainly about suicide and lethal means is offered on the way to the knife request
    assert mh.node("reasons").choice("paraphrase").next == "ask_plainly"
    assert mh.node("ask_plainly").choice("ask_suicide_directly").next == "lethal_means"


def test_the_saved_record_stays_a_plain_choice_list(tmp_path, monkeypatch):
    lesson = released_with("domestic-dispute", tmp_path, monkeypatch)
    lesson.scenario("dd", "domestic-dispute", graded=True).submit(POOR_DD[:2])
    saved = json.loads(lesson.store.path.read_text())["answers"]["dd"]["value"]
    assert saved == {"attempts": [{"choices": POOR_DD[:2], "complete": False}]}


def test_one_rule_resolves_a_scenario_reference(tmp_path, monkeypatch):
    from course.scenarios import ScenarioError, resolve_scenario, scenarios_dir

    assert resolve_scenario("protest").id == "protest"                      # an id: the shipped scenario
    keys, root = tmp_path / "keys", tmp_path
    (keys / "mine").mkdir(parents=True)
    shutil.copy(scenarios_dir() / "protest.yaml", keys / "mine" / "s.yaml")
    monkeypatch.chdir(tmp_path / "keys")
    assert resolve_scenario("mine/s.yaml", bases=[keys, root]).id == "protest"   # found in the first folder
    monkeypatch.chdir("/")
    assert resolve_scenario("keys/mine/s.yaml", bases=[keys, root]).id == "protest"  # ... or the next
    with pytest.raises(ScenarioError, match="keys/nowhere.yaml.*cannot read file"):  # names the first place looked
        resolve_scenario("nowhere.yaml", bases=[keys, root])


def test_an_answer_key_error_names_the_file_and_line(tmp_path):
    """Issue 29: a keys/*.yaml error points at the entry's line, as scenario files do."""
    import pytest

    from course.grading.score.keys import KeyError_, load_keys

    key = tmp_path / "lesson.yaml"
    key.write_text("items:\n  ok-g1:\n    kind: single\n    answer: a\n  bad-g2:\n    kind: nonsense\n")
    with pytest.raises(KeyError_, match=r"lesson\.yaml:5: item 'bad-g2': kind must be one of"):
        load_keys(key)
