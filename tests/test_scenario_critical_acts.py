"""Critical acts and serious errors cap a scenario call wherever they happen (issue 25).

The four paths an examiner found scoring 10/10 with a harmful act on the way are played through
the real grader (`score_scenario`, with the instructor's keys) and must score at or below their
cap; the same paths scored without the rubric's critical acts still earn 10, so each test would
fail on the old scorer. Malformed entries are refused with the file, the line and the choice.
"""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from course.grading.score.keys import ItemKey
from course.grading.score.scenario import score_scenario
from course.scenarios import ScenarioRun, load_keyed, load_rubric, rubric_path, score_attempt, validate_rubric
from course.scenarios.audit import audit, load_for_audit, render_acts
from course.scenarios.critical import SEVERITY_SHARE

KEYS = Path(__file__).resolve().parents[1] / "keys"
SCENARIOS = ("mental-health-crisis", "domestic-dispute", "protest", "capstone-crisis", "capstone-domestic",
             "capstone-protest")


def recommended_except(scenario_id: str, detour: dict[str, str]) -> list[str]:
    """The recommended path, except at the nodes in `detour`, where the given choice is taken."""
    scenario = load_keyed(scenario_id, KEYS)
    run = ScenarioRun(scenario)
    while not run.ended:
        run.choose(detour.get(run.node.id, run.node.best))
        assert len(run.steps) < 40
    return run.choice_ids


# The examiner's four paths (issue 25): a harmful act on the way to a good ending.
FOUND = [
    ("mental-health-crisis", {"knife_down": "cuff_for_safety"}, "critical", "Handcuffed a compliant man"),
    ("capstone-domestic", {"arrest_moment": "fetch_coat_inside"}, "critical", "back into the house"),
    ("capstone-protest", {"filming": "seize_phone"}, "critical", "lawfully filming"),
    ("protest", {"rally": "leave_them"}, "critical", "unseparated"),
]


@pytest.mark.parametrize("scenario_id,detour,severity,reason_words", FOUND, ids=[f[0] for f in FOUND])
def test_a_critical_act_caps_a_good_ending_through_the_grader(scenario_id, detour, severity, reason_words):
    choices = recommended_except(scenario_id, detour)
    scenario = load_keyed(scenario_id, KEYS)
    rubric = load_rubric(rubric_path(scenario_id, KEYS), scenario)
    record = {"attempts": [{"choices": choices, "complete": True}]}
    # without the rubric's critical acts this path earns full marks (what the old scorer gave)
    uncapped = score_attempt(scenario, dataclasses.replace(rubric, critical_acts=()), record)
    assert uncapped.complete and uncapped.earned == rubric.possible
    key = ItemKey(f"{scenario_id}-item", "scenario", extra={"scenario": scenario_id, "keys_dir": str(KEYS)})
    result = score_scenario(key, record)
    assert result.fraction <= SEVERITY_SHARE[severity] + 1e-9
    text = "\n".join(result.lines)
    node, choice = next(iter(detour.items()))
    assert "Critical act at decision" in text and reason_words in text
    act = next(a for a in rubric.critical_acts if a.ref == f"{node}.{choice}")
    assert act.reason in text and f"it would have been {rubric.possible:g}" in text


def test_the_lowest_cap_on_the_path_wins_and_each_act_is_named():
    # a serious error (6/10) then a critical act (3/10): the critical cap decides
    choices = recommended_except("capstone-domestic", {"joint_talk": "screen_in_front", "hallway": "together_lounge",
                                                       "arrest_moment": "fetch_coat_inside"})
    scenario = load_keyed("capstone-domestic", KEYS)
    rubric = load_rubric(rubric_path("capstone-domestic", KEYS), scenario)
    score = score_attempt(scenario, rubric, {"attempts": [{"choices": choices}]})
    assert score.earned == 3
    notes = "\n".join(score.notes)
    assert "Serious error at decision" in notes and "Critical act at decision" in notes


def test_an_unfinished_attempt_is_capped_too():
    choices = recommended_except("mental-health-crisis", {"plan": "go_in_fast"})[:4]
    scenario = load_keyed("mental-health-crisis", KEYS)
    rubric = load_rubric(rubric_path("mental-health-crisis", KEYS), scenario)
    score = score_attempt(scenario, rubric, {"attempts": [{"choices": choices}]})
    assert not score.complete and score.earned <= 3
    assert any("Critical act at decision 2" in n for n in score.notes)


