"""The reply encoder: a small transformer read with numpy (issue 27, the recogniser's third part).

The network is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0: six layers, 384 wide, twelve
heads) fine-tuned at build time on the listening corpora to tell the fifteen labels apart
(course/listening/finetune.py), so it reads what a reply does with its words in context ("You've
never felt this low" restates; "You've never been that low" disputes), which a bag of words
cannot. It reads the statement too, as the second segment after the reply (a pair encoder, since
session 9), and pools the reply's pieces alone. Shipped as listening-encoder.npz next to this
module: the ASCII word pieces, and every matrix as int8 with one float scale per output column
(per row for the word table; a quarter of float32; the build checks the quantised network against
the trained one). Here it is run with numpy alone: no torch, no tokenizers library, nothing
downloaded, one reply at a time. A file built without the statement (statement_pieces 0) is read as
the reply alone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .wordpiece import WordPiece

ENCODER_FILE = Path(__file__).with_name("listening-encoder.npz")
MAX_PIECES = 96          # longer replies are cut (the build trained on the same cut)
_LN_EPS = 1e-12


class EncoderMissing(RuntimeError):
    """listening-encoder.npz is not next to encoder.py (build it: python -m course.listening.finetune)."""


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + _LN_EPS) * gamma + beta


def _erf(x: np.ndarray) -> np.ndarray:
    # numpy has no erf: Abramowitz and Stegun 7.1.26, within 1.5e-7 of it everywhere
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * np.exp(-a * a)
    return np.sign(x) * y


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, 0.5 x (1 + erf(x / sqrt 2))
    return 0.5 * x * (1.0 + _erf(x * (1.0 / math.sqrt(2.0))))


@dataclass(frozen=True)
class Layer:
    qkv: np.ndarray; qkv_b: np.ndarray          # (384, 3*384): query, key and value side by side
    out: np.ndarray; out_b: np.ndarray
    ln1_g: np.ndarray; ln1_b: np.ndarray
    up: np.ndarray; up_b: np.ndarray            # (384, 1536)
    down: np.ndarray; down_b: np.ndarray        # (1536, 384)
    ln2_g: np.ndarray; ln2_b: np.ndarray


class ReplyEncoder(WordPiece):
    def __init__(self, z, origin: object = "encoder"):
        super().__init__(z["pieces"].tolist())
        self.labels = tuple(z["labels"].tolist())
        self.heads = int(z["heads"])
        self.cls = self.index["[CLS]"]
        self.sep = self.index["[SEP]"]
        # the word table stays int8 (about 10 MB); only the rows a reply uses are scaled back
        self.words = z["word"]
        self.word_scale = z["word.scale"].astype(np.float32)
        self.positions = z["position"].astype(np.float32)
        self.token_type = z["token_type"].astype(np.float32)
        self.emb_ln = (z["emb_ln_g"].astype(np.float32), z["emb_ln_b"].astype(np.float32))
        self.layers = [Layer(_matrix(z, f"l{i}.qkv"), _vec(z, f"l{i}.qkv_b"), _matrix(z, f"l{i}.out"), _vec(z, f"l{i}.out_b"),
                             _vec(z, f"l{i}.ln1_g"), _vec(z, f"l{i}.ln1_b"), _matrix(z, f"l{i}.up"), _vec(z, f"l{i}.up_b"),
                             _matrix(z, f"l{i}.down"), _vec(z, f"l{i}.down_b"), _vec(z, f"l{i}.ln2_g"), _vec(z, f"l{i}.ln2_b"))
                       for i in range(int(z["layers"]))]
        self.head = _vec(z, "head")
        self.head_b = _vec(z, "head_b")
        self.threshold = _vec(z, "threshold")
        # a pair encoder reads the statement after the reply (up to this many pieces); 0: the reply alone
        self.statement_pieces = int(z["statement_pieces"]) if "statement_pieces" in z else 0
        if self.head.shape != (self.words.shape[1], len(self.labels)):
            raise EncoderMissing(f"{origin}: its classifier does not match its labels; rebuild it")

    def _sequence(self, text: str, statement: str | None) -> tuple[list[int], np.ndarray]:
        """The pieces of [CLS] text [SEP], then (a pair encoder, given the statement) statement [SEP],
        and each piece's segment (0: the reply's, 1: the statement's)."""
        ids = [self.cls] + self.pieces(text)[:MAX_PIECES - 2] + [self.sep]
        types = np.zeros(len(ids), dtype=np.intp)
        if statement and self.statement_pieces:
            second = self.pieces(statement)[:self.statement_pieces - 1] + [self.sep]
            ids += second
            types = np.concatenate([types, np.ones(len(second), dtype=np.intp)])
        return ids, types

    def hidden(self, text: str, statement: str | None = None) -> np.ndarray:
        """The last layer's vectors of [CLS] text [SEP], then (a pair encoder, given the statement)
        statement [SEP] as the second segment (pieces x 384)."""
        return self._forward(*self._sequence(text, statement))

    def _forward(self, ids: list[int], types: np.ndarray) -> np.ndarray:
        x = self.words[ids].astype(np.float32) * self.word_scale[ids] + self.positions[:len(ids)] + self.token_type[types]
        x = _layer_norm(x, *self.emb_ln)
        n, width = x.shape
        h = self.heads
        d = width // h
        for L in self.layers:
            qkv = x @ L.qkv + L.qkv_b
            q, k, v = (qkv[:, i * width:(i + 1) * width].reshape(n, h, d).transpose(1, 0, 2) for i in range(3))
            s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
            s = np.exp(s - s.max(axis=-1, keepdims=True))
            s /= s.sum(axis=-1, keepdims=True)
            ctx = (s @ v).transpose(1, 0, 2).reshape(n, width)
            x = _layer_norm(x + ctx @ L.out + L.out_b, L.ln1_g, L.ln1_b)
            x = _layer_norm(x + _gelu(x @ L.up + L.up_b) @ L.down + L.down_b, L.ln2_g, L.ln2_b)
        return x

    def margins(self, text: str, statement: str | None = None) -> np.ndarray:
        """Per label, the log-odds above the label's threshold (> 0: the encoder reports it). A pair
        encoder reads the statement beside the reply; the pooled vector is the reply's pieces' alone."""
        ids, types = self._sequence(text, statement)
        pooled = self._forward(ids, types)[types == 0].mean(axis=0)
        z = pooled @ self.head + self.head_b
        t = np.clip(self.threshold, 1e-6, 1 - 1e-6)
        return z - np.log(t / (1 - t))


def _vec(z, name: str) -> np.ndarray:
    return z[name].astype(np.float32)


def _matrix(z, name: str) -> np.ndarray:
    """An int8 matrix times its scale per column (or a float matrix as stored)."""
    m = z[name]
    if m.dtype == np.int8:
        return m.astype(np.float32) * z[name + ".scale"].astype(np.float32)
    return m.astype(np.float32)


def quantise(m: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """int8 values and a float16 scale per column (axis 0) or per row (axis 1): m ~ q * scale."""
    scale = np.abs(m).max(axis=axis, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(m / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float16)


@lru_cache(maxsize=2)
def load(path: str | None = None) -> ReplyEncoder:
    """Read the shipped encoder once (no network, no torch)."""
    p = Path(path) if path else ENCODER_FILE
    if not p.is_file():
        raise EncoderMissing(f"{p}: the listening model's reply encoder is missing; build it with "
                             "`python -m course.listening.finetune`")
    with np.load(p, allow_pickle=False) as z:
        return ReplyEncoder(z, p)
