"""The simulated class (course.cli.classsim): every item of every released lesson is answered
with values the widgets accept, skill 1.0 earns full marks from the real scorers, lower skill
earns less, and one real kernel per lesson answers through the widgets' own path."""
from __future__ import annotations

import json
import random
import shutil
import statistics
from pathlib import Path

import nbformat
import pytest
import yaml

from course import Lesson
from course.grading.score.item import score_item
from course.grading.score.keys import load_keys
from course.items import items_path, load_definitions
from course.listening import score_reply
from course.scenarios import replay
from course.simulation.answers import _package_definitions, _scenario, plan_answers, plan_reply, plan_scenario
from course.simulation.banks import GENERIC_REPLIES, SimulationDataError, course_banks
from course.simulation.classroom import LessonPlan, instructor_solution, make_class, plan_code, unsimulated_reason

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.name for p in (REPO / "release").iterdir() if (REPO / "keys" / f"{p.name}.yaml").is_file())
KEYS = {lesson: load_keys(REPO / "keys" / f"{lesson}.yaml") for lesson in LESSONS}
CODE_LESSON = "06-community-policing"


def widgets_of(lesson: str, folder: Path) -> Lesson:
    """The lesson's exercises, built in this process from the released item definitions (as
    the notebook's `lesson.show(...)` cells build them), saving under `folder`."""
    released = items_path(REPO / "release" / lesson, lesson)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(released, items_path(folder, lesson))
    if (REPO / "release" / lesson / "scenarios").is_dir():     # released with the lesson (no recorder)
        shutil.copytree(REPO / "release" / lesson / "scenarios", folder / "scenarios", dirs_exist_ok=True)
    handle = Lesson(lesson, str(folder))
    for item_id in load_definitions(released):
        handle.show(item_id)
    return handle


def click_all(handle: Lesson, answers: dict) -> dict[str, dict]:
    """Click every answer as the kernel-side simulator does; the records saved in the answers file."""
    for item_id, value in answers.items():
        handle.exercises[item_id].click(json.loads(json.dumps(value)))
    return json.loads(handle.store.path.read_text())["answers"]


def fractions(lesson: str, records: dict[str, dict]) -> dict[str, float]:
    return {item: score_item(key, records.get(item)).fraction for item, key in KEYS[lesson].items()}


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_item_is_answered_with_a_value_the_widget_saves(lesson, tmp_path):
    for number, skill in enumerate((0.0, 0.5, 1.0)):
        answers, notes = plan_answers(KEYS[lesson], skill, random.Random(number),
                                      release_dir=REPO / "release" / lesson)
        assert notes == [] and set(answers) == set(KEYS[lesson])
        records = click_all(widgets_of(lesson, tmp_path / str(number)), answers)
        assert set(records) == set(answers), "a widget refused a simulated value (it shows a message, saves nothing)"


@pytest.mark.parametrize("lesson", LESSONS)
def test_skill_one_earns_full_marks_and_skill_zero_less(lesson, tmp_path):
    best, _ = plan_answers(KEYS[lesson], 1.0, random.Random(1), release_dir=REPO / "release" / lesson)
    assert fractions(lesson, click_all(widgets_of(lesson, tmp_path / "best"), best)) == {i: 1.0 for i in KEYS[lesson]}
    worst, _ = plan_answers(KEYS[lesson], 0.0, random.Random(1), release_dir=REPO / "release" / lesson)
    scores = fractions(lesson, click_all(widgets_of(lesson, tmp_path / "worst"), worst))
    assert all(score < 1.0 for score in scores.values()), scores


def scenario_items():
    return [(lesson, item, key.extra["scenario"]) for lesson, keys in KEYS.items()
            for item, key in keys.items() if key.kind == "scenario"]


@pytest.mark.parametrize("lesson, item, ref", scenario_items())
def test_scenario_attempts_are_legal_paths_to_an_ending_and_students_end_differently(lesson, item, ref):
    scenario = _scenario(ref)
    rng = random.Random(5)
    endings = set()
    for skill in [0.0, 0.35, 0.6, 0.8, 0.95, 1.0] * 5:
        attempts = plan_scenario(scenario, skill, rng)
        assert 1 <= len(attempts) <= 2
        for attempt in attempts:
            played = replay(scenario, attempt)
            assert played.error is None and played.complete, (attempt, played.error)
        endings.add(replay(scenario, attempts[0]).run.ending.id)
    assert len(endings) >= 3, endings
    best = plan_scenario(scenario, 1.0, rng)
    assert best == [replay(scenario, best[0]).run.choice_ids] and len(best) == 1
    # every recommended choice taken
    assert all(step.choice.id == step.from_node.best for step in replay(scenario, best[0]).run.steps)


