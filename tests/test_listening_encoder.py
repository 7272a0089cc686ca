"""The reply encoder (course/listening/encoder.py): a fine-tuned transformer run with numpy (issue 27)."""
from __future__ import annotations

import numpy as np
import pytest

from course.listening import encoder
from course.listening.encoder import ENCODER_FILE, EncoderMissing, ReplyEncoder, quantise
from course.listening.labels import ALL_LABELS


def test_encoder_file_is_int8_small_and_names_every_label():
    assert ENCODER_FILE.stat().st_size < 24 * 2**20       # measured 19 MiB (bench/README.md)
    enc = encoder.load()
    assert enc.labels == ALL_LABELS
    assert enc.words.dtype == np.int8 and len(enc.layers) == 6
    assert enc.head.shape == (384, len(ALL_LABELS))


def test_numpy_run_time_reproduces_the_trained_network():
    """The file carries a few training replies with the scores torch gave them at build time: the
    numpy forward pass over the int8 copy must give the same scores (within 0.1; the build measured
    at most 0.08 over 660 replies) and decisions."""
    enc = encoder.load()
    with np.load(ENCODER_FILE) as z:
        texts, want = z["probe_texts"].tolist(), z["probe_scores"]
        # a pair encoder's probes carry their statements (read after the reply)
        statements = z["probe_statements"].tolist() if "probe_statements" in z else [""] * len(texts)
    assert len(texts) >= 20
    got = np.vstack([1 / (1 + np.exp(-enc.margins(t, st))) for t, st in zip(texts, statements)])
    assert np.abs(got - want).max() < 0.1
    assert ((got >= 0.5) == (want >= 0.5)).mean() > 0.995


def test_numpy_transformer_equals_torch_bert_on_the_same_weights():
    """Layer by layer the numpy pass is BERT's (checked against transformers' own BertModel loaded
    with the file's int8 weights, where the build-time packages are installed)."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    enc = encoder.load()
    width = enc.words.shape[1]
    cfg = transformers.BertConfig(vocab_size=len(enc.index), hidden_size=width, num_hidden_layers=len(enc.layers),
                                  num_attention_heads=enc.heads, intermediate_size=enc.layers[0].up.shape[1],
                                  max_position_embeddings=enc.positions.shape[0], type_vocab_size=len(enc.token_type))
    bert = transformers.BertModel(cfg, add_pooling_layer=False).eval()
    t = lambda a: torch.tensor(np.ascontiguousarray(a), dtype=torch.float32)  # noqa: E731
    sd = {"embeddings.word_embeddings.weight": t(enc.words.astype(np.float32) * enc.word_scale),
          "embeddings.position_embeddings.weight": t(enc.positions),
          "embeddings.token_type_embeddings.weight": t(enc.token_type),
          "embeddings.LayerNorm.weight": t(enc.emb_ln[0]), "embeddings.LayerNorm.bias": t(enc.emb_ln[1])}
    for i, L in enumerate(enc.layers):
        p = f"encoder.layer.{i}."
        for k, name in enumerate(("query", "key", "value")):
            sd[p + f"attention.self.{name}.weight"] = t(L.qkv[:, k * width:(k + 1) * width].T)
            sd[p + f"attention.self.{name}.bias"] = t(L.qkv_b[k * width:(k + 1) * width])
        sd.update({p + "attention.output.dense.weight": t(L.out.T), p + "attention.output.dense.bias": t(L.out_b),
                   p + "attention.output.LayerNorm.weight": t(L.ln1_g), p + "attention.output.LayerNorm.bias": t(L.ln1_b),
                   p + "intermediate.dense.weight": t(L.up.T), p + "intermediate.dense.bias": t(L.up_b),
                   p + "output.dense.weight": t(L.down.T), p + "output.dense.bias": t(L.down_b),
                   p + "output.LayerNorm.weight": t(L.ln2_g), p + "output.LayerNorm.bias": t(L.ln2_b)})
    missing = bert.load_state_dict(sd, strict=False).missing_keys
    assert not [k for k in missing if "position_ids" not in k], missing
    statement = "I've never felt this low. Nobody at work even noticed I was gone."
    for text in ("So you've never felt this low before.", "Mm-hm.", "Put the knife down and step back, now!"):
        ids = [enc.cls] + enc.pieces(text) + [enc.sep]
        with torch.no_grad():
            want = bert(input_ids=torch.tensor([ids])).last_hidden_state[0].numpy()
        assert np.allclose(enc.hidden(text), want, atol=2e-3), text
        if enc.statement_pieces:
            # a pair encoder: the statement follows as the second segment
            second = enc.pieces(statement) + [enc.sep]
            types = [0] * len(ids) + [1] * len(second)
            with torch.no_grad():
                want = bert(input_ids=torch.tensor([ids + second]),
                            token_type_ids=torch.tensor([types])).last_hidden_state[0].numpy()
            assert np.allclose(enc.hidden(text, statement), want, atol=2e-3), text


def test_quantise_keeps_a_matrix_within_half_a_step():
    m = np.random.default_rng(0).normal(size=(50, 7)).astype(np.float32)
    for axis in (0, 1):
        q, scale = quantise(m, axis)
        assert q.dtype == np.int8 and np.abs(q.astype(np.float32) * scale - m).max() <= np.abs(scale).max() / 2 + 1e-3


def test_a_long_reply_is_cut_not_refused():
    enc = encoder.load()
    assert enc.margins("I hear you. " * 200).shape == (len(ALL_LABELS),)
    assert enc.margins("").shape == (len(ALL_LABELS),)
    assert enc.margins("I hear you.", "He left and never came back. " * 100).shape == (len(ALL_LABELS),)
    assert enc.margins("I hear you. " * 200, "He left. " * 100).shape == (len(ALL_LABELS),)


def test_missing_file_names_the_file_and_the_build_command(tmp_path):
    with pytest.raises(EncoderMissing, match=r"nowhere\.npz.*python -m course\.listening\.finetune"):
        encoder.load(str(tmp_path / "nowhere.npz"))


def test_a_file_whose_classifier_does_not_match_its_labels_is_refused():
    with np.load(ENCODER_FILE) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["labels"] = arrays["labels"][:3]
    with pytest.raises(EncoderMissing, match="does not match its labels"):
        ReplyEncoder(arrays, "broken.npz")


@pytest.mark.parametrize("reply,disputed,agreed", [
    ("Nobody is following you.", "There's a man following me, he's been behind me since the station.",
     "Nobody is following me, I just got scared on the platform."),
    ("You're not fine.", "I'm fine, honestly, I've done this before. Just leave me be.",
     "I'm not fine. I haven't slept in four days and I can't stop shaking."),
])
def test_the_encoder_reads_the_reply_beside_the_statement(reply, disputed, agreed):
    """Whether words correct them (arguing) or say back what they said is read from the statement and
    the reply together (session 9): the same reply scores higher for arguing after a statement it
    contradicts than after one it agrees with. A reply-only encoder gives both the same score."""
    enc = encoder.load()
    assert enc.statement_pieces > 0
    k = enc.labels.index("arguing")
    assert enc.margins(reply, disputed)[k] > enc.margins(reply, agreed)[k] + 0.5
