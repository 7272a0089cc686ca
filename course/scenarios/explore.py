"""Walk a scenario's state space, respecting conditions.

`explore` visits every distinct (node, state, flags) reachable from the start
by legal choices, breadth first, up to `max_states`; it is what the validator
uses for its condition-aware checks. `iter_paths` lists complete play-throughs
(choice-id sequences ending at an ending) for tests and analytics.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .model import Scenario

StateKey = tuple[str, tuple[int, ...], frozenset]

MAX_STATES = 50_000


@dataclass
class Exploration:
    scenario: Scenario
    keys: list[StateKey] = field(default_factory=list)
    index: dict[StateKey, int] = field(default_factory=dict)
    edges: list[list[tuple[str, int]]] = field(default_factory=list)   # (choice id, target state)
    parent: list[tuple[int, str] | None] = field(default_factory=list)
    truncated: bool = False
    state_keys: tuple[str, ...] = ()          # the state keys conditions read (others cannot matter)
    flag_names: frozenset[str] = frozenset()  # the flags conditions read
    visible: list[int] = field(default_factory=list)   # how many choices were visible in each state

    def node_of(self, i: int) -> str:
        return self.keys[i][0]

    def state_of(self, i: int) -> dict[str, int]:
        return dict(zip(self.state_keys, self.keys[i][1]))

    def flags_of(self, i: int) -> frozenset[str]:
        return self.keys[i][2]

    def path_to(self, i: int) -> list[str]:
        """The choice ids of a shortest way from the start to state i."""
        out = []
        while self.parent[i] is not None:
            i, cid = self.parent[i]
            out.append(cid)
        return out[::-1]

    @property
    def reached_nodes(self) -> set[str]:
        return {k[0] for k in self.keys}

    def dead_ends(self) -> list[int]:
        """Decision states where every choice is hidden."""
        return [i for i, k in enumerate(self.keys)
                if not self.scenario.node(k[0]).is_ending and self.visible[i] == 0]

    def stuck(self) -> list[int]:
        """States from which no ending can be reached (only meaningful if not truncated)."""
        back: list[list[int]] = [[] for _ in self.keys]
        for i, out in enumerate(self.edges):
            for _, j in out:
                back[j].append(i)
        good = [self.scenario.node(k[0]).is_ending for k in self.keys]
        todo = [i for i, g in enumerate(good) if g]
        while todo:
            j = todo.pop()
            for i in back[j]:
                if not good[i]:
                    good[i] = True
                    todo.append(i)
        return [i for i, g in enumerate(good) if not g]


def condition_inputs(scenario: Scenario) -> tuple[tuple[str, ...], frozenset[str]]:
    """The state keys and flags that some condition reads.

    Only these can change which choices are visible or which branch is taken, so
    the exploration tracks only them: the projection is exact, and it keeps the
    state space small.
    """
    keys, flags = set(), set()
    for node in scenario.nodes.values():
        for c in node.choices:
            for cond in [c.condition] + [b.condition for b in c.next_if]:
                if cond is not None:
                    keys.update(cond.state_keys_named())
                    flags.update(cond.flags_named())
    return tuple(k for k in scenario.initial_state if k in keys), frozenset(flags)


def explore(scenario: Scenario, max_states: int = MAX_STATES) -> Exploration:
    """Breadth-first over (node, the state values and flags conditions read)."""
    keys_order, relevant_flags = condition_inputs(scenario)
    ex = Exploration(scenario, state_keys=keys_order, flag_names=relevant_flags)

    def key_of(node_id, state, flags) -> StateKey:
        return (node_id, tuple(state[k] for k in keys_order), frozenset(flags) & relevant_flags)

    def add(key, parent) -> int:
        ex.index[key] = len(ex.keys)
        ex.keys.append(key)
        ex.edges.append([])
        ex.parent.append(parent)
        ex.visible.append(0)
        return ex.index[key]

    add(key_of(scenario.start, scenario.initial_state, frozenset()), None)
    i = 0
    while i < len(ex.keys):
        node_id, values, flags = ex.keys[i]
        node = scenario.node(node_id)
        state = dict(zip(keys_order, values))
        for choice in node.choices:
            if not choice.is_visible(state, flags):
                continue
            ex.visible[i] += 1
            new_state, new_flags = choice.effects.apply(state, flags)
            new_state = {k: new_state[k] for k in keys_order}
            target = choice.resolve_next(new_state, new_flags)
            key = key_of(target, new_state, new_flags)
            if key in ex.index:
                j = ex.index[key]
            elif len(ex.keys) >= max_states:
                ex.truncated = True
                continue
            else:
                j = add(key, (i, choice.id))
            ex.edges[i].append((choice.id, j))
        i += 1
    return ex


def iter_paths(scenario: Scenario, max_decisions: int = 40, limit: int = 200_000, simple: bool = False
               ) -> Iterator[tuple[list[str], str]]:
    """Yield (choice ids, ending node id) for complete play-throughs, depth first.

    Paths longer than `max_decisions` are not followed; at most `limit` paths are
    yielded. With `simple`, a path never visits the same node twice (no loops).
    """
    count = 0
    stack = [(scenario.start, dict(scenario.initial_state), frozenset(), [], (scenario.start,))]
    while stack and count < limit:
        node_id, state, flags, path, seen = stack.pop()
        node = scenario.node(node_id)
        if node.is_ending:
            count += 1
            yield path, node_id
            continue
        if len(path) >= max_decisions:
            continue
        for choice in reversed(node.choices):
            if choice.is_visible(state, flags):
                new_state, new_flags = choice.effects.apply(state, flags)
                target = choice.resolve_next(new_state, new_flags)
                if simple and target in seen:
                    continue
                stack.append((target, new_state, new_flags, path + [choice.id], seen + (target,)))