def test_package_values_use_the_notebooks_options_and_reasons():
    lesson, item = "04-problem-solving", "ps-g3"
    ids = _package_definitions(str(REPO / "release" / lesson))[item]
    key = KEYS[lesson][item]
    seen = set()
    rng = random.Random(2)
    for skill in [0.0, 0.3, 0.6, 0.9] * 10:
        value, _ = plan_answers({item: key}, skill, rng, release_dir=REPO / "release" / lesson)
        package = value[item]
        assert package["options"] and set(package["options"]) <= set(ids["options"])
        assert set(package["reasons"]) <= set(package["options"]) and set(package["reasons"].values()) <= set(ids["reasons"])
        seen.update(package["options"])
    assert seen == set(ids["options"]), "over a class every option is ticked by someone"
    # without the notebook the ids come from the key alone, and are still real ones
    value, _ = plan_answers({item: key}, 0.2, random.Random(3))
    assert set(value[item]["options"]) <= set(ids["options"])


BANKS = course_banks(str(REPO))
WRONG_CODE = BANKS.wrong_code


@pytest.mark.parametrize("item_id", sorted(BANKS.replies))
def test_written_reply_bank_scores_as_labelled(item_id):
    keys = [k for keys in KEYS.values() for k in keys.values() if k.kind == "written" and k.item_id == item_id]
    assert keys, f"lessons/*.simulate.yaml has replies for {item_id!r}, which is no written item"
    statement = keys[0].extra["statement"]
    expected = set(keys[0].extra.get("expected_skills") or []) or None
    scores = {tier: [score_reply(statement, reply, expected) for reply in replies]
              for tier, replies in BANKS.replies[item_id].items()}
    assert scores["good"] == [1.0] * len(scores["good"])
    assert all(0 < s < 1 for s in scores["middling"]), scores["middling"]
    assert scores["poor"] == [0.0] * len(scores["poor"])


def test_better_students_write_better_replies():
    keys = [k for keys in KEYS.values() for k in keys.values() if k.kind == "written"]
    assert len(keys) >= 2
    for key in keys:
        rng = random.Random(4)

        def mean_score(skill):
            return statistics.mean(
                score_item(key, {"kind": "written", "value": plan_reply(BANKS.replies_for(key.item_id), skill, rng)}).fraction
                for _ in range(40))

        weak, middling, strong = mean_score(0.2), mean_score(0.55), mean_score(0.9)
        assert weak < middling < strong, (key.item_id, weak, middling, strong)
    assert plan_reply(BANKS.replies_for("no-such-item"), 1.0, random.Random(0)) in GENERIC_REPLIES["good"]


def test_a_new_lessons_banks_are_data_and_a_bad_file_is_named(tmp_path):
    (tmp_path / "lessons").mkdir()
    bank = {"good": ["You sound worried. What happened?"], "middling": ["What happened?"], "poor": ["Calm down."]}
    (tmp_path / "lessons" / "09-new.simulate.yaml").write_text(yaml.safe_dump({
        "replies": {"nw-g1": bank}, "wrong_code": {"nw-code": [{"why": "off by one", "code": "x = 2\n"}]}}))
    banks = course_banks(str(tmp_path))
    assert banks.replies_for("nw-g1") == bank and banks.wrong_code == {"nw-code": ["x = 2\n"]}
    (tmp_path / "lessons" / "10-bad.simulate.yaml").write_text("replies:\n  nw-g2: {good: []}\n")
    with pytest.raises(SimulationDataError, match=r"10-bad.simulate.yaml: replies of 'nw-g2' need"):
        course_banks.__wrapped__(str(tmp_path))


