"""recognise(statement, reply): which listening skills and roadblocks a reply shows."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import features, rules, safety
from .labels import EXPLANATIONS, ROADBLOCKS, SKILLS, TIPS, kind_of


@dataclass(frozen=True)
class Finding:
    label: str        # a label id from labels.py
    kind: str         # "skill" or "roadblock"
    evidence: str     # the words of the reply that show it
    explanation: str  # one line a student understands


@dataclass(frozen=True)
class Recognition:
    statement: str
    reply: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    anchored: bool = False          # the reply carries content from the statement
    full_repetition: bool = False   # the reply repeats the whole statement back
    safety_context: bool = False    # direct safety questions belong here (crisis, welfare, domestic)
    hostile: bool = False           # a hostile, sarcastic or blaming question

    @property
    def labels(self) -> set[str]:
        return {f.label for f in self.findings}

    @property
    def skills(self) -> set[str]:
        return {f.label for f in self.findings if f.kind == "skill"}

    @property
    def roadblocks(self) -> set[str]:
        return {f.label for f in self.findings if f.kind == "roadblock"}

    def __str__(self) -> str:
        if not self.findings:
            return "No listening skills or roadblocks recognised."
        return "\n".join(f"{f.kind}: {f.label} - \"{f.evidence}\" - {f.explanation}" for f in self.findings)


_ORDER = {label: i for i, label in enumerate(SKILLS + ROADBLOCKS)}


def recognise(statement: str, reply: str, context: str | None = None) -> Recognition:
    """Return the skills and roadblocks that `reply` shows as an answer to `statement`.

    `context` (optional) is where the statement was said: a statements.yaml setting such as
    "domestic_dispute" or "mental_health_crisis", or a word such as "crisis" or "domestic"
    (a written item's key may give it). It decides whether a direct safety question belongs;
    without it the statement is read for risk cues (see safety.py).
    """
    statement = statement or ""
    reply = reply or ""
    fixed, index = features.restore_apostrophes(reply)
    ctx = rules.Context(fixed, statement)
    evidence: dict[str, list[str]] = {}
    in_context = safety.belongs(statement, context)
    # a blaming question about self-harm ("How could you even think about hurting yourself?")
    # is judging, not a safety question
    asked = [q for q in safety.safety_questions(ctx.sentences, in_context) if not rules.blaming(q)]
    if asked:
        evidence["safety_question"] = asked
    for label, detector in (
        ("effective_pause", rules.effective_pause),
        ("minimal_encourager", rules.minimal_encourager),
        ("open_question", rules.open_question),
        ("emotional_labeling", rules.emotional_labeling),
        ("i_message", rules.i_message),
        ("mirroring", rules.mirroring),
        ("summarizing", rules.summarizing),
    ):
        hits = detector(ctx)
        if hits:
            evidence[label] = hits
    if asked and "open_question" in evidence:
        # "Where are the tablets now?" asks about the risk; it is not an invitation to talk
        evidence["open_question"] = [h for h in evidence["open_question"] if not any(h in a for a in asked)]
        if not evidence["open_question"]:
            del evidence["open_question"]
    if asked and "mirroring" in evidence:
        evidence["mirroring"] = [h for h in evidence["mirroring"] if not any(h in a for a in asked)]
        if not evidence["mirroring"]:
            del evidence["mirroring"]
    hits = rules.paraphrasing(ctx, set(evidence))
    if hits:
        evidence["paraphrasing"] = hits
    if "mirroring" in evidence and "paraphrasing" in evidence:
        # the same short sentence cannot be both a copy of their words and a rewording
        evidence["paraphrasing"] = [h for h in evidence["paraphrasing"] if h not in evidence["mirroring"]]
        if not evidence["paraphrasing"]:
            del evidence["paraphrasing"]
    for label, hits in rules.roadblocks(ctx).items():
        # a mirrored fragment ("Stop shouting at you?") repeats their words; it is not an order;
        # "Have you thought about suicide?" asks about the risk, it does not advise
        hits = [h for h in hits if h not in evidence.get("mirroring", []) and not any(h in a for a in asked)]
        if hits:
            evidence[label] = hits
    def original(e: str) -> str:
        # evidence is found in the apostrophe-restored text; show it as the student typed it
        e = e.strip()
        at = fixed.find(e) if fixed != reply else -1
        if at < 0 or not e:
            return e
        return reply[index[at]:index[at + len(e) - 1] + 1]

    findings = tuple(
        Finding(label, kind_of(label), "; ".join(dict.fromkeys(original(e) for e in hits)), EXPLANATIONS[label])
        for label, hits in sorted(evidence.items(), key=lambda kv: _ORDER[kv[0]])
    )
    # a hostile, sarcastic or blaming QUESTION ("What's your problem, mate?", "Why would you do
    # something so stupid?") costs more than a roadblock stated plainly (scoring.py)
    hostile = any(rules.HOSTILE_QUESTION.search(x.norm) or (x.end.startswith("?") and rules.blaming(x.norm))
                  for x in ctx.sentences)
    return Recognition(statement, reply, findings, ctx.anchored, ctx.full_repetition, in_context, hostile)


def suggestion(recognition: Recognition) -> str:
    """One concrete next step for the student, based on what the reply did."""
    if recognition.hostile:
        return ("Drop the challenge: a hostile or sarcastic question makes people defend themselves. "
                "Name what you see instead ('You sound angry') and ask 'What's happened?'.")
    if recognition.roadblocks:
        first = min(recognition.roadblocks, key=_ORDER.get)
        return TIPS[first]
    if recognition.full_repetition:
        return ("You repeated their whole statement; instead, echo just their last few words "
                "or put their main point in your own words.")
    skills = recognition.skills
    if not skills:
        return TIPS["emotional_labeling"]
    if "safety_question" in skills:
        # a direct safety question is the right move here; never swap it for a paraphrase
        if "emotional_labeling" not in skills:
            return ("Asking directly about the risk was right. Keep listening after their answer, "
                    "and name the feeling you hear: 'That sounds frightening'.")
        return "Asking directly about the risk was right. Next, listen to the answer and reflect it back."
    if not recognition.anchored and not skills & {"emotional_labeling", "mirroring"}:
        return ("Tie your reply to what they actually said: repeat their last few words, "
                "or put their main point in your own words.")
    for label in ("emotional_labeling", "paraphrasing", "open_question"):
        if label not in skills:
            return TIPS[label]
    return "Good listening. Next, leave a short pause and let them fill the silence."
