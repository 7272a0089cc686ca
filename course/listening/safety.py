"""Direct safety questions, and the contexts where they belong (issue 15).

Asking plainly about a risk to life is good practice in a mental-health crisis, a welfare
check and a domestic call: "Are you thinking about killing yourself?", "Where are the
tablets now?", "Has he ever put his hands on your neck?", "Are there any weapons in the
house?", "Are the children safe?". Such a question is closed (yes/no) on purpose, so the
open-question rule does not credit it and the old feedback told the student to paraphrase
instead. Here it is its own skill, `safety_question`, recognised only where it belongs.

Where it belongs: the written item's key may name the context (`context:` or `setting:`,
a statements.yaml setting such as `domestic_dispute`, or a word such as "crisis",
"suicide", "domestic", "welfare"); without one the statement itself is read: a risk cue
(suicide, self-harm, means, violence at home, threats, weapons) makes it belong, and so (issue
27) does any statement that is not an everyday complaint (noise, a barking dog, parking ...). A
suicide question put to someone complaining about a barking dog is not credited (it is not
penalised either).
"""
from __future__ import annotations

import re

_X = re.IGNORECASE | re.VERBOSE

# Settings (statements.yaml) and words in a key's `context:` that make safety questions belong.
SAFETY_SETTINGS = ("mental_health_crisis", "domestic_dispute", "welfare_check")
CONTEXT_WORDS = re.compile(r"""
    crisis
    | suicid
    | self[-\s]?harm
    | mental
    | welfare
    | domestic
    | \bdv\b
    | \bdva\b
    | abuse
    | violence
    | partner
    | family
    | risk
""", _X)

# Risk cues in the statement itself, used when the key gives no context.
STATEMENT_RISK = re.compile(r"""
    \bno\s+point\b
    | can't\s+(?:do\s+this|go\s+on|take\s+(?:it|this|any\s+more))
    | \b(?:kill|hurt|harm|cut)\s+myself\b
    | \bend\s+(?:it|my\s+life|things)\b
    | \bsuicid
    | \bdon't\s+want\s+to\s+(?:be\s+here|live|wake\s+up)\b
    | \b(?:jump|bridge|ledge|roof|railing)\b
    | \b(?:tablets|pills|overdose|medication)\b
    | \bvoices\b
    | \btired\s+of\s+(?:everything|living|pretending|it\s+all)\b
    | \bwhat's\s+the\s+point\b
    | \b(?:pinned|choked|strangl\w*|throat|punched|slapped|smashed|hits?\s+me|hit\s+me|beat\s+me|beats\s+me)\b
    | \bthreaten\w*
    | \bregret\s+it\b
    | \b(?:weapon|knife|knives|gun|firearm)s?\b
    | \b(?:scared|afraid|frightened)\s+of\s+(?:him|her)\b
    | \b(?:he|she)(?:'ll|\s+will)\s+hurt\b
    | \bshoved\s+me\b
    | \btook\s+my\s+(?:car\s+)?keys\b
    | \byelling\s+at\s+my\s+(?:mum|mom|mother)\b
    | \bevery\s+time\s+he\s+drinks\b
""", _X)

# The question itself. Each alternative is one kind of risk a negotiator asks about.
SAFETY_QUESTION = re.compile(r"""
    # suicide and self-harm: thoughts, intent, plans
    \b(?:think\w*|thought|thoughts|plan\w*|going|want\w*|consider\w*|tempted|intend\w*|feel\w*\s+like|urges?)\b
      [^.!?]{0,40}?
      \b(?:kill\w*\s+(?:yourself|himself|herself)|suicid\w*|end\w*\s+(?:your|his|her)\s+(?:own\s+)?life
         |end\w*\s+it\s+all|tak\w*\s+(?:your|his|her)\s+(?:own\s+)?life|harm\w*\s+(?:yourself|himself|herself)
         |hurt\w*\s+(?:yourself|himself|herself)|not\s+(?:be\w*\s+here|wak\w*\s+up)|(?:to\s+)?die\b)
    | \bare\s+you\s+(?:feeling\s+)?suicidal\b
    | \b(?:want|wanting)\s+to\s+die\b
    | \bsuicide\b[^.!?]*\?
    | \bhave\s+you\s+(?:ever\s+)?(?:tried|attempted)\s+(?:to\s+)?(?:kill|end|take|suicide|harm|hurt)
    | \b(?:voices|they)\s+(?:ever\s+|still\s+|ever\s+)?(?:tell\w*|say\w*|ask\w*)\s+you\s+to\s+(?:hurt|harm|kill)
    # the means: what they have, where it is, what they have taken
    | \b(?:have|got|keep|kept|access\s+to|where\s+are|where's|where\s+is|how\s+many)\b[^.!?]{0,40}?
      \b(?:tablets|pills|medication|meds|rope|blade|razor|anything\s+(?:with\s+you\s+)?(?:that\s+)?(?:you|he|she)\s+could\s+(?:hurt|harm|use))
    | \bhave\s+you\s+(?:already\s+)?taken\s+(?:any|anything|something|some)\b
    | \bwhat\s+have\s+you\s+taken\b
    | \b(?:anything|something)\b[^.!?]{0,40}\b(?:hurt|harm)\s+(?:yourself|himself|herself|you|her|him|themselves)\s+with\b
    # weapons
    | \b(?:weapons?|guns?|firearms?|shotguns?|knives|knife|rifles?)\b[^.!?]*\?
    | \b(?:any|a|his|her)\s+(?:weapons?|guns?|firearms?|knives)\b
    # non-fatal strangulation
    | \bhands?\s+(?:on|around|round)\s+(?:your|her|his|their)\s+(?:neck|throat)
    | \bstrangl\w*
    | \bchok\w*\s+(?:you|her|him)\b
    | \b(?:by|round|around)\s+the\s+(?:throat|neck)\b
    | \b(?:squeez\w*|grab\w*)\s+(?:your|her|his)\s+(?:neck|throat)
    # threats to kill or hurt
    | \bthreaten\w*\s+(?:to\s+)?(?:kill|hurt|harm)
    | \b(?:said|say|says|told\s+you)\s+(?:he|she|they)(?:'d|'ll|\s+would|\s+will)\s+(?:kill|hurt)
    # children in the home, and past violence at home
    | ^(?:and\s+|so\s+)?(?:are|is|were|was|has|have|did|does|do|where)\b[^.!?]{0,40}\b(?:kids|children|child|baby|babies|sister|brother)\b
        [^.!?]{0,30}\b(?:safe|okay|ok|all\s+right|alright|hurt|in\s+the\s+(?:house|flat|home)|at\s+home|upstairs|now)\b
    | \b(?:are|is)\s+there\s+(?:any\s+)?(?:other\s+)?(?:children|kids|a\s+baby|babies)\b
    | \b(?:are|is)\s+(?:you|the\s+\w+|your\s+\w+)(?:\s+and\s+(?:your|the)\s+\w+)?\s+safe\b
    | \bhas\s+(?:he|she|your\s+\w+)\s+ever\s+(?:hurt|hit|harmed|attacked|assaulted|beaten|hurt\s+the)\b
""", _X)

