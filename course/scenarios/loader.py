"""Read a scenario YAML file into the model, checking it against the schema.

Every YAML mapping is loaded as a `LineDict` that remembers its own line and
the line of each key, so a problem can be reported as ``file:line: node 'x':``.
`load_scenario` raises `ScenarioError` listing every schema or reference
error (wrong types, missing fields, unknown targets, flags, state keys,
speakers, duplicate ids). Graph checks (reachability, loops) live in `validate`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import ERROR, WARNING, Problem, ScenarioError
from .model import (
    DECISION, ENDING, NODE_TYPES, OUTCOMES, STATE_MAX, STATE_MIN,
    Branch, Choice, Condition, Effects, Line, Node, Person, Scenario,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CONDITION_KEYS = ("flags_all", "flags_any", "flags_none", "min", "max")
EFFECT_FLAG_KEYS = ("set", "clear")
MAX_FILE_BYTES = 1_000_000

TOP_REQUIRED = ("id", "title", "setting", "dispatch", "people", "state", "flags", "start", "nodes")
TOP_OPTIONAL = ("summary", "references", "state_words", "state_words_when")
NODE_KEYS = {
    DECISION: ("id", "type", "narrative", "narrative_if", "lines", "choices", "best", "best_why"),
    ENDING: ("id", "type", "narrative", "narrative_if", "lines", "outcome", "debrief"),
}
CHOICE_KEYS = ("id", "text", "effects", "condition", "reaction", "teaching_point", "next", "next_if")


class LineDict(dict):
    """A dict from YAML that knows its line (1-based) and the line of each key."""

    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key) -> int | None:
        return self.key_lines.get(key, self.line)


class _LineNotes:
    """What both loaders add: LineDicts (see _construct_mapping) and the duplicate keys seen."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []


class LineLoader(_LineNotes, yaml.SafeLoader):
    """A SafeLoader that builds LineDicts and notes duplicate keys."""


class FastLineLoader(_LineNotes, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The same on libyaml (about 4x faster on the course's files), when PyYAML has it."""


def _construct_mapping(loader: LineLoader | FastLineLoader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    mapping = loader.construct_mapping(node, deep=True)
    data.update(mapping)
    seen = set()
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                loader.duplicate_keys.append((line, str(key)))
            seen.add(key)
            data.key_lines.setdefault(key, line)


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: str | os.PathLike) -> tuple[Any, list[Problem]]:
    """Parse a YAML file with line numbers; YAML syntax faults become problems."""
    path = Path(path)
    file = str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [Problem(file, None, None, f"file larger than {MAX_FILE_BYTES} bytes; not read")]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, None, None, f"cannot read file: {exc}")]
    # libyaml accepts some tabs PyYAML's own parser refuses ("a:\t1"): text with a tab, and text
    # libyaml refuses (for the message naming the character), go to the pure-Python loader, so
    # a file means the same on every machine.
    try:
        try:
            data, duplicate_keys = _parse(LineLoader if "\t" in text else FastLineLoader, text)
        except yaml.YAMLError:
            data, duplicate_keys = _parse(LineLoader, text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(file, line, None, f"YAML syntax error: {msg}")]
    problems = [Problem(file, line, None, f"key '{key}' appears twice in the same mapping")
                for line, key in duplicate_keys]
    return data, problems


def _parse(loader_class, text: str) -> tuple[Any, list[tuple[int, str]]]:
    loader = loader_class(text)
    try:
        return loader.get_single_data(), loader.duplicate_keys
    finally:
        loader.dispose()


