"""Students who answer by position, not by reading, and what they would score.

An examiner's first question of a multiple-choice course: can a student score by where the
answer sits? Four simulated students answer every option item the same way, whatever it asks:
- `first`: the first option shown (a scenario's first choice at every decision);
- `b`: the option labelled (b) (a scenario's, a menu's or a package's second option shown);
- `longest`: the longest option text (the longest label, reason, scenario choice);
- `guess`: an option at random (one box of a select-all-that-apply, one label for each line of
  a classify item, a random choice at each scenario decision): what guessing earns.

Options are shown in each student's own order (course/exercises/order.py), so `first` is drawn
through the same function the widgets use, for the student's id. `position_scores` scores many
students of each kind with the real scorers against keys/, item points from the source notebooks
(`course demo` sends three of them through the whole nbgrader pipeline as well). Written replies
and code are left out: no position can answer them. Run `python -m course.simulation.position`
for the table in the README.
"""
from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exercises.order import decision, order_for
from .answers import MAX_DECISIONS, Unsimulated, _scenario

STRATEGIES = ("first", "b", "longest", "guess")
POSITIONED = ("single", "multiple", "classify", "package", "scenario")   # kinds a position can answer
DEMO_STUDENTS = {"always-first": "first", "always-b": "b", "always-longest": "longest"}


def _pick(ids: list[str], texts: dict[str, str], strategy: str, item: tuple[str, str], student: str,
          rng: random.Random, letter: str | None = None) -> str:
    """`item` is (item id, part), as the widget names the list (course/exercises/order.py)."""
    shown = order_for(ids, student, *item)
    if strategy == "first":
        return shown[0]
    if strategy == "b":
        return letter if letter in ids else shown[min(1, len(shown) - 1)]
    if strategy == "longest":
        return max(shown, key=lambda o: (len(texts.get(o, "")), -shown.index(o)))
    return rng.choice(ids)


def _subset(ids: list[str], texts: dict[str, str], strategy: str, item: tuple[str, str], student: str,
            rng: random.Random) -> list[str]:
    """Select-all-that-apply answered by position: one box, the one the strategy picks (a
    guesser ticks one box at random: the same act, so the two compare like for like)."""
    return [_pick(ids, texts, strategy, item, student, rng, letter="b")]


def plan_item(definition: dict, key, strategy: str, student: str, rng: random.Random) -> Any:
    """The value a student of `strategy` saves for one item (the widget's value)."""
    item, kind = key.item_id, definition["kind"]
    if kind == "single":
        options = definition["options"]
        return _pick(list(options), options, strategy, (item, ""), student, rng, letter="b")
    if kind == "multiple":
        options = definition["options"]
        return sorted(_subset(list(options), options, strategy, (item, ""), student, rng))
    if kind == "classify":
        labels = definition["labels"]
        if strategy == "guess":
            return {line: rng.choice(list(labels)) for line in definition["lines"]}
        label = _pick(list(labels), labels, strategy, (item, ""), student, rng)
        return {line: label for line in definition["lines"]}
    if kind == "package":
        options, reasons = definition["options"], definition["reasons"]
        chosen = _subset(list(options), options, strategy, (item, "options"), student, rng)
        if strategy == "guess":
            given = {o: rng.choice(list(reasons)) for o in chosen}
        else:
            given = {o: _pick(list(reasons), reasons, strategy, (item, "reasons"), student, rng) for o in chosen}
        return {"options": [o for o in options if o in chosen], "reasons": given}
    if kind == "scenario":
        scenario = _scenario(definition["scenario"], key.extra.get("keys_dir"), key.extra.get("scenarios_dir"))
        return [play(scenario, strategy, item, student, rng)]
    raise Unsimulated(f"kind {kind!r} cannot be answered by position")


def play(scenario, strategy: str, item: str, student: str, rng: random.Random) -> list[str]:
    """One attempt: at each decision the choice the strategy picks among those shown; a student
    going round a loop stops after MAX_DECISIONS decisions (an unfinished attempt, as graded)."""
    from ..scenarios import ScenarioRun

    run = ScenarioRun(scenario)
    while not run.ended and len(run.steps) < MAX_DECISIONS:
        choices = {c.id: c.text for c in run.visible_choices()}
        run.choose(_pick(list(choices), choices, strategy, (item, decision(run.node.id)), student, rng))
    return run.choice_ids


