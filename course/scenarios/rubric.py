"""Score a student's scenario attempts against an instructor-only rubric.

Rubric files are answer keys: they live at ``keys/scenarios/<scenario-id>.yaml``
in the course repository, are never released to students and never ship
inside the installed package. The shape::

    scenario: mental-health-crisis
    decisions:
      - id: listened_first
        description: Listened and labelled feelings before suggesting anything
        points: 2
        rule: {type: flag_before, first: listened_first, then: influence_tried}
      - id: outcome
        description: How the call ended
        points: 3
        rule: {type: ending, points: {voluntary_help: 3, referral: 2, arrest: 0}}

Rule types (all earn full points or none, except `ending`):
  chose         at `node`, picked one of `choices`; if the node was never
                visited it earns `if_not_visited`: zero (default) or full.
  flag_before   flag `first` was set no later than flag `then`, or `then`
                was never set.
  flag_set      `flag` is set at the end.
  flag_not_set  `flag` is not set at the end.
  visited       `node` was visited.
  not_visited   `node` was not visited.
  ending        `points` maps outcome classes to points (others earn 0).

The answers-file value the scenario widget records is
``{"attempts": [{"choices": [choice ids from the start], "complete": bool}, ...]}``;
the grader replays each attempt with the engine rather than trusting it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .describe import outcome_label
from .errors import ERROR, WARNING, Problem, ScenarioError
from .loader import ID_PATTERN, LineDict, load_yaml
from .model import OUTCOMES, Scenario
from .run import Replay, ScenarioRun, replay

POLICY = (
    "Graded mode: your FIRST COMPLETE attempt (one that reaches an ending) is the one that counts; "
    "later attempts are for practice. If no attempt is complete, your longest unfinished attempt is "
    "scored for the decisions it made, with no credit for the ending (and none for things that can "
    "only be judged at the end, such as never doing something). If a saved choice no longer fits the "
    "scenario, the replay stops at that choice and this is reported."
)

RULE_TYPES = ("chose", "flag_before", "flag_set", "flag_not_set", "visited", "not_visited", "ending")
RULE_FIELDS = {
    "chose": ("node", "choices", "if_not_visited"),
    "flag_before": ("first", "then"),
    "flag_set": ("flag",),
    "flag_not_set": ("flag",),
    "visited": ("node",),
    "not_visited": ("node",),
    "ending": ("points",),
}


@dataclass(frozen=True)
class Rule:
    type: str
    node: str | None = None
    choices: tuple[str, ...] = ()
    if_not_visited: str = "zero"
    first: str | None = None
    then: str | None = None
    flag: str | None = None
    points: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredDecision:
    id: str
    description: str
    points: float
    rule: Rule
    line: int | None = None


@dataclass(frozen=True)
class Rubric:
    scenario_id: str
    decisions: tuple[ScoredDecision, ...]
    source: str = "<rubric>"

    @property
    def possible(self) -> float:
        return sum(d.points for d in self.decisions)


@dataclass(frozen=True)
class ScoreLine:
    id: str
    description: str
    earned: float
    possible: float
    what_you_did: str


@dataclass
class ScenarioScore:
    scenario_id: str
    earned: float
    possible: float
    lines: list[ScoreLine]
    attempt_index: int | None          # which attempt was scored (0-based), None if none
    complete: bool
    outcome: str | None
    notes: list[str] = field(default_factory=list)
    replay_error: str | None = None

    @property
    def fraction(self) -> float:
        return 0.0 if self.possible <= 0 else max(0.0, min(1.0, self.earned / self.possible))

    def feedback(self) -> str:
        """Plain-text feedback, one line per scored decision, then the notes."""
        out = [f"Score: {_num(self.earned)} / {_num(self.possible)}"]
        for ln in self.lines:
            out.append(f"- {ln.description}: {_num(ln.earned)}/{_num(ln.possible)}. {ln.what_you_did}")
        out += self.notes
        return "\n".join(out)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# -- loading and checking --------------------------------------------------------

def _parse_rubric(data: Any, file: str, scenario: Scenario | None) -> tuple[Rubric | None, list[Problem]]:
    problems: list[Problem] = []

    def err(line, msg, node=None, severity=ERROR):
        problems.append(Problem(file, line, node, msg, severity))

    if not isinstance(data, LineDict):
        return None, [Problem(file, 1, None, "a rubric file must be a mapping with 'scenario' and 'decisions'")]
    for key in data:
        if key not in ("scenario", "decisions", "title", "notes"):
            err(data.line_of(key), f"unknown field '{key}' in the rubric")
    sid = data.get("scenario")
    if not isinstance(sid, str) or not ID_PATTERN.match(sid):
        err(data.line_of("scenario"), "'scenario' must be the scenario id")
        sid = str(sid)
    elif scenario is not None and sid != scenario.id:
        err(data.line_of("scenario"), f"rubric is for scenario '{sid}', not '{scenario.id}'")
    raw = data.get("decisions")
    if not isinstance(raw, list) or not raw:
        err(data.line_of("decisions"), "'decisions' must be a non-empty list")
        raw = []
    decisions, seen = [], set()
    for item in raw:
        if not isinstance(item, LineDict):
            err(data.line_of("decisions"), "each decision must be a mapping (id, description, points, rule)")
            continue
        did = item.get("id")
        if not isinstance(did, str) or not ID_PATTERN.match(did):
            err(item.line, f"decision 'id' must be a lower-case id (got {did!r})")
            did = str(did)
        if did in seen:
            err(item.line_of("id"), f"duplicate decision id '{did}'")
        seen.add(did)
        for key in item:
            if key not in ("id", "description", "points", "rule"):
                err(item.line_of(key), f"unknown field '{key}' in decision '{did}'")
        desc = item.get("description")
        if not isinstance(desc, str) or not desc.strip():
            err(item.line_of("description"), f"decision '{did}' needs a 'description' (shown in feedback)")
            desc = ""
        points = item.get("points")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
            err(item.line_of("points"), f"decision '{did}': 'points' must be a positive number")
            points = 0
        rule = _parse_rule(item.get("rule"), item, did, float(points), scenario, err)
        if rule is not None:
            decisions.append(ScoredDecision(did, desc.strip(), float(points), rule, item.line))
    if any(p.is_error for p in problems):
        return None, problems
    return Rubric(sid, tuple(decisions), file), problems


def _parse_rule(rd, item, did, points, scenario, err) -> Rule | None:
    line = item.line_of("rule")
    if not isinstance(rd, LineDict):
        err(line, f"decision '{did}': 'rule' must be a mapping with a 'type'")
        return None
    rtype = rd.get("type")
    if rtype not in RULE_TYPES:
        err(rd.line_of("type"), f"decision '{did}': rule type must be one of {', '.join(RULE_TYPES)} (got {rtype!r})")
        return None
    for key in rd:
        if key != "type" and key not in RULE_FIELDS[rtype]:
            err(rd.line_of(key), f"decision '{did}': a '{rtype}' rule has no field '{key}' "
                                 f"(fields: {', '.join(RULE_FIELDS[rtype])})")
    nodes = scenario.nodes if scenario is not None else None
    flags = scenario.flags if scenario is not None else None

    def need_str(key):
        v = rd.get(key)
        if not isinstance(v, str):
            err(rd.line_of(key), f"decision '{did}': '{rtype}' rule needs '{key}'")
            return None
        return v

    def check_node(key):
        v = need_str(key)
        if v is not None and nodes is not None and v not in nodes:
            err(rd.line_of(key), f"decision '{did}': node '{v}' does not exist in scenario '{scenario.id}'", v)
        return v

    def check_flag(key):
        v = need_str(key)
        if v is not None and flags is not None and v not in flags:
            err(rd.line_of(key), f"decision '{did}': flag '{v}' is not declared in scenario '{scenario.id}'")
        return v

    if rtype == "chose":
        node = check_node("node")
        choices = rd.get("choices")
        if isinstance(choices, str):
            choices = [choices]
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
            err(rd.line_of("choices"), f"decision '{did}': 'choices' must list choice ids")
            choices = []
        if nodes is not None and node in nodes:
            if nodes[node].is_ending:
                err(rd.line_of("node"), f"decision '{did}': node '{node}' is an ending, not a decision", node)
            for c in choices:
                if nodes[node].choice(c) is None:
                    err(rd.line_of("choices"), f"decision '{did}': node '{node}' has no choice '{c}'", node)
        inv = rd.get("if_not_visited", "zero")
        if inv not in ("zero", "full"):
            err(rd.line_of("if_not_visited"), f"decision '{did}': 'if_not_visited' must be zero or full")
        return Rule("chose", node=node, choices=tuple(choices), if_not_visited=inv)
    if rtype == "flag_before":
        return Rule("flag_before", first=check_flag("first"), then=check_flag("then"))
    if rtype in ("flag_set", "flag_not_set"):
        return Rule(rtype, flag=check_flag("flag"))
    if rtype in ("visited", "not_visited"):
        return Rule(rtype, node=check_node("node"))
    # ending
    table = rd.get("points")
    if not isinstance(table, LineDict) or not table:
        err(rd.line_of("points"), f"decision '{did}': an 'ending' rule needs 'points' (outcome: points)")
        return None
    out = {}
    for outcome, value in table.items():
        if outcome not in OUTCOMES:
            err(table.line_of(outcome), f"decision '{did}': '{outcome}' is not an outcome class "
                                        f"({', '.join(OUTCOMES)})")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= points:
            err(table.line_of(outcome), f"decision '{did}': points for '{outcome}' must be 0..{_num(points)}")
        else:
            out[outcome] = float(value)
    if out and max(out.values()) < points:
        err(table.line, f"decision '{did}': no outcome earns the full {_num(points)} points", severity=WARNING)
    if scenario is not None:
        present = {n.outcome for n in scenario.endings}
        for outcome in out:
            if outcome not in present:
                err(table.line_of(outcome), f"decision '{did}': scenario has no '{outcome}' ending",
                    severity=WARNING)
    return Rule("ending", points=out)


def validate_rubric(path: str | os.PathLike, scenario: Scenario | None = None) -> list[Problem]:
    """Every problem in a rubric file; with `scenario`, also checks that the nodes,
    choices and flags it names exist there."""
    data, problems = load_yaml(path)
    if data is None and problems:
        return problems
    _, more = _parse_rubric(data, str(path), scenario)
    return problems + more


def load_rubric(path: str | os.PathLike, scenario: Scenario | None = None) -> Rubric:
    data, problems = load_yaml(path)
    rubric = None
    if data is not None or not problems:
        rubric, more = _parse_rubric(data, str(path), scenario)
        problems += more
    if rubric is None or any(p.is_error for p in problems):
        raise ScenarioError(problems)
    return rubric


def find_keys_dir(start: str | os.PathLike | None = None) -> Path | None:
    """The repository's `keys/` folder: searched upward from `start` (default: the
    working directory), then next to a source checkout of this package."""
    here = Path(start or os.getcwd()).resolve()
    for folder in [here, *here.parents, Path(__file__).resolve().parents[2]]:
        if (folder / "keys" / "scenarios").is_dir():
            return folder / "keys"
    return None


def rubric_path(scenario_id: str, keys_dir: str | os.PathLike | None = None) -> Path:
    keys = Path(keys_dir) if keys_dir is not None else find_keys_dir()
    if keys is None:
        raise FileNotFoundError("no keys/scenarios folder found (rubrics are instructor-only)")
    return keys / "scenarios" / f"{scenario_id}.yaml"


# -- scoring -------------------------------------------------------------------------

def _attempts(record: Any) -> tuple[list[dict], list[str]]:
    """The attempts list from an answers-file record value (or the whole record)."""
    notes = []
    if isinstance(record, Mapping) and "value" in record and "attempts" not in record:
        record = record["value"]
    if record is None:
        return [], []
    if not isinstance(record, Mapping) or not isinstance(record.get("attempts"), list):
        return [], ["The saved answer is not a scenario record ({'attempts': [...]}); nothing could be scored."]
    attempts = []
    for i, a in enumerate(record["attempts"]):
        if isinstance(a, Mapping) and isinstance(a.get("choices"), list):
            attempts.append(dict(a))
        else:
            attempts.append({"choices": []})
            notes.append(f"Attempt {i + 1} is malformed and was treated as empty.")
    return attempts, notes


def select_attempt(scenario: Scenario, record: Any) -> tuple[int | None, Replay | None, list[str]]:
    """Apply the POLICY: (attempt index, its replay, notes)."""
    attempts, notes = _attempts(record)
    replays = [replay(scenario, a["choices"]) for a in attempts]
    for i, r in enumerate(replays):
        if r.complete:
            if i > 0:
                notes.append(f"Attempt {i + 1} is your first complete attempt; it is the one scored.")
            return i, r, notes
    if not replays:
        return None, None, notes or ["No attempt was recorded."]
    best = max(range(len(replays)), key=lambda i: (len(replays[i].run.steps), -i))
    notes.append(f"No attempt reached an ending, so your longest unfinished attempt (attempt {best + 1}, "
                 f"{len(replays[best].run.steps)} decisions) was scored without ending credit.")
    return best, replays[best], notes


def score_attempt(scenario: Scenario, rubric: Rubric, record: Any) -> ScenarioScore:
    """Score the attempt the POLICY selects from `record` (the answers-file value)."""
    index, rep, notes = select_attempt(scenario, record)
    run = rep.run if rep is not None else ScenarioRun(scenario)
    complete = rep is not None and rep.complete
    if rep is not None and rep.error:
        notes.append(f"Attempt {index + 1}: {rep.error}.")
    lines = [_score_decision(scenario, d, run, complete, rep is not None) for d in rubric.decisions]
    return ScenarioScore(
        scenario_id=scenario.id, earned=sum(ln.earned for ln in lines), possible=rubric.possible,
        lines=lines, attempt_index=index, complete=complete, outcome=run.outcome if complete else None,
        notes=notes, replay_error=rep.error if rep is not None else None,
    )


def _flag_name(scenario: Scenario, flag: str) -> str:
    desc = scenario.flags.get(flag, "").rstrip(".")
    return f"\"{desc}\"" if desc else f"'{flag}'"


def _first_set(run: ScenarioRun, flag: str) -> int | None:
    for index, name, is_set in run.flag_events:
        if name == flag and is_set:
            return index
    return None


def _score_decision(scenario: Scenario, d: ScoredDecision, run: ScenarioRun, complete: bool,
                    attempted: bool) -> ScoreLine:
    r = d.rule

    def line(ok: bool | float, what: str) -> ScoreLine:
        earned = d.points if ok is True else (0.0 if ok is False else float(ok))
        return ScoreLine(d.id, d.description, earned, d.points, what)

    if not attempted:
        return line(False, "No attempt was recorded.")
    if r.type == "chose":
        made = [s for s in run.steps if s.from_node.id == r.node]
        if not made:
            if complete and r.if_not_visited == "full":
                return line(True, "Your path never led to this decision point, so it is not held against you.")
            if complete:
                return line(False, "Your path never reached this decision point.")
            return line(False, "Your unfinished attempt did not make this decision.")
        chosen = made[0].choice
        ok = chosen.id in r.choices
        return line(ok, f"You chose: {chosen.text}")
    if r.type == "flag_before":
        a, b = _first_set(run, r.first), _first_set(run, r.then)
        if b is None:
            if complete or a is not None:
                return line(True, f"Never happened: {_flag_name(scenario, r.then)}." if a is None
                            else f"Done first: {_flag_name(scenario, r.first)}.")
            return line(False, "Your unfinished attempt did not get this far.")
        if a is not None and a <= b:
            return line(True, f"In order: {_flag_name(scenario, r.first)} (decision {a + 1}), then "
                              f"{_flag_name(scenario, r.then)} (decision {b + 1}).")
        return line(False, f"Out of order: {_flag_name(scenario, r.then)} came at decision {b + 1}, "
                           + (f"before {_flag_name(scenario, r.first)} (decision {a + 1})." if a is not None
                              else f"with no {_flag_name(scenario, r.first)} before it."))
    if r.type == "flag_set":
        ok = r.flag in run.flags
        return line(ok, f"{'Yes' if ok else 'No'} by the end of your attempt: {_flag_name(scenario, r.flag)}.")
    if r.type == "flag_not_set":
        if not complete:
            return line(False, "This can only be judged on a complete attempt.")
        ok = r.flag not in run.flags
        return line(ok, f"{'Never happened' if ok else 'Happened'}: {_flag_name(scenario, r.flag)}.")
    if r.type == "visited":
        ok = r.node in run.visited
        return line(ok, "Your path went through this point." if ok else "Your path did not go through this point.")
    if r.type == "not_visited":
        if not complete:
            return line(False, "This can only be judged on a complete attempt.")
        ok = r.node not in run.visited
        return line(ok, "Your path avoided this point." if ok else "Your path went through this point.")
    # ending
    if not complete:
        return line(False, "No ending was reached, so there is no ending credit.")
    outcome = run.outcome
    return line(r.points.get(outcome, 0.0), f"Your attempt ended: {outcome_label(outcome)} ('{run.node.id}').")