class _Parser:
    """Builds a Scenario from loaded YAML, collecting problems instead of stopping."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.node_id: str | None = None
        self.choice_id: str | None = None
        self.broken_nodes: set[str] = set()   # ids of nodes that failed to parse (no cascade errors)

    # -- reporting ---------------------------------------------------------
    def error(self, line, message, severity=ERROR, node=..., choice=...):
        self.problems.append(Problem(
            self.file, line, self.node_id if node is ... else node, message, severity,
            self.choice_id if choice is ... else choice))

    def warn(self, line, message, **kw):
        self.error(line, message, severity=WARNING, **kw)

    # -- typed field access --------------------------------------------------
    def text(self, d: LineDict, key: str, required: bool = True, what: str = "") -> str:
        if key not in d or d[key] is None:
            if required:
                self.error(d.line, f"{what}missing required field '{key}'")
            return ""
        value = d[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(d.line_of(key), f"{what}'{key}' must be text, not {type(value).__name__}")
            return ""
        value = str(value).strip()
        if required and not value:
            self.error(d.line_of(key), f"{what}'{key}' is empty")
        return value

    def ident(self, d: LineDict, key: str, what: str = "") -> str:
        value = d.get(key)
        if value is None:
            self.error(d.line, f"{what}missing required field '{key}'")
            return ""
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.error(d.line_of(key), f"{what}'{key}' must be an id of lower-case letters, digits, '_' or '-' "
                                       f"(got {value!r})")
            return str(value)
        return value

    def mapping(self, value, line, what: str) -> LineDict | None:
        if not isinstance(value, LineDict):
            self.error(line, f"{what} must be a mapping (key: value), not {type(value).__name__}")
            return None
        return value

    def optional_mapping(self, top, name: str, what: str) -> LineDict | None:
        """The top-level mapping `name`, or None when it is absent or not a mapping (reported)."""
        raw = top.get(name)
        return None if raw is None else self.mapping(raw, top.line_of(name), what)

    def seq(self, value, line, what: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(line, f"{what} must be a list, not {type(value).__name__}")
            return []
        return value

    def unknown_keys(self, d: LineDict, allowed, what: str):
        for key in d:
            if key not in allowed:
                self.error(d.line_of(key), f"unknown field '{key}' in {what} (allowed: {', '.join(allowed)})")

    # -- the document --------------------------------------------------------
    def scenario(self, data) -> Scenario | None:
        top = self.mapping(data, 1, "the scenario file")
        if top is None:
            return None
        for key in TOP_REQUIRED:
            if key not in top:
                self.error(top.line, f"missing required top-level field '{key}'")
        self.unknown_keys(top, TOP_REQUIRED + TOP_OPTIONAL, "the scenario")
        sid = self.ident(top, "id") if "id" in top else ""
        people = self.people(top)
        state = self.state(top)
        flags = self.flags(top)
        state_words = self.state_words(top, state)
        state_words_when = self.state_words_when(top, state, flags)
        references = tuple(self.text_list(top, "references"))
        start = self.ident(top, "start") if "start" in top else ""
        nodes = self.nodes(top)
        self.cross_check(top, nodes, people, state, flags, start)
        if any(p.is_error for p in self.problems):
            return None
        return Scenario(
            id=sid, title=self.text(top, "title"), setting=self.text(top, "setting"),
            dispatch=self.text(top, "dispatch"), people=tuple(people.values()), initial_state=state,
            flags=flags, start=start, nodes=nodes, references=references,
            summary=self.text(top, "summary", required=False), state_words=state_words, state_words_when=state_words_when, source=self.file,
        )

    def text_list(self, d: LineDict, key: str) -> list[str]:
        out = []
        for item in self.seq(d.get(key), d.line_of(key), f"'{key}'"):
            if not isinstance(item, str) or not item.strip():
                self.error(d.line_of(key), f"every entry of '{key}' must be non-empty text")
            else:
                out.append(item.strip())
        return out

    def people(self, top) -> dict[str, Person]:
        people: dict[str, Person] = {}
        for item in self.seq(top.get("people"), top.line_of("people"), "'people'"):
            d = self.mapping(item, top.line_of("people"), "each person")
            if d is None:
                continue
            self.unknown_keys(d, ("id", "name", "role", "description"), "a person")
            pid = self.ident(d, "id", "person: ")
            if pid in people:
                self.error(d.line_of("id"), f"duplicate person id '{pid}'")
            people[pid] = Person(pid, self.text(d, "name", what="person: "), self.text(d, "role", what="person: "),
                                 self.text(d, "description", required=False))
        if "people" in top and not people:
            self.error(top.line_of("people"), "'people' must list at least one person")
        return people

    def state(self, top) -> dict[str, int]:
        d = self.optional_mapping(top, "state", "'state'")
        if d is None:
            return {}
        state = {}
        for key, value in d.items():
            if not isinstance(key, str) or not ID_PATTERN.match(key):
                self.error(d.line_of(key), f"state key {key!r} must be a lower-case id")
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not STATE_MIN <= value <= STATE_MAX:
                self.error(d.line_of(key), f"state '{key}' must be a whole number from {STATE_MIN} to {STATE_MAX}, "
                                           f"not {value!r}")
                state[key] = STATE_MIN      # still declared, so its uses are not reported again
                continue
            state[key] = value
        for needed in ("tension", "rapport"):
            if needed not in d:
                self.error(d.line, f"'state' must include '{needed}'")
        return state

    def flags(self, top) -> dict[str, str]:
        d = self.optional_mapping(top, "flags", "'flags' (flag name: description)")
        if d is None:
            return {}
        flags = {}
        for key, value in d.items():
            if not isinstance(key, str) or not ID_PATTERN.match(key):
                self.error(d.line_of(key), f"flag name {key!r} must be a lower-case id")
                continue
            if not isinstance(value, str) or not value.strip():
                self.error(d.line_of(key), f"flag '{key}' needs a description (text)")
            flags[key] = str(value or "").strip()
        return flags

    def state_words_when(self, top, state, flags) -> dict[str, dict[str, tuple[tuple[int, str], ...]]]:
        """`state_words_when: {flag: {state key: {lowest value: words}}}`: bands that replace the
        same bands while the flag is set."""
        d = self.optional_mapping(top, "state_words_when", "'state_words_when'")
        if d is None:
            return {}
        out = {}
        for flag, words in d.items():
            where = f"state_words_when '{flag}'"
            if flag not in flags:
                self.error(d.line_of(flag), f"state_words_when: '{flag}' is not a declared flag "
                                            f"(declared: {', '.join(flags) or 'none'})")
                continue
            bands = self.mapping(words, d.line_of(flag), f"'{where}'")
            if bands is not None:
                out[flag] = self.word_bands(bands, state, where, partial=True)
        return out

    def state_words(self, top, state) -> dict[str, tuple[tuple[int, str], ...]]:
        d = self.optional_mapping(top, "state_words", "'state_words'")
        return {} if d is None else self.word_bands(d, state, "state_words")

    def word_bands(self, d: LineDict, state, where: str,
                   partial: bool = False) -> dict[str, tuple[tuple[int, str], ...]]:
        """{state key: ((lowest value, words), ...)}; `partial` bands (laid over others) need not start at 0."""
        out = {}
        for key, bands in d.items():
            if key not in state:
                self.error(d.line_of(key), f"{where}: '{key}' is not a state key (declared: {', '.join(state)})")
                continue
            b = self.mapping(bands, d.line_of(key), f"{where} '{key}' (lowest value: words)")
            if b is None:
                continue
            pairs = []
            for low, words in b.items():
                if isinstance(low, bool) or not isinstance(low, int) or not STATE_MIN <= low <= STATE_MAX \
                        or not isinstance(words, str):
                    self.error(b.line_of(low), f"{where} '{key}': each entry must be 'number 0-10: text'")
                    continue
                pairs.append((low, words.strip()))
            pairs.sort()
            if pairs and pairs[0][0] != STATE_MIN and not partial:
                self.error(b.line, f"{where} '{key}': the first band must start at {STATE_MIN}")
            out[key] = tuple(pairs)
        return out

    def nodes(self, top) -> dict[str, Node]:
        nodes: dict[str, Node] = {}
        for item in self.seq(top.get("nodes"), top.line_of("nodes"), "'nodes'"):
            self.node_id = None
            self.choice_id = None
            d = self.mapping(item, top.line_of("nodes"), "each node")
            if d is None:
                continue
            nid = self.ident(d, "id", "node: ")
            self.node_id = nid or None
            if nid in nodes:
                self.error(d.line_of("id"), f"duplicate node id '{nid}' (first defined on line {nodes[nid].line})")
                continue
            node = self.node(d, nid)
            if node is not None:
                nodes[nid] = node
            else:
                self.broken_nodes.add(nid)
        self.node_id = None
        self.choice_id = None
        if "nodes" in top and not nodes and not self.problems:
            self.error(top.line_of("nodes"), "'nodes' must list at least one node")
        return nodes

    def node(self, d: LineDict, nid: str) -> Node | None:
        ntype = d.get("type")
        if ntype not in NODE_TYPES:
            self.error(d.line_of("type"), f"'type' must be one of {', '.join(NODE_TYPES)} (got {ntype!r})")
            return None
        self.unknown_keys(d, NODE_KEYS[ntype], f"a {ntype} node")
        narrative = self.text(d, "narrative")
        variants = self.narrative_if(d)
        lines = []
        for item in self.seq(d.get("lines"), d.line_of("lines"), "'lines'"):
            ld = self.mapping(item, d.line_of("lines"), "each entry of 'lines' (speaker, text)")
            if ld is None:
                continue
            self.unknown_keys(ld, ("speaker", "text"), "a line")
            lines.append(Line(self.ident(ld, "speaker", "line: "), self.text(ld, "text", what="line: "), ld.line))
        if ntype == ENDING:
            outcome = d.get("outcome")
            if outcome not in OUTCOMES:
                self.error(d.line_of("outcome"), f"'outcome' must be one of {', '.join(OUTCOMES)} (got {outcome!r})")
            return Node(nid, ENDING, narrative, tuple(lines), outcome=outcome,
                        debrief=self.text(d, "debrief", required=False), line=d.line, narrative_if=variants)
        choices: list[Choice] = []
        raw_choices = self.seq(d.get("choices"), d.line_of("choices"), "'choices'")
        if not raw_choices:
            self.error(d.line_of("choices"), "a decision node needs at least one choice")
        for item in raw_choices:
            self.choice_id = None
            cd = self.mapping(item, d.line_of("choices"), "each choice")
            if cd is None:
                continue
            choice = self.choice(cd)
            if any(c.id == choice.id for c in choices):
                self.error(cd.line_of("id"), f"duplicate choice id '{choice.id}' in this node", choice=choice.id)
                continue
            choices.append(choice)
        self.choice_id = None
        best = d.get("best")
        if best is not None and not any(c.id == best for c in choices):
            self.error(d.line_of("best"), f"'best' names choice {best!r}, which this node does not have")
        return Node(nid, DECISION, narrative, tuple(lines), tuple(choices), best=best,
                    best_why=self.text(d, "best_why", required=False), line=d.line, narrative_if=variants)

    def narrative_if(self, d: LineDict) -> tuple[tuple[Condition, str], ...]:
        """`narrative_if: [{condition: {...}, narrative: "..."}]`: the narrative this path sees."""
        out = []
        for item in self.seq(d.get("narrative_if"), d.line_of("narrative_if"), "'narrative_if'"):
            vd = self.mapping(item, d.line_of("narrative_if"), "each 'narrative_if' entry (condition, narrative)")
            if vd is None:
                continue
            self.unknown_keys(vd, ("condition", "narrative"), "a narrative_if entry")
            if "condition" not in vd:
                self.error(vd.line, "a 'narrative_if' entry needs a 'condition' (the plain 'narrative' is the default)")
                continue
            out.append((self.condition(vd["condition"], vd.line_of("condition")), self.text(vd, "narrative")))
        return tuple(out)

    def choice(self, cd: LineDict) -> Choice:
        cid = self.ident(cd, "id", "choice: ")
        self.choice_id = cid or None
        self.unknown_keys(cd, CHOICE_KEYS, "a choice")
        condition = self.condition(cd["condition"], cd.line_of("condition")) if "condition" in cd else None
        effects = self.effects(cd.get("effects"), cd.line_of("effects"))
        nxt, next_if = None, ()
        if ("next" in cd) == ("next_if" in cd):
            self.error(cd.line, "a choice needs exactly one of 'next' or 'next_if'")
        elif "next" in cd:
            nxt = self.ident(cd, "next", "choice: ")
        else:
            next_if = self.next_if(cd)
        return Choice(cid, self.text(cd, "text"), self.text(cd, "reaction"), self.text(cd, "teaching_point"),
                      effects, condition, nxt, next_if, cd.line, cd.line_of("next") if nxt else None)

    def next_if(self, cd: LineDict) -> tuple[Branch, ...]:
        raw = self.seq(cd.get("next_if"), cd.line_of("next_if"), "'next_if'")
        branches = []
        for i, item in enumerate(raw):
            bd = self.mapping(item, cd.line_of("next_if"), "each 'next_if' entry (condition, next)")
            if bd is None:
                continue
            self.unknown_keys(bd, ("condition", "next"), "a next_if entry")
            last = i == len(raw) - 1
            if "condition" in bd:
                cond = self.condition(bd["condition"], bd.line_of("condition"))
                if last:
                    self.error(bd.line, "the last 'next_if' entry must have no condition: it is the default")
            else:
                cond = None
                if not last:
                    self.error(bd.line, "only the last 'next_if' entry may leave out 'condition' (the default)")
            branches.append(Branch(cond, self.ident(bd, "next", "next_if: "), bd.line))
        if not raw:
            self.error(cd.line_of("next_if"), "'next_if' must list at least a default entry")
        return tuple(branches)

    def condition(self, raw, line) -> Condition:
        d = self.mapping(raw, line, "'condition'")
        if d is None:
            return Condition(line=line)
        self.unknown_keys(d, CONDITION_KEYS, "a condition")
        parts: dict[str, Any] = {}
        for key in ("flags_all", "flags_any", "flags_none"):
            names = self.seq(d.get(key), d.line_of(key), f"'{key}'")
            if any(not isinstance(n, str) for n in names):
                self.error(d.line_of(key), f"'{key}' must be a list of flag names")
                names = [n for n in names if isinstance(n, str)]
            parts[key] = tuple(names)
        for key in ("min", "max"):
            parts[key] = self.state_numbers(d.get(key), d.line_of(key), key, STATE_MIN, STATE_MAX)
        if not any(parts.values()):
            self.warn(d.line, "empty condition: it always holds")
        return Condition(line=d.line, **parts)

    def state_numbers(self, raw, line, what, low, high) -> dict[str, int]:
        if raw is None:
            return {}
        d = self.mapping(raw, line, f"'{what}' (state key: number)")
        if d is None:
            return {}
        out = {}
        for key, value in d.items():
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                self.error(d.line_of(key), f"'{what}' value for '{key}' must be a whole number from {low} to {high}")
                continue
            out[str(key)] = value
        return out

    def effects(self, raw, line) -> Effects:
        if raw is None:
            return Effects()
        d = self.mapping(raw, line, "'effects'")
        if d is None:
            return Effects()
        deltas = {}
        for key, value in d.items():
            if key in EFFECT_FLAG_KEYS:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not -STATE_MAX <= value <= STATE_MAX:
                self.error(d.line_of(key), f"effect on '{key}' must be a whole number from "
                                           f"{-STATE_MAX} to {STATE_MAX} (a change, e.g. -2)")
                continue
            deltas[str(key)] = value
        flag_sets = {}
        for key in EFFECT_FLAG_KEYS:
            names = self.seq(d.get(key), d.line_of(key), f"effects '{key}'")
            if any(not isinstance(n, str) for n in names):
                self.error(d.line_of(key), f"effects '{key}' must be a list of flag names")
                names = [n for n in names if isinstance(n, str)]
            flag_sets[key] = tuple(names)
        return Effects(deltas, flag_sets["set"], flag_sets["clear"], d.line)

    # -- references between parts -------------------------------------------
    def cross_check(self, top, nodes, people, state, flags, start):
        if start and nodes and start not in nodes:
            self.error(top.line_of("start"), f"'start' names node '{start}', which does not exist", node=None)
        if start in nodes and nodes[start].is_ending:
            self.error(top.line_of("start"), f"'start' node '{start}' is an ending", node=None)
        for node in nodes.values():
            self.node_id = node.id
            self.choice_id = None
            for cond, _ in node.narrative_if:
                for f in cond.flags_named():
                    if f not in flags:
                        self.error(cond.line, f"narrative_if uses flag '{f}', which is not declared under 'flags'")
                for k in cond.state_keys_named():
                    if k not in state:
                        self.error(cond.line, f"narrative_if uses state key '{k}', which is not declared under 'state'")
            for ln in node.lines:
                if ln.speaker and ln.speaker not in people:
                    self.error(ln.line, f"unknown speaker '{ln.speaker}' (declare them under 'people')")
            for choice in node.choices:
                self.choice_id = choice.id
                for target, line in [(choice.next, choice.next_line or choice.line)] + [(b.next, b.line) for b in choice.next_if]:
                    if target and target not in nodes and target not in self.broken_nodes:
                        self.error(line, f"leads to node '{target}', which does not exist")
                conditions = [choice.condition] + [b.condition for b in choice.next_if]
                for cond in filter(None, conditions):
                    for f in cond.flags_named():
                        if f not in flags:
                            self.error(cond.line, f"condition uses flag '{f}', which is not declared under 'flags'")
                    for k in cond.state_keys_named():
                        if k not in state:
                            self.error(cond.line, f"condition uses state key '{k}', which is not declared under 'state'")
                for f in choice.effects.set_flags + choice.effects.clear_flags:
                    if f not in flags:
                        self.error(choice.effects.line or choice.line, f"effects use flag '{f}', which is not declared under 'flags'")
                for k in choice.effects.deltas:
                    if k not in state:
                        self.error(choice.effects.line or choice.line, f"effects change state key '{k}', which is not declared under 'state'")
        self.node_id = None
        self.choice_id = None


def parse_scenario(data: Any, file: str) -> tuple[Scenario | None, list[Problem]]:
    """Build a Scenario from loaded YAML; returns (None, problems) when there are errors."""
    parser = _Parser(file)
    scenario = parser.scenario(data)
    return scenario, parser.problems


def read_scenario(path: str | os.PathLike) -> tuple[Scenario | None, list[Problem]]:
    """Load and parse a file, returning every problem instead of raising."""
    data, problems = load_yaml(path)
    if data is None and problems:
        return None, problems
    scenario, more = parse_scenario(data, str(path))
    problems += more
    if any(p.is_error for p in problems):
        scenario = None
    return scenario, problems


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Load a scenario file; raise ScenarioError naming file, line and node for any schema error."""
    scenario, problems = read_scenario(path)
    if scenario is None:
        raise ScenarioError(problems)
    return scenario


