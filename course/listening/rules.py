"""Transparent rules: one detector per label, each returning the words that show it.

Every detector takes a Context (the reply, the statement and their features) and returns
a list of evidence strings (empty when the label is absent). The patterns are written out
here so an instructor can see exactly why a reply earned (or lost) a label.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property

from . import features as F
from .lexicon import (EMOTION_PHRASES, EMOTION_PREFIXES, OFFICER_FEELINGS, STOPWORDS,
                      STRONG_ENCOURAGERS, WEAK_ENCOURAGERS)

_I = re.IGNORECASE
_X = re.IGNORECASE | re.VERBOSE

# ---------------------------------------------------------------- shared pieces
# The patterns are compiled with _X (re.VERBOSE): spaces and line breaks in them are layout
# only, a literal space is written "\ " and "#" starts a comment.
PAUSE_MARKER = re.compile(r"""
    # a pause word in brackets: "(pause)", "[long silence]", "(stays quiet)"
    [(\[]\s*(?:long\s+|short\s+|brief\s+|a\s+)?
    (?:
      pause[sd]?
    | silence
    | silent
    | waits?
    | waiting
    | quiet
    | stays\ quiet
    | says\ nothing
    )
    [^)\]]*[)\]]
    # a stage direction in brackets or asterisks that mentions a silence ("(stays silent for a
    # moment)", "*long pause*", "[stands quietly, letting her finish]", "(a beat of silence)")
    | [(\[*]\s*(?:[a-z']+[\s,]+){0,6}?
      (?:
        pause[sd]?
      | pausing
      | silen(?:ce|t|tly)
      | waits?
      | waiting
      | quiet(?:ly)?
      | says\s+nothing
      | saying\s+nothing
      | lets?\s+the\s+silence
      | beat\s+of\s+silence
      )
      \b[^)\]*]{0,60}[)\]*]
    # an ellipsis standing alone between words: "I know ... it's hard"
    | (?:(?<=\s)|^)(?:\.\.\.|…)(?=\s|$)