def test_code_plan_types_the_instructors_solution_or_a_mistake():
    release = REPO / "release" / CODE_LESSON
    source = nbformat.read(REPO / "source" / CODE_LESSON / f"{CODE_LESSON}.ipynb", as_version=4)
    solutions = {c.id: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")
                 and c.cell_type == "code"}
    released = nbformat.read(release / f"{CODE_LESSON}.ipynb", as_version=4)
    cell_ids = {c.id for c in released.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    assert cell_ids and cell_ids == set(solutions) and cell_ids <= set(WRONG_CODE)

    best = plan_code(release, 1.0, random.Random(0))[f"{CODE_LESSON}.ipynb"]
    assert set(best) == cell_ids
    for cell_id, typed in best.items():
        assert "SOLUTION" not in typed
        prefix, lines = instructor_solution(solutions[cell_id])
        assert typed == prefix + "".join(line + "\n" for line in lines)
    rng = random.Random(1)
    kinds = set()
    for _ in range(20):
        worst = plan_code(release, 0.0, rng)[f"{CODE_LESSON}.ipynb"]
        for cell_id in cell_ids:
            typed = worst.get(cell_id)
            assert typed != best[cell_id]
            kinds.add("stub" if typed is None else "wrong" if any(typed.endswith(w) for w in WRONG_CODE[cell_id])
                      else "unfinished")
            if typed is not None:
                compile(typed, cell_id, "exec")
    assert kinds == {"stub", "wrong", "unfinished"}
    assert plan_code(REPO / "release" / "01-foundations", 1.0, random.Random(0)) == {}


def test_unsimulated_reason_needs_the_instructors_solutions(tmp_path):
    assert [unsimulated_reason(REPO / "release" / lesson) for lesson in LESSONS] == [None] * len(LESSONS)
    copy = tmp_path / "release" / CODE_LESSON
    shutil.copytree(REPO / "release" / CODE_LESSON, copy)
    reason = unsimulated_reason(copy)  # no source/ beside this release/
    assert reason and "cp-scan-code" in reason and "no instructor solution" in reason


def test_make_class_is_deterministic_and_varied():
    lessons = ["04-problem-solving", CODE_LESSON, "08-capstone"]
    plans, notes = make_class(REPO / "keys", lessons, 4, seed=9)
    again, _ = make_class(REPO / "keys", lessons, 4, seed=9)
    other, _ = make_class(REPO / "keys", lessons, 4, seed=10)
    assert notes == [] and plans == again and plans != other
    assert all(isinstance(p, LessonPlan) for lessons_ in plans.values() for p in lessons_.values())
    assert all(set(plans[s][lesson].answers) == set(KEYS[lesson]) for s in plans for lesson in lessons)
    assert all(plans[s][CODE_LESSON].code.keys() == {f"{CODE_LESSON}.ipynb"} for s in plans)
    replies = {plans[s]["08-capstone"].answers["cap-w1"] for s in plans}
    assert len(replies) > 1


@pytest.mark.e2e
def test_simulated_students_answer_in_a_real_kernel(tmp_path):
    """Three students (strong, middling, weak) on the code lesson and one each on the package
    and scenario lessons, through answer_notebook: every item saved, code typed and checked."""
    from course.simulation.kernel import answer_notebook

    rng = random.Random(11)
    runs = [(CODE_LESSON, 1.0), (CODE_LESSON, 0.5), (CODE_LESSON, 0.0), ("04-problem-solving", 0.5),
            ("03-assessment-and-control", 0.5)]
    for number, (lesson, skill) in enumerate(runs):
        folder = tmp_path / f"{lesson}-{number}"
        shutil.copytree(REPO / "release" / lesson, folder)
        answers, _ = plan_answers(KEYS[lesson], skill, rng, release_dir=REPO / "release" / lesson)
        code = plan_code(REPO / "release" / lesson, skill, rng).get(f"{lesson}.ipynb", {})
        nb = answer_notebook(folder / f"{lesson}.ipynb", answers, code=code, allow_errors=bool(code) or lesson == CODE_LESSON)
        saved = json.loads((folder / f"{lesson}.answers.json").read_text())["answers"]
        assert set(saved) == set(KEYS[lesson])
        if lesson == CODE_LESSON:
            # A check cell in the student's notebook says "Not yet: ..." rather than raising (Run All goes on).
            checks = {c.metadata["nbgrader"]["grade_id"]: any(o.output_type == "error" or "Not yet" in o.get("text", "")
                                                              for o in c.outputs)
                      for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("points")
                      and not c.source.startswith("lesson.saved")}
            if skill == 1.0:
                assert checks and not any(checks.values()), checks  # every check passes
            if skill == 0.0:
                assert sum(checks.values()) >= len(checks) / 2, checks  # most checks fail
    # Run All is safe: the released lesson runs to its end with nothing written, strict as it is.
    answer_notebook(tmp_path / f"{CODE_LESSON}-2" / f"{CODE_LESSON}.ipynb", {})


@pytest.mark.e2e
def test_the_demos_class_submits_through_the_exchange(the_class, tmp_path):
    """submit_class (the demo's students): each planned student fetches, answers in a real kernel
    and submits with nbgrader; the collected answers are the planned ones, and the two students'
    scores differ."""
    from course.cli.collect import collect
    from course.cli.coursedir import nbgrader_api
    from course.simulation.classroom import submit_class

    lesson = "01-foundations"
    course = the_class.clone(tmp_path / "course", [lesson], students=[])
    plans, notes = make_class(REPO / "keys", [lesson], 2, seed=3, skills=(0.0, 1.0))
    assert notes == []
    done = []
    api = nbgrader_api(course)
    submit_class(plans, tmp_path / "homes", Path(api.exchange_root), api.course_id, workers=2,
                 on_done=lambda r: done.append(r["student"]), kernel_log=tmp_path / "kernels.log")
    assert sorted(done) == sorted(plans)
    assert collect(course, lesson) == len(plans)
    totals = []
    for student in plans:
        saved = json.loads((course / "submitted" / student / lesson / f"{lesson}.answers.json").read_text())
        assert set(saved["answers"]) == set(plans[student][lesson].answers)  # every planned answer arrived
        totals.append(sum(fractions(lesson, saved["answers"]).values()))
    assert len(KEYS[lesson]) >= max(totals) > min(totals)  # skills drawn from 0 to 1: the two differ
