"""State in words, so a widget can show "very tense: shouting, pacing" and not colour alone."""
from __future__ import annotations

from typing import Iterable, Mapping

from .model import OUTCOME_LABELS, STATE_MAX, Scenario

STATE_LABELS = {"tension": "Tension", "rapport": "Rapport", "risk": "Risk"}

# (lowest value, words): the band whose lowest value is the largest not above the value.
DEFAULT_WORDS: dict[str, tuple[tuple[int, str], ...]] = {
    "tension": (
        (0, "calm: relaxed voice, still"),
        (2, "settled: speaking normally, some worry"),
        (4, "uneasy: guarded, restless"),
        (6, "tense: raised voice, fidgeting, watching every move"),
        (8, "very tense: shouting, pacing"),
        (10, "at breaking point: not taking anything in"),
    ),
    "rapport": (
        (0, "none: ignores or rejects you"),
        (2, "wary: short answers, no trust yet"),
        (4, "some: answers you and tells part of the story"),
        (6, "good: talks openly with you"),
        (8, "strong: trusts you and weighs your suggestions"),
    ),
    "risk": (
        (0, "low: no one is in immediate danger"),
        (3, "moderate: harm is possible if things change"),
        (6, "high: someone could be hurt soon"),
        (9, "critical: harm could happen at any moment"),
    ),
}


def bands_for(key: str, scenario: Scenario | None = None, flags: Iterable[str] = ()) -> tuple[tuple[int, str], ...]:
    """The word bands of one state key: the scenario's own (or the defaults), with the bands of
    `state_words_when` laid over them for each flag that is set."""
    bands = dict((scenario.state_words.get(key) if scenario is not None else None) or DEFAULT_WORDS.get(key, ()))
    if scenario is not None:
        flags = set(flags)
        for flag, by_key in scenario.state_words_when.items():
            if flag in flags:
                bands.update(dict(by_key.get(key, ())))
    return tuple(sorted(bands.items()))


def words_for(key: str, value: int, scenario: Scenario | None = None, flags: Iterable[str] = ()) -> str:
    bands = bands_for(key, scenario, flags)
    if not bands:
        return f"level {value} of {STATE_MAX}"
    chosen = bands[0][1]
    for low, words in bands:
        if value >= low:
            chosen = words
    return chosen


def describe_state(state: Mapping[str, int], scenario: Scenario | None = None,
                   flags: Iterable[str] = ()) -> dict[str, str]:
    """Each state value in words, e.g. {'tension': 'very tense: shouting, pacing', ...}.

    A scenario may give its own words under `state_words`, and words that hold while a flag is
    set under `state_words_when` (used when passed, with the flags set so far).
    """
    return {key: words_for(key, value, scenario, flags) for key, value in state.items()}


def state_label(key: str) -> str:
    return STATE_LABELS.get(key, key.replace("_", " ").capitalize())


def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)
