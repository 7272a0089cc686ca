"""score_reply: partial credit in [0, 1] for a student's written reply.

Credit comes from genuine skills and is reduced by roadblocks. A reply that shares no
content with the statement (for example a string of listening phrases: "it sounds like you
feel, I hear you, what happened") is credited with at most ONE skill, so keyword stuffing
never earns more than a genuine single-skill reply.
"""
from __future__ import annotations

from .labels import SKILLS
from .recognise import Recognition, recognise

FIRST_SKILL = 0.5        # credit for one genuine skill
EXTRA_SKILL = 0.25       # each further genuine skill
ROADBLOCK_PENALTY = 0.25  # each roadblock
# Skills that show the reply is about this statement even when few words are shared.
_TIED = {"mirroring", "paraphrasing", "summarizing", "safety_question"}
HOSTILE_PENALTY = 0.25   # a hostile or sarcastic question costs this on top of its roadblock


# Skills that show the reply answers them even when it shares no word with the statement.
_ON_TOPIC = _TIED | {"emotional_labeling", "minimal_encourager", "effective_pause"}


def off_topic(rec: Recognition) -> bool:
    """The reply is about something else: it has content words of its own (two or more), none
    from the statement, and no skill that answers them regardless ("What's your favourite
    team?" to a person on a bridge). "What happened?" or "Tell me more" is not off topic."""
    from .features import content_stems
    from .rules import PAUSE_MARKER
    if rec.anchored or rec.skills & _ON_TOPIC:
        return False
    return len(content_stems(PAUSE_MARKER.sub(" ", rec.reply))) >= 2


def counted_skills(rec: Recognition, expected: set[str] | None = None) -> set[str]:
    """The skills that earn credit: all of them if the reply is tied to the statement, else one."""
    skills = set(rec.skills)
    if rec.anchored or skills & _TIED or len(skills) <= 1:
        return skills
    # not tied to the statement: keep a single skill, preferring one the exercise asked for
    order = [s for s in SKILLS if s in skills]
    preferred = [s for s in order if expected and s in expected]
    return {(preferred or order)[0]}


def score_reply(statement: str, reply: str, expected_skills: set[str] | None = None,
                context: str | None = None) -> float:
    """Partial credit for `reply` as an answer to `statement`, in [0, 1].

    Without `expected_skills`: 0.5 for one genuine skill, +0.25 for each further one (max 1).
    With `expected_skills`: the share of the expected skills shown (0.25 if only other skills
    are shown); a direct safety question asked where it belongs stands in for one missing
    expected skill. Each roadblock then takes off 0.25, and a hostile or sarcastic question
    another 0.25. `context` is where the statement was said (see recognise()).
    """
    _check(expected_skills)
    return score_recognition(recognise(statement, reply, context), expected_skills)


def _check(expected_skills) -> None:
    if expected_skills is not None:
        unknown = set(expected_skills) - set(SKILLS)
        if unknown:
            raise ValueError(f"expected_skills has unknown skill ids: {sorted(unknown)}; known: {', '.join(SKILLS)}")


def score_recognition(rec: Recognition, expected_skills: set[str] | None = None) -> float:
    """score_reply for a reply already recognised (the same rules, no second pass)."""
    _check(expected_skills)
    skills = counted_skills(rec, set(expected_skills) if expected_skills else None)
    if expected_skills:
        expected = set(expected_skills)
        if "safety_question" in skills and rec.safety_context:
            # a direct safety question stands in for one expected skill: asking about the
            # risk is never worse than the paraphrase or question the key hoped for
            expected_hit = skills & expected
            missing = sorted(expected - skills)
            if missing and "safety_question" not in expected:
                expected_hit = expected_hit | {missing[0]}
            hit = len(expected_hit)
        else:
            hit = len(skills & expected)
        credit = hit / len(expected) if hit else (0.25 if skills else 0.0)
    else:
        credit = 0.0 if not skills else min(1.0, FIRST_SKILL + EXTRA_SKILL * (len(skills) - 1))
    score = credit - ROADBLOCK_PENALTY * len(rec.roadblocks) - (HOSTILE_PENALTY if rec.hostile else 0.0)
    return round(max(0.0, min(1.0, score)), 3)