def scenarios_dir() -> Path:
    """The graded scenarios of the course in this source checkout (`scenarios/` beside `keys/`):
    the instructor's, like the keys; never in the package a student installs. A course's own
    folder comes from its configuration (`CourseDir.scenarios_dir`); this is the default for
    the command line and the tests of this checkout."""
    return Path(__file__).resolve().parents[2] / "scenarios"


def practice_scenarios_dir() -> Path:
    """Practice scenarios that ship inside the package (played in the kernel, never graded)."""
    return Path(__file__).resolve().parent.parent / "content" / "scenarios"


def shipped_scenario_ids() -> list[str]:
    return sorted({p.stem for folder in (scenarios_dir(), practice_scenarios_dir()) for p in folder.glob("*.yaml")})


def is_scenario_file(ref) -> bool:
    return str(ref).endswith((".yaml", ".yml"))


def scenario_file(ref, bases=(), folders=()) -> Path:
    """The file a scenario reference names (see resolve_scenario)."""
    if not is_scenario_file(ref):
        if not ID_PATTERN.match(str(ref)):
            raise ValueError(f"not a scenario id: {ref!r}")
        looked = [Path(f) for f in (folders or [scenarios_dir()]) if f is not None] + [practice_scenarios_dir()]
        for folder in looked:
            if (folder / f"{ref}.yaml").is_file():
                return folder / f"{ref}.yaml"
        raise FileNotFoundError(f"no scenario {ref!r}: no {ref}.yaml in {', '.join(str(f) for f in looked)}")
    path = Path(ref)
    if not path.is_absolute():
        candidates = [Path(base) / path for base in bases if base is not None] + [path]
        path = next((c for c in candidates if c.is_file()), candidates[0])
    return path


def resolve_scenario(ref, bases=(), folders=()) -> Scenario:
    """The one rule for a scenario reference (keys, lesson items, audit, report, grader): an id
    names a file `<id>.yaml` in the first of `folders` that has one (the course's scenarios
    folder, a released lesson's `scenarios/`; none given: this checkout's), else a practice
    scenario of the package; a YAML path, if relative, is looked for in each of `bases` in
    order (the keys folder, then the course root or the lesson's folder), then in the working
    folder."""
    return load_scenario(scenario_file(ref, bases, folders))


def load_shipped(scenario_id: str) -> Scenario:
    """A scenario of this checkout's course, or a practice one of the package, by id."""
    return load_scenario(scenario_file(scenario_id))
