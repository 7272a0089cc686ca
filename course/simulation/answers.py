"""How a simulated student answers each kind of widget item: one planner a kind, named in the
item-kind registry (course/items/kinds.py, `simulator`), each `(key, skill, rng, context) ->
value` with the value the item's widget would save.

A student has a skill in [0, 1]: single, multiple, classify: each choice (option, box, line)
right with probability skill; scenario: played one decision at a time with the engine, the
recommended choice with probability skill, some who end badly playing a second (practice)
attempt; package: each needed option ticked and each breaking option left out with probability
skill, a sound reason with probability skill; written: a good reply with probability skill, else a
middling or poor one, from the lesson's bank (banks.py).
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .banks import Banks, course_banks

PACKAGE_PARENT = Path(__file__).resolve().parents[2]
MAX_DECISIONS = 30          # after this many decisions a student takes the recommended choice when it is offered
RETRY_CHANCE = 0.3          # a student whose attempt did not end well plays again with this probability


class Unsimulated(Exception):
    """This item cannot be answered (its scenario does not load...): a note, not a crash."""


@dataclass
class Context:
    """What a planner may need beyond the key: the lesson's released folder, the banks, and
    every classify label of the lesson (a wrong label is drawn from them)."""
    release_dir: Path | None = None
    banks: Banks = field(default_factory=Banks)
    labels: list[str] = field(default_factory=list)


def plan_answers(keys: dict, skill: float, rng: random.Random,
                 release_dir: Path | None = None, banks: Banks | None = None) -> tuple[dict[str, Any], list[str]]:
    """Answers of a student of `skill` to every keyed item whose kind has a simulator (see the
    registry); `release_dir` (the lesson's released folder) gives the item definitions, e.g.
    a package's full option and reason lists. Returns (answers, notes on items left unanswered)."""
    from ..items import KINDS

    context = Context(release_dir, banks or banks_near(release_dir), sorted(
        {str(v) for key in keys.values() if key.kind == "classify" for v in key.answer.values()}))
    answers, notes = {}, []
    for item_id, key in keys.items():
        kind = KINDS.get(key.kind)
        planner = kind.function("simulator") if kind is not None else None
        if planner is None:
            notes.append(f"{item_id}: kind {key.kind!r} is not simulated; left unanswered")
            continue
        try:
            answers[item_id] = planner(key, skill, rng, context)
        except Unsimulated as exc:
            notes.append(f"{item_id}: {exc}; left unanswered")
    return answers, notes


def _options(key) -> list[str]:
    return sorted(key.why) if key.why else []


def plan_single(key, skill: float, rng: random.Random, context: Context):
    wrong = [o for o in _options(key) if o != key.answer]
    return key.answer if rng.random() < skill or not wrong else rng.choice(wrong)


def plan_multiple(key, skill: float, rng: random.Random, context: Context):
    right = set(key.answer)
    chosen = {o for o in _options(key) if (o in right) == (rng.random() < skill)}
    return sorted(chosen) or sorted(right)[:1]


def plan_classify(key, skill: float, rng: random.Random, context: Context):
    choice = {}  # each line right with probability `skill`
    for line, label in key.answer.items():
        wrong = [x for x in context.labels if x != str(label)]
        choice[str(line)] = label if rng.random() < skill or not wrong else rng.choice(wrong)
    return choice


def plan_scenario_item(key, skill: float, rng: random.Random, context: Context):
    try:
        scenario = _scenario(str(key.extra.get("scenario", "")), key.extra.get("keys_dir"), key.extra.get("scenarios_dir"))
    except Exception as exc:  # noqa: BLE001 - a broken scenario is a note, not a crash
        raise Unsimulated(f"scenario {key.extra.get('scenario')!r} cannot be loaded ({exc})") from None
    return plan_scenario(scenario, skill, rng)


def plan_package_item(key, skill: float, rng: random.Random, context: Context):
    return plan_package(key, skill, rng, _package_ids(context.release_dir, key.item_id))


def plan_written(key, skill: float, rng: random.Random, context: Context):
    return plan_reply(context.banks.replies_for(key.item_id), skill, rng)


@functools.lru_cache(maxsize=32)
def _scenario(ref: str, keys_dir: str | None = None, scenarios_dir: str | None = None):
    from ..scenarios import load_keyed

    # with its recommended choices from keys/scenarios (instructor side)
    return load_keyed(ref, keys_dir, scenarios_dir)


def play_scenario(scenario, skill: float, rng: random.Random) -> list[str]:
    """One attempt played to an ending: the choice ids. At each decision the node's recommended
    choice with probability `skill`, else one of the other choices the engine shows there."""
    from ..scenarios import ScenarioRun

    run = ScenarioRun(scenario)
    while not run.ended:
        visible = [c.id for c in run.visible_choices()]
        if not visible:
            raise RuntimeError(f"scenario {scenario.id!r}: no choice is available at {run.node.id!r}")
        best = run.node.best if run.node.best in visible else None
        others = [c for c in visible if c != best]
        if best and (not others or rng.random() < skill or len(run.steps) >= MAX_DECISIONS):
            run.choose(best)
        else:
            run.choose(rng.choice(others))
        if len(run.steps) > 5 * MAX_DECISIONS:
            raise RuntimeError(f"scenario {scenario.id!r}: no ending after {len(run.steps)} decisions")
    return run.choice_ids


def plan_scenario(scenario, skill: float, rng: random.Random) -> list[list[str]]:
    """The attempts a student plays (the value ScenarioPlayer.click takes): one attempt, and
    sometimes, after an ending worse than the recommended path's, a second (practice) one."""
    from ..scenarios import replay

    attempts = [play_scenario(scenario, skill, rng)]
    best_outcome = replay(scenario, play_scenario(scenario, 1.0, random.Random(0))).run.outcome
    if replay(scenario, attempts[0]).run.outcome != best_outcome and rng.random() < RETRY_CHANCE:
        attempts.append(play_scenario(scenario, min(1.0, skill + 0.3), rng))  # learnt from the debrief
    return attempts


@functools.lru_cache(maxsize=None)
def _package_definitions(release_dir: str) -> dict[str, dict[str, list[str]]]:
    """{item id: {"options": [...], "reasons": [...]}} for every package item defined in the
    released lesson's item definitions (`<notebook>.items.json`)."""
    from ..items import ItemDefinitionError, lesson_definitions

    try:
        items = lesson_definitions(release_dir)
    except ItemDefinitionError:
        return {}  # then the ids come from the key alone
    return {item_id: {part: list(d[part]) for part in ("options", "reasons")}
            for item_id, d in items.items() if d["kind"] == "package"}


def _package_ids(release_dir: Path | None, item_id: str) -> dict[str, list[str]] | None:
    if release_dir is None:
        return None
    return _package_definitions(str(Path(release_dir).resolve())).get(item_id)


def plan_package(key, skill: float, rng: random.Random, ids: dict[str, list[str]] | None = None) -> dict:
    """A package (`{"options": [...], "reasons": {...}}`): each needed option ticked and each
    option that breaks a core interest left out with probability `skill`, neutral ones ticked
    now and then; a sound reason for a needed option with probability `skill`."""
    answer = key.answer
    required = [str(o) for o in answer["required"]]
    breaks = [str(o) for o in (answer.get("breaks") or {})]
    accepted = {o: [answer["reasons"][o]] if isinstance(answer["reasons"][o], str) else list(answer["reasons"][o])
                for o in required}
    options = (ids or {}).get("options") or required + breaks
    reasons = (ids or {}).get("reasons") or sorted({r for rs in accepted.values() for r in rs})
    chosen = []
    for option in options:
        if option in required:
            take = rng.random() < skill
        elif option in breaks:
            take = rng.random() >= skill
        else:
            take = rng.random() < 0.3
        if take:
            chosen.append(option)
    if not chosen:  # the widget saves nothing for an empty package
        chosen = [rng.choice(options)]
    given = {}
    for option in chosen:
        if option in required:
            wrong = [r for r in reasons if r not in accepted[option]]
            given[option] = rng.choice(accepted[option]) if rng.random() < skill or not wrong else rng.choice(wrong)
        elif rng.random() < 0.2 * (1 - skill):
            continue  # no reason given for an option they were unsure of
        else:
            given[option] = rng.choice(reasons)
    return {"options": chosen, "reasons": given}


def banks_near(release_dir: Path | None) -> Banks:
    """The banks of the course a released lesson folder belongs to (else of this repository)."""
    root = Path(release_dir).resolve().parents[1] if release_dir is not None else PACKAGE_PARENT
    return course_banks(str(root))


def plan_reply(bank: dict[str, list[str]], skill: float, rng: random.Random) -> str:
    """A written reply from `bank` (quality -> replies): good with probability `skill`, else
    middling or poor, half and half."""
    tier = "good" if rng.random() < skill else rng.choice(("middling", "poor"))
    return rng.choice(bank[tier])
