"""Word meaning for the listening model: a static word-piece embedding table, read with numpy.

The table (listening-embed.npz, next to this module) was distilled at build time from the
sentence model all-MiniLM-L6-v2 (Apache-2.0; course/listening/distill.py): one vector per word
piece of its WordPiece vocabulary, reduced with PCA and weighted by rarity. Here, at run time,
a text is split as the model's own tokenizer splits it (lower-case, accents stripped,
punctuation apart, greedy longest-match word pieces) and its vector is the mean of its pieces'
vectors, L2-normalised. No torch, no tokenizers library, nothing downloaded.

Synonyms land near each other ("scared" / "frightened", "sack" / "fired"), which the word
and character n-grams of model.py cannot see; the model reads the reply's vector and how
close the reply's sentences come to what was said (paraphrase, summary, mirroring).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from .wordpiece import WordPiece

EMBED_FILE = Path(__file__).with_name("listening-embed.npz")


class EmbedMissing(RuntimeError):
    """listening-embed.npz is not next to embed.py (build it: python -m course.listening.distill)."""


class Encoder(WordPiece):
    def __init__(self, pieces: list[str], table: np.ndarray, dims: int | None = None):
        super().__init__(pieces)
        self.table = np.ascontiguousarray(table[:, :dims] if dims else table, dtype=np.float32)
        self.dims = self.table.shape[1]

    def encode(self, text: str) -> np.ndarray:
        """The text's vector: the mean of its pieces' vectors, L2-normalised (zeros if none)."""
        ids = self.pieces(text)
        if not ids:
            return np.zeros(self.dims, dtype=np.float32)
        v = self.table[ids].mean(axis=0)
        n = float(np.sqrt(v @ v))
        return v / n if n else v


@lru_cache(maxsize=4)
def load(dims: int | None = None, path: str | None = None) -> Encoder:
    p = Path(path) if path else EMBED_FILE
    if not p.is_file():
        raise EmbedMissing(f"{p}: the listening model's word table is missing; build it with "
                           "`python -m course.listening.distill`")
    with np.load(p, allow_pickle=False) as z:
        return Encoder(z["pieces"].tolist(), z["table"], dims)
