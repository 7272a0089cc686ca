"""The labelled listening corpus: size, coverage, split, and the loader's error messages."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from course.listening.corpus import CorpusError, load_corpus
from course.listening.labels import ALL_LABELS

STATEMENTS = """statements:
  - id: s01
    setting: protest
    text: "We have a right to be here."
"""


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_size_and_settings(corpus):
    assert len(corpus.statements) >= 40
    assert len(corpus.replies) >= 400
    settings = Counter(s.setting for s in corpus.statements.values())
    for setting in ("mental_health_crisis", "domestic_dispute", "protest", "neighbour_dispute"):
        assert settings[setting] >= 5, setting


def test_every_label_has_enough_examples_and_appears_in_test(corpus):
    total = Counter(label for r in corpus.replies for label in r.labels)
    test = Counter(label for r in corpus.split("test") for label in r.labels)
    for label in ALL_LABELS:
        assert total[label] >= 20, (label, total[label])
        assert test[label] >= 5, (label, test[label])


def test_split_is_about_thirty_percent_test(corpus):
    share = len(corpus.split("test")) / len(corpus.replies)
    assert 0.25 <= share <= 0.35


def test_neutral_near_miss_stuffing_and_repetition_items_are_present(corpus):
    assert sum(1 for r in corpus.replies if not r.labels) >= 15
    tagged = Counter(tag for r in corpus.replies for tag in r.tags)
    assert tagged["near_miss"] >= 10
    assert tagged["full_repetition"] >= 3
    stuffed = [r for r in corpus.replies if "keyword_stuffing" in r.tags]
    assert len(stuffed) >= 5 and all(r.split == "test" for r in stuffed)
    for r in corpus.replies:
        if "full_repetition" in r.tags:
            assert not r.labels & {"mirroring", "paraphrasing", "summarizing"}, r.id
        if "keyword_stuffing" in r.tags:
            assert "emotional_labeling" not in r.labels, r.id


def test_reply_ids_unique_and_statements_known(corpus):
    ids = [r.id for r in corpus.replies]
    assert len(ids) == len(set(ids))
    assert all(r.statement_id in corpus.statements for r in corpus.replies)


def _write(tmp_path: Path, replies: str, statements: str = STATEMENTS) -> Path:
    (tmp_path / "statements.yaml").write_text(statements, encoding="utf-8")
    (tmp_path / "replies.yaml").write_text(replies, encoding="utf-8")
    return tmp_path


def test_valid_minimal_corpus_loads(tmp_path):
    folder = _write(tmp_path, """replies:
  - {id: r1, statement: s01, text: "Mm-hm.", labels: [minimal_encourager], split: train}
  - {id: r2, statement: s01, text: "Okay.", labels: [], split: test}
""")
    c = load_corpus(folder)
    assert len(c.replies) == 2 and c.split("test")[0].labels == frozenset()


@pytest.mark.parametrize("replies,expected", [
    ("""replies:
  - {id: r7, statement: s01, text: "Mm-hm.", labels: [encouraging], split: train}
""", r"replies\.yaml: reply r7: unknown label 'encouraging'"),
    ("""replies:
  - {id: r8, statement: s99, text: "Mm-hm.", labels: [], split: train}
""", r"replies\.yaml: reply r8: unknown statement id 's99'"),
    ("""replies:
  - {id: r9, statement: s01, text: "Mm-hm.", labels: [], split: train}
  - {id: r9, statement: s01, text: "Go on.", labels: [], split: train}
""", r"replies\.yaml: reply r9: duplicate id"),
    ("""replies:
  - {id: r3, statement: s01, text: "Mm-hm.", labels: [], split: dev}
""", r"replies\.yaml: reply r3: split must be"),
    ("""replies:
  - {id: r4, statement: s01, labels: [], split: train}
""", r"replies\.yaml: reply r4: missing field 'text'"),
])
def test_loader_errors_name_file_reply_and_problem(tmp_path, replies, expected):
    folder = _write(tmp_path, replies)
    with pytest.raises(CorpusError, match=expected):
        load_corpus(folder)


def test_duplicate_statement_and_missing_file(tmp_path):
    folder = _write(tmp_path, "replies: []\n", STATEMENTS + STATEMENTS.split("\n", 1)[1])
    with pytest.raises(CorpusError, match=r"statements\.yaml: statement s01: duplicate id"):
        load_corpus(folder)
    with pytest.raises(CorpusError, match="file not found"):
        load_corpus(tmp_path / "nowhere")
