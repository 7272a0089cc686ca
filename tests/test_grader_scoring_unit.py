"""The grader-side pieces that keep scores out of the student's kernel, without kernels:
plain-data export, the check plan and its replay, tampering flags, hidden tests in feedback,
links at intake and collect, copied graded cells."""
from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest

from course.grading.feedback.pages import HIDDEN_NOTE, HideHiddenTests
from course.grading.intake.plain_data import Unsupported, decode, encode
from course.grading.intake.safe_collect import unsafe_entries
from course.grading.intake.submission import remove_unsafe_entries
from course.grading.run.code_checks import bound_names, plan_checks, run_checks
from course.grading.score.review import tampering_in

matplotlib.use("Agg")


def roundtrip(value):
    return decode(json.loads(json.dumps(encode(value))))


def test_pandas_values_cross_as_fresh_equal_objects():
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-05 21:00", "2024-01-06 01:30"]),
                          "place": ["A", "B"], "force": [True, False], "minutes": [3.5, float("nan")]})
    series = frame.groupby("force")["minutes"].mean()
    pd.testing.assert_frame_equal(roundtrip(frame), frame)
    pd.testing.assert_series_equal(roundtrip(series), series)
    assert roundtrip(series).index.name == "force"
    assert roundtrip(0.1 + 0.2) == 0.1 + 0.2 and roundtrip("x") == "x" and roundtrip((1, [2])) == (1, [2])


def test_objects_of_the_students_own_classes_do_not_cross():
    class Always(float):
        def __eq__(self, other):
            return True

    assert isinstance(roundtrip(Always(1.0)), float) and roundtrip(Always(1.0)) != 2.0  # a float subclass: its value only
    sneaky = type("Sneaky", (), {"__eq__": lambda self, other: True})()
    value = roundtrip(sneaky)
    assert isinstance(value, Unsupported) and not value and value != 1


def test_a_chart_crosses_as_its_marks():
    ax = pd.Series([3, 5], index=[20, 21]).plot(kind="bar", title="Calls by hour")
    copy = roundtrip(ax)
    assert copy.get_title() == "Calls by hour" and copy.has_data() and len(copy.patches) == 2


@pytest.mark.parametrize("bad", [{"t": "series", "values": [1], "index": {"t": "index", "values": [1, 2]}},
                                 {"t": "frame", "columns": "x", "index": {"t": "index", "values": []}},
                                 {"t": "pickle", "v": "gASV"}, [1, 2]])
def test_malformed_exports_are_refused(bad):
    from course.grading.intake.plain_data import PlainDataError

    with pytest.raises(PlainDataError):
        decode(bad)


def notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for kind, source, meta in cells:
        cell = nbformat.v4.new_code_cell(source)
        if meta:
            cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nb


SOURCE = notebook(
    ("setup", "import pandas as pd\nfrom course import Lesson\nlesson = Lesson('x')", None),
    ("data", "numbers = pd.Series([3, 1, 2])\ndisplay(numbers)", None),
    ("widget", "lesson.single_choice('q1', 'Pick', {'a': 'A'})", None),
    ("solution", "total = numbers.sum()\ndef helper():\n    inner = 1\n", {"solution": True, "grade": False, "grade_id": "s1"}),
    ("test", "assert total == numbers.sum(), 'total should add the numbers'\nprint('ok')\n"
             "### BEGIN HIDDEN TESTS\nassert total == 6\n### END HIDDEN TESTS", {"grade": True, "grade_id": "t1", "points": 2}),
    ("solution", "share = total / 10", {"solution": True, "grade": False, "grade_id": "s2"}),
    ("test", "share * 2", {"grade": True, "grade_id": "t2", "points": 2}),
    ("keyed", "lesson.saved('q1')", {"grade": True, "grade_id": "q1", "points": 1}),
)


