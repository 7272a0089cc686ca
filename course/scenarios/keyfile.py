"""The instructor-only half of a graded scenario: recommended choices and ending debriefs.

A graded scenario's file (inside the installed package, and copied to students) holds only
what a student may see while playing: narratives, choices, reactions, teaching points. Its
recommended choice at each decision (`best`, `best_why`) and the debrief of each ending live
in the rubric file, ``keys/scenarios/<scenario-id>.yaml``, which never leaves the instructors'
repository::

    recommended:
      arrival: {best: ask_sister, why: "Two minutes of questions at the door ..."}
    debriefs:
      voluntary_end: "You gathered information, ..."

`apply_key(scenario, key)` returns the scenario with both filled in: the grader uses it for
the debrief in the feedback, the audit for the recommended path, the class simulator to play
well. A practice-only scenario may instead carry `best`, `best_why` and `debrief` in its own
file, so the player can debrief at once (see scenarios/README.md).
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .errors import ERROR, WARNING, Problem
from .loader import LineDict, resolve_scenario
from .model import Scenario


@dataclass(frozen=True)
class ScenarioKey:
    recommended: Mapping[str, tuple[str, str]] = field(default_factory=dict)   # node -> (best choice, why)
    debriefs: Mapping[str, str] = field(default_factory=dict)                  # ending -> debrief text
    source: str = "<key>"

    def __bool__(self) -> bool:
        return bool(self.recommended or self.debriefs)


def parse_key(data, file: str, scenario: Scenario | None) -> tuple[ScenarioKey, list[Problem]]:
    """The `recommended` and `debriefs` sections of a rubric file, checked against the scenario."""
    problems: list[Problem] = []

    def err(line, msg, node=None, severity=ERROR):
        problems.append(Problem(file, line, node, msg, severity))

    if not isinstance(data, LineDict):
        return ScenarioKey(source=file), problems
    nodes = scenario.nodes if scenario is not None else None
    recommended: dict[str, tuple[str, str]] = {}
    raw = data.get("recommended")
    if raw is not None:
        if not isinstance(raw, LineDict):
            err(data.line_of("recommended"), "'recommended' must map decision node ids to {best, why}")
            raw = LineDict()
        for nid, entry in raw.items():
            line = raw.line_of(nid)
            if not isinstance(entry, LineDict) or not isinstance(entry.get("best"), str):
                err(line, f"recommended '{nid}': give {{best: choice-id, why: text}}", nid)
                continue
            for k in entry:
                if k not in ("best", "why"):
                    err(entry.line_of(k), f"recommended '{nid}': unknown field '{k}' (fields: best, why)", nid)
            best, why = entry["best"], entry.get("why", "")
            if not isinstance(why, str) or not why.strip():
                err(entry.line_of("why"), f"recommended '{nid}': 'why' (one or two sentences) is missing", nid)
                why = ""
            if nodes is not None:
                if nid not in nodes or nodes[nid].is_ending:
                    err(line, f"recommended: '{nid}' is not a decision node of scenario '{scenario.id}'", nid)
                    continue
                if nodes[nid].choice(best) is None:
                    err(entry.line_of("best"), f"recommended '{nid}': node has no choice '{best}'", nid)
                    continue
            recommended[nid] = (best, " ".join(why.split()))
        if nodes is not None:
            for n in scenario.decision_nodes:
                if n.id not in recommended and not n.best and not any(p.node == n.id for p in problems):
                    err(raw.line, f"recommended: decision node '{n.id}' has no recommended choice", n.id, WARNING)
    debriefs: dict[str, str] = {}
    raw = data.get("debriefs")
    if raw is not None:
        if not isinstance(raw, LineDict):
            err(data.line_of("debriefs"), "'debriefs' must map ending ids to text")
            raw = LineDict()
        for nid, text in raw.items():
            if not isinstance(text, str) or not text.strip():
                err(raw.line_of(nid), f"debriefs '{nid}': the debrief must be text", nid)
                continue
            if nodes is not None and (nid not in nodes or not nodes[nid].is_ending):
                err(raw.line_of(nid), f"debriefs: '{nid}' is not an ending of scenario '{scenario.id}'", nid)
                continue
            debriefs[nid] = " ".join(text.split())
        if nodes is not None:
            for n in scenario.endings:
                if n.id not in debriefs and not n.debrief:
                    err(raw.line, f"debriefs: ending '{n.id}' has no debrief", n.id, WARNING)
    return ScenarioKey(recommended, debriefs, file), problems


def load_key(path: str | os.PathLike, scenario: Scenario | None = None) -> ScenarioKey:
    from .key_file import load_key_file

    return load_key_file(path, scenario).key


def apply_key(scenario: Scenario, key: ScenarioKey) -> Scenario:
    """The scenario with the key's recommended choices and debriefs filled in (the file's own
    `best`/`debrief`, if any, are kept where the key says nothing)."""
    if not key:
        return scenario
    nodes = {}
    for nid, node in scenario.nodes.items():
        if nid in key.recommended:
            best, why = key.recommended[nid]
            node = dataclasses.replace(node, best=best, best_why=why)
        if nid in key.debriefs:
            node = dataclasses.replace(node, debrief=key.debriefs[nid])
        nodes[nid] = node
    return dataclasses.replace(scenario, nodes=nodes)


def load_keyed(ref: str, keys_dir: str | os.PathLike | None = None,
               scenarios_dir: str | os.PathLike | None = None) -> Scenario:
    """Load a scenario by id (in `scenarios_dir`, the course's) or YAML path, with its key
    applied when the instructor's `keys/scenarios/<id>.yaml` is found (instructor side:
    grading, audit, class simulation). Without folders: this checkout's course."""
    from .rubric import find_keys_dir

    keys = Path(keys_dir) if keys_dir is not None else find_keys_dir()
    scenario = resolve_scenario(ref, bases=[keys, keys.parent] if keys is not None else [],
                                folders=[scenarios_dir] if scenarios_dir is not None else ())
    path = keys / "scenarios" / f"{scenario.id}.yaml" if keys is not None else None
    if path is None or not path.is_file():
        return scenario
    return apply_key(scenario, load_key(path, scenario))


def has_key_text(scenario: Scenario) -> list[str]:
    """Node ids whose scenario file carries `best`, `best_why` or `debrief` (keys in the package)."""
    return [n.id for n in scenario.nodes.values() if n.best or n.best_why or n.debrief]
