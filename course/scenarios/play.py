"""One student's play of one scenario item, and what they may see of it: no widgets, no files.

    play = ScenarioPlay(scenario, graded=True)
    play.restore(saved_value)           # {"attempts": [{"choices": [...], "complete": bool}, ...]}
    view = play.choose("ask_open")      # a NodeView: what the student sees now
    play.value                          # what is saved (answers file, course recorder)

The rules of a graded attempt live here, once, for the two places a scenario is played: the
student's kernel (a laptop course, or a practice scenario) and the course recorder on a hub,
which plays graded scenarios on the server and sends the kernel only `NodeView`s. The FIRST
attempt is the graded one, finished or not, so "Start again" is refused until it reaches an
ending; later attempts are practice. A graded attempt's view carries reactions only: teaching
points and the debrief's recommended choices appear in practice attempts (and, for the graded
one, in the feedback after grading).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .debrief import debrief
from .describe import outcome_label, state_label
from .run import InvalidChoice, ScenarioRun, Step, replay
from .model import Scenario


class PlayRefused(ValueError):
    """The move is not allowed now; the message says why, in the student's words."""


@dataclass(frozen=True)
class DebriefPoint:
    chosen_text: str
    teaching_point: str
    was_best: bool
    best_text: str
    best_why: str


@dataclass(frozen=True)
class NodeView:
    """Everything the player shows at one moment, and nothing more (no graph, no other node)."""

    node_id: str
    narrative: str
    lines: tuple[tuple[str, str], ...]               # (speaker's name, what they say)
    state: tuple[tuple[str, str, int, str], ...]     # (key, label, value, words)
    choices: tuple[tuple[str, str], ...]             # (choice id, text), in the file's order
    ended: bool
    outcome_label: str
    reaction: str = ""                               # what the last move did
    teaching_point: str = ""                         # practice attempts only
    attempt: int = 0                                 # 1-based; 0 before any move
    moves: int = 0
    graded: bool = False
    practising: bool = True
    restart_locked: bool = False
    ending_text: str = ""                            # practice attempts only
    debrief: tuple[DebriefPoint, ...] = ()           # practice attempts only, once ended
    attempts: tuple[dict, ...] = field(default=(), compare=False)  # the student's own moves

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "NodeView":
        """A view as the course recorder sent it (checked: the kernel trusts its shape only)."""
        try:
            return cls(
                node_id=str(data["node_id"]), narrative=str(data["narrative"]),
                lines=tuple((str(a), str(b)) for a, b in data["lines"]),
                state=tuple((str(k), str(label), int(v), str(w)) for k, label, v, w in data["state"]),
                choices=tuple((str(a), str(b)) for a, b in data["choices"]),
                ended=bool(data["ended"]), outcome_label=str(data["outcome_label"]),
                reaction=str(data.get("reaction", "")), teaching_point=str(data.get("teaching_point", "")),
                attempt=int(data.get("attempt", 0)), moves=int(data.get("moves", 0)),
                graded=bool(data.get("graded")), practising=bool(data.get("practising", True)),
                restart_locked=bool(data.get("restart_locked")), ending_text=str(data.get("ending_text", "")),
                debrief=tuple(DebriefPoint(**{k: p[k] for k in DebriefPoint.__dataclass_fields__})
                              for p in data.get("debrief", ())),
                attempts=tuple(dict(a) for a in data.get("attempts", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a scenario view ({type(exc).__name__}: {exc})") from None


def check_value(value: Any) -> list[dict]:
    """The attempts of a saved scenario value; ValueError when it is not one."""
    if (not isinstance(value, dict) or not isinstance(value.get("attempts"), list)
            or not all(isinstance(a, dict) and isinstance(a.get("choices", []), list) for a in value["attempts"])):
        raise ValueError("a scenario answer is {'attempts': [{'choices': [...]}]}")
    return [dict(a) for a in value["attempts"]]


class ScenarioPlay:
    def __init__(self, scenario: Scenario, graded: bool):
        self.scenario = scenario
        self.graded = graded
        self.attempts: list[dict[str, Any]] = []
        self.run = ScenarioRun(scenario)
        self.last_step: Step | None = None

    # ---- what is saved ----------------------------------------------------------
    @property
    def value(self) -> dict[str, Any]:
        return {"attempts": [dict(a) for a in self.attempts]}

    def restore(self, value: Any) -> "ScenarioPlay":
        """Continue (or show the end of) the latest saved attempt; moves that no longer fit the
        scenario end the replay there."""
        self.attempts = check_value(value)
        latest = self.attempts[-1] if self.attempts else {"choices": []}
        self.run = replay(self.scenario, latest.get("choices", [])).run
        self.last_step = self.run.steps[-1] if self.run.steps else None
        return self

    # ---- the rules ----------------------------------------------------------------
    @property
    def practising(self) -> bool:
        """A practice scenario, or a later attempt after the graded one."""
        return not self.graded or len(self.attempts) > 1

    @property
    def restart_locked(self) -> bool:
        """The graded (first) attempt is begun and not yet at an ending."""
        return self.graded and len(self.attempts) == 1 and bool(self.run.steps) and not self.run.ended

    def choose(self, choice_id: str) -> NodeView:
        try:
            self.last_step = self.run.choose(choice_id)
        except InvalidChoice as exc:
            visible = [c.id for c in self.run.visible_choices()]
            raise PlayRefused(f"{choice_id!r} is not a choice here ({exc}); the choices now are "
                              f"{visible or 'none: the scenario has ended, start again'}") from None
        if not self.attempts:
            self.attempts.append({})
        self.attempts[-1] = self.run.to_record()
        return self.view()

    def restart(self) -> NodeView:
        if self.restart_locked:
            raise PlayRefused("Start again is locked: in a graded scenario your first attempt counts, finished "
                              "or not. Play it to an ending first; after that you may start again to practise.")
        if self.run.steps:
            self.attempts.append({"choices": [], "complete": False})
        self.run = ScenarioRun(self.scenario)
        self.last_step = None
        return self.view()

    # ---- what the student sees --------------------------------------------------------
    def view(self) -> NodeView:
        run, practising = self.run, self.practising
        words = run.describe_state()
        people = {p.id: p.name for p in self.scenario.people}
        step = self.last_step
        ended = run.ended
        report = debrief(run) if ended and practising else None
        return NodeView(
            node_id=run.node.id, narrative=run.narrative,
            lines=tuple((people.get(line.speaker, line.speaker), line.text) for line in run.node.lines),
            state=tuple((k, state_label(k), v, words[k]) for k, v in run.state.items()),
            choices=tuple((c.id, c.text) for c in run.visible_choices()),
            ended=ended, outcome_label=outcome_label(run.outcome) if ended else "",
            reaction=step.reaction if step else "",
            teaching_point=step.teaching_point if step and practising else "",
            attempt=len(self.attempts), moves=len(run.steps), graded=self.graded, practising=practising,
            restart_locked=self.restart_locked,
            ending_text=report.ending_text if report else "",
            debrief=tuple(DebriefPoint(p.chosen_text, p.teaching_point, p.was_best, p.best_text,
                                       p.best_why or p.best_teaching_point) for p in report.points) if report else (),
            attempts=tuple(dict(a) for a in self.attempts),
        )


def scenario_header(scenario: Scenario) -> dict[str, Any]:
    """What the student sees above the call: its id, title, setting, dispatch and who is there."""
    return {"id": scenario.id, "title": scenario.title, "setting": scenario.setting, "dispatch": scenario.dispatch,
            "people": [[p.name, p.role, p.description] for p in scenario.people]}
