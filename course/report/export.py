"""The report's tables as CSV files in `<out>/csv/`, for a spreadsheet."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..csv_safe import frame_csv
from .analyse import CourseReport


def _write(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(frame_csv(frame), encoding="utf-8")  # answers and ids are students' text: no formulas
    return path


def _cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def write_csv(report: CourseReport, folder: Path) -> dict[str, Path]:
    """Write every table; returns name -> path (names are the file stems)."""
    items = report.collection.items.copy()
    items["value"] = [json.dumps(v, sort_keys=True) for v in items.value]
    problems = pd.DataFrame([{"assignment": p.assignment, "where": p.where, "problem": p.what}
                             for p in report.problems], columns=["assignment", "where", "problem"])
    tables = {
        "responses": items,
        "scores": report.scores,
        "course_totals": report.totals,
        "item_stats": report.items,
        "most_missed": report.missed,
        "option_shares": _cat([a.options for a in report.assignments]),
        "classify_lines": _cat([a.classify for a in report.assignments]),
        "scenario_choices": _cat([s.choices for a in report.assignments for s in a.scenarios]),
        "scenario_endings": _cat([s.endings for a in report.assignments for s in a.scenarios]),
        "problems": problems,
    }
    return {name: _write(frame, folder / f"{name}.csv") for name, frame in tables.items()}
