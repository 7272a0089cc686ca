"""The rubric audit (course.scenarios.audit): every scenario that has a rubric passes it, and the
audit fails, naming scenario, property and path, on the faults the issue found by hand."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.scenarios import has_key_text, load_shipped, scenarios_dir, shipped_scenario_ids
from course.scenarios.audit import audit, audited_ids, load_for_audit, main

REPO = Path(__file__).resolve().parents[1]
KEYS = REPO / "keys"
RUBRIC_IDS = audited_ids(KEYS)       # every graded scenario, including any added later


def test_every_shipped_graded_scenario_has_a_rubric_and_is_audited():
    assert {"domestic-dispute", "mental-health-crisis", "protest"} <= set(RUBRIC_IDS)
    assert set(RUBRIC_IDS) <= set(shipped_scenario_ids())


@pytest.mark.parametrize("scenario_id", RUBRIC_IDS)
def test_audit_passes(scenario_id):
    scenario, rubric, config = load_for_audit(scenario_id, KEYS)
    report = audit(scenario, rubric, config)
    assert report.failures == [], "\n".join(report.failures)
    assert config.harmful, "the rubric must say which endings are harmful"
    assert report.best is not None and report.best.earned == rubric.possible
    harmful = [r.earned for r in report.paths if r.ending in config.harmful]
    assert harmful and max(harmful) <= config.max_share * rubric.possible
    assert {r.ending for r in report.paths} == {e.id for e in scenario.endings}
    table = report.table()
    assert f"## {scenario_id}:" in table and "score distribution" in table and "| ending |" in table


@pytest.mark.parametrize("scenario_id", RUBRIC_IDS)
def test_graded_scenario_files_carry_no_key(scenario_id):
    """Recommended choices and debriefs of a graded scenario live in keys/, not in the package."""
    assert has_key_text(load_shipped(scenario_id)) == []
    text = (scenarios_dir() / f"{scenario_id}.yaml").read_text()
    assert not re.search(r"^\s*(best|best_why|debrief):", text, re.M)
    for notebook in (REPO / "release").rglob("*.ipynb"):
        assert "best_why" not in notebook.read_text()


# -- the audit can fail -------------------------------------------------------------------------

def rubric_variant(tmp_path: Path, scenario_id: str, edit) -> Path:
    text = edit((KEYS / "scenarios" / f"{scenario_id}.yaml").read_text())
    out = tmp_path / f"{scenario_id}.yaml"
    out.write_text(text)
    return out


def failures(scenario_id: str, rubric_file: Path) -> list[str]:
    scenario, rubric, config = load_for_audit(scenario_id, KEYS, rubric_file)
    return audit(scenario, rubric, config).failures


def test_fails_when_a_wrong_arrest_earns_ending_credit(tmp_path):
    def edit(text):
        text = text.replace("wrong_arrest_end: 0,", "wrong_arrest_end: 2,")
        return re.sub(r"\ncaps:\n(  .*\n)+", "\n", text)
    found = failures("domestic-dispute", rubric_variant(tmp_path, "domestic-dispute", edit))
    hits = [f for f in found if "harmful ending over its cap" in f and "'wrong_arrest_end'" in f]
    assert hits and hits[0].startswith("domestic-dispute: harmful ending over its cap: 'wrong_arrest_end' scores 6 of 10")
    assert " e.g. ask_see_everyone > " in hits[0]            # the path is named


def test_fails_when_a_did_not_do_item_pays_without_the_chance(tmp_path):
    def edit(text):
        return text.replace("""      rules:
        - {type: declined, flag: mediation_started}
        - {type: flag_set, flag: violence_screened}""", """      rules:
        - {type: flag_not_set, flag: mediation_started}""")
    found = failures("domestic-dispute", rubric_variant(tmp_path, "domestic-dispute", edit))
    hits = [f for f in found if "'did not do' item paid without the chance" in f]
    assert hits and "'no_mediation'" in hits[0] and "never offered 'mediation_started'" in hits[0]
    assert hits[0].endswith("e.g. accept_and_leave")    # leaving at the door: nothing to decline


def test_fails_when_the_recommended_path_is_not_the_maximum(tmp_path):
    def edit(text):
        return text.replace("  secure_weapon:\n    best: secure_knife", "  secure_weapon:\n    best: leave_knife")
    found = failures("domestic-dispute", rubric_variant(tmp_path, "domestic-dispute", edit))
    # leaving the knife is a serious error (capped at 6 of 10), so the audit names it too
    assert any(f.startswith("domestic-dispute: recommended path scores 6 of 10 (weapon_secured 0/1)") for f in found)
    assert "domestic-dispute: the recommended path takes serious choice 'secure_weapon.leave_knife'" in found


def test_fails_when_a_flag_is_not_set_where_the_rubric_relies_on_it(tmp_path):
    def edit(text):
        return text.replace("peaceful_person_pushed: [after_arrests.shield_back]",
                            "peaceful_person_pushed: [after_arrests.shield_back, after_arrests.threaten_marcus]")
    found = failures("protest", rubric_variant(tmp_path, "protest", edit))
    assert found == ["protest: flag 'peaceful_person_pushed' is not set by choice 'after_arrests.threaten_marcus', "
                     "which the audit says means it"]


def test_fails_when_an_ending_is_reached_without_its_flag(tmp_path):
    def edit(text):
        return text.replace("    force_end: [indiscriminate_force]\n", "    force_end: [indiscriminate_force, riot_gear]\n")
    found = failures("protest", rubric_variant(tmp_path, "protest", edit))
    assert len(found) == 1 and "ending 'force_end' without its flags: reached without riot_gear on " in found[0]
    assert "e.g. meet_organisers > " in found[0]


def test_fails_on_an_unreachable_ending_and_a_rubric_without_an_audit_section(tmp_path, capsys):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text("""id: tiny
title: Tiny
setting: s
dispatch: d
people: [{id: p, name: P, role: r}]
state: {tension: 5, rapport: 1}
flags: {never: a flag no choice sets}
start: a
nodes:
  - id: a
    type: decision
    narrative: n
    choices:
      - {id: calm, text: t, reaction: r, teaching_point: tp, next: good_end}
      - {id: odd, text: t, reaction: r, teaching_point: tp, next_if: [{condition: {flags_all: [never]}, next: lost_end}, {next: good_end}]}
  - {id: good_end, type: ending, outcome: resolved_agreement, narrative: n}
  - {id: lost_end, type: ending, outcome: injury, narrative: n}
