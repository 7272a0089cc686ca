"""The scenario validator finds each kind of fault, with the right line and node."""
from __future__ import annotations

import textwrap

import pytest

from course.scenarios import ScenarioError, load_scenario, validate
from course.scenarios.checks import main as validate_main

BASE = textwrap.dedent("""\
    id: tiny
    title: Tiny
    setting: A room.
    dispatch: A call.
    people:
      - id: pat
        name: Pat
        role: person
    state: {tension: 5, rapport: 2}
    flags:
      calm: Pat is calm.
    start: a
    nodes:
      - id: a
        type: decision
        narrative: Pat waits.
        lines:
          - speaker: pat
            text: Hello.
        choices:
          - id: talk
            text: Talk.
            reaction: Pat talks.
            teaching_point: Listening.
            effects: {rapport: 1, set: [calm]}
            next: b
          - id: shout
            text: Shout.
            reaction: Pat shouts.
            teaching_point: Roadblock.
            effects: {tension: 3}
            next_if:
              - condition: {min: {tension: 8}}
                next: bad
              - next: b
      - id: b
        type: decision
        narrative: Pat listens.
        choices:
          - id: agree
            text: Agree.
            reaction: Agreed.
            teaching_point: Good.
            next: good
      - id: good
        type: ending
        outcome: resolved_agreement
        narrative: Done.
        debrief: Fine.
      - id: bad
        type: ending
        outcome: injury
        narrative: Bad.
        debrief: Bad.
    """)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == nth:
                return number
    raise AssertionError(f"{needle!r} not in fixture")


def write(tmp_path, text: str):
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(tmp_path, text: str):
    return [p for p in validate(write(tmp_path, text)) if p.is_error]


def only_error(tmp_path, text: str):
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1, "\n".join(map(str, errors))
    return errors[0]


def test_base_fixture_is_clean(tmp_path):
    assert validate(write(tmp_path, BASE)) == []
    scenario = load_scenario(write(tmp_path, BASE))
    assert [n.id for n in scenario.decision_nodes] == ["a", "b"]


def test_missing_target(tmp_path):
    text = BASE.replace("next: good", "next: nowhere")
    p = only_error(tmp_path, text)
    assert p.node == "b" and p.choice == "agree"
    assert p.line == line_of(text, "next: nowhere")
    assert "'nowhere'" in p.message and "does not exist" in p.message


def test_missing_target_in_next_if(tmp_path):
    text = BASE.replace("next: bad", "next: worse")
    errors = errors_of(tmp_path, text)
    assert any(p.node == "a" and "'worse'" in p.message and p.line == line_of(text, "- condition: {min: {tension: 8}}")
               for p in errors), errors


def test_unknown_flag(tmp_path):
    text = BASE.replace("next: good", "condition: {flags_all: [ghost]}\n        next: good")
    errors = errors_of(tmp_path, text)
    assert any(p.node == "b" and "flag 'ghost'" in p.message and p.line == line_of(text, "flags_all: [ghost]")
               for p in errors), errors


def test_unknown_flag_in_effects(tmp_path):
    text = BASE.replace("set: [calm]", "set: [calmer]")
    p = only_error(tmp_path, text)
    assert p.node == "a" and "'calmer'" in p.message and p.line == line_of(text, "set: [calmer]")


def test_unknown_state_key(tmp_path):
    text = BASE.replace("effects: {tension: 3}", "effects: {anger: 3}")
    errors = errors_of(tmp_path, text)
    assert any(p.node == "a" and "state key 'anger'" in p.message and p.line == line_of(text, "anger: 3")
               for p in errors), errors


def test_unknown_speaker(tmp_path):
    text = BASE.replace("speaker: pat", "speaker: sam")
    p = only_error(tmp_path, text)
    assert p.node == "a" and "speaker 'sam'" in p.message and p.line == line_of(text, "speaker: sam")


def test_duplicate_node_id(tmp_path):
    text = BASE.replace("  - id: bad\n", "  - id: good\n").replace("next: bad", "next: good")
    errors = errors_of(tmp_path, text)
    assert any("duplicate node id 'good'" in p.message and p.line == line_of(text, "- id: good", 2)
               for p in errors), errors


def test_duplicate_choice_id(tmp_path):
    text = BASE.replace("- id: shout", "- id: talk")
    errors = errors_of(tmp_path, text)
    assert any(p.node == "a" and "duplicate choice id 'talk'" in p.message
               and p.line == line_of(text, "- id: talk", 2) for p in errors), errors


def test_duplicate_key(tmp_path):
    text = BASE.replace("    narrative: Pat listens.\n", "    narrative: Pat listens.\n    narrative: Again.\n")
    errors = errors_of(tmp_path, text)
    assert any("'narrative' appears twice" in p.message and p.line == line_of(text, "narrative: Again.")
               for p in errors), errors


