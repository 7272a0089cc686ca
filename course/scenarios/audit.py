"""Audit a scenario's rubric on every path: a check that can fail.

    python -m course.scenarios.audit                       # every scenario that has a rubric
    python -m course.scenarios.audit protest path/to/x.yaml --keys keys
    course audit protest

It plays every path through the scenario (every loop-free path, plus paths that go round a
loop: at most `loops` returns to a node already visited, default 2, and no node more than
twice), scores each with the rubric exactly as the grader does, prints a table per scenario
(paths, score distribution, best and worst path per ending) and checks the properties the
instructor states in the rubric file's `audit:` section::

    audit:
      harmful:                 # endings where someone is harmed or left at risk
        max_share: 0.2         # ... score at most this share of the maximum, on every path
        endings: [force_end, injury_end, wrong_arrest_end]
      flags:                   # a flag the rubric relies on, and every choice that means it
        rushed: [plan.go_in_fast, doorway_unprepared.grab_wrist]
      ending_flags:            # every path into this ending has these flags set
        force_end: [indiscriminate_force]
      loops: 2

and the critical acts and serious errors the rubric names per choice (`critical:`, `serious:`,
see `critical.py`): every path that takes one scores at most its cap (30% or 60% of the maximum)
and the recommended path takes none; the table lists each with the highest score any path with
it earns. And, always: the recommended path (the key's `best` choices) reaches an ending and scores the
maximum; no "did not do X" item (`flag_not_set`, `not_visited`, `chose` with
`if_not_visited: full`) pays on a path that was never offered X; every ending is reached by
some path. Exit status 1 when a property fails, each failure named by scenario, property and
path; 2 when a file cannot be loaded.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .critical import CriticalAct, acts_on_path
from .errors import ERROR, Problem, ScenarioError
from .keyfile import apply_key
from .loader import LineDict, resolve_scenario
from .model import Scenario
from .key_file import load_key_file
from .rubric import Rubric, Rule, declined_chances, find_keys_dir, score_attempt, score_run
from .run import ScenarioRun, replay

DEFAULT_LOOPS = 2
MAX_DECISIONS = 40
MAX_PATHS = 200_000


@dataclass
class AuditConfig:
    harmful: tuple[str, ...] = ()
    max_share: float = 0.0
    flags: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    ending_flags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    loops: int = DEFAULT_LOOPS


@dataclass
class PathResult:
    choices: list[str]
    ending: str
    earned: float
    run: ScenarioRun
    lines: list


@dataclass
class ActSummary:
    """One critical or serious choice over every audited path: how many take it, the best score."""

    act: CriticalAct
    cap: float
    paths: int = 0
    highest: float | None = None


@dataclass
class AuditReport:
    scenario: Scenario
    rubric: Rubric
    config: AuditConfig
    paths: list[PathResult]
    simple: int                       # how many paths visit no node twice
    best: PathResult | None
    failures: list[str] = field(default_factory=list)
    truncated: bool = False
    acts: list[ActSummary] = field(default_factory=list)

    @property
    def possible(self) -> float:
        return self.rubric.possible

    def table(self) -> str:
        return render_table(self)


# -- reading the audit section --------------------------------------------------------------

def parse_audit(data, file: str, scenario: Scenario) -> tuple[AuditConfig, list[Problem]]:
    problems: list[Problem] = []

    def err(line, msg, node=None):
        problems.append(Problem(file, line, node, msg, ERROR))

    raw = data.get("audit") if isinstance(data, LineDict) else None
    if raw is None:
        return AuditConfig(), [Problem(file, getattr(data, "line", 1), None,
                                       "no 'audit:' section: state which endings are harmful (audit: harmful: ...)")]
    if not isinstance(raw, LineDict):
        return AuditConfig(), [Problem(file, data.line_of("audit"), None, "'audit' must be a mapping")]
    cfg = AuditConfig()
    for key in raw:
        if key not in ("harmful", "flags", "ending_flags", "loops"):
            err(raw.line_of(key), f"audit: unknown field '{key}' (fields: harmful, flags, ending_flags, loops)")
    harm = raw.get("harmful")
    if harm is not None:
        if not isinstance(harm, LineDict):
            err(raw.line_of("harmful"), "audit: 'harmful' must be {max_share: 0..1, endings: [ending ids]}")
        else:
            share = harm.get("max_share")
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                err(harm.line_of("max_share"), "audit: harmful 'max_share' must be a number from 0 to 1")
                share = 0.0
            ends = harm.get("endings")
            if not isinstance(ends, list) or not all(isinstance(e, str) for e in ends):
                err(harm.line_of("endings"), "audit: harmful 'endings' must list ending ids")
                ends = []
            for e in ends:
                if e not in scenario.nodes or not scenario.node(e).is_ending:
                    err(harm.line_of("endings"), f"audit: '{e}' is not an ending of scenario '{scenario.id}'", e)
            cfg.harmful, cfg.max_share = tuple(ends), float(share)
    flags = raw.get("flags")
    if flags is not None:
        if not isinstance(flags, LineDict):
            err(raw.line_of("flags"), "audit: 'flags' must map a flag to the choices (node.choice) that set it")
        else:
            for flag, refs in flags.items():
                line = flags.line_of(flag)
                if flag not in scenario.flags:
                    err(line, f"audit: flag '{flag}' is not declared in scenario '{scenario.id}'")
                if not isinstance(refs, list) or not all(isinstance(r, str) and r.count(".") == 1 for r in refs):
                    err(line, f"audit: flags '{flag}' must list choices as node.choice")
                    continue
                pairs = []
                for ref in refs:
                    nid, cid = ref.split(".")
                    if nid not in scenario.nodes or scenario.node(nid).choice(cid) is None:
                        err(line, f"audit: flags '{flag}': no choice '{ref}' in scenario '{scenario.id}'", nid)
                    else:
                        pairs.append((nid, cid))
                cfg.flags[flag] = tuple(pairs)
    ending_flags = raw.get("ending_flags")
    if ending_flags is not None:
        if not isinstance(ending_flags, LineDict):
            err(raw.line_of("ending_flags"), "audit: 'ending_flags' must map an ending to the flags every path into it sets")
        else:
            for ending, names in ending_flags.items():
                line = ending_flags.line_of(ending)
                if ending not in scenario.nodes or not scenario.node(ending).is_ending:
                    err(line, f"audit: '{ending}' is not an ending of scenario '{scenario.id}'", ending)
                if not isinstance(names, list) or any(n not in scenario.flags for n in names):
                    err(line, f"audit: ending_flags '{ending}' must list declared flags")
                    continue
                cfg.ending_flags[ending] = tuple(names)
    loops = raw.get("loops", DEFAULT_LOOPS)
    if isinstance(loops, bool) or not isinstance(loops, int) or not 0 <= loops <= 5:
        err(raw.line_of("loops"), "audit: 'loops' must be a whole number from 0 to 5")
        loops = DEFAULT_LOOPS
    cfg.loops = loops
    return cfg, problems


# -- walking every path ---------------------------------------------------------------------

def all_runs(scenario: Scenario, loops: int = DEFAULT_LOOPS, limit: int = MAX_PATHS
             ) -> Iterator[tuple[ScenarioRun, bool]]:
    """(played run, loop-free?) for every complete path: at most `loops` returns to a node
    already on the path, no node more than twice, at most MAX_DECISIONS decisions. Each run is
    played by the engine itself, one choice at a time (shared prefixes are played once)."""
    count = 0
    stack = [(ScenarioRun(scenario), {scenario.start: 1}, 0)]
    while stack and count < limit:
        run, seen, repeats = stack.pop()
        if run.ended:
            count += 1
            yield run, repeats == 0
            continue
        if len(run.steps) >= MAX_DECISIONS:
            continue
        state, flags = run.state, run.flags
        for choice in reversed(run.visible_choices()):
            new_state, new_flags = choice.effects.apply(state, flags)
            target = choice.resolve_next(new_state, new_flags)
            again = repeats + (target in seen)
            if again > loops or seen.get(target, 0) >= 2:
                continue
            nxt = dict(seen)
            nxt[target] = nxt.get(target, 0) + 1
            child = run.fork()
            child.choose(choice.id)
            stack.append((child, nxt, again))


def recommended_path(scenario: Scenario) -> tuple[list[str], str | None]:
    """Follow the recommended choice from the start: (choice ids, problem or None)."""
    run = ScenarioRun(scenario)
    while not run.ended:
        node = run.node
        visible = [c.id for c in run.visible_choices()]
        if not node.best:
            return run.choice_ids, f"decision node '{node.id}' has no recommended choice"
        if node.best not in visible:
            return run.choice_ids, f"the recommended choice '{node.best}' at '{node.id}' is hidden on this path"
        run.choose(node.best)
        if len(run.steps) > MAX_DECISIONS:
            return run.choice_ids, "the recommended choices go round a loop without reaching an ending"
    return run.choice_ids, None


# -- the properties --------------------------------------------------------------------------

NEGATIVE = ("flag_not_set", "not_visited", "chose")


def _negative_parts(rule: Rule) -> list[Rule]:
    if rule.type == "all":
        return [p for sub in rule.rules for p in _negative_parts(sub)]
    if rule.type in ("flag_not_set", "not_visited") or (rule.type == "chose" and rule.if_not_visited == "full"):
        return [rule]
    return []


def _had_chance(run: ScenarioRun, part: Rule) -> bool:
    """Was X ever offered on this path, for a "did not do X" part?"""
    if part.type == "flag_not_set":
        return bool(declined_chances(run, Rule("declined", flag=part.flag)))
    if part.type == "not_visited":
        return bool(declined_chances(run, Rule("declined", node=part.node)))
    # chose with if_not_visited: full pays without the node being visited: X = reaching it
    if any(s.from_node.id == part.node for s in run.steps):
        return True
    return bool(declined_chances(run, Rule("declined", node=part.node)))


def _short(path: list[str], width: int = 140) -> str:
    text = " > ".join(path) or "(no choice)"
    return text if len(text) <= width else text[: width - 3] + "..."


def audit(scenario: Scenario, rubric: Rubric, config: AuditConfig) -> AuditReport:
    results: list[PathResult] = []
    simple = 0
    truncated = False
    for count, (run, loop_free) in enumerate(all_runs(scenario, config.loops), start=1):
        score = score_run(scenario, rubric, run, run.ended)
        results.append(PathResult(run.choice_ids, run.node.id, score.earned, run, score.lines))
        simple += loop_free
        truncated = count >= MAX_PATHS
    best_choices, best_problem = recommended_path(scenario)
    best = None
    report = AuditReport(scenario, rubric, config, results, simple, None, truncated=truncated)
    sid, possible = scenario.id, rubric.possible
    fail = report.failures

    if truncated:
        fail.append(f"{sid}: paths: more than {MAX_PATHS} paths; the audit saw only the first (lower 'loops')")
    # 1. the recommended path scores the maximum
    if best_problem:
        fail.append(f"{sid}: recommended path: {best_problem} (path: {_short(best_choices)})")
    else:
        s = score_attempt(scenario, rubric, {"attempts": [{"choices": best_choices}]})
        run = replay(scenario, best_choices).run
        best = report.best = PathResult(best_choices, run.node.id, s.earned, run, s.lines)
        if s.earned < possible:
            missed = ", ".join(f"{ln.id} {ln.earned:g}/{ln.possible:g}" for ln in s.lines if ln.earned < ln.possible)
            fail.append(f"{sid}: recommended path scores {s.earned:g} of {possible:g} ({missed}): {_short(best_choices)}")
        if best.ending in config.harmful:
            fail.append(f"{sid}: recommended path ends at harmful ending '{best.ending}'")
    # 2. harmful endings score at most max_share of the maximum (one line per ending: its top path)
    cap = config.max_share * possible
    for ending in config.harmful:
        over = [r for r in results if r.ending == ending and r.earned > cap + 1e-9]
        if over:
            top = max(over, key=lambda r: (r.earned, -len(r.choices)))
            fail.append(f"{sid}: harmful ending over its cap: '{ending}' scores {top.earned:g} of {possible:g} "
                        f"(cap {cap:g}, {config.max_share:.0%}) on {len(over)} path{'s' * (len(over) > 1)}, "
                        f"e.g. {_short(top.choices)}")
    # 3. no "did not do" item pays on a path that was never offered it (one line per item: its shortest path)
    unearned: dict[str, list[tuple[PathResult, str, float]]] = {}
    for r in results:
        for d, ln in zip(rubric.decisions, r.lines):
            if ln.earned <= 0:
                continue
            for part in _negative_parts(d.rule):
                if not _had_chance(r.run, part):
                    unearned.setdefault(d.id, []).append((r, part.flag or part.node, ln.earned))
                    break
    for did, hits in unearned.items():
        r, what, earned = min(hits, key=lambda h: len(h[0].choices))
        fail.append(f"{sid}: 'did not do' item paid without the chance: '{did}' pays {earned:g} though the path "
                    f"never offered '{what}', on {len(hits)} path{'s' * (len(hits) > 1)}, e.g. {_short(r.choices)}")
    # 4. every ending is reached
    reached = Counter(r.ending for r in results)
    for ending in scenario.endings:
        if not reached[ending.id]:
            fail.append(f"{sid}: ending '{ending.id}' is reached by no path")
    # 5. flags the rubric relies on are set by every choice that means them
    for flag, pairs in config.flags.items():
        for nid, cid in pairs:
            if flag not in scenario.node(nid).choice(cid).effects.set_flags:
                fail.append(f"{sid}: flag '{flag}' is not set by choice '{nid}.{cid}', which the audit says means it")
    for flag in sorted(_rubric_flags(rubric)):
        if not any(flag in c.effects.set_flags for n in scenario.decision_nodes for c in n.choices):
            fail.append(f"{sid}: the rubric relies on flag '{flag}', which no choice sets")
    # 6. every path into an ending has the flags that ending means (one line per ending: its shortest path)
    for ending, names in config.ending_flags.items():
        bad = [r for r in results if r.ending == ending and any(n not in r.run.flags for n in names)]
        if bad:
            r = min(bad, key=lambda r: len(r.choices))
            missing = ", ".join(n for n in names if n not in r.run.flags)
            fail.append(f"{sid}: ending '{ending}' without its flags: reached without {missing} on {len(bad)} "
                        f"path{'s' * (len(bad) > 1)}, e.g. {_short(r.choices)}")
    # 7. a critical act or serious error caps the call on every path that takes it; the recommended path takes none
    summaries = {a.ref: ActSummary(a, a.share * possible) for a in rubric.critical_acts}
    report.acts = list(summaries.values())
    over_cap: dict[str, list[PathResult]] = {}
    for r in results:
        for found in acts_on_path(rubric.critical_acts, r.run, possible):
            summary = summaries[found.act.ref]
            summary.paths += 1
            if summary.highest is None or r.earned > summary.highest:
                summary.highest = r.earned
            if r.earned > found.cap + 1e-9:
                over_cap.setdefault(found.act.ref, []).append(r)
    for ref, bad in over_cap.items():
        top = max(bad, key=lambda r: r.earned)
        summary = summaries[ref]
        fail.append(f"{sid}: {summary.act.severity} choice over its cap: '{ref}' scores {top.earned:g} of "
                    f"{possible:g} (cap {summary.cap:g}) on {len(bad)} path{'s' * (len(bad) > 1)}, "
                    f"e.g. {_short(top.choices)}")
    if best is not None:
        for found in acts_on_path(rubric.critical_acts, best.run, possible):
            fail.append(f"{sid}: the recommended path takes {found.act.severity} choice '{found.act.ref}'")
    for summary in report.acts:
        if not summary.paths:
            fail.append(f"{sid}: {summary.act.severity} choice '{summary.act.ref}' is on no audited path")
    return report


def _rubric_flags(rubric: Rubric) -> set[str]:
    out = set()

    def walk(rule: Rule):
        for f in (rule.flag, rule.first, rule.then):
            if f:
                out.add(f)
        for sub in rule.rules:
            walk(sub)
    for d in rubric.decisions:
        walk(d.rule)
    return out


# -- the table -------------------------------------------------------------------------------

def render_table(report: AuditReport) -> str:
    s, possible = report.scenario, report.possible
    results = report.paths
    scores = Counter(r.earned for r in results)
    lines = [f"## {s.id}: {len(results)} paths ({report.simple} loop-free, {len(results) - report.simple} "
             f"round a loop, at most {report.config.loops} returns); maximum {possible:g}"]
    lines.append("score distribution (score: paths): " + ", ".join(f"{k:g}: {v}" for k, v in sorted(scores.items())))
    if report.best is not None:
        lines.append(f"recommended path: {report.best.earned:g}/{possible:g} at '{report.best.ending}'")
    harmful_scores = [r.earned for r in results if r.ending in report.config.harmful]
    if harmful_scores:
        lines.append(f"worst case for a harmful ending (highest score on one): {max(harmful_scores):g}/{possible:g} "
                     f"(cap {report.config.max_share * possible:g})")
    lines.append("")
    lines.append("| ending | outcome | harmful | paths | min | max | mean |")
    lines.append("|---|---|---|---|---|---|---|")
    by_end: dict[str, list[PathResult]] = {}
    for r in results:
        by_end.setdefault(r.ending, []).append(r)
    for ending in s.endings:
        rs = by_end.get(ending.id, [])
        if not rs:
            lines.append(f"| {ending.id} | {ending.outcome} | {'yes' if ending.id in report.config.harmful else ''} | 0 | | | |")
            continue
        vals = [r.earned for r in rs]
        lines.append(f"| {ending.id} | {ending.outcome} | {'yes' if ending.id in report.config.harmful else ''} | "
                     f"{len(rs)} | {min(vals):g} | {max(vals):g} | {sum(vals) / len(vals):.1f} |")
    lines.append("")
    for ending in s.endings:
        rs = by_end.get(ending.id, [])
        if rs:
            hi = max(rs, key=lambda r: (r.earned, -len(r.choices)))
            lo = min(rs, key=lambda r: (r.earned, len(r.choices)))
            lines.append(f"- {ending.id}: best {hi.earned:g}: {_short(hi.choices, 400)}")
            lines.append(f"  {' ' * len(ending.id)}  worst {lo.earned:g}: {_short(lo.choices, 400)}")
    if report.acts:
        lines.append("")
        lines.append(render_acts(report))
    return "\n".join(lines)


def render_acts(report: AuditReport) -> str:
    """Every critical and serious choice with the highest score any path with it earns."""
    possible = report.possible
    lines = ["| severity | choice | cap | paths | highest score | reason |", "|---|---|---|---|---|---|"]
    for a in sorted(report.acts, key=lambda a: (a.act.severity != "critical", a.act.ref)):
        top = "" if a.highest is None else f"{a.highest:g}/{possible:g}"
        lines.append(f"| {a.act.severity} | {a.act.ref} | {a.cap:g} | {a.paths} | {top} | {a.act.reason} |")
    return "\n".join(lines)


# -- loading and the command line ------------------------------------------------------------

def load_for_audit(ref: str, keys_dir: Path | None = None, rubric_file: Path | None = None,
                   scenarios_dir: Path | None = None) -> tuple[Scenario, Rubric, AuditConfig]:
    """The keyed scenario, its rubric and its audit section; raises ScenarioError with file:line."""
    scenario = resolve_scenario(ref, bases=[keys_dir, keys_dir.parent] if keys_dir is not None else [],
                                folders=[scenarios_dir] if scenarios_dir is not None else ())
    if rubric_file is None:
        keys = keys_dir if keys_dir is not None else find_keys_dir()
        if keys is None:
            raise FileNotFoundError("no keys/scenarios folder found; give --keys")
        rubric_file = Path(keys) / "scenarios" / f"{scenario.id}.yaml"
    read = load_key_file(rubric_file, scenario, audit=True)
    return apply_key(scenario, read.key), read.rubric, read.audit


def audited_ids(keys_dir: Path) -> list[str]:
    """Every scenario with a rubric in keys/scenarios (graded scenarios)."""
    return sorted(p.stem for p in (Path(keys_dir) / "scenarios").glob("*.yaml"))


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="python -m course.scenarios.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help="scenario ids or YAML files (default: every scenario with a rubric in keys/scenarios)")
    parser.add_argument("--keys", type=Path, default=None, help="the keys/ folder (default: found upwards)")
    parser.add_argument("--scenarios-dir", type=Path, default=None,
                        help="the course's scenarios/ folder (default: the course's, else this checkout's)")
    parser.add_argument("--rubric", type=Path, default=None, help="audit against this rubric file (one scenario only)")
    parser.add_argument("--quiet", action="store_true", help="print only the failures")
    return parser


def run_cli(args) -> int:
    keys = args.keys or find_keys_dir()
    refs = list(args.scenarios) or (audited_ids(keys) if keys else [])
    if not refs:
        print("audit: no scenarios to audit (no keys/scenarios folder found)", file=sys.stderr)
        return 2
    if args.rubric is not None and len(refs) != 1:
        print("audit: --rubric needs exactly one scenario", file=sys.stderr)
        return 2
    status = 0
    for ref in refs:
        try:
            scenario, rubric, config = load_for_audit(ref, keys, args.rubric, args.scenarios_dir)
        except (ScenarioError, FileNotFoundError, ValueError) as exc:
            print(f"{ref}: cannot audit:\n{exc}", file=sys.stderr)
            status = 2
            continue
        report = audit(scenario, rubric, config)
        if not args.quiet:
            print(report.table())
            print()
        for line in report.failures:
            print(f"FAIL {line}")
        if report.failures:
            status = max(status, 1)
        elif not args.quiet:
            print(f"{scenario.id}: every audit property holds")
            print()
    return status


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