""")
    keys = tmp_path / "keys" / "scenarios"
    keys.mkdir(parents=True)
    (keys / "tiny.yaml").write_text("""scenario: tiny
decisions:
  - {id: calm, description: d, points: 1, rule: {type: chose, node: a, choices: [calm]}}
recommended:
  a: {best: odd, why: w}
""")
    assert main([str(scenario), "--keys", str(tmp_path / "keys")]) == 2
    assert "no 'audit:' section" in capsys.readouterr().err
    with (keys / "tiny.yaml").open("a") as f:
        f.write("audit:\n  harmful: {max_share: 0, endings: [lost_end]}\n")
    assert main([str(scenario), "--keys", str(tmp_path / "keys")]) == 1
    out = capsys.readouterr().out
    assert "FAIL tiny: ending 'lost_end' is reached by no path" in out
    assert "FAIL tiny: recommended path scores 0 of 1 (calm 0/1): odd" in out
    assert "| lost_end | injury | yes | 0 |" in out


def test_key_file_errors_point_at_file_and_line(tmp_path):
    def edit(text):
        return text.replace("  secure_weapon:\n    best: secure_knife", "  secure_weapon:\n    best: no_such_choice")
    path = rubric_variant(tmp_path, "domestic-dispute", edit)
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "no_such_choice" in ln)
    with pytest.raises(Exception) as info:
        load_for_audit("domestic-dispute", KEYS, path)
    assert f"{path}:{line}: node 'secure_weapon': recommended 'secure_weapon': node has no choice 'no_such_choice'" \
        in str(info.value)


def test_the_cli_passes_on_the_shipped_rubrics(capsys):
    assert main(["protest", "--keys", str(KEYS)]) == 0
    out = capsys.readouterr().out
    assert "protest: every audit property holds" in out and "recommended path: 10/10" in out
