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
  flag_before   flag `first` was set, no later than flag `then` (if `then`
                was ever set). A path that never set `first` earns nothing.
  flag_set      `flag` is set at the end.
  flag_not_set  `flag` is not set at the end (a "did not do": prefer `declined`).
  declined      the path was offered a choice that would set `flag` (or lead
                to `node`) and never took it: "did not do X" where X was possible.
  visited       `node` was visited.
  not_visited   `node` was not visited (a "did not do": prefer `declined`).
  all           every rule in `rules` holds ("declined X AND did Y instead").
  ending        `endings` maps ending node ids to points: score by what
                happened on the path. (The older `points`, by outcome class,
                is still read, for endings `endings` does not list.)

A rubric file may also name critical acts and serious errors per choice (`critical`,
`serious`: see `critical`): one on the scored path caps the whole call at 30% or 60% of the
maximum wherever it happens, and the feedback names it and why.

A rubric file may also hold the instructor-only parts of its scenario
(`recommended`, `debriefs`: see `keyfile`) and the properties the audit checks
(`audit`: see `audit`).

The answers-file value the scenario widget records is
``{"attempts": [{"choices": [choice ids from the start], "complete": bool}, ...]}``;
the grader replays each attempt with the engine rather than trusting it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .critical import CriticalAct, acts_on_path, feedback_line, lowest_cap, parse_critical
from .describe import outcome_label
from .errors import ERROR, WARNING, Problem
from .loader import ID_PATTERN, LineDict
from .model import OUTCOMES, Scenario
from .run import Replay, ScenarioRun, replay

POLICY = (
    "Graded mode: your FIRST attempt is the one that counts, finished or not. \"Start again\" is "
    "locked until it reaches an ending; after that, every new attempt is practice and is not graded. "
    "If your first attempt is unfinished, it is scored for the decisions it made, with no credit for "
    "the ending (and none for things that can only be judged at the end, such as never doing "
    "something). The debrief of a graded scenario comes with your feedback after grading. If a saved "
    "choice no longer fits the scenario, the replay stops at that choice and this is reported."
)

RULE_TYPES = ("chose", "flag_before", "flag_set", "flag_not_set", "declined", "visited", "not_visited", "all",
              "ending")
RULE_FIELDS = {
    "chose": ("node", "choices", "if_not_visited"),
    "flag_before": ("first", "then"),
    "flag_set": ("flag",),
    "flag_not_set": ("flag",),
    "declined": ("flag", "node"),
    "visited": ("node",),
    "not_visited": ("node",),
    "all": ("rules",),
    "ending": ("endings", "points"),
}
#: Top-level fields a rubric file may have (`recommended`/`debriefs`: keyfile.py; `critical`/`serious`:
#: critical.py; `audit`: audit.py).
RUBRIC_FIELDS = ("scenario", "decisions", "caps", "critical", "serious", "title", "notes", "recommended", "debriefs",
                 "audit")


@dataclass(frozen=True)
class Rule:
    type: str
    node: str | None = None
    choices: tuple[str, ...] = ()
    if_not_visited: str = "zero"
    first: str | None = None
    then: str | None = None
    flag: str | None = None
    points: Mapping[str, float] = field(default_factory=dict)     # ending: outcome class -> points
    endings: Mapping[str, float] = field(default_factory=dict)    # ending: ending node id -> points
    rules: tuple["Rule", ...] = ()                                 # all: the parts


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
    caps: Mapping[str, float] = field(default_factory=dict)   # ending id -> most the whole call can earn there
    critical_acts: tuple[CriticalAct, ...] = ()                # choices that cap the call wherever they happen

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

