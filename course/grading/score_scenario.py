"""Score a scenario item: replay the saved attempts with the engine, apply the rubric.

The key entry names the scenario (`scenario: mental-health-crisis`); the rubric is the
instructor-only `keys/scenarios/<scenario>.yaml` beside the assignment's key file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..scenarios import POLICY, ScenarioError, load_rubric, load_scenario, load_shipped, rubric_path, score_attempt
from .keys import ItemKey
from .score import ItemResult


def score_scenario(key: ItemKey, value: Any) -> ItemResult:
    scenario_ref = str(key.extra.get("scenario", ""))
    keys_dir = Path(key.extra.get("keys_dir", "keys"))
    try:
        scenario = load_scenario(scenario_ref) if scenario_ref.endswith((".yaml", ".yml")) else load_shipped(scenario_ref)
        rubric = load_rubric(rubric_path(scenario.id, keys_dir), scenario)
    except (ScenarioError, FileNotFoundError, KeyError) as exc:
        return ItemResult(key.item_id, 0.0, [f"The scenario or its rubric could not be loaded ({exc}); ask your instructor."])
    result = score_attempt(scenario, rubric, value)
    lines = [f"Scored attempt: {result.attempt_index + 1 if result.attempt_index is not None else 'none'}"
             + (f", ending: {result.outcome}" if result.outcome else ", not finished")]
    lines += [f"{line.description}: {line.earned:g} of {line.possible:g}. {line.what_you_did}" for line in result.lines]
    lines += result.notes
    lines.append(f"Policy: {POLICY}")
    return ItemResult(key.item_id, result.fraction, lines)
