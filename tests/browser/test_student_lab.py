"""A student's journey through the Active Listening lesson in JupyterLab, in a real Chromium.

One JupyterLab per module, started the way `course start` starts it, in a student's home
that holds both what `course start --no-lab` copied and what `nbgrader fetch_assignment`
fetched from a throwaway course copy's exchange.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from support.pipeline import COURSE_ID, nbgrader, read_grades, submit

from .support import register_server
from .support import (A, NOTEBOOK, STUDENT_ID, UI_TIMEOUT, JupyterServer, course_start, exercise, open_in_lab, read_answers,
                      restart_kernel, run_all, save_notebook, saved_cells, screenshot, status_of)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
STUDENT = "browser-student"

# What the student clicks in the journey: deliberately not all right, so the score tells.
CLICKS = {
    "al-g1": {"O1": "Open-ended question", "O2": "Summarising", "O3": "Mirroring", "O4": "Emotional labelling",
              "O5": "Minimal encourager", "O6": "Roadblock", "O7": "\"I\" message", "O8": "Paraphrasing"},
    "al-g2": "b",
    "al-g3": "a",
    "al-g4": "c",
    "al-g5": ["a", "c", "d"],
}


def label_keys() -> dict[str, str]:
    """Dropdown label shown -> label key, as the lesson defines them for al-g1."""
    return {"Open-ended question": "open_question", "Paraphrasing": "paraphrasing", "Mirroring": "mirroring",
            "Emotional labelling": "emotional_labeling", "Minimal encourager": "minimal_encourager",
            "Roadblock": "roadblock", "\"I\" message": "i_message", "Summarising": "summarizing",
            "Effective pause": "effective_pause"}


def expected_points(clicks: dict) -> float:
    """The score of `clicks` under keys/02-active-listening.yaml, by the course's stated rules."""
    key = yaml.safe_load((REPO / "keys" / f"{A}.yaml").read_text())["items"]
    names = label_keys()
    classify = key["al-g1"]["answer"]
    right_lines = sum(names[clicks["al-g1"][line]] == label for line, label in classify.items())
    total = 4 * right_lines / len(classify)
    for item in ("al-g2", "al-g3", "al-g4"):
        total += 2 * (clicks[item] == key[item]["answer"])
    chosen, correct = set(clicks["al-g5"]), set(key["al-g5"]["answer"])
    total += 3 * max(0.0, (len(chosen & correct) - len(chosen - correct)) / len(correct))
    return total


@pytest.fixture(scope="module")
def classroom(tmp_path_factory, request):
    """A course copy with the lesson released, a student home, and JupyterLab running in it."""
    from support import copy_course

    base = tmp_path_factory.mktemp("lab")
    course = copy_course(base / "course")
    exchange = course / "exchange"
    nbgrader(course, "generate_assignment", A, "--force")
    nbgrader(course, "release_assignment", A)

    home = base / "student"
    course_start(course, home / "negotiation-course")          # what `course start` gives a student
    nbgrader(home, "fetch_assignment", A, f"--course={COURSE_ID}", f"--Exchange.root={exchange}")

    server = JupyterServer.lab(home, base / "jupyter")
    register_server(request, server)
    server.start()
    yield {"course": course, "exchange": exchange, "home": home, "server": server,
           "saved_cells": saved_cells(home / A / NOTEBOOK)}
    server.stop()


@pytest.fixture
def lab(classroom):
    yield classroom
    classroom["server"].shutdown_kernels()


def pick_radio(box, key: str) -> None:
    box.get_by_role("radio", name=re.compile(rf"^\({key}\) ")).click()


def save(box, item_id: str) -> None:
    box.get_by_role("button", name="Save answer").click()
    status_of(box).get_by_text(re.compile(r"^Saved \(")).wait_for(timeout=UI_TIMEOUT)


