"""Options are shown in an order drawn per student and item; position earns nothing.

course/exercises/order.py draws the order; the widgets show it and save the author's ids;
course/simulation/position.py answers by position and scores with the grader's scorers.
"""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from course import Lesson
from course.exercises.order import display_order, student_identity
from course.items import items_path, load_definitions
from course.simulation.position import STRATEGIES, lesson_items, plan_item, position_scores, score_student

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.name for p in (REPO / "release").iterdir() if (REPO / "keys" / f"{p.name}.yaml").is_file())


def released(lesson: str, folder: Path) -> Lesson:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(items_path(REPO / "release" / lesson, lesson), items_path(folder, lesson))
    if (REPO / "release" / lesson / "scenarios").is_dir():   # released with the lesson (no recorder)
        shutil.copytree(REPO / "release" / lesson / "scenarios", folder / "scenarios", dirs_exist_ok=True)
    return Lesson(lesson, str(folder))


def test_order_is_a_permutation_stable_per_student_and_different_between_students():
    ids = list("abcdef")
    alice = [display_order(ids, f"item-{n}", "alice") for n in range(20)]
    assert all(sorted(order) == ids for order in alice)
    assert alice == [display_order(ids, f"item-{n}", "alice") for n in range(20)]       # stable
    bob = [display_order(ids, f"item-{n}", "bob") for n in range(20)]
    assert sum(a != b for a, b in zip(alice, bob)) >= 15                                  # per student
    assert len({tuple(order) for order in alice}) >= 15                                  # per item
    firsts = [display_order(ids, "item", f"s{n}")[0] for n in range(600)]
    assert min(firsts.count(x) for x in ids) > 60                                        # every option leads


def test_identity_comes_from_the_course_then_the_hub_then_the_os_user():
    assert student_identity({"COURSE_STUDENT_ID": "c1", "JUPYTERHUB_USER": "hub1"}) == "c1"
    assert student_identity({"JUPYTERHUB_USER": "hub1"}) == "hub1"
    import getpass

    assert student_identity({}) == getpass.getuser()