# A model-found safety question must name a risk (issue 27): "Has he hurt you before tonight?",
# "Are you planning to jump?", not "Has he been to this address before?".
RISK_WORD = re.compile(r"""
    \b(?:hurt\w*|harm\w*|kill\w*|die|dying|dead|death|suicid\w*|jump\w*|end\w*\s+(?:it|your|things|my|his|her)
       |life|live|weapons?|knives|knife|guns?|firearms?|blades?|tablets|pills|meds|medication|overdos\w*|taken
       |cut\w*|neck|throat|strangl\w*|chok\w*|breath\w*|threat\w*|safe|safety|hit|hits|hitting|beat\w*
       |violen\w*|physical|attack\w*|assault\w*|rope|bridge|edge|ledge|plan)\b
""", _X)

# A question, or a request to answer one ("I need to ask you ..."), as opposed to a report.
ASKING = re.compile(r"""
    \?\s*$
    | ^(?:are|is|has|have|did|do|does|were|was|can|could|will|would|where|how)\b
    | \bi\s+(?:need|have|want)\s+to\s+ask\b
    | \bi'm\s+(?:going\s+to|gonna)\s+ask\b
    | \bcan\s+i\s+ask\b
""", _X)


# Everyday complaints where a question about a risk to life is out of place unless the statement
# itself carries a risk cue: noise, a barking dog, parking, bins, a fence, a fare, a queue.
LOW_RISK = re.compile(r"""
    \b(?:bark\w*|noise|noisy|music|loud|party|parties|speakers?|drums?|parking|parked|park\s+(?:in|on|across)
       |driveway|bins?|rubbish|litter|hedge|fence|boundary|tree|gutter|extension|wall\s+between
       |fare|ticket|refund|receipt|queue|bouncers?|pub|bar|club|match|stadium|road\s+(?:is\s+)?closed|diversion
       |march|marching|picket|banners?|placards?|protest\w*|rally|petition)\b
""", _X)


def belongs(statement: str, context: str | None = None) -> bool:
    """Is a direct safety question good practice here (crisis, welfare check, domestic call)?

    With a context, the context decides (a risk cue in the statement still counts). Without one
    (issue 27), the question is credited unless the statement is an everyday complaint (LOW_RISK)
    with no risk cue: failing to credit a good safety question penalises a student for good
    practice, while crediting one put to a noise complaint costs nothing (it is never penalised).
    """
    statement = statement or ""
    if STATEMENT_RISK.search(statement):
        return True
    if context:
        c = str(context).strip().lower()
        return bool(c in SAFETY_SETTINGS or CONTEXT_WORDS.search(c))
    return not LOW_RISK.search(statement)


def safety_questions(sentences, context_ok: bool) -> list[str]:
    """The sentences of a reply that ask directly about a risk to life (empty out of context)."""
    if not context_ok:
        return []
    found = []
    for i, s in enumerate(sentences):
        t = s.norm.strip()
        if not SAFETY_QUESTION.search(t):
            continue
        nxt = sentences[i + 1] if i + 1 < len(sentences) else None
        if ASKING.search(t):
            found.append(s.text)
        elif nxt is not None and nxt.end.startswith("?") and len(nxt.norm.split()) <= 4:
            # "... they're thinking about suicide. Are you?"
            found.append(s.text + " " + nxt.text)
    return found