def lesson_items(course: Path, lesson: str) -> tuple[dict, dict, dict[str, float]]:
    """(definitions, keys, points) of a lesson's option items: definitions from the released
    items file, keys from keys/, points from the source notebook's test cells."""
    import nbformat

    from ..coursedir import CourseDir
    from ..grading.score.keys import load_keys
    from ..items import lesson_definitions

    definitions = lesson_definitions(course / "release" / lesson)
    folders = CourseDir.readable(course)
    keys = load_keys(folders.keys_dir / f"{lesson}.yaml", folders.scenarios_dir)
    points = {}
    for path in sorted((course / "source" / lesson).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and meta.get("grade_id") in keys:
                points[meta["grade_id"]] = float(meta.get("points", 0))
    wanted = [i for i in definitions if i in keys and keys[i].kind in POSITIONED and i in points]  # lesson order
    return ({i: definitions[i] for i in wanted}, {i: keys[i] for i in wanted}, {i: points[i] for i in wanted})


def score_student(items: tuple[dict, dict, dict], strategy: str, student: str, rng: random.Random) -> dict[str, float]:
    """Points a student of `strategy` earns on these items, scored by the grader's own scorers:
    {"options": on the option items, "scenarios": on the scenarios}."""
    from ..grading.score.item import score_item

    definitions, keys, points = items
    total = {"options": 0.0, "scenarios": 0.0}
    for item_id, key in keys.items():
        value = plan_item(definitions[item_id], key, strategy, student, rng)
        record = {"kind": key.kind, "value": {"attempts": [{"choices": value[0]}]} if key.kind == "scenario" else value}
        total["scenarios" if key.kind == "scenario" else "options"] += points[item_id] * score_item(key, record).fraction
    return total


@dataclass
class LessonPositionScores:
    lesson: str
    points: dict[str, float]              # part ("options", "scenarios") -> its points
    mean: dict[str, dict[str, float]]     # part -> strategy -> mean points over the students
    error: dict[str, dict[str, float]]    # part -> strategy -> standard error of that mean

    def above_guessing(self, part: str, strategy: str) -> bool:
        """Above guessing by more than twice the standard error of the difference: `first` and
        `b` on shuffled options earn what guessing earns, give or take the sample's noise."""
        gap = self.mean[part][strategy] - self.mean[part]["guess"]
        return gap > 2 * (self.error[part][strategy] ** 2 + self.error[part]["guess"] ** 2) ** 0.5 + 1e-9


PARTS = ("options", "scenarios")


def position_scores(course: Path, lessons: list[str], students: int = 400, seed: int = 25) -> list[LessonPositionScores]:
    """Per lesson, what `students` students of each strategy score (ids `s1`... `sN`, each seeing
    their own order), on the option items and on the scenarios apart."""
    results = []
    for lesson in lessons:
        items = lesson_items(Path(course), lesson)
        rng = random.Random(f"{seed} {lesson}")
        scores = {s: [score_student(items, s, f"s{n}", rng) for n in range(1, students + 1)] for s in STRATEGIES}
        points = {part: sum(p for i, p in items[2].items() if (items[1][i].kind == "scenario") == (part == "scenarios"))
                  for part in PARTS}
        mean = {part: {s: statistics.mean(x[part] for x in v) for s, v in scores.items()} for part in PARTS}
        error = {part: {s: statistics.stdev(x[part] for x in v) / len(v) ** 0.5 if len(v) > 1 else 0.0
                        for s, v in scores.items()} for part in PARTS}
        results.append(LessonPositionScores(lesson, points, mean, error))
    return results


NAMES = {"first": "always first", "b": "always (b)", "longest": "always longest", "guess": "random guessing"}


def table(results: list[LessonPositionScores], part: str) -> str:
    """Markdown: mean points per lesson of each position strategy and of guessing, on one part."""
    what = "option items (single, multiple, classify, package)" if part == "options" else "scenarios"
    head = (f"| lesson | points ({what}) | " + " | ".join(NAMES[s] for s in STRATEGIES) + " |\n"
            + "|---" * (2 + len(STRATEGIES)) + "|")
    rows = []
    for r in results:
        if not r.points[part]:
            continue
        cells = [f"{r.mean[part][s]:.2f}" + (" (above)" if s != "guess" and r.above_guessing(part, s) else "")
                 for s in STRATEGIES]
        rows.append(f"| {r.lesson} | {r.points[part]:g} | " + " | ".join(cells) + " |")
    return head + "\n" + "\n".join(rows)


def totals_table(results: list[LessonPositionScores]) -> str:
    """Markdown: each lesson's option items and scenarios together, as a gradebook adds them."""
    head = ("| lesson | points | " + " | ".join(NAMES[s] for s in STRATEGIES) + " |\n"
            + "|---" * (2 + len(STRATEGIES)) + "|")
    rows = [f"| {r.lesson} | {sum(r.points.values()):g} | "
            + " | ".join(f"{sum(r.mean[p][s] for p in PARTS):.2f}" for s in STRATEGIES) + " |" for r in results]
    return head + "\n" + "\n".join(rows)


def above_guessing(results: list[LessonPositionScores]) -> list[str]:
    return [f"{r.lesson} {part} ({NAMES[s]}: {r.mean[part][s]:.2f} > {r.mean[part]['guess']:.2f})"
            for r in results for part in PARTS for s in STRATEGIES[:3] if r.points[part] and r.above_guessing(part, s)]


def demo_plans(course: Path, lessons: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    """{student: {lesson: answers}} of the position-biased students `course demo` adds to its
    class (DEMO_STUDENTS), each answering every option item and scenario by its strategy."""
    plans: dict[str, dict[str, dict[str, Any]]] = {}
    for student, strategy in DEMO_STUDENTS.items():
        rng = random.Random(student)
        plans[student] = {}
        for lesson in lessons:
            definitions, keys, _points = lesson_items(Path(course), lesson)
            plans[student][lesson] = {i: plan_item(definitions[i], keys[i], strategy, student, rng) for i in keys}
    return plans


def main(argv: list[str] | None = None) -> int:
    import argparse

    from ..coursedir import CourseDir, find_root

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lessons (default: every released lesson with a key)")
    parser.add_argument("--students", type=int, default=400)
    args = parser.parse_args(argv)
    course = CourseDir.at(find_root())
    lessons = args.lessons or [n for n in course.released() if (course.keys_dir / f"{n}.yaml").is_file()]
    results = position_scores(course.root, lessons, args.students)
    print(totals_table(results) + "\n")
    for part in PARTS:
        print(table(results, part) + "\n")
    print(f"Mean points of {args.students} simulated students of each kind; (above): above guessing by more "
          "than twice the standard error.")
    above = above_guessing(results)
    print("above guessing: " + (", ".join(above) if above else "none"))
    return 1 if above else 0

if __name__ == "__main__":
    raise SystemExit(main())
