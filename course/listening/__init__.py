"""Recognise active-listening skills and roadblocks in a student's written reply.

    from course.listening import recognise, suggestion, score_reply
    rec = recognise("I have nowhere to go.", "Nowhere to go?")
    rec.labels            # {"mirroring"}
    suggestion(rec)       # one concrete next step
    score_reply(statement, reply)   # partial credit in [0, 1]

The method is transparent rules (rules.py, lexicon.py, safety.py) with a small shipped model
beside them (model.py, issue 27: TF-IDF n-grams and the rules' findings, logistic regression
per label, built at build time by train.py); no corpus is read and nothing is downloaded at
run time. `recognise(statement, reply, context)` takes an optional
context (a setting such as "domestic_dispute" or "mental_health_crisis", which a written
item's key may give) that decides whether a direct safety question belongs. The labelled corpus used to measure it lives in
content/listening-corpus/ (see corpus.py and bench/listening_benchmark.py).
"""
from .labels import ALL_LABELS, EXPLANATIONS, ROADBLOCKS, SKILLS
from .recognise import Finding, Recognition, recognise, suggestion
from .scoring import score_reply

__all__ = ["ALL_LABELS", "EXPLANATIONS", "ROADBLOCKS", "SKILLS", "Finding", "Recognition",
           "recognise", "score_reply", "suggestion"]
