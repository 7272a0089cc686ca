"""Synthetic calls for service in Riverton, a FICTIONAL city, for the community-policing lesson.

THE DATA ARE SYNTHETIC. Riverton, its precincts, beats, streets, places and every
call below are invented by this generator. No statistic computed from them
describes any real city, police agency, person or program.

The columns are modeled on the kind of fields real open crisis-call and
calls-for-service data publish (a call identifier, date and time, precinct and
beat, the call type the dispatcher assigned and the type the officer closed it
with, priority, disposition, a use-of-force flag and a crisis-trained-officer
flag). `FIELDS` is the data dictionary; `course/data/README.md` repeats it.

`make_calls(seed)` is deterministic: the same seed and `n_calls` give an identical
DataFrame. The geography (locations, their precinct and beat, which place is the
problem place) never depends on the seed, so a lesson can name places; only the
calls themselves are drawn from the seed.

Structure built in on purpose, for a SARA exercise (the numbers in brackets are
what the default seed, 2024, gives; other seeds give similar values):

(a) Scanning. One place, `HOTSPOT` ("Alder Creek Apartments", South precinct,
    beat S2), produces a clearly disproportionate share of all calls [776 of
    12,000 calls, 6.5%; 7.4% before the response; the next busiest location has
    2.1%]. Its calls are mostly "Disturbance / Noise", "Neighbor Dispute" and
    "Welfare Check" [41%, 23%, 16%], and its disturbance and dispute calls bunch
    on Friday and Saturday nights, 20:00-02:00 [42% of them fall in those 12 of
    the week's 168 hours].

(b) Response and assessment. From `RESPONSE_DATE` (2024-03-01) a response worked
    out with residents and the property manager takes effect, phased in over
    `RESPONSE_RAMP_DAYS` days. The expected rate of "Disturbance / Noise" and
    "Neighbor Dispute" calls at the hotspot falls by `TARGETED_REDUCTION` (50%);
    its other call types are unchanged, so its expected call rate falls by about
    a third. [March-December 2024 against March-December 2023: hotspot 368 -> 265
    calls, -28%; its targeted types 265 -> 139, -48%; all other locations
    4,683 -> 4,838, +3%.] City-wide there is no trend, but there is seasonality
    (summer about 25% busier than winter), a weekly rhythm and day-to-day noise,
    so a naive city-wide before/after shows no improvement [16.2 calls a day
    before, 16.7 after: the hotspot is a small part of the city and the "after"
    period holds proportionally more summer], while the hotspot against
    comparison locations shows the drop. The size of the drop is a design choice
    of this generator, not an estimate of what such responses achieve.

(c) Selection bias. Crisis-intervention-team (CIT) trained officers answer about
    one call in six. Dispatch sees only the initial call type: it sends a CIT
    officer to most calls dispatched as a crisis (initial type "Person in
    Crisis" or "Suicidal Person") and to few others. Crisis calls carry higher
    base rates of force, so the raw use-of-force rate of CIT officers is much
    HIGHER than other officers' [4.3% (83 of 1,941) against 1.6% (156 of
    10,059)]. Compared like with like, the gap shrinks to a small difference that
    chance alone could produce at these counts [calls with a crisis
    (`crisis_call`): 6.8% (76 of 1,110) against 7.8% (68 of 872); other calls
    0.8% against 1.0%]. The built-in effect is deliberately small
    (`CIT_FORCE_FACTOR_CRISIS` = 0.9, no effect on other calls), no larger than
    the evidence the lesson cites (Compton et al. 2014: CIT status generally
    not predictive of the level of force; Taheri 2016: no significant effect on
    arrests or officer injuries). CIT officers arrest somewhat less and refer
    or transport voluntarily more often on crisis calls. Other seeds put the
    within-crisis rates a little either way; the raw ratio always stays well
    above 1. Even the like-with-like comparison is not a randomized experiment;
    the lesson says so.

Nothing here runs at import time except building the small fixed tables.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

CITY = "Riverton"
DEFAULT_SEED = 2024
DEFAULT_N_CALLS = 12_000
START_DATE = date(2023, 1, 1)
END_DATE = date(2024, 12, 31)  # inclusive
RESPONSE_DATE = date(2024, 3, 1)
RESPONSE_RAMP_DAYS = 21
TARGETED_REDUCTION = 0.50  # drop in the hotspot's targeted call types after the response
HOTSPOT = "Alder Creek Apartments"
HOTSPOT_TARGETED_TYPES = ("Disturbance / Noise", "Neighbor Dispute")
# Expected share of all calls at the hotspot if there were no response.
HOTSPOT_SHARE_NO_RESPONSE = 0.072
# The built-in CIT effects are kept no larger than the published evidence supports: Compton et al.
# (2014) found CIT status generally not predictive of the level of force, and Taheri (2016) found no
# significant effect on arrests. CIT officers refer or transport voluntarily more often (Compton).
CIT_FORCE_FACTOR_CRISIS = 0.90  # CIT officer's force probability relative to others, crisis calls
CIT_FORCE_FACTOR_OTHER = 1.00  # the same, on other calls
CIT_ARREST_FACTOR_CRISIS = 0.80
FORCE_CRISIS_FOUND = 0.06  # force probability when a crisis is found on a non-crisis call type

PRECINCTS = ("North", "Central", "South", "East")
BEATS = {
    "North": ("N1", "N2", "N3"),
    "Central": ("C1", "C2", "C3"),
    "South": ("S1", "S2", "S3"),
    "East": ("E1", "E2", "E3"),
}
ALL_BEATS = tuple(b for p in PRECINCTS for b in BEATS[p])

CALL_TYPES = (
    "Disturbance / Noise",
    "Neighbor Dispute",
    "Welfare Check",
    "Person in Crisis",
    "Suicidal Person",
    "Domestic Disturbance",
    "Theft",
    "Trespass",
    "Suspicious Person",
    "Traffic Collision",
    "Assault",
    "Burglary",
    "Alarm",
)
CRISIS_TYPES = ("Person in Crisis", "Suicidal Person")

DISPOSITIONS = (
    "Resolved on scene",
    "Report taken",
    "Referral / voluntary transport",
    "Emergency detention",
    "Arrest",
    "No action / gone on arrival",
)

# --------------------------------------------------------------------------
# Fixed tables (do not depend on the seed)
# --------------------------------------------------------------------------

# Share of each initial call type in the city as a whole (sums to 1).
_BASE_TYPE_MIX = {
    "Disturbance / Noise": 0.14,
    "Neighbor Dispute": 0.06,
    "Welfare Check": 0.10,
    "Person in Crisis": 0.08,
    "Suicidal Person": 0.03,
    "Domestic Disturbance": 0.08,
    "Theft": 0.12,
    "Trespass": 0.07,
    "Suspicious Person": 0.10,
    "Traffic Collision": 0.08,
    "Assault": 0.05,
    "Burglary": 0.04,
    "Alarm": 0.05,
}

# Call-type mix at the hotspot (sums to 1).
_HOTSPOT_TYPE_MIX = {
    "Disturbance / Noise": 0.44,
    "Neighbor Dispute": 0.24,
    "Welfare Check": 0.14,
    "Domestic Disturbance": 0.05,
    "Person in Crisis": 0.04,
    "Trespass": 0.04,
    "Suspicious Person": 0.03,
    "Theft": 0.02,
}

# Multipliers on the base mix by kind of place.
_KIND_TYPE_MULT = {
    "block": {},
    "apartments": {"Disturbance / Noise": 1.6, "Neighbor Dispute": 2.0, "Domestic Disturbance": 1.5,
                   "Welfare Check": 1.3, "Theft": 0.5, "Traffic Collision": 0.2, "Alarm": 0.5},
    "store": {"Theft": 4.0, "Trespass": 2.5, "Suspicious Person": 1.5, "Assault": 1.3,
              "Neighbor Dispute": 0.1, "Domestic Disturbance": 0.1, "Burglary": 1.5, "Alarm": 2.0},
    "transit": {"Person in Crisis": 2.5, "Suspicious Person": 2.0, "Assault": 2.0, "Trespass": 2.0,
                "Neighbor Dispute": 0.1, "Domestic Disturbance": 0.1, "Burglary": 0.1, "Alarm": 0.3},
    "park": {"Disturbance / Noise": 1.5, "Person in Crisis": 1.5, "Suspicious Person": 2.0,
             "Welfare Check": 1.5, "Neighbor Dispute": 0.2, "Domestic Disturbance": 0.2,
             "Burglary": 0.1, "Alarm": 0.1, "Traffic Collision": 0.3},
    "motel": {"Disturbance / Noise": 1.5, "Person in Crisis": 2.0, "Suicidal Person": 2.0,
              "Welfare Check": 2.0, "Domestic Disturbance": 1.5, "Traffic Collision": 0.2},
}

# Named places: (name, precinct, beat, kind, relative weight). Weight 1 = a typical block.
_NAMED_PLACES = (
    (HOTSPOT, "South", "S2", "apartments", 0.0),  # its calls come from its own stream
    ("Quick Stop Market, Ferry Rd & 9th Ave", "South", "S1", "store", 9.0),
    ("Riverton Transit Center", "Central", "C2", "transit", 8.0),
    ("Harbor View Motel", "East", "E2", "motel", 6.0),
    ("Eastgate Shopping Plaza", "East", "E1", "store", 6.0),
    ("Cedar Ridge Apartments", "South", "S3", "apartments", 5.0),
    ("Millrace Park", "North", "N2", "park", 4.0),
    ("Kestrel Court Apartments", "North", "N1", "apartments", 4.5),
    ("Riverton Public Library", "Central", "C1", "block", 3.0),
    ("Larch Street Shelter", "Central", "C3", "motel", 5.0),
    ("Orchard Hill Senior Residences", "North", "N3", "apartments", 2.5),
    ("Granite Avenue Bus Loop", "East", "E3", "transit", 3.0),
)

_STREETS = (
    "Alder St", "Birch Ave", "Cedar St", "Dogwood Ln", "Elm St", "Ferry Rd", "Granite Ave",
    "Heron Way", "Ironwood Dr", "Juniper St", "Kestrel Ave", "Larch St", "Millrace Rd",
    "Nettle St", "Orchard Ave", "Pine St", "Quarry Rd", "Rowan St", "Sumac Ave",
    "Tamarack Dr", "Upland Rd", "Vine St", "Willow Ave", "Yarrow St",
)
_BLOCKS_PER_STREET = 10  # 24 streets x 10 blocks = 240 block addresses


def _build_locations() -> pd.DataFrame:
    """The fixed list of places: location, precinct, beat, kind, weight."""
    fixed = np.random.default_rng(20230101)  # fixed geography, independent of the user's seed
    rows = []
    for s, street in enumerate(_STREETS):
        # each street runs through one precinct; its blocks spread over that precinct's beats
        precinct = PRECINCTS[s % len(PRECINCTS)]
        for k in range(_BLOCKS_PER_STREET):
            block = 100 * (k + 1) + (1300 if s % 3 == 0 else 0)
            beat = BEATS[precinct][(k * 3) // _BLOCKS_PER_STREET]
            rows.append((f"{block} block {street}", precinct, beat, "block"))
    weights = fixed.lognormal(mean=0.0, sigma=0.9, size=len(rows))
    weights = np.minimum(weights, 4.0)  # no ordinary block rivals the busiest named places
    frame = pd.DataFrame(rows, columns=["location", "precinct", "beat", "kind"])
    frame["weight"] = weights
    named = pd.DataFrame(list(_NAMED_PLACES), columns=["location", "precinct", "beat", "kind", "weight"])
    return pd.concat([named, frame], ignore_index=True)


LOCATIONS = _build_locations()

# Hour-of-day profiles (24 values each, relative).
_HOUR_GENERAL = np.array([4, 3, 2.5, 2, 1.6, 1.6, 2.2, 3.5, 4.5, 5, 5.4, 5.6,
                          5.8, 5.8, 6, 6.3, 6.6, 6.8, 6.8, 6.5, 6.2, 5.8, 5.2, 4.6])
_HOUR_NIGHT = np.array([7, 6, 4.5, 3, 1.5, 0.8, 0.6, 0.6, 0.8, 1, 1.2, 1.5,
                        1.8, 2, 2.2, 2.6, 3, 3.6, 4.2, 5, 6, 7, 7.6, 7.6])
_HOUR_DAY = np.array([0.8, 0.6, 0.5, 0.4, 0.4, 0.6, 1.5, 3.5, 5.5, 6.5, 7, 7.2,
                      7.2, 7.2, 7.2, 7.2, 7, 6.5, 5.5, 4.5, 3.5, 2.5, 1.8, 1.2])
_TYPE_HOUR_PROFILE = {
    "Disturbance / Noise": _HOUR_NIGHT, "Neighbor Dispute": _HOUR_GENERAL,
    "Welfare Check": _HOUR_DAY, "Person in Crisis": _HOUR_GENERAL,
    "Suicidal Person": _HOUR_NIGHT, "Domestic Disturbance": _HOUR_NIGHT,
    "Theft": _HOUR_DAY, "Trespass": _HOUR_GENERAL, "Suspicious Person": _HOUR_GENERAL,
    "Traffic Collision": _HOUR_DAY, "Assault": _HOUR_NIGHT, "Burglary": _HOUR_DAY,
    "Alarm": _HOUR_GENERAL,
}
# At the hotspot, disturbance and dispute calls are a late Friday/Saturday-night problem.
_HOUR_HOTSPOT_NIGHT = np.array([9, 7, 4, 1.5, 0.5, 0.2, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6,
                                0.7, 0.8, 0.9, 1, 1.2, 1.5, 2, 3, 8, 10, 11, 11])
# Day-of-week multipliers, Monday=0 ... Sunday=6.
_DOW_CITY = np.array([0.97, 0.95, 0.96, 0.98, 1.08, 1.08, 1.0])
_DOW_HOTSPOT_NIGHT = np.array([0.45, 0.4, 0.45, 0.6, 2.1, 2.5, 0.8])  # Fri, Sat nights

# Dispatcher reclassification: initial type -> {final type: probability}; remainder stays.
_RECLASSIFY = {
    "Disturbance / Noise": {"Neighbor Dispute": 0.08, "Domestic Disturbance": 0.04, "Person in Crisis": 0.04},
    "Neighbor Dispute": {"Assault": 0.04, "Disturbance / Noise": 0.05},
    "Welfare Check": {"Person in Crisis": 0.16, "Suicidal Person": 0.03},
    "Person in Crisis": {"Suicidal Person": 0.08, "Welfare Check": 0.06},
    "Suicidal Person": {"Person in Crisis": 0.12},
    "Domestic Disturbance": {"Assault": 0.10, "Disturbance / Noise": 0.04},
    "Suspicious Person": {"Person in Crisis": 0.07, "Trespass": 0.08},
    "Trespass": {"Person in Crisis": 0.04},
    "Alarm": {"Burglary": 0.03},
    "Assault": {"Domestic Disturbance": 0.06},
}
# A behavioral-health crisis found on a call whose final type is not a crisis type.
_CRISIS_COMPONENT = {"Welfare Check": 0.12, "Disturbance / Noise": 0.03, "Suspicious Person": 0.04,
                     "Domestic Disturbance": 0.03, "Trespass": 0.05}

# Priority probabilities by initial type: (P1, P2, P3). 1 = most urgent.
_PRIORITY = {
    "Disturbance / Noise": (0.05, 0.35, 0.60), "Neighbor Dispute": (0.05, 0.45, 0.50),
    "Welfare Check": (0.10, 0.55, 0.35), "Person in Crisis": (0.30, 0.60, 0.10),
    "Suicidal Person": (0.85, 0.15, 0.0), "Domestic Disturbance": (0.70, 0.28, 0.02),
    "Theft": (0.05, 0.35, 0.60), "Trespass": (0.03, 0.40, 0.57),
    "Suspicious Person": (0.10, 0.50, 0.40), "Traffic Collision": (0.35, 0.50, 0.15),
    "Assault": (0.80, 0.18, 0.02), "Burglary": (0.30, 0.50, 0.20), "Alarm": (0.15, 0.55, 0.30),
}
_RESPONSE_MEDIAN_MIN = {1: 6.5, 2: 14.0, 3: 29.0}

# Base probability of force, and of arrest, by final call type (officer without CIT training).
_FORCE = {
    "Disturbance / Noise": 0.006, "Neighbor Dispute": 0.005, "Welfare Check": 0.004,
    "Person in Crisis": 0.080, "Suicidal Person": 0.080, "Domestic Disturbance": 0.025,
    "Theft": 0.008, "Trespass": 0.010, "Suspicious Person": 0.006, "Traffic Collision": 0.001,
    "Assault": 0.040, "Burglary": 0.010, "Alarm": 0.001,
}
_ARREST = {
    "Disturbance / Noise": 0.03, "Neighbor Dispute": 0.03, "Welfare Check": 0.01,
    "Person in Crisis": 0.06, "Suicidal Person": 0.02, "Domestic Disturbance": 0.30,
    "Theft": 0.15, "Trespass": 0.12, "Suspicious Person": 0.05, "Traffic Collision": 0.03,
    "Assault": 0.35, "Burglary": 0.10, "Alarm": 0.01,
}
# Among non-arrest outcomes of non-crisis calls: (report taken, no action/gone, referral); rest resolved.
_NONCRISIS_OUTCOME = {
    "Disturbance / Noise": (0.05, 0.30, 0.01), "Neighbor Dispute": (0.15, 0.15, 0.04),
    "Welfare Check": (0.05, 0.25, 0.10), "Domestic Disturbance": (0.45, 0.10, 0.08),
    "Theft": (0.70, 0.10, 0.0), "Trespass": (0.15, 0.35, 0.02),
    "Suspicious Person": (0.05, 0.45, 0.02), "Traffic Collision": (0.60, 0.05, 0.0),
    "Assault": (0.65, 0.10, 0.03), "Burglary": (0.85, 0.05, 0.0), "Alarm": (0.05, 0.75, 0.0),
    "Person in Crisis": (0.05, 0.20, 0.30), "Suicidal Person": (0.05, 0.10, 0.40),
}

CIT_SHARE_OTHER_CALLS = 0.08  # share of non-crisis dispatches answered by a CIT officer
CIT_SHARE_CRISIS_DISPATCH = 0.85  # share of crisis dispatches answered by a CIT officer

FIELDS: dict[str, dict] = {
    "call_id": {"type": "string", "description": "Unique call number, 'RIV-<year>-<6-digit sequence>', in time order.",
                "allowed": "pattern RIV-YYYY-NNNNNN", "nullable": False},
    "reported_at": {"type": "datetime64", "description": "Date and time the call was received (local time, to the minute).",
                    "allowed": f"{START_DATE.isoformat()} 00:00 to {END_DATE.isoformat()} 23:59", "nullable": False},
    "precinct": {"type": "string", "description": "Fictional Riverton police precinct.",
                 "allowed": list(PRECINCTS), "nullable": False},
    "beat": {"type": "string", "description": "Patrol beat inside the precinct (first letter = precinct).",
             "allowed": list(ALL_BEATS), "nullable": False},
    "location": {"type": "string", "description": "Fictional block address ('1400 block Alder St') or named place.",
                 "allowed": f"{len(LOCATIONS)} fictional locations", "nullable": False},
    "initial_call_type": {"type": "string", "description": "Call type the dispatcher assigned from the caller's report.",
                          "allowed": list(CALL_TYPES), "nullable": False},
    "final_call_type": {"type": "string", "description": "Call type the officer closed the call with, after seeing the situation.",
                        "allowed": list(CALL_TYPES), "nullable": False},
    "priority": {"type": "int64", "description": "Dispatch priority: 1 = emergency, 2 = urgent, 3 = routine.",
                 "allowed": [1, 2, 3], "nullable": False},
    "disposition": {"type": "string", "description": "How the call ended.",
                    "allowed": list(DISPOSITIONS), "nullable": False},
    "use_of_force": {"type": "bool", "description": "True if any officer reported using force on the call.",
                     "allowed": [True, False], "nullable": False},
    "crisis_trained_officer": {"type": "bool", "description": "True if the primary responding officer is CIT (crisis intervention) trained.",
                               "allowed": [True, False], "nullable": False},
    "crisis_call": {"type": "bool", "description": "True if the officer found a behavioral-health crisis on the call (always for final types 'Person in Crisis' and 'Suicidal Person').",
                    "allowed": [True, False], "nullable": False},
    "response_minutes": {"type": "float64", "description": "Minutes from the call to the first officer's arrival (one decimal).",
                         "allowed": "1.0 to 180.0", "nullable": False},
}
COLUMNS = tuple(FIELDS)


def _day_table() -> pd.DataFrame:
    days = pd.date_range(START_DATE, END_DATE, freq="D")
    doy = days.day_of_year.to_numpy()
    # seasonality: busiest in mid-July, quietest in mid-January (+/- 12%)
    season = 1.0 + 0.12 * np.cos(2 * np.pi * (doy - 196) / 365.25)
    ramp = np.clip((days - pd.Timestamp(RESPONSE_DATE)).days.to_numpy() / RESPONSE_RAMP_DAYS, 0.0, 1.0)
    ramp = np.where(days >= pd.Timestamp(RESPONSE_DATE), np.maximum(ramp, 1.0 / RESPONSE_RAMP_DAYS), 0.0)
    return pd.DataFrame({"day": days, "dow": days.day_of_week.to_numpy(), "season": season, "ramp": ramp})


def _mix_vector(mix: dict[str, float]) -> np.ndarray:
    v = np.array([mix.get(t, 0.0) for t in CALL_TYPES], dtype=float)
    return v / v.sum()


def make_calls(seed: int = DEFAULT_SEED, n_calls: int = DEFAULT_N_CALLS) -> pd.DataFrame:
    """Return `n_calls` SYNTHETIC calls for service in the fictional city of Riverton.

    Deterministic: the same `seed` and `n_calls` give an identical DataFrame. The
    columns and their meaning are in `FIELDS`; the structure built in for the
    SARA exercise is described in this module's docstring.
    """
    if int(n_calls) != n_calls or n_calls < 100:
        raise ValueError("n_calls must be an integer of at least 100")
    n_calls = int(n_calls)
    rng = np.random.default_rng(seed)
    days = _day_table()
    n_days = len(days)
    n_types = len(CALL_TYPES)
    type_index = {t: i for i, t in enumerate(CALL_TYPES)}

    # ---- where and when: expected counts per (day, stream, call type) ----
    # day-to-day noise (weather, events): a weekly and a daily multiplicative factor
    week_noise = np.repeat(rng.gamma(60.0, 1 / 60.0, size=n_days // 7 + 1), 7)[:n_days]
    day_noise = rng.gamma(25.0, 1 / 25.0, size=n_days)
    city_day = days["season"].to_numpy() * _DOW_CITY[days["dow"].to_numpy()] * week_noise * day_noise

    hot_mix = _mix_vector(_HOTSPOT_TYPE_MIX)
    targeted = np.isin(np.array(CALL_TYPES), HOTSPOT_TARGETED_TYPES)
    hot_dow_night = _DOW_HOTSPOT_NIGHT[days["dow"].to_numpy()]
    hot_noise = rng.gamma(8.0, 1 / 8.0, size=n_days)  # a small place is noisier than a city
    # per day x type, before any response; targeted types follow the Fri/Sat-night pattern
    hot_base = np.outer(days["season"].to_numpy() * hot_noise, hot_mix)
    hot_base[:, targeted] *= hot_dow_night[:, None]
    # rescale so that, without the response, the hotspot holds HOTSPOT_SHARE_NO_RESPONSE of calls
    share = HOTSPOT_SHARE_NO_RESPONSE
    hot_base *= (share / (1 - share)) * city_day.sum() / hot_base.sum()
    hot = hot_base.copy()
    hot[:, targeted] *= (1.0 - TARGETED_REDUCTION * days["ramp"].to_numpy())[:, None]

    # draw the number of calls in each cell: one multinomial so the total is exactly n_calls
    cell_weights = np.concatenate([city_day, hot.ravel()])
    counts = rng.multinomial(n_calls, cell_weights / cell_weights.sum())
    city_counts = counts[:n_days]
    hot_counts = counts[n_days:].reshape(n_days, n_types)

    # city calls: location by weight, then type by the place's mix
    loc = LOCATIONS
    loc_w = loc["weight"].to_numpy()
    n_city = int(city_counts.sum())
    city_day_idx = np.repeat(np.arange(n_days), city_counts)
    city_loc = rng.choice(len(loc), size=n_city, p=loc_w / loc_w.sum())
    kinds = list(_KIND_TYPE_MULT)
    kind_mix = np.array([_mix_vector({t: _BASE_TYPE_MIX[t] * _KIND_TYPE_MULT[k].get(t, 1.0)
                                      for t in CALL_TYPES}) for k in kinds])
    loc_kind = loc["kind"].map({k: i for i, k in enumerate(kinds)}).to_numpy()
    city_type = _draw_rows(rng, kind_mix[loc_kind[city_loc]])

    hot_day_idx, hot_type = np.nonzero(hot_counts)
    reps = hot_counts[hot_day_idx, hot_type]
    hot_day_idx = np.repeat(hot_day_idx, reps)
    hot_type = np.repeat(hot_type, reps)
    hot_loc_i = int(np.flatnonzero(loc["location"].to_numpy() == HOTSPOT)[0])

    day_idx = np.concatenate([city_day_idx, hot_day_idx])
    loc_idx = np.concatenate([city_loc, np.full(len(hot_day_idx), hot_loc_i)])
    init_type = np.concatenate([city_type, hot_type])
    is_hot = np.concatenate([np.zeros(n_city, bool), np.ones(len(hot_day_idx), bool)])
    n = len(day_idx)

    # hour of day by call type (hotspot night types use their own profile), minute uniform
    hour = np.empty(n, dtype=np.int64)
    for t, name in enumerate(CALL_TYPES):
        profile = _TYPE_HOUR_PROFILE[name]
        for hot_flag in (False, True):
            mask = (init_type == t) & (is_hot == hot_flag)
            if not mask.any():
                continue
            prof = _HOUR_HOTSPOT_NIGHT if (hot_flag and name in HOTSPOT_TARGETED_TYPES) else profile
            hour[mask] = rng.choice(24, size=int(mask.sum()), p=prof / prof.sum())
    minute = rng.integers(0, 60, size=n)
    reported_at = (days["day"].to_numpy()[day_idx]
                   + (hour * 60 + minute).astype("timedelta64[m]")).astype("datetime64[ns]")

    # ---- what the officer found ----
    final_type = init_type.copy()
    u = rng.random(n)
    for src, targets in _RECLASSIFY.items():
        mask = init_type == type_index[src]
        cum = 0.0
        for dst, p in targets.items():
            sel = mask & (u >= cum) & (u < cum + p)
            final_type[sel] = type_index[dst]
            cum += p
    crisis_idx = np.array([type_index[t] for t in CRISIS_TYPES])
    crisis_component = np.array([_CRISIS_COMPONENT.get(t, 0.0) for t in CALL_TYPES])
    crisis = np.isin(final_type, crisis_idx) | (rng.random(n) < crisis_component[final_type])

    # ---- who was sent: dispatch sees only the initial type ----
    dispatched_crisis = np.isin(init_type, crisis_idx)
    p_cit = np.where(dispatched_crisis, CIT_SHARE_CRISIS_DISPATCH, CIT_SHARE_OTHER_CALLS)
    cit = rng.random(n) < p_cit

    # ---- priority and response time ----
    prio_p = np.array([_PRIORITY[t] for t in CALL_TYPES])
    priority = _draw_rows(rng, prio_p[init_type]) + 1
    median = np.vectorize(_RESPONSE_MEDIAN_MIN.get)(priority).astype(float)
    median = median + np.where(dispatched_crisis & cit, 3.0, 0.0)  # waiting for a CIT officer
    # busy Friday/Saturday nights slow responses a little
    dow = pd.DatetimeIndex(reported_at).day_of_week.to_numpy()
    late_weekend = (np.isin(dow, [4, 5]) & (hour >= 20)) | (np.isin(dow, [5, 6]) & (hour < 2))
    median = median * np.where(late_weekend, 1.2, 1.0)
    response = np.clip(median * rng.lognormal(0.0, 0.5, size=n), 1.0, 180.0).round(1)

    # ---- outcome: force, then disposition ----
    base_force = np.array([_FORCE[t] for t in CALL_TYPES])[final_type]
    # a crisis found on a call dispatched as something else carries about a crisis call's risk
    base_force = np.where(crisis & ~np.isin(final_type, crisis_idx), FORCE_CRISIS_FOUND, base_force)
    force_factor = np.where(cit, np.where(crisis, CIT_FORCE_FACTOR_CRISIS, CIT_FORCE_FACTOR_OTHER), 1.0)
    use_of_force = rng.random(n) < base_force * force_factor

    base_arrest = np.array([_ARREST[t] for t in CALL_TYPES])[final_type]
    arrest_factor = np.where(cit & crisis, CIT_ARREST_FACTOR_CRISIS, 1.0)
    p_arrest = np.where(use_of_force, 0.55, base_arrest * arrest_factor)
    disp = np.full(n, DISPOSITIONS.index("Resolved on scene"), dtype=np.int64)
    u_arrest = rng.random(n)
    u_out = rng.random(n)
    arrested = u_arrest < p_arrest
    disp[arrested] = DISPOSITIONS.index("Arrest")

    # crisis calls that did not end in arrest
    c = crisis & ~arrested
    p_detain = np.where(use_of_force, 0.60, 0.12)
    p_refer = np.where(cit, 0.45, 0.28)
    p_none = np.where(use_of_force, 0.0, 0.12)
    disp[c & (u_out < p_detain)] = DISPOSITIONS.index("Emergency detention")
    disp[c & (u_out >= p_detain) & (u_out < p_detain + p_refer)] = DISPOSITIONS.index("Referral / voluntary transport")
    disp[c & (u_out >= p_detain + p_refer) & (u_out < p_detain + p_refer + p_none)] = \
        DISPOSITIONS.index("No action / gone on arrival")

    # other calls that did not end in arrest
    o = ~crisis & ~arrested
    outcome = np.array([_NONCRISIS_OUTCOME[t] for t in CALL_TYPES])[final_type]
    p_report, p_gone, p_ref = outcome[:, 0], outcome[:, 1], outcome[:, 2]
    p_gone = np.where(use_of_force, 0.0, p_gone)
    disp[o & (u_out < p_report)] = DISPOSITIONS.index("Report taken")
    disp[o & (u_out >= p_report) & (u_out < p_report + p_gone)] = DISPOSITIONS.index("No action / gone on arrival")
    disp[o & (u_out >= p_report + p_gone) & (u_out < p_report + p_gone + p_ref)] = \
        DISPOSITIONS.index("Referral / voluntary transport")

    # ---- assemble, in time order ----
    order = np.lexsort((rng.random(n), reported_at))
    types = np.array(CALL_TYPES, dtype=object)
    frame = pd.DataFrame({
        "reported_at": reported_at[order],
        "precinct": loc["precinct"].to_numpy(dtype=object)[loc_idx[order]],
        "beat": loc["beat"].to_numpy(dtype=object)[loc_idx[order]],
        "location": loc["location"].to_numpy(dtype=object)[loc_idx[order]],
        "initial_call_type": types[init_type[order]],
        "final_call_type": types[final_type[order]],
        "priority": priority[order].astype(np.int64),
        "disposition": np.array(DISPOSITIONS, dtype=object)[disp[order]],
        "use_of_force": use_of_force[order],
        "crisis_trained_officer": cit[order],
        "crisis_call": crisis[order],
        "response_minutes": response[order].astype(np.float64),
    })
    years = frame["reported_at"].dt.year.to_numpy()
    seq = np.zeros(n, dtype=np.int64)
    for y in np.unique(years):
        m = years == y
        seq[m] = np.arange(1, int(m.sum()) + 1)
    frame.insert(0, "call_id", [f"RIV-{y}-{s:06d}" for y, s in zip(years, seq)])
    return frame


def _draw_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of `probs` (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    cum[:, -1] = 1.0
    u = rng.random(len(probs))[:, None]
    return (u > cum).sum(axis=1)
