"""Scoring rules and key files, outside any kernel."""
from __future__ import annotations

import pytest

from course.grading.score.item import score_item
from course.grading.score.keys import ItemKey, KeyError_, load_keys


def rec(kind, value):
    return {"kind": kind, "value": value}


def test_single_choice_all_or_nothing():
    key = ItemKey("q", "single", answer="b", why={"a": "A is weak", "b": "B is right"})
    assert score_item(key, rec("single", "b")).fraction == 1.0
    wrong = score_item(key, rec("single", "a"))
    assert wrong.fraction == 0.0 and "A is weak" in " ".join(wrong.lines) and "best choice was (b)" in " ".join(wrong.lines)


@pytest.mark.parametrize("chosen, expected", [
    (["a", "c"], 1.0), (["a"], 0.5), (["a", "b"], 0.0), (["a", "b", "c", "d"], 0.0), ([], 0.0), (["a", "c", "d"], 0.5),
])
def test_multiple_choice_right_minus_wrong(chosen, expected):
    key = ItemKey("q", "multiple", answer=["a", "c"])
    assert score_item(key, rec("multiple", chosen)).fraction == pytest.approx(expected)


def test_classify_partial_credit_per_line():
    key = ItemKey("q", "classify", answer={"l1": "x", "l2": "y", "l3": "x", "l4": "y"})
    result = score_item(key, rec("classify", {"l1": "x", "l2": "x", "l3": "x"}))
    assert result.fraction == 0.5 and result.lines[0] == "2 of 4 lines labelled correctly."


@pytest.mark.parametrize("record, message", [
    (None, "No answer was saved"),
    (rec("multiple", "b"), "kind 'multiple', but this item is 'single'"),
])
def test_missing_or_mismatched_records_score_zero_with_reason(record, message):
    result = score_item(ItemKey("q", "single", answer="b"), record)
    assert result.fraction == 0.0 and message in result.lines[0]


def test_malformed_values_score_zero_instead_of_crashing():
    assert score_item(ItemKey("q", "classify", answer={"l1": "x"}), rec("classify", ["x"])).fraction == 0.0
    assert score_item(ItemKey("q", "multiple", answer=["a"]), rec("multiple", {"a": 1})).fraction == 0.0


def test_key_file_errors_name_file_and_item(tmp_path):
    path = tmp_path / "k.yaml"
    path.write_text("items:\n  q1:\n    kind: single\n")
    with pytest.raises(KeyError_, match=r"k.yaml:\d+: item 'q1': missing 'answer'"):
        load_keys(path)
    path.write_text("items:\n  q1:\n    kind: essay\n")
    with pytest.raises(KeyError_, match="kind must be one of"):
        load_keys(path)
