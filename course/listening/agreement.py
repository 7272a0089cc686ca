"""A second marker's labels for a blind set, and how far two markings agree, label by label.

A blind set's labels are its writer's. A second marking of the same replies, by a marker who saw
only the label definitions, the statement and the reply, says how reliable each label is: a label
two readers agree on at 0.95 is one a recogniser could reach; one they agree on at 0.80 caps any
recogniser's figure there. Files live in content/listening-blind/second-marks/, one per set:

    set: blind-18.yaml
    labels: [paraphrasing, advising, ...]   # the labels this marker was asked about
    marks:
      bu0001: []
      bu0002: [arguing, judging]
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .corpus import Corpus, CorpusError, _load, blind_file, load_blind
from .labels import ALL_LABELS

SECOND_MARKS_FOLDER = "second-marks"


@dataclass(frozen=True)
class SecondMarking:
    path: Path
    set_name: str
    labels: tuple[str, ...]          # what the marker was asked about; other labels are not compared
    marks: dict[str, frozenset[str]]


def second_marks_file(set_name: str, directory: str | os.PathLike | None = None) -> Path:
    """content/listening-blind/second-marks/<set>.yaml for a set name such as 'blind-18.yaml'."""
    return blind_file(set_name, directory).parent / SECOND_MARKS_FOLDER / set_name


def load_second_marking(path: str | os.PathLike, corpus: Corpus | None = None,
                        directory: str | os.PathLike | None = None) -> tuple[SecondMarking, Corpus]:
    """The marking in `path` and the blind set it marks, checked against each other: every reply of
    the set marked once, no id the set lacks, only the labels the marker was asked about."""
    path = Path(path)
    data = _load(path)
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a mapping with 'set:', 'labels:' and 'marks:'")
    set_name, labels, marks = data.get("set"), data.get("labels"), data.get("marks")
    if not isinstance(set_name, str) or not set_name:
        raise CorpusError(f"{path}: 'set:' must name the blind set marked, e.g. blind-18.yaml")
    if not isinstance(labels, list) or not labels or any(label not in ALL_LABELS for label in labels):
        unknown = [label for label in labels or [] if label not in ALL_LABELS] if isinstance(labels, list) else labels
        raise CorpusError(f"{path}: 'labels:' must list the labels marked, from {', '.join(ALL_LABELS)}"
                          + (f"; unknown: {unknown}" if unknown else ""))
    if not isinstance(marks, dict):
        raise CorpusError(f"{path}: 'marks:' must map each reply id to its list of labels")
    if corpus is None:
        corpus = load_blind(blind_file(set_name, directory), directory)
    ids = [reply.id for reply in corpus.replies]
    in_set = set(ids)
    missing = [reply_id for reply_id in ids if reply_id not in marks]
    extra = [str(reply_id) for reply_id in marks if reply_id not in in_set]
    if missing or extra:
        raise CorpusError(f"{path}: does not mark exactly the replies of {set_name}: "
                          + (f"unmarked {missing[:5]}{' ...' if len(missing) > 5 else ''}" if missing else "")
                          + ("; " if missing and extra else "")
                          + (f"not in the set {extra[:5]}{' ...' if len(extra) > 5 else ''}" if extra else ""))
    checked = {}
    for reply_id in ids:
        given = marks[reply_id] or []
        if not isinstance(given, list) or any(label not in labels for label in given):
            raise CorpusError(f"{path}: reply {reply_id}: {given!r} is not a list of the labels marked ({', '.join(labels)})")
        checked[reply_id] = frozenset(given)
    return SecondMarking(path, set_name, tuple(labels), checked), corpus


@dataclass(frozen=True)
class Agreement:
    label: str
    both: int      # replies both markings give the label
    first: int     # replies the first marking gives it
    second: int    # replies the second gives it

    @property
    def f1(self) -> float:
        """2|A and B| / (|A| + |B|): F1 of either marking against the other (it is symmetric)."""
        return 2 * self.both / (self.first + self.second) if self.first + self.second else float("nan")

    def __add__(self, other: "Agreement") -> "Agreement":
        return Agreement(self.label, self.both + other.both, self.first + other.first, self.second + other.second)


def agreement(first: dict[str, frozenset[str]], second: dict[str, frozenset[str]], labels: tuple[str, ...],
              ids: list[str]) -> list[Agreement]:
    """Per label, how far two markings of the replies `ids` agree."""
    return [Agreement(label, sum(label in first[i] and label in second[i] for i in ids),
                      sum(label in first[i] for i in ids), sum(label in second[i] for i in ids))
            for label in labels]
