"""Second markings of the blind sets (content/listening-blind/second-marks/) and the agreement they are
measured with (course/listening/agreement.py; the figures: bench/marker_agreement.py)."""
from __future__ import annotations

import math

import pytest
import yaml

from course.listening.agreement import (Agreement, agreement, load_second_marking,
                                        second_marks_file)
from course.listening.corpus import CorpusError, blind_file, load_blind
from course.listening.labels import ROADBLOCKS

FOLDER = second_marks_file("blind-3.yaml").parent
MARKED = sorted(path.name for path in FOLDER.glob("*.yaml"))


def test_the_development_sets_are_marked_a_second_time():
    assert MARKED == sorted(f"blind-{n}.yaml" for n in range(18, 33))


@pytest.mark.parametrize("name", MARKED)
def test_a_second_marking_marks_every_reply_of_its_set_and_nothing_else(name):
    marking, corpus = load_second_marking(second_marks_file(name))
    assert marking.set_name == name
    assert list(marking.marks) == [reply.id for reply in corpus.replies]
    assert set(marking.labels) == {"paraphrasing", *ROADBLOCKS}
    text = marking.path.read_text()
    assert "never the writer's labels" in text and "never to train, tune or choose a change" in text


def test_agreement_is_the_f1_of_one_marking_against_the_other():
    first = {"a": frozenset({"arguing"}), "b": frozenset({"arguing", "judging"}), "c": frozenset()}
    second = {"a": frozenset({"arguing"}), "b": frozenset({"judging"}), "c": frozenset({"arguing"})}
    arguing, judging, ordering = agreement(first, second, ("arguing", "judging", "ordering"), ["a", "b", "c"])
    assert (arguing.both, arguing.first, arguing.second, arguing.f1) == (1, 2, 2, 0.5)
    assert judging.f1 == 1.0 and math.isnan(ordering.f1)
    assert (arguing + judging) == Agreement("arguing", 2, 3, 3)
    assert agreement(second, first, ("arguing",), ["a", "b", "c"])[0].f1 == 0.5   # symmetric


@pytest.fixture(scope="module")
def blind_18():
    return load_blind(blind_file("blind-18.yaml"))


def write(tmp_path, blind_18, **change):
    data = {"set": "blind-18.yaml", "labels": ["arguing", "judging"],
            "marks": {reply.id: [] for reply in blind_18.replies}}
    data.update(change)
    path = tmp_path / "blind-18.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_reply_left_unmarked_is_named(tmp_path, blind_18):
    marks = {reply.id: [] for reply in blind_18.replies[1:]}
    with pytest.raises(CorpusError, match=rf"blind-18.yaml: does not mark exactly .*unmarked \['{blind_18.replies[0].id}'\]"):
        load_second_marking(write(tmp_path, blind_18, marks=marks), blind_18)


def test_an_id_the_set_lacks_is_named(tmp_path, blind_18):
    marks = {**{reply.id: [] for reply in blind_18.replies}, "zz9999": ["arguing"]}
    with pytest.raises(CorpusError, match=r"not in the set \['zz9999'\]"):
        load_second_marking(write(tmp_path, blind_18, marks=marks), blind_18)


def test_a_label_the_marker_was_not_asked_about_is_named_with_its_reply(tmp_path, blind_18):
    first = blind_18.replies[0].id
    marks = {reply.id: [] for reply in blind_18.replies} | {first: ["ordering"]}
    with pytest.raises(CorpusError, match=rf"reply {first}: \['ordering'\] is not a list of the labels marked \(arguing, judging\)"):
        load_second_marking(write(tmp_path, blind_18, marks=marks), blind_18)


def test_an_unknown_label_and_a_missing_set_are_refused(tmp_path, blind_18):
    with pytest.raises(CorpusError, match=r"unknown: \['argueing'\]"):
        load_second_marking(write(tmp_path, blind_18, labels=["argueing"]), blind_18)
    with pytest.raises(CorpusError, match=r"'set:' must name the blind set"):
        load_second_marking(write(tmp_path, blind_18, set=""), blind_18)
