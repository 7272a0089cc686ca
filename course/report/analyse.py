"""Put the numbers of one report together: per assignment and for the course."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import stats
from .collect import Collection, Problem
from .gradebook import hand_graded_points
from .paths import ScenarioPaths, all_scenario_paths

TOP_MISSED = 10


@dataclass
class AssignmentReport:
    assignment: str
    scores: pd.DataFrame             # student, points, max_points, percent
    max_points: float
    items: pd.DataFrame              # item_stats
    missed: pd.DataFrame             # most_missed
    options: pd.DataFrame            # option_shares
    classify: pd.DataFrame           # classify_lines
    scenarios: list[ScenarioPaths]
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    hand_graded: float = 0.0         # points graded by hand (reflections): not in these scores


@dataclass
class CourseReport:
    collection: Collection
    assignments: list[AssignmentReport]
    scores: pd.DataFrame             # every (assignment, student) score
    totals: pd.DataFrame             # per student, summed over assignments
    course_max: float
    items: pd.DataFrame              # item stats of every assignment
    missed: pd.DataFrame             # most missed items over the course
    problems: list[Problem]
    hand_graded: float = 0.0         # points graded by hand over the assignments: not in the totals


def analyse(collection: Collection, course_root: str | Path) -> CourseReport:
    all_scores = stats.scores(collection.items, collection.students)
    problems = list(collection.problems)
    reports = []
    for assignment in collection.assignments:
        keys = collection.keys.get(assignment, {})
        scen, scen_problems = all_scenario_paths(collection.items, assignment, keys, Path(course_root))
        problems += scen_problems
        definitions = collection.definitions.get(assignment, {})
        items = stats.item_stats(collection.items, assignment, list(definitions))
        mine = all_scores[all_scores.assignment == assignment].reset_index(drop=True)
        reports.append(AssignmentReport(
            assignment=assignment, scores=mine,
            max_points=float(mine.max_points.max()) if len(mine) else 0.0,
            items=items, missed=stats.most_missed(items, TOP_MISSED),
            options=stats.option_shares(collection.items, assignment, keys, definitions),
            classify=stats.classify_lines(collection.items, assignment, keys, definitions),
            scenarios=scen,
            problems=[p for p in problems if p.assignment == assignment],
            notes=[n for n in collection.notes if n.assignment == assignment],
            hand_graded=hand_graded_points(course_root, assignment),
        ))
    totals, course_max = stats.course_totals(all_scores)
    every = [r.items for r in reports if not r.items.empty]
    items = pd.concat(every, ignore_index=True) if every else stats.item_stats(collection.items, "")
    return CourseReport(collection, reports, all_scores, totals, course_max, items,
                        stats.most_missed(items, TOP_MISSED), problems, sum(r.hand_graded for r in reports))
