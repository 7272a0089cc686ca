"""A small synthetic resident survey on procedural justice and trust in Riverton police.

THE DATA ARE SYNTHETIC. Riverton, its neighborhoods and every respondent are
invented by this generator. No statistic computed from them describes any real
city, police agency or population.

Each row is one resident's answers. Four items rate the four pillars of
procedural justice (voice, neutrality, respect, trustworthy motives; President's
Task Force on 21st Century Policing, 2015) on a 1-5 scale, one item rates
overall trust in the police, and one the willingness to cooperate with them
(report a crime, give information). `FIELDS` is the data dictionary.

Structure built in on purpose (numbers in brackets: default seed 2024, n=500):
- Each resident has one underlying perception of how fairly the police treat
  people; the four pillar ratings are noisy readings of it, so they correlate
  with each other and with overall trust [each pillar's correlation with
  overall_trust is about 0.6; the mean of the four pillars, 0.72].
- Overall trust depends on that perception much more than on whether the
  resident had any contact with police; willingness to cooperate follows trust
  [correlation 0.61].
- Residents whose last contact was police-initiated (a stop) rate the pillars
  and trust lower on average than those with no contact or who called for help
  [mean trust 2.62 against 2.99 and 3.05]; but among them, those who felt
  treated with respect (respect 4 or 5) report much higher trust [3.84 against
  2.17, though only 19 such respondents].
- Alder Creek and Ferry Landing (South precinct; Alder Creek is where the calls
  data set's problem place is) start from lower trust [mean 2.44 and 2.81; the
  other neighborhoods 2.89-3.20].
The effect sizes are design choices of this generator, not estimates from any
real survey.

`make_trust_survey(seed, n)` is deterministic: same seed and n, same DataFrame.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_SEED = 2024
DEFAULT_N = 500

NEIGHBORHOODS = {
    # neighborhood: (precinct, shift of the underlying perception)
    "Orchard Hill": ("North", 0.25),
    "Kestrel Park": ("North", 0.10),
    "Old Town": ("Central", 0.0),
    "Millrace": ("Central", 0.05),
    "Alder Creek": ("South", -0.45),
    "Ferry Landing": ("South", -0.20),
    "Eastgate": ("East", 0.0),
    "Harbor View": ("East", -0.05),
}
AGE_GROUPS = ("18-29", "30-44", "45-64", "65+")
CONTACT_KINDS = ("none", "resident-initiated", "police-initiated")
RATING_ITEMS = ("voice", "neutrality", "respect", "trustworthy_motives", "overall_trust", "willing_to_cooperate")
PILLARS = ("voice", "neutrality", "respect", "trustworthy_motives")

_RATING = "integer 1-5 (1 = strongly disagree, 5 = strongly agree)"
FIELDS: dict[str, dict] = {
    "respondent_id": {"type": "string", "description": "Respondent number, 'R0001' onwards.",
                      "allowed": "pattern RNNNN", "nullable": False},
    "precinct": {"type": "string", "description": "Fictional Riverton precinct the respondent lives in.",
                 "allowed": ["North", "Central", "South", "East"], "nullable": False},
    "neighborhood": {"type": "string", "description": "Fictional neighborhood (two per precinct).",
                     "allowed": list(NEIGHBORHOODS), "nullable": False},
    "age_group": {"type": "string", "description": "Respondent's age group.",
                  "allowed": list(AGE_GROUPS), "nullable": False},
    "police_contact_last_year": {"type": "bool", "description": "True if the respondent had any contact with Riverton police in the last 12 months.",
                                 "allowed": [True, False], "nullable": False},
    "contact_initiated_by": {"type": "string", "description": "Who started the most recent contact: 'none' (no contact), 'resident-initiated' (the resident called for help or reported something), 'police-initiated' (a stop or approach by police).",
                             "allowed": list(CONTACT_KINDS), "nullable": False},
    "voice": {"type": "int64", "description": "Voice: 'Police listen to people before making decisions.' " + _RATING,
              "allowed": [1, 2, 3, 4, 5], "nullable": False},
    "neutrality": {"type": "int64", "description": "Neutrality: 'Police make decisions based on facts, not personal opinions or bias.' " + _RATING,
                   "allowed": [1, 2, 3, 4, 5], "nullable": False},
    "respect": {"type": "int64", "description": "Respect: 'Police treat people with dignity and respect.' " + _RATING,
                "allowed": [1, 2, 3, 4, 5], "nullable": False},
    "trustworthy_motives": {"type": "int64", "description": "Trustworthy motives: 'Police try to do what is best for the people in this neighborhood.' " + _RATING,
                            "allowed": [1, 2, 3, 4, 5], "nullable": False},
    "overall_trust": {"type": "int64", "description": "Overall trust / legitimacy: 'I trust the Riverton police.' " + _RATING,
                      "allowed": [1, 2, 3, 4, 5], "nullable": False},
    "willing_to_cooperate": {"type": "int64", "description": "Cooperation: 'I would report a crime or give police information.' " + _RATING,
                             "allowed": [1, 2, 3, 4, 5], "nullable": False},
}
COLUMNS = tuple(FIELDS)

_CUTS = np.array([-1.25, -0.45, 0.40, 1.20])  # latent -> 1..5
_ITEM_SHIFT = {"voice": -0.10, "neutrality": -0.15, "respect": 0.15, "trustworthy_motives": 0.0}


def _to_scale(latent: np.ndarray) -> np.ndarray:
    return (np.searchsorted(_CUTS, latent) + 1).astype(np.int64)


def make_trust_survey(seed: int = DEFAULT_SEED, n: int = DEFAULT_N) -> pd.DataFrame:
    """Return `n` SYNTHETIC survey responses from residents of the fictional city of Riverton.

    Deterministic: the same `seed` and `n` give an identical DataFrame. The
    columns are described in `FIELDS`, the built-in structure in this module's
    docstring.
    """
    if int(n) != n or n < 20:
        raise ValueError("n must be an integer of at least 20")
    n = int(n)
    rng = np.random.default_rng(seed)
    hood_names = list(NEIGHBORHOODS)
    hood = rng.integers(0, len(hood_names), size=n)
    hood_shift = np.array([NEIGHBORHOODS[h][1] for h in hood_names])[hood]
    age = rng.choice(len(AGE_GROUPS), size=n, p=[0.22, 0.28, 0.32, 0.18])
    age_shift = np.array([-0.20, -0.05, 0.05, 0.20])[age]

    # contact in the last year; younger residents are stopped more often
    p_contact = np.array([0.45, 0.38, 0.32, 0.25])[age]
    contact = rng.random(n) < p_contact
    p_police = np.array([0.60, 0.45, 0.35, 0.25])[age]
    police_init = contact & (rng.random(n) < p_police)
    kind = np.where(~contact, 0, np.where(police_init, 2, 1))

    # the underlying perception of fair treatment
    contact_shift = np.array([0.0, 0.10, -0.40])[kind]
    contact_spread = np.array([0.0, 0.35, 0.50])[kind]  # contact experiences vary, good and bad
    perception = (rng.normal(0.0, 0.85, size=n) + hood_shift + age_shift + contact_shift
                  + contact_spread * rng.normal(0.0, 1.0, size=n))

    frame = pd.DataFrame({
        "respondent_id": [f"R{i:04d}" for i in range(1, n + 1)],
        "precinct": [NEIGHBORHOODS[hood_names[h]][0] for h in hood],
        "neighborhood": [hood_names[h] for h in hood],
        "age_group": [AGE_GROUPS[a] for a in age],
        "police_contact_last_year": contact,
        "contact_initiated_by": [CONTACT_KINDS[k] for k in kind],
    })
    for item in PILLARS:
        latent = 0.85 * perception + _ITEM_SHIFT[item] + rng.normal(0.0, 0.55, size=n)
        frame[item] = _to_scale(latent)
    # trust follows the perception, plus a small direct neighborhood effect and noise
    trust_latent = 0.80 * perception + 0.15 * hood_shift + rng.normal(0.0, 0.55, size=n)
    frame["overall_trust"] = _to_scale(trust_latent)
    coop_latent = 0.60 * trust_latent + 0.45 + rng.normal(0.0, 0.65, size=n)
    frame["willing_to_cooperate"] = _to_scale(coop_latent)
    return frame
