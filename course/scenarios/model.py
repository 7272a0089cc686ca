"""The scenario data model: plain, immutable dataclasses built by `loader`.

Nothing here reads files; `Condition.holds`, `Effects.apply` and
`Choice.resolve_next` are the only behaviour, shared by the run engine and the
validator so both read the rules the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

STATE_MIN = 0
STATE_MAX = 10

DECISION = "decision"
ENDING = "ending"
NODE_TYPES = (DECISION, ENDING)

#: Outcome classes an ending may have, roughly from best to worst.
OUTCOMES = (
    "resolved_agreement",
    "voluntary_help",
    "referral",
    "arrest",
    "unresolved",
    "use_of_force",
    "injury",
)

OUTCOME_LABELS = {
    "resolved_agreement": "Resolved by agreement",
    "voluntary_help": "Voluntary help",
    "referral": "Referral",
    "arrest": "Arrest",
    "unresolved": "Unresolved",
    "use_of_force": "Use of force",
    "injury": "Injury",
}


def clamp(value: int) -> int:
    return max(STATE_MIN, min(STATE_MAX, value))


@dataclass(frozen=True)
class Condition:
    """Show a choice (or take a branch) only when the state and flags allow.

    All given parts must hold: every flag in `flags_all` set, at least one of
    `flags_any` set (if given), no flag of `flags_none` set, each state value
    >= its `min` and <= its `max`.
    """

    flags_all: tuple[str, ...] = ()
    flags_any: tuple[str, ...] = ()
    flags_none: tuple[str, ...] = ()
    min: Mapping[str, int] = field(default_factory=dict)
    max: Mapping[str, int] = field(default_factory=dict)
    line: int | None = None

    def holds(self, state: Mapping[str, int], flags) -> bool:
        if any(f not in flags for f in self.flags_all):
            return False
        if self.flags_any and not any(f in flags for f in self.flags_any):
            return False
        if any(f in flags for f in self.flags_none):
            return False
        if any(state.get(k, 0) < v for k, v in self.min.items()):
            return False
        if any(state.get(k, 0) > v for k, v in self.max.items()):
            return False
        return True

    def flags_named(self) -> tuple[str, ...]:
        return self.flags_all + self.flags_any + self.flags_none

    def state_keys_named(self) -> tuple[str, ...]:
        return tuple(self.min) + tuple(self.max)

    def describe(self) -> str:
        parts = []
        if self.flags_all:
            parts.append(" and ".join(self.flags_all))
        if self.flags_any:
            parts.append("any of " + "/".join(self.flags_any))
        if self.flags_none:
            parts.append("not " + ", not ".join(self.flags_none))
        parts += [f"{k}>={v}" for k, v in self.min.items()]
        parts += [f"{k}<={v}" for k, v in self.max.items()]
        return ", ".join(parts) or "always"


@dataclass(frozen=True)
class Effects:
    """What a choice changes: state deltas (clamped to 0..10) and flags set or cleared."""

    deltas: Mapping[str, int] = field(default_factory=dict)
    set_flags: tuple[str, ...] = ()
    clear_flags: tuple[str, ...] = ()
    line: int | None = None

    def apply(self, state: Mapping[str, int], flags) -> tuple[dict[str, int], frozenset[str]]:
        new_state = dict(state)
        for key, delta in self.deltas.items():
            new_state[key] = clamp(new_state.get(key, 0) + delta)
        new_flags = (frozenset(flags) - set(self.clear_flags)) | set(self.set_flags)
        return new_state, new_flags


@dataclass(frozen=True)
class Branch:
    """One entry of `next_if`: go to `next` when `condition` holds (None = the default)."""

    condition: Condition | None
    next: str
    line: int | None = None


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    description: str = ""


@dataclass(frozen=True)
class Line:
    """Something a person says."""

    speaker: str
    text: str
    line: int | None = None


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    reaction: str
    teaching_point: str
    effects: Effects = field(default_factory=Effects)
    condition: Condition | None = None
    next: str | None = None
    next_if: tuple[Branch, ...] = ()
    line: int | None = None
    next_line: int | None = None     # line of the 'next' key, for error messages

    def targets(self) -> tuple[str, ...]:
        """Every node this choice can lead to, whatever the state."""
        if self.next is not None:
            return (self.next,)
        return tuple(dict.fromkeys(b.next for b in self.next_if))

    def is_visible(self, state: Mapping[str, int], flags) -> bool:
        return self.condition is None or self.condition.holds(state, flags)

    def resolve_next(self, state: Mapping[str, int], flags) -> str:
        """The next node, given the state *after* this choice's effects."""
        if self.next is not None:
            return self.next
        for branch in self.next_if:
            if branch.condition is None or branch.condition.holds(state, flags):
                return branch.next
        raise RuntimeError(f"choice {self.id!r}: no next_if branch applies (the loader requires a default)")


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    narrative: str
    lines: tuple[Line, ...] = ()
    choices: tuple[Choice, ...] = ()
    best: str | None = None          # decision nodes: the choice the debrief recommends (practice
    best_why: str = ""               # scenarios only; graded ones keep it in keys/, see keyfile.py)
    outcome: str | None = None       # endings
    debrief: str = ""                # endings (practice scenarios only, like `best`)
    line: int | None = None
    narrative_if: tuple[tuple[Condition, str], ...] = ()   # (condition, narrative): first that holds wins

    def narrative_for(self, state: Mapping[str, int], flags) -> str:
        """The narrative as this path sees it: the first `narrative_if` variant whose condition
        holds, else the plain `narrative`."""
        for condition, text in self.narrative_if:
            if condition.holds(state, flags):
                return text
        return self.narrative

    @property
    def is_ending(self) -> bool:
        return self.type == ENDING

    def choice(self, choice_id: str) -> Choice | None:
        for c in self.choices:
            if c.id == choice_id:
                return c
        return None


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    setting: str
    dispatch: str
    people: tuple[Person, ...]
    initial_state: Mapping[str, int]
    flags: Mapping[str, str]          # declared flag name -> description
    start: str
    nodes: Mapping[str, Node]         # in file order
    references: tuple[str, ...] = ()
    summary: str = ""
    state_words: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # flag -> state key -> bands that replace the same bands while the flag is set (in file
    # order), so the words follow the story: no "gripping the knife" once the knife is secured.
    state_words_when: Mapping[str, Mapping[str, tuple[tuple[int, str], ...]]] = field(default_factory=dict)
    source: str = "<scenario>"

    def __post_init__(self):
        object.__setattr__(self, "nodes", MappingProxyType(dict(self.nodes)))
        object.__setattr__(self, "initial_state", MappingProxyType(dict(self.initial_state)))

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    @property
    def decision_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if not n.is_ending]

    @property
    def endings(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_ending]
