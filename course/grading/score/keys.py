"""Answer keys: instructor-only YAML files in the course's keys/ folder.

`keys/<assignment>.yaml` maps each graded item id to its kind, its answer and an
explanation per option (or per line). Keys are never inside the installed package
and never copied into release/, so a student cannot read them.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from ...errors import CourseError
from ...items.kinds import KEYED as KINDS  # one list of item kinds: course/items/kinds.py
from ...items.kinds import KINDS as KINDS_REGISTRY
from ...items.types import ItemKey
from ..file_versions import per_file_version
from ...items.package_rules import key_problem


class KeyError_(CourseError, ValueError):
    """A key file is wrong; the message names the file and the item."""


def key_path(keys_dir: str | Path, assignment: str) -> Path:
    return Path(keys_dir) / f"{assignment}.yaml"


def load_keys(path: str | Path, scenarios_dir: str | Path | None = None) -> dict[str, ItemKey]:
    """The answer keys in `path`, by item id. Parsed once per version of the file: a grading
    worker scores many submissions of the same lesson. `scenarios_dir` is the course's folder
    of graded scenarios (CourseDir.scenarios_dir), which a scenario item's scorer reads."""
    path = Path(path)
    try:
        parsed = _parse_keys(path)
    except FileNotFoundError:
        raise KeyError_(f"{path}: no answer key file") from None
    keys = {item_id: copy.deepcopy(key) for item_id, key in parsed.items()}  # callers may not change the cache
    if scenarios_dir is not None:
        for key in keys.values():
            key.extra["scenarios_dir"] = str(scenarios_dir)
    return keys


@per_file_version(maxsize=32)
def _parse_keys(name: str) -> dict[str, ItemKey]:
    path = Path(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyError_(f"{path}: no answer key file") from None
    except yaml.YAMLError as exc:
        raise KeyError_(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise KeyError_(f"{path}: expected a mapping with an 'items' mapping")
    lines = _item_lines(path)
    keys = {}
    for item_id, spec in data["items"].items():
        where = f"{path}:{lines[str(item_id)]}: item {item_id!r}" if str(item_id) in lines else f"{path}: item {item_id!r}"
        if not isinstance(spec, dict):
            raise KeyError_(f"{where}: expected a mapping")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise KeyError_(f"{where}: kind must be one of {KINDS}, not {kind!r}")
        problem = KINDS_REGISTRY[kind].function("key_check")(spec)
        if problem:
            raise KeyError_(f"{where}: {problem}")
        known = {"kind", "answer", "why", "section"}
        keys[str(item_id)] = ItemKey(
            item_id=str(item_id), kind=kind, answer=spec.get("answer"),
            why={str(k): str(v) for k, v in (spec.get("why") or {}).items()},
            section=str(spec.get("section", "")),
            extra={**{k: v for k, v in spec.items() if k not in known}, "keys_dir": str(path.parent)},
        )
    return keys


# What each kind's key must hold (the registry names these as the kinds' `key_check`): the
# problem in one phrase, or "" when the entry is sound.

def check_choice_key(spec: dict) -> str:
    if "answer" not in spec:
        return "missing 'answer'"
    if spec["kind"] == "multiple" and not isinstance(spec["answer"], list):
        return "a multiple-choice answer is a list of options"
    if spec["kind"] == "classify" and not isinstance(spec["answer"], dict):
        return "a classify answer maps each line to its label"
    return ""


def check_scenario_key(spec: dict) -> str:
    return "" if isinstance(spec.get("scenario"), str) else "a scenario item names its scenario (a shipped id or a .yaml path)"


def check_written_key(spec: dict) -> str:
    return "" if isinstance(spec.get("statement"), str) else "a written item gives the statement the student replies to"


def check_package_key(spec: dict) -> str:
    return key_problem(spec.get("answer")) or ""


def _item_lines(path: Path) -> dict[str, int]:
    """The line of each item id under `items:`, so an error points at the entry to fix."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if key.value == "items" and isinstance(value, yaml.MappingNode):
            return {item.value: item.start_mark.line + 1 for item, _ in value.value}
    return {}
