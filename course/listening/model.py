"""The learned half of the recogniser (issue 27): one logistic regression per label.

Features, computed here in plain Python so that nothing but numpy is needed at run time:
  - word unigrams and bigrams of the reply plus each sentence's first word and first two
    words (TF-IDF, sublinear tf, L2-normalised),
  - character 2-5-grams inside word boundaries (TF-IDF, L2-normalised),
  - dense features: what the rules found (one per label), a hostile question, whether the
    reply carries content from the statement, the share of its content words that come from
    the statement, a full repetition, whether a safety question belongs here, a question mark,
  - word meaning (embed.py): how close the reply and its sentences come to the statement and its
    sentences, through a word-piece table distilled from a sentence model (SIMILARITY; read by
    the skills' classifiers only, train.SIMILARITY_FOR_SKILLS_ONLY).
The weights are trained at build time with scikit-learn (course/listening/train.py, from the
corpus in content/listening-corpus/) and shipped as a small file, listening-model.npz, next to
this module with the word table listening-embed.npz; nothing is downloaded or trained at run
time. `load()` reads them once.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .labels import ALL_LABELS

MODEL_FILE = Path(__file__).with_name("listening-model.npz")
BASE_DENSE = tuple(f"rule:{label}" for label in ALL_LABELS) + (
    "hostile", "anchored", "overlap", "full_repetition", "safety_context", "question_mark", "short",
    # how many parts of the statement the reply restates (rules.restated): a summary pulls three or
    # more together, with or without a cue; a paraphrase restates one or two
    "restated", "restated_3")
# Word meaning (embed.py): how close the reply comes to the statement, read through a word table
# distilled from a sentence model (so "sacked" is close to "fired"): the whole reply to the whole
# statement, its closest sentence to any of the statement's, the mean over its sentences of that
# closeness, and how much of the statement its sentences cover; and that closeness where the reply
# holds a negation ("Nobody's blocked anything": arguing, not a paraphrase) or asks. The reply's own
# vector as 64 more features measured no better (out of fold and leaving each writer's corpus out,
# bench/README.md) and tied words to topics ("neighbourhood team" read as advice), so it is left out.
# 64 dimensions measured as well as 128 or 256, at a quarter of the file.
EMBED_DIMS = 64
SIMILARITY = ("sim:whole", "sim:best_sentence", "sim:mean_sentence", "sim:cover",
              "sim:best_sentence_negated", "sim:best_sentence_asked")
_NEGATION = re.compile(r"\b(?:not|no|never|nobody|nothing|none|nowhere|isn't|aren't|wasn't|weren't|don't|doesn't|"
                       r"didn't|won't|can't|couldn't|shouldn't|wouldn't|haven't|hasn't|ain't|nae)\b|n't\b")


def dense_names(dims: int = EMBED_DIMS) -> tuple[str, ...]:
    """The dense features' names: BASE_DENSE, then (with word meaning) SIMILARITY."""
    return BASE_DENSE + (SIMILARITY if dims else ())


DENSE = dense_names()

_TOKEN = re.compile(r"[a-z0-9']+|\?|!|\.\.\.|…|[()\[\]*]")
_SENT = re.compile(r"[^.!?…;]+(?:\.\.\.|…|[.!?]+|;)?")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'").lower()).strip()


def word_features(text: str) -> list[str]:
    """Word unigrams and bigrams, and each sentence's opening word and opening two words."""
    t = _clean(text)
    toks = _TOKEN.findall(t)
    out = ["w:" + w for w in toks]
    out += ["b:" + a + " " + b for a, b in zip(toks, toks[1:])]
    for m in _SENT.finditer(t):
        words = re.findall(r"[a-z0-9']+", m.group(0))
        if words:
            out.append("s:" + words[0])
            if len(words) > 1:
                out.append("s2:" + words[0] + " " + words[1])
    return out


def char_features(text: str) -> list[str]:
    """Character 2-5-grams of each word padded with spaces (scikit-learn's 'char_wb')."""
    out = []
    for w in _clean(text).split():
        w = " " + w + " "
        for n in range(2, 6):
            if len(w) < n:
                break
            out += [w[i:i + n] for i in range(len(w) - n + 1)]
    return out


