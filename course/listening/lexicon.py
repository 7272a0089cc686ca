"""Word lists the rules use: stopwords, synonyms, emotion words, encouragers.

Everything here is plain data, so an instructor can read (and extend) what the recogniser
looks for.
"""
from __future__ import annotations

# Words that carry no content of their own when comparing a reply with a statement,
# including the generic words of listening phrases ("sound", "feel", "hear", "tell"),
# so that stringing listening phrases together does not count as being about the statement.
STOPWORDS: frozenset[str] = frozenset("""
a about above after again against all also am an and any anyone anything are around as at
be because been before being below between both but by can could did do does doing done
down during each even ever every few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just let like ll me more most my
myself no nor not now of off on once only or other our ours out over own re s same she
should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves ve d m t don isn wasn aren won
okay ok right yeah yes well really pretty bit lot lots thing things way something nothing
everything anybody nobody everyone someone one get got getting gets go going goes gone went
make makes made say says said sound sounds sounded seem seems seemed feel feels feeling felt
hear hearing heard tell telling told happen happened happening know want wants wanted need
needs think thinks keep keeps kept still maybe sure much many mm hm uh huh oh ah um
again always never also already just quite rather
p1 p1s p1be p1have p1will p1would p1self p2 p2s p2be p2have p2will p2would p2self be
""".split())

# Map words to a shared key so that "kids" and "children", or "shoved" and "pushed",
# count as the same content. Applied after stemming; keys are stems too.
SYNONYMS: dict[str, str] = {
    # people
    "kid": "child", "children": "child", "child": "child", "son": "child", "daughter": "child",
    "mum": "mother", "mom": "mother", "mother": "mother", "mam": "mother",
    "dad": "father", "father": "father",
    "police": "police", "officer": "police", "cop": "police",
    "baby": "baby", "newborn": "baby",
    "partner": "partner", "wife": "partner", "husband": "partner", "girlfriend": "partner",
    "boyfriend": "partner",
    # things
    "pill": "medication", "medication": "medication", "med": "medication", "medicine": "medication",
    "money": "money", "cash": "money", "financ": "money", "finance": "money", "dollar": "money",
    "apartment": "home", "flat": "home", "house": "home", "home": "home",
    "job": "work", "work": "work", "workplace": "work", "shift": "work",
    "noise": "noise", "music": "noise", "loud": "noise",
    # actions
    "took": "take", "taken": "take", "take": "take",
    "sent": "send", "send": "send",
    "came": "come", "come": "come",
    "went": "go",
    "lost": "lose", "lose": "lose", "loss": "lose",
    "paid": "pay", "pay": "pay",
    "saw": "see", "seen": "see", "see": "see", "watch": "see",
    "threw": "throw", "thrown": "throw", "throw": "throw",
    "broke": "break", "broken": "break", "break": "break",
    "fell": "fall", "fall": "fall",
    "shov": "push", "shove": "push", "push": "push", "knock": "push",
    "shout": "shout", "yell": "shout", "scream": "shout",
    "arrest": "arrest", "charg": "arrest", "charge": "arrest",
    "scar": "fear", "scared": "fear", "afraid": "fear", "frighten": "fear", "fear": "fear",
    "left": "leave", "leave": "leave",
    "slept": "sleep", "sleep": "sleep", "awake": "sleep",
    "bang": "bang", "hammer": "bang",
    "rang": "call", "call": "call", "phon": "phone", "phone": "phone",
    "die": "death", "died": "death", "death": "death", "dead": "death",
    "drink": "drink", "drank": "drink", "drunk": "drink", "bottle": "drink",
    "kick": "kick", "ejected": "kick",
}

# Irregular forms the suffix stripper would miss.
IRREGULAR: dict[str, str] = {
    "children": "child", "men": "man", "women": "woman", "people": "people",
    "lying": "lie", "dying": "die", "built": "build", "bought": "buy", "caught": "catch",
    "thrown": "throw", "kicked": "kick", "told": "tell", "sold": "sell", "stole": "steal", "stolen": "steal",
}

# Emotion words, matched as word prefixes (so "frustrat" covers frustrated/frustrating).
EMOTION_PREFIXES: tuple[str, ...] = (
    "afraid", "angr", "anger", "anxi", "annoy", "asham", "betray", "bitter", "confus",
    "crush", "desperat", "despair", "devastat", "disappoint", "discourag", "dismiss", "disrespect",
    "distress", "embarrass", "exhaust", "fear", "frighten", "frustrat", "furious", "grief",
    "griev", "guilt", "heartbr", "helpless", "hopeless", "humiliat", "hurt", "ignored", "insult",
    "isolat", "jealous", "lonel", "miserabl", "nervous", "numb", "overwhelm", "panic", "powerless",
    "rage", "resent", "sad", "scare", "scary", "shaken", "shock", "stress", "terrif", "terror",
    "tense", "tired", "torn", "trapped", "unappreciat", "unheard", "unsafe", "upset", "worn",
    "worr", "wound", "drained", "defeated", "abandon", "rejected", "cornered", "pressur",
    "invisible", "heartache", "distraught", "livid", "outrag", "irritat", "uneasy",
    # added from the held-out dev split (wording real recruits use)
    "awful", "horribl", "madden", "gutted", "gutting", "shattered", "mortif", "cheated", "unsettl",
    "rattled", "hurtful", "infuriat", "enrag", "fuming", "petrified", "spooked", "unnerv",
    "intimidat", "violated", "degrad", "wronged", "undervalu", "misunderstood", "demoralis",
    "demoraliz", "disheart", "heartbreak", "lonely", "alone", "sick with worry", "worried sick",
    # added for issue 15 (from tuning.yaml, not from a held-out file)
    "aggravat", "exasperat", "galling", "harrowing", "traumati", "unbearabl", "agoni", "anguish",
    "dread", "panick", "belittl", "patronis", "patroniz", "unsupported", "unwanted", "unwelcome",
    "worthless", "bereft", "heartsick", "desolat", "crestfallen", "despondent", "downhearted",
    "distressing", "mortified", "aggrieved", "affronted", "cornered", "hounded", "hunted",
    "powerless", "useless", "ashamed", "regret", "remorse", "scared stiff", "on tenterhooks",
)
EMOTION_PHRASES: tuple[str, ...] = (
    "fed up", "let down", "worn out", "worn down", "taken for granted", "singled out",
    "shut out", "at the end of your rope", "at your wits' end", "at the end of your tether",
    "on edge", "pushed around", "left out", "not listened to", "in pain",
    "brushed off", "beside yourself", "broken hearted", "heart broken",
    "done in", "cut up", "at breaking point", "out of your depth",
    "in a bad way", "walked all over", "messed around", "fobbed off", "ripped off",
)

