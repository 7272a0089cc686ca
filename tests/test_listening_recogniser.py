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
PINNED = ("He's been getting worse since he lost his job. Last night he pinned me against the wall. "
          "I don't want him arrested, I just want it to stop.")
DOG = "His dog barks every night from ten until two. I work early shifts."

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
    ("safety_question", PINNED, "Has he ever put his hands on your neck?",
     "Has he been to this address before?"),
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


SHED = ("I been sleeping out here in the shed since Marie passed in the fall, the house is too quiet "
        "without her. I got the woodstove and the radio, I am fine.")


def test_their_words_used_to_dispute_or_advise_are_not_a_paraphrase():
    """A sentence that takes up their words to dispute, judge, reassure or advise them is that
    roadblock alone; a sentence that restates them, beside a roadblock in another, keeps the
    paraphrase (content/listening-corpus/README.md, "Where one roadblock ends and the next begins")."""
    disputed = recognise(SHED, "You can't live in a shed at your age, the house is right there.", "welfare_check")
    assert "arguing" in disputed.labels and "paraphrasing" not in disputed.labels
    both = recognise(SHED, "Since Marie passed the house is too quiet, so you moved out to the shed. "
                           "Have you thought about selling up?", "welfare_check")
    assert {"paraphrasing", "advising"} <= both.labels
    plain = recognise(SHED, "So since Marie passed the house feels too quiet and you sleep out here now.",
                      "welfare_check")
    assert "paraphrasing" in plain.labels and not plain.roadblocks


BOILER = ("The boiler's been broken since November. The kids sleep in their coats, my mum's chest is "
          "getting worse, and the agent keeps promising an engineer who never comes.")


def test_a_summary_needs_no_cue():
    """Three or more of their points pulled together is a summary, cue or none; one or two is a
    paraphrase (content/listening-corpus/README.md, settled in session 7). Without a cue the rules ask
    for four restated parts; the model reads the count."""
    reply = ("No heating since November, the kids sleeping in their coats, your mum's chest getting worse, "
             "and an agent promising an engineer who never turns up.")
    for use_model in (False, True):   # the rules alone find it too (before session 7 they needed a cue)
        uncued = recognise(BOILER, reply, "landlord_tenant", use_model=use_model)
        assert "summarizing" in uncued.labels and "paraphrasing" not in uncued.labels, use_model
    two = recognise(BOILER, "So the heating's been off since November and the kids are sleeping in coats.",
                    "landlord_tenant")
    assert "paraphrasing" in two.labels and "summarizing" not in two.labels
    # the same points used to tell them what to do are advice, not a summary
    told = recognise(BOILER, "Since November, with the kids in coats and your mum's chest and the agent "
                             "fobbing you off, you should have gone to the council months ago.", "landlord_tenant")
    assert "summarizing" not in told.labels and told.roadblocks


GRIEF = ("My brother passed on Sunday. He was the one who kept us all together, and now my mother won't "
         "eat and my sister won't talk to me. I don't know what I'm supposed to do.")


@pytest.mark.parametrize("statement,reply,labels", [
    ("The baby won't stop crying and I haven't slept in three days. I just need five minutes.",
     "Three days without sleep and a baby who won't stop crying. That's a lot on one person, and nobody "
     "should have to carry it alone.", {"paraphrasing"}),
    ("He punched the wall right next to my head and my mam just stood there. She always takes his side.",
     "He punched the wall right next to your head and your mam didn't step in. That sounds really "
     "frightening. You shouldn't have to feel like that in your own home.", {"paraphrasing", "emotional_labeling"}),
])
def test_nobody_should_have_to_takes_their_side_and_is_no_verdict(statement, reply, labels):
    """"Should have" is hindsight blame ("You should have called us": judging); "nobody should have to"
    and "you shouldn't have to" take their side (38 such replies in the files, none labelled judging).
    Before session 9 the judging rule fired on both, and the pair encoder let it stand on two good
    replies of corpus nine's held-out quarter."""
    got = recognise(statement, reply).labels
    assert labels <= got and not got & set(ROADBLOCKS), got
    assert "judging" in recognise("I didn't ring anyone when he started shouting.",
                                  "You should have called us the first time he shouted.").labels


