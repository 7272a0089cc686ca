"""A pure state machine that plays one scenario: no widgets, no files.

    run = ScenarioRun(scenario)
    run.visible_choices()          # choices the officer can make now
    step = run.choose("ask_open")  # apply effects, follow next/next_if
    run.ended, run.ending          # the ending node once reached
    run.to_record()                # {"choices": [...], "complete": bool}
    ScenarioRun.from_record(scenario, record)   # replays the choices exactly

Choice effects are applied first (state clamped to 0..10); `next_if`
conditions are then checked against the state *after* the effects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .describe import describe_state
from .model import Choice, Node, Scenario


class InvalidChoice(ValueError):
    """The choice id is unknown at this node, hidden by its condition, or the run has ended."""


@dataclass(frozen=True)
class Step:
    """What one choice did."""

    index: int                      # 0 for the first choice of the run
    from_node: Node
    choice: Choice
    reaction: str
    teaching_point: str
    node: Node                      # where the run is now
    state: Mapping[str, int]        # state after the choice
    flags: frozenset[str]
    changes: Mapping[str, int]      # actual state change after clamping (non-zero only)
    flags_set: tuple[str, ...]      # flags newly set by this choice
    flags_cleared: tuple[str, ...]

    @property
    def ended(self) -> bool:
        return self.node.is_ending


class ScenarioRun:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.restart()

    def restart(self) -> None:
        """Back to the start node with the initial state; the path is cleared."""
        self._node = self.scenario.node(self.scenario.start)
        self._state = dict(self.scenario.initial_state)
        self._flags: frozenset[str] = frozenset()
        self.steps: list[Step] = []
        # (step index, flag, True=set / False=cleared), in order
        self.flag_events: list[tuple[int, str, bool]] = []

    # -- where we are ----------------------------------------------------------
    @property
    def node(self) -> Node:
        return self._node

    @property
    def state(self) -> dict[str, int]:
        return dict(self._state)

    @property
    def flags(self) -> frozenset[str]:
        return self._flags

    @property
    def ended(self) -> bool:
        return self._node.is_ending

    @property
    def narrative(self) -> str:
        """The current node's narrative for this path (its `narrative_if` variants applied)."""
        return self._node.narrative_for(self._state, self._flags)

    def state_before(self, index: int) -> tuple[dict[str, int], frozenset[str]]:
        """State and flags just before decision `index` was made (for 'was it offered?' questions)."""
        if index == 0:
            return dict(self.scenario.initial_state), frozenset()
        prev = self.steps[index - 1]
        return dict(prev.state), prev.flags

    def offered(self, index: int) -> list[Choice]:
        """The choices that were visible when decision `index` was made."""
        state, flags = self.state_before(index)
        return [c for c in self.steps[index].from_node.choices if c.is_visible(state, flags)]

    @property
    def ending(self) -> Node | None:
        return self._node if self._node.is_ending else None

    @property
    def outcome(self) -> str | None:
        return self._node.outcome if self._node.is_ending else None

    @property
    def path(self) -> list[tuple[str, str]]:
        """(node id, choice id) for every choice made so far."""
        return [(s.from_node.id, s.choice.id) for s in self.steps]

    @property
    def choice_ids(self) -> list[str]:
        return [s.choice.id for s in self.steps]

    @property
    def visited(self) -> list[str]:
        """Node ids in the order visited, from the start to the current node."""
        return [self.scenario.start] + [s.node.id for s in self.steps]

    def describe_state(self) -> dict[str, str]:
        return describe_state(self._state, self.scenario, self._flags)

    def visible_choices(self) -> list[Choice]:
        if self.ended:
            return []
        return [c for c in self._node.choices if c.is_visible(self._state, self._flags)]

    # -- acting ----------------------------------------------------------------
    def choose(self, choice_id: str) -> Step:
        if self.ended:
            raise InvalidChoice(f"the scenario has ended at '{self._node.id}'; no more choices")
        choice = self._node.choice(choice_id)
        if choice is None:
            raise InvalidChoice(f"node '{self._node.id}' has no choice '{choice_id}'")
        if not choice.is_visible(self._state, self._flags):
            raise InvalidChoice(f"choice '{choice_id}' is not available at node '{self._node.id}' now")
        before_state, before_flags = self._state, self._flags
        state, flags = choice.effects.apply(before_state, before_flags)
        target = self.scenario.node(choice.resolve_next(state, flags))
        index = len(self.steps)
        flags_set = tuple(sorted(flags - before_flags))
        flags_cleared = tuple(sorted(before_flags - flags))
        self.flag_events += [(index, f, True) for f in flags_set] + [(index, f, False) for f in flags_cleared]
        step = Step(
            index=index, from_node=self._node, choice=choice, reaction=choice.reaction,
            teaching_point=choice.teaching_point, node=target, state=dict(state), flags=flags,
            changes={k: state[k] - before_state.get(k, 0) for k in state if state[k] != before_state.get(k, 0)},
            flags_set=flags_set, flags_cleared=flags_cleared,
        )
        self._node, self._state, self._flags = target, state, flags
        self.steps.append(step)
        return step

    def fork(self) -> "ScenarioRun":
        """An independent copy of this run, at the same point (for walking every path)."""
        other = ScenarioRun.__new__(ScenarioRun)
        other.scenario = self.scenario
        other._node, other._state, other._flags = self._node, dict(self._state), self._flags
        other.steps, other.flag_events = list(self.steps), list(self.flag_events)
        return other

    def undo(self) -> None:
        """Take back the last choice (replays the rest from the start)."""
        choices = self.choice_ids[:-1]
        self.restart()
        for cid in choices:
            self.choose(cid)

    # -- saving ------------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        """One attempt as saved in the answers file: only the choice ids from the start."""
        return {"choices": self.choice_ids, "complete": self.ended}

    @classmethod
    def from_record(cls, scenario: Scenario, record: Mapping[str, Any]) -> "ScenarioRun":
        """Replay a saved attempt exactly; raises InvalidChoice if a choice does not fit."""
        result = replay(scenario, record.get("choices", []))
        if result.error:
            raise InvalidChoice(result.error)
        return result.run


@dataclass
class Replay:
    """A lenient replay: the run as far as the choices were valid, and what stopped it."""

    run: ScenarioRun
    error: str | None = None
    stopped_at: int | None = None      # index in the choice list of the invalid choice
    ignored: list[Any] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.run.ended and self.error is None


def replay(scenario: Scenario, choices: Iterable[Any]) -> Replay:
    """Replay choice ids from the start; an invalid one stops the replay there and is reported."""
    run = ScenarioRun(scenario)
    choices = list(choices) if not isinstance(choices, (str, bytes)) else [choices]
    for i, cid in enumerate(choices):
        if not isinstance(cid, str):
            return Replay(run, f"choice {i + 1} is not a choice id ({cid!r}); replay stopped there", i, choices[i:])
        try:
            run.choose(cid)
        except InvalidChoice as exc:
            return Replay(run, f"choice {i + 1} ('{cid}'): {exc}; replay stopped there", i, choices[i:])
    return Replay(run)
