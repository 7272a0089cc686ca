"""The answers file: atomic, restart-safe, and clear about faults."""
from __future__ import annotations

import json
import os

import pytest

from course.recording import (MAX_ANSWERS_BYTES, AnswersFileError, AnswerStore, parse_answers,
                              read_answers_file, write_atomically)


def test_record_then_read_back(tmp_path):
    store = AnswerStore.for_notebook("lesson", tmp_path)
    store.record("q1", "single", "b")
    store.record("q1", "single", "c")
    record = AnswerStore.for_notebook("lesson", tmp_path).get("q1")
    assert record["value"] == "c" and record["saves"] == 2 and record["kind"] == "single"


def test_missing_file_means_no_answers(tmp_path):
    store = AnswerStore.for_notebook("lesson", tmp_path)
    assert store.load() == {} and store.warning is None
    assert not store.path.exists()


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    store = AnswerStore.for_notebook("lesson", tmp_path)
    store.record("q1", "single", "a")
    before = store.path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")  # as if the process died between writing and renaming

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.record("q1", "single", "b")
    assert store.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [store.path.name]  # no temp file left behind


def test_write_atomically_replaces_whole_file(tmp_path):
    target = tmp_path / "f.json"
    write_atomically(target, "old")
    write_atomically(target, "new")
    assert target.read_text() == "new"


def test_corrupt_file_warns_and_is_kept_aside_on_next_save(tmp_path):
    store = AnswerStore.for_notebook("lesson", tmp_path)
    store.path.write_text("{not json")
    assert store.load() == {}
    assert "not valid JSON" in store.warning and str(store.path) in store.warning
    store.record("q1", "single", "a")
    backups = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(backups) == 1 and backups[0].read_text() == "{not json"
    assert store.get("q1")["value"] == "a"


def test_parse_keeps_good_records_and_names_bad_ones():
    text = json.dumps({"format": 1, "answers": {"good": {"kind": "single", "value": "a"}, "bad": ["x"]}})
    parsed = parse_answers(text, "f.answers.json")
    assert list(parsed.answers) == ["good"]
    assert parsed.problems == ["f.answers.json: item 'bad': record must be an object with 'kind' and 'value'; skipped"]


@pytest.mark.parametrize("text, message", [
    ("[]", "expected an object with an 'answers' mapping"),
    ('{"format": 99, "answers": {}}', "unknown format 99"),
    ('{"answers": {', "not valid JSON (line 1"),
])
def test_unreadable_files_name_the_file_and_fault(text, message):
    with pytest.raises(AnswersFileError) as error:
        parse_answers(text, "x.answers.json")
    assert str(error.value).startswith("x.answers.json: ") and message in str(error.value)


def test_huge_file_is_refused_without_reading(tmp_path):
    path = tmp_path / "big.answers.json"
    path.write_bytes(b" " * (MAX_ANSWERS_BYTES + 1))
    with pytest.raises(AnswersFileError, match="far larger"):
        read_answers_file(path)
