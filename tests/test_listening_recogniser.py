"""The active-listening recogniser: labels, evidence, mirroring, keyword stuffing, scoring."""
from __future__ import annotations

import pytest

from course.listening import ALL_LABELS, ROADBLOCKS, SKILLS, recognise, score_reply, suggestion
from course.listening.corpus import load_corpus
from course.listening.evaluate import evaluate, macro_f1

EVICTION = ("My landlord gave me a week to get out. I've lived there twelve years and "
            "I've got nowhere to take my dog.")
FIGHT = ("He keeps telling everyone I stole his bike, and now the whole street thinks "
         "I'm a thief. I've never taken anything in my life.")

# (label, statement, a reply that clearly shows it, a reply that clearly does not)
CASES = [
    ("minimal_encourager", EVICTION, "Mm-hm. Go on.", "I see the problem, you need to calm down."),
    ("paraphrasing", EVICTION, "So after twelve years in that place, you've been told to leave within days.",
     "My landlord gave me a week to get out, I've lived there twelve years and I've got nowhere to take my dog."),
    ("emotional_labeling", EVICTION, "It sounds like you're feeling really panicked about this.",
     "It sounds like you feel, I hear you, what happened?"),
    ("mirroring", EVICTION, "Nowhere to take your dog?",
     "Your landlord gave you a week to get out, you've lived there twelve years and you've got nowhere to take your dog?"),
    ("open_question", EVICTION, "What did the landlord say when he told you?", "Did he give you anything in writing?"),
    ("summarizing", FIGHT,
     "Let me check I've got this: he's telling people you took his bike, the neighbours now see you as a thief, "
     "and you've never stolen anything.",
     "So he's accusing you of taking his bike."),
    ("effective_pause", EVICTION, "(pause) ... Take your time.", "Okay... go on."),
    ("i_message", EVICTION, "I feel worried when I hear you might lose your home, because it's been yours for so long.",
     "I feel like you should call a lawyer."),
    ("advising", EVICTION, "You should go to the tenants' advice centre first thing tomorrow.",
     "What would help you most tonight?"),
    ("judging", FIGHT, "You're being ridiculous, it's only a bike.", "That sounds upsetting."),
    ("arguing", FIGHT, "That's not true, nobody on this street thinks you're a thief.", "Mm-hm."),
    ("ordering", FIGHT, "Calm down and lower your voice.", "What happened with the bike?"),
    ("false_reassurance", EVICTION, "Don't worry, everything will work out fine.", "You sound worried."),
    ("premature_problem_solving", EVICTION, "Here's what we'll do: I'll call the council and get you a flat.",
     "So you've been told to leave after twelve years."),
]


@pytest.mark.parametrize("label,statement,positive,negative", CASES, ids=[c[0] for c in CASES])
def test_each_label_has_a_clear_positive_and_negative(label, statement, positive, negative):
    assert label in recognise(statement, positive).labels, recognise(statement, positive)
    assert label not in recognise(statement, negative).labels, recognise(statement, negative)


def test_cases_cover_every_label():
    assert {c[0] for c in CASES} == set(ALL_LABELS)


def test_findings_have_kind_evidence_and_explanation():
    reply = "Mm-hm. It sounds like you're scared. You should just move in with your sister."
    rec = recognise(EVICTION, reply)
    assert rec.labels == {"minimal_encourager", "emotional_labeling", "advising"}
    for f in rec.findings:
        assert f.kind == ("skill" if f.label in SKILLS else "roadblock")
        assert f.evidence and all(part in reply for part in f.evidence.split("; "))
        assert f.explanation and "\n" not in f.explanation
    assert rec.skills == {"minimal_encourager", "emotional_labeling"}
    assert rec.roadblocks == {"advising"}


def test_neutral_reply_has_no_labels():
    rec = recognise(EVICTION, "I'm Officer Lane from the neighbourhood team.")
    assert rec.labels == set()
    assert "No listening skills" in str(rec)


def test_mirroring_versus_full_repetition():
    mirror = recognise(EVICTION, "A week to get out?")
    assert "mirroring" in mirror.labels and not mirror.full_repetition
    parrot = recognise(EVICTION, "Your landlord gave you a week to get out. You've lived there twelve years "
                                 "and you've got nowhere to take your dog.")
    assert parrot.full_repetition
    assert not parrot.labels & {"mirroring", "paraphrasing", "summarizing"}
    assert "whole statement" in suggestion(parrot)


def test_emotion_word_is_required_for_emotional_labeling():
    assert "emotional_labeling" not in recognise(FIGHT, "It sounds like you need to calm down.").labels
    assert "ordering" in recognise(FIGHT, "It sounds like you need to calm down.").labels
    assert "emotional_labeling" in recognise(FIGHT, "You sound humiliated.").labels


def test_okay_as_a_lead_in_is_not_an_encourager():
    rec = recognise(EVICTION, "Okay, here's what we'll do: you stay with a friend tonight.")
    assert "minimal_encourager" not in rec.labels
    assert "premature_problem_solving" in rec.labels


