"""The class report's code items: nbgrader's own grades of autograded code test cells, read from
a small gradebook built here with nbgrader's API (no kernels, no nbgrader commands)."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

from course.grading.feedback.grading_file import write_grading_file
from course.report import analyse, build_report, collect
from course.report.gradebook import headings_above

A = "09-test-lesson"
COURSE_ID = "report-test"
# test cell -> points; t-zero is worth nothing (left out), w1 is a keyed widget item
CODE_POINTS = {"t-scan": 2.0, "t-hot": 3.0}
# student -> nbgrader auto_score of each code test (s5's t-hot is overridden by hand to 1.5)
CODE_SCORES = {
    "s1": {"t-scan": 2, "t-hot": 3},
    "s2": {"t-scan": 2, "t-hot": 0},
    "s3": {"t-scan": 0, "t-hot": 3},
    "s4": {"t-scan": 2, "t-hot": 3},
    "s5": {"t-scan": 0, "t-hot": 0},
}
MANUAL = {("s5", "t-hot"): 1.5}
W1 = {"s1": "b", "s2": "b", "s3": "a", "s4": "c", "s5": "b", "s6": "b"}   # s6: no gradebook submission
W1_POINTS = 2.0


def markdown(text: str, grade_id: str | None = None) -> dict:
    meta = {"nbgrader": {"grade_id": grade_id, "solution": False, "grade": False, "locked": True}} if grade_id else {}
    return {"cell_type": "markdown", "metadata": meta, "source": text}


def code(text: str, grade_id: str, solution=False, grade=False, points=None) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution}
    if grade:
        meta["points"] = points
    return {"cell_type": "code", "metadata": {"nbgrader": meta}, "source": text, "outputs": [],
            "execution_count": None}


SOURCE_CELLS = [
    markdown("# Lesson 9 · A test\n\nIntro.", "title"),
    markdown("## 1. Scanning: where\n\nText.", "sec-scan"),
    code("x = 1", "t-scan-code", solution=True),
    code("assert x == 1", "t-scan", grade=True, points=2),
    markdown("## 2. Analysis ##\n\n```python\n# not a heading\n```", "sec-analysis"),
    markdown("**Code exercise (3 points).**", "sec-exercise"),
    code("y = 2", "t-hot-code", solution=True),
    code("assert y == 2", "t-hot", grade=True, points=3),
    code("pass", "t-zero", grade=True, points=0),
    markdown("### 3. A widget item", "sec-widget"),
    code("lesson.saved('w1')", "w1", grade=True, points=2),
    markdown("## 4. Reflection", "sec-refl"),
    {"cell_type": "markdown", "source": "YOUR ANSWER HERE",
     "metadata": {"nbgrader": {"grade_id": "refl", "solution": True, "grade": True, "points": 4, "locked": False}}},
]


def write_notebook(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": SOURCE_CELLS, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def build_gradebook(db: Path, students=tuple(CODE_SCORES)) -> None:
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with Gradebook(f"sqlite:///{db}", COURSE_ID) as gb:
        gb.add_assignment(A)
        gb.add_notebook(A, A)
        for cell in SOURCE_CELLS:
            meta = cell["metadata"].get("nbgrader")
            if not meta:
                continue
            name = meta["grade_id"]
            if meta.get("grade"):
                gb.add_grade_cell(name, A, A, max_score=meta["points"], cell_type=cell["cell_type"])
            if meta.get("solution"):
                gb.add_solution_cell(name, A, A)
            gb.add_source_cell(name, A, A, cell_type=cell["cell_type"], locked=meta["locked"], source=cell["source"])
        for student in students:
            gb.add_student(student)
            with warnings.catch_warnings(), gb.db.no_autoflush:  # nbgrader 0.9 + SQLAlchemy 2
                warnings.simplefilter("ignore", SAWarning)
                gb.add_submission(A, student)
            for name, score in CODE_SCORES[student].items():
                gb.find_grade(name, A, A, student).auto_score = score
            gb.find_grade("t-zero", A, A, student).auto_score = 0
            gb.find_grade("w1", A, A, student).auto_score = 0.0   # the gradebook's copy: not used
            grade = gb.find_grade("refl", A, A, student)
            grade.manual_score = 4.0
            for (who, name), score in MANUAL.items():
                if who == student:
                    gb.find_grade(name, A, A, student).manual_score = score
        gb.db.commit()


def make_course(root: Path, gradebook: bool = True, config: str | None = None) -> Path:
    (root / "keys").mkdir(parents=True)
    (root / "keys" / f"{A}.yaml").write_text(yaml.safe_dump({"items": {"w1": {
        "kind": "single", "section": "3. A widget item", "answer": "b",
        "why": {"a": "no", "b": "yes", "c": "no"}}}}))
    write_notebook(root / "source" / A / f"{A}.ipynb")
    if config is None:
        config = (f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
                  f"c.CourseDirectory.db_url = 'sqlite:///' + {str(root / 'gradebook.db')!r}\n")
    (root / "nbgrader_config.py").write_text(config)
    for student, value in W1.items():
        fraction = 1.0 if value == "b" else 0.0
        folder = root / "autograded" / student / A
        folder.mkdir(parents=True)
        write_grading_file(folder, A, assignment=A, student=student, problems=[], items=[
            {"item": "w1", "kind": "single", "fraction": fraction, "points": fraction * W1_POINTS,
             "max_points": W1_POINTS, "answered": True, "section": "3. A widget item", "value": value}])
    if gradebook:
        build_gradebook(root / "gradebook.db")
    return root


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return make_course(tmp_path_factory.mktemp("code-items") / "course")


@pytest.fixture(scope="module")
def report(course):
    return analyse(collect(course), course)


def code_scores(student: str) -> dict[str, float]:
    return {item: MANUAL.get((student, item), score) for item, score in CODE_SCORES[student].items()}


def test_code_rows_come_from_the_gradebook(report):
    items = report.collection.items
    code = items[items.kind == "code"]
    assert sorted(code.item.unique()) == ["t-hot", "t-scan"]           # not t-zero, w1 or refl
    assert set(code.student) == set(CODE_SCORES)                         # s6 has no submission
    for row in code.itertuples():
        expected = code_scores(row.student)[row.item]
        assert row.points == expected
        assert row.max_points == CODE_POINTS[row.item]
        assert row.fraction == pytest.approx(expected / CODE_POINTS[row.item])
        assert row.value is None and row.answered is None
        assert row.file == "gradebook.db"
    # the keyed widget item still comes from the grading files only (one row per student)
    w1 = items[items.item == "w1"]
    assert len(w1) == len(W1) and set(w1.kind) == {"single"}
    assert "refl" not in set(items.item)


def test_sections_are_the_nearest_heading_above_the_test_cell(report):
    stats = report.assignments[0].items.set_index("item")
    assert stats.loc["t-scan", "section"] == "1. Scanning: where"
    assert stats.loc["t-hot", "section"] == "2. Analysis"     # not the fenced "# not a heading", not bold text
    assert stats.loc["w1", "section"] == "3. A widget item"


def test_difficulty_discrimination_and_scores_include_code_items(report):
    a = report.assignments[0]
    stats = a.items.set_index("item")
    assert list(stats.kind) == ["code", "code", "single"]
    assert stats.loc["t-scan", "difficulty"] == pytest.approx(0.6)
    assert stats.loc["t-hot", "difficulty"] == pytest.approx((1 + 0 + 1 + 1 + 0.5) / 5)
    assert stats.loc["t-hot", "full_share"] == pytest.approx(0.6)
    assert np.isnan(stats.loc["t-scan", "answered_share"])
    assert stats.loc["w1", "answered_share"] == 1.0
    items = report.collection.items
    points = items.pivot(index="student", columns="item", values="points")
    frac = items.pivot(index="student", columns="item", values="fraction")
    for item in ("t-scan", "t-hot", "w1"):
        have = frac[item].dropna().index
        rest = (points.sum(axis=1) - points[item].fillna(0)).loc[have]
        assert stats.loc[item, "discrimination"] == pytest.approx(np.corrcoef(frac[item][have], rest)[0, 1], abs=1e-4)
    scores = a.scores.set_index("student")
    assert scores.loc["s1", "points"] == 7 and scores.loc["s1", "max_points"] == 7
    assert scores.loc["s5", "points"] == pytest.approx(2 + 0 + 1.5)
    assert scores.loc["s6", "max_points"] == 2          # widget item only: its code items are a Problem
    assert a.max_points == 7
    # missed: t-scan 0.4, w1 2/6, t-hot 0.3
    assert list(a.missed.item) == ["t-scan", "w1", "t-hot"]
    assert list(a.missed.section) == ["1. Scanning: where", "3. A widget item", "2. Analysis"]


def test_student_without_a_submission_is_a_problem(report):
    text = [str(p) for p in report.problems]
    assert any(p.startswith("gradebook.db:") and "s6" in p and A in p for p in text), text
    assert len(report.problems) == 1


def test_html_lists_code_items_without_option_charts(course, tmp_path):
    index = build_report(course, tmp_path / "out")
    page = (tmp_path / "out" / f"{A}.html").read_text()
    assert "t-scan (code, 2 points)" in page and "t-hot (code, 3 points)" in page
    assert "1. Scanning: where" in page and "graded by nbgrader" in page
    assert not list((tmp_path / "out" / "images").glob("*t-scan*"))
    assert (tmp_path / "out" / "images" / f"{A}-w1-options.png").is_file()
    assert "t-scan" in index.read_text()
    responses = (tmp_path / "out" / "csv" / "responses.csv").read_text()
    assert "t-hot" in responses


def test_the_gradebook_is_read_only(course):
    db = course / "gradebook.db"
    before = (db.read_bytes(), db.stat().st_mtime_ns)
    collect(course)
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before


def test_collect_without_the_gradebook(course):
    items = collect(course, gradebook=False).items
    assert set(items.kind) == {"single"}


def _problems(root: Path) -> tuple[list[str], object]:
    report = analyse(collect(root), root)
    return [str(p) for p in report.problems], report


def test_missing_gradebook_is_a_problem_and_not_created(tmp_path):
    root = make_course(tmp_path / "c", gradebook=False)
    problems, report = _problems(root)
    assert any(p.startswith("gradebook.db: no gradebook") for p in problems), problems
    assert not (root / "gradebook.db").exists()
    assert set(report.collection.items.kind) == {"single"} and len(report.collection.items) == len(W1)
    index = build_report(root, tmp_path / "out")
    assert "gradebook.db" in index.read_text()


def test_corrupt_gradebook_is_a_problem(tmp_path):
    root = make_course(tmp_path / "c", gradebook=False)
    (root / "gradebook.db").write_bytes(b"this is not a database" * 100)
    problems, report = _problems(root)
    assert any(p.startswith("gradebook.db: cannot be read") for p in problems), problems
    assert len(report.collection.items) == len(W1)
    build_report(root, tmp_path / "out")


def test_wrong_course_id_is_a_problem(tmp_path):
    root = make_course(tmp_path / "c")
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = 'another-course'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///' + {str(root / 'gradebook.db')!r}\n")
    problems, _ = _problems(root)
    assert any(p.startswith("gradebook.db: cannot be read") for p in problems), problems


def test_broken_config_is_a_problem(tmp_path):
    root = make_course(tmp_path / "c", config="raise RuntimeError('broken config')\n")
    problems, report = _problems(root)
    assert any(p.startswith("nbgrader_config.py: could not be loaded") and "broken config" in p
               for p in problems), problems
    assert len(report.collection.items) == len(W1)


def test_no_config_uses_nbgraders_default_gradebook(tmp_path):
    root = make_course(tmp_path / "c")
    (root / "nbgrader_config.py").unlink()
    items = collect(root).items   # sqlite:///<root>/gradebook.db; course id '' finds the submissions
    assert set(items.kind) == {"code", "single"}


def test_assignment_missing_from_gradebook_and_missing_source(tmp_path):
    root = make_course(tmp_path / "c", gradebook=False)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        gb.add_assignment("other")
    problems, _ = _problems(root)
    assert any(f"has no assignment '{A}'" in p for p in problems), problems

    root2 = make_course(tmp_path / "d")
    (root2 / "source" / A / f"{A}.ipynb").unlink()
    problems, report = _problems(root2)
    assert any(p.startswith(f"source/{A}/{A}.ipynb: cannot be read") for p in problems), problems
    stats = report.assignments[0].items.set_index("item")
    assert stats.loc["t-scan", "section"] == ""
    assert stats.loc["t-scan", "difficulty"] == pytest.approx(0.6)


def test_headings_above(tmp_path):
    path = tmp_path / "nb.ipynb"
    write_notebook(path)
    heads = headings_above(path)
    assert heads["title"] == "Lesson 9 · A test"
    assert heads["t-scan"] == "1. Scanning: where"
    assert heads["t-hot"] == "2. Analysis"
    assert heads["refl"] == "4. Reflection"
    assert heads["w1"] == "2. Analysis"          # "### 3. A widget item" is a sub-heading of section 2


def test_headings_above_without_level_two_sections(tmp_path):
    """A notebook whose sections are ### headings: those are its sections."""
    path = tmp_path / "nb.ipynb"
    cells = [markdown("# Title\n### A\n#### a detail"), code("assert 1", "t-a", grade=True, points=1),
             markdown("### B"), code("assert 1", "t-b", grade=True, points=1)]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    assert headings_above(path) == {"t-a": "A", "t-b": "B"}