def test_the_plan_exports_what_the_solutions_bind_and_replays_only_what_checks_need():
    plan = plan_checks(SOURCE, keyed={"q1"})
    assert plan.exports == {"t1": ["total", "helper"], "t2": ["share"]}
    assert [s.action for s in plan.steps] == ["run", "run", "inject", "check", "inject", "check"]
    assert all("single_choice" not in s.source for s in plan.steps)  # the widget cell is not replayed
    assert bound_names("for i in range(3):\n    x = i\nimport os.path as p, sys") == ["i", "x", "p", "sys"]


def test_checks_run_on_the_exported_values_outside_the_kernel():
    plan = plan_checks(SOURCE, keyed={"q1"})
    right = {"t1": {"total": encode(6)}, "t2": {"share": encode(0.6)}}
    results = run_checks(plan, right)
    assert results["t1"].ok and results["t1"].stdout.strip() == "ok"
    assert results["t2"].ok and results["t2"].partial == pytest.approx(1.2)  # a number as last value: partial credit
    wrong = run_checks(plan, {"t1": {"total": encode(7)}})
    assert not wrong["t1"].ok and wrong["t1"].evalue == "total should add the numbers"
    assert not wrong["t2"].ok and wrong["t2"].ename == "NameError"  # never exported: not there
    assert "total should add" not in run_checks(plan, {"t1": {"total": encode(6)}})["t1"].evalue


def test_the_warm_check_server_gives_what_a_fresh_process_gives(monkeypatch):
    plan = plan_checks(SOURCE, keyed={"q1"})
    values = {"t1": {"total": encode(7)}, "t2": {"share": encode(0.6)}}
    warm = run_checks(plan, values)
    monkeypatch.setenv("COURSE_CHECK_SERVER", "0")
    assert run_checks(plan, values) == warm


def _leaky_plan(seconds: float = 0.0):
    """A check that leaves a mark on the process (a builtin) and can take its time."""
    return plan_checks(notebook(
        ("solution", "total = 6", {"solution": True, "grade": False, "grade_id": "s"}),
        ("test", f"import builtins, time\ntime.sleep({seconds})\nseen = getattr(builtins, 'mark', None)\n"
                 "builtins.mark = total\nprint('seen', seen)", {"grade": True, "grade_id": "t", "points": 1})), set())


def test_each_check_starts_clean_and_a_slow_one_is_killed_without_the_server():
    from course.grading.run.check_server import CheckServer
    from course.grading.run.code_checks import CodeCheckError

    plan = _leaky_plan()
    assert run_checks(plan, {"t": {"total": encode(1)}})["t"].stdout.strip() == "seen None"
    assert run_checks(plan, {"t": {"total": encode(2)}})["t"].stdout.strip() == "seen None"  # no trace of the first
    server = CheckServer.shared()
    with pytest.raises(CodeCheckError, match="did not finish within 1 s"):
        run_checks(_leaky_plan(30), {"t": {"total": encode(3)}}, timeout=1)
    assert CheckServer.shared() is server and server.process.poll() is None   # the server lives on
    server.process.kill()                                                       # ... and if it dies,
    server.process.wait()
    assert run_checks(plan, {"t": {"total": encode(4)}})["t"].stdout.strip() == "seen None"  # a new one answers


def test_a_failed_hidden_check_does_not_quote_itself():
    source = notebook(("solution", "total = 5", {"solution": True, "grade": False, "grade_id": "s"}),
                      ("test", "assert total > 0\n### BEGIN HIDDEN TESTS\nassert total == 6, 'total is 6'\n"
                               "### END HIDDEN TESTS", {"grade": True, "grade_id": "t", "points": 1}))
    result = run_checks(plan_checks(source, set()), {"t": {"total": encode(5)}})["t"]
    assert not result.ok and result.evalue == "a hidden check failed"


def test_hidden_tests_are_hidden_in_feedback():
    cell = nbformat.v4.new_code_cell("assert x\n### BEGIN HIDDEN TESTS\nassert x == 3\nassert y\n### END HIDDEN TESTS\nprint(1)")
    HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "x == 3" not in cell.source and HIDDEN_NOTE in cell.source and cell.source.endswith("print(1)")


