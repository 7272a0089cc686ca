"""The class report (course.report) on a hand-made autograded/ tree with known answers,
and (e2e) on the real pipeline's output."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from course.grading.feedback.grading_file import write_grading_file
from course.grading.score.item import score_item
from course.grading.score.keys import load_keys
from course.report import analyse, build_report, collect
from course.scenarios import iter_paths, load_shipped, replay

REPO = Path(__file__).resolve().parents[1]
A = "02-active-listening"
SCENARIO = "mental-health-crisis"

PERFECT = {"O1": "open_question", "O2": "paraphrasing", "O3": "mirroring", "O4": "emotional_labeling",
           "O5": "minimal_encourager", "O6": "roadblock", "O7": "i_message", "O8": "summarizing"}
SWAPPED = {**PERFECT, "O2": "summarizing", "O8": "paraphrasing"}            # 6 of 8 right
SWAPPED_O6 = {**SWAPPED, "O6": "i_message"}                               # 5 of 8 right


def real_path(first: str, ending: str) -> list[str]:
    """The shortest loop-free play-through of the shipped scenario starting with `first`, ending at `ending`."""
    found = [p for p, e in iter_paths(load_shipped(SCENARIO), simple=True) if p[0] == first and e == ending]
    assert found, (first, ending)
    return min(found, key=len)


P1 = real_path("ask_sister", "voluntary_end")
P2 = real_path("call_more_units", "referral_end")
P3 = real_path("go_straight_up", "force_end")
P1_NODES = [node for node, _ in replay(load_shipped(SCENARIO), P1).run.path]


def attempts(*paths: list[str]) -> dict:
    scenario = load_shipped(SCENARIO)
    out = []
    for path in paths:
        out.append({"choices": path, "complete": replay(scenario, path).complete})
    return {"attempts": out}


# student -> item -> value (None = not answered); scenario fractions are given by hand below
ANSWERS = {
    "s1": {"al-g1": PERFECT, "al-g2": "b", "al-g3": "c", "al-g4": "c", "al-g5": ["a", "c", "e", "f"],
           "al-s1": attempts(P1)},
    "s2": {"al-g1": PERFECT, "al-g2": "b", "al-g3": "c", "al-g4": "c", "al-g5": ["a", "c", "e", "f"],
           "al-s1": attempts(P1)},
    # first attempt unfinished, second complete: the first counts, finished or not (graded policy)
    "s3": {"al-g1": PERFECT, "al-g2": "b", "al-g3": "c", "al-g4": "c", "al-g5": ["a", "c", "e"],
           "al-s1": attempts(P3[:2], P2)},
    # two complete attempts: the first counts
    "s4": {"al-g1": PERFECT, "al-g2": "b", "al-g3": "c", "al-g4": "c", "al-g5": ["a", "c"],
           "al-s1": attempts(P2, P1)},
    "s5": {"al-g1": SWAPPED, "al-g2": "a", "al-g3": "c", "al-g4": "c", "al-g5": ["a", "b"],
           "al-s1": attempts(P3)},
    # nothing complete: the first attempt counts
    "s6": {"al-g1": SWAPPED, "al-g2": "c", "al-g3": "c", "al-g4": "c", "al-g5": ["a", "c", "e", "f", "b"],
           "al-s1": attempts(P1[:3], P3[:1])},
    "s7": {"al-g1": SWAPPED, "al-g2": "d", "al-g3": "a", "al-g4": "c", "al-g5": ["d"],
           "al-s1": {"attempts": []}},
    "s8": {"al-g1": SWAPPED_O6, "al-g2": None, "al-g3": "a", "al-g4": "d", "al-g5": None, "al-s1": None},
}
SCENARIO_FRACTION = {"s1": 1.0, "s2": 1.0, "s3": 0.8, "s4": 0.8, "s5": 0.2, "s6": 0.4, "s7": 0.0, "s8": 0.0}
POINTS = {"al-g1": 4, "al-g2": 2, "al-g3": 2, "al-g4": 2, "al-g5": 3, "al-s1": 5}
SCENARIO_SECTION = "5. A crisis call, start to finish"


def make_course(root: Path) -> Path:
    (root / "keys").mkdir(parents=True)
    key = yaml.safe_load((REPO / "keys" / f"{A}.yaml").read_text())
    key["items"]["al-s1"] = {"kind": "scenario", "scenario": SCENARIO, "section": SCENARIO_SECTION}
    # the report's arithmetic is tested on a fixed single-choice item, whatever the lesson's al-g2 now keys
    key["items"]["al-g2"] = {"kind": "single", "section": "4. Roadblocks to listening", "answer": "b",
                             "why": {option: f"Option {option}." for option in "abcd"}}
    (root / "keys" / f"{A}.yaml").write_text(yaml.safe_dump(key))
    shutil.copytree(REPO / "keys" / "scenarios", root / "keys" / "scenarios")
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    keys = load_keys(root / "keys" / f"{A}.yaml")
    for student, answers in ANSWERS.items():
        items = []
        for item, value in answers.items():
            record = None if value is None else {"kind": keys[item].kind, "value": value}
            if item == "al-s1":
                fraction = SCENARIO_FRACTION[student]
            else:
                fraction = score_item(keys[item], record).fraction
            items.append({"item": item, "kind": keys[item].kind, "fraction": fraction,
                          "points": round(fraction * POINTS[item], 4), "max_points": POINTS[item],
                          "answered": value is not None, "section": keys[item].section, "value": value})
        folder = root / "autograded" / student / A
        folder.mkdir(parents=True)
        write_grading_file(folder, A, assignment=A, student=student, items=items, problems=[])
    bad = root / "autograded" / "s9" / A
    bad.mkdir(parents=True)
    (bad / f"{A}.grading.json").write_text('{"assignment": "02-active-listening", "items": [ {not json')
    (root / "autograded" / "s10" / A).mkdir(parents=True)   # autograde left no grading file
    return root


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return make_course(tmp_path_factory.mktemp("report") / "course")


@pytest.fixture(scope="module")
def report(course):
    return analyse(collect(course), course)


@pytest.fixture(scope="module")
def built(course, tmp_path_factory) -> Path:
    return build_report(course, tmp_path_factory.mktemp("out") / "reports")


def test_collect_reads_valid_files_and_names_bad_ones(report):
    col = report.collection
    assert col.students[A] == sorted(ANSWERS)
    assert len(col.items) == 8 * 6
    assert set(col.items.columns) >= {"student", "assignment", "item", "kind", "value", "fraction", "points",
                                      "max_points", "section"}
    where = " ".join(p.where + " " + p.what for p in report.problems)
    assert f"autograded/s9/{A}/{A}.grading.json" in where and "not valid JSON" in where
    assert f"autograded/s10/{A}" in where and "no .grading.json" in where
    # this hand-made course has no gradebook: named, and the grading files are still reported
    assert "gradebook.db no gradebook here" in where and "code test items" in where


def test_difficulty_and_discrimination(report):
    stats = report.assignments[0].items.set_index("item")
    assert stats.difficulty.to_dict() == pytest.approx(
        {"al-g1": 0.8594, "al-g2": 0.5, "al-g3": 0.75, "al-g4": 0.875, "al-g5": 0.5, "al-s1": 0.525})
    assert stats.loc["al-s1", "section"] == SCENARIO_SECTION
    assert stats.loc["al-g2", "full_share"] == 0.5
    assert stats.loc["al-g2", "answered_share"] == 0.875
    # corrected item-total correlation, computed independently
    items = report.collection.items
    points = items.pivot(index="student", columns="item", values="points")
    frac = items.pivot(index="student", columns="item", values="fraction")
    for item in POINTS:
        rest = points.sum(axis=1) - points[item]
        expected = np.corrcoef(frac[item], rest)[0, 1]
        assert stats.loc[item, "discrimination"] == pytest.approx(expected, abs=1e-4)


def test_option_shares(report):
    opts = report.assignments[0].options
    g2 = opts[opts.item == "al-g2"].set_index("option")
    assert g2.share.to_dict() == {"a": 0.125, "b": 0.5, "c": 0.125, "d": 0.125, "(no answer)": 0.125}
    assert g2.correct.to_dict() == {"a": False, "b": True, "c": False, "d": False, "(no answer)": False}
    g3 = opts[opts.item == "al-g3"].set_index("option")
    assert g3.share.to_dict() == {"a": 0.25, "b": 0.0, "c": 0.75, "d": 0.0}
    g5 = opts[opts.item == "al-g5"].set_index("option")
    assert g5.share.to_dict() == {"a": 0.75, "b": 0.25, "c": 0.625, "d": 0.125, "e": 0.5, "f": 0.375,
                                  "(no answer)": 0.125}
    assert sorted(g5[g5.correct].index) == ["a", "c", "e", "f"]


def test_classify_share_right_per_line(report):
    lines = report.assignments[0].classify.set_index("line")
    assert lines.share_right.to_dict() == {"O1": 1.0, "O2": 0.5, "O3": 1.0, "O4": 1.0, "O5": 1.0,
                                           "O6": 0.875, "O7": 1.0, "O8": 0.5}
    assert lines.loc["O2", "common_wrong_label"] == "summarizing"
    assert lines.loc["O2", "common_wrong_count"] == 4


def test_scenario_path_shares_follow_the_grading_policy(report):
    (paths,) = report.assignments[0].scenarios
    choices = paths.choices.set_index(["node", "choice"])
    # counted attempts (the first): s1 s2 P1, s3 P3[:2], s4 P2, s5 P3, s6 P1[:3]; s7 s8 none
    arrival = choices.loc["arrival"]
    assert arrival["count"].to_dict() == {"ask_sister": 3, "go_straight_up": 2, "call_more_units": 1}
    assert arrival.share.to_dict() == pytest.approx({"ask_sister": 0.5, "go_straight_up": 0.3333,
                                                     "call_more_units": 0.1667})
    assert choices.loc[("plan", "plan_roles"), "count"] == 4
    assert choices.loc[("plan", "plan_roles"), "share"] == 1.0
    assert choices.loc[("plan", "go_in_fast"), "count"] == 0
    assert choices.loc[("arrival", "ask_sister"), "students_reaching"] == 6
    # P1 and P2 share their 2nd to 4th choices; s6's unfinished attempt stops after the 3rd
    assert [choices.loc[(node, choice), "count"] for node, choice in zip(P1_NODES[1:4], P1[1:4])] == [4, 4, 3]
    assert choices.loc["venting"]["count"].to_dict() == {"open_question_daughter": 3, "pause_encourage": 0,
                                                         "advise": 0}
    assert choices.loc["venting"].share.to_dict() == {"open_question_daughter": 1.0, "pause_encourage": 0.0,
                                                      "advise": 0.0}
    labels = paths.edge_labels()
    assert labels[("arrival", "ask_sister")] == "3/6=50%"
    assert ("plan", "go_in_fast") not in labels


def test_ending_distribution(report):
    (paths,) = report.assignments[0].scenarios
    ends = paths.endings.set_index("ending")
    assert ends["count"].to_dict() == {"voluntary_end": 2, "referral_end": 1, "unresolved_end": 0, "detained_end": 0,
                                       "force_end": 1, "injury_end": 0, "(not finished)": 2, "(no attempt)": 2}
    assert ends.share["voluntary_end"] == 0.25
    assert ends.outcome["force_end"] == "use_of_force"


def test_most_missed_order_names_sections(report):
    missed = report.assignments[0].missed
    assert list(missed.item) == ["al-g2", "al-g5", "al-s1", "al-g3", "al-g1", "al-g4"]
    assert missed.section.iloc[0] == "4. Roadblocks to listening"
    assert missed.missed.iloc[2] == pytest.approx(0.475)
    assert list(report.missed.item) == list(missed.item)


def test_scores_and_course_totals(report):
    scores = report.scores.set_index("student")
    assert scores.loc["s1", "points"] == 18 and scores.loc["s1", "max_points"] == 18
    assert scores.loc["s8", "points"] == pytest.approx(0.625 * 4)
    assert set(report.totals.student) == set(ANSWERS)
    assert report.course_max == 18


def test_report_files(built):
    out = built.parent
    assert built.name == "index.html"
    index = built.read_text()
    page = (out / f"{A}.html").read_text()
    assert f"href='{A}.html'" in index
    assert "Problems" in index and f"autograded/s9/{A}/{A}.grading.json" in index
    assert "corrected item-total correlation" in index
    for name in ["course-total", f"{A}-scores", f"{A}-items", f"{A}-al-g2-options", f"{A}-al-g5-options",
                 f"{A}-al-g1-lines", f"{A}-al-s1-endings", f"{A}-al-s1-decisions"]:
        png = out / "images" / f"{name}.png"
        assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG", name
        assert f"images/{name}.png" in index + page
    assert f"images/{A}-al-s1-map.svg" in page
    for name in ["responses", "scores", "course_totals", "item_stats", "most_missed", "option_shares",
                 "classify_lines", "scenario_choices", "scenario_endings", "problems"]:
        assert (out / "csv" / f"{name}.csv").is_file(), name
    with open(out / "csv" / "problems.csv", newline="") as handle:
        assert any("s9" in row["where"] for row in csv.DictReader(handle))
    assert "Roadblocks to listening" in page and "correct" in page


def test_report_without_autograded_output_does_not_crash(tmp_path):
    index = build_report(tmp_path, tmp_path / "out")
    assert "no autograded/ folder" in index.read_text()


def test_cli_report_verb(course, tmp_path, capsys, monkeypatch):
    from course.cli import report as verb

    import argparse
    parser = argparse.ArgumentParser()
    verb.add_parser(parser.add_subparsers())
    monkeypatch.chdir(course)
    (course / "nbgrader_config.py").write_text("")
    (course / "source").mkdir(exist_ok=True)
    args = parser.parse_args(["report", A, "--out", str(tmp_path / "r")])
    assert args.func(args) == 0
    assert (tmp_path / "r" / "index.html").is_file()
    assert "index.html" in capsys.readouterr().out


@pytest.mark.e2e
def test_report_from_the_real_pipeline(the_class, tmp_path):
    from support.classes import roster
    from support.pipeline import nbgrader

    chosen = {name: roster(A)[name] for name in ("perfect", "partial")}
    course = the_class.clone(tmp_path / "course", [A], chosen)
    nbgrader(course, "collect", A)
    nbgrader(course, "autograde", A)
    index = build_report(course, course / "reports")
    report = analyse(collect(course), course)
    assert report.problems == []
    scores = report.scores.set_index("student").points
    for student, spec in chosen.items():
        assert scores[student] == pytest.approx(spec["expected"])
    assert not report.assignments[0].items.empty
    assert (course / "reports" / "images" / f"{A}-scores.png").is_file()
    assert "No problems" in index.read_text()


def test_odd_grading_files_become_problems_not_crashes(tmp_path):
    course = make_course(tmp_path / "course")
    odd = {
        "t1": {"items": {"not": "a list"}},
        "t2": ["a", "list"],
        "t3": {"items": [{"item": "al-g2", "kind": "single", "fraction": 2, "points": 4, "max_points": 2},
                         "junk",
                         {"item": "al-zz", "kind": "single", "fraction": 1, "points": 1, "max_points": 1,
                          "value": "q"},
                         {"item": "al-g5", "kind": "multiple", "fraction": 0, "points": 0, "max_points": 3,
                          "value": {"odd": 1}},
                         {"item": "al-g1", "kind": "classify", "fraction": 0, "points": 0, "max_points": 4,
                          "value": ["x"]},
                         {"item": "al-s1", "kind": "scenario", "fraction": 0, "points": 0, "max_points": 5,
                          "value": {"attempts": [{"choices": ["ask_sister", "no_such_choice"]}, 7]}}],
               "problems": ["02-active-listening.answers.json: not valid JSON"]},
    }
    for student, data in odd.items():
        folder = course / "autograded" / student / A
        folder.mkdir(parents=True)
        (folder / f"{A}.grading.json").write_text(json.dumps(data))
    (course / "autograded" / "t4" / A).mkdir(parents=True)
    (course / "autograded" / "t4" / A / f"{A}.grading.json").write_bytes(b"\xff\xfe\x00")
    index = build_report(course, tmp_path / "out")
    text = index.read_text()
    for student in ("t1", "t2", "t3", "t4", "s9", "s10"):
        assert f"autograded/{student}/{A}" in text, student
    assert "no_such_choice" in text and "al-zz" in text
    page = (tmp_path / "out" / f"{A}.html").read_text()
    assert "answers.json: not valid JSON" in page   # the grader's note about t3's answers file


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def reported(tmp_path):
    """A course with a full class report in reports/ (as `course report` writes it)."""
    from course.cli.report import report as course_report

    course = make_course(tmp_path / "course")
    index = course_report(course)
    assert index == course / "reports" / "index.html"
    return course, _snapshot(course / "reports")


def test_unknown_assignment_is_rejected_and_the_report_kept(reported):
    from course.cli.coursedir import CourseError
    from course.cli.report import report as course_report

    course, before = reported
    with pytest.raises(CourseError) as error:
        course_report(course, ["no-such-lesson"])
    assert "no-such-lesson" in str(error.value) and f"known: {A}" in str(error.value)
    assert _snapshot(course / "reports") == before       # index, csv/scores.csv and pages untouched
    assert sorted(p.name for p in course.iterdir()) == ["autograded", "keys", "reports", "scenarios"]   # no stray folder


def test_naming_a_lesson_writes_its_own_folder_and_keeps_the_course_index(reported):
    from course.cli.report import report as course_report

    course, before = reported
    index = course_report(course, [A])
    assert index == course / f"reports-{A}" / "index.html" and index.is_file()
    assert _snapshot(course / "reports") == before


def test_a_failed_build_leaves_the_previous_report_as_it_was(reported, monkeypatch):
    from course.cli.report import report as course_report
    from course.report import html

    course, before = reported

    def broken(*args, **kwargs):
        raise RuntimeError("disk full halfway")

    monkeypatch.setattr(html, "write_index", broken)
    with pytest.raises(RuntimeError):
        course_report(course)
    assert _snapshot(course / "reports") == before
    assert sorted(p.name for p in course.iterdir()) == ["autograded", "keys", "reports", "scenarios"]   # temp folder removed


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path):
    from course.cli.coursedir import CourseError
    from course.cli.report import report as course_report

    course = make_course(tmp_path / "course")
    with pytest.raises(CourseError) as error:
        course_report(course, out=course / "keys")
    assert str(course / "keys") in str(error.value)
    assert (course / "keys" / f"{A}.yaml").is_file()


def test_scenario_map_is_readable_on_the_page(built):
    """The map is an SVG shown at a width where its smallest text is at least 11 CSS pixels (in a
    scrollable box), its text is text (the browser finds a choice's id), and each choice's share
    is written after the choice's id."""
    import re

    page = (built.parent / f"{A}.html").read_text()
    shown = re.search(rf"<div class='map'[^>]*><img src='images/{A}-al-s1-map.svg'[^>]*width='(\d+)'>", page)
    assert shown, "the map is not in a scrollable box with a width"
    svg = (built.parent / "images" / f"{A}-al-s1-map.svg").read_text()
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) * int(shown.group(1)) / view_width >= 11
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    first = P1[0]
    assert any(text.startswith(f"{first} ") and "=" in text for text in texts), "no share after the choice id"