def test_journey_clicks_are_scored_by_nbgrader(page, lab, tmp_path):
    home, server = lab["home"], lab["server"]
    open_in_lab(page, server, f"{A}/{NOTEBOOK}", "journey")
    run_all(page, lab["saved_cells"])

    # Practice: feedback appears at once, in words.
    p1 = exercise(page, "al-p1")
    pick_radio(p1, "b")
    p1.get_by_role("button", name="Check answer").click()
    status_of(p1).get_by_text("✔ Correct.").wait_for()
    p3 = exercise(page, "al-p3")
    pick_radio(p3, "b")
    p3.get_by_role("button", name="Check answer").click()
    status_of(p3).get_by_text("✘ Not quite.").wait_for()
    p3.scroll_into_view_if_needed()
    screenshot(p3, "practice-feedback", tmp_path)

    # Graded: classify with the dropdowns.
    g1 = exercise(page, "al-g1")
    for number, (line, label) in enumerate(CLICKS["al-g1"].items(), start=1):
        g1.get_by_role("combobox", name=f"Line {number}:").select_option(label=label)
    save(g1, "al-g1")
    page.set_viewport_size({"width": 1280, "height": 1700})  # the whole classify box in one picture
    g1.scroll_into_view_if_needed()
    screenshot(g1, "graded-classify", tmp_path)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Graded: single choice with radio buttons.
    for item in ("al-g2", "al-g3", "al-g4"):
        box = exercise(page, item)
        pick_radio(box, CLICKS[item])
        save(box, item)
    screenshot(exercise(page, "al-g2"), "graded-single", tmp_path)

    # Graded: select all that apply with check boxes.
    g5 = exercise(page, "al-g5")
    for key in CLICKS["al-g5"]:
        g5.get_by_role("checkbox", name=re.compile(rf"^\({key}\) ")).check()
    save(g5, "al-g5")
    screenshot(g5, "graded-multiple", tmp_path)
    assert "It will be graded after you submit" in status_of(g5).text_content()
    screenshot(status_of(g5), "graded-saved-state", tmp_path)

    save_notebook(page)

    recorded = read_answers(home / A)
    assert recorded["al-g2"]["value"] == "b" and recorded["al-g5"]["value"] == ["a", "c", "d"]
    assert recorded["al-p1"]["mode"] == "practice"

    # The working folder goes through nbgrader as this student's submission.
    course, exchange = lab["course"], lab["exchange"]
    submit(home, A, STUDENT, exchange)
    nbgrader(course, "collect", A)
    nbgrader(course, "autograde", A)
    row = read_grades(course)[(STUDENT, A)]
    assert float(row["raw_score"]) == pytest.approx(expected_points(CLICKS))


def test_saved_choices_show_again_after_kernel_restart(page, lab, tmp_path):
    home, server = lab["home"], lab["server"]
    folder = home / "negotiation-course" / A
    open_in_lab(page, server, f"negotiation-course/{A}/{NOTEBOOK}", "restart")
    run_all(page, lab["saved_cells"])
    g3 = exercise(page, "al-g3")
    pick_radio(g3, "c")
    save(g3, "al-g3")
    assert read_answers(folder)["al-g3"]["value"] == "c"

    restart_kernel(page)
    run_all(page, lab["saved_cells"])
    g3 = exercise(page, "al-g3")
    assert g3.get_by_role("radio", name=re.compile(r"^\(c\) ")).is_checked()
    assert g3.get_by_role("radio", name=re.compile(r"^\(a\) ")).is_checked() is False
    status_of(g3).get_by_text("Restored your saved answer").wait_for()
    screenshot(g3, "graded-restored-after-restart", tmp_path)


def focused(page) -> dict:
    """What has the keyboard focus: tag, type, accessible text, and which exercise it is in."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        const box = e && e.closest('.course-exercise');
        const title = box && box.querySelector('.course-exercise-header > strong');
        return {tag: e && e.tagName, type: e && e.type, text: e && (e.closest('label') || e).textContent,
                item: title ? title.textContent : null, checked: e && e.checked};
    }""")


def tab_until(page, want, limit: int = 15) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if want(state):
            return state
    raise AssertionError(f"Tab did not reach the wanted control in {limit} presses; focus is on {focused(page)}")