ORPHAN = """  - id: orphan
    type: decision
    narrative: Nobody comes here.
    choices:
      - id: go
        text: Go.
        reaction: Gone.
        teaching_point: None.
        next: good
"""


def test_unreachable_node(tmp_path):
    text = BASE + ORPHAN
    p = only_error(tmp_path, text)
    assert p.node == "orphan" and "unreachable" in p.message and p.line == line_of(text, "- id: orphan")


def test_ending_no_path_reaches(tmp_path):
    text = BASE + "  - id: lonely\n    type: ending\n    outcome: arrest\n    narrative: x\n    debrief: y\n"
    p = only_error(tmp_path, text)
    assert p.node == "lonely" and "ending that no path reaches" in p.message and p.line == line_of(text, "- id: lonely")


LOOP = """  - id: c
    type: decision
    narrative: Into the loop.
    choices:
      - id: onward
        text: On.
        reaction: On.
        teaching_point: x.
        next: d
  - id: d
    type: decision
    narrative: Round.
    choices:
      - id: round
        text: Round.
        reaction: Round.
        teaching_point: x.
        next: e
  - id: e
    type: decision
    narrative: And round.
    choices:
      - id: back
        text: Back.
        reaction: Back.
        teaching_point: x.
        next: d
"""


def test_loop_with_no_exit_and_no_way_to_ending(tmp_path):
    text = BASE.replace("        next: good\n", "        next: good\n      - id: wander\n        text: Wander.\n"
                        "        reaction: Off.\n        teaching_point: x.\n        next: c\n") + LOOP
    errors = errors_of(tmp_path, text)
    by_node = {p.node: p for p in errors}
    assert "no way from here to any ending" in by_node["c"].message
    assert by_node["c"].line == line_of(text, "- id: c")
    assert "loop with no exit" in by_node["d"].message and "d, e" in by_node["d"].message
    assert by_node["d"].line == line_of(text, "- id: d")


def test_condition_can_hide_every_choice(tmp_path):
    # 'agree' needs 'calm', which the 'shout' path never sets: a reachable dead end.
    text = BASE.replace("        next: good\n", "        condition: {flags_all: [calm]}\n        next: good\n")
    text = text.replace("effects: {tension: 3}", "effects: {tension: 1}")
    problems = validate(write(tmp_path, text))
    warning = [p for p in problems if not p.is_error]
    errors = [p for p in problems if p.is_error]
    assert any(p.node == "b" and "every choice has a condition" in p.message for p in warning), problems
    assert len(errors) == 1 and errors[0].node == "b" and "every choice is hidden" in errors[0].message
    assert "shout" in errors[0].message            # the path that reaches the dead end
    assert errors[0].line == line_of(text, "- id: b")


def test_schema_errors(tmp_path):
    text = BASE.replace("type: decision\n    narrative: Pat listens.", "type: question\n    narrative: Pat listens.")
    p = only_error(tmp_path, text)
    assert p.node == "b" and "'type' must be one of" in p.message and p.line == line_of(text, "type: question")

    text = BASE.replace("        reaction: Agreed.\n", "")
    p = only_error(tmp_path, text)
    assert p.node == "b" and p.choice == "agree" and "'reaction'" in p.message
    assert p.line == line_of(text, "- id: agree")

    text = BASE.replace("outcome: injury", "outcome: disaster")
    p = only_error(tmp_path, text)
    assert p.node == "bad" and "'outcome'" in p.message and p.line == line_of(text, "outcome: disaster")

    text = BASE.replace("state: {tension: 5, rapport: 2}", "state: {tension: 15, rapport: 2}")
    p = only_error(tmp_path, text)
    assert "'tension'" in p.message and p.line == line_of(text, "state:")


def test_next_if_needs_a_default(tmp_path):
    text = BASE.replace("          - next: b\n", "          - condition: {max: {tension: 7}}\n            next: b\n")
    errors = errors_of(tmp_path, text)
    assert any(p.node == "a" and "last 'next_if' entry must have no condition" in p.message for p in errors)


def test_yaml_syntax_error_has_a_line(tmp_path):
    text = BASE.replace("narrative: Done.", "narrative: [Done.")
    errors = errors_of(tmp_path, text)
    assert len(errors) == 1 and "YAML syntax error" in errors[0].message and errors[0].line


def test_load_scenario_raises_with_file_line_node(tmp_path):
    text = BASE.replace("next: good", "next: nowhere")
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert f"{path}:{line_of(text, 'next: nowhere')}: node 'b': choice 'agree':" in str(info.value)


def test_command_line(tmp_path, capsys):
    good = write(tmp_path, BASE)
    assert validate_main([str(good)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("next: good", "next: nowhere"), encoding="utf-8")
    assert validate_main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:{line_of(BASE, 'next: good')}: node 'b': choice 'agree': leads to node 'nowhere'" in out