def test_a_rule_found_skill_in_a_longer_reply_needs_the_models_agreement():
    """In a reply of several sentences a skill the rules found stands only where the model's score for
    the reply, or for that sentence, reaches SKILL_FLOOR (session 8): a name, place or time question
    after a sentence of care is no open question (it invites a one-word answer), a real one still is.
    Before session 8 the rules' open question stood whatever the model said."""
    import importlib
    module = importlib.import_module("course.listening.recognise")
    for closed in ("I'm so sorry about your brother. What was his name?",
                   "I'm sorry for your loss, ma'am. Where does your mother live?"):
        assert "open_question" not in recognise(GRIEF, closed, "mental_health_crisis").labels, closed
        rules_alone = recognise(GRIEF, closed, "mental_health_crisis", use_model=False)
        assert "open_question" in rules_alone.labels, closed     # the rules alone still find one
    for opened in ("I'm so sorry. What was he like?", "Since Sunday it's all fallen on you. What's been the hardest part?"):
        assert "open_question" in recognise(GRIEF, opened, "mental_health_crisis").labels, opened
    assert module.SKILL_FLOOR == 0.5


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


@pytest.mark.slow
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
@pytest.mark.slow
def test_macro_f1_on_the_test_split_stays_above_floor():
    # measured 0.981 (issue 27, corpus four and word meaning); 0.958 with the session-5 model on the
    # re-marked roadblocks (the session-4 model reads 0.943 on them); the floor was 0.80. Session 8
    # marked the split's roadblocks and reflective skills to the written lines: the session-7 model,
    # trained before, reads 0.937 on it (0.939 with SKILL_FLOOR; 0.939 with the session-9 pair encoder)
    scores, _errors = evaluate(load_corpus(), "test")
    assert macro_f1(scores) >= 0.93


# ------------------------------------------------------------------ issue 15
@pytest.mark.parametrize("reply", [
    "You sound angry. What's your problem, mate?",
    "Why would you do something so stupid?",
    "What's wrong with you people?",
    "Did you even bother to ask him nicely?",
    "Don't you have anything better to do than argue about a dog?",
])
def test_hostile_sarcastic_or_blaming_questions_are_judging_not_open(reply):
    rec = recognise(FIGHT, reply)
    assert "judging" in rec.labels and "open_question" not in rec.labels, rec
    assert rec.hostile
    assert score_reply(FIGHT, reply) == 0.0
    assert "hostile" in suggestion(rec)


@pytest.mark.parametrize("reply", [
    "Has he ever put his hands on your neck?",
    "Has he ever strangled or choked you?",
    "Are there any weapons in the house?",
    "Has he ever threatened to kill you?",
    "Are the children safe right now?",
])
def test_dv_safety_questions_are_a_skill(reply):
    rec = recognise(PINNED, reply)
    assert "safety_question" in rec.labels, rec
    assert not rec.roadblocks
    assert "own words" not in suggestion(rec) and "paraphrase" not in suggestion(rec).lower()
    assert score_reply(PINNED, reply) == 0.5
    assert score_reply(PINNED, reply, {"paraphrasing", "emotional_labeling"}) == 0.5


@pytest.mark.parametrize("reply", [
    "Are you thinking about killing yourself?",
    "Have you thought about suicide?",
    "Where are the tablets now?",
    "Have you taken any of them today?",
    "Do you have anything on you that you could hurt yourself with?",
])
def test_suicide_and_means_questions_in_a_crisis(reply):
    crisis = "I've been saving up my tablets for weeks. I can't see it ever getting better."
    rec = recognise(crisis, reply)
    assert rec.labels == {"safety_question"}, rec


def test_safety_questions_belong_where_the_context_says():
    q = "Are you thinking about killing yourself?"
    assert "safety_question" not in recognise(DOG, q).labels
    assert "safety_question" in recognise(DOG, q, context="mental_health_crisis").labels
    assert "safety_question" in recognise(DOG, q, context="crisis").labels
    assert "safety_question" not in recognise(DOG, q, context="neighbour_dispute").labels
    blaming = recognise(PINNED, "How could you even think about hurting yourself?")
    assert "judging" in blaming.labels and "safety_question" not in blaming.labels


def test_reworded_paraphrase_bare_advice_flat_refusal_and_unlisted_feelings():
    assert "paraphrasing" in recognise(EVICTION, "So after all that time, they're turfing you out in days.").labels
    assert "advising" in recognise(EVICTION, "Ring the council's housing team tomorrow.").labels
    assert "advising" in recognise(EVICTION, "Get a solicitor.").labels
    assert recognise(EVICTION, "Put the dog down.").labels == {"ordering"}
    assert "arguing" in recognise(EVICTION, "No. That's not happening.").labels
    assert "emotional_labeling" in recognise(EVICTION, "You look completely spent.").labels
    assert "emotional_labeling" in recognise(EVICTION, "That must sting.").labels
    assert "emotional_labeling" not in recognise(EVICTION, "You must be the tenant.").labels