# Feelings an officer may name in an "I" message.
OFFICER_FEELINGS: tuple[str, ...] = (
    "worr", "concern", "uneasy", "nervous", "scared", "afraid", "uncomfortable", "anxious",
    "frustrat", "confus", "unsafe", "stuck", "torn", "sad", "bad", "glad", "relieved",
    "helpless", "awkward", "upset", "tense", "troubled", "sorry", "disappoint", "on edge",
    "annoy", "angr", "wary", "twitchy", "stressed", "jumpy",
)

# Short acknowledgements. STRONG ones count wherever they stand alone; WEAK ones ("okay",
# "right") count only when they end a sentence, because "Okay, here's what we'll do" is a
# lead-in, not an invitation to keep talking.
STRONG_ENCOURAGERS: frozenset[str] = frozenset({
    "mm-hm", "mm-hmm", "mhm", "mm", "mmm", "hmm", "uh-huh", "uh huh", "go on", "go ahead",
    "keep going", "carry on", "i see", "i'm listening", "i am listening", "and then",
    "and then what", "please go on", "mm-hm go on", "oh", "ah",
    "mmhmm", "mmhm", "mhmm", "mm hm", "mm hmm", "mmm hmm", "mm-hmm go on", "uh-hu", "uh hu",
    "i'm with you", "i am with you", "i'm following", "i'm following you", "i follow",
    "keep talking", "go on then", "and after that",
    # issue 27: a pause invited in words is an encourager, not an effective pause (a pause is
    # deliberate silence, which a written reply shows as "(pause)" or "...")
    "take your time", "take all the time you need", "no rush", "there's no rush",
    "in your own time", "whenever you're ready",
})
WEAK_ENCOURAGERS: frozenset[str] = frozenset({
    "okay", "ok", "right", "alright", "all right", "yeah", "yes", "sure", "got it",
    "i hear you", "i understand", "i get it", "really", "wow",
    "yep", "yup", "yeah yeah", "gotcha", "got you", "understood", "fair enough", "sure thing",
    "i hear ya", "ok ok", "okay okay", "right right", "i see i see",
})

# Common apostrophe-less spellings ("dont", "youre") that students type; recognise() reads
# the reply with these restored so that patterns written with apostrophes still match.
APOSTROPHE_FIXES: dict[str, str] = {
    "dont": "don't", "didnt": "didn't", "doesnt": "doesn't", "isnt": "isn't", "wasnt": "wasn't",
    "arent": "aren't", "werent": "weren't", "cant": "can't", "couldnt": "couldn't",
    "wouldnt": "wouldn't", "shouldnt": "shouldn't", "wont": "won't", "havent": "haven't",
    "hasnt": "hasn't", "youre": "you're", "youve": "you've", "youll": "you'll", "youd": "you'd",
    "im": "i'm", "ive": "i've", "thats": "that's", "theyre": "they're",
    "theres": "there's", "hes": "he's", "shes": "she's", "whats": "what's", "hows": "how's",
    "lets": "let's", "its": "it's", "weve": "we've", "shouldve": "should've",
    "wouldve": "would've", "couldve": "could've",
}

PRONOUNS_STATEMENT: dict[str, str] = {
    # the speaker's own words -> "P1" (the person), the officer -> "P2"
    "i": "p1", "me": "p1", "my": "p1s", "mine": "p1s", "myself": "p1self", "i'm": "p1be",
    "i've": "p1have", "i'll": "p1will", "i'd": "p1would", "we": "p1", "us": "p1", "our": "p1s",
    "ours": "p1s", "ourselves": "p1self", "we're": "p1be", "we've": "p1have", "we'll": "p1will",
    "we'd": "p1would",
    "you": "p2", "your": "p2s", "yours": "p2s", "yourself": "p2self", "you're": "p2be",
    "you've": "p2have", "you'll": "p2will", "you'd": "p2would",
    "am": "be", "are": "be",
}
PRONOUNS_REPLY: dict[str, str] = {
    # the officer's words: "you" is the person -> "P1", "I" is the officer -> "P2"
    "you": "p1", "your": "p1s", "yours": "p1s", "yourself": "p1self", "yourselves": "p1self",
    "you're": "p1be", "you've": "p1have", "you'll": "p1will", "you'd": "p1would",
    "i": "p2", "me": "p2", "my": "p2s", "mine": "p2s", "myself": "p2self", "i'm": "p2be",
    "i've": "p2have", "i'll": "p2will", "i'd": "p2would",
    "am": "be", "are": "be",
}
