"""Check a scenario file (the logic behind `python -m course.scenarios.validate`) and report every problem as ``file:line: node 'x': message``.

    python -m course.scenarios.validate scenarios/*.yaml

Exit status 0 when there are no errors (warnings are printed but allowed),
1 when any file has errors, 2 on bad usage.

Checks, in three layers:
1. Schema and references (done by `loader`): types, required fields, unknown
   fields, duplicate ids and keys, targets that do not exist, flags, state keys
   and speakers used but not declared, `best` naming a missing choice.
2. Structure, ignoring conditions (every choice could be taken): nodes no
   choice leads to (unreachable), endings no path reaches, decision nodes with
   no way to an ending, and loops with no exit; a warning for a decision node
   with no unconditional choice (a condition could hide every choice).
3. Condition-aware, by exploring every distinct (node, state, flags) reachable
   by legal choices, up to MAX_STATES: errors for a reachable state where
   every choice is hidden and for a reachable state from which no ending can be
   reached; warnings for nodes that only the structure reaches. If the
   exploration hits its bound, layer 3 reports only what it saw and says so.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import ERROR, WARNING, Problem
from .explore import MAX_STATES, explore
from .loader import read_scenario
from .model import Scenario


def _structural_graph(scenario: Scenario) -> dict[str, list[str]]:
    return {nid: [t for c in n.choices for t in c.targets()] for nid, n in scenario.nodes.items()}


def _reach(graph: dict[str, list[str]], sources) -> set[str]:
    seen, todo = set(sources), list(sources)
    while todo:
        for t in graph.get(todo.pop(), ()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def _cycle_members(graph: dict[str, list[str]]) -> dict[str, frozenset[str]]:
    """Tarjan's strongly connected components; maps each node on a cycle to its component."""
    index, low, on_stack, stack, out = {}, {}, set(), [], {}
    counter = [0]

    def strong(v):
        work = [(v, iter(graph.get(v, ())))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    advanced = True
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1 or node in graph.get(node, ()):
                    for w in comp:
                        out[w] = frozenset(comp)

    for v in graph:
        if v not in index:
            strong(v)
    return out


def _describe(scenario: Scenario, state: dict, flags) -> str:
    parts = [f"{k}={v}" for k, v in state.items()]
    parts.append("flags: " + (", ".join(sorted(flags)) or "none"))
    return "; ".join(parts)


def check_scenario(scenario: Scenario, max_states: int = MAX_STATES) -> list[Problem]:
    """Graph checks (layers 2 and 3) on a scenario that loaded without errors."""
    file = scenario.source
    problems: list[Problem] = []
    graph = _structural_graph(scenario)
    reachable = _reach(graph, [scenario.start])
    reverse: dict[str, list[str]] = {n: [] for n in graph}
    for src, targets in graph.items():
        for t in targets:
            reverse[t].append(src)
    to_ending = _reach(reverse, [n.id for n in scenario.endings])
    cycles = _cycle_members(graph)

    reported_loop: set[frozenset] = set()
    for node in scenario.nodes.values():
        if node.id not in reachable:
            what = "ending that no path reaches" if node.is_ending else "unreachable: no path from the start leads here"
            problems.append(Problem(file, node.line, node.id, what))
        if not node.is_ending and node.id not in to_ending:
            comp = cycles.get(node.id)
            if comp is not None:
                if comp not in reported_loop:
                    reported_loop.add(comp)
                    members = ", ".join(n for n in scenario.nodes if n in comp)
                    problems.append(Problem(file, node.line, node.id,
                                            f"loop with no exit: nodes {members} lead only to each other, "
                                            f"never to an ending"))
            else:
                problems.append(Problem(file, node.line, node.id, "no way from here to any ending"))
        if not node.is_ending and node.choices and all(c.condition is not None for c in node.choices):
            problems.append(Problem(file, node.line, node.id,
                                    "every choice has a condition, so a state could hide them all; "
                                    "give at least one choice no condition", WARNING))
    if not scenario.endings:
        problems.append(Problem(file, 1, None, "the scenario has no ending node"))
    if any(p.is_error for p in problems):
        return problems

    ex = explore(scenario, max_states)
    flagged: set[str] = set()
    for i in ex.dead_ends():
        nid = ex.node_of(i)
        if nid in flagged:
            continue
        flagged.add(nid)
        path = ", ".join(ex.path_to(i)) or "(start)"
        problems.append(Problem(file, scenario.node(nid).line, nid,
                                f"every choice is hidden by its condition in a reachable state "
                                f"({_describe(scenario, ex.state_of(i), ex.flags_of(i))}; after choices: {path})"))
    if not ex.truncated:
        for i in ex.stuck():
            nid = ex.node_of(i)
            if nid in flagged or not ex.edges[i]:
                continue
            flagged.add(nid)
            path = ", ".join(ex.path_to(i)) or "(start)"
            problems.append(Problem(file, scenario.node(nid).line, nid,
                                    f"loop with no exit when conditions are respected: from here no ending "
                                    f"can be reached (after choices: {path})"))
        for node in scenario.nodes.values():
            if node.id in reachable and node.id not in ex.reached_nodes:
                problems.append(Problem(file, node.line, node.id,
                                        "never reached when conditions are respected (only the structure "
                                        "leads here)", WARNING))
    else:
        problems.append(Problem(file, 1, None,
                                f"state space larger than {max_states} states; condition-aware checks are "
                                f"partial", WARNING))
    return problems


def validate(path: str | os.PathLike, max_states: int = MAX_STATES) -> list[Problem]:
    """Every problem in a scenario file (errors and warnings), in a stable order."""
    scenario, problems = read_scenario(path)
    if scenario is not None:
        problems = problems + check_scenario(scenario, max_states)
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m course.scenarios.validate SCENARIO.yaml [...]\n"
              "Checks scenario files; prints file:line: node 'x': message; exits 1 on errors.")
        return 0 if args else 2
    errors = warnings = 0
    for arg in args:
        path = Path(arg)
        problems = validate(path) if path.exists() else [Problem(str(path), None, None, "no such file")]
        for p in problems:
            print(p)
        errors += sum(p.is_error for p in problems)
        warnings += sum(not p.is_error for p in problems)
        if not problems:
            print(f"{path}: OK")
    print(f"{len(args)} file(s): {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0

