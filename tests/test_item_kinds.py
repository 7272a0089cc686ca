"""The item-kind registry (course/items/kinds.py) is the one place each kind is described."""
from __future__ import annotations

import pytest

from support import REPO
from course.grading.score.keys import KINDS as KEY_KINDS
from course.grading.score.keys import load_keys
from course.items import KINDS, ItemDefinitionError, lesson_definitions
from course.items.definitions import check_definition
from course.items.kinds import DEFINED, KEYED


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_named_function_of_a_kind_exists(name):
    kind = KINDS[name]
    for role in ("key_check", "value_check", "scorer", "simulator", "report"):
        function = kind.function(role)
        assert function is None or callable(function), (name, role)
    if kind.keyed:   # the grader scores it from keys/, and simulated classes answer it
        assert kind.function("key_check") and kind.function("scorer") and kind.function("simulator"), name
    assert kind.function("report") or name in ("package", "written"), name   # those two: item statistics only


def test_keys_and_lessons_use_only_registered_kinds():
    assert KEY_KINDS == KEYED and "code" not in DEFINED
    for key_file in sorted((REPO / "keys").glob("*.yaml")):
        for key in load_keys(key_file).values():
            assert key.kind in KEYED, (key_file.name, key.item_id)
    for folder in sorted((REPO / "source").iterdir()):
        for item_id, definition in lesson_definitions(folder).items():
            assert definition["kind"] in DEFINED, (folder.name, item_id)


def test_a_code_exercise_is_not_defined_as_an_item():
    with pytest.raises(ItemDefinitionError, match="kind must be one of single, multiple.*not 'code'"):
        check_definition("x", {"kind": "code", "prompt": "Q"}, "lessons/09.md:3")


def test_the_grader_dispatches_through_the_registry(monkeypatch):
    from dataclasses import replace

    from course.grading.score.item import ItemResult, score_item
    from course.grading.score.keys import ItemKey

    seen = []

    def fake_scorer(key, value):
        seen.append(value)
        return ItemResult(key.item_id, 0.25)

    monkeypatch.setitem(KINDS, "single", replace(KINDS["single"], scorer=f"{__name__}:FAKE"))
    monkeypatch.setitem(globals(), "FAKE", fake_scorer)
    result = score_item(ItemKey("q", "single", answer="a"), {"kind": "single", "value": "b"})
    assert result.fraction == 0.25 and seen == ["b"]


def test_every_registered_function_takes_its_roles_arguments():
    import inspect

    from course.items.kinds import ROLES

    for kind in KINDS.values():
        for role, protocol in ROLES.items():
            function = kind.function(role)
            if function is None:
                continue
            wanted = len(inspect.signature(protocol.__call__).parameters) - 1  # less self
            got = [p for p in inspect.signature(function).parameters.values()
                   if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            assert len(got) == wanted, f"{kind.name} {role} {function.__qualname__}: {len(got)} arguments, not {wanted}"


def test_callers_ask_a_kind_by_its_flags_not_its_name():
    from pathlib import Path

    grading = Path(__file__).resolve().parents[1] / "course" / "grading"
    items = grading.parent / "items"
    for path in [grading / "steps.py", *grading.glob("score/review.py"), *grading.glob("feedback/*.py"),
                 items / "answer_check.py"]:
        text = path.read_text()
        for name in KINDS:
            assert f'kind == "{name}"' not in text and f"kind == '{name}'" not in text, f"{path.name} tests kind {name}"
