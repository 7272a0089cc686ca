"""Branching scenario engine: authoring format (YAML), validator, run engine,
debrief, rubric scoring and map drawing. Pure Python; no widgets here.

Typical use by a player widget::

    from course.scenarios import load_shipped, ScenarioRun, describe_state, debrief
    scenario = load_shipped("domestic-dispute")
    run = ScenarioRun(scenario)
    for choice in run.visible_choices(): ...
    step = run.choose(choice_id)        # step.reaction, step.teaching_point, step.node
    run.describe_state()                # words for each state value
    store.record(item_id, kind="scenario", value={"attempts": [..., run.to_record()]})
"""
from .debrief import Debrief, TurningPoint, debrief
from .describe import describe_state, outcome_label, state_label
from .errors import Problem, ScenarioError
from .explore import explore, iter_paths
from .loader import (load_scenario, load_shipped, read_scenario, resolve_scenario, scenarios_dir,
                     shipped_scenario_ids)
from .model import (
    OUTCOME_LABELS, OUTCOMES, STATE_MAX, STATE_MIN,
    Branch, Choice, Condition, Effects, Line, Node, Person, Scenario,
)
from .rubric import (
    POLICY, Rubric, ScenarioScore, ScoreLine, ScoredDecision, find_keys_dir, load_rubric, rubric_path,
    score_attempt, select_attempt, validate_rubric,
)
from .run import InvalidChoice, Replay, ScenarioRun, Step, replay
from .checks import check_scenario, validate
from .keyfile import ScenarioKey, apply_key, has_key_text, load_key, load_keyed


def draw_map(*args, **kwargs):
    """Lazy wrapper so importing the engine does not import matplotlib."""
    from .mapdraw import draw_map as _draw
    return _draw(*args, **kwargs)


def save_map(*args, **kwargs):
    from .mapdraw import save_map as _save
    return _save(*args, **kwargs)


__all__ = [
    "Branch", "Choice", "Condition", "Debrief", "Effects", "InvalidChoice", "Line", "Node", "OUTCOMES",
    "OUTCOME_LABELS", "POLICY", "Person", "Problem", "Replay", "Rubric", "STATE_MAX", "STATE_MIN",
    "Scenario", "ScenarioError", "ScenarioRun", "ScenarioScore", "ScoreLine", "ScoredDecision", "Step",
    "TurningPoint", "check_scenario", "debrief", "describe_state", "draw_map", "explore", "find_keys_dir",
    "iter_paths", "load_rubric", "load_scenario", "load_shipped", "outcome_label", "read_scenario", "resolve_scenario",
    "replay", "rubric_path", "save_map", "scenarios_dir", "score_attempt", "select_attempt",
    "shipped_scenario_ids", "state_label", "validate", "validate_rubric",
    "ScenarioKey", "apply_key", "has_key_text", "load_key", "load_keyed",
]
