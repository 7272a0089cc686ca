"""Numbers for the class report, from the tidy table of `collect`.

Scores are the sum of the automatically graded `points`: the widget items of the grading
files and nbgrader's autograded code test cells (kind "code", from the gradebook);
hand-graded items (reflections) are not here.

Difficulty of an item = its mean fraction (1.0 = every student fully right).
Discrimination = the corrected item-total correlation: the Pearson correlation, over the
students of the assignment, between the item's fraction and the student's points on all
the *other* items of the assignment (total minus this item). For a right/wrong item this
is the point-biserial correlation. It is undefined (NaN, "n/a") with fewer than 3 students
or when either side does not vary.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pandas as pd

from ..items.types import ItemKey

NO_ANSWER = "(no answer)"
MIN_STUDENTS_FOR_R = 3


def scores(items: pd.DataFrame, students: dict[str, list[str]]) -> pd.DataFrame:
    """One row per (assignment, student): points, max_points, percent."""
    rows = []
    for assignment, names in sorted(students.items()):
        part = items[items.assignment == assignment]
        for student in names:
            mine = part[part.student == student]
            pts, mx = float(mine.points.sum()), float(mine.max_points.sum())
            rows.append({"assignment": assignment, "student": student, "points": round(pts, 4),
                         "max_points": mx, "percent": round(100 * pts / mx, 2) if mx else float("nan")})
    return pd.DataFrame(rows, columns=["assignment", "student", "points", "max_points", "percent"])


def course_totals(score_table: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """Per student the sum over assignments (an assignment without a readable grading file
    counts 0), and the course maximum (the sum of each assignment's largest max_points)."""
    if score_table.empty:
        return pd.DataFrame(columns=["student", "points", "max_points", "percent", "assignments"]), 0.0
    course_max = float(score_table.groupby("assignment").max_points.max().sum())
    per = score_table.groupby("student").agg(points=("points", "sum"), assignments=("assignment", "nunique"))
    per = per.reset_index()
    per["points"] = per.points.round(4)
    per["max_points"] = course_max
    per["percent"] = (100 * per.points / course_max).round(2) if course_max else float("nan")
    return per[["student", "points", "max_points", "percent", "assignments"]], course_max


def _corr(x: pd.Series, y: pd.Series) -> float:
    if len(x) < MIN_STUDENTS_FOR_R or x.std(ddof=0) == 0 or y.std(ddof=0) == 0:
        return float("nan")
    return float(x.corr(y))


def _answered_share(answered: pd.Series) -> float:
    """Share of students who answered; NaN when it is not known (code items: the gradebook
    does not tell an untouched exercise from a wrong one)."""
    known = answered.dropna()
    return round(float(known.astype(bool).mean()), 4) if len(known) else float("nan")


def lesson_order(ids, order: list[str] | None) -> list:
    """`ids` in the order the lesson shows them (`order`), then any others by id."""
    rank = {item: i for i, item in enumerate(order or [])}
    return sorted(ids, key=lambda item: (rank.get(item, len(rank)), str(item)))


def item_stats(items: pd.DataFrame, assignment: str, order: list[str] | None = None) -> pd.DataFrame:
    """Per item of one assignment, in lesson order (`order`, then by id): kind, section,
    max_points, n, answered share, difficulty (mean fraction), share fully right, and
    discrimination (corrected item-total r)."""
    part = items[items.assignment == assignment]
    cols = ["assignment", "item", "kind", "section", "max_points", "students", "answered_share",
            "difficulty", "full_share", "discrimination"]
    if part.empty:
        return pd.DataFrame(columns=cols)
    points = part.pivot_table(index="student", columns="item", values="points", aggfunc="sum")
    total = points.sum(axis=1)
    rows = []
    for item, grp in part.groupby("item", sort=False):
        frac = grp.set_index("student").fraction
        rest = (total - points[item].fillna(0)).loc[frac.index]
        rows.append({
            "assignment": assignment, "item": item, "kind": grp.kind.iloc[0], "section": grp.section.iloc[0],
            "max_points": float(grp.max_points.max()), "students": int(len(grp)),
            "answered_share": _answered_share(grp.answered),
            "difficulty": round(float(grp.fraction.mean()), 4),
            "full_share": round(float((grp.fraction >= 1 - 1e-9).mean()), 4),
            "discrimination": round(_corr(frac, rest), 4),
        })
    out = pd.DataFrame(rows, columns=cols).set_index("item", drop=False)
    return out.loc[lesson_order(out.index, order)].reset_index(drop=True)


def most_missed(stats: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """Items by the share of points lost (1 - difficulty), most missed first; ties by assignment, item."""
    if stats.empty:
        return stats.assign(missed=[])
    out = stats.assign(missed=(1 - stats.difficulty).round(4), not_full_share=(1 - stats.full_share).round(4))
    out = out.sort_values(["missed", "assignment", "item"], ascending=[False, True, True], kind="stable")
    out = out[["assignment", "item", "kind", "section", "missed", "not_full_share", "difficulty", "students"]]
    return (out.head(top) if top else out).reset_index(drop=True)


def _option_order(key: ItemKey | None, seen: set[str], shown: dict[str, str]) -> list[str]:
    known: list[str] = []
    if key is not None:
        answer = key.answer if isinstance(key.answer, list) else [key.answer] if key.answer is not None else []
        known = [str(o) for o in list(key.why) + answer]
    return [*shown, *sorted((set(known) | seen) - set(shown))]


def option_shares(items: pd.DataFrame, assignment: str, keys: dict[str, ItemKey],
                  definitions: dict[str, dict] | None = None) -> pd.DataFrame:
    """For single/multiple items, in lesson order: per option (with the text the student saw,
    from `definitions`) the count and share of students who chose it.

    Single: shares add up to 100% (with "(no answer)"). Multiple (tick all that apply):
    the share of students who ticked each option, so shares add up to more than 100%."""
    cols = ["assignment", "item", "kind", "option", "text", "correct", "count", "students", "share"]
    definitions = definitions or {}
    part = items[(items.assignment == assignment) & items.kind.isin(["single", "multiple"])]
    rows = []
    groups = dict(list(part.groupby("item", sort=False)))
    for item in lesson_order(groups, list(definitions)):
        grp = groups[item]
        key = keys.get(item)
        shown = {str(o): str(t) for o, t in definitions.get(item, {}).get("options", {}).items()}
        kind = grp.kind.iloc[0]
        counts: Counter = Counter()
        for value in grp.value:
            if value is None or value == [] or value == "":
                counts[NO_ANSWER] += 1
            elif kind == "multiple" and isinstance(value, list):
                counts.update({str(v) for v in value})
            else:
                counts[str(value)] += 1
        correct = set()
        if key is not None:
            correct = {str(a) for a in key.answer} if isinstance(key.answer, list) else {str(key.answer)}
        options = _option_order(key, set(counts) - {NO_ANSWER}, shown)
        if counts[NO_ANSWER]:
            options.append(NO_ANSWER)
        n = len(grp)
        for option in options:
            rows.append({"assignment": assignment, "item": item, "kind": kind, "option": option,
                         "text": shown.get(option, ""), "correct": option in correct, "count": counts[option], "students": n,
                         "share": round(counts[option] / n, 4) if n else float("nan")})
    return pd.DataFrame(rows, columns=cols)


def classify_lines(items: pd.DataFrame, assignment: str, keys: dict[str, ItemKey],
                   definitions: dict[str, dict] | None = None) -> pd.DataFrame:
    """For classify items, in lesson order: per line (with its text, and labels as the student
    saw them, from `definitions`) the share of students who labelled it right, and the most
    common wrong label."""
    cols = ["assignment", "item", "line", "line_text", "correct_label", "right", "students", "share_right",
            "common_wrong_label", "common_wrong_count"]
    definitions = definitions or {}
    part = items[(items.assignment == assignment) & (items.kind == "classify")]
    rows = []
    groups = dict(list(part.groupby("item", sort=False)))
    for item in lesson_order(groups, list(definitions)):
        grp = groups[item]
        key = keys.get(item)
        answer = key.answer if key is not None and isinstance(key.answer, dict) else {}
        lines = {str(k): str(v) for k, v in definitions.get(item, {}).get("lines", {}).items()}
        labels = {str(k): str(v) for k, v in definitions.get(item, {}).get("labels", {}).items()}
        n = len(grp)
        for line in lesson_order(answer, list(lines)):
            label = answer[line]
            given = [(v.get(line) if isinstance(v, dict) else None) for v in grp.value]
            right = sum(g == label for g in given)
            wrong = Counter(str(g) if g is not None else NO_ANSWER for g in given if g != label)
            common, count = (wrong.most_common(1)[0] if wrong else ("", 0))
            rows.append({"assignment": assignment, "item": item, "line": str(line), "line_text": lines.get(str(line), ""),
                         "correct_label": labels.get(str(label), str(label)),
                         "right": right, "students": n, "share_right": round(right / n, 4) if n else float("nan"),
                         "common_wrong_label": labels.get(common, common), "common_wrong_count": count})
    return pd.DataFrame(rows, columns=cols)


def describe(values: pd.Series) -> dict[str, Any]:
    """n, mean, median, sd, min, max of a score column (NaN-safe; empty gives n=0)."""
    v = values.dropna()
    if v.empty:
        return {"n": 0, "mean": math.nan, "median": math.nan, "sd": math.nan, "min": math.nan, "max": math.nan}
    return {"n": int(len(v)), "mean": round(float(v.mean()), 3), "median": round(float(v.median()), 3),
            "sd": round(float(v.std(ddof=0)), 3), "min": float(v.min()), "max": float(v.max())}