def shown(item_id: str) -> list[str]:
    """The option letters of `item_id` in the order the test's student sees them."""
    from course.exercises.order import display_order
    from course.items import load_definitions

    definitions = load_definitions(REPO / "release" / A / f"{A}.items.json")
    return display_order(definitions[item_id]["options"], item_id, STUDENT_ID)


def test_keyboard_only_answer_is_recorded(page, lab, tmp_path):
    """Answer al-g2 with Tab, Space and Enter only (see the next test for the arrow keys)."""
    folder = lab["home"] / "negotiation-course" / A
    order = shown("al-g2")
    open_in_lab(page, lab["server"], f"negotiation-course/{A}/{NOTEBOOK}", "keyboard")
    run_all(page, lab["saved_cells"])
    # Start where a keyboard user arrives after the previous exercise: its Save button.
    exercise(page, "al-g1").get_by_role("button", name="Save answer").focus()

    state = tab_until(page, lambda s: s["item"] == "Graded · al-g2" and s["type"] == "radio")
    assert state["text"].startswith(f"({order[0]})"), state      # Tab enters the options at the first shown
    state = tab_until(page, lambda s: s["type"] == "radio" and s["text"].startswith(f"({order[1]})"), limit=1)
    page.keyboard.press("Space")                           # Space selects the focused option
    assert focused(page)["checked"], focused(page)
    state = tab_until(page, lambda s: s["tag"] == "BUTTON", limit=4)  # past the last three
    assert state["item"] == "Graded · al-g2" and state["text"] == "Save answer", state
    page.keyboard.press("Enter")

    g2 = exercise(page, "al-g2")
    status_of(g2).get_by_text(re.compile(r"^Saved \(")).wait_for(timeout=UI_TIMEOUT)
    record = read_answers(folder)["al-g2"]
    # recorded by the author's letter, whatever position it was shown at
    assert record["value"] == order[1] and record["kind"] == "single" and record["mode"] == "graded"
    assert record["shown"] == order
    screenshot(g2, "graded-keyboard", tmp_path)


def test_arrow_keys_move_between_radio_options(page, lab):
    """In a radio group the arrow keys move between the options (and select them), not to
    another cell: course/exercises/page_script.py."""
    order = shown("al-g2")
    open_in_lab(page, lab["server"], f"negotiation-course/{A}/{NOTEBOOK}", "arrows")
    run_all(page, lab["saved_cells"])
    exercise(page, "al-g1").get_by_role("button", name="Save answer").focus()
    tab_until(page, lambda s: s["item"] == "Graded · al-g2" and s["type"] == "radio")
    page.keyboard.press("ArrowDown")
    state = focused(page)
    assert state["item"] == "Graded · al-g2" and state["text"].startswith(f"({order[1]})") and state["checked"], state
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    state = focused(page)
    assert state["item"] == "Graded · al-g2" and state["text"].startswith(f"({order[1]})") and state["checked"], state
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")                         # wraps round to the last option
    state = focused(page)
    assert state["item"] == "Graded · al-g2" and state["text"].startswith(f"({order[-1]})"), state
    active = page.locator(".jp-Notebook .jp-Cell.jp-mod-active")
    assert active.locator(".course-exercise-header", has_text="al-g2").count() == 1  # still the same cell


def test_saved_time_is_the_students_local_time(chromium, lab):
    """The kernel's clock is UTC here; a student in India sees the time of a save in IST."""
    from datetime import datetime, timedelta, timezone

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Kolkata",
                                   locale="en-GB")
    try:
        page = context.new_page()
        open_in_lab(page, lab["server"], f"negotiation-course/{A}/{NOTEBOOK}", "local-time")
        run_all(page, lab["saved_cells"])
        p1 = exercise(page, "al-p1")
        pick_radio(p1, "b")
        p1.get_by_role("button", name="Check answer").click()
        status_of(p1).get_by_text(re.compile(r"^Saved \(")).wait_for(timeout=UI_TIMEOUT)
        shown_time = status_of(p1).locator("time.course-time[data-local]")
        shown_time.wait_for(timeout=UI_TIMEOUT)
        utc = datetime.fromisoformat(shown_time.get_attribute("datetime"))
        india = (utc.astimezone(timezone(timedelta(hours=5, minutes=30)))).strftime("%H:%M")
        assert shown_time.text_content().startswith(india), shown_time.text_content()
        assert "UTC" not in shown_time.text_content()
    finally:
        context.close()