def parse_rubric(data: Any, file: str, scenario: Scenario | None) -> tuple[Rubric | None, list[Problem]]:
    problems: list[Problem] = []

    def err(line, msg, node=None, severity=ERROR):
        problems.append(Problem(file, line, node, msg, severity))

    if not isinstance(data, LineDict):
        return None, [Problem(file, 1, None, "a rubric file must be a mapping with 'scenario' and 'decisions'")]
    for key in data:
        if key not in RUBRIC_FIELDS:
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
    caps = {}
    raw_caps = data.get("caps")
    if raw_caps is not None:
        if not isinstance(raw_caps, LineDict):
            err(data.line_of("caps"), "'caps' must map ending ids to the most points the call can earn there")
        else:
            for ending, value in raw_caps.items():
                if scenario is not None and (ending not in scenario.nodes or not scenario.node(ending).is_ending):
                    err(raw_caps.line_of(ending), f"caps: '{ending}' is not an ending of scenario '{scenario.id}'", ending)
                elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    err(raw_caps.line_of(ending), f"caps: '{ending}' needs a number of points (0 or more)", ending)
                else:
                    caps[ending] = float(value)
    critical_acts, more = parse_critical(data, file, scenario)
    problems += more
    if any(p.is_error for p in problems):
        return None, problems
    return Rubric(sid, tuple(decisions), file, caps, critical_acts), problems


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
    if rtype == "declined":
        if ("flag" in rd) == ("node" in rd):
            err(rd.line, f"decision '{did}': a 'declined' rule needs exactly one of 'flag' or 'node'")
            return None
        if "flag" in rd:
            return Rule("declined", flag=check_flag("flag"))
        node = check_node("node")
        return Rule("declined", node=node)
    if rtype == "all":
        parts = rd.get("rules")
        if not isinstance(parts, list) or not parts:
            err(rd.line_of("rules"), f"decision '{did}': an 'all' rule needs 'rules', a list of rules")
            return None
        out = []
        for part in parts:
            holder = LineDict(rule=part)
            holder.line = getattr(part, "line", rd.line_of("rules"))
            sub = _parse_rule(part, holder, did, points, scenario, err)
            if sub is not None:
                if sub.type == "ending":
                    err(holder.line, f"decision '{did}': an 'ending' rule cannot be part of an 'all' rule")
                    continue
                out.append(sub)
        return Rule("all", rules=tuple(out)) if len(out) == len(parts) else None
    # ending
    endings_table, table = rd.get("endings"), rd.get("points")
    if endings_table is None and table is None:
        err(rd.line, f"decision '{did}': an 'ending' rule needs 'endings' (ending id: points)")
        return None
    by_node = {}
    if endings_table is not None:
        if not isinstance(endings_table, LineDict) or not endings_table:
            err(rd.line_of("endings"), f"decision '{did}': 'endings' must map ending ids to points")
        else:
            for ending, value in endings_table.items():
                if nodes is not None and (ending not in nodes or not nodes[ending].is_ending):
                    err(endings_table.line_of(ending), f"decision '{did}': '{ending}' is not an ending of "
                                                       f"scenario '{scenario.id}'", ending)
                elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= points:
                    err(endings_table.line_of(ending), f"decision '{did}': points for '{ending}' must be 0..{_num(points)}")
                else:
                    by_node[ending] = float(value)
            if nodes is not None and table is None:
                for n in scenario.endings:
                    if n.id not in endings_table:
                        err(endings_table.line, f"decision '{did}': ending '{n.id}' is not listed (it would earn 0); "
                                                f"list it with 0 to say so", n.id, severity=WARNING)
    out = {}
    if table is not None:
        if not isinstance(table, LineDict) or not table:
            err(rd.line_of("points"), f"decision '{did}': 'points' must map outcome classes to points")
            table = LineDict()
        for outcome, value in table.items():
            if outcome not in OUTCOMES:
                err(table.line_of(outcome), f"decision '{did}': '{outcome}' is not an outcome class "
                                            f"({', '.join(OUTCOMES)})")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= points:
                err(table.line_of(outcome), f"decision '{did}': points for '{outcome}' must be 0..{_num(points)}")
            else:
                out[outcome] = float(value)
        if scenario is not None:
            present = {n.outcome for n in scenario.endings}
            for outcome in out:
                if outcome not in present:
                    err(table.line_of(outcome), f"decision '{did}': scenario has no '{outcome}' ending",
                        severity=WARNING)
    values = list(out.values()) + list(by_node.values())
    if values and max(values) < points:
        err(rd.line, f"decision '{did}': no ending earns the full {_num(points)} points", severity=WARNING)
    return Rule("ending", points=out, endings=by_node)


def validate_rubric(path: str | os.PathLike, scenario: Scenario | None = None) -> list[Problem]:
    """Every problem in a rubric file; with `scenario`, also checks that the nodes,
    choices and flags it names exist there."""
    from .key_file import read_key_file

    return read_key_file(path, scenario).problems


def load_rubric(path: str | os.PathLike, scenario: Scenario | None = None) -> Rubric:
    from .key_file import load_key_file

    return load_key_file(path, scenario).rubric


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
    """Apply the POLICY: (attempt index, its replay, notes). The first attempt that made a
    decision counts, complete or not; attempts after it are practice."""
    attempts, notes = _attempts(record)
    for i, a in enumerate(attempts):
        if not a["choices"]:
            continue            # an attempt with no decision is not an attempt (a restart never played)
        rep = replay(scenario, a["choices"])
        if len(attempts) > i + 1:
            later = len(attempts) - i - 1
            notes.append(f"Attempt {i + 1}, your first, is the one scored; the {later} later "
                         f"attempt{'s were' if later > 1 else ' was'} practice.")
        if not rep.complete:
            notes.append(f"Your first attempt stopped after {len(rep.run.steps)} decision"
                         f"{'' if len(rep.run.steps) == 1 else 's'} without reaching an ending, so it was "
                         "scored without ending credit.")
        return i, rep, notes
    return None, None, notes or ["No attempt was recorded."]