def test_why_and_blaming_questions_are_not_open_questions():
    for reply in ("What did you do to make him say that?", "How could you let it get this far?",
                  "What were you thinking?"):
        rec = recognise(FIGHT, reply)
        assert "open_question" not in rec.labels, reply
        assert "judging" in rec.labels, reply


# ------------------------------------------------------------------ keyword stuffing
STUFFING = [
    "It sounds like you feel, I hear you, what happened?",
    "I hear you. It sounds like. So what I'm hearing is. Tell me more. Go on. I see.",
    "Mm-hm, I understand, it sounds like you're feeling, what else, tell me more, I'm listening.",
]
GENUINE_SINGLE = [
    "So after twelve years there, you've been given a week to leave.",   # paraphrasing
    "A week to get out?",                                                # mirroring
    "It sounds like you're feeling scared.",                             # emotional labeling
]


@pytest.mark.parametrize("stuffed", STUFFING)
def test_keyword_stuffing_scores_no_higher_than_one_genuine_skill(stuffed):
    stuffed_score = score_reply(EVICTION, stuffed)
    for genuine in GENUINE_SINGLE:
        assert len(recognise(EVICTION, genuine).skills) == 1
        assert stuffed_score <= score_reply(EVICTION, genuine), (stuffed, genuine)
    assert not recognise(EVICTION, stuffed).anchored


def test_keyword_stuffing_in_the_corpus_scores_no_higher_than_genuine_single_skill_replies():
    corpus = load_corpus()
    stuffed = [r for r in corpus.replies if "keyword_stuffing" in r.tags]
    assert len(stuffed) >= 5
    for r in stuffed:
        statement = corpus.statement_of(r)
        singles = [g for g in corpus.replies if g.statement_id == r.statement_id and len(g.labels) == 1
                   and g.labels <= set(SKILLS) and "keyword_stuffing" not in g.tags]
        assert singles, r.id
        best_genuine = max(score_reply(statement, g.text) for g in singles)
        assert score_reply(statement, r.text) <= best_genuine, r.id
        for expected in ({"emotional_labeling", "paraphrasing"}, {"open_question", "minimal_encourager"}):
            assert score_reply(statement, r.text, expected) <= 0.5, (r.id, expected)


def test_stuffed_skills_are_credited_once_even_when_expected():
    stuffed = "Go on. I hear you. Tell me more. What else?"
    assert score_reply(EVICTION, stuffed, {"minimal_encourager", "open_question"}) == 0.5
    genuine = "Mm-hm. What did the landlord say about your dog?"
    assert score_reply(EVICTION, genuine, {"minimal_encourager", "open_question"}) == 1.0


# ------------------------------------------------------------------ scoring and suggestions
def test_score_reply_partial_credit_and_roadblock_deduction():
    none = score_reply(EVICTION, "I'm Officer Lane.")
    one = score_reply(EVICTION, "It sounds like you're feeling scared.")
    two = score_reply(EVICTION, "It sounds like you're scared of losing the home you've had for twelve years. "
                                "What has the landlord told you?")
    blocked = score_reply(EVICTION, "It sounds like you're scared. Don't worry, it'll all be fine.")
    assert none == 0.0 and one == 0.5 and two > one
    assert blocked < one
    for s in (none, one, two, blocked):
        assert 0.0 <= s <= 1.0
    assert score_reply(EVICTION, "Don't worry. You should just leave. Calm down.") == 0.0


def test_score_reply_with_expected_skills():
    reply = "It sounds like you're scared."
    assert score_reply(EVICTION, reply, {"emotional_labeling"}) == 1.0
    assert score_reply(EVICTION, reply, {"emotional_labeling", "paraphrasing"}) == 0.5
    assert score_reply(EVICTION, reply, {"paraphrasing"}) == 0.25
    with pytest.raises(ValueError, match="unknown skill"):
        score_reply(EVICTION, reply, {"advising"})


def test_suggestion_names_a_concrete_next_step():
    assert "advice" in suggestion(recognise(EVICTION, "You should call a lawyer."))
    assert "feeling" in suggestion(recognise(EVICTION, "I'm Officer Lane."))
    tip = suggestion(recognise(EVICTION, "It sounds like you're scared."))
    assert tip and isinstance(tip, str)
    for label in ROADBLOCKS:
        assert suggestion(recognise(FIGHT, dict((c[0], c[2]) for c in CASES).get(label, "")))


def test_empty_reply_is_handled():
    rec = recognise(EVICTION, "")
    assert rec.labels == set()
    assert score_reply(EVICTION, "") == 0.0


# ------------------------------------------------------------------ regression floor
def test_macro_f1_on_the_test_split_stays_above_floor():
    scores, _errors = evaluate(load_corpus(), "test")
    assert macro_f1(scores) >= 0.80