@pytest.mark.parametrize("code,flagged", [
    ("get_ipython().ast_transformers.append(T())", True),
    ("ip.input_transformers_post.append(f)", True),
    ("import sys; sys.settrace(f)", True),
    ("import builtins; builtins.len = f", True),
    ("import ctypes", True),
    ("import gc; gc.get_objects()", True),
    ("frame = sys._getframe(1); frame.f_back", True),
    ("import course.grading.intake.plain_data as p", True),
    ("calls_per_location = calls['location'].value_counts()", False),
    ("ax = counts.plot(kind='bar'); ax.set_title('Calls')", False),
])
def test_code_that_reaches_into_the_interpreter_is_found(code, flagged):
    assert bool(tampering_in(code)) is flagged


def test_intake_removes_links_special_files_and_grader_owned_files(tmp_path):
    folder = tmp_path / "alice" / "02"
    folder.mkdir(parents=True)
    (folder / "02.ipynb").write_text("{}")
    (folder / "key.yaml").symlink_to("/etc/passwd")
    (folder / "02.grading.json").write_text("{}")
    os.mkfifo(folder / "pipe")
    (folder / "sub").mkdir()
    (folder / "sub" / "inner").symlink_to(tmp_path)
    problems = remove_unsafe_entries(folder, "alice/02")
    assert sorted(p.name for p in folder.rglob("*")) == ["02.ipynb", "sub"]
    assert len(problems) == 4 and all(p.startswith("alice/02: ") for p in problems)


def test_collect_finds_links_at_any_depth(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b").symlink_to("/etc")
    (tmp_path / "ok.ipynb").write_text("{}")
    assert unsafe_entries(tmp_path) == ["a/b"]


def test_a_copied_graded_cell_keeps_the_original(tmp_path, monkeypatch):
    from course.grading.intake import dedupe

    original = nbformat.v4.new_code_cell("lesson.saved('q1')")
    original.id = "q1-check"
    original.metadata["nbgrader"] = {"grade": True, "grade_id": "q1", "points": 1, "schema_version": 3}
    copy = nbformat.from_dict(json.loads(json.dumps(original)))
    copy.id = "copied"
    nb = nbformat.v4.new_notebook(cells=[copy, original])
    monkeypatch.setattr(dedupe, "read_source_notebook", lambda *a: nbformat.v4.new_notebook(cells=[original]))
    nb, _ = dedupe.DeduplicateGradedCells().preprocess(nb, {"nbgrader": {"assignment": "a", "notebook": "n"}})
    assert "nbgrader" not in nb.cells[0].metadata and nb.cells[1].metadata["nbgrader"]["grade_id"] == "q1"
    assert "appeared 2 times" in dedupe.grader_notes(nb)[0]


def test_feedback_pages_leave_out_widget_outputs():
    from course.grading.feedback.pages import DropWidgetOutputs

    cell = nbformat.v4.new_code_cell("lesson.single_choice(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
                        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "VBox(children=..."}),
                    nbformat.v4.new_output("stream", name="stdout", text="kept")]
    DropWidgetOutputs().preprocess_cell(cell, {}, 0)
    assert [o.output_type for o in cell.outputs] == ["stream"]


def test_feedback_pages_request_nothing_from_the_internet_and_name_their_items(tmp_path):
    from course.grading.feedback.pages import CleanFeedbackPages

    page = tmp_path / "alice" / "02" / "02.html"
    page.parent.mkdir(parents=True)
    page.write_text('<head><script type="text/x-mathjax-config">MathJax.Hub.Config({})</script>'
                    '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js"></script>'
                    '<script>keep()</script></head><a href="#al-g2">Test cell</a>')
    CleanFeedbackPages(str(tmp_path))("02", "alice", [])
    text = page.read_text()
    assert "mathjax" not in text.lower() and "<script>keep()</script>" in text
    assert '<a href="#al-g2">al-g2</a>' in text
