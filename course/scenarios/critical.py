"""Critical acts and serious errors: a harmful act caps the whole call wherever it happens.

Simulation assessment (critical actions in an ACLS megacode, critical errors in an OSCE) fails a
station on one harmful act, whatever else went well. A scenario rubric file
(``keys/scenarios/<id>.yaml``) names those acts per choice, each with a one-line reason an
assessor can read::

    critical:                       # the whole call earns at most 30% of the maximum
      knife_down.cuff_for_safety: Handcuffed a compliant man who was not under arrest.
    serious:                        # the whole call earns at most 60% of the maximum
      lethal_means.only_the_knife: Left the pills he had disclosed within his reach.

The scorer (`rubric.score_run`) applies the lowest cap of any critical or serious choice on the
scored path, together with the ending's cap, and the feedback names each act and its reason. The
audit (`audit.py`) checks the caps on every path and prints, per act, the highest score any path
with it earns.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .errors import Problem
from .loader import LineDict
from .model import Scenario
from .run import ScenarioRun

#: severity -> the most share of the maximum a call with such an act can earn
SEVERITY_SHARE = {"critical": 0.3, "serious": 0.6}
SEVERITY_WORDS = {"critical": "Critical act", "serious": "Serious error"}
MAX_REASON_CHARS = 240


@dataclass(frozen=True)
class CriticalAct:
    """One choice a rubric marks as critical or serious, and why."""

    node: str
    choice: str
    severity: str          # "critical" or "serious"
    reason: str
    line: int | None = None

    @property
    def ref(self) -> str:
        return f"{self.node}.{self.choice}"

    @property
    def share(self) -> float:
        return SEVERITY_SHARE[self.severity]


@dataclass(frozen=True)
class ActOnPath:
    """A critical or serious act as it happened on a path: which decision, and the cap it sets."""

    act: CriticalAct
    decision: int            # 0-based index of the step
    choice_text: str
    cap: float


def parse_critical(data, file: str, scenario: Scenario | None) -> tuple[tuple[CriticalAct, ...], list[Problem]]:
    """The rubric file's `critical` and `serious` sections, checked against the scenario.
    Every problem names the file, the line and the choice."""
    problems: list[Problem] = []
    acts: list[CriticalAct] = []
    seen: dict[str, str] = {}
    if not isinstance(data, LineDict):
        return (), problems
    for severity in SEVERITY_SHARE:
        raw = data.get(severity)
        if raw is None:
            continue
        if not isinstance(raw, LineDict):
            problems.append(Problem(file, data.line_of(severity), None,
                                    f"'{severity}' must map choices (node.choice) to a one-line reason"))
            continue
        for ref, reason in raw.items():
            line = raw.line_of(ref)
            if not isinstance(ref, str) or ref.count(".") != 1 or not all(ref.split(".")):
                problems.append(Problem(file, line, None, f"{severity}: '{ref}' must name a choice as node.choice"))
                continue
            nid, cid = ref.split(".")
            if scenario is not None:
                if nid not in scenario.nodes or scenario.node(nid).is_ending:
                    problems.append(Problem(file, line, nid, f"{severity}: '{nid}' is not a decision node of "
                                                             f"scenario '{scenario.id}'", choice=cid))
                    continue
                if scenario.node(nid).choice(cid) is None:
                    problems.append(Problem(file, line, nid, f"{severity}: node '{nid}' has no choice '{cid}'",
                                            choice=cid))
                    continue
            if not isinstance(reason, str) or not reason.strip():
                problems.append(Problem(file, line, nid, f"{severity}: '{ref}' needs a one-line reason an "
                                                         f"assessor can read (got {reason!r})", choice=cid))
                continue
            text = " ".join(reason.split())
            if "\n" in reason.strip() or len(text) > MAX_REASON_CHARS:
                problems.append(Problem(file, line, nid, f"{severity}: the reason for '{ref}' must be one line "
                                                         f"of at most {MAX_REASON_CHARS} characters", choice=cid))
                continue
            if ref in seen:
                problems.append(Problem(file, line, nid, f"{severity}: '{ref}' is already marked {seen[ref]}; "
                                                         f"a choice is critical or serious, not both", choice=cid))
                continue
            seen[ref] = severity
            acts.append(CriticalAct(nid, cid, severity, text, line))
    return tuple(acts), problems


def acts_on_path(acts: Iterable[CriticalAct], run: ScenarioRun, possible: float) -> list[ActOnPath]:
    """Every critical or serious act the run took, in the order taken."""
    by_ref = {a.ref: a for a in acts}
    out = []
    for index, step in enumerate(run.steps):
        act = by_ref.get(f"{step.from_node.id}.{step.choice.id}")
        if act is not None:
            out.append(ActOnPath(act, index, " ".join(step.choice.text.split()), act.share * possible))
    return out


def lowest_cap(found: list[ActOnPath]) -> ActOnPath | None:
    """The act that caps the call lowest (the first taken, on a tie)."""
    return min(found, key=lambda a: (a.cap, a.decision)) if found else None


def feedback_line(found: ActOnPath, possible: float, earned_before: float, lowest: bool = True) -> str:
    """What the student reads: the act, why it failed the call, and what it did to the score
    (`lowest`: this is the act whose cap decides the score)."""
    word = SEVERITY_WORDS[found.act.severity]
    kind = "act" if found.act.severity == "critical" else "error"
    quoted = found.choice_text.strip("\"'")
    said = quoted if quoted[-1:] in ".!?" else quoted + "."
    head = (f"{word} at decision {found.decision + 1}: you chose \"{said}\" {found.act.reason} "
            f"A {found.act.severity} {kind} caps the whole call at {_num(found.cap)} of {_num(possible)}")
    if not lowest:
        return f"{head}."
    if earned_before > found.cap:
        return f"{head}, whatever else went well (it would have been {_num(earned_before)})."
    return f"{head}; your score was already at or below that."


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
