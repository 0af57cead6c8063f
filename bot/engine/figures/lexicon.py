"""The closed word lists figure extraction reads a sentence with: units, number words, qualifiers, grammar.

Currency signs, codes and words; scale words ("million", "bn"); number words and fraction
denominators; duration units, rate periods and measures; month names; words after which a number
names a thing ("Article 50"); the qualifiers ("more than", "up to") normalised to a small vocabulary;
and the closed-class words (determiners, prepositions, pronouns, auxiliaries), common verbs and the
nouns that look like verbs, by which ``labeller`` tells a verb from a noun. No list of particular
sentences or topics is involved: a word is here for the part it plays in any sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

CURRENCY_SIGNS = {"£": "GBP", "$": "USD", "€": "EUR"}
CURRENCY_CODES = {"GBP": "GBP", "USD": "USD", "EUR": "EUR"}
DOLLAR_PREFIXES = {"US": "USD", "A": "AUD", "AU": "AUD", "C": "CAD", "NZ": "NZD", "HK": "HKD", "S": "SGD"}
CURRENCY_WORDS = {
    "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "dollar": "USD", "dollars": "USD",
    "euro": "EUR", "euros": "EUR", "quid": "GBP",
}  # fmt: skip
PENCE_WORDS = {"pence": "GBP", "cents": "USD", "cent": "USD"}
SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}  # fmt: skip
# Scale abbreviations that may stand apart from the number ("£1.5 bn"); "m", "k", "b" only attached.
SPACED_SCALES = {"thousand", "million", "millions", "billion", "billions", "trillion", "bn", "mn", "tn", "trn"}
ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
NUMBER_WORDS = set(ONES) | set(TENS) | {"hundred", "thousand", "million", "billion", "trillion", "dozen"}
WORD_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SINGULAR_DENOMS = {
    "half": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}  # fmt: skip
PLURAL_DENOMS = {
    "halves": 2, "thirds": 3, "quarters": 4, "fourths": 4, "fifths": 5, "sixths": 6, "sevenths": 7,
    "eighths": 8, "ninths": 9, "tenths": 10,
}  # fmt: skip
DURATION_UNITS = {
    "second": ("second", 1), "minute": ("minute", 1), "hour": ("hour", 1), "day": ("day", 1),
    "week": ("week", 1), "fortnight": ("week", 2), "month": ("month", 1), "year": ("year", 1),
    "decade": ("year", 10), "century": ("year", 100), "centuries": ("year", 100),
    # as people type them: "18 wks", "2 yrs", "3 mths", "24 hrs"
    "wk": ("week", 1), "yr": ("year", 1), "mth": ("month", 1), "hr": ("hour", 1), "min": ("minute", 1),
    "sec": ("second", 1), "wks": ("week", 1), "yrs": ("year", 1), "hrs": ("hour", 1),
}  # fmt: skip
# How many of the smaller unit make one of the larger, for a duration written in two units ("8 minutes 14
# seconds", "2 years 6 months"): one figure, counted in the larger unit.
DURATION_SUBUNITS = {("minute", "second"): 60, ("hour", "minute"): 60, ("hour", "second"): 3600,
                     ("day", "hour"): 24, ("week", "day"): 7, ("year", "month"): 12}  # fmt: skip
PERIODS = {
    "year": "year", "annum": "year", "month": "month", "week": "week", "day": "day", "hour": "hour",
    "night": "night", "fortnight": "fortnight", "quarter": "quarter", "head": "head", "person": "person",
    "minute": "minute",
}  # fmt: skip
PERIOD_ADVERBS = {
    "annually": "year", "yearly": "year", "monthly": "month", "weekly": "week", "daily": "day",
    "nightly": "night", "hourly": "hour",
}  # fmt: skip
MEASURE_UNITS = {
    "kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "twh": "TWh", "kw": "kW", "mw": "MW", "gw": "GW",
    "km": "km", "kilometres": "km", "kilometers": "km", "miles": "mile", "mile": "mile", "mph": "mph",
    "kg": "kg", "kilos": "kg", "tonnes": "tonne", "tonne": "tonne", "tons": "tonne", "acres": "acre",
    "hectares": "hectare", "litres": "litre", "metres": "metre", "meters": "metre", "sq": "sq",
}  # fmt: skip
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
MONTH_ABBREVIATIONS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
# Before a lone "May" (a name and a verb too), only these words make it the month.
MONTH_CONTEXT = {"in", "since", "until", "till", "by", "from", "to", "of", "last", "next", "early", "late",
                  "mid", "during", "before", "after", "between", "this", "end", "through"}  # fmt: skip
ORDINAL_SUFFIXES = {"st", "nd", "rd", "th"}
# A number after these names a thing rather than counting ("Article 50", "No 10", "Tier 2").
IDENTIFIER_WORDS = {
    "article", "section", "clause", "schedule", "rule", "chapter", "paragraph", "regulation", "part",
    "page", "no", "nos", "number", "room", "flight", "route", "tier", "stage", "phase", "category",
    "band", "grade", "level", "covid", "platform", "question", "table", "figure", "annex", "appendix",
    "item", "step", "version", "year", "key", "line", "box", "gate", "terminal", "bus", "junction", "plan",
}  # fmt: skip
# Attached to a number they make it a prefix, not a name ("mid-2023", "post-2010").
NUMBER_PREFIXES = {"mid", "pre", "post", "early", "late", "over", "under", "sub"}

# Qualifiers, normalised to a small vocabulary (phrases as lower-case word tuples).
QUALIFIERS: dict[tuple[str, ...], str] = {
    ("more", "than"): "more than", ("greater", "than"): "more than", ("higher", "than"): "more than",
    ("in", "excess", "of"): "more than", ("upwards", "of"): "more than", ("north", "of"): "more than",
    ("over",): "more than", ("above",): "more than", ("well", "over"): "more than",
    ("just", "over"): "more than", ("exceeding",): "more than", ("topped",): "more than",
    ("tops",): "more than", ("topping",): "more than", ("exceeded",): "more than",
    ("surpassed",): "more than", ("at", "least"): "at least", ("no", "fewer", "than"): "at least",
    ("no", "less", "than"): "at least", ("a", "minimum", "of"): "at least",
    ("less", "than"): "below", ("fewer", "than"): "below", ("lower", "than"): "below",
    ("below",): "below", ("under",): "below", ("beneath",): "below",
    ("almost",): "almost", ("nearly",): "almost", ("close", "to"): "almost", ("just", "under"): "almost",
    ("approaching",): "almost", ("not", "quite"): "almost", ("just", "short", "of"): "almost",
    ("around",): "around", ("about",): "about", ("roughly",): "about", ("approximately",): "about",
    ("approx",): "about", ("circa",): "about", ("some",): "about", ("an", "estimated"): "about",
    ("estimated",): "about", ("up", "to"): "up to", ("as", "many", "as"): "up to",
    ("as", "much", "as"): "up to", ("no", "more", "than"): "up to", ("at", "most"): "up to",
    ("a", "maximum", "of"): "up to", ("within",): "up to",
}  # fmt: skip
QUALIFIER_MAX_WORDS = 3
# For a duration "over"/"under" mean "during"/"within the time of", not a bound.
DURATION_NON_QUALIFIERS = {("over",), ("under",), ("above",)}

DETERMINERS = {
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "my", "your",
    "some", "any", "each", "every", "all", "both", "no", "another", "which", "whose", "what",
}  # fmt: skip
# Words between a determiner and a figure that belong to the figure ("a further 50,000").
PRE_FIGURE = {"further", "extra", "additional", "estimated", "record", "mere", "whopping", "staggering", "final",
               "last", "past", "next", "first", "total", "combined", "average", "typical", "new"}  # fmt: skip
PREPOSITIONS = {
    "of", "for", "to", "in", "on", "at", "by", "from", "with", "into", "onto", "over", "under", "about",
    "above", "below", "between", "through", "during", "before", "after", "since", "until", "than",
    "across", "against", "among", "around", "within", "without", "per", "via", "towards", "toward",
    "despite", "upon", "like", "as", "off", "beyond", "amid", "including", "outside", "inside", "near",
}  # fmt: skip
# Prepositions allowed inside a noun phrase ("threshold for a work visa", "year to December").
NP_PREPOSITIONS = {"of", "for", "to", "in", "on", "at", "since", "from", "with", "per", "outside", "inside"}
PRONOUNS = {"i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them", "one", "there",
             "here", "itself", "themselves", "who", "whom"}  # fmt: skip
CLAUSE_WORDS = {
    "and", "or", "but", "nor", "so", "yet", "which", "who", "whom", "whose", "that", "while", "whereas",
    "because", "although", "though", "if", "unless", "when", "whenever", "where", "as", "than", "after",
    "before", "since", "until", "whether", "how", "why", "what", "plus", "then", "also", "not",
}  # fmt: skip
AUXILIARIES = {
    "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "having", "do", "does",
    "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "'s", "'re",
    "'ve", "'ll", "'d", "won't", "can't", "isn't", "wasn't", "aren't", "weren't", "hasn't", "haven't",
    "don't", "doesn't", "didn't", "wouldn't", "couldn't", "shouldn't", "cannot", "mustn't",
}  # fmt: skip
# The verb "be" in its forms: what links a subject to the figure it is ("the rise will be 4.8%").
BE_FORMS = {"is", "are", "was", "were", "be", "been", "'s"}
# Verbs that state a quantity of their subject ("X rose to N", "X has topped N", "X cost N").
VALUE_VERBS = {
    "rise", "rises", "rose", "risen", "rising", "fall", "falls", "fell", "fallen", "falling", "hit",
    "hits", "hitting", "reach", "reached", "reaches", "reaching", "top", "topped", "tops", "total",
    "totalled", "totaled", "totals", "stand", "stands", "stood", "standing", "grow", "grows", "grew",
    "grown", "growing", "increase", "increased", "increases", "decrease", "decreased", "decreases",
    "drop", "dropped", "drops", "climb", "climbed", "climbs", "jump", "jumped", "jumps", "soar",
    "soared", "soars", "surge", "surged", "decline", "declined", "cost", "costs", "amount", "amounted",
    "amounts", "exceed", "exceeded", "exceeds", "equal", "equalled", "equals", "peak", "peaked",
    "average", "averaged", "averages", "double", "doubled", "halve", "halved", "go", "goes", "went",
    "gone", "come", "comes", "came", "number", "numbered", "numbers", "remain", "remains", "remained",
    "stay", "stays", "stayed",
    "worth", "run", "runs", "ran", "account", "accounts", "accounted", "make", "makes", "made",
}  # fmt: skip
# Other common verbs: a noun phrase never runs through them.
OTHER_VERBS = {
    "said", "says", "say", "told", "tell", "tells", "added", "claimed", "claims", "warned", "warns",
    "announced", "announces", "revealed", "reveals", "showed", "shows", "show", "found", "finds",
    "suggests", "suggested", "expected", "expects", "expect", "set", "give", "gives", "gave", "given",
    "take", "takes", "took", "taken", "pay", "pays", "paid", "spend", "spends", "spent", "saw", "see",
    "sees", "seen", "mean", "means", "meant", "meaning", "get", "gets", "got", "put", "puts", "bring", "brings",
    "brought", "bringing", "leave", "leaves", "left", "plan", "plans", "planned", "want", "wants",
    "wanted", "need", "needs", "needed", "receive", "receives", "received", "arrive", "arrives",
    "arrived", "cross", "crossed", "crosses", "estimate", "estimates", "estimated", "use", "uses",
    "used", "keep", "kept", "kicks", "lead", "leads", "led", "cut", "cuts", "slash", "slashes",
    "slashed", "reduce", "reduces", "reduced", "raise", "raises", "raised", "lift", "lifted", "lower",
    "lowered", "boost", "boosted", "owe", "owes", "owed", "owing", "earn", "earns", "earned", "save",
    "saves", "saved", "allow", "allows", "allowed", "help", "helps", "helped", "become", "becomes",
    "became", "seem", "seems", "seemed", "think", "thinks", "thought", "believe", "believes",
    "believed", "admitted", "admits", "insisted", "insists", "vowed", "vows", "pledged", "pledges",
    "hailed", "echoes", "echoed", "wrote", "writes", "signed", "signs", "denied", "denies",
    "confirmed", "confirms", "unveiled", "unveils", "recognise", "recognize", "live", "lives",
    "lived", "work", "works", "worked", "fund", "funds", "employ", "employs", "imports", "import",
    "build", "builds", "built", "hold", "holds", "held", "face", "faces", "faced", "lose", "loses",
    "lost", "gain", "gains", "gained", "win", "wins", "won", "open", "opens", "opened", "close", "closes",
    "closed", "start", "starts", "started", "stay", "stays", "stayed", "return", "returns", "returned",
    "join", "joins", "joined", "apply", "applies", "applied", "reply", "replies", "replied", "benefit",
    "benefits", "attend", "attends", "attended", "wait", "waits", "waited", "vote", "votes", "voted",
    "hear", "hears", "heard",
}  # fmt: skip
VERBS = VALUE_VERBS | OTHER_VERBS
# Verbs whose "that" opens what is said, not a relative clause: "announced last month that the cap ...".
REPORTING_VERBS = {
    "said", "says", "say", "told", "tells", "announced", "announces", "confirmed", "confirms", "revealed",
    "reveals", "showed", "shows", "found", "finds", "suggests", "suggested", "warned", "warns", "claimed",
    "claims", "added", "admitted", "admits", "insisted", "insists", "believes", "believed", "thinks",
    "thought", "estimated", "estimates", "reported", "reports", "argued", "argues", "stated", "states",
    "noted", "notes", "predicted", "predicts", "expects", "expected", "projected", "projects", "pledged",
    "pledges", "vowed", "vows", "denied", "denies",
}  # fmt: skip
# Irregular forms of verbs a measure is stated with, to their base, for matching words across tenses
# ("Poland spent ..." for a claim that "Poland spends ..."); the index's stemmer leaves them apart.
IRREGULAR_FORMS = {
    "spent": "spend", "paid": "pay", "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "grew": "grow", "grown": "grow", "built": "build", "sold": "sell", "bought": "buy", "brought": "bring",
    "lent": "lend", "lost": "lose", "won": "win", "gave": "give", "given": "give", "took": "take",
    "taken": "take", "kept": "keep", "held": "hold", "made": "make", "met": "meet", "sent": "send",
    "began": "begin", "begun": "begin", "earnt": "earn",
}  # fmt: skip
# Verbs that give a measure's level, not an action on a thing counted: "the waiting list stood at 7.31
# million cases" measures the list (in cases); "the scheme reached 2 million households" counts households.
LEVEL_VERBS = {
    "is", "was", "are", "were", "stand", "stands", "stood", "standing", "total", "totals", "totalled",
    "totaled", "totalling", "amount", "amounts", "amounted", "number", "numbers", "numbered", "rise", "rises",
    "rose", "risen", "fall", "falls", "fell", "fallen", "grew", "grown", "dropped", "climbed", "increased",
    "decreased", "declined",
}  # fmt: skip
# Words right before a figure that make it a change without "by": ", up €5.1bn", "sales rose 5%". Verbs
# that also take an amount as object ("raised £2bn", "cut 1,000 jobs") are left out.
MOVES = {
    "up", "down", "rose", "risen", "rise", "rises", "fell", "fallen", "fall", "falls", "grew", "dropped",
    "climbed", "jumped", "soared", "surged", "declined",
}  # fmt: skip
# A change, so "to N" is the new value and "by N" the change ("rise by £12,500 to £38,000").
CHANGE_WORDS = {
    "rise", "rises", "rose", "risen", "rising", "raise", "raised", "raises", "raising", "increase",
    "increased", "increases", "increasing", "fall", "falls", "fell", "fallen", "falling", "drop",
    "dropped", "drops", "dropping", "cut", "cuts", "cutting", "slash", "slashed", "slashes", "slashing",
    "reduce", "reduced", "reduces", "reducing", "reduction", "decrease", "decreased", "decreases",
    "grow", "grows", "grew", "grown", "growing", "climb", "climbed", "climbs", "jump", "jumped",
    "jumps", "soar", "soared", "surge", "surged", "decline", "declined", "declines", "up", "down",
    "revise", "revised", "revising", "bring", "bringing", "brought", "lift", "lifted", "lower",
    "lowered", "lowering", "boost", "boosted", "double", "doubled", "halve", "halved", "hike",
    "hiked", "go", "goes", "went", "gone", "change", "changed", "move", "moved",
}  # fmt: skip
CHANGE_NOUNS = {"increase", "rise", "fall", "drop", "decrease", "reduction", "cut", "jump", "growth",
                 "decline", "boost", "hike", "uplift", "change", "surge"}  # fmt: skip
# Noun phrases that only say "a quantity", not which: they do not make a label on their own.
GENERIC_WORDS = CHANGE_NOUNS | {
    "total", "high", "low", "record", "peak", "figure", "figures", "number", "numbers", "amount", "sum",
    "average", "maximum", "minimum", "estimate", "level", "levels", "all", "time", "all-time", "value",
    "mark", "tally", "count", "rate", "share", "proportion", "further", "extra", "additional", "new",
    "that", "this", "record-breaking", "previous", "current", "latest",
}  # fmt: skip
# "the number of X" → X.
CONTAINERS = {"number", "numbers", "figure", "figures", "total", "amount", "level", "tally", "count"}
CONTAINER_LINKS = {"of", "for"}


def opens_container(words: Sequence[str]) -> bool:
    """``words`` (lower case) start with a container and its link, with a complement after them:
    "number of small boat migrants", "figure for the year to December"."""
    return len(words) >= 3 and words[0] in CONTAINERS and words[1] in CONTAINER_LINKS


# Words that say when, not what: "figure for the year to December" names a period, not a measure.
PERIOD_WORDS = (
    set(MONTHS) | set(MONTH_ABBREVIATIONS)
    | {"year", "years", "month", "months", "quarter", "quarters", "week", "weeks", "day", "days", "period",
       "financial", "calendar", "academic", "fiscal", "tax", "ending", "end", "spring", "summer", "autumn",
       "winter", "previous", "same", "latest", "current", "first", "second", "third", "fourth", "half",
       "earlier", "later", "ago", "full", "whole", "monday", "tuesday", "wednesday", "thursday", "friday",
       "saturday", "sunday"}
)  # fmt: skip
# A figure paid, spent or invested "for/on/in" something is that payment: "paid an extra £15million for
# the scheme" is a payment for the scheme, not the scheme (whose own cost is "the £140million scheme").
PAYMENT_VERBS = {
    "pay": "payment", "pays": "payment", "paid": "payment", "paying": "payment", "spend": "spending",
    "spends": "spending", "spent": "spending", "spending": "spending", "invest": "investment",
    "invests": "investment", "invested": "investment", "investing": "investment", "give": "grant",
    "given": "grant", "gives": "grant", "gave": "grant", "award": "award", "awarded": "award",
    "allocate": "allocation", "allocated": "allocation", "charge": "charge", "charged": "charge",
    "charges": "charge",
}  # fmt: skip
ADVERBS = {"still", "now", "already", "also", "even", "just", "only", "currently", "further", "then",
            "again", "once", "yet", "ever", "never", "reportedly", "apparently"}  # fmt: skip
PARTICLES = {"up", "down", "back", "off", "out", "forward", "away"}
# Lexicon verbs that are nouns after a determiner or modifier ("the total", "a £2 cap", "net cost").
NOUN_VERBS = {
    "number", "numbers", "average", "total", "cost", "costs", "rise", "fall", "cut", "cuts", "increase",
    "drop", "use", "work", "plan", "plans", "need", "needs", "help", "import", "imports", "estimate",
    "estimates", "face", "lead", "set", "worth", "run", "double", "peak", "top", "equal", "account",
    "fund", "funds", "build", "hit", "jump", "surge", "decline", "live", "pay", "save", "boost", "lift",
    "stand", "remain", "amount", "show", "claims", "cross", "spend", "go", "come", "benefit", "benefits",
    "vote", "votes", "return", "returns", "start", "close", "win", "gain", "gains", "wait", "reply",
}  # fmt: skip
# Words of a verb group besides auxiliaries and verbs: "is expected to cut", "is set to rise".
VERB_GROUP_WORDS = {"to", "expected", "set", "likely", "due", "forecast", "predicted", "projected",
                     "estimated", "not", "able", "going", "poised", "about",
                     # a level held where it is: "the threshold is fixed at £25,000"
                     "fixed", "capped", "frozen", "pegged", "held", "kept", "maintained"}  # fmt: skip
# Comparative adjectives after a figure say how it compares, not what it counts ("£2,100 better off").
NON_HEAD_ADJECTIVES = {"better", "worse", "higher", "lower", "cheaper", "dearer", "bigger", "smaller",
                        "larger", "greater", "off", "more", "less", "richer", "poorer", "short", "faster",
                        "slower", "quicker", "longer", "shorter", "likelier", "likely", "overnight"}  # fmt: skip
COMPARATIVES = {"more", "fewer", "less", "extra", "additional", "further", "new", "other"}
IRREGULAR_PLURALS = {"people", "children", "men", "women", "staff", "police", "personnel", "cattle",
                      "sheep", "data", "media", "workforce", "families"}  # fmt: skip
# Nouns ending in -ing/-ed/-ly that are not verbs or adverbs.
ING_NOUNS = {
    "housing", "funding", "spending", "training", "building", "buildings", "planning", "processing",
    "lending", "borrowing", "earnings", "savings", "policing", "sentencing", "schooling", "nursing",
    "parking", "heating", "rating", "ranking", "offending", "manufacturing", "shipping", "fishing",
    "farming", "banking", "marketing", "mining", "screening", "testing", "trading", "pricing",
    "wellbeing", "being", "meeting", "meetings", "clothing", "catering", "learning", "teaching",
    "accounting", "energy", "morning", "evening", "ceiling", "booking", "bookings", "polling",
    "opening", "landing", "spring", "waiting", "string", "thing", "things", "king", "ring", "wing", "wedding",
    "beginning", "recording", "hearing", "boarding", "crossing", "crossings", "ruling",
    "sibling", "warning", "finding", "findings", "backing", "offering", "staffing",
}  # fmt: skip
ED_NOUNS = {"need", "speed", "seed", "bed", "shed", "feed", "red", "hundred", "breed", "creed"}
LY_NOUNS = {"family", "supply", "assembly", "ally", "italy", "july", "rally", "reply", "monopoly",
             "anomaly", "only", "early", "daily", "weekly", "monthly", "quarterly", "belly"}  # fmt: skip
STOP = (
    DETERMINERS | PREPOSITIONS | PRONOUNS | CLAUSE_WORDS | AUXILIARIES | ADVERBS | PARTICLES
    | {"more", "most", "less", "least", "very", "much", "many", "such", "same", "other", "own", "ago",
       "not", "no", "nor", "s", "'s", "than", "too", "so", "there", "per", "almost", "nearly", "around",
       "up", "to", "just", "about", "last", "next", "past", "later", "earlier", "away"}
)  # fmt: skip
# After "a third", a word from this set keeps it a fraction; a content word makes it an ordinal
# ("a third of", "by a third on" vs "a third country", "a third term").
FRACTION_FOLLOWERS = STOP | {"lower", "higher", "cheaper", "smaller", "larger", "bigger", "fewer",
                               "compared", "according", "overall", "respectively"}  # fmt: skip
HYPHENS = {"-", "‐", "‑"}

# A place's adjective names the place: "Irish receipts" are Ireland's. The common ones of policy texts.
DEMONYMS = {
    "irish": "ireland", "british": "britain", "english": "england", "scottish": "scotland", "welsh": "wales",
    "french": "france", "german": "germany", "polish": "poland", "spanish": "spain", "italian": "italy",
    "dutch": "netherlands", "belgian": "belgium", "swedish": "sweden", "danish": "denmark", "finnish": "finland",
    "norwegian": "norway", "estonian": "estonia", "ukrainian": "ukraine", "russian": "russia", "chinese": "china",
    "indian": "india", "japanese": "japan", "american": "america", "canadian": "canada", "australian": "australia",
    "european": "europe", "rwandan": "rwanda", "greek": "greece", "portuguese": "portugal", "austrian": "austria",
}  # fmt: skip
PLACE_ADJECTIVES = {place: adjective for adjective, place in DEMONYMS.items()}
# Words as people type them, and the documents' words for them: the "Irish Dept of Finance" is its
# Department, "kids" are children.
INFORMAL_WORDS = {
    "dept": "department", "depts": "departments", "govt": "government", "gov": "government",
    "govts": "governments", "uni": "university", "unis": "universities", "natl": "national",
    "intl": "international", "cttee": "committee", "kids": "children", "kid": "child", "ppl": "people",
    "cat": "category", "cats": "categories",
}  # fmt: skip
