"""Tokenization shared by indexing and querying.

Words are case-folded, stopwords dropped and the rest Snowball-stemmed (PyStemmer, with a cache:
stemming is most of the cost of tokenizing). Numbers are normalised to one spelling, so that
"745,000" finds "745000" and "£140million", "£140m" and "140 million" find each other. Single
characters are dropped except digits, which are figures.

Figures also emit *answer-type* tokens (``_money``, ``_pct``, ``_num``, ``_year``), and questions
emit the same tokens from their wording ("how much", "what percentage", "how many", "when"). A
question asking "how much" then matches sentences that state an amount, with BM25's usual
weighting: a corpus-independent way to prefer sentences of the kind of answer asked for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

from bot.engine.text.stopwords import STOPWORDS

MONEY = "_money"
PERCENT = "_pct"
NUMBER = "_num"
YEAR = "_year"
ANSWER_TYPES = frozenset({MONEY, PERCENT, NUMBER, YEAR})

_CURRENCY_SYMBOLS = {"£": "gbp", "$": "usd", "€": "eur"}
_CURRENCY_WORDS = {
    "pound": "gbp", "pounds": "gbp", "sterling": "gbp", "gbp": "gbp", "quid": "gbp",
    "dollar": "usd", "dollars": "usd", "usd": "usd",
    "euro": "eur", "euros": "eur", "eur": "eur",
}  # fmt: skip
_SCALES = {
    "k": 1e3, "thousand": 1e3,
    "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6,
    "bn": 1e9, "b": 1e9, "billion": 1e9, "billions": 1e9,
    "tn": 1e12, "trillion": 1e12,
}  # fmt: skip
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
_PERCENT_WORDS = {"percent", "percentage", "pc"}

# One pass over the text: a number (with optional currency, thousands separators, decimals and
# scale word), a "per cent"/"%", or a word. Linear: no nested quantifiers.
_TOKEN_RE = re.compile(
    r"(?:(?P<cur>[£$€])\s?)?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?:\s?(?P<scale>thousand|millions?|billions?|trillion|mn|bn|tn|[kmb])(?![^\W\d_]))?"
    r"(?P<pct>\s?%|\s?per\s?cent\b)?"
    r"|(?P<word>[^\W_]+(?:['’][^\W\d_]+)?)"
    r"|(?P<sym>[£$€%])",
    re.IGNORECASE,
)

# Question wording that asks for a kind of answer.
_QUESTION_TYPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bhow much\b|\bcost|\bprice|\bworth\b|\bspen[dt]\b|\bpaid\b|\bfund"), MONEY),
    (re.compile(r"\bpercent|\bper cent\b|\bproportion\b|\bshare of\b|%"), PERCENT),
    (re.compile(r"\bhow many\b|\bnumber of\b|\bhow big\b|\bhow large\b|\bfigure\b"), NUMBER),
    (re.compile(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bwhat date\b"), YEAR),
)

_stemmer = Stemmer.Stemmer("english")

# Question words that name the kind of answer wanted; a corpus that never uses them is not
# missing the question's topic, it answers them with figures of that kind.
_ANSWER_TYPE_WORDS = frozenset(
    "cost costs costing price priced worth spend spent paid fund funded funding percent percentage "
    "proportion share".split()
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def format_number(value: float) -> str:
    """One spelling per number: 140000000, 3.5, 0.25."""
    # A run of 309+ digits parses to inf, and int(inf) raises OverflowError, so one such number in
    # one document would stop the whole corpus from loading. Check the bound first.
    if abs(value) < 1e18 and value == int(value):
        return str(int(value))
    return f"{value:.6g}"


def _parse_number(digits: str) -> float | None:
    cleaned = digits.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


# What a word match stands for (see _classify_word).
_CURRENCY_WORD, _PERCENT_WORD, _COUNT_WORD, _PLAIN_WORD = range(4)


@lru_cache(maxsize=200_000)
def _classify_word(raw: str) -> tuple[int, str] | None:
    """A word as written → its kind and token, or None when dropped (stopwords, single letters).

    Cached as a whole: folding, apostrophes, lookups and stemming are most of tokenizing's cost,
    and a corpus repeats its words.
    """
    word = normalise(raw).replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if word in _CURRENCY_WORDS:
        return _CURRENCY_WORD, _CURRENCY_WORDS[word]
    if word in _PERCENT_WORDS:
        return _PERCENT_WORD, "percent"
    if word in _NUMBER_WORDS and word != "one":
        # "six times", "five years": spell them as digits so "6 times" finds them.
        return _COUNT_WORD, str(_NUMBER_WORDS[word])
    if word in STOPWORDS or (len(word) == 1 and not word.isdigit()):
        return None
    return _PLAIN_WORD, stem(word)


def iter_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield ``(token, start, end)`` for the text as written (offsets in ``text``).

    Offsets are those of ``text`` itself: the text is case-folded per match, not normalised as a
    whole, so spans stay valid for highlighting. ``tokenize`` gives the same tokens without offsets.
    """
    previous_was_number = False
    for match in _TOKEN_RE.finditer(text):
        start, end = match.span()
        currency, digits, scale, percent, raw, symbol = match.groups()
        if raw is None:
            if digits is not None:
                for token in _number_tokens(currency, digits, scale, percent):
                    yield token, start, end
                previous_was_number = True
            elif symbol == "%":
                yield "percent", start, end
                yield PERCENT, start, end
            else:
                yield _CURRENCY_SYMBOLS[symbol], start, end
            continue
        classified = _classify_word(raw)
        if classified is None:
            previous_was_number = False
            continue
        kind, token = classified
        yield token, start, end
        if kind == _CURRENCY_WORD and previous_was_number:
            yield MONEY, start, end
        elif kind == _PERCENT_WORD:
            yield PERCENT, start, end
        previous_was_number = kind == _COUNT_WORD