@dataclass(frozen=True)
class Model:
    labels: tuple[str, ...]
    word_index: dict[str, int]
    word_idf: np.ndarray
    char_index: dict[str, int]
    char_idf: np.ndarray
    coef: np.ndarray          # (n_word + n_char + n_dense, n_labels, n_heads)
    intercept: np.ndarray     # (n_labels, n_heads)
    threshold: np.ndarray     # (n_labels, n_heads): each head's probability threshold
    embed_dims: int = 0       # word-meaning dimensions the dense features carry (embed.py)

    def _block(self, feats: list[str], index: dict[str, int], idf: np.ndarray) -> tuple[list[int], np.ndarray]:
        counts: dict[int, int] = {}
        for f in feats:
            j = index.get(f)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return [], np.zeros(0)
        cols = list(counts)
        vals = np.array([(1.0 + math.log(counts[j])) for j in cols]) * idf[cols]
        norm = float(np.sqrt((vals * vals).sum()))
        return cols, vals / norm if norm else vals

    def margins(self, reply: str, dense: np.ndarray) -> np.ndarray:
        """Per label, the heads' mean log-odds above their own threshold (> 0: report the label)."""
        wc, wv = self._block(word_features(reply), self.word_index, self.word_idf)
        cc, cv = self._block(char_features(reply), self.char_index, self.char_idf)
        nw, nc = len(self.word_index), len(self.char_index)
        z = self.intercept.copy()                                   # labels x heads
        if wc:
            z += np.tensordot(wv, self.coef[wc], axes=1)
        if cc:
            z += np.tensordot(cv, self.coef[[nw + c for c in cc]], axes=1)
        z += np.tensordot(dense, self.coef[nw + nc:], axes=1)
        t = np.clip(self.threshold, 1e-6, 1 - 1e-6)
        return (z - np.log(t / (1 - t))).mean(axis=1)

    def probabilities(self, reply: str, dense: np.ndarray) -> np.ndarray:
        """A score in (0, 1) per label; 0.5 or more means the heads, together, report it."""
        return 1.0 / (1.0 + np.exp(-self.margins(reply, dense)))


def dense_features(rule_labels: set[str], hostile: bool, anchored: bool, overlap: float,
                   full_repetition: bool, safety_context: bool, reply: str, restated: int = 0) -> np.ndarray:
    words = len(re.findall(r"[a-z0-9']+", _clean(reply)))
    vals = [1.0 if label in rule_labels else 0.0 for label in ALL_LABELS]
    vals += [float(hostile), float(anchored), overlap, float(full_repetition), float(safety_context),
             1.0 if "?" in reply else 0.0, 1.0 if words <= 4 else 0.0,
             min(restated, 6) / 6.0, 1.0 if restated >= 3 else 0.0]
    return np.array(vals)


@lru_cache(maxsize=512)
def _statement_vectors(statement: str, dims: int) -> tuple[np.ndarray, np.ndarray]:
    from . import embed
    from .features import sentences
    enc = embed.load(dims)
    sents = [s.text for s in sentences(statement)] or [statement]
    return enc.encode(statement), np.vstack([enc.encode(s) for s in sents])


def embedding_features(statement: str, reply: str, dims: int = EMBED_DIMS) -> np.ndarray:
    """The reply's closeness to the statement through the word table (dense_names' SIMILARITY)."""
    if not dims:
        return np.zeros(0)
    from . import embed
    from .features import sentences
    enc = embed.load(dims)
    whole = enc.encode(reply)
    st_whole, st_sents = _statement_vectors(statement or "", dims)
    sents = [s.text for s in sentences(reply)] or [reply]
    R = np.vstack([enc.encode(s) for s in sents])
    sims = R @ st_sents.T                                     # reply sentences x statement sentences
    best = float(sims.max())
    t = _clean(reply)
    return np.array([float(whole @ st_whole), best, float(sims.max(axis=1).mean()), float(sims.max(axis=0).mean()),
                     best * bool(_NEGATION.search(t)), best * ("?" in t)])


class ModelMissing(RuntimeError):
    """listening-model.npz is not next to model.py (build it: python -m course.listening.train)."""


@lru_cache(maxsize=1)
def load(path: str | None = None) -> Model:
    """Read the shipped model once (about a megabyte; no network, no scikit-learn)."""
    p = Path(path) if path else MODEL_FILE
    if not p.is_file():
        raise ModelMissing(f"{p}: the listening model is missing; build it with `python -m course.listening.train`")
    with np.load(p, allow_pickle=False) as z:
        return from_arrays(z, p)


def from_arrays(z, origin: object = "model") -> Model:
    """A Model from the arrays train.fit() returns (or an open listening-model.npz)."""
    dense = tuple(z["dense"].tolist())
    dims = int(z["embed_dims"]) if "embed_dims" in getattr(z, "files", z) else 0
    if dense != dense_names(dims):
        raise ModelMissing(f"{origin}: built for other features {dense}; rebuild it with `python -m course.listening.train`")
    return Model(tuple(z["labels"].tolist()), {w: i for i, w in enumerate(z["word_vocab"].tolist())},
                 z["word_idf"].astype(np.float64), {c: i for i, c in enumerate(z["char_vocab"].tolist())},
                 z["char_idf"].astype(np.float64), z["coef"].astype(np.float64), z["intercept"].astype(np.float64),
                 z["threshold"].astype(np.float64), dims)
