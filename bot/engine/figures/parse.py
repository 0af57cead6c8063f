"""Find every figure written in one sentence: what it says, its normalised value, and what it measures.

The sentence is cut into tokens (digit runs, words, single symbols) by one linear regular
expression; everything after that walks the token list with bounded look-ahead and look-behind, so
hostile input ("1,"*3000, pages of digits) costs linear time and no pattern can backtrack.

Recognition, at each token, tries in turn: a currency sign and number ("£140million", "$2bn"), a
date ("5 December 2023", "April 2024", "the year to December"), a year ("2021", "2023/24",
"1990s"), a number written in digits or words with what follows it (scale "million"/"bn", pence
"12p", "per cent", a duration unit, "times", "one in five", a rate "a year"/"per journey"), and
fraction words ("a third", "two-thirds", "half", "twice").

Labels say what a figure measures, read off the sentence's own words by a few grammatical
patterns, most specific first:
  1. a rate's own noun ("300 homes a year" → homes); the second figure of a change or revision
     shares the first one's label ("from 606,000 to 745,000", "by £12,500 to £38,000"), and a plain
     range takes its second figure's ("between 20 and 30 per cent of firms" → firms);
  2. a figure that modifies a noun takes it ("the original £140million scheme" → original scheme);
  3. "<noun phrase> of|to|by|from|at|: <figure>", looking through a change verb
     ("the salary threshold will rise by £12,500" → salary threshold); container words are dropped
     ("the number of small boat migrants" → small boat migrants, "figure for X" → X);
  4. a change ("an increase of 139,000") measures what its sentence's from/to figures measure;
  5. the subject of a verb the figure completes ("X has topped 29,000", "X who ... was N",
     "the scheme, which costs £2bn");
  6. a noun phrase right before the figure ("similar measures six times");
  7. a prepositional phrase after it ("50,000 a year from the net total" → net total);
  8. otherwise the nearest words of the clause (flagged ``weak_label``).
Verbs are told from nouns by a small lexicon plus context ("to slash", "it emerged", "revised its"
are verbs; "the total", "waiting lists" are not). No list of particular sentences or topics is
involved: only closed-class words (determiners, prepositions, auxiliaries) and common verbs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["money", "count", "percent", "fraction", "multiple", "rate", "duration", "year", "date"]
Role = Literal["from", "to", "change"]

# Longer "sentences" are not prose (tables flattened to text, digit dumps): only their head is read.
MAX_SENTENCE_CHARS = 20_000
MAX_LABEL_WORDS = 8
MAX_LABEL_CHARS = 100
_MAX_DIGITS = 18


class Figure(BaseModel):
    """One figure of a sentence. ``sentence[start:end] == text``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    start: int
    end: int
    value: float
    kind: Kind
    unit: str | None = None  # "GBP"/"USD"/"EUR" for money, "month"... for durations, "per year" for rates
    per: str | None = None  # the period or unit a money/rate figure is counted per: "year", "journey"
    qualifier: str | None = None  # "more than", "at least", "below", "almost", "around", "about", "up to"
    label: str
    role: Role | None = None  # within the sentence: a previous value, a new value, or the change
    iso: str | None = None  # dates and years: "2023-12-05", "2024-04", "--12" (month only)
    weak_label: bool = False  # the label is only the nearest words, not a recognised pattern


# --------------------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)*|\S")


@dataclass(frozen=True, slots=True)
class Tok:
    text: str
    start: int
    end: int
    lower: str
    kind: str  # "num" | "word" | "sym"
    attached: bool  # no whitespace between this token and the previous one


def tokenize_sentence(text: str) -> list[Tok]:
    toks: list[Tok] = []
    prev_end = -1
    for m in _TOKEN_RE.finditer(text):
        s = m.group()
        first = s[0]
        kind = "num" if first.isdigit() and first.isascii() else "word" if first.isalpha() else "sym"
        toks.append(Tok(s, m.start(), m.end(), s.lower().replace("’", "'"), kind, m.start() == prev_end))
        prev_end = m.end()
    return toks


# ------------------------------------------------------------------------------------ lexicons

_CURRENCY_SIGNS = {"£": "GBP", "$": "USD", "€": "EUR"}
_CURRENCY_CODES = {"GBP": "GBP", "USD": "USD", "EUR": "EUR"}
_DOLLAR_PREFIXES = {"US": "USD", "A": "AUD", "AU": "AUD", "C": "CAD", "NZ": "NZD", "HK": "HKD", "S": "SGD"}
_CURRENCY_WORDS = {
    "pound": "GBP", "pounds": "GBP", "sterling": "GBP", "dollar": "USD", "dollars": "USD",
    "euro": "EUR", "euros": "EUR",
}  # fmt: skip
_PENCE_WORDS = {"pence": "GBP", "cents": "USD", "cent": "USD"}
_SCALES = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "mln": 1e6,
    "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "trn": 1e12,
}  # fmt: skip
# Scale abbreviations that may stand apart from the number ("£1.5 bn"); "m", "k", "b" only attached.
_SPACED_SCALES = {"thousand", "million", "millions", "billion", "billions", "trillion", "bn", "mn", "tn", "trn"}
_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_WORDS = set(_ONES) | set(_TENS) | {"hundred", "thousand", "million", "billion", "trillion", "dozen"}
_WORD_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SINGULAR_DENOMS = {
    "half": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}  # fmt: skip
_PLURAL_DENOMS = {
    "halves": 2, "thirds": 3, "quarters": 4, "fourths": 4, "fifths": 5, "sixths": 6, "sevenths": 7,
    "eighths": 8, "ninths": 9, "tenths": 10,
}  # fmt: skip
_DURATION_UNITS = {
    "second": ("second", 1), "minute": ("minute", 1), "hour": ("hour", 1), "day": ("day", 1),
    "week": ("week", 1), "fortnight": ("week", 2), "month": ("month", 1), "year": ("year", 1),
    "decade": ("year", 10), "century": ("year", 100), "centuries": ("year", 100),
}  # fmt: skip
_PERIODS = {
    "year": "year", "annum": "year", "month": "month", "week": "week", "day": "day", "hour": "hour",
    "night": "night", "fortnight": "fortnight", "quarter": "quarter", "head": "head", "person": "person",
    "minute": "minute",
}  # fmt: skip
_PERIOD_ADVERBS = {
    "annually": "year", "yearly": "year", "monthly": "month", "weekly": "week", "daily": "day",
    "nightly": "night", "hourly": "hour",
}  # fmt: skip
_MEASURE_UNITS = {
    "kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "twh": "TWh", "kw": "kW", "mw": "MW", "gw": "GW",
    "km": "km", "kilometres": "km", "kilometers": "km", "miles": "mile", "mile": "mile", "mph": "mph",
    "kg": "kg", "kilos": "kg", "tonnes": "tonne", "tonne": "tonne", "tons": "tonne", "acres": "acre",
    "hectares": "hectare", "litres": "litre", "metres": "metre", "meters": "metre", "sq": "sq",
}  # fmt: skip
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_MONTH_ABBREVIATIONS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
# Before a lone "May" (a name and a verb too), only these words make it the month.
_MONTH_CONTEXT = {"in", "since", "until", "till", "by", "from", "to", "of", "last", "next", "early", "late",
                  "mid", "during", "before", "after", "between", "this", "end", "through"}  # fmt: skip
_ORDINAL_SUFFIXES = {"st", "nd", "rd", "th"}
# A number after these names a thing rather than counting ("Article 50", "No 10", "Tier 2").
_IDENTIFIER_WORDS = {
    "article", "section", "clause", "schedule", "rule", "chapter", "paragraph", "regulation", "part",
    "page", "no", "nos", "number", "room", "flight", "route", "tier", "stage", "phase", "category",
    "band", "grade", "level", "covid", "platform", "question", "table", "figure", "annex", "appendix",
    "item", "step", "version", "year", "key", "line", "box", "gate", "terminal", "bus", "junction",
}  # fmt: skip
# Attached to a number they make it a prefix, not a name ("mid-2023", "post-2010").
_NUMBER_PREFIXES = {"mid", "pre", "post", "early", "late", "over", "under", "sub"}