def _number_tokens(currency: str | None, digits: str, scale: str | None, percent: str | None) -> list[str]:
    """A number's tokens: its value in one spelling, then its currency and answer type."""
    value = _parse_number(digits)
    if value is None:
        return []
    if scale:
        factor = _SCALES.get(scale.lower())
        # A bare "m"/"b"/"k" is a scale only after a currency sign: "5 m" may be metres.
        if factor and (len(scale) > 1 or currency):
            value *= factor
    tokens = [format_number(value)]
    if currency:
        tokens += (_CURRENCY_SYMBOLS[currency], MONEY)
    if percent:
        tokens += ("percent", PERCENT)
    elif not currency:
        is_year = len(digits) == 4 and digits.isdigit() and 1800 <= value <= 2199 and not scale
        tokens.append(YEAR if is_year else NUMBER)
    return tokens


def tokenize(text: str) -> list[str]:
    """Index tokens of a document text (answer-type tokens included): ``iter_tokens`` without offsets.

    The same rules in a flat loop over ``findall``: this runs for every passage of a corpus, and
    skipping the match objects, spans and generator frames makes it ~20% faster (bench/scale.py).
    ``findall`` gives "" for a group that did not match, where ``iter_tokens`` sees None.
    """
    out: list[str] = []
    append = out.append
    classify = _classify_word
    previous_was_number = False
    for currency, digits, scale, percent, raw, symbol in _TOKEN_RE.findall(text):
        if raw:
            classified = classify(raw)
            if classified is None:
                previous_was_number = False
                continue
            kind, token = classified
            append(token)
            if kind == _CURRENCY_WORD:
                if previous_was_number:
                    append(MONEY)
            elif kind == _PERCENT_WORD:
                append(PERCENT)
            previous_was_number = kind == _COUNT_WORD
        elif digits:
            out += _number_tokens(currency, digits, scale, percent)
            previous_was_number = True
        elif symbol == "%":
            out += ("percent", PERCENT)
        else:
            append(_CURRENCY_SYMBOLS[symbol])
    return out


@lru_cache(maxsize=1)
def answer_type_words() -> frozenset[str]:
    """Stems of the words that make a question ask for a kind of figure."""
    return frozenset(stem(word) for word in _ANSWER_TYPE_WORDS)


def question_tokens(question: str) -> list[str]:
    """Tokens of a question: its words plus the answer types its wording asks for.

    A question's own figures keep their words but not their answer types: "when did 745,000
    arrive?" asks for a date, not for any number.
    """
    tokens = [t for t in tokenize(question) if t not in ANSWER_TYPES]
    folded = normalise(question)
    for pattern, answer_type in _QUESTION_TYPES:
        if pattern.search(folded):
            tokens.append(answer_type)
    return list(dict.fromkeys(tokens))
