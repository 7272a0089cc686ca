"""The recorder's side of a graded scenario: played on the server, one node at a time.

The instructor publishes each released lesson's graded scenarios to a folder the recorder may
read and students may not (`course release` does it, see course/scenarios/placement.py):
`<published>/<lesson>/<item>.yaml`. The recorder plays a student's move against that file and
the student's own record, appends the new attempts value (the same value the answers file
holds, so the grader reads it as it reads any graded save) and answers with the `NodeView`
only. Nothing else of the scenario leaves the server.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from ..scenarios.loader import load_scenario
from ..scenarios.model import Scenario
from ..scenarios.play import ScenarioPlay, scenario_header
from .store import RecordStore

SAFE_ID = re.compile(  # a lesson, item or choice id as the recorder accepts it (never a path)
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")
ACTIONS = ("view", "choose", "restart")


class NotPlayedHere(LookupError):
    """This recorder plays no such item (not published, or not a graded scenario)."""


class PublishedScenarios:
    def __init__(self, folder: str | Path | None):
        self.folder = Path(folder) if folder else None

    def path(self, lesson: str, item: str) -> Path | None:
        if self.folder is None or not (SAFE_ID.match(lesson) and SAFE_ID.match(item)):
            return None
        path = self.folder / lesson / f"{item}.yaml"
        return path if path.is_file() else None

    def plays(self, lesson: str, item: str) -> bool:
        return self.path(lesson, item) is not None

    def scenario(self, lesson: str, item: str) -> Scenario:
        path = self.path(lesson, item)
        if path is None:
            raise NotPlayedHere(f"no graded scenario {item!r} of lesson {lesson!r} is published on the course "
                                f"server (has the lesson been released?)")
        stat = path.stat()
        return _load(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _load(path: str, _mtime_ns: int, _size: int) -> Scenario:
    """Parsed once per version of the file (a class plays the same scenario at once)."""
    return load_scenario(path)


def play_step(store: RecordStore, scenarios: PublishedScenarios, user: str, lesson: str, item: str,
              action: str, choice: str | None) -> dict:
    """Apply one action to `user`'s play of the item and return {"header", "view"}; a move is
    appended to the store before it is answered. PlayRefused when the move is not allowed."""
    scenario = scenarios.scenario(lesson, item)
    saved = [r for r in store.records(user, lesson, item) if r.kind == "scenario"]
    play = ScenarioPlay(scenario, graded=True)
    if saved:
        play.restore(saved[-1].value)
    before = play.value
    if action == "choose":
        play.choose(str(choice))
    elif action == "restart":
        play.restart()
    if play.value != before:
        store.append(user, lesson, item, "scenario", "graded", play.value)
    return {"header": scenario_header(scenario), "view": play.view().to_json()}
