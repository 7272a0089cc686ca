"""Per-label precision, recall and F1 of the recogniser on a corpus split."""
from __future__ import annotations

from dataclasses import dataclass

from .corpus import Corpus
from .labels import ALL_LABELS, is_good_reply
from .recognise import recognise

# The labels heldout.yaml was written with (before issue 15 added safety_question): its
# figures are computed on these so that before and after compare like with like.
ORIGINAL_LABELS: tuple[str, ...] = tuple(label for label in ALL_LABELS if label != "safety_question")


@dataclass(frozen=True)
class LabelScore:
    label: str
    tp: int
    fp: int
    fn: int
    support: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(corpus: Corpus, split: str = "test", labels: tuple[str, ...] = ALL_LABELS,
             use_model: bool = True) -> tuple[list[LabelScore], list[tuple]]:
    """Return per-label scores and the list of errors (reply id, expected, predicted).

    Each reply is recognised with its statement's setting as the context, as a written
    item's key would give it. Only `labels` are scored (both gold and predicted).
    """
    counts = {label: [0, 0, 0, 0] for label in labels}
    errors = []
    for reply in corpus.split(split):
        predicted = recognise(corpus.statement_of(reply), reply.text, corpus.setting_of(reply),
                              use_model=use_model).labels & set(labels)
        gold = set(reply.labels) & set(labels)
        for label in labels:
            c = counts[label]
            c[3] += label in gold
            if label in gold and label in predicted:
                c[0] += 1
            elif label in predicted:
                c[1] += 1
            elif label in gold:
                c[2] += 1
        if predicted != gold:
            errors.append((reply.id, sorted(gold), sorted(predicted), reply.text))
    return [LabelScore(label, *counts[label]) for label in labels], errors


def macro_f1(scores: list[LabelScore]) -> float:
    """Mean F1 over the labels that occur in the split (gold or predicted)."""
    used = [s for s in scores if s.support or s.fp]
    return sum(s.f1 for s in used) / len(used) if used else 0.0


def false_roadblock_rate(corpus: Corpus, split: str, use_model: bool = True) -> tuple[int, int]:
    """(good replies marked with a roadblock, good replies) in a split.

    A good reply is one whose gold labels hold at least one skill and no roadblock (issue 27's
    goal: at most 1 in 50 of them marked as a roadblock, the unfairest error)."""
    good = [r for r in corpus.split(split) if is_good_reply(r.labels)]
    marked = sum(bool(recognise(corpus.statement_of(r), r.text, corpus.setting_of(r), use_model=use_model).roadblocks)
                 for r in good)
    return marked, len(good)