def test_a_map_label_moved_off_its_arrow_points_at_it():
    """On a crowded map some labels cannot sit on their arrow; each of those has a dotted leader
    from a dot on its arrow to the label."""
    from course.scenarios import draw_map

    scenario = load_shipped(SCENARIO)
    shares = {(node.id, choice.id): "12/30=40%" for node in scenario.decision_nodes for choice in node.choices}
    ax = draw_map(scenario, shares, edge_traffic={}).axes[0]
    labels = {tuple(np.round(t.get_position(), 6)) for t in ax.texts if t.get_gid() == "edge-label"}
    leaders = [line for line in ax.lines if line.get_gid() == "label-leader" and len(line.get_xdata()) == 2]
    assert leaders, "no label had to move on this map: choose a more crowded one"
    for line in leaders:
        end = (round(float(line.get_xdata()[1]), 6), round(float(line.get_ydata()[1]), 6))
        assert end in labels


def test_pages_say_how_many_hand_graded_points_are_left_out(tmp_path):
    """The report's maximum is the automatically graded points; the page names the points graded
    by hand (the reflection, from the source notebook's nbgrader metadata) and the gradebook's maximum."""
    course = make_course(tmp_path / "course")
    shutil.copytree(REPO / "source" / A, course / "source" / A)
    index = build_report(course, tmp_path / "out")
    text = index.read_text() + (index.parent / f"{A}.html").read_text()
    assert "The 4 points graded by hand (reflections) are not included" in text
    assert "gradebook's maximum (<code>course grades</code>, <code>course demo</code>) is 22" in text