def score_attempt(scenario: Scenario, rubric: Rubric, record: Any) -> ScenarioScore:
    """Score the attempt the POLICY selects from `record` (the answers-file value)."""
    index, rep, notes = select_attempt(scenario, record)
    run = rep.run if rep is not None else ScenarioRun(scenario)
    complete = rep is not None and rep.complete
    if rep is not None and rep.error:
        notes.append(f"Attempt {index + 1}: {rep.error}.")
    return score_run(scenario, rubric, run, complete, rep is not None, index, notes,
                     rep.error if rep is not None else None)


def score_run(scenario: Scenario, rubric: Rubric, run: ScenarioRun, complete: bool, attempted: bool = True,
              index: int | None = 0, notes: list[str] | None = None, replay_error: str | None = None
              ) -> ScenarioScore:
    """Score one played run (the audit scores every path this way, exactly as the grader does)."""
    notes = list(notes or [])
    lines = [_score_decision(scenario, d, run, complete, attempted) for d in rubric.decisions]
    earned = sum(ln.earned for ln in lines)
    cap = rubric.caps.get(run.node.id) if complete else None
    if cap is not None and earned > cap:
        notes.append(f"The call ended in harm or left someone at risk ({outcome_label(run.outcome)}, "
                     f"'{run.node.id}'): good decisions along the way do not outweigh that, so the score for "
                     f"this call is capped at {_num(cap)} of {_num(rubric.possible)} (it would have been "
                     f"{_num(earned)}).")
        earned = cap
    found = acts_on_path(rubric.critical_acts, run, rubric.possible)
    lowest = lowest_cap(found)
    for act in found:
        notes.append(feedback_line(act, rubric.possible, earned, act is lowest))
    if lowest is not None and earned > lowest.cap:
        earned = lowest.cap
    return ScenarioScore(
        scenario_id=scenario.id, earned=earned, possible=rubric.possible,
        lines=lines, attempt_index=index, complete=complete, outcome=run.outcome if complete else None,
        notes=notes, replay_error=replay_error,
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
    if r.type == "all":
        parts = [_score_decision(scenario, ScoredDecision(d.id, d.description, 1.0, sub), run, complete, attempted)
                 for sub in r.rules]
        ok = all(p.earned >= 1.0 for p in parts)
        return line(ok, " ".join(p.what_you_did for p in (parts if ok else [p for p in parts if p.earned < 1.0])))
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
        if a is None:
            return line(False, f"Never done: {_flag_name(scenario, r.first)}."
                        + (f" (Instead: {_flag_name(scenario, r.then)}, decision {b + 1}.)" if b is not None else ""))
        if b is None:
            return line(True, f"Done: {_flag_name(scenario, r.first)} (decision {a + 1}).")
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
    if r.type == "declined":
        if not complete:
            return line(False, "This can only be judged on a complete attempt.")
        chances = declined_chances(run, r)
        taken = (_first_set(run, r.flag) is not None) if r.flag else (r.node in run.visited)
        what = _flag_name(scenario, r.flag) if r.flag else f"the '{r.node}' outcome"
        if taken:
            return line(False, f"Happened: {what}.")
        if not chances:
            return line(False, f"Your path never offered the choice, so there is nothing to credit: {what}.")
        return line(True, f"You were offered it (decision {chances[0] + 1}) and did not: {what}.")
    # ending
    if not complete:
        return line(False, "No ending was reached, so there is no ending credit.")
    outcome = run.outcome
    earned = r.endings[run.node.id] if run.node.id in r.endings else r.points.get(outcome, 0.0)
    return line(earned, f"Your attempt ended: {outcome_label(outcome)} ('{run.node.id}').")


def declined_chances(run: ScenarioRun, rule: Rule) -> list[int]:
    """The decisions (indexes) at which a choice was offered that would set `rule.flag`, or
    would lead straight to `rule.node`, whether or not it was taken."""
    out = []
    for i in range(len(run.steps)):
        state, flags = run.state_before(i)
        for c in run.offered(i):
            if rule.flag is not None and rule.flag in c.effects.set_flags and rule.flag not in flags:
                out.append(i)
                break
            if rule.node is not None:
                after_state, after_flags = c.effects.apply(state, flags)
                if c.resolve_next(after_state, after_flags) == rule.node:
                    out.append(i)
                    break
    return out