CONTROL = re.compile(r"^\s*- '?(radio|checkbox|combobox|button|textbox|listbox|slider|spinbutton)\b(.*)$")


def test_exercises_are_accessible(page, lab, tmp_path):
    """Named controls, state in words, and no serious or critical axe-core violation in our widgets."""
    from axe_playwright_python.sync_playwright import Axe

    open_in_lab(page, lab["server"], f"negotiation-course/{A}/{NOTEBOOK}", "a11y")
    run_all(page, lab["saved_cells"])
    # Put every kind of status on the page: right and wrong practice feedback, a graded save.
    p1, p3 = exercise(page, "al-p1"), exercise(page, "al-p3")
    pick_radio(p1, "b")
    p1.get_by_role("button", name="Check answer").click()
    pick_radio(p3, "a")
    p3.get_by_role("button", name="Check answer").click()
    p2 = exercise(page, "al-p2")
    for number, label in enumerate(["Expressive", "Expressive", "Expressive", "Instrumental", "Expressive"], start=1):
        p2.get_by_role("combobox", name=f"Line {number}:").select_option(label=label)
    p2.get_by_role("button", name="Check answer").click()
    status_of(p2).get_by_text("4 of 5 lines right").wait_for()
    g5 = exercise(page, "al-g5")
    g5.get_by_role("checkbox", name=re.compile(r"^\(e\) ")).check()
    g5.get_by_role("button", name="Save answer").click()
    status_of(g5).get_by_text(re.compile(r"^Saved \(")).wait_for()

    # State and feedback are text (✔/✘ and words), in a live region, not colour alone.
    status_of(p1).get_by_text("✔ Correct.").wait_for()
    status_of(p3).get_by_text("✘ Not quite.").wait_for()
    assert "✘ Line 2" in status_of(p2).text_content() and "4 of 5 lines right" in status_of(p2).text_content()
    assert "It will be graded after you submit" in status_of(g5).text_content()
    screenshot(p2, "practice-classify-feedback", tmp_path)

    # Every control inside an exercise has an accessible name.
    boxes = page.locator(".course-exercise")
    assert boxes.count() >= 8
    unnamed, controls = [], 0
    for index in range(boxes.count()):
        box = boxes.nth(index)
        dom_controls = box.locator("input:not([type=hidden]), select, button, textarea").count()
        seen = 0
        for line in box.aria_snapshot().splitlines():
            match = CONTROL.match(line)
            if match:
                seen += 1
                if not match.group(2).strip().startswith('"') or match.group(2).strip().startswith('""'):
                    unnamed.append(f"exercise {index}: {line.strip()}")
        assert seen == dom_controls, f"exercise {index}: {dom_controls} controls in the DOM, {seen} in the accessibility tree"
        controls += seen
    assert controls > 40 and not unnamed, f"controls without an accessible name: {unnamed}"

    # axe-core over our exercise boxes only (JupyterLab's own chrome is not ours to fix).
    results = Axe().run(page, context={"include": [[".course-exercise"]]},
                        options={"resultTypes": ["violations", "incomplete"]})
    violations = results.response["violations"]
    assert len(results.response["passes"]) > 10, "axe-core checked (almost) nothing inside .course-exercise"
    findings = "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes) e.g. {v['nodes'][0]['html'][:160]}"
        for v in violations) or "none"
    (tmp_path / "axe.txt").write_text(findings + "\n")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe-core: serious or critical violations inside .course-exercise:\n{findings}"
