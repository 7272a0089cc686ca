"""Scenario items: which choice students took at each decision point, and how their
counted attempt ended.

Each student's saved attempts are replayed with the scenario engine and the attempt that
counts is picked by the grading POLICY (`course.scenarios.select_attempt`: the first
attempt, finished or not), so the report shows the same path the
grade was given for.

Choice shares are per decision made at a node: of the N decisions made at node X, k took
choice c. A student whose path comes back to a node counts once per visit.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..coursedir import CourseDir
from ..items.types import ItemKey
from ..scenarios import Scenario, outcome_label, resolve_scenario, select_attempt
from .collect import Problem

NOT_FINISHED = "(not finished)"
NO_ATTEMPT = "(no attempt)"


@dataclass
class ScenarioPaths:
    assignment: str
    item: str
    scenario: Scenario
    choices: pd.DataFrame     # node, choice, count, decisions, share, students_reaching
    endings: pd.DataFrame     # ending, outcome, outcome_label, count, students, share
    students: int
    problems: list[Problem] = field(default_factory=list)
    arrows: Counter = field(default_factory=Counter)   # (node, next node) -> times that step was taken

    def edge_labels(self) -> dict[tuple[str, str], str]:
        """(node, choice) -> "k/N=p%" for the scenario map, written after the choice's id."""
        return {(r.node, r.choice): f"{r.count}/{r.decisions}={100 * r.share:.0f}%"
                for r in self.choices.itertuples() if r.count}


def load_item_scenario(key: ItemKey, course: CourseDir) -> Scenario:
    return resolve_scenario(str(key.extra.get("scenario", "")), bases=[course.keys_dir, course.root],
                            folders=[course.scenarios_dir])


def scenario_paths(items: pd.DataFrame, assignment: str, item: str, scenario: Scenario) -> ScenarioPaths:
    part = items[(items.assignment == assignment) & (items.item == item)]
    problems: list[Problem] = []
    taken: Counter = Counter()
    arrows: Counter = Counter()
    reaching: dict[str, set[str]] = {}
    endings: Counter = Counter()
    for row in part.itertuples():
        try:
            index, rep, _notes = select_attempt(scenario, row.value)
        except Exception as exc:  # a strange saved value must not stop the report
            problems.append(Problem(row.file, f"{item}: attempts could not be replayed ({type(exc).__name__}: {exc})",
                                    assignment))
            index, rep = None, None
        if rep is None:
            endings[NO_ATTEMPT] += 1
            continue
        if rep.error:
            problems.append(Problem(row.file, f"{item}, attempt {index + 1}: {rep.error}", assignment))
        for step in rep.run.steps:
            taken[(step.from_node.id, step.choice.id)] += 1
            reaching.setdefault(step.from_node.id, set()).add(row.student)
            arrows[(step.from_node.id, step.node.id)] += 1
        endings[rep.run.node.id if rep.complete else NOT_FINISHED] += 1

    decisions = Counter()
    for (node_id, _), count in taken.items():
        decisions[node_id] += count
    rows = []
    for node in scenario.decision_nodes:
        for choice in node.choices:
            count, n = taken[(node.id, choice.id)], decisions[node.id]
            rows.append({"assignment": assignment, "item": item, "scenario": scenario.id, "node": node.id,
                         "choice": choice.id, "count": count, "decisions": n,
                         "share": round(count / n, 4) if n else 0.0,
                         "students_reaching": len(reaching.get(node.id, ()))})
    choices = pd.DataFrame(rows, columns=["assignment", "item", "scenario", "node", "choice", "count",
                                          "decisions", "share", "students_reaching"])
    n = len(part)
    end_rows = []
    for ending in [e.id for e in scenario.endings] + [NOT_FINISHED, NO_ATTEMPT]:
        if ending in (NOT_FINISHED, NO_ATTEMPT) and not endings[ending]:
            continue
        outcome = scenario.node(ending).outcome if ending in scenario.nodes else ""
        end_rows.append({"assignment": assignment, "item": item, "scenario": scenario.id, "ending": ending,
                         "outcome": outcome or "", "outcome_label": outcome_label(outcome) if outcome else "",
                         "count": endings[ending], "students": n,
                         "share": round(endings[ending] / n, 4) if n else 0.0})
    ends = pd.DataFrame(end_rows, columns=["assignment", "item", "scenario", "ending", "outcome", "outcome_label",
                                           "count", "students", "share"])
    return ScenarioPaths(assignment, item, scenario, choices, ends, n, problems, arrows)


def all_scenario_paths(items: pd.DataFrame, assignment: str, keys: dict[str, ItemKey], course_root: Path
                       ) -> tuple[list[ScenarioPaths], list[Problem]]:
    out, problems = [], []
    scenario_items = sorted(items[(items.assignment == assignment) & (items.kind == "scenario")].item.unique())
    for item in scenario_items:
        key = keys.get(item)
        if key is None:
            problems.append(Problem(f"{assignment}/{item}", "scenario item has no key; paths not shown", assignment))
            continue
        try:
            scenario = load_item_scenario(key, CourseDir.readable(course_root))
        except Exception as exc:
            problems.append(Problem(f"{assignment}/{item}",
                                    f"scenario {key.extra.get('scenario')!r} could not be loaded ({exc}); paths not shown",
                                    assignment))
            continue
        paths = scenario_paths(items, assignment, item, scenario)
        problems += paths.problems
        out.append(paths)
    return out, problems