def test_items_show_as_the_student_saw_them_in_lesson_order(tmp_path):
    """With the lesson's item definitions in source/, options and lines carry their text, labels
    their names, and items come in the order of the lesson, not of their ids."""
    root = make_course(tmp_path / "course")
    (root / "source" / A).mkdir(parents=True)
    shutil.copy(REPO / "source" / A / f"{A}.items.json", root / "source" / A)
    definitions = json.loads((root / "source" / A / f"{A}.items.json").read_text())["items"]
    report = analyse(collect(root), root).assignments[0]
    shown = [item for item in definitions if item in set(report.items["item"])]
    assert list(report.items["item"]) == shown + ["al-s1"]   # al-s1 is not in this lesson's definitions
    g3 = report.options[report.options.item == "al-g3"].set_index("option")
    assert g3.loc["c", "text"] == definitions["al-g3"]["options"]["c"]
    g2 = report.options[report.options.item == "al-g2"]
    assert list(g2.option) == ["a", "b", "c", "d", "e", "(no answer)"]   # the lesson's options, in its order
    lines = report.classify.set_index("line")
    assert lines.loc["O2", "line_text"] == definitions["al-g1"]["lines"]["O2"]
    assert lines.loc["O2", "correct_label"] == "Paraphrasing" and lines.loc["O2", "common_wrong_label"] == "Summarising"