def test_lesson_06_sections_from_the_real_source():
    root = Path(__file__).resolve().parents[1]
    heads = headings_above(root / "source" / "06-community-policing" / "06-community-policing.ipynb")
    assert heads["cp-scan"] == "4. Scanning: where do the calls come from?"
    # under the sub-headings "### When do the noise ..." and "### A fairer comparison": their sections
    assert heads["cp-night"] == "5. Analysis: what happens there, and when?"
    assert heads["cp-assess"] == "7. Assessment: did it work?"
    assert heads["cp-bias"] == "8. Comparing officers fairly: selection bias"


def test_an_unanswered_single_item_stays_no_answer(tmp_path):
    """pandas 3 turns None in a column of strings into NaN; "(no answer)" must survive that."""
    from course.report import stats

    root = make_course(tmp_path / "c", gradebook=False)
    grading = root / "autograded" / "s2" / A / f"{A}.grading.json"
    data = json.loads(grading.read_text())
    data["items"][0].update(value=None, answered=False, fraction=0.0, points=0.0)
    grading.write_text(json.dumps(data))
    col = collect(root, gradebook=False)
    shares = stats.option_shares(col.items, A, col.keys[A]).set_index("option")
    assert shares.loc["(no answer)", "count"] == 1
    assert "nan" not in shares.index