# Qualifiers, normalised to a small vocabulary (phrases as lower-case word tuples).
_QUALIFIERS: dict[tuple[str, ...], str] = {
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
_QUALIFIER_MAX_WORDS = 3
# For a duration "over"/"under" mean "during"/"within the time of", not a bound.
_DURATION_NON_QUALIFIERS = {("over",), ("under",), ("above",)}

_DETERMINERS = {
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "my", "your",
    "some", "any", "each", "every", "all", "both", "no", "another", "which", "whose", "what",
}  # fmt: skip
# Words between a determiner and a figure that belong to the figure ("a further 50,000").
_PRE_FIGURE = {"further", "extra", "additional", "estimated", "record", "mere", "whopping", "staggering",
               "last", "past", "next", "first", "total", "combined", "average", "typical", "new"}  # fmt: skip
_PREPOSITIONS = {
    "of", "for", "to", "in", "on", "at", "by", "from", "with", "into", "onto", "over", "under", "about",
    "above", "below", "between", "through", "during", "before", "after", "since", "until", "than",
    "across", "against", "among", "around", "within", "without", "per", "via", "towards", "toward",
    "despite", "upon", "like", "as", "off", "beyond", "amid", "including", "outside", "inside", "near",
}  # fmt: skip
# Prepositions allowed inside a noun phrase ("threshold for a work visa", "year to December").
_NP_PREPOSITIONS = {"of", "for", "to", "in", "on", "at", "since", "from", "with", "per", "outside", "inside"}
_PRONOUNS = {"i", "me", "we", "us", "you", "he", "him", "she", "her", "it", "they", "them", "one", "there",
             "here", "itself", "themselves", "who", "whom"}  # fmt: skip
_CLAUSE_WORDS = {
    "and", "or", "but", "nor", "so", "yet", "which", "who", "whom", "whose", "that", "while", "whereas",
    "because", "although", "though", "if", "unless", "when", "whenever", "where", "as", "than", "after",
    "before", "since", "until", "whether", "how", "why", "what", "plus", "then", "also", "not",
}  # fmt: skip
_AUXILIARIES = {
    "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "having", "do", "does",
    "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must", "'s", "'re",
    "'ve", "'ll", "'d", "won't", "can't", "isn't", "wasn't", "aren't", "weren't", "hasn't", "haven't",
    "don't", "doesn't", "didn't", "wouldn't", "couldn't", "shouldn't", "cannot", "mustn't",
}  # fmt: skip
# Verbs that state a quantity of their subject ("X rose to N", "X has topped N", "X cost N").
_VALUE_VERBS = {
    "rise", "rises", "rose", "risen", "rising", "fall", "falls", "fell", "fallen", "falling", "hit",
    "hits", "hitting", "reach", "reached", "reaches", "reaching", "top", "topped", "tops", "total",
    "totalled", "totaled", "totals", "stand", "stands", "stood", "standing", "grow", "grows", "grew",
    "grown", "growing", "increase", "increased", "increases", "decrease", "decreased", "decreases",
    "drop", "dropped", "drops", "climb", "climbed", "climbs", "jump", "jumped", "jumps", "soar",
    "soared", "soars", "surge", "surged", "decline", "declined", "cost", "costs", "amount", "amounted",
    "amounts", "exceed", "exceeded", "exceeds", "equal", "equalled", "equals", "peak", "peaked",
    "average", "averaged", "averages", "double", "doubled", "halve", "halved", "go", "goes", "went",
    "gone", "come", "comes", "came", "number", "numbered", "numbers", "remain", "remains", "remained",
    "worth", "run", "runs", "ran", "account", "accounts", "accounted", "make", "makes", "made",
}  # fmt: skip
# Other common verbs: a noun phrase never runs through them.
_OTHER_VERBS = {
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
}  # fmt: skip
_VERBS = _VALUE_VERBS | _OTHER_VERBS
# A change, so "to N" is the new value and "by N" the change ("rise by £12,500 to £38,000").
_CHANGE_WORDS = {
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
_CHANGE_NOUNS = {"increase", "rise", "fall", "drop", "decrease", "reduction", "cut", "jump", "growth",
                 "decline", "boost", "hike", "uplift", "change", "surge"}  # fmt: skip
# Noun phrases that only say "a quantity", not which: they do not make a label on their own.
_GENERIC_WORDS = _CHANGE_NOUNS | {
    "total", "high", "low", "record", "peak", "figure", "figures", "number", "numbers", "amount", "sum",
    "average", "maximum", "minimum", "estimate", "level", "levels", "all", "time", "all-time", "value",
    "mark", "tally", "count", "rate", "share", "proportion", "further", "extra", "additional", "new",
    "that", "this", "record-breaking", "previous", "current", "latest",
}  # fmt: skip
# "the number of X" → X.
_CONTAINERS = {"number", "numbers", "figure", "figures", "total", "amount", "level", "tally", "count"}
_ADVERBS = {"still", "now", "already", "also", "even", "just", "only", "currently", "further", "then",
            "again", "once", "yet", "ever", "never", "reportedly", "apparently"}  # fmt: skip
_PARTICLES = {"up", "down", "back", "off", "out", "forward", "away"}
# Lexicon verbs that are nouns after a determiner or modifier ("the total", "a £2 cap", "net cost").
_NOUN_VERBS = {
    "number", "numbers", "average", "total", "cost", "costs", "rise", "fall", "cut", "cuts", "increase",
    "drop", "use", "work", "plan", "plans", "need", "needs", "help", "import", "imports", "estimate",
    "estimates", "face", "lead", "set", "worth", "run", "double", "peak", "top", "equal", "account",
    "fund", "funds", "build", "hit", "jump", "surge", "decline", "live", "pay", "save", "boost", "lift",
    "stand", "remain", "amount", "show", "claims", "cross", "spend", "go", "come", "benefit", "benefits",
    "vote", "votes", "return", "returns", "start", "close", "win", "gain", "gains", "wait", "reply",
}  # fmt: skip
# Words of a verb group besides auxiliaries and verbs: "is expected to cut", "is set to rise".
_VERB_GROUP_WORDS = {"to", "expected", "set", "likely", "due", "forecast", "predicted", "projected",
                     "estimated", "not", "able", "going", "poised", "about"}  # fmt: skip
# Comparative adjectives after a figure say how it compares, not what it counts ("£2,100 better off").
_NON_HEAD_ADJECTIVES = {"better", "worse", "higher", "lower", "cheaper", "dearer", "bigger", "smaller",
                        "larger", "greater", "off", "more", "less", "richer", "poorer", "short", "faster",
                        "slower", "quicker", "longer", "shorter", "likelier", "likely", "overnight"}  # fmt: skip
_COMPARATIVES = {"more", "fewer", "less", "extra", "additional", "further", "new", "other"}
_IRREGULAR_PLURALS = {"people", "children", "men", "women", "staff", "police", "personnel", "cattle",
                      "sheep", "data", "media", "workforce", "families"}  # fmt: skip
# Nouns ending in -ing/-ed/-ly that are not verbs or adverbs.
_ING_NOUNS = {
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
_ED_NOUNS = {"need", "speed", "seed", "bed", "shed", "feed", "red", "hundred", "breed", "creed"}
_LY_NOUNS = {"family", "supply", "assembly", "ally", "italy", "july", "rally", "reply", "monopoly",
             "anomaly", "only", "early", "daily", "weekly", "monthly", "quarterly", "belly"}  # fmt: skip
_STOP = (
    _DETERMINERS | _PREPOSITIONS | _PRONOUNS | _CLAUSE_WORDS | _AUXILIARIES | _ADVERBS | _PARTICLES
    | {"more", "most", "less", "least", "very", "much", "many", "such", "same", "other", "own", "ago",
       "not", "no", "nor", "s", "'s", "than", "too", "so", "there", "per", "almost", "nearly", "around",
       "up", "to", "just", "about", "last", "next", "past", "later", "earlier", "away"}
)  # fmt: skip
# After "a third", a word from this set keeps it a fraction; a content word makes it an ordinal
# ("a third of", "by a third on" vs "a third country", "a third term").
_FRACTION_FOLLOWERS = _STOP | {"lower", "higher", "cheaper", "smaller", "larger", "bigger", "fewer",
                               "compared", "according", "overall", "respectively"}  # fmt: skip
_HYPHENS = {"-", "‐", "‑"}


# -------------------------------------------------------------------------------- raw figures


@dataclass(slots=True)
class _Raw:
    i0: int  # token span [i0, i1)
    i1: int
    kind: str
    value: float
    unit: str | None = None
    per: str | None = None
    iso: str | None = None
    qualifier: str | None = None
    q0: int = -1  # first token of the qualifier (== i0 without one)
    role: str | None = None
    label: str = ""
    weak: bool = False
    noun: tuple[int, int] | None = None  # "300 homes a year": the counted noun inside the text
    scale: float = 1.0  # the multiplier of a scale word ("million"), for ranges that share it


def _parse_digits(s: str) -> float | None:
    """Value of a digit token, or None when it is not a number ("1,2,3", "1.2.3", 40 digits)."""
    if len(s) > _MAX_DIGITS + _MAX_DIGITS // 3 + 1:
        return None
    whole, dot, frac = s.partition(".")
    if "." in frac or "," in frac:
        return None
    if "," in whole:
        groups = whole.split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
    digits = whole.replace(",", "")
    if len(digits) > _MAX_DIGITS:
        return None
    return float(digits + (dot + frac if frac else ""))


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


class _Scanner:
    """Recognises figures left to right; each ``_at_*`` returns a figure starting at a token or None."""

    def __init__(self, toks: list[Tok]) -> None:
        self.t = toks
        self.n = len(toks)

    # -- small helpers -------------------------------------------------------------------

    def tok(self, i: int) -> Tok | None:
        return self.t[i] if 0 <= i < self.n else None

    def lower(self, i: int) -> str:
        t = self.tok(i)
        return t.lower if t else ""

    def attached(self, i: int) -> bool:
        t = self.tok(i)
        return bool(t and t.attached)

    def is_word(self, i: int, words: set[str] | dict[str, object] | None = None) -> bool:
        t = self.tok(i)
        return bool(t and t.kind == "word" and (words is None or t.lower in words))

    def hyphen_word(self, j: int) -> bool:
        """Tokens j, j+1 are an attached "-word" ("18-month", "five-point")."""
        return self.lower(j) in _HYPHENS and self.attached(j) and self.attached(j + 1) and self.is_word(j + 1)

    # -- scanning ------------------------------------------------------------------------

    def scan(self) -> list[_Raw]:
        out: list[_Raw] = []
        i = 0
        while i < self.n:
            raw = self._at(i)
            if raw is None:
                i += 1
                continue
            out.append(raw)
            i = max(raw.i1, i + 1)
        return out

    def _at(self, i: int) -> _Raw | None:
        t = self.t[i]
        if t.kind == "sym":
            if t.text in _CURRENCY_SIGNS:
                return self._money_prefix(i, i + 1, _CURRENCY_SIGNS[t.text])
            return None
        if t.kind == "num":
            return self._digits(i)
        if t.text in _DOLLAR_PREFIXES and self.lower(i + 1) == "$" and self.attached(i + 1):
            return self._money_prefix(i, i + 2, _DOLLAR_PREFIXES[t.text])
        if t.text in _CURRENCY_CODES and self.tok(i + 1) and self.t[i + 1].kind == "num":
            return self._money_prefix(i, i + 1, _CURRENCY_CODES[t.text])
        if t.lower in _MONTHS or t.lower in _MONTH_ABBREVIATIONS:
            return self._month_date(i)
        return self._words(i)

    # -- money with a sign or code before the number -----------------------------------------

    def _money_prefix(self, i0: int, j: int, currency: str) -> _Raw | None:
        t = self.tok(j)
        if t is None or t.kind != "num" or (j > i0 + 1 and not t.attached and self.t[j - 1].text != "$"):
            return None
        value = _parse_digits(t.text)
        if value is None:
            return None
        j += 1
        unscaled = value
        value, j = self._scale(value, j)
        raw = _Raw(i0, j, "money", value, unit=currency, scale=value / unscaled if unscaled else 1.0)
        self._attach_per(raw)
        return raw

    def _scale(self, value: float, j: int) -> tuple[float, int]:
        t = self.tok(j)
        if t and t.kind == "word" and t.lower in _SCALES and (t.attached or t.lower in _SPACED_SCALES):
            return value * _SCALES[t.lower], j + 1
        return value, j

    # -- numbers in digits ---------------------------------------------------------------------

    def _digits(self, i: int) -> _Raw | None:
        t = self.t[i]
        if self._is_identifier(i):
            return None
        date = self._day_date(i) or self._numeric_date(i)
        if date:
            return date
        value = _parse_digits(t.text)
        if value is None:
            return None
        nxt = self.tok(i + 1)
        if nxt and nxt.attached and nxt.kind == "word" and nxt.lower in _ORDINAL_SUFFIXES:
            return None  # "21st century", "10th anniversary"
        if self._is_time_or_ratio(i) or self._is_slash_pair(i):
            return None
        if len(t.text) == 4 and t.text.isdigit() and 1800 <= value <= 2100:
            year = self._year(i, int(value))
            if year:
                return year
        return self._finish(i, i + 1, value, digits=True)

    def _is_identifier(self, i: int) -> bool:
        prev = self.tok(i - 1)
        if prev is None:
            return False
        if prev.kind == "word" and self.t[i].attached:
            return True  # "G7", "COP26", "M25"
        if prev.lower in _HYPHENS and self.t[i].attached and prev.attached:
            before = self.tok(i - 2)
            if before and before.kind == "word" and before.lower not in _NUMBER_PREFIXES | _NUMBER_WORDS:
                return True  # "Covid-19", "F-35"
        if prev.kind == "word" and prev.lower in _IDENTIFIER_WORDS:
            # "No 10", "Article 50", "Tier 2"; lower-case "part 3"/"year 2" stay numbers unless legal.
            legal = {"article", "section", "clause", "schedule", "regulation", "paragraph", "chapter"}
            return prev.text[0].isupper() or prev.lower in legal
        if prev.text == "." and self.lower(i - 2) in {"no", "nos"}:
            return True
        nxt = self.tok(i + 1)
        if nxt and nxt.attached and nxt.kind == "word":
            known = (
                nxt.lower in _SCALES or nxt.lower in _ORDINAL_SUFFIXES or nxt.lower in {"p", "s", "pc"}
                or nxt.lower in _MEASURE_UNITS or nxt.lower in {"am", "pm", "percent", "bn", "mn"}
                or nxt.lower in _SPACED_SCALES or nxt.lower in _DURATION_UNITS
            )  # fmt: skip
            return not known  # "5G", "4x4"
        return False

    def _is_time_or_ratio(self, i: int) -> bool:
        nxt, nxt2 = self.tok(i + 1), self.tok(i + 2)
        if nxt and nxt.kind == "word" and nxt.lower in {"am", "pm", "a.m", "p.m"}:
            return True
        if nxt and nxt.text == ":" and nxt.attached and nxt2 and nxt2.kind == "num" and nxt2.attached:
            return True  # "10:30", "3:1"
        prev, prev2 = self.tok(i - 1), self.tok(i - 2)
        return bool(prev and prev.text == ":" and self.t[i].attached and prev2 and prev2.kind == "num"
                    and prev.attached)  # fmt: skip

    def _is_slash_pair(self, i: int) -> bool:
        """ "24/7", "9/11": numbers joined by a slash that are not a date or fiscal year."""
        nxt, nxt2 = self.tok(i + 1), self.tok(i + 2)
        if nxt and nxt.text == "/" and nxt.attached and nxt2 and nxt2.kind == "num" and nxt2.attached:
            return not (len(self.t[i].text) == 4 and len(nxt2.text) in (2, 4))
        prev, prev2 = self.tok(i - 1), self.tok(i - 2)
        return bool(prev and prev.text == "/" and prev.attached and self.t[i].attached and prev2
                    and prev2.kind == "num")  # fmt: skip

    def _year(self, i: int, year: int) -> _Raw | None:
        j = i + 1
        nxt = self.tok(j)
        if nxt and nxt.attached and nxt.lower == "s":
            return _Raw(i, j + 1, "year", year, iso=str(year))  # "1990s"
        if (
            nxt and nxt.attached and nxt.text in {"/", "-", "–"}
            and self.tok(j + 1) and self.t[j + 1].kind == "num" and self.t[j + 1].attached
            and len(self.t[j + 1].text) in (2, 4)
        ):  # fmt: skip
            return _Raw(i, j + 2, "year", year, iso=str(year))  # "2023/24", "2023-24"
        if self._has_unit_after(j):
            return None
        q = self._qualifier_before(i)
        if q and self.is_word(j) and self.lower(j) not in _STOP:
            return None  # "around 2000 people"
        return _Raw(i, j, "year", year, iso=str(year))

    def _qualifier_before(self, i: int) -> str | None:
        q = _qualifier_at(self.t, i)
        return q[0] if q else None

    def _has_unit_after(self, j: int) -> bool:
        t = self.tok(j)
        if t is None:
            return False
        if t.text == "%":
            return True
        k = j + 1 if self.hyphen_word(j) else j
        low = self.lower(k)
        return (
            low in _SPACED_SCALES or low in _CURRENCY_WORDS or low in {"percent", "per", "times"}
            or low in _DURATION_UNITS or _singular(low) in _DURATION_UNITS or low in _MEASURE_UNITS
            or (t.attached and low in _SCALES)
        )  # fmt: skip

    # -- dates -----------------------------------------------------------------------------------

    def _month_at(self, i: int, allow_abbreviation: bool) -> int | None:
        t = self.tok(i)
        if t is None or t.kind != "word" or not t.text[0].isupper():
            return None
        if t.lower in _MONTHS:
            return _MONTHS[t.lower]
        if allow_abbreviation and t.lower in _MONTH_ABBREVIATIONS:
            return _MONTH_ABBREVIATIONS[t.lower]
        return None

    def _year_at(self, i: int) -> int | None:
        t = self.tok(i)
        if t and t.kind == "num" and len(t.text) == 4 and t.text.isdigit() and 1000 <= int(t.text) <= 2200:
            return int(t.text)
        return None

    def _day_at(self, i: int) -> tuple[int, int] | None:
        """A day of the month at token i, and the index after it (with "st"/"th")."""
        t = self.tok(i)
        if t is None or t.kind != "num" or not t.text.isdigit() or len(t.text) > 2 or not 1 <= int(t.text) <= 31:
            return None
        j = i + 1
        if self.attached(j) and self.lower(j) in _ORDINAL_SUFFIXES:
            j += 1
        return int(t.text), j

    def _day_date(self, i: int) -> _Raw | None:
        """ "5 December 2023", "5th of December", "5 Dec 2023"."""
        day = self._day_at(i)
        if day is None:
            return None
        d, j = day
        if self.lower(j) == "of":
            j += 1
        month = self._month_at(j, allow_abbreviation=True)
        if month is None:
            return None
        j += 1
        j = j + 1 if self.lower(j) == "." and self.attached(j) and self.t[j - 1].lower in _MONTH_ABBREVIATIONS else j
        year = self._year_at(j)
        if year:
            return _Raw(i, j + 1, "date", year, iso=f"{year:04d}-{month:02d}-{d:02d}")
        return _Raw(i, j, "date", month, iso=f"--{month:02d}-{d:02d}")

    def _numeric_date(self, i: int) -> _Raw | None:
        """ "2023-12-05" (ISO) and "05/12/2023" (day first, as in British usage)."""
        toks = [self.tok(i + k) for k in range(5)]
        if not all(toks) or not all(t.attached for t in toks[1:]):  # type: ignore[union-attr]
            return None
        a, s1, b, s2, c = toks  # type: ignore[misc]
        if s1.text != s2.text or s1.text not in {"-", "/"} or not (a.kind == b.kind == c.kind == "num"):
            return None
        if not (a.text.isdigit() and b.text.isdigit() and c.text.isdigit()):
            return None
        if len(a.text) == 4 and s1.text == "-":
            y, m, d = int(a.text), int(b.text), int(c.text)
        elif len(c.text) == 4 and s1.text == "/":
            d, m, y = int(a.text), int(b.text), int(c.text)
        else:
            return None
        if not (1 <= m <= 12 and 1 <= d <= 31):
            return None
        return _Raw(i, i + 5, "date", y, iso=f"{y:04d}-{m:02d}-{d:02d}")

    def _month_date(self, i: int) -> _Raw | None:
        """ "April 2024", "December 5, 2023", "December 5" and a month alone ("the year to December")."""
        month = self._month_at(i, allow_abbreviation=True)
        if month is None:
            return None
        j = i + 1
        abbreviated = self.t[i].lower in _MONTH_ABBREVIATIONS
        if abbreviated and self.lower(j) == "." and self.attached(j):
            j += 1
        day = self._day_at(j)
        if day:
            d, k = day
            k2 = k + 1 if self.lower(k) == "," else k
            year = self._year_at(k2)
            if year:
                return _Raw(i, k2 + 1, "date", year, iso=f"{year:04d}-{month:02d}-{d:02d}")
            if self._year_at(j) is None:
                return _Raw(i, k, "date", month, iso=f"--{month:02d}-{d:02d}")
        year = self._year_at(j)
        if year:
            return _Raw(i, j + 1, "date", year, iso=f"{year:04d}-{month:02d}")
        if abbreviated:
            return None  # "Mar", "Jun" alone are names as often as months
        if self.t[i].lower in {"may", "march"}:
            prev = self.lower(i - 1)
            if prev not in _MONTH_CONTEXT or (self.is_word(i + 1) and self.t[i + 1].text[0].isupper()):
                return None
        return _Raw(i, i + 1, "date", month, iso=f"--{month:02d}")

    # -- numbers in words, fractions, multiples ----------------------------------------------

    def _words(self, i: int) -> _Raw | None:
        low = self.t[i].lower
        if low in {"twice", "thrice"}:
            raw = _Raw(i, i + 1, "multiple", 2 if low == "twice" else 3)
            self._attach_per(raw)
            return raw
        if low in {"half", "halves"}:
            return self._half(i)
        if low in {"a", "an", "one"}:
            frac = self._article_fraction(i)
            if frac:
                return frac
            if low != "one" and self.lower(i + 1) in {"hundred", "thousand", "million", "billion", "dozen"}:
                return self._number_words(i + 1, i0=i)
            if low != "one":
                return None
        if low in _ONES or low in _TENS or low == "dozen":
            return self._number_words(i, i0=i)
        return None

    def _article_fraction(self, i: int) -> _Raw | None:
        """ "a third", "one quarter", "a half": a fraction unless an ordinal ("a third country")."""
        j = i + 1
        if self.hyphen_word(j):
            j += 1  # "one-third"
        elif not self.is_word(j) or self.t[j].attached:
            return None
        denom = _SINGULAR_DENOMS.get(self.lower(j))
        if denom is None:
            return None
        after = self.tok(j + 1)
        verb_after = after is not None and (after.lower in _VERBS or after.lower.endswith("ed"))
        if after is not None and after.kind == "word" and after.lower not in _FRACTION_FOLLOWERS and not verb_after:
            return None  # "a third term"; but "a third agreed" is a fraction
        if after is not None and after.kind == "num":
            return None  # "a third 2-0 win"
        return _Raw(i, j + 1, "fraction", 1 / denom)

    def _half(self, i: int) -> _Raw | None:
        prev = self.tok(i - 1)
        if prev and (prev.lower in {"first", "second", "latter", "former", "other", "back", "top", "bottom"}
                     or (prev.lower in _HYPHENS and prev.attached)):  # fmt: skip
            return None  # "the second half", "one-and-a-half" handled elsewhere
        if self.hyphen_word(i + 1):
            unit = _DURATION_UNITS.get(self.lower(i + 2))
            if unit:
                return _Raw(i, i + 3, "duration", 0.5 * unit[1], unit=unit[0])  # "half-hour"
            return None  # "half-term", "half-price"
        if self.lower(i + 1) in {"a", "an"}:
            nxt = self.lower(i + 2)
            if nxt in _WORD_SCALES or nxt == "dozen":
                scale = 12 if nxt == "dozen" else _WORD_SCALES[nxt]
                return self._finish(i, i + 3, 0.5 * scale, digits=False)  # "half a million"
            if nxt in _DURATION_UNITS:
                unit, factor = _DURATION_UNITS[nxt]
                return _Raw(i, i + 3, "duration", 0.5 * factor, unit=unit)  # "half an hour"
        return _Raw(i, i + 1, "fraction", 0.5)

    def _number_words(self, i: int, i0: int) -> _Raw | None:
        """ "three", "twenty-five", "three hundred", "two million", "a dozen", "two-thirds"."""
        total, current, j, seen = 0.0, 0.0, i, 0
        while j < self.n and seen < 12:
            low = self.t[j].lower
            if low in _ONES:
                current += _ONES[low]
            elif low in _TENS:
                current += _TENS[low]
            elif low == "dozen":
                current = max(current, 1) * 12
            elif low == "hundred":
                current = max(current, 1) * 100
            elif low in _WORD_SCALES:
                total += max(current, 1) * _WORD_SCALES[low]
                current = 0
            else:
                break
            seen += 1
            j += 1
            if self.hyphen_word(j) and (self.lower(j + 1) in _ONES or self.lower(j + 1) in _TENS):
                j += 1  # "twenty-five"
            elif (
                self.lower(j) == "and"
                and self.lower(j - 1) in _WORD_SCALES
                and (self.lower(j + 1) in _ONES or self.lower(j + 1) in _TENS)
            ):
                j += 1  # "one hundred and fifty"
        if j == i:
            return None
        value = total + current
        first = self.t[i].lower
        # "two-thirds", "three quarters"
        k = j + 1 if self.hyphen_word(j) else j
        if self.lower(k) in _PLURAL_DENOMS and (k == j or self.attached(k)):
            return _Raw(i0, k + 1, "fraction", value / _PLURAL_DENOMS[self.lower(k)])
        if first == "one" and j == i + 1:
            return self._finish(i0, j, value, digits=False, needs_unit=True)
        if first == "zero" and j == i + 1:
            return None  # "net zero", "zero tolerance"
        return self._finish(i0, j, value, digits=False)

    # -- what follows a number -------------------------------------------------------------------

    def _finish(self, i0: int, j: int, value: float, digits: bool, needs_unit: bool = False) -> _Raw | None:
        if self.lower(j) == "and" and self.lower(j + 1) == "a" and self.lower(j + 2) == "half":
            value, j = value + 0.5, j + 3  # "two and a half"
        scale = 1.0
        if digits:
            unscaled = value
            value, j = self._scale(value, j)
            scale = value / unscaled if unscaled else 1.0
        elif self.lower(j - 1) in _WORD_SCALES and self.lower(j - 1) != "hundred":
            scale = _WORD_SCALES[self.lower(j - 1)]
        raw = self._finish_kind(i0, j, value, digits, needs_unit)
        if raw is not None and raw.kind in {"count", "money", "rate"}:
            raw.scale = scale
        return raw

    def _finish_kind(self, i0: int, j: int, value: float, digits: bool, needs_unit: bool) -> _Raw | None:
        t = self.tok(j)
        if t is None:
            return None if needs_unit else _Raw(i0, j, "count", value)
        low = t.lower
        if digits and t.attached and low in {"p", "c"} and j == i0 + 1:
            raw = _Raw(i0, j + 1, "money", value / 100, unit="GBP" if low == "p" else "USD")
            self._attach_per(raw)
            return raw
        for kind_check in (self._money_after, self._percent_after, self._duration_after,
                           self._multiple_after, self._fraction_after, self._measure_after):  # fmt: skip
            raw = kind_check(i0, j, value)
            if raw:
                if raw.kind in {"money", "percent", "count"} or (raw.kind == "multiple" and not raw.per):
                    self._attach_per(raw)
                return raw
        if self.hyphen_word(j) and self.lower(j + 1) not in _ONES and self.lower(j + 1) not in _TENS:
            if needs_unit:
                return None
            return _Raw(i0, j + 2, "count", value)  # "five-point plan", "two-bedroom"
        if needs_unit:
            return None
        raw = _Raw(i0, j, "count", value)
        self._attach_per(raw)
        return raw

    def _money_after(self, i0: int, j: int, value: float) -> _Raw | None:
        low = self.lower(j)
        if low in _CURRENCY_WORDS:
            return _Raw(i0, j + 1, "money", value, unit=_CURRENCY_WORDS[low])
        if low in _PENCE_WORDS and not (low == "cent" and self.lower(j - 1) == "per"):
            return _Raw(i0, j + 1, "money", value / 100, unit=_PENCE_WORDS[low])
        t = self.tok(j)
        if t and t.text in _CURRENCY_CODES:
            return _Raw(i0, j + 1, "money", value, unit=_CURRENCY_CODES[t.text])
        return None

    def _percent_after(self, i0: int, j: int, value: float) -> _Raw | None:
        t = self.tok(j)
        if t is None:
            return None
        if t.text == "%":
            return _Raw(i0, j + 1, "percent", value)
        if t.lower == "per" and self.lower(j + 1) == "cent":
            return _Raw(i0, j + 2, "percent", value)
        if t.lower == "percent" or (t.lower == "pc" and t.attached):
            return _Raw(i0, j + 1, "percent", value)
        if t.lower == "percentage" and self.lower(j + 1) in {"point", "points"}:
            return _Raw(i0, j + 2, "percent", value, unit="percentage point")
        return None

    def _duration_after(self, i0: int, j: int, value: float) -> _Raw | None:
        k = j + 1 if self.hyphen_word(j) else j
        t = self.tok(k)
        if t is None or t.kind != "word":
            return None
        unit = _DURATION_UNITS.get(t.lower) or _DURATION_UNITS.get(_singular(t.lower))
        if unit is None:
            return None
        end = k + 1
        if k > j and self.hyphen_word(end) and self.lower(end + 1) in {"old", "olds"}:
            end += 2  # "five-year-old", "21-year-olds"
        raw = _Raw(i0, end, "duration", value * unit[1], unit=unit[0])
        per = self._per_phrase(end)
        if per:
            raw.per, raw.i1 = per
        return raw

    def _multiple_after(self, i0: int, j: int, value: float) -> _Raw | None:
        if self.lower(j) == "times":
            return _Raw(i0, j + 1, "multiple", value)
        if self.hyphen_word(j) and self.lower(j + 1) == "fold":
            return _Raw(i0, j + 2, "multiple", value)
        return None

    def _fraction_after(self, i0: int, j: int, value: float) -> _Raw | None:
        """ "one in five", "nine out of ten", "3 in 4"."""
        k = j + 1
        if self.lower(j) == "out" and self.lower(j + 1) == "of":
            k = j + 2
        elif self.lower(j) != "in":
            return None
        t = self.tok(k)
        if t is None or value > 20 or value <= 0:
            return None
        if t.kind == "num" and t.text.isdigit() and len(t.text) <= 3:
            denom = float(t.text)
        elif t.lower in _ONES or t.lower in _TENS or t.lower == "hundred":
            denom = float(_ONES.get(t.lower) or _TENS.get(t.lower) or 100)
        else:
            return None
        if denom <= value or self._has_unit_after(k + 1):
            return None
        return _Raw(i0, k + 1, "fraction", value / denom)

    def _measure_after(self, i0: int, j: int, value: float) -> _Raw | None:
        t = self.tok(j)
        if t and t.kind == "word" and t.lower in _MEASURE_UNITS:
            return _Raw(i0, j + 1, "count", value, unit=_MEASURE_UNITS[t.lower])
        return None

    # -- rates: "a year", "per journey", "each week", "annually" ------------------------------

    def _per_phrase(self, j: int) -> tuple[str, int] | None:
        parts: list[str] = []
        while len(parts) < 3:
            low = self.lower(j)
            nxt = self.tok(j + 1)
            if low in _PERIOD_ADVERBS:
                parts.append(_PERIOD_ADVERBS[low])
                j += 1
            elif low == "per" and nxt and nxt.kind == "word" and nxt.lower not in _STOP and nxt.lower != "cent":
                words = [_PERIODS.get(nxt.lower, nxt.lower)]
                j += 2
                nxt2 = self.tok(j)
                if nxt2 and nxt2.kind == "word" and nxt2.lower in {"hour", "hours"} and len(words) == 1:
                    words.append(nxt2.lower)  # "per megawatt hour"
                    j += 1
                parts.append(" ".join(words))
            elif low in {"a", "an", "each", "every"} and nxt and nxt.kind == "word" and nxt.lower in _PERIODS:
                parts.append(_PERIODS[nxt.lower])
                j += 2
            elif self._hyphenated_per(j):
                parts.append(_PERIODS[self.lower(j + 3)])  # "£1,000-a-year"
                j += 4
            else:
                break
        return (" per ".join(parts), j) if parts else None

    def _hyphenated_per(self, j: int) -> bool:
        return (
            self.hyphen_word(j)
            and self.lower(j + 1) in {"a", "an", "per"}
            and self.hyphen_word(j + 2)
            and self.lower(j + 3) in _PERIODS
        )

    def _attach_per(self, raw: _Raw) -> None:
        per = self._per_phrase(raw.i1)
        if per is None and raw.kind in {"count", "money"}:
            found = self._per_after_noun(raw.i1, of_first=raw.unit is not None and raw.kind == "count")
            if found:
                per, raw.noun = found[:2], found[2]
        if per is None:
            return
        raw.per, raw.i1 = per
        if raw.kind in {"count", "multiple"}:
            raw.kind = "rate"
            raw.unit = f"{raw.unit} per {raw.per}" if raw.unit else f"per {raw.per}"

    def _per_after_noun(self, j: int, of_first: bool) -> tuple[str, int, tuple[int, int]] | None:
        """ "300 homes a year", "11,500 kWh of gas a year": a rate over its own noun."""
        k, words = j, 0
        while words < 3 and self.is_word(k):
            low = self.t[k].lower
            if (low in _STOP and not (low == "of" and (words > 0 or of_first))) or low in _VERBS:
                break
            k += 1
            words += 1
            if low not in _STOP and self.lower(k) in {"a", "an", "per", "each", "every"} | set(_PERIOD_ADVERBS):
                per = self._per_phrase(k)
                if per and per[0] in _PERIODS.values():
                    return per[0], per[1], (j, k)
        return None


# ----------------------------------------------------------------------------- post-processing


def _qualifier_at(toks: list[Tok], i0: int) -> tuple[str, int] | None:
    """The qualifier ending just before token i0, normalised, and where it starts."""
    for size in range(_QUALIFIER_MAX_WORDS, 0, -1):
        start = i0 - size
        if start < 0:
            continue
        words = tuple(t.lower for t in toks[start:i0])
        if not all(t.kind == "word" for t in toks[start:i0]):
            continue
        if words in _QUALIFIERS:
            return _QUALIFIERS[words], start
    return None


def _post_qualifier(toks: list[Tok], i1: int) -> str | None:
    low = toks[i1].lower if i1 < len(toks) else ""
    nxt = toks[i1 + 1].lower if i1 + 1 < len(toks) else ""
    if low == "or" and nxt in {"more", "above", "over"}:
        return "at least"
    if low == "or" and nxt in {"so", "thereabouts"}:
        return "about"
    if low in {"+", "plus"} and i1 < len(toks) and toks[i1].attached:
        return "more than"
    if low in _HYPHENS and nxt in {"plus", "odd"}:
        return "more than" if nxt == "plus" else "about"
    return None


def _set_qualifiers(toks: list[Tok], raws: list[_Raw]) -> None:
    for raw in raws:
        raw.q0 = raw.i0
        if raw.kind in {"year", "date"}:
            continue
        q = _qualifier_at(toks, raw.i0)
        if q and raw.kind == "duration":
            words = tuple(t.lower for t in toks[q[1] : raw.i0])
            if words in _DURATION_NON_QUALIFIERS:
                q = None
        if q:
            raw.qualifier, raw.q0 = q
        else:
            raw.qualifier = _post_qualifier(toks, raw.i1)


def _inherit_ranges(toks: list[Tok], raws: list[_Raw]) -> None:
    """ "between 20 and 30 per cent", "£2-3m", "five to ten years": the first takes the second's unit."""
    for a, b in pairwise(raws):
        gap = [t.lower for t in toks[a.i1 : b.i0]]
        if gap not in (["-"], ["–"], ["to"], ["and"], ["or"]) or a.kind != "count" or a.per or a.unit:
            continue
        if b.kind in {"percent", "duration", "money", "multiple"}:
            a.kind, a.unit = b.kind, b.unit
            if b.kind == "duration":
                a.value *= b.value / max(_bare_value(toks, b), 1e-9)  # "two to three decades"
        if b.scale > 1 and a.scale == 1 and a.value * b.scale <= b.value:
            a.value, a.scale = a.value * b.scale, b.scale  # "2 to 3 million"


def _share_rates(toks: list[Tok], raws: list[_Raw]) -> None:
    """ "2,700 kWh of electricity and 11,500 kWh of gas a year": both are rates."""
    for a, b in pairwise(raws):
        gap = {t.lower for t in toks[a.i1 : b.q0]}
        if (
            a.kind == "count" and a.unit and b.kind == "rate" and b.unit == f"{a.unit} per {b.per}"
            and "and" in gap and b.q0 - a.i1 <= 5
        ):  # fmt: skip
            a.kind, a.per, a.unit = "rate", b.per, b.unit


def _bare_value(toks: list[Tok], raw: _Raw) -> float:
    for t in toks[raw.i0 : raw.i1]:
        if t.kind == "num":
            return _parse_digits(t.text) or 1.0
        if t.lower in _ONES or t.lower in _TENS:
            return float(_ONES.get(t.lower) or _TENS.get(t.lower) or 1)
    return raw.value


# ------------------------------------------------------------------------------------------ roles


def _set_roles(toks: list[Tok], raws: list[_Raw]) -> None:
    for idx, raw in enumerate(raws):
        if raw.kind in {"year", "date"}:
            continue
        before = toks[raw.q0 - 1].lower if raw.q0 > 0 else ""
        window = _clause_window(toks, raw.q0, 12)
        earlier = []
        for r in reversed(raws[max(0, idx - 6) : idx]):
            if raw.q0 - r.i1 > 12:
                break
            if r.kind not in {"year", "date"}:
                earlier.append(r)
        if before == "from" and (window & _CHANGE_WORDS or _followed_by_to(toks, raws, idx)):
            raw.role = "from"
        elif (
            before == "to"
            and raw.qualifier != "up to"
            and (window & _CHANGE_WORDS or any(r.role in {"from", "change"} for r in earlier))
        ):
            raw.role = "to"
        elif (before == "by" and window & _CHANGE_WORDS) or (
            before == "of" and _noun_before_of(toks, raw.q0 - 1) in _CHANGE_NOUNS
        ):
            raw.role = "change"
        elif _comparative_after(toks, raw.i1):
            raw.role = "change"  # "300,000 fewer people"


def _comparative_after(toks: list[Tok], i: int) -> bool:
    """ "300,000 fewer people" is a change; "£400 million more than last year" a comparison."""
    if i >= len(toks) or toks[i].lower not in {"fewer", "more", "extra", "additional", "less"}:
        return False
    return not (i + 1 < len(toks) and toks[i + 1].lower == "than")


def _clause_window(toks: list[Tok], end: int, size: int) -> set[str]:
    """The lower-cased words of up to ``size`` tokens before ``end``, not crossing punctuation."""
    words: set[str] = set()
    k = end - 1
    while k >= 0 and end - k <= size and toks[k].text not in {",", ";", ":", ".", "(", ")", "–", "—"}:
        words.add(toks[k].lower)
        k -= 1
    return words


def _followed_by_to(toks: list[Tok], raws: list[_Raw], idx: int) -> bool:
    if idx + 1 >= len(raws):
        return False
    nxt = raws[idx + 1]
    gap = [t.lower for t in toks[raws[idx].i1 : nxt.q0]]
    return gap == ["to"]


def _noun_before_of(toks: list[Tok], of_index: int) -> str:
    k = of_index - 1
    while k >= 0 and toks[k].kind == "word" and toks[k].lower in _PRE_FIGURE:
        k -= 1
    return toks[k].lower if k >= 0 else ""


# ----------------------------------------------------------------------------------------- labels


class _Labeller:
    """Finds what each figure of a sentence measures (see the module docstring for the patterns)."""

    def __init__(self, text: str, toks: list[Tok], raws: list[_Raw]) -> None:
        self.text = text
        self.t = toks
        self.n = len(toks)
        self.raws = raws
        # token index -> the figure covering it (qualifier included)
        self.owner: dict[int, _Raw] = {}
        for raw in raws:
            for k in range(raw.q0, raw.i1):
                self.owner[k] = raw

    # -- word classes ------------------------------------------------------------------------

    def low(self, k: int) -> str:
        return self.t[k].lower if 0 <= k < self.n else ""

    def is_word(self, k: int) -> bool:
        return 0 <= k < self.n and self.t[k].kind == "word"

    def is_figure(self, k: int) -> bool:
        owner = self.owner.get(k)
        return owner is not None and owner.kind not in {"year", "date"}

    def inline(self, raw: _Raw) -> bool:
        """A figure that can sit inside a label: a year, a date, an "18-month"-style modifier."""
        if raw.kind in {"year", "date"}:
            return True
        return raw.kind == "duration" and "-" in self.text[self.t[raw.i0].start : self.t[raw.i1 - 1].end]

    def is_hyphen_link(self, k: int) -> bool:
        """Token k is the hyphen of a compound word ("lowest-paid", "all-time")."""
        t = self.t[k]
        return t.text in _HYPHENS and t.attached and k + 1 < self.n and self.t[k + 1].attached

    def is_boundary(self, k: int) -> bool:
        t = self.t[k]
        if t.kind != "sym" or self.is_hyphen_link(k):
            return False
        if t.text in {"'", "’"} and t.attached and k + 1 < self.n and self.t[k + 1].attached:
            return False
        return t.text not in {"&", "%", "£", "$", "€", "/"}

    def is_verb(self, k: int) -> bool:
        """A verb, by lexicon or by shape in context: "to slash", "it emerged", "revised its"."""
        t = self.t[k]
        if t.kind != "word":
            return False
        low = t.lower
        if low in _AUXILIARIES:
            return True
        if k > 0 and t.text[0].isupper():
            return False  # a name: "National Living Wage", "Home Office"
        if low in _VERBS:
            if low in _NOUN_VERBS and (k + 1) in self.owner:
                return True  # "the scheme cost £140million"
            return not (low in _NOUN_VERBS and (k == 0 or self._nounish_context(k)))
        prev = self.low(k - 1)
        nxt = self.low(k + 1)
        # "to recruit more than 60", "to raise the cap" vs "to Rwanda", "to asylum seekers"
        if (
            prev == "to"
            and t.text.islower()
            and not low.endswith("s")
            and low not in _STOP
            and ((k + 1) in self.owner or nxt in _DETERMINERS or nxt in _PRONOUNS)
        ):
            return True
        if (prev in _AUXILIARIES or prev == "not") and t.text.islower() and low not in _STOP and prev != "'s":
            return True
        if low.endswith(("ed", "ing")) and len(low) > 4 and low not in _ED_NOUNS and low not in _ING_NOUNS:
            # "revised its figure", "it emerged", "Raising the cap" vs "waiting lists", "revised figures"
            if prev in _PRONOUNS or prev in _AUXILIARIES:
                return True
            if (
                self.is_word(k - 1) and prev not in _STOP and prev not in _VERBS and not prev.endswith("ly")
                and prev not in _PRE_FIGURE
            ):  # fmt: skip
                return True  # after a noun it is the verb: "the Guarantee limited bills", "homes built"
            if self.is_word(k + 1) and nxt not in _STOP and nxt not in _VERBS and (k + 1) not in self.owner:
                return False
            return prev not in _DETERMINERS
        return False

    def _nounish_context(self, k: int) -> bool:
        """A word that is a noun here: after a determiner, adjective or noun ("the total", "net total")."""
        prev = self.low(k - 1)
        if prev in _DETERMINERS - {"that", "which", "what", "whose"} or prev in _PRE_FIGURE:
            return True
        return (
            self.is_word(k - 1) and prev not in _STOP and prev not in _VERBS
            and not prev.endswith(("ly", "ed")) and (k - 1 == 0 or not self.t[k - 1].text[0].isupper())
        )  # fmt: skip

    def is_adverb(self, k: int) -> bool:
        low = self.low(k)
        return self.is_word(k) and (low in _ADVERBS or (low.endswith("ly") and low not in _LY_NOUNS))

    def is_content(self, k: int) -> bool:
        t = self.t[k]
        if t.kind != "word" or t.lower in _STOP or self.is_verb(k):
            return False
        return not self.is_adverb(k)

    def span_text(self, a: int, b: int) -> str:
        return " ".join(self.text[self.t[a].start : self.t[b - 1].end].split())

    # -- noun phrases ------------------------------------------------------------------------

    def np_left(self, j: int) -> tuple[int, int] | None:
        """The noun phrase ending just before token j, as a token span, trimmed."""
        k, words, forced = j - 1, 0, False
        while k >= 0 and words < 14:
            t = self.t[k]
            owner = self.owner.get(k)
            if forced and t.kind == "word":
                forced = False
                k -= 1
                words += 1
                continue
            if owner is not None:
                if self.inline(owner):
                    k = owner.q0 - 1
                    words += 1
                    continue
                break
            if self.is_hyphen_link(k):
                forced = True
                k -= 1
                continue
            if t.kind != "word":
                break
            low = t.lower
            if low in _DETERMINERS and low not in {"which", "what", "whose", "that"}:
                k -= 1
                words += 1
                if self.low(k) not in _NP_PREPOSITIONS:
                    break  # a determiner starts the phrase unless a preposition links it on
                continue
            if low in _NP_PREPOSITIONS:
                k -= 1
                words += 1
                continue
            if (
                low in _CLAUSE_WORDS or low in _PRONOUNS or low in _PREPOSITIONS or self.is_adverb(k)
                or low in _DETERMINERS or self.is_verb(k)
            ):  # fmt: skip
                break
            k -= 1
            words += 1
        return self.trim(k + 1, j)

    def np_left_through(self, j: int) -> tuple[int, int] | None:
        """``np_left``, looking past a parenthetical ("the offset, which employers deduct, rises")."""
        span = self.np_left(j)
        if span or j < 1 or self.low(j - 1) != ",":
            return span
        m = j - 2
        while m > 0 and j - m < 25 and not (self.is_boundary(m) and self.low(m) != ","):
            if self.low(m) == "," and self.low(m + 1) in {"which", "who", "whose"}:
                return self.np_left(m)
            m -= 1
        return None

    def np_right(self, k: int, with_pp: bool = True) -> tuple[int, int] | None:
        """The noun phrase starting at token k: a few modifiers and a head noun, then "of/for/on" + NP."""
        start, words = k, 0
        while k < self.n and words < 4:
            t = self.t[k]
            if self.is_hyphen_link(k):
                k += 2  # the compound's second word belongs to the phrase
                continue
            if k in self.owner or t.kind != "word":
                break
            low = t.lower
            if words == 0 and low in _COMPARATIVES:
                k += 1
                words += 1
                continue
            if low in _NON_HEAD_ADJECTIVES or not (self.is_content(k) or self._modifier(k)):
                break
            k += 1
            words += 1
            if k < self.n and self.is_hyphen_link(k):
                continue
            if low in _IRREGULAR_PLURALS or (low.endswith("s") and not low.endswith(("ss", "us", "is", "'s"))):
                break  # the head noun of a count: "28,526 migrants arrive"
        k = min(k, self.n)
        span = self.trim(start, k)
        if span is None:
            return None
        if with_pp and k + 1 < self.n and self.low(k) in {"of", "for", "on"} and span[1] == k:
            inner = k + 1
            while inner < self.n and self.low(inner) in _DETERMINERS:
                inner += 1
            pp = self.np_right(inner, with_pp=False) if inner < self.n else None
            if pp and len([i for i in range(span[0], pp[1]) if self.t[i].kind == "word"]) <= MAX_LABEL_WORDS:
                return span[0], pp[1]
        return span

    def _modifier(self, k: int) -> bool:
        """An -ly/-ing/-ed word inside a noun phrase: "hourly earnings", "existing homes"."""
        low = self.low(k)
        if low in _STOP or k + 1 >= self.n or not self.is_content(k + 1):
            return False
        return low.endswith(("ly", "ing", "ed")) and not low.endswith("ingly")

    def trim(self, a: int, b: int) -> tuple[int, int] | None:
        """Drop edge function words and container heads ("the number of X" → X)."""
        for _ in range(4):
            while a < b and self._edge_stop(a, leading=True):
                a += 1
            while b > a and self._edge_stop(b - 1, leading=False):
                b -= 1
            if b - a >= 3 and self.low(a) in _CONTAINERS and self.low(a + 1) in {"of", "for"}:
                a += 2  # "number of small boat migrants", "figure for the year"
                continue
            break
        if b > a + 1 and self.low(b - 1) in {"figure", "figures"} and not self.low(b - 2).endswith("'s"):
            b -= 1  # "2019 net migration figure"
        if a >= b:
            return None
        if not any(self.t[k].kind == "word" and self.t[k].lower not in _STOP for k in range(a, b)):
            return None
        words = [k for k in range(a, b) if self.t[k].kind != "sym"]
        if len(words) > MAX_LABEL_WORDS:
            b = words[MAX_LABEL_WORDS - 1] + 1
            while b > a and self._edge_stop(b - 1, leading=False):
                b -= 1
        return (a, b) if a < b else None

    def _edge_stop(self, k: int, leading: bool) -> bool:
        t = self.t[k]
        if t.kind == "sym":
            return True
        owner = self.owner.get(k)
        if owner is not None and not self.inline(owner):
            return True
        low = t.lower
        if leading and low in {"this", "that", "last", "next"} and self.low(k + 1).endswith("'s"):
            return False  # keep "this year's figure", "last year's record"
        return low in _STOP or self.is_adverb(k)

    def is_generic(self, span: tuple[int, int]) -> bool:
        words = [self.low(k) for k in range(*span) if self.is_word(k) and self.low(k) not in _STOP]
        return all(w in _GENERIC_WORDS or (w.endswith("'s") and w[:-2] in _GENERIC_WORDS) for w in words)

    def words_of(self, span: tuple[int, int]) -> int:
        return sum(1 for k in range(*span) if self.is_word(k) and self.low(k) not in _STOP)

    # -- the patterns ------------------------------------------------------------------------

    def label_all(self) -> None:
        for idx, raw in enumerate(self.raws):
            label, weak = self.find(idx, raw)
            raw.label, raw.weak = (label, weak) if label else (self.fallback(raw), True)
        # A range names its quantity after the second figure: "20 to 30 per cent of firms".
        for a, b in pairwise(self.raws):
            gap = [t.lower for t in self.t[a.i1 : b.q0]]
            same_kind = a.kind == b.kind and a.kind not in {"year", "date"}
            if same_kind and a.role is None and not b.weak and gap in (["to"], ["and"], ["-"], ["–"], ["or"]):
                a.label, a.weak = b.label, False

    def find(self, idx: int, raw: _Raw) -> tuple[str | None, bool]:
        if raw.kind in {"year", "date"}:
            return self.time_label(raw)
        copied = self.own_noun(raw) or self.copy_from_partner(idx, raw)
        if copied:
            return copied, False
        own = self.premodifier(raw) or self.multiple_object(raw)
        if own:
            return own, False
        if raw.role == "from" and self.appositive(raw):
            # "Inflation was 4.6% in the year to October, down from 6.7%": what the last one measures.
            same = [r for r in self.raws[:idx] if r.kind == raw.kind and r.label and not r.weak]
            if same:
                return same[-1].label, False
        generic: tuple[int, int] | None = None
        prep = self.preposition_np(raw)
        if prep is not None:
            found, generic = prep
            if found:
                return self.span_text(*found), False
        if raw.role == "change":
            sibling = self.sibling_label(idx)
            if sibling:
                return sibling, False
        if raw.role == "from":
            # "Spending will reach 2.5% of GDP, up from 2.3%": what the previous figure measures.
            same = [r for r in self.raws[:idx] if r.kind == raw.kind and r.label and not r.weak]
            if same:
                return same[-1].label, False
        start = self.generic_start(generic) if generic else raw.q0
        for span in (
            self.subject(start, raw, any_verb=False),
            self.adjacent_left(raw),
            self.right_pp(raw),
            self.subject(start, raw, any_verb=True),
        ):
            if span:
                return self.span_text(*span), False
        if generic:
            return self.span_text(*generic), True
        return None, True

    def time_label(self, raw: _Raw) -> tuple[str | None, bool]:
        """Years and dates: the noun they modify ("2019 manifesto") or the phrase they end."""
        span = self.np_right(raw.i1)
        if span is None and self.low(raw.i0 - 1) in {"to", "of", "in", "since", "until", "by", "from"}:
            span = self.np_left(raw.i0 - 1)
        return (self.span_text(*span), False) if span else (None, True)

    def copy_from_partner(self, idx: int, raw: _Raw) -> str | None:
        """ "from 606,000 to 745,000", "by £12,500 to £38,000", "20-30%": share the first one's label."""
        if idx == 0:
            return None
        prev = self.raws[idx - 1]
        gap = [t.lower for t in self.t[prev.i1 : raw.q0]]
        if gap == ["("] and not prev.weak and prev.kind == raw.kind:
            return prev.label or None  # the same amount restated: "£3.2 billion ($4bn)"
        if prev.role not in {"from", "change"} or prev.weak or gap not in (["to"], ["-"], ["–"]):
            return None  # plain ranges are labelled from their second figure (see label_all)
        return prev.label or None

    def own_noun(self, raw: _Raw) -> str | None:
        """A rate over its own noun: "300 homes a year" → homes."""
        if raw.noun is None:
            return None
        content = [k for k in range(*raw.noun) if self.is_word(k) and self.low(k) not in _STOP]
        return self.span_text(content[0], content[-1] + 1) if content else None

    def premodifier(self, raw: _Raw) -> str | None:
        """ "the original £140million scheme" → "original scheme"; "a £40,000 salary threshold"."""
        nxt = raw.i1
        hyphenated = self.t[raw.i1 - 1].attached and self.t[raw.i1 - 2].text in _HYPHENS if raw.per else False
        if nxt >= self.n or self.t[nxt].kind != "word" or (raw.per and not hyphenated):
            return None  # after "a year" a word is not what the figure counts ("a £1,000-a-year grant" is)
        if not (self.is_content(nxt) or self._modifier(nxt) or self.low(nxt) in _COMPARATIVES):
            return None
        span = self.np_right(nxt)
        if span is None:
            return None
        compound = ""
        last = raw.i1 - 1
        if raw.kind == "count" and self.is_hyphen_link(last - 1) and self.low(last) not in _NUMBER_WORDS:
            compound = self.t[last].text  # "five-point plan" → "point plan"
        mods = self.left_modifiers(raw) if raw.q0 == raw.i0 else []
        return " ".join(p for p in (*mods, compound, self.span_text(*span)) if p)

    def multiple_object(self, raw: _Raw) -> str | None:
        """ "twice as many jobs" → jobs; "three times the level of debt" → level of debt."""
        if raw.kind not in {"multiple", "fraction"}:
            return None
        k = raw.i1
        if self.low(k) == "as" and self.low(k + 1) in {"many", "much"}:
            k += 2
        elif raw.kind == "multiple" and self.low(k) in _DETERMINERS:
            k += 1
        else:
            return None
        span = self.np_right(k) if k < self.n else None
        return self.span_text(*span) if span else None

    def left_modifiers(self, raw: _Raw) -> list[str]:
        """Adjectives between a determiner and the figure ("the original £140million ...")."""
        k, mods = raw.i0 - 1, []
        while k >= 0 and len(mods) < 2 and self.is_content(k):
            if self.low(k).endswith("s") and not self.low(k).endswith(("ous", "ss")):
                return []  # "the policy affects 3 million": a verb or a noun, not an adjective
            mods.insert(0, self.t[k].text)
            k -= 1
        if mods and (k < 0 or self.low(k) in _DETERMINERS or self.low(k) in _PREPOSITIONS):
            return mods
        return []

    def preposition_np(self, raw: _Raw) -> tuple[tuple[int, int] | None, tuple[int, int] | None] | None:
        """ "<NP> of|to|by|from|at|: <figure>", through particles and a change verb.

        Returns (label span, generic span) or None when no such preposition precedes the figure.
        """
        k = raw.q0 - 1
        while k >= 0 and self.is_word(k) and self.low(k) in _PRE_FIGURE | {"a", "an", "the"}:
            k -= 1
        if k < 0 or self.low(k) not in {"of", "to", "by", "from", "at", ":", "="}:
            return None
        k -= 1
        skipped = False
        while k >= 0 and (self.low(k) in _PARTICLES or self.is_adverb(k)):
            k -= 1
            skipped = True
        if skipped and self.low(k) == ",":
            k -= 1  # "The new rate, up from £11.12, ..."
        verb_end = k
        while k >= 0 and self.is_word(k) and (
            self.low(k) in _AUXILIARIES or self.is_adverb(k) or self.low(k) in _VERB_GROUP_WORDS
            or ((self.low(k) in _VALUE_VERBS or self.low(k) in _CHANGE_WORDS) and self.is_verb(k))
        ):  # fmt: skip
            k -= 1
        span = self.subject_before(k + 1) if k < verb_end else self.np_left_through(k + 1)
        if span is None or self.is_generic(span):
            return None, span
        return span, None

    def appositive(self, raw: _Raw) -> bool:
        """ ", up from <figure>": the phrase hangs on the clause before the comma."""
        k = raw.q0 - 2  # before "from"
        while k >= 0 and self.low(k) in _PARTICLES:
            k -= 1
        return k >= 0 and self.low(k) == ","

    def sibling_label(self, idx: int) -> str | None:
        """A change ("an increase of 139,000") measures what the sentence's from/to figures measure."""
        for other in reversed(self.raws[:idx]):
            if other.role in {"from", "to"} and other.label and not other.weak:
                return other.label
        return None

    def generic_start(self, span: tuple[int, int]) -> int:
        """Back over a generic phrase to its determiner: "an all-time high of" → "an"."""
        k = span[0] - 1
        while k >= 0 and (self.low(k) in _DETERMINERS or self.low(k) in _GENERIC_WORDS or self.t[k].text in _HYPHENS
                          or self.low(k) in _PRE_FIGURE):  # fmt: skip
            k -= 1
        return k + 1

    def subject(self, j: int, raw: _Raw, any_verb: bool) -> tuple[int, int] | None:
        """The subject of the verb group ending before token j ("X has topped 29,000")."""
        k = j - 1
        while k >= 0 and self.is_word(k) and self.low(k) in _PRE_FIGURE | {"a", "an", "the"}:
            k -= 1
        end = k
        # A verb used as the qualifier ("has topped 29,000") is the figure's verb.
        has_verb = any(self.low(q) in _VALUE_VERBS for q in range(raw.q0, raw.i0)) and j == raw.q0
        while k >= 0 and self.is_word(k) and (
            self.low(k) in _AUXILIARIES or self.is_adverb(k) or self.low(k) in _PARTICLES
            or self.low(k) in _VERB_GROUP_WORDS or (self.low(k) in _VALUE_VERBS and self.is_verb(k))
            or (any_verb and self.is_verb(k))
        ):  # fmt: skip
            has_verb = has_verb or self.low(k) in _AUXILIARIES or self.low(k) in _VALUE_VERBS or any_verb
            k -= 1
        if (k == end and not has_verb) or not has_verb:
            return None
        span = self.subject_before(k + 1)
        return span if span and not self.is_generic(span) else None

    def subject_before(self, verb_start: int) -> tuple[int, int] | None:
        """The noun phrase a verb group starting at ``verb_start`` is about."""
        if self.low(verb_start - 1) in {"which", "who", "that"}:
            j = verb_start - 1
            return self.np_left(j - 1 if self.low(j - 1) == "," else j)  # "the scheme, which costs £2bn"
        # A relative clause between subject and verb: "the number of X who have reached Y has topped N".
        m = verb_start - 1
        while m > 0 and not self.is_boundary(m) and verb_start - m < 25:
            if self.low(m) in {"who", "which", "that"} and self.is_content(m - 1):
                span = self.np_left(m)
                if span:
                    return span
            m -= 1
        return self.np_left_through(verb_start)

    def adjacent_left(self, raw: _Raw) -> tuple[int, int] | None:
        """ "similar measures six times": the noun phrase right before the figure."""
        k = raw.q0 - 1
        if k < 0 or not self.is_content(k) or k in self.owner:
            return None
        span = self.np_left(raw.q0)
        return span if span and not self.is_generic(span) else None

    def right_pp(self, raw: _Raw) -> tuple[int, int] | None:
        """ "a further 50,000 a year from the net total" → net total."""
        k = raw.i1
        if k >= self.n or self.low(k) not in {"from", "for", "of", "on", "in"}:
            return None
        k += 1
        while k < self.n and self.low(k) in _DETERMINERS:
            k += 1
        return self.np_right(k) if k < self.n else None

    # -- fallback: the nearest words of the clause ------------------------------------------

    def fallback_span(self, raw: _Raw) -> tuple[int, int] | None:
        right = self._window(raw.i1, +1)
        left = self._window(raw.q0 - 1, -1)
        r, lft = (self.words_of(right) if right else 0), (self.words_of(left) if left else 0)
        best = right if r >= lft else left
        return best if best and max(r, lft) else None

    def fallback(self, raw: _Raw) -> str:
        span = self.fallback_span(raw)
        if span:
            return self.span_text(*span)
        # The nearest words of the sentence that are not figures or function words.
        window = range(max(0, raw.q0 - 30), min(self.n, raw.i1 + 30))
        near = sorted(
            (k for k in window if self.is_word(k) and k not in self.owner and self.low(k) not in _STOP),
            key=lambda k: min(abs(k - raw.q0), abs(k - (raw.i1 - 1))),
        )[:4]
        return " ".join(self.t[k].text for k in sorted(near)) or raw.kind

    def _window(self, k: int, step: int) -> tuple[int, int] | None:
        start, words = k, 0
        while 0 <= k < self.n and words < 6:
            if self.is_boundary(k) or self.is_figure(k):
                break
            if step > 0 and self.is_word(k) and self.low(k) in _CLAUSE_WORDS - {"as", "since", "after", "before"}:
                break
            words += self.is_word(k)
            k += step
        a, b = (start, k) if step > 0 else (k + 1, start + 1)
        while a < b and self._edge_stop(a, leading=True):
            a += 1
        while b > a and self._edge_stop(b - 1, leading=False):
            b -= 1
        return (a, b) if a < b else None


# -------------------------------------------------------------------------------------- the API


def extract_figures(sentence: str) -> list[Figure]:
    """Every figure written in one sentence, in order."""
    text = sentence[:MAX_SENTENCE_CHARS]
    toks = tokenize_sentence(text)
    raws = _Scanner(toks).scan()
    _set_qualifiers(toks, raws)
    _inherit_ranges(toks, raws)
    _share_rates(toks, raws)
    _set_roles(toks, raws)
    _Labeller(text, toks, raws).label_all()
    figures = []
    for raw in raws:
        start, end = toks[raw.i0].start, toks[raw.i1 - 1].end
        label = raw.label[:MAX_LABEL_CHARS].strip() or raw.kind
        figures.append(
            Figure(
                text=text[start:end],
                start=start,
                end=end,
                value=raw.value,
                kind=raw.kind,  # type: ignore[arg-type]
                unit=raw.unit,
                per=raw.per,
                qualifier=raw.qualifier,
                label=label,
                role=raw.role,  # type: ignore[arg-type]
                iso=raw.iso,
                weak_label=raw.weak,
            )
        )
    return figures