""", _X)

_EMO = "(?:" + "|".join(re.escape(p) for p in EMOTION_PHRASES) + "|" + \
    "|".join(r"\b" + re.escape(p) + r"[a-z]*" for p in EMOTION_PREFIXES) + ")"
EMOTION = re.compile(_EMO, _I)

# Intensifiers before an emotion word. Written for verbose mode: use it only inside _X patterns.
_ADV = r"""(?:really|so|very|pretty|a\s+bit|a\s+little|quite|completely|totally|just|kind\s+of|also|too|both
           |clearly|obviously|understandably|still|absolutely|incredibly|extremely|genuinely|properly)"""
# cue ... emotion word, all in one clause (no sentence punctuation in between)
EMOTIONAL_LABEL = re.compile(r"""
    (?:
      # "(it) sounds like you're ...", "seems as though you've been ..."
      \b(?:it|that|this)?\s*(?:sounds?|seems?|looks?)\s+(?:like|as\s+if|as\s+though)\s+
        you(?:'re|\s+are|'ve\s+been|\s+have\s+been|\s+feel|\s+felt|\s+were|'re\s+feeling|\s+are\s+feeling
           |\s+might\s+be|\s+may\s+be|\s+must\s+be)?
      # "you seem ...", "you must be ...", "you're feeling ..."
    | \byou(?:'re|\s+are)?\s+
        (?:sound|seem|look|appear|must\s+be|must\s+feel|must\s+have\s+been|might\s+be|may\s+be|feel|felt
          |'re\s+feeling|are\s+feeling|were\s+feeling)
      # "that sounds ...", "it must have left you feeling ..."
    | \b(?:that|this|it)\s+
        (?:sounds|must\s+be|must\s+have\s+been|must\s+feel|seems|looks|must\s+(?:have|leave|make)\s+you(?:\s+feeling)?)
    | \bi'm\s+guessing\s+you(?:'re|\s+are|\s+feel|\s+felt|'re\s+feeling)?
    | \bi\s+(?:understand|can\s+(?:see|hear|understand))\s+(?:your|the)
    | \bno\s+wonder\s+you(?:'re|\s+are|\s+feel)?
      # "that's humiliating", "that would be so frightening": only before a feeling word
    | \bthat(?:'s|\s+is|\s+was|'d\s+(?:be|make\s+anyone)|\s+would\s+(?:be|make\s+anyone))
        (?=\s+(?:so|really|very|pretty|incredibly|absolutely|just|such)?\s*
          (?:humiliat|heartbr|gutt|terrif|scary|frighten|madden|infuriat|frustrat|upsett|devastat|distress|hurtful
            |lonel|isolat|exhaust|stressful|disheart|demorali|angry|furious|livid|worrying|unsettl|sad\b))
    | \b(?:that|it)\s+would\s+make\s+anyone
    | \bi\s+can\s+(?:hear|see|tell)\s+(?:how|that|you're|you\s+are)
    | \bi'm\s+hearing
    | \bi\s+am\s+hearing
    )
    # up to four words before the emotion word, none of them a negation ("not", "n't")
    (?P<gap>(?:\s+(?!not\b|n't\b)[a-z'\-]+){0,4}?)\s*,?\s+
    (?P<emotion>""" + _EMO + r""")
    # "you're so angry", "you've been getting really worried"
    | \byou(?:'re|\s+are|'ve\s+been|\s+have\s+been|\s+were|\s+get|'re\s+getting)
      (?P<gap2>(?:\s+""" + _ADV + r"""|\s+feeling|\s+getting|\s+still)*)\s+
      (?P<emotion2>""" + _EMO + r""")
""", _X)

_FEELINGS = "|".join(re.escape(f) + r"[a-z]*" for f in OFFICER_FEELINGS)
I_MESSAGE = re.compile(r"""
    (?:
      # "I feel worried", "I'm a bit concerned", "I start to feel uneasy"
      \bi(?:'m|\s+am|\s+feel|\s+felt|\s+get|\s+got|\s+become|\s+start\s+to\s+feel|\s+was)
        (?:\s+(?:really|a\s+bit|a\s+little|so|very|quite|pretty|also|too|kind\s+of))?\s+
        (?P<feeling>""" + _FEELINGS + r""")
    | \bit\s+(?:worries|concerns|bothers|scares|frightens|upsets|troubles)\s+me
    | \b(?:it|that|this)\s+makes\s+me\s+(?:feel\s+)?(?:really\s+|a\s+bit\s+|quite\s+)?
        (?:""" + _FEELINGS + r""")
    )
    # ... and the reason: "when", "because", "if" ... in the same sentence
    (?P<rest>[^.!?]{0,80}?\b(?:when|because|cause|cuz|'cause|as|if|hearing|seeing|knowing|that(?!'s))\b[^.!?]*)
""", _X)

WH_START = re.compile(r"""
    ^(?:what|what's|how|who|where|when)\b
""", _X)
OPEN_INVITE = re.compile(r"""
    \b(?:
      tell\s+me\s+(?:more|about|what|how|where|who|when|everything|your)
    | walk\s+me\s+through
    | talk\s+me\s+through
    | help\s+me\s+understand
    | (?:can|could|would|will)\s+you\s+(?:tell|walk|talk)\s+me
    | i'd\s+(?:like|love)\s+to\s+hear\s+(?:more|about|what|how)
    | (?:walk|talk|take)\s+me\s+(?:through|thru)
    | talk\s+to\s+me\s+about
    | fill\s+me\s+in
    | (?:do|would)\s+you\s+(?:want|like|mind)\s+(?:to\s+)?(?:tell|telling|talk|talking)\s+(?:me\s+)?(?:about|more|what|how)
    | explain\s+(?:to\s+me\s+)?(?:what|how)
    | i'd\s+like\s+to\s+(?:hear|know)\s+(?:about|more|what|how)
    | i'm\s+wondering\s+(?:what|how)
    | say\s+more\s+about
    | tell\s+me\s+(?:a\s+bit|a\s+little)\s+(?:more|about)
    )
""", _X)
# Wh- openings that challenge rather than ask: never an open question.
NOT_OPEN = re.compile(r"""
    ^(?:
      how\s+(?:about|could|dare|come|would\s+you\s+like\s+it)
    | what\s+if
    | what\s+(?:were|was)\s+you\s+thinking
    | what\s+did\s+you\s+expect
    | what\s+did\s+you\s+do\s+to
    | what(?:'s|\s+is)\s+wrong\s+with\s+you
    | who\s+do\s+you\s+think
    | what\s+else\s+did\s+you\s+expect
    | what\s+makes\s+you\s+think\s+you
    | what\s+did\s+you\s+do\s*(?:\?|$)
    )
""", _X)
# A wh- sentence typed without its question mark still asks ("what's been the hardest bit"),
# unless it is a statement ("what I'm hearing is", "what we'll do is", "how you feel is").
NOT_A_QUESTION = re.compile(r"""
    ^(?:what|how|where|when|who)\s+(?:i|i'm|i've|we|we'll|we're|you\s+need|you\s+should|you're\s+saying)\b
    | \bis\s*$
""", _X)
LEAD_FILLER = re.compile(r"""
    ^(?:(?:and|so|okay|ok|right|well|then|now|mm-hm|mhm|uh-huh|alright|oh|but)\b[\s,]*)+
""", _X)

SUMMARY_CUE = re.compile(r"""
    \b(?:
      what\s+i'm\s+hearing
    | what\s+i\s+am\s+hearing
    | what\s+i've\s+heard
    | what\s+i\s+have\s+heard
    | let\s+me\s+(?:make\s+sure|check|see\s+if|get\s+this|sum)
    | so\s+far
    | to\s+sum
    | sum\s+up
    | pull\s+(?:this|it|that)\s+together
    | put\s+(?:this|it)\s+together
    | if\s+i've\s+got\s+(?:this|it)
    | if\s+i\s+have\s+(?:this|it)\s+right
    | so\s+you've\s+told\s+me
    | you've\s+told\s+me
    | what\s+i've\s+got
    | in\s+short
    | all\s+together
    | on\s+top\s+of\s+(?:that|all)
    | recap
    | let\s+me\s+(?:just\s+)?(?:make\s+sure|check|see|get\s+(?:this|it|that)\s+(?:right|straight))
    | just\s+so\s+i'm\s+clear
    | so\s+i'm\s+clear
    | if\s+i've\s+(?:got|understood)\s+(?:you|this|that|it)
    | put\s+(?:it|this|that)\s+all\s+together
    | so\s+far\s+i've\s+got
    )
""", _X)
# A check at the end of a run of points ("..., and your son's getting worse. Is that right?")
SUMMARY_CHECK = re.compile(r"""
    (?:
      have\s+i\s+got\s+(?:that|this|it)(?:\s+right)?
    | is\s+that\s+right
    | did\s+i\s+get\s+(?:that|it)\s+right
    | (?:is\s+)?that\s+about\s+right
    | am\s+i\s+right
    | have\s+i\s+missed\s+anything
    | did\s+i\s+miss\s+anything
    )
    \s*\??\s*$
""", _X)

PARAPHRASE_CUE = re.compile(r"""
    ^(?:
      so\b
    | sounds\s+like
    | it\s+sounds\s+like
    | it\s+seems
    | in\s+other\s+words
    | if\s+i\s+understand
    | what\s+i'm\s+hearing
    | you're\s+saying
    | you\s+are\s+saying
    | you're\s+telling\s+me
    | you\s+mean
    | let\s+me\s+see\s+if
    | correct\s+me\s+if
    )
""", _X)

# ---------------------------------------------------------------- roadblocks
# One pattern a line, compiled with _X (verbose: see "shared pieces" above). The order
# matters: code takes slices such as ROADBLOCK_PATTERNS["judging"][:4].
ROADBLOCK_PATTERNS: dict[str, list[re.Pattern]] = {
    "advising": [re.compile(p, _X) for p in (
        r"\byou(?:\s+two|\s+both|\s+guys|\s+all)?\s+(?:really\s+)?(?:should|ought\s+to)\b(?!\s+have\b)(?!n't\s+have\b)",
        r"\bwhy\s+don't\s+you\b",
        r"\bwhy\s+not\s+just\b",
        r"\bhave\s+you\s+(?:tried|thought\s+about|considered)\b",
        r"\bif\s+i\s+were\s+you\b",
        r"\bmy\s+advice\b",
        r"\bthe\s+best\s+thing\s+(?:to\s+do\s+)?(?:is|would\s+be)\b",
        r"\byou\s+(?:might|may)\s+want\s+to\b",
        r"\byou'd\s+be\s+better\s+off\b",
        r"\bwhat\s+you\s+need\s+(?:to\s+do\s+)?is\b(?!\s+for\b)",
        r"""\byou\s+(?:need|have)\s+to\s+(?:get|find|see|talk|report|call|leave\s+him|leave\s+her|move\s+out|try)\b
            (?!\s+(?:down|back|out|off|away))   # "you need to get back" is an order, not advice""",
        r"\btry\s+(?:talking|calling|going|to\s+(?:relax|forget|move\s+on|think))\b",
        r"\bit'd\s+be\s+best\s+if\s+you\b",
        # added from the held-out dev split
        r"\bhave\s+you\s+(?:two|both|guys|all)\s+(?:tried|thought\s+about|considered)\b",
        r"^\s*(?:the\s+)?best\s+thing\s+(?:to\s+do\s+)?(?:is|would\s+be)\b",
        r"\byou(?:'ll|\s+will)\s+(?:have|need)\s+to\s+(?:take|contact|go|call|ring|speak|get|see|talk|sort)\b",
        r"\b(?:couldn't|could|can't|can)\s+you\s+(?:not\s+)?just\b",
        r"\bmaybe\s+(?:try|you\s+could|get|ring|call|talk|speak|just)\b",
        r"\byou\s+could\s+(?:always\s+|just\s+)?(?:try|ring|call|get|go|talk|speak|ask|report|put|move|write|contact)\b",
        r"\byou(?:'ve)?\s+(?:gotta|got\s+to)\s+take\b",
        r"""\byou(?:'ve)?\s+(?:gotta|got\s+to|(?:need|have)\s+to)\s+
            (?:kick|change|contact|ring|tell|stick|block|speak|go\s+to|stop\s+(?:lending|letting|drinking)|look\s+after|put)\b""",
        r"\bi'd\s+(?:recommend|suggest|advise)\b",
        r"\b(?:it'd|it\s+would|it\s+might)\s+be\s+(?:worth|a\s+good\s+idea)\b",
        # a reply that opens with an imperative about their problem ("Just ignore them",
        # "Easy - ring the council", "Get some earplugs")
        r"""
        ^\s*(?:just\s+|maybe\s+|honestly[,\s]+|look[,\s]+|(?:easy|simple)\s*[-–—:,]\s*)*
        (?:
          ignore
        | report
        | ring
        | block
        | contact
        | phone
        | record
        | document
        | start\s+a
        | write\s+(?:to|a)
        | leave\s+a\s+note
        | take\s+(?:photos|pictures)
        | see\s+(?:a|your)\s+(?:gp|doctor|solicitor|lawyer)
        | get\s+(?:a|some|yourself)\s+
            (?:solicitor|lawyer|earplugs|camera|restraining|injunction|receipt|help|counselling|counseling)
        | get\s+(?:some\s+)?earplugs
        | put\s+(?:a|up\s+a)\s+(?:fence|camera|lock|sign|note)
        | give\s+(?:him|her|them)\s+notice
        | talk\s+to\s+(?:your|the|a)\s+(?:gp|doctor|landlord|council|solicitor|lawyer|union|mp)
        | call\s+(?:your|the|a)\s+(?:gp|doctor|landlord|council|solicitor|lawyer|insurance|helpline)
        | tell\s+your\s+(?:people|friends|mates|husband|wife|daughter|son)\s+to
        )\b
        """,
        r"\b(?:next\s+time|in\s+future|from\s+now\s+on)\b.*\b(?:ring|call|phone|just|move|tell|go)\b",
        r"^\s*(?:just\s+)?(?:move|put|park|take|leave|keep)\b[a-z\s]{0,40}\b(?:next\s+time|in\s+future|from\s+now\s+on)\b",
    )],
    "judging": [re.compile(p, _X) for p in (
        # hindsight blame ("You should have called us"), not sympathy: "Nobody should have to carry that
        # alone" and "She shouldn't have to see that" take their side (38 such replies in the files,
        # none labelled judging)
        r"\b(?:should|shouldn't)\s+have\b(?!\s+to\b)",
        r"\bshould've\b",
        r"""\byou(?:'re|\s+are)\s+(?:being\s+)?(?:a\s+bit\s+|so\s+|really\s+|pretty\s+|just\s+|both\s+)?
            (?:ridiculous|unreasonable|childish|dramatic|selfish|silly|irrational|overreacting|hysterical|grumpy
              |petty|paranoid|lazy|stupid|pathetic|crazy|acting\s+like)""",
        r"""\byou\s+(?:sound|seem|look)\s+(?:a\s+bit\s+|so\s+|really\s+)?
            (?:paranoid|ridiculous|crazy|dramatic|hysterical|childish|unreasonable)""",
        r"""\b(?:ridiculous|stupid|pathetic|childish|selfish|petty|silly|irresponsible|embarrassing|excessive|immature
              |disgraceful|shameful)\b""",
        r"\bacting\s+like\s+(?:children|kids|a\s+child|a\s+kid|babies)\b",
        r"\bgrow\s+up\b",
        r"\bact\s+your\s+age\b",
        r"\b(?:your|his|her)\s+own\s+fault\b",
        r"\bpartly\s+on\s+you\b",
        r"\bbrought\s+this\s+on\b",
        r"\bwhat\s+did\s+you\s+expect\b",
        r"\bhow\s+(?:could|dare|can)\s+you\b",
        r"\bwhat\s+did\s+you\s+do\s+to\b",
        r"\bwhat\s+were\s+you\s+thinking\b",
        r"\bwhy\s+(?:do|would|did|are)\s+you\s+(?:stay|even|keep|always|do\s+that|act|bother)\b",
        r"\bnothing\s+to\s+hide\b",
        r"\bfeeling\s+sorry\s+for\s+yourself\b",
        r"\bpull\s+yourself\s+together\b",
        r"\bspoil(?:ed|t)\b",
        r"\bbrat\b",
        r"\byou\s+people\b",
        r"\bthat\s+attitude\b",
        r"\bnobody\s+forced\s+you\b",
        r"\bmak(?:e|ing)\s+(?:such\s+)?a\s+scene\b",
        r"\bof\s+the\s+year\b",
        r"\byou\s+must\s+have\s+(?:given|done|said|provoked)\b",
        r"\bto\s+get\s+attention\b",
        r"\bisn't\s+the\s+way\b",
        r"\b(?:isn't|is\s+not|not)\s+helping\b",
        r"\b(?:isn't|is\s+not|won't)\s+(?:going\s+to\s+)?help\s+(?:your|you|anyone|matters|the\s+situation)\b",
        r"\bwon't\s+help\b(?=[.!?]|\s*$)(?<!they\swon't\shelp)",
        r"\bkids\s+will\s+be\s+kids\b",
        r"\bif\s+you'd\s+(?:kept|just|listened|been)\b",
        r"\bworked\s+up\b",
        r"\bgrown\s+(?:adults|men|women)\b",
        r"\bunfair\s+to\b",
        r"\b(?:lots|plenty)\s+of\s+people\b.*\bmanage\b",
        r"\bshame\s+on\s+you\b",
        r"\bpeople\s+like\s+you\b",
        r"\bno\s+excuse\b",
        r"\bnot\s+(?:okay|acceptable)\s+(?:to|that\s+you)\b",
        r"\bthat\s+was\s+(?:a\s+)?(?:dumb|bad|foolish)\b",
        # added from the held-out dev split
        r"\bwhy\s+(?:didn't|haven't|wouldn't|couldn't|did)\s+you\s+(?:just\s+|even\s+)?\w+",
        r"\b(?:nobody|no\s+one)\s+(?:forced|made|asked|told)\s+you\b",
        r"\b(?:isn't|won't|not|aren't)\s+(?:going\s+to\s+|gonna\s+)?(?:win|do|earn)\s+you\s+any\s+favou?rs\b",
        r"\bwhat\s+did\s+you\s+do\s*(?:\?|$)",
        r"\b(?:you're|you\s+are|you\s+sound|you\s+both\s+sound|you\s+seem)\s+(?:both\s+)?(?:as\s+bad\s+as|just\s+as\s+bad)\b",
        r"\bas\s+bad\s+as\s+each\s+other\b",
        r"\bwasn't\s+(?:very\s+)?(?:smart|clever|wise|sensible)\b",
        r"\bthat\s+was\s+(?:a\s+)?(?:silly|stupid|daft|careless|naive)\b",
        r"\bdaft\b",
        r"(?<!say\s)(?<!says\s)(?<!said\s)(?<!saying\s)\bthat's\s+on\s+you\b",
        r"\bget\s+on\s+with\s+it\b",
        r"\bman\s+up\b",
        r"\bdon't\s+be\s+(?:so\s+)?(?:dramatic|silly|soft|stupid|childish)\b",
        r"\byou\s+can't\s+go\s+(?:around\s+)?\w+ing\b",
        r"\bnot\s+fair\s+on\b",
        r"\byou\s+(?:always|never)\s+\w+",
    )],
    "arguing": [re.compile(p, _X) for p in (
        r"\bthat's\s+not\s+(?:really\s+)?(?:true|right|fair|what|how|a|really|the\s+point)\b",
        r"\bthat\s+(?:isn't|is\s+not)\s+(?:true|right|what|how)\b",
        r"\bnot\s+true\b",
        r"\byou're\s+wrong\b",
        r"\byou\s+are\s+wrong\b",
        r"^\s*come\s+on\b",
        r"[,.]\s*come\s+on\b",
        r"^\s*actually\b",
        r"^\s*well,",
        r"^\s*no,",
        r"\bthere's\s+(?:nobody|no\s+one|nothing)\s+(?:watching|out|there|here|after)\b",
        r"\b(?:nobody|no\s+one)\s+is\s+(?:shouting|watching|after|out\s+to|trying|following|listening\s+to\s+them)\b",
        r"\bit's\s+all\s+in\s+your\s+head\b",
        r"\bmust\s+have\s+(?:done|had|a\s+reason|been\s+a\s+reason)\b",
        r"\b(?:don't|doesn't|do\s+not|does\s+not)\s+just\s+(?:arrest|send|kick|lose|take|close|do)\b",
        r"\bfor\s+no\s+reason\b",
        r"\bdoesn't\s+matter\s+who\b",
        r"\b(?:have|has)\s+a\s+right\s+to\s+\w+\s+too\b",
        r"\byou\s+don't\s+have\s+a\s+right\b",
        r"\bnot\s+(?:really\s+)?a\s+police\s+(?:matter|issue|problem)\b",
        r"\bno\s+expectation\s+of\b",
        r"\bit's\s+not\s+(?:all|that|like\s+that|so)\s+bad\b(?!.*\b(?:will|'ll)\b)",
        r"\bisn't\s+that\s+(?:long|bad|big)\b",
        r"\b(?:you|they|she|he)\s+probably\s+(?:saw|knows|know|just|meant|heard|right)\b",
        r"\bprobably\s+right\b",
        r"\bi\s+doubt\b",
        r"\bi\s+don't\s+believe\b",
        r"\byour\s+word\s+against\b",
        r"\bit's\s+just\s+a\b",
        r"\bi\s+saw\s+you\b",
        r"\bmaybe\s+you\s+(?:do|did|were|are|have)\b",
        r"\b(?:wouldn't|would\s+not)\s+(?:just\s+)?(?:have\s+)?(?:called|kick|do|say|done)\b",
        r"\bthere\s+might\s+be\s+a\s+(?:good\s+)?reason\b",
        r"\btechnically\b",
        r"\bthat\s+doesn't\s+make\s+sense\b",
        r"\bit\s+can't\s+be\s+that\b",
        r"\bwe're\s+not\s+the\s+bad\b",
        r"\b(?:he|she|they)\s+says?\s+(?:he|she|they)\s+saw\b",
        r"\bthe\s+(?:guard|driver|neighbours?|doctors?|shop)\s+(?:says|said|must)\b",
        r"\byou\s+were\s+(?:blocking|shouting|the\s+one)\b",
        # added from the held-out dev split
        r"\b(?:it|that)\s+(?:was|is|'s)\s+probably\b",
        r"\bprobably\s+(?:harmless|nothing|true|right|just\s+(?:kids|a|the|an))\b",
        # "they wouldn't arrest him for no reason": the officer takes the other side
        r"""\b(?:wouldn't|would\s+not|don't|doesn't|didn't)\s+(?:just\s+)?(?:call|arrest|kick|send|stop|grab|take)\b
            [^.!?]*
            \b(?:unless|for\s+nothing|for\s+no\s+reason|without\s+(?:a\s+)?(?:reason|cause))\b""",
        r"\byou're\s+not\s+(?:\w+\s+){1,2}if\b",
        r"\bwon't\s+(?:change|fix|achieve|solve)\s+anything\b",
        r"""\b(?:it's|that's|it\s+is|that\s+is|it\s+isn't|that\s+isn't)\s+not\s+(?:a\s+)?
            (?:crime|illegal|against\s+the\s+law)\b""",
        r"\bnot\s+a\s+crime\b",
        r"\bwas\s+right\s+to\b",
        r"\b(?:had|have|has|got)\s+(?:their|his|her|a|your)\s+(?:good\s+)?reasons?\b",
        r"\b(?:have|has|had)\s+a\s+job\s+to\s+do\b",
        r"\bif\s+you(?:'ve|\s+have)\s+(?:done\s+)?nothing\s+wrong\b",
        r"\bknows?\s+better\s+than\s+you\b",
        r"\b(?:are|is)\s+professionals\b",
        r"\bthat's\s+not\s+what\s+(?:happened|i\s+saw|they\s+said)\b",
        r"\bbe\s+(?:real|serious|honest)\b",
        r"\bsurely\s+(?:not|you|that|he|she|they)\b",
        r"\bi\s+find\s+that\s+hard\s+to\s+believe\b",
        r"\bthat\s+can't\s+be\s+(?:right|true)\b",
        r"\bno,?\s+we\s+do\b",
        r"\byou\s+just\s+don't\s+notice\b",
        r"\bso\s+nobody\s+was\b",
        r"\bthere\s+aren't\s+any\b",
        r"\bit\s+doesn't\s+matter\s+(?:who|what|why)\b",
        r"\bif\s+you\s+were\s+fine\b",
        r"\bdon't\s+give\s+me\s+that\b",
    )],
    "ordering": [re.compile(p, _X) for p in (
        r"""
        \b(?:you|you\s+both|both\s+of\s+you)\s+(?:need|have|must|got)\s+to\s+
        (?:
          calm
        | stop
        | relax
        | settle
        | quiet
        | be\s+quiet
        | sit
        | stand
        | step
        | move
        | leave
        | go
        | put
        | drop
        | lower
        | listen
        | come
        | get\s+(?:down|back|out|off|away|in|over)
        | back
        | turn
        | take\s+.{0,30}\bright\s+now   # "take your hand off the railing right now", not "take a break"
        )\b
        """,
        r"\bi\s+need\s+you\s+to\b",
        r"\byou're\s+going\s+to\s+have\s+to\b",
        r"\byou'd\s+better\b",
        r"\blike\s+you\s+were\s+told\b",
        r"\bthat's\s+an\s+order\b",
        r"\bor\s+(?:we'll|we\s+will|i'll|i\s+will)\s+(?:clear|arrest|have\s+to|move|remove|take)\b",
        r"\byou\s+hear\s+me\?",
        r"""\b(?:you|y'all|you\s+all|everyone|everybody)\s+(?:need|have|must|got)\s+to\s+
            keep\s+(?:your|it|back|quiet|them|those|the)\b""",
        r"\b(?:everybody|everyone)\s+(?:back|move|step|get|calm|stop|sit|stand|stay|keep)\b",
    )],
    "false_reassurance": [re.compile(p, _X) for p in (
        r"\bdon't\s+(?:you\s+)?worry\b",
        r"\bwouldn't\s+worry\b",
        r"\bnothing\s+to\s+(?:worry|be\s+(?:afraid|scared|worried))\b",
        # "everything's going to be fine", "it'll all work out", "that will blow over"
        r"""
        \b(?:everything|it|things|it\s+all|that)(?:'s|\s+is|'ll|\s+will)\s+(?:all\s+)?(?:going\s+to\s+|gonna\s+)?(?:be\s+)?
        (?:
          fine
        | okay
        | ok
        | alright
        | all\s+right
        | better
        | work\s+out
        | blow\s+over
        | sort\s+itself\s+out
        | get\s+better
        | get\s+easier
        )\b
        """,
        r"\bit\s+will\s+(?:all\s+)?(?:get|be)\s+(?:better|fine|okay|easier)\b",
        r"\bi\s+promise\b",
        r"\byou'll\s+(?:be\s+fine|see|feel\s+(?:fine|better)|get\s+over|find\s+another|be\s+okay)\b",
        # "I'm sure he didn't mean it", "I'm sure it'll be fine"
        r"""\bi'm\s+sure\s+(?:he|she|they|it|the|you|everything)(?:'s|'d|'ll|\s+will|\s+would|\s+didn't|\s+is|\s+are)?\s+
            (?:\w+\s+){0,3}?
            (?:will|'ll|better|never|didn't\s+mean|fine|sort|be)\b""",
        r"\b(?:not|no)\s+(?:a\s+)?big\s+deal\b",
        r"\bnever\s+hurt\s+anyone\b",
        r"^\s*it's\s+okay,",
        r"\balways\s+(?:turn\s+around|do|work\s+out)\b",
        r"\bbetter\s+place\b",
        r"\bget\s+easier\b",
        r"\bnever\s+gets\s+out\b",
        r"\b(?:nobody|no\s+one)(?:'s|\s+is)\s+(?:going\s+to|gonna)\s+(?:lose|hurt|get)\b",
        r"\b(?:he|she|they|it)(?:'ll|\s+will)\s+(?:be\s+(?:out|fine|okay|back)|calm\s+down|come\s+out|sleep)\b",
        r"\bget\s+used\s+to\b",
        r"\bin\s+no\s+time\b",
        r"\b(?:he|she|they)(?:'s|'re|\s+is|\s+are)\s+probably\s+just\b",
        r"\bnot\s+going\s+to\s+(?:hurt|happen|get\s+arrested)\b",
        r"\bwon't\s+get\s+(?:arrested|hurt|in\s+trouble)\b",
        r"\bwill\s+be\s+fine\b",
        r"\b(?:he|she|it)'s\s+not\s+going\s+to\s+hurt\b",
        r"\bseem\s+fine\b",
        r"\bit\s+could\s+be\s+worse\b",
        r"\bnot\s+(?:that|so)\s+bad\b(?=.*\b(?:will|'ll)\b)",
        r"\bjust\s+trust\s+me\b",
        # added from the held-out dev split
        r"\bchin\s+up\b",
        r"\bcheer\s+up\b",
        r"\bplenty\s+(?:more|of\s+other)\s+(?:fish|jobs|people)\b",
        r"\bbright\s+side\b",
        r"\b(?:way\s+of|always)\s+working\s+(?:out|themselves\s+out)\b",
        r"\bthese\s+things\s+take\s+time\b",
        r"\btime\s+heals\b",
        r"\bgive\s+it\s+time\b",
        r"\bnot\s+the\s+end\s+of\s+the\s+world\b",
        r"\bno\s+harm\s+done\b",
        r"\byou'll\s+be\s+(?:grand|alright|all\s+right)\b",
        r"\byou(?:'ll|\s+will)\s+(?:sort|work|figure)\s+it\s+out\b",
        r"\byou(?:'re|\s+are)\s+(?:going\s+to|gonna)\s+be\s+(?:fine|ok|okay|alright|all\s+right|grand)\b",
        r"\bit's\s+(?:perfectly\s+|totally\s+|completely\s+|pretty\s+)?normal\b",
        r"\b(?:it's|it\s+is|they're)\s+(?:only|just)\s+(?:one|bins|kids|words|money|a\s+few)\b",
        r"\bit's\s+(?:only\s+|just\s+)?(?:one|a\s+single)\s+(?:night|day|week|evening)\b",
        r"\bnot\s+worth\s+(?:getting|it|worrying|stressing)\b",
        r"\bgrow\s+out\s+of\s+it\b",
        r"\btomorrow's\s+a\s+new\s+day\b",
        r"\bi'm\s+sure\s+(?:someone|somebody|people|they'll|it'll|he'll|she'll)\b",
        r"\bdoesn't\s+mean\s+it\b",
        r"(?:^|,)\s*promise\s*[.!]?\s*$",
        r"\bfamily's\s+family\b",
        r"\bcould\s+be\s+a\s+lot\s+worse\b",
        r"\bworse\s+things\s+happen\b",
        r"\bno\s+need\s+to\s+(?:worry|panic|get\s+upset)\b",
    )],
    "premature_problem_solving": [re.compile(p, _X) for p in (
        r"""\bhere's\s+
            (?:
              what\s+(?:we'll|we\s+will|we're\s+going\s+to|i'll|i'm\s+going\s+to|you'll|you're\s+going\s+to)\s+do
            | the\s+deal
            | the\s+plan
            )\b""",
        r"\bthe\s+plan\s+is\b",
        r"\bproblem\s+solved\b",
        r"\bsorted\b",
        r"\b(?:simple|easy|quick)\s+(?:fix|solution|answer)\b",
        r"^\s*(?:easy|simple)[,:!]",
        r"\bthat'll\s+(?:fix|sort|solve)\b",
        r"\blet's\s+just\b",
        r"\bhow\s+about\s+(?:i|we|this|you\s+(?:take|go|give|pay|move|just))\b",
        r"\bwhat\s+if\s+we\b",
        # the officer takes the problem over: "I'll go over and knock", "we'll get you a taxi"
        r"""\b(?:i'll|we'll|i\s+will|we\s+will)\s+(?:just\s+)?
            (?:
              go\s+(?:over|upstairs|and|knock|round)
            | get\s+(?:you|him|her|them|your|a|some)
            | call\s+(?:a|your|him|her|the)
            | drive
            | move\s+your
            | sort
            | have\s+(?:him|her|them)
            | bring
            | make\s+them
            | tell\s+(?:him|her|them)
            | take\s+the
            | fix
            )\b""",
        r"\bwe\s+can\s+(?:just\s+)?(?:get|sort|call|take|move|have|split|fix)\b",
        r"\bsplit\s+(?:the|it)\b",
        r"\bfifty-fifty\b",
        r"\b(?:you'll|you\s+can)\s+be\s+on\s+your\s+way\b",
        r"^\s*just\s+(?:reroute|move|go|pay|give|take)\b(?!\s+(?:along|back|away|on|home|outside)\b)",
        r"\bclose\s+the\s+protest\b",
        r"\bwe\s+all\s+go\s+home\b",
        r"\bwe\s+call\s+it\s+a\s+night\b",
        # added from the held-out dev split
        r"\bwhat\s+(?:we'll|we\s+will|i'll|i'm\s+going\s+to|we're\s+going\s+to)\s+do\s+is\b",
        r"^\s*tell\s+you\s+what\b",
        r"\bleave\s+it\s+with\s+me\b",
        r"\bwhy\s+don't\s+(?:we|i)\b",
        r"^\s*(?:easy|simple)\s*[-–—]",
        r"\bjob\s+done\b",
        r"\bwe're\s+done\b",
        # "I'll have a word with him", "let me ring the council", "we can get the landlord out"
        r"""
        \b(?:i'll|we'll|i\s+will|we\s+will|let\s+me|i'm\s+going\s+to|we're\s+going\s+to|i\s+can|we\s+can)\s+
        (?:just\s+|quickly\s+|personally\s+)?
        (?:
          have\s+a\s+word
        | ring
        | phone
        | speak\s+to
        | talk\s+to\s+(?:him|her|them|the)
        | knock
        | go\s+(?:up|down|next\s+door|round|over|and)
        | pop
        | chase
        | arrange
        | organi[sz]e
        | sort\s+(?:it|this|that|you|out)
        | call\s+(?:you|a|your|him|her|the|them)
        | warn
        | contact
        | get\s+(?:the|you|him|her|them|a|some|your)
        | move\s+(?:them|the|him|her|your)
        | tell\s+(?:him|her|them)
        | bring
        | drive
        | take\s+(?:you|the|it)
        | drop
        | fix
        | book
        | put\s+in
        )\b
        """,
        r"\bget\s+(?:you|it|this|them)\s+sorted\b",
    )],
}

# An imperative about their problem ("Just move the bins back next time", "Put a fence up"):
# advice, not an order about what they do right now.
ADVICE_IMPERATIVE = re.compile(r"""
    ^\s*(?:just\s+|maybe\s+)?(?:move|put|park|take|leave|keep|get|ring|call|tell)\b[^.!?]{0,50}
      \b(?:next\s+time|in\s+future|from\s+now\s+on|then\s*$)
    | ^\s*(?:just\s+)?put\s+(?:a|up\s+a)\s+(?:fence|camera|lock|sign|note)\b
""", _X)

# An order about what they do right now: "Calm down", "Sir, step back", "Put the knife down".
IMPERATIVE_START = re.compile(r"""
    ^(?:(?:now|please|just|both\s+of\s+you|everyone|everybody|all\s+of\s+you|hey|sir|ma'am|look)[,\s]+)*
    (?:
      calm\s+down
    | settle\s+down
    | quiet\s+down
    | shut\s+up
    | be\s+quiet
    | stop\b
    | put\b
    | drop\b
    | get\s+(?:down|back|out|off|away|in|over|up)\b
    | step\b
    | move\b
    | sit\b
    | stand\b
    | stay\b
    | go\s+(?:home|back|inside|away|and|outside|to)\b
    | come\s+(?:out|down|over|here|with)\b
    | leave\s+(?:his|her|it(?!\s+with\s+me)|them|the|now|him|this|that)\b   # not "leave it with me"
    | lower\b
    | keep\s+(?:your|it|back|quiet)\b
    | listen\s+to\s+me\b
    | turn\s+(?:around|it|that|off|down|the)\b
    | disperse\b
    | empty\b
    | pick\s+up\b
    | hand\s+(?:it|me|over|that)\b
    | unchain\b
    | back\s+(?:off|up|away)\b
    | tell\s+(?:them|him|her|everyone)\s+to\b
    | lock\b
    | don't\s+(?!worry\b)\w+        # "don't worry" is reassurance, not an order
    | do\s+not\s+(?!worry\b)\w+
    | open\s+(?:the|this|that)\b
    | give\s+(?:me|it|that)\b
    | wait\s+(?:outside|here|there|over)\b
    | relax\b
    | release\b
    | drop\s+it\b
    | show\s+me\s+your\s+hands\b
    | hands\s+where\b
    | enough\b
    )
""", _X)


# ---------------------------------------------------------------- context
@dataclass
class Context:
    reply: str
    statement: str
    sentences: list[F.Sentence] = field(init=False)
    norm: str = field(init=False)

    def __post_init__(self) -> None:
        self.norm = F.normalise(self.reply)
        self.sentences = F.sentences(self.reply)

    @cached_property
    def full_repetition(self) -> bool:
        return F.is_full_repetition(self.reply, self.statement)

    @cached_property
    def statement_stems(self) -> set[str]:
        return F.content_stems(self.statement)

    def overlap(self, text: str) -> set[str]:
        return F.content_stems(text) & self.statement_stems

    @cached_property
    def restated(self) -> tuple[int, list[F.Sentence]]:
        """restated(self), once: the summary rule and the model's count both read it."""
        return restated(self)

    @cached_property
    def anchored(self) -> bool:
        """Does the reply carry any content from the statement (not just listening phrases)?"""
        return bool(self.overlap(PAUSE_MARKER.sub(" ", self.reply)))


def _clause_text(s: F.Sentence) -> str:
    """A sentence without pause markers and leading fillers, normalised."""
    t = PAUSE_MARKER.sub(" ", s.norm).strip()
    return LEAD_FILLER.sub("", t).strip()


def _roadblock_sentence(s: F.Sentence) -> bool:
    t = _clause_text(s)
    if IMPERATIVE_START.match(t) and not s.end.startswith("?"):
        return True
    if HOSTILE_QUESTION.search(t) or FLAT_REFUSAL.search(t) or VERDICT.search(t) or ROSY.search(t):
        return True
    if not s.end.startswith("?") and (BARE_ADVICE.match(t) or ORDER_EXTRA.match(t) or IMPERATIVE_VERB.match(t)):
        return True
    return any(p.search(t) for pats in ROADBLOCK_PATTERNS.values() for p in pats)


# ---------------------------------------------------------------- skill detectors
def effective_pause(ctx: Context) -> list[str]:
    return [m.group(0) for m in PAUSE_MARKER.finditer(ctx.reply)]


def minimal_encourager(ctx: Context) -> list[str]:
    # pause markers become same-length "." runs so that spans still point into the reply
    text = PAUSE_MARKER.sub(lambda m: "." + " " * (len(m.group(0)) - 1), ctx.norm)
    found = []
    # pieces separated by any punctuation, remembering what ended each piece
    starts_sentence = True   # the piece begins a sentence (or follows another encourager)
    for m in re.finditer(r"([^.,!?;:…()\[\]]+)(\.\.\.|…|[.,!?;:]+|$)", text):
        piece = re.sub(r"\s+", " ", m.group(1)).strip()
        if not piece:
            continue
        ender = m.group(2)
        original = ctx.reply[m.start(1):m.end(1)].strip()
        hit = False
        if piece in STRONG_ENCOURAGERS:
            hit = True
        elif piece in WEAK_ENCOURAGERS and ender != "," and starts_sentence:
            # "Really?" after a challenge is disbelief, not an invitation
            hit = not (piece == "really" and ender.startswith("?") and found == [] and len(ctx.sentences) > 1)
        if hit:
            found.append(original)
        starts_sentence = hit or ender != ","
    return found


def open_question(ctx: Context) -> list[str]:
    found = []
    for s in ctx.sentences:
        t = _clause_text(s)
        if not t:
            continue
        parts = [t] + [p.strip() for p in t.split(",")[1:] if p.strip()]
        for part in parts:
            part = LEAD_FILLER.sub("", part).strip()
            if NOT_OPEN.match(part):
                continue
            is_q = WH_START.match(part) and (s.end.startswith("?") or (
                s.end == "" and s is ctx.sentences[-1] and not NOT_A_QUESTION.search(part)))
            if is_q or OPEN_INVITE.search(part):
                if not any(p.search(part) for p in ROADBLOCK_PATTERNS["judging"]) and not HOSTILE_QUESTION.search(t):
                    found.append(s.text)
                    break
    return found


def emotional_labeling(ctx: Context) -> list[str]:
    found = []
    # words inside an "I" message ("I feel concerned when you say you're tired") are the officer's
    i_spans = [m.span() for m in I_MESSAGE.finditer(ctx.norm)]
    for m in EMOTIONAL_LABEL.finditer(ctx.norm):
        if any(a <= m.start() < b for a, b in i_spans):
            continue
        # a feeling the officer names about the person, not one the officer has ("I feel ...")
        before = ctx.norm[max(0, m.start() - 6):m.start()]
        if re.search(r"\bi\s*$", before):
            continue
        span = ctx.reply[m.start():m.end()]
        if re.search(r"[.!?]", span[:-1]) or re.search(r"\bnot\b|n't\b", m.group("gap") or m.group("gap2") or ""):
            continue
        found.append(span)
    for m in FEELING_FRAME.finditer(ctx.norm):
        if any(a <= m.start() < b for a, b in i_spans) or re.search(r"\bi\s*$", ctx.norm[max(0, m.start() - 6):m.start()]):
            continue
        sentence = next((x for x in ctx.sentences if x.start <= m.start() < x.start + len(x.norm)), None)
        if sentence is None or NOT_A_FEELING.search(sentence.norm) or HOSTILE_QUESTION.search(sentence.norm):
            continue
        if any(p.search(sentence.norm) for p in ROADBLOCK_PATTERNS["judging"][:4]):
            continue   # "you sound paranoid" is a verdict, not a feeling
        span = ctx.reply[m.start():m.end()].rstrip(" .!,?")
        if not any(span in f or f in span for f in found):
            found.append(span)
    return found


def i_message(ctx: Context) -> list[str]:
    found = []
    for m in I_MESSAGE.finditer(ctx.norm):
        if re.match(r"\s*like\b", ctx.norm[m.end("feeling"):] if m.group("feeling") else ""):
            continue
        found.append(ctx.reply[m.start():m.end()])
    return found


def mirroring(ctx: Context) -> list[str]:
    if ctx.full_repetition:
        return []
    found = []
    stmt = F.canonical(ctx.statement, "statement")
    for s in ctx.sentences:
        text = _clause_text(s)
        if WH_START.match(text) or OPEN_INVITE.search(text):
            continue
        core = F.canonical(text, "reply")
        if not core or len(core) > 8:
            continue
        sm = SequenceMatcher(None, stmt, core, autojunk=False)
        matched = [core[b.b + i] for b in sm.get_matching_blocks() for i in range(b.size)]
        if not matched:
            continue
        if len(matched) < 2 and not any(w not in STOPWORDS for w in matched):
            continue
        if len(matched) / len(core) >= 0.6 and len(matched) <= 7:
            found.append(s.text)
    return found


def _points(text: str) -> list[str]:
    parts = re.split(r"[,;:]|\band\b|\bbut\b|(?<=[.!?])\s", text)
    return [p for p in parts if len(F.words(p)) >= 3]


# A summary needs no cue (content/listening-corpus/README.md, settled in session 7): "Cold since
# November, two small kids in coats at night, and an agent who keeps promising an engineer." Without
# a cue the rule asks for four restated points, not three: on the corpora and spent blind sets marked
# to that convention, four held 110 summaries against 5 paraphrases; three found 254 summaries but
# took 57 paraphrases and 20 other replies with them (the model reads the count, model.BASE_DENSE).
UNCUED_POINTS = 4


def restated(ctx: Context) -> tuple[int, list[F.Sentence]]:
    """How many parts of the statement the reply restates (parts of three words or more, split at
    commas, 'and', 'but' and sentence ends, that share content with the statement), counted in the
    sentences that neither ask nor carry a roadblock; and those sentences."""
    count, holding = 0, []
    for s in ctx.sentences:
        if s.end.startswith("?") or _roadblock_sentence(s):
            continue
        n = sum(1 for p in _points(s.text) if ctx.overlap(p))
        if n:
            count += n
            holding.append(s)
    return count, holding


def summarizing(ctx: Context) -> list[str]:
    if ctx.full_repetition:
        return []
    m = SUMMARY_CUE.search(ctx.norm)
    if m:
        after = ctx.reply[m.end():]
    else:
        check = SUMMARY_CHECK.search(ctx.norm)
        if not check:
            count, holding = ctx.restated
            if count < UNCUED_POINTS:
                return []
            return [ctx.reply[holding[0].start:holding[-1].start + len(holding[-1].text)].strip()]
        after = ctx.reply[:check.start()]
        m = re.match(r"", ctx.norm)
    points = _points(after)
    if len(points) >= 3 and sum(1 for p in points if ctx.overlap(p)) >= 2 and len(ctx.overlap(after)) >= 2:
        return [ctx.reply[m.start():].strip()]
    return []


def paraphrasing(ctx: Context, labels_so_far: set[str]) -> list[str]:
    if ctx.full_repetition or "summarizing" in labels_so_far:
        return []
    found = []
    for i, s in enumerate(ctx.sentences):
        t = _clause_text(s)
        if not t or len(F.words(t)) < 4:
            continue
        prev = ctx.sentences[i - 1] if i else None
        if prev is not None and prev.end == ":" and _roadblock_sentence(prev):
            continue   # "Simple fix: he packs a bag tonight ..." spells out the fix
        if _roadblock_sentence(s) or I_MESSAGE.search(t):
            continue
        if s.end.startswith("?") and (WH_START.match(t) or re.match(r"^(?:is|are|do|does|did|has|have|can|could|will|would)\b", t)):
            continue
        if OPEN_INVITE.search(t):
            continue
        if MINIMISING.match(t):
            continue   # "Plenty of people lose their job" plays the problem down
        emo = EMOTIONAL_LABEL.search(t) or FEELING_FRAME.search(t)
        if emo:
            # a feeling named with its reason: the reason is a paraphrase when it restates
            # content (the words around the feeling, not the feeling itself)
            rest = ctx.overlap(t[:emo.start()] + " " + t[emo.end():])
            if len(rest) >= 2 or (rest and re.match(r"^so\b", s.norm)):
                found.append(s.text)
            continue
        shared = ctx.overlap(t)
        lead = PAUSE_MARKER.sub(" ", s.norm).strip()
        lead = re.sub(r"^(?:(?:and|okay|ok|right|well|then|now|mm-hm|mhm|uh-huh|alright|oh)\b[\s,]*)+", "", lead)
        cue = PARAPHRASE_CUE.match(lead)
        person = re.search(r"\b(?:you|your|you're|you've|he|she|they|his|her|their|he's|she's|they're)\b", t)
        if (cue and shared) or (len(shared) >= 3 and person) or (
                len(shared) >= 2 and person and not s.end.startswith("?") and len(F.words(t)) >= 6):
            found.append(s.text)
        elif _reworded(s, t, lead, cue, person, shared):
            found.append(s.text)
    return found


# A restatement in other words (issue 15): a declarative sentence about the person's
# situation, opened by a paraphrase cue or by the person as its subject, long enough to
# carry content, even when it shares at most one word with the statement.
REWORD_SUBJECT = re.compile(r"""
    ^(?:so\s*,?\s+|right\s*,?\s+|okay\s*,?\s+|and\s+)?
    (?:
      you(?:'ve|'re|'d|\s+have|\s+are|\s+were|\s+had|\s+got|\s+came|\s+did|\s+kept|\s+keep|\s+went|\s+paid|\s+asked|\s+can't|\s+couldn't|\s+haven't|\s+hadn't|\s+still|\s+just)\b
    | your\s+(?!turn\b)[a-z'\-]+(?:\s+[a-z'\-]+)?(?:'s|\s+(?:has|have|had|is|are|was|were|came|went|got|keeps))\b
    | (?:he|she|they)(?:'s|'ve|\s+(?!will\b|would\b|might\b|may\b|could\b|should\b|must\b|probably\b|can\b|shall\b)[a-z']+)\b
    | (?:his|her|their)\s+[a-z'\-]+
    | it's\s+been\b
    | everything(?:'s|\s+has)\b
    | people\s+(?:have|are|keep)\b
    | (?:the|a|your)\s+[a-z'\-]+(?:\s+[a-z'\-]+)?\s+(?:has|have|had|is|are|was|were|keeps|kept|went|came|got|won't|isn't)\b
    )
""", _X)
NOT_REWORD = re.compile(r"""
    ^(?:so\s*,?\s+)?(?:i|i'm|i'll|i've|i'd|we|we'll|we're|we've|let|let's|can|could|would|will|please|it's\s+not|there's)\b
    | \b(?:you(?:'ve|\s+have)?\s+(?:done|did)\s+(?:the\s+right|well|really\s+well|a\s+good))\b
    | \byour\s+(?:name|date|address|details|number)\b
""", _X)


MINIMISING = re.compile(r"""
    ^(?:loads|plenty|lots|millions|most)\s+of\s+(?:people|us|folk)\b
    | ^(?:everyone|everybody)\s+(?:has|goes|feels|gets|loses|deals)\b
""", _X)


def blaming(text: str) -> bool:
    """A hostile or blaming sentence (judging), whatever else it asks about."""
    t = F.normalise(text)
    return bool(HOSTILE_QUESTION.search(t) or VERDICT.search(t)) or any(p.search(t) for p in ROADBLOCK_PATTERNS["judging"])


def _reworded(s: F.Sentence, t: str, lead: str, cue, person, shared: set[str]) -> bool:
    if s.end.startswith("?") or s.end == "!" or NOT_REWORD.search(t) or NOT_REWORD.search(lead):
        return False
    n = len(F.words(t))
    if cue and re.match(r"^so\b", lead) and person and n >= 7:
        return True
    return bool(REWORD_SUBJECT.match(lead)) and n >= 8 and (len(shared) >= 1 or n >= 11)


# ---------------------------------------------------------------- roadblock detectors
def roadblocks(ctx: Context) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in ctx.sentences:
        t = _clause_text(s)
        clauses = [t] + [c.strip() for c in re.split(r",|\band\b", t)[1:] if c.strip()]
        # an imperative about their problem ("Put a fence up then", "Just move the bins back
        # next time") is advice, not an order about what they do right now
        advice_imperative = bool(ADVICE_IMPERATIVE.search(t))
        for label, pats in ROADBLOCK_PATTERNS.items():
            if advice_imperative and label in ("ordering", "premature_problem_solving"):
                continue
            for p in pats:
                hit = next((m for c in clauses for m in [p.search(c)] if m), None)
                if hit:
                    out.setdefault(label, []).append(s.text)
                    break
        if HOSTILE_QUESTION.search(t) and s.text not in out.get("judging", []):
            out.setdefault("judging", []).append(s.text)
        if FLAT_REFUSAL.search(t) and s.text not in out.get("arguing", []):
            out.setdefault("arguing", []).append(s.text)
        if VERDICT.search(t) and s.text not in out.get("judging", []):
            out.setdefault("judging", []).append(s.text)
        if ROSY.search(t) and not re.match(r"^(?:i|we)(?:'ll|\s+will)\b", t) and s.text not in out.get("false_reassurance", []):
            out.setdefault("false_reassurance", []).append(s.text)
        told = TELL_THEM_TO.match(t)
        if not s.end.startswith("?") and (BARE_ADVICE.match(t) or (IMPERATIVE_VERB.match(t) and not RIGHT_NOW.search(t))
                                          or (told and BARE_ADVICE.match(told.group("rest")))):
            advice_imperative = True
            for label in ("ordering", "premature_problem_solving"):
                if s.text in out.get(label, []):
                    out[label].remove(s.text)
                    if not out[label]:
                        del out[label]
        if advice_imperative:
            if s.text not in out.get("advising", []):
                out.setdefault("advising", []).append(s.text)
            continue
        if HOSTILE_QUESTION.search(t):
            continue   # "Don't you have anything better to do?" is a jibe, not an order
        if not s.end.startswith("?") and ORDER_EXTRA.match(t):
            out.setdefault("ordering", []).append(s.text)
            continue
        pieces = t.split(",")
        if any(IMPERATIVE_START.match(pieces[i].strip()) for i in range(len(pieces))
               if len(F.words(",".join(pieces[:i]))) <= 4):
            out.setdefault("ordering", []).append(s.text)
    # "Don't worry" is reassurance, "don't move" an order; keep them apart
    return out


# ---------------------------------------------------------------- issue 15 additions
_X = re.IGNORECASE | re.VERBOSE

# Hostile, sarcastic or blaming questions: a roadblock (judging), never an open question.
HOSTILE_QUESTION = re.compile(r"""
    \bwhat(?:'s|\s+is)\s+(?:your|his|her|their|the)\s+problem\b
    | \bwhat(?:'s|\s+is)\s+(?:wrong|the\s+matter)\s+with\s+(?:you|them|him|her|people)\b
    | \bwhat(?:'s|\s+is)\s+it\s+with\s+you\b
    | \bwhat(?:'s|\s+is)\s+it\s+to\s+you\b
    | \bwho\s+(?:do\s+you\s+think|the\s+hell|told\s+you\s+(?:it\s+was|you\s+could))\b
    | \bwhy\s+on\s+earth\b
    | \bwhy\s+(?:would|did|do|are|were|have|should|couldn't|didn't)\s+you\s+(?:even\s+|just\s+|ever\s+|always\s+|keep\s+|really\s+)?
        (?:let|lend|stay|wait|bother|go|come|make|run|do\s+(?:that|something|this|it|such)|say\s+(?:that|something\s+like)|put|get|leave|believe|drink|marry|trust|keep|need|care)\b
    | \bwhy\s+(?:did|do)\s+you\s+(?:wait|stay)\b
    | \bwhy\s+are\s+you\s+(?:making|causing|being|so|acting|always|even)\b
    | \bwhy\s+do\s+you\s+(?:keep|always|even|let)\b
    | \bdid\s+you\s+(?:even|really|honestly|actually)\s+(?:bother|think|expect|try|believe)\b
    | \bhave\s+you\s+been\s+drinking\b[^.!?]*\bor\s+what\b
    | \bor\s+what\s*\?
    | \b(?:want|wanna)\s+to\s+join\s+(?:him|her|them)\b
    | \bwhat\s+did\s+(?:you|you\s+lot|you\s+people|they)\s+(?:expect|think\s+would\s+happen)\b
    | \bwhat\s+did\s+you\s+do\s+to\s+(?:them|him|her|make|get|deserve)\b
    | \bwhat\s+did\s+you\s+(?:say|do)\s+to\s+(?:them|him|her)\s+to\s+(?:get|make)\b
    | \bdon't\s+you\s+(?:think\s+you're|have\s+anything\s+better|know\s+better|care)\b
    | \bare\s+you\s+(?:serious|kidding|joking|mad|insane|stupid|thick|deaf|for\s+real|having\s+a\s+laugh)\b
    | \byou're\s+not\s+(?:seriously|really)\s+(?:saying|telling|going)\b
    | \bgot\s+something\s+to\s+hide\b
    | \ball\s+(?:this|that)\s+(?:over|for|about)\s+(?:a|some|one)\b
    | \bso\s+why\s+did\s+you\s+(?:run|do|say|go|hide|lie)\b
    | \bseriously\s*[,?]\s*why\b
    | \bare\s+you\s+two\s+always\b
    | \b(?:always|ever)\s+this\s+(?:loud|difficult|dramatic|bad)\b
    | \bwhat\s+were\s+you\s+(?:thinking|playing\s+at|doing\s+up\s+here)\b
    | \bwhat\s+(?:kind|sort)\s+of\s+(?:person|mother|father|parent|man|woman)\b
    | \bhow\s+(?:stupid|daft|thick|naive)\b
    | ^(?:a\s+)?bit\s+[a-z\-]+[^.!?]*,\s*(?:aren't|isn't|weren't|don't|didn't)\s+(?:you|it|they|we)\s*\?
    | \bin\s+the\s+first\s+place\b[^.!]*\?
    | \b(?:really|honestly|actually)\s+(?:going\s+to|gonna)\s+(?:help|change|fix|work)\b[^.!]*\?
    | \bwhat\s+did\s+you\s+see\s+in\s+(?:him|her)\b
""", _X)

# Verdicts on the person without a listed judging word.
VERDICT = re.compile(r"""
    \b(?:you're|you\s+are)\s+a\s+grown\s+(?:man|woman|adult|lad)\b
    | \bhardly\s+(?:trying|a\s+reason|an\s+excuse|the\s+end)\b
    | \bno\s+way\s+to\s+(?:talk|speak|behave|act|treat)\b
    | \b(?:plenty|lots|loads|most)\s+of\s+\w+\s+(?:manage|cope|get\s+by|deal\s+with\s+it)\b
    | \bkicking\s+off\b
    | \b(?:need|needs)\s+to\s+grow\s+up\b
    | \ba\s+bit\s+(?:precious|rich|dramatic|soft)\b
""", _X)

# False reassurance without a stock phrase: a rosy forecast about them or the others.
ROSY = re.compile(r"""
    \b(?:you|he|she|they|it|things|everyone|your\s+\w+(?:\s+and\s+\w+)?)(?:'ll|\s+will|\s+are\s+going\s+to|'re\s+going\s+to|'s\s+going\s+to)\s+(?:\w+\s+){0,3}?
      (?:settle|lose\s+interest|get\s+bored|come\s+round|come\s+around|be\s+right\s+as\s+rain|have\s+you\s+back|be\s+home|look\s+back|laugh|get\s+over|forget|heal|be\s+cleaned\s+up|blow\s+over|calm\s+down|be\s+back\s+to\s+normal|be\s+sorted|turn\s+up|give\s+up)\b
    | \bright\s+as\s+rain\b
    | \btime(?:'s|\s+is)\s+a\s+(?:great\s+)?healer\b
    | \b(?:nothing|not\s+anything)\s+(?:serious|to\s+worry\s+about|major)\b
    | \bno\s+big\s+thing\b
    | \b(?:soon\s+enough|before\s+you\s+know\s+it|by\s+(?:the\s+)?morning|eventually)\b(?=[^.!?]*(?:'ll|\bwill\b|\bbe\b))
    | \b(?:another|in\s+an?)\s+(?:hour|minute|day|week)\b[^.!?]*\b(?:you'll|you\s+will|it'll|everyone'll)\b
    | \b(?:all\s+the\s+same|it's\s+a\s+phase|just\s+a\s+phase)\b
    | \bworse\s+things\s+happen\b
    | \b(?:perfectly|absolutely)\s+(?:alright|all\s+right|fine|okay)\b
""", _X)

# A flat refusal of what they ask or claim: disputes their position without listening.
FLAT_REFUSAL = re.compile(r"""
    ^\s*no\s*[.!]
    | ^\s*no,\s+(?:you|the|that|it|we|not)\b
    | \bthat's\s+that\b
    | \bend\s+of\s*(?:story|discussion)?\s*[.!]?\s*$
    | \bnot\s+(?:happening|a\s+chance|likely|today|tonight)\b
    | \b(?:that's|that\s+is|it's|it\s+is)\s+not\s+(?:going\s+to|gonna)\s+happen\b
    | \bno\s+way\b
    | \byou're\s+not\s+(?:taking|getting|going\s+(?:anywhere|in|back)|having|seeing)\b
    | \byou\s+(?:can't|cannot|won't)\s+(?:just\s+)?(?:take|have|get|go\s+in|see)\b
    | \bwe\s+(?:can't|cannot|won't)\s+(?:just\s+)?(?:throw|kick|make|force|do\s+that|arrest|remove|let)\b
    | \b(?:it's|that's)\s+(?:standard|procedure|policy|the\s+rules?)\b
    | ^\s*not\s+(?:today|tonight|here|now)\b
    | \bi'm\s+sure\s+(?:the|he|she|they)\s+\w+\s+had\s+(?:his|her|their|a)\s+reasons?\b
    | \bthere's\s+nothing\s+(?:we|i)\s+can\s+do\b
    | \b(?:legally|by\s+law|in\s+law|strictly\s+speaking)\b
    | \b(?:is|are|was|were)\s+(?:allowed|entitled|within\s+(?:his|her|their)\s+rights)\s+to\b
    | \b(?:they|he|she|it|the\s+\w+)\s+(?:has|have|had|'s\s+got|'ve\s+got)\s+(?:a|an|the|their|his|her)\s+(?:\w+\s+)?(?:permit|licence|license|permission|warrant)\b
    | \b(?:they|he|she|the\s+\w+)(?:'s|'ve)\s+got\s+(?:a|an|the|their|his|her)\s+(?:\w+\s+)?(?:permit|licence|license|permission|warrant)\b
    | \b(?:had|have|has)\s+(?:reasonable\s+)?grounds\b
    | \b(?:as\s+much\s+(?:right|say)|the\s+same\s+rights?)\b
    | \b(?:is|are)\s+(?:your|their|his|her)\s+(?:own\s+)?(?:responsibility|problem|lookout)\b
    | \b(?:a|your)\s+(?:choice|decision)\s+you\s+made\b
    | \bmore\s+likely\b
    | ^(?:well,?\s+)?(?:he|she|they)\s+(?:says?|said|claims?|reckons?)\s+(?:you|it\s+was\s+you)\b
    | \bthe\s+(?:agreement|order|law|rules?|contract|lease|permit)\s+(?:says|said|states|is\s+clear)\b
    | \bisn't\s+nothing\b
    | \bcounts\s+as\b
    | \bthere's\s+no\s*(?:one|body)\s+(?:in|out|there|here|at)\b
    | \bwe\s+(?:had|sent|did\s+a|ran\s+a)\s+(?:a\s+)?(?:patrol|car|unit|officer|check)\b
    | \b(?:that's|it's|that\s+is|it\s+is)\s+(?:between\s+you\s+and|not\s+(?:our|my)\s+(?:problem|job|concern|business))\b
    | \bnot\s+(?:us|me)\s*[.!]?\s*$
""", _X)

# Bare advice: an imperative about their problem (not about what they do right now).
BARE_ADVICE = re.compile(r"""
    ^(?:(?:just|maybe|honestly|look|then|and|so|mate|well)[,\s]+)*
    (?:
      ask\s+(?:your|the|a|for)
    | go\s+(?:to|through|and\s+see|and\s+speak|and\s+talk)\s+(?!home\b|inside\b|back\b|away\b)
    | take\s+(?:him|her|them|it|the\s+\w+|your\s+\w+)\s+to\s+(?:the|a|court)
    | take\s+(?:them|it|the\s+\w+)\s+to\s+the\s+(?:station|police|council|court)
    | get\s+(?:a|an|some|the|your|yourself|them|him|her)\b(?!\s+(?:down|back|out|off|away|in|over|up)\b)
    | claim\b
    | put\s+(?:some|a|up|them|it)\b(?!.*\bdown\b)
    | keep\s+(?:a|every|all|copies|the\s+(?:messages|texts|receipts|letters))
    | complain\b
    | report\b
    | leave\s+(?:him|her|them)\s*[.!]?\s*$
    | ring\b
    | call\b
    | phone\b
    | text\b
    | email\b
    | write\s+(?:to|a)\b
    | speak\s+to\b
    | talk\s+to\s+(?:your|the|a|him|her|them)\b
    | contact\b
    | sign\s+on\b
    | apply\b
    | see\s+(?:a|your|the)\s+(?:gp|doctor|solicitor|lawyer|counsellor|counselor)\b
    | find\s+(?:a|another|somewhere|some)\b
    | buy\b
    | change\s+(?:the|your)\s+(?:locks|number|route|job)\b
    | move\s+(?:out|house|somewhere|your\s+car)\b
    | sell\b
    | sue\b
    | withhold\b
    | start\s+(?:a|an)\b
    | block\b
    | install\b
    | try\s+(?:a|an|some|to|the|talking|calling|earplugs)\b
    | sober\s+up\b
    | sleep\s+on\s+it\b
    | forget\s+(?:about\s+)?(?:it|him|her)\b
    )
""", _X)

# Feelings named without a listed emotion word: "you look spent", "that must sting",
# "sounds like you've had enough", "you must feel like nobody's in your corner".
FEELING_FRAME = re.compile(r"""
    \b(?:you|you're|you\s+are)\s+(?:look|looks|seem|seems|sound|sounds|must\s+be|must\s+feel|must\s+have\s+felt)\s+
        (?:(?:really|so|pretty|completely|totally|absolutely|a\s+bit|quite|very|just|right)\s+)*
        (?P<state>(?!like\b|to\b|a\b|the\b|at\s+home\b|okay\b|ok\b|fine\b|sure\b|well\b|paranoid\b|ridiculous\b|crazy\b|dramatic\b|hysterical\b|childish\b|unreasonable\b|drunk\b|calm\b|busy\b|young\b|tired\s+of\b|new\b|here\b|right\b|serious\b)[a-z'\-]+(?:\s+(?:down|out|up|through|in|off|with\s+worry|and\s+[a-z\-]+))?)\s*(?:[.!,?]|$|\s+(?:about|by|after|with|that|since|today|tonight|right\s+now|at\s+the|from|of|to\s+me))
    | \b(?:it|that|this)\s+must\s+(?:really\s+)?(?:sting|hurt|ache|be\s+(?:so\s+|really\s+|very\s+|incredibly\s+)?(?:hard|heavy|tough|painful|awful|horrible|difficult|rough|exhausting|lonely|frightening|scary|gutting|a\s+lot))
    | \b(?:it|that)\s+(?:must|would|could)\s+(?:feel|be)\s+like\b
    | \b(?:you\s+)?must\s+(?:feel|have\s+felt)\s+(?:like|as\s+if|as\s+though)\b
    | \b(?:sounds?|seems?|looks?)\s+(?:like|as\s+if)\s+(?:you've|you\s+have)\s+(?:had\s+(?:enough|it)|hit\s+a\s+wall|reached|been\s+through|lost\s+(?:hope|heart)|given\s+up|run\s+out\s+of)
    | \b(?:sounds?|seems?|looks?)\s+(?:like|as\s+if)\s+you\s+(?:feel|felt)\s+(?:(?:really|so|pretty|very|quite|a\s+bit|completely|totally|a\s+little)\s+)*(?!like\b|that\b|as\b|you\b|it\b|the\b|a\b)[a-z\-]{3,}
    | \b(?:makes?|made|making|leaves?|left)\s+you\s+feel\s+(?:(?:really|so|pretty|very|quite|a\s+bit|completely|totally)\s+)*(?!like\b|that\b|as\b)[a-z\-]{3,}
    | \b(?:sounds|seems|looks)\s+like\s+(?:everything|it\s+all|it|this|all\s+(?:this|the\s+\w+))(?:'s|\s+has|\s+is)\s+(?:become\s+|been\s+|getting\s+)?(?:too\s+much|a\s+lot|overwhelming|unbearable)
    | \b(?:sounds|seems)\s+like\s+(?:you're|you\s+are|everyone's|everyone\s+is|people\s+are)\s+(?:at\s+(?:rock\s+bottom|the\s+end|breaking\s+point|your\s+limit)|running\s+on|tired\s+of|sick\s+of|done\s+with|feeling\s+\w+|on\s+your\s+last)
    | \b(?:sounds|seems)\s+like\s+(?:it's|it\s+is|this\s+is)\s+(?:eating|weighing|wearing|getting\s+to)\b
    | \byou(?:'re|\s+are)\s+(?:at\s+rock\s+bottom|running\s+on\s+(?:empty|fumes)|at\s+your\s+limit|sick\s+of\s+it)
    | \bthat\s+(?:would|'d|must)\s+(?:rattle|shake|upset|floor|hurt)\s+anyone\b
    | \b(?:means|meant)\s+(?:the\s+world|a\s+lot|so\s+much|everything|a\s+great\s+deal)\s+to\s+you\b
    | \b(?:it|that|this)\s+must\s+(?:be|have\s+been|feel)\s+(?:(?:so|really|very|pretty|incredibly|absolutely|utterly)\s+)?(?!something\b|nothing\b|anything\b|everything\b|being\b|thing\b)[a-z]+(?:ing|ful)\b
    | \b(?:that|it)\s+(?:sounds|sounded)\s+(?:really\s+|so\s+|pretty\s+|very\s+|incredibly\s+)?(?:hard|tough|rough|heavy|awful|horrible|painful|difficult|exhausting|lonely|draining|a\s+lot)\b
""", _X)
# Commands about what they do right now that IMPERATIVE_START does not list.
ORDER_EXTRA = re.compile(r"""
    ^(?:(?:now|please|just|mate|sir|look)[,\s]+)*
    (?:
      wait\s+(?:in|at|by|there|here|outside|over)\b
    | hold\s+(?:on|still|it|onto|your|the)\b
    | pick\s+(?:\w+\s+){0,3}up\b
    | (?:everyone|everybody|all\s+of\s+you|you\s+lot|the\s+lot\s+of\s+you),?\s+(?:take|get|move|step|stand|sit|go|stay|keep|put|back)\b
    | go\s+back\s+(?:upstairs|downstairs|inside|in|to)\b
    | (?:swing|climb|lift|raise|show|slide|turn|walk|back)\s+(?:your|the|it|over|back|away|down|towards|up)\b(?=.*\b(?:back|over|here|me|down|away|now|side|hands|legs|feet|up)\b)
    | come\s+(?:back|away|out|down|here|over|with\s+me)\b
    | tell\s+(?:your|the)\s+\w+\s+to\b
    | sit\s+(?:down|tight|still)\b
    | hands\s+(?:out|up|off|where)\b
    | open\s+(?:the|this|that|up)\b
    )
""", _X)
# Any other sentence that opens with a verb in the imperative: advice about their problem,
# unless it is about what they do with their body right now (then ORDER_EXTRA/IMPERATIVE_START).
IMPERATIVE_VERB = re.compile(r"""
    ^(?:(?:just|maybe|honestly|look|then|and|so|mate|well|simply)[,\s]+)*
    (?:open|give|hand|send|file|lodge|fill|book|arrange|set\s+up|sort\s+out|pay|save|borrow|lend|stop\s+(?:lending|giving|paying|answering|letting)
      |ignore|avoid|walk\s+away\s+from|cut|let\s+(?:him|her|them)\s+(?:go|know|have)|make\s+(?:a|an|sure|him|her|them)|look\s+(?:for|into|at\s+(?:getting|moving))|join|enrol|register
      |check\s+(?:with|your|the)|google|search|visit|attend|see\s+(?:if|whether)|think\s+about|consider|stay\s+(?:with|at)\s+(?:a|your|his|her|their)
      |divorce|dump|split\s+up|kick\s+(?:him|her|them)\s+out|throw\s+(?:him|her|them)\s+out|record|film|photograph|document|note\s+down
      |take\s+(?:a|some|the)\s+(?:photos?|pictures?|day|break|time\s+off|tablets|medication)|swap|switch|get\s+rid\s+of|let\s+it\s+go|move\s+on)\b
""", _X)
RIGHT_NOW = re.compile(r"""
    \b(?:now|right\s+now|here|over\s+here|this\s+side|back|down|away|hands|legs|feet|voice|knife|bottle|weapon|railing|edge|ledge|door|room|car)\b
""", _X)
TELL_THEM_TO = re.compile(r"""
    ^(?:(?:just|maybe)[,\s]+)*tell\s+(?:him|her|them|your\s+\w+|the\s+\w+)\s+to\s+(?P<rest>.+)$
""", _X)
NOT_A_FEELING = re.compile(r"""
    \b(?:must\s+be|must\s+feel|seem|seems|look|sound)\s+(?:a\s+)?(?:really\s+)?(?:guilty\s+of|mistaken|wrong|confused\s+about\s+the\s+facts|joking|kidding|new\s+here)\b
    | \byou\s+(?:look|seem)\s+(?:like\s+)?(?:a|an|the)\s+(?:troublemaker|criminal|drunk)\b
""", _X)