@pytest.mark.parametrize("student", ["alice", "bob"])
def test_widgets_show_the_students_order_and_save_the_authors_letter(student, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STUDENT_ID", student)
    lesson = released("03-assessment-and-control", tmp_path / student)
    single = lesson.show("ac-g1")
    definitions = load_definitions(items_path(REPO / "release" / lesson.notebook_id, lesson.notebook_id))
    order = display_order(definitions["ac-g1"]["options"], "ac-g1", student)
    assert [value for _label, value in single.choice.options] == order
    assert [label[1] for label, _value in single.choice.options] == order               # "(c) ..." keeps its letter
    single.choice.value = single.choice.options[0][1]                                   # the first shown
    single.button.click()
    record = json.loads(lesson.store.path.read_text())["answers"]["ac-g1"]
    assert record["value"] == order[0] and record["shown"] == order

    multiple = lesson.show("ac-g3")
    assert list(multiple.boxes) == display_order(definitions["ac-g3"]["options"], "ac-g3", student)
    classify = lesson.show("ac-g2")
    menu = [value for _label, value in next(iter(classify.dropdowns.values())).options][1:]
    assert menu == display_order(definitions["ac-g2"]["labels"], "ac-g2", student)

    player = lesson.show("ac-g4")
    node = player.view.node_id
    shown = [value for _label, value in player.choice.options]
    assert shown == display_order([c for c, _text in player.view.choices], f"ac-g4:decision:{node}", student)


def test_two_students_see_a_scenario_in_different_orders(tmp_path, monkeypatch):
    orders = []
    for student in ("alice", "bob", "carol"):
        monkeypatch.setenv("COURSE_STUDENT_ID", student)
        player = released("05-mediation", tmp_path / student).show("md-g4")
        orders.append([value for _label, value in player.choice.options])
    assert len({tuple(o) for o in orders}) > 1 and all(sorted(o) == sorted(orders[0]) for o in orders)


def test_a_package_shows_options_and_reasons_in_the_students_order(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_STUDENT_ID", "dana")
    package = released("04-problem-solving", tmp_path).show("ps-g3")
    assert list(package.boxes) == display_order(package.options, "ps-g3:options", "dana")
    menu = [value for _label, value in next(iter(package.reason_menus.values())).options][1:]
    assert menu == display_order(package.reasons, "ps-g3:reasons", "dana")
    package.click({"options": list(package.boxes)[:2], "reasons": {}})
    saved = json.loads(package.store.path.read_text())["answers"]["ps-g3"]["value"]
    assert saved["options"] == [o for o in package.options if o in list(package.boxes)[:2]]  # author's order


def test_graded_single_choice_keys_are_spread_over_the_letters():
    from course.grading.score.keys import load_keys

    keys = [k for lesson in LESSONS for k in load_keys(REPO / "keys" / f"{lesson}.yaml").values()]
    singles = [k.answer for k in keys if k.kind == "single"]
    assert max(singles.count(x) for x in set(singles)) <= len(singles) // 3 + 1, singles
    multiples = [set(k.answer) for k in keys if k.kind == "multiple"]
    assert sum("a" in m for m in multiples) < len(multiples), "(a) is right in every multiple-choice key"


def test_keyboard_examples_name_practice_items():
    import re

    for lesson in sorted((REPO / "lessons").glob("*.md")):
        for item_id in re.findall(r'lesson\.answer\("([\w-]+)"', lesson.read_text()):
            definition = load_definitions(items_path(REPO / "source" / lesson.stem, lesson.stem)).get(item_id)
            assert definition is not None and not definition["graded"], f"{lesson.name}: example names {item_id}"


POSITION_STUDENTS = 150
# Known and not this code's to fix: lesson 04's package and ps-g4 put their best answers in the
# longest texts. The scenarios are no longer here: their recommended choice is the longest text at
# 30 of 88 decisions, and the always-longest path in each ends badly.
LONGEST_KNOWN: set[tuple[str, str]] = set()   # none left: every lesson is at or below guessing


@pytest.fixture(scope="module")
def positions():
    return position_scores(REPO, LESSONS, students=POSITION_STUDENTS)


def test_always_first_and_always_b_earn_no_more_than_guessing(positions):
    above = [(r.lesson, part, s) for r in positions for part in ("options", "scenarios") for s in ("first", "b")
             if r.points[part] and r.above_guessing(part, s)]
    assert above == []


def test_always_longest_earns_no_more_than_guessing_where_the_course_can_say(positions):
    above = {(r.lesson, part) for r in positions for part in ("options", "scenarios")
             if r.points[part] and r.above_guessing(part, "longest")}
    assert above <= LONGEST_KNOWN, sorted(above - LONGEST_KNOWN)


def test_position_students_answer_with_values_the_widgets_save(tmp_path, monkeypatch):
    lesson_id = "08-capstone"
    definitions, keys, _points = lesson_items(REPO, lesson_id)
    for strategy in STRATEGIES:
        monkeypatch.setenv("COURSE_STUDENT_ID", f"pos-{strategy}")
        lesson = released(lesson_id, tmp_path / strategy)
        for item_id in keys:
            value = plan_item(definitions[item_id], keys[item_id], strategy, f"pos-{strategy}", random.Random(0))
            lesson.show(item_id).click(value)
        saved = json.loads(lesson.store.path.read_text())["answers"]
        assert set(saved) == set(keys)
        if strategy == "first":
            for item_id, record in saved.items():
                if record["kind"] == "single":
                    assert record["value"] == record["shown"][0]


@pytest.mark.e2e
def test_always_first_students_score_at_chance_through_nbgrader(the_class, tmp_path):
    """Students who always click the first option shown answer lesson 03 in real kernels, submit,
    and are graded by nbgrader with the course's preprocessors. Each one's grade is what the
    position simulator computes for that id, and far below what the first option earned when
    options were shown in the author's order (the recommended scenario choice first)."""
    from support.pipeline import nbgrader, read_grades

    from course.cli.collect import collect
    from course.cli.coursedir import nbgrader_api
    from course.simulation import position
    from course.simulation.classroom import submit_class

    lesson = "03-assessment-and-control"
    course = the_class.clone(tmp_path / "course", [lesson], students=[])
    items = lesson_items(REPO, lesson)
    definitions, keys, points = items
    students = [f"first-{n}" for n in range(1, 4)]
    plans = {s: {lesson: {i: plan_item(definitions[i], keys[i], "first", s, random.Random(0)) for i in keys}}
             for s in students}
    api = nbgrader_api(course)
    submit_class(plans, tmp_path / "homes", Path(api.exchange_root), api.course_id, workers=2,
                 kernel_log=tmp_path / "kernels.log")
    assert collect(course, lesson) == len(students)
    for student in students:   # what each kernel showed first is what the simulator computed
        saved = json.loads((course / "submitted" / student / lesson / f"{lesson}.answers.json").read_text())
        assert saved["answers"]["ac-g1"]["shown"][0] == saved["answers"]["ac-g1"]["value"]
    nbgrader(course, "autograde", lesson)
    grades = read_grades(course)
    graded = {s: float(grades[(s, lesson)]["raw_score"]) for s in students}
    expected = {s: sum(score_student(items, "first", s, random.Random(0)).values()) for s in students}
    assert graded == pytest.approx(expected)

    author_order = position.order_for
    try:   # what always-first earned before: options in the author's order
        position.order_for = lambda ids, student, item, part="": list(ids)
        before = sum(score_student(items, "first", "anyone", random.Random(0)).values())
    finally:
        position.order_for = author_order
    chance = next(r for r in position_scores(REPO, [lesson], students=POSITION_STUDENTS))
    assert before >= 10 and max(graded.values()) < before / 2, (before, graded)
    assert sum(graded.values()) / len(graded) <= sum(chance.mean[p]["guess"] for p in chance.points) + 2, graded


def shown_in_a_kernel(folder: Path, lesson: str, student: str | None, jupyterhub_user: str | None = None) -> dict:
    """Run the released lesson in a fresh kernel (a restart is a new kernel) with the given
    identity, and read the order each exercise shows its options in."""
    import os

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(folder / f"{lesson}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\n"
        "print(json.dumps({i: [v for _l, v in e.choice.options] if hasattr(e, 'choice') else list(getattr(e, 'boxes', {}))\n"
        "                  for i, e in lesson.exercises.items()}))"))
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_STUDENT_ID", "JUPYTERHUB_USER")}
    env.update({k: v for k, v in (("COURSE_STUDENT_ID", student), ("JUPYTERHUB_USER", jupyterhub_user)) if v})
    client = NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    with client.setup_kernel(env=env):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    return json.loads(nb.cells[-1].outputs[0]["text"])


@pytest.mark.e2e
def test_a_student_sees_the_same_order_after_a_kernel_restart_and_another_student_another(tmp_path):
    lesson = "02-active-listening"
    folder = tmp_path / lesson
    shutil.copytree(REPO / "release" / lesson, folder)
    first = shown_in_a_kernel(folder, lesson, None, jupyterhub_user="amira")   # on a hub
    again = shown_in_a_kernel(folder, lesson, None, jupyterhub_user="amira")   # after a restart
    other = shown_in_a_kernel(folder, lesson, None, jupyterhub_user="jonas")
    assert first == again
    assert first["al-g3"] == display_order(list("abcd"), "al-g3", "amira")
    assert sum(first[i] != other[i] for i in first if len(first[i]) > 2) >= 3
    assert not list(folder.glob("*.answers.json"))   # showing options writes nothing
