"""Score a scenario item: replay the saved attempts with the engine, apply the rubric.

The key entry names the scenario (`scenario: mental-health-crisis`); the rubric is the
instructor-only `keys/scenarios/<scenario>.yaml` beside the assignment's key file. The same
file holds the scenario's recommended choices and ending debriefs, which students see only
here, in the feedback after grading: the debrief of the attempt that was graded.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ...items.types import ItemKey, ItemResult
from ...scenarios import (
    POLICY, ScenarioError, apply_key, debrief, rubric_path, score_attempt, select_attempt,
)
from ...scenarios.key_file import load_key_file
from ...scenarios.loader import load_scenario, scenario_file
from ..file_versions import version


def score_scenario(key: ItemKey, value: Any) -> ItemResult:
    scenario_ref = str(key.extra.get("scenario", ""))
    keys_dir = Path(key.extra.get("keys_dir", "keys"))
    scenarios_dir = Path(key.extra.get("scenarios_dir") or keys_dir.parent / "scenarios")
    # A scenario or rubric that cannot be loaded is the instructor's side failing, never the
    # student's answer: it raises, and score_item sends the item to manual grading as a grader fault.
    try:
        scenario, rubric = scored_scenario(scenario_ref, keys_dir, scenarios_dir)
    except (ScenarioError, OSError, LookupError, ValueError) as exc:
        raise RuntimeError(f"scenario {scenario_ref!r} or its rubric in {keys_dir} could not be loaded: "
                           f"{type(exc).__name__}: {exc}") from exc
    result = score_attempt(scenario, rubric, value)
    lines = [f"Scored attempt: {result.attempt_index + 1 if result.attempt_index is not None else 'none'}"
             + (f", ending: {result.outcome}" if result.outcome else ", not finished")]
    lines += [f"{line.description}: {line.earned:g} of {line.possible:g}. {line.what_you_did}" for line in result.lines]
    lines += result.notes
    lines += debrief_lines(scenario, value)
    lines.append(f"Policy: {POLICY}")
    return ItemResult(key.item_id, result.fraction, lines)


def scored_scenario(scenario_ref: str, keys_dir: Path, scenarios_dir: Path):
    """(the scenario with its key applied, its rubric), parsed once per version of the two
    files: a grading worker scores the same scenario for every submission of a lesson, and
    parsing its YAML three times was most of a scenario item's grading time. Both objects
    are read-only to the scorer."""
    path = scenario_file(scenario_ref, bases=[keys_dir, keys_dir.parent], folders=[scenarios_dir])
    scenario_id = path.stem
    return _scored_scenario(version(path), version(rubric_path(scenario_id, keys_dir)), str(keys_dir))


@functools.lru_cache(maxsize=32)
def _scored_scenario(scenario_sig: tuple, rubric_sig: tuple, keys_dir: str):
    scenario = load_scenario(scenario_sig[0])
    path = rubric_path(scenario.id, keys_dir)
    read = load_key_file(path, scenario)
    return apply_key(scenario, read.key), read.rubric


def debrief_lines(scenario, value: Any) -> list[str]:
    """The after-action debrief of the graded attempt: what the ending means, and each decision
    where the recommended choice was different (the scenario must have its key applied)."""
    _index, rep, _notes = select_attempt(scenario, value)
    if rep is None:
        return []
    report = debrief(rep.run)
    out = []
    if report.ended and report.ending_text:
        out.append(f"Debrief ({report.outcome_label}): {report.ending_text}")
    for number, point in enumerate(report.points, start=1):
        if not point.was_best:
            out.append(f"Decision {number}: you chose \"{point.chosen_text.strip(chr(34) + chr(39))}\". "
                       f"A better choice: \"{point.best_text.strip(chr(34) + chr(39))}\". "
                       f"{point.best_why or point.best_teaching_point}")
    if report.points and not report.missed:
        out.append("Every decision on your path was the recommended one.")
    return out
