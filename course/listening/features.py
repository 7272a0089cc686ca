"""Text features: normalising, sentences, tokens, stems and overlap with the statement.

These helpers know nothing about the labels; rules.py turns them into findings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from .lexicon import APOSTROPHE_FIXES, IRREGULAR, PRONOUNS_REPLY, PRONOUNS_STATEMENT, STOPWORDS, SYNONYMS

_WORD = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*")
# A sentence: text up to and including its end punctuation; "..." also ends a sentence.
_SENTENCE = re.compile(r"[^.!?…;:]+(?:\.\.\.|…|[.!?]+|[;:])?")


def normalise(text: str) -> str:
    """Lower-case with straight apostrophes; keeps the length, so spans map back to the text."""
    return text.replace("\u2019", "'").replace("\u2018", "'").lower()


@dataclass(frozen=True)
class Sentence:
    text: str        # original text of the sentence, stripped
    norm: str        # normalised text
    start: int       # offset in the reply
    end: str         # the end punctuation ("?", ".", "...", "" ...)


def sentences(text: str) -> list[Sentence]:
    """Split a reply into sentences (".", "!", "?", "...", ";" and ":" end one)."""
    out = []
    norm = normalise(text)
    for m in _SENTENCE.finditer(norm):
        raw = m.group(0)
        stripped = raw.strip()
        if not _WORD.search(stripped):
            continue
        lead = len(raw) - len(raw.lstrip())
        start = m.start() + lead
        end_m = re.search(r"(\.\.\.|…|[.!?]+|[;:])$", stripped)
        out.append(Sentence(text[start:start + len(stripped)], stripped, start,
                            end_m.group(1) if end_m else ""))
    return out


_APOS = re.compile(r"\b(" + "|".join(sorted(APOSTROPHE_FIXES, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def restore_apostrophes(text: str) -> tuple[str, list[int]]:
    """Put the apostrophe back in common typed-without forms ("dont" -> "don't").

    Returns the fixed text and, for each of its characters, the index of the character in
    `text` it came from, so evidence found in the fixed text can be shown in the student's
    own spelling.
    """
    out: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _APOS.finditer(text):
        word = m.group(0)
        fixed = APOSTROPHE_FIXES[word.lower()]
        if "'" in word or fixed == word.lower():
            continue
        out.append(text[pos:m.start()])
        index.extend(range(pos, m.start()))
        apo = fixed.index("'")
        fixed = word[:apo] + "'" + word[apo:]
        out.append(fixed)
        index.extend([m.start() + i for i in range(apo)] + [m.start() + apo - 1] +
                     [m.start() + i for i in range(apo, len(word))])
        pos = m.end()
    out.append(text[pos:])
    index.extend(range(pos, len(text)))
    return "".join(out), index


def words(text: str) -> list[str]:
    """Lower-case word tokens; apostrophes and hyphens stay inside a word."""
    return _WORD.findall(normalise(text))


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A deliberately small suffix stripper (no external stemmer is needed)."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    if w in IRREGULAR:
        return IRREGULAR[w]
    if w in SYNONYMS:
        return SYNONYMS[w]
    for suffix, repl, minlen in (("ies", "y", 5), ("ied", "y", 5), ("ing", "", 6), ("ed", "", 5),
                                 ("es", "", 6), ("ly", "", 6), ("s", "", 4)):
        if w.endswith(suffix) and len(w) >= minlen and not w.endswith("ss"):
            w = w[: len(w) - len(suffix)] + repl
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return SYNONYMS.get(w, w)


def content_stems(text: str) -> set[str]:
    """The content words of a text, stemmed and mapped to shared synonym keys."""
    out = set()
    for w in words(text):
        base = w.split("'")[0]
        if base in STOPWORDS or w in STOPWORDS or len(base) < 2:
            continue
        s = stem(base)
        if s in STOPWORDS:
            continue
        out.add(s)
    return out


def overlap(reply_part: str, statement: str) -> set[str]:
    """Content stems the reply (or part of it) shares with the statement."""
    return content_stems(reply_part) & content_stems(statement)


def canonical(text: str, side: str) -> list[str]:
    """Tokens with pronouns mapped to the person ("p1") or officer ("p2").

    "I'm scared" in a statement and "you're scared" in a reply both become
    ["p1be", "scared"], so a mirror is recognised across the change of speaker.
    """
    table = PRONOUNS_STATEMENT if side == "statement" else PRONOUNS_REPLY
    return [table.get(w, w) for w in words(text)]


def repetition(reply: str, statement: str) -> tuple[float, float]:
    """How much of the statement the reply copies word for word, in order.

    Returns (share of the statement's tokens copied, share of the reply's tokens copied).
    """
    a = canonical(statement, "statement")
    b = canonical(reply, "reply")
    if not a or not b:
        return 0.0, 0.0
    sm = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in sm.get_matching_blocks() if block.size >= 2)
    return matched / len(a), matched / len(b)


def is_full_repetition(reply: str, statement: str) -> bool:
    """True when the reply mostly repeats the whole statement back (neither mirror nor paraphrase)."""
    if len(words(statement)) < 8:
        return False
    stmt_share, reply_share = repetition(reply, statement)
    return stmt_share >= 0.85 and reply_share >= 0.8