def test_the_recommended_path_is_not_capped():
    for sid in SCENARIOS:
        scenario = load_keyed(sid, KEYS)
        rubric = load_rubric(rubric_path(sid, KEYS), scenario)
        score = score_attempt(scenario, rubric, {"attempts": [{"choices": recommended_except(sid, {})}]})
        assert score.earned == rubric.possible, sid
        assert not any("Critical act" in n or "Serious error" in n for n in score.notes), sid


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_rubric_names_critical_acts_and_the_audit_holds_the_caps(scenario_id):
    scenario, rubric, config = load_for_audit(scenario_id, KEYS)
    assert any(a.severity == "critical" for a in rubric.critical_acts)
    report = audit(scenario, rubric, config)
    assert report.failures == []
    for summary in report.acts:
        assert summary.paths > 0 and summary.highest <= summary.cap, summary.act.ref
    table = render_acts(report)
    assert all(a.ref in table for a in rubric.critical_acts)


def copy_rubric(tmp_path: Path, scenario_id: str, edit) -> Path:
    target = tmp_path / "keys" / "scenarios" / f"{scenario_id}.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(rubric_path(scenario_id, KEYS), target)
    target.write_text(edit(target.read_text()))
    return target


def test_malformed_critical_entries_name_the_file_line_and_choice(tmp_path):
    bad = ('critical:\n'
           '  knife_down.cuff_for_safety: "Handcuffed a compliant man."\n'
           '  knife_down.no_such_choice: "A reason."\n'
           '  nowhere.cuff: "A reason."\n'
           '  just_a_node: "A reason."\n'
           '  options.offer_choices: ""\n'
           'serious:\n'
           '  knife_down.cuff_for_safety: "Both at once."\n'
           '  options.promise: |\n'
           '    Two lines\n'
           '    of reason.\n')

    def edit(text):
        start, end = text.index("\ncritical:\n") + 1, text.index("\naudit:\n") + 1
        return text[:start] + bad + text[end:]

    path = copy_rubric(tmp_path, "mental-health-crisis", edit)
    first = path.read_text().splitlines().index("critical:") + 1       # 1-based line of 'critical:'
    scenario = load_keyed("mental-health-crisis", KEYS)
    problems = [p for p in validate_rubric(path, scenario) if p.is_error]
    found = {(p.line, p.choice) for p in problems}
    assert (first + 2, "no_such_choice") in found
    assert (first + 3, "cuff") in found
    assert (first + 5, "offer_choices") in found
    assert (first + 7, "cuff_for_safety") in found            # critical and serious at once
    assert (first + 8, "promise") in found                    # not one line
    assert any(p.line == first + 4 and "node.choice" in p.message for p in problems)
    text = "\n".join(str(p) for p in problems)
    assert f"{path}:{first + 2}: node 'knife_down': choice 'no_such_choice':" in text
    with pytest.raises(Exception) as err:
        load_rubric(path, scenario)
    assert f"{path}:{first + 2}" in str(err.value)


def test_the_audit_fails_a_rubric_that_marks_the_recommended_choice_critical(tmp_path):
    path = copy_rubric(tmp_path, "protest", lambda t: t.replace(
        "\ncritical:\n", '\ncritical:\n  rally.separate_groups: "Marked critical by mistake."\n', 1))
    scenario, rubric, config = load_for_audit("protest", tmp_path / "keys", path)
    report = audit(scenario, rubric, config)
    assert any("recommended path takes critical choice 'rally.separate_groups'" in f for f in report.failures)


def test_the_assessors_pack_lists_every_capstone_critical_act_with_its_severity():
    """The critical-fail criteria in the instructor's guide are the rubric files' own."""
    guide = (Path(__file__).resolve().parents[1] / "docs" / "instructor-guide" / "capstone-assessment.md").read_text()
    rows = {}
    for line in guide.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`") and cells[1] in ("critical", "serious"):
            rows[cells[0].strip("`")] = cells[1]
    expected = {}
    for sid in ("capstone-crisis", "capstone-domestic", "capstone-protest"):
        scenario = load_keyed(sid, KEYS)
        for act in load_rubric(rubric_path(sid, KEYS), scenario).critical_acts:
            expected[act.ref] = act.severity
    assert rows == expected
