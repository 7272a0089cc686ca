"""The blind held-out sets: loader checks and floors.

heldout.yaml: dev was used to tune the rules; final was not. It predates the safety_question
label, so it is scored on the original fourteen labels. The floor on final sits well below
the measured figure (0.911 macro-F1 before issue 15, see README.md) so that only a real
regression, not a one-label wobble, trips it.

heldout-2.yaml (issue 15): every reply is final, written and committed before the rules
were changed for issue 15; scored on all labels.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from course.listening.corpus import CorpusError, load_corpus, load_heldout, load_heldout2
from course.listening.evaluate import ORIGINAL_LABELS, evaluate, false_roadblock_rate, macro_f1
from course.listening.labels import ALL_LABELS

# Measured with the issue-27 model after corpus four and word meaning (bench/README.md): final
# 0.909 and 2/122 good replies marked as a roadblock, heldout-2 0.952 and 0/183; with the session-5
# model on the re-marked files, final 0.917 and 1/122, heldout-2 0.945 and 0/183. Macro-F1 floors a
# little below the figures (raised from 0.85 and 0.85), so that a retrained model's one-label wobble
# passes; the false-roadblock counts (new checks) at the measured figures. Session 8 marked the final
# half's roadblocks and reflective skills to the written lines (content/listening-corpus/README.md):
# the session-7 model, trained before that marking, reads 0.875 on it (0.876 with SKILL_FLOOR); with
# the session-9 pair encoder (built on the marked files), 0.889 and 0/121.
FINAL_MACRO_F1_FLOOR = 0.87
HELDOUT2_MACRO_F1_FLOOR = 0.93

STATEMENTS = """statements:
  - id: s01
    setting: protest
    text: "We have a right to be here."
"""
REPLIES = """replies:
  - {id: r1, statement: s01, text: "Mm-hm.", labels: [minimal_encourager], split: train}
"""


@pytest.fixture(scope="module")
def heldout():
    return load_heldout()


def test_heldout_size_and_halves(heldout):
    assert len(heldout.replies) >= 200
    dev, final = heldout.split("dev"), heldout.split("final")
    assert len(dev) + len(final) == len(heldout.replies)
    assert abs(len(dev) - len(final)) <= 2
    for half in (dev, final):
        counts = Counter(label for r in half for label in r.labels)
        for label in ORIGINAL_LABELS:
            assert counts[label] >= 5, (label, counts[label])
        assert sum(1 for r in half if not r.labels) >= 5


def test_heldout_ids_do_not_clash_with_the_corpus(heldout):
    corpus_ids = {r.id for r in load_corpus().replies}
    assert not corpus_ids & {r.id for r in heldout.replies}


@pytest.mark.slow
def test_final_macro_f1_floor(heldout):
    scores, _ = evaluate(heldout, "final", ORIGINAL_LABELS)
    assert macro_f1(scores) >= FINAL_MACRO_F1_FLOOR
    marked, good = false_roadblock_rate(heldout, "final")
    assert marked <= 2 and good == 121    # 122 until session 8's marking took one's only skill (a label)


def test_heldout2_is_blind_sized_and_covers_every_label():
    h2 = load_heldout2()
    assert len(h2.replies) >= 150 and len(h2.split("final")) == len(h2.replies)
    counts = Counter(label for r in h2.replies for label in r.labels)
    for label in ALL_LABELS:
        assert counts[label] >= 5, (label, counts[label])
    heldout_ids = {r.id for r in load_heldout().replies}
    assert not heldout_ids & {r.id for r in h2.replies}


@pytest.mark.slow
def test_heldout2_macro_f1_floor():
    h2 = load_heldout2()
    scores, _ = evaluate(h2, "final")
    assert macro_f1(scores) >= HELDOUT2_MACRO_F1_FLOOR
    marked, good = false_roadblock_rate(h2, "final")
    # 0 until session 9; with the pair encoder one: "You must be running on fumes with a newborn" (an
    # emotional label) read as judging (bench/README.md). The quarters and blind sets lost more such
    # errors than they gained (good replies marked 11 -> 10 of 1242 and 6 -> 3 of 1017)
    assert marked <= 1 and good == 183


def _write(tmp_path: Path, heldout: str, replies: str = REPLIES) -> Path:
    (tmp_path / "statements.yaml").write_text(STATEMENTS, encoding="utf-8")
    (tmp_path / "replies.yaml").write_text(replies, encoding="utf-8")
    (tmp_path / "heldout.yaml").write_text(heldout, encoding="utf-8")
    return tmp_path


def test_valid_minimal_heldout_loads(tmp_path):
    folder = _write(tmp_path, """replies:
  - {id: h1, statement: s01, text: "Go on.", labels: [minimal_encourager], split: dev}
  - {id: h2, statement: s01, text: "A right to be here?", labels: [mirroring], split: final, tags: [near_miss]}
""")
    h = load_heldout(folder)
    assert [r.id for r in h.split("final")] == ["h2"]


@pytest.mark.parametrize("heldout,expected", [
    ("""replies:
  - {id: h7, statement: s01, text: "Mm-hm.", labels: [encouraging], split: dev}
""", r"heldout\.yaml: reply h7: unknown label 'encouraging'"),
    ("""replies:
  - {id: h8, statement: s99, text: "Mm-hm.", labels: [], split: dev}
""", r"heldout\.yaml: reply h8: unknown statement id 's99'"),
    ("""replies:
  - {id: h9, statement: s01, text: "Mm-hm.", labels: [], split: dev}
  - {id: h9, statement: s01, text: "Go on.", labels: [], split: final}
""", r"heldout\.yaml: reply h9: duplicate id"),
    ("""replies:
  - {id: h3, statement: s01, text: "Mm-hm.", labels: [], split: test}
""", r"heldout\.yaml: reply h3: split must be 'dev' or 'final'"),
    ("""replies:
  - {id: h4, statement: s01, labels: [], split: dev}
""", r"heldout\.yaml: reply h4: missing field 'text'"),
    ("""replies:
  - {id: h5, statement: s01, text: "Go on.", labels: [minimal_encourager, minimal_encourager], split: dev}
""", r"heldout\.yaml: reply h5: a label is listed twice"),
    ("""replies:
  - {id: h6, statement: s01, text: "Go on.", labels: [], split: dev, tags: [tricky]}
""", r"heldout\.yaml: reply h6: unknown tag 'tricky'"),
    ("""replies:
  - {id: r1, statement: s01, text: "Go on.", labels: [], split: dev}
""", r"heldout\.yaml: reply r1: id already used in replies\.yaml"),
    ("other: []\n", r"heldout\.yaml: expected a top-level 'replies:' list"),
])
def test_heldout_loader_errors_name_file_reply_and_problem(tmp_path, heldout, expected):
    folder = _write(tmp_path, heldout)
    with pytest.raises(CorpusError, match=expected):
        load_heldout(folder)


def test_missing_heldout_file(tmp_path):
    (tmp_path / "statements.yaml").write_text(STATEMENTS, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"heldout\.yaml: file not found"):
        load_heldout(tmp_path)
