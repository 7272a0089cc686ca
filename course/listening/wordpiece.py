"""BERT's uncased WordPiece tokenizer, in plain Python (the listening model's run time).

A text is split as all-MiniLM-L6-v2's own tokenizer splits it: typographic quotes and dashes
made ASCII, lower-case, accents stripped, punctuation apart, then each word cut into the longest
pieces of the vocabulary from the left ("unheard" -> "un", "##heard"). Used by the word table
(embed.py) and the reply encoder (encoder.py), which both keep the vocabulary's ASCII pieces only.
No tokenizers library and nothing downloaded; a test checks the split against the real tokenizer
where the build-time packages are installed.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPLIT = re.compile(r"[a-z0-9]+|[^\sa-z0-9]")
MAX_PIECE_WORD = 100
# typographic quotes and dashes as typed on a keyboard (the tables keep ASCII pieces only)
_ASCII = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-",
                        "\u2026": "..."})


class WordPiece:
    def __init__(self, pieces: list[str]):
        self.index = {p: i for i, p in enumerate(pieces)}
        self.unk = self.index.get("[UNK]")

    def pieces(self, text: str) -> list[int]:
        """Word-piece ids of `text` (BERT's uncased basic tokenizer, then greedy WordPiece)."""
        t = unicodedata.normalize("NFD", text.translate(_ASCII).lower())
        t = "".join(c for c in t if unicodedata.category(c) != "Mn")
        out: list[int] = []
        for word in _SPLIT.findall(t):
            out.extend(self._word(word))
        return out

    @lru_cache(maxsize=20000)
    def _word(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_PIECE_WORD:
            return (self.unk,) if self.unk is not None else ()
        ids, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.index:
                    found = self.index[piece]
                    break
                end -= 1
            if found is None:
                return (self.unk,) if self.unk is not None else ()
            ids.append(found)
            start = end
        return tuple(ids)
