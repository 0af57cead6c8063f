"""Find the figures written in one sentence and their values: kind, normalised value, unit, rate, qualifier.

The sentence is cut into tokens (digit runs, words, single symbols) by one linear regular
expression; everything after that walks the token list with bounded look-ahead and look-behind, so
hostile input ("1,"*3000, pages of digits) costs linear time and no pattern can backtrack.

Recognition, at each token, tries in turn: a currency sign and number ("£140million", "$2bn"), a
date ("5 December 2023", "April 2024", "the year to December"), a year ("2021", "2023/24",
"1990s"), a number written in digits or words with what follows it (scale "million"/"bn", pence
"12p", "per cent", a duration unit, "times", "one in five", a rate "a year"/"per journey"), and
fraction words ("a third", "two-thirds", "half", "twice").

Then, over the figures found: the qualifier before or after each ("more than", "or more"), ranges
whose first figure takes the second's unit or scale ("between 20 and 30 per cent", "2 to 3
million"), and amounts sharing one rate ("2,700 kWh of electricity and 11,500 kWh of gas a year").
What each figure measures is ``labeller``'s part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from bot.engine.figures.lexicon import (
    CURRENCY_CODES,
    CURRENCY_SIGNS,
    CURRENCY_WORDS,
    DOLLAR_PREFIXES,
    DURATION_NON_QUALIFIERS,
    DURATION_SUBUNITS,
    DURATION_UNITS,
    FRACTION_FOLLOWERS,
    HYPHENS,
    IDENTIFIER_WORDS,
    MEASURE_UNITS,
    MONTH_ABBREVIATIONS,
    MONTH_CONTEXT,
    MONTHS,
    NUMBER_PREFIXES,
    NUMBER_WORDS,
    ONES,
    ORDINAL_SUFFIXES,
    PENCE_WORDS,
    PERIOD_ADVERBS,
    PERIODS,
    PLURAL_DENOMS,
    QUALIFIER_MAX_WORDS,
    QUALIFIERS,
    SCALES,
    SINGULAR_DENOMS,
    SPACED_SCALES,
    STOP,
    TENS,
    VERBS,
    WORD_SCALES,
)

# A digit run longer than this is not a quantity (an id, a dump of digits).
_MAX_DIGITS = 18
# Numbers that open a numbered paragraph or list item ("2.1 The number of...", "3. Apply online").
_SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})+")
_LIST_NUMBER = re.compile(r"\d{1,3}")
_HEADING_MAX_TOKENS = 10
# Before a time written "8:14", words that make it a length of time rather than a time of day.
CLOCK_DURATION_CUES = frozenset({"of", "within", "took", "taking", "takes", "averaged", "averaging"})
_RELATIVE_TIME = frozenset({"earlier", "ago", "previously"})  # not "before": "£3,000 a year before"
_SENTENCE_ENDS = frozenset({".", "!", "?", "…", '"', "”", "'", "’", ")"})
# Words that make a sentence-opening number a quantity even when capitalised ("2.5 GW", "1.2 Million").
_UNIT_WORDS = frozenset({*SCALES, *SPACED_SCALES, *MEASURE_UNITS, *DURATION_UNITS, *CURRENCY_WORDS, "per", "percent"})


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


# -------------------------------------------------------------------------------- raw figures


@dataclass(slots=True)
class RawFigure:
    """A figure being read: its token span and what is known of it so far (``parse.extract_figures``
    makes it a ``Figure``)."""

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
    rule: int = 0  # which of ``labeller``'s numbered rules gave the label (0: none; bench.figure_labels)


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
        return self.lower(j) in HYPHENS and self.attached(j) and self.attached(j + 1) and self.is_word(j + 1)

    # -- scanning ------------------------------------------------------------------------

    def scan(self) -> list[RawFigure]:
        out: list[RawFigure] = []
        i = 0
        while i < self.n:
            raw = self._at(i)
            if raw is None:
                i += 1
                continue
            out.append(raw)
            i = max(raw.i1, i + 1)
        return out

    def _at(self, i: int) -> RawFigure | None:
        t = self.t[i]
        if t.kind == "sym":
            if t.text in CURRENCY_SIGNS:
                return self._money_prefix(i, i + 1, CURRENCY_SIGNS[t.text])
            return None
        if t.kind == "num":
            return self._digits(i)
        if t.text in DOLLAR_PREFIXES and self.lower(i + 1) == "$" and self.attached(i + 1):
            return self._money_prefix(i, i + 2, DOLLAR_PREFIXES[t.text])
        if t.text in CURRENCY_CODES and self.tok(i + 1) and self.t[i + 1].kind == "num":
            return self._money_prefix(i, i + 1, CURRENCY_CODES[t.text])
        if t.lower in MONTHS or t.lower in MONTH_ABBREVIATIONS:
            return self._month_date(i)
        return self._words(i)

    # -- money with a sign or code before the number -----------------------------------------

    def _money_prefix(self, i0: int, j: int, currency: str) -> RawFigure | None:
        t = self.tok(j)
        if t is None or t.kind != "num" or (j > i0 + 1 and not t.attached and self.t[j - 1].text != "$"):
            return None
        value = _parse_digits(t.text)
        if value is None:
            return None
        j += 1
        unscaled = value
        value, j = self._scale(value, j)
        raw = RawFigure(i0, j, "money", value, unit=currency, scale=value / unscaled if unscaled else 1.0)
        self._attach_per(raw)
        return raw

    def _scale(self, value: float, j: int) -> tuple[float, int]:
        t = self.tok(j)
        if t and t.kind == "word" and t.lower in SCALES and (t.attached or t.lower in SPACED_SCALES):
            return value * SCALES[t.lower], j + 1
        return value, j

    # -- numbers in digits ---------------------------------------------------------------------

    def _digits(self, i: int) -> RawFigure | None:
        t = self.t[i]
        if self._is_identifier(i) or self._is_numbering(i):
            return None
        date = self._day_date(i) or self._numeric_date(i)
        if date:
            return date
        value = _parse_digits(t.text)
        if value is None:
            return None
        nxt = self.tok(i + 1)
        if nxt and nxt.attached and nxt.kind == "word" and nxt.lower in ORDINAL_SUFFIXES:
            return None  # "21st century", "10th anniversary"
        clock = self._clock_duration(i)
        if clock:
            return clock
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
        if prev.lower in HYPHENS and self.t[i].attached and prev.attached:
            before = self.tok(i - 2)
            if before and before.kind == "word" and before.lower not in NUMBER_PREFIXES | NUMBER_WORDS:
                return True  # "Covid-19", "F-35"
        if prev.kind == "word" and prev.lower in IDENTIFIER_WORDS:
            # "No 10", "Article 50", "Tier 2"; lower-case "part 3"/"year 2" stay numbers unless legal.
            legal = {"article", "section", "clause", "schedule", "regulation", "paragraph", "chapter"}
            return prev.text[0].isupper() or prev.lower in legal
        if prev.text == "." and self.lower(i - 2) in {"no", "nos"}:
            return True
        nxt = self.tok(i + 1)
        if nxt and nxt.attached and nxt.kind == "word":
            known = (
                nxt.lower in SCALES or nxt.lower in ORDINAL_SUFFIXES or nxt.lower in {"p", "s", "pc"}
                or nxt.lower in MEASURE_UNITS or nxt.lower in {"am", "pm", "percent", "bn", "mn"}
                or nxt.lower in SPACED_SCALES or nxt.lower in DURATION_UNITS
            )  # fmt: skip
            return not known  # "5G", "4x4"
        return False

    def _is_numbering(self, i: int) -> bool:
        """A paragraph, list or section number opening the sentence, not a quantity: "2.1 The number
        of EHC plans has risen", "3. Apply online", "4) Councils must", "## 5 GP appointments". A
        quantity opening a sentence is followed by its unit or scale ("2.5 GW", "1.2 Million") or by a
        word in lower case."""
        marks = 0
        while self.lower(marks) == "#":
            marks += 1  # a Markdown heading's marks: its number follows them
        if i != marks:
            return False
        t, j = self.t[i], i + 1
        if not _SECTION_NUMBER.fullmatch(t.text):
            listed = self.lower(j) in {".", ")"} and self.attached(j)
            # A heading numbers its section without a stop ("## 4 Waiting list by region").
            if not (_LIST_NUMBER.fullmatch(t.text) and (listed or marks or self._is_heading())):
                return False
            j += listed
        nxt = self.tok(j)
        return (
            nxt is not None
            and not nxt.attached
            and nxt.kind == "word"
            and nxt.text[0].isupper()
            and nxt.lower not in _UNIT_WORDS
        )

    def _is_heading(self) -> bool:
        """A short line without a full stop: a heading, whose marks the sentence splitter left out."""
        return self.n <= _HEADING_MAX_TOKENS and self.t[-1].text not in _SENTENCE_ENDS

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

    def _year(self, i: int, year: int) -> RawFigure | None:
        j = i + 1
        nxt = self.tok(j)
        if nxt and nxt.attached and nxt.lower == "s":
            return RawFigure(i, j + 1, "year", year, iso=str(year))  # "1990s"
        if (
            nxt and nxt.attached and nxt.text in {"/", "-", "–"}
            and self.tok(j + 1) and self.t[j + 1].kind == "num" and self.t[j + 1].attached
            and len(self.t[j + 1].text) in (2, 4)
        ):  # fmt: skip
            return RawFigure(i, j + 2, "year", year, iso=str(year))  # "2023/24", "2023-24"
        if self._has_unit_after(j):
            return None
        q = self._qualifier_before(i)
        if q and self.is_word(j) and self.lower(j) not in STOP:
            return None  # "around 2000 people"
        return RawFigure(i, j, "year", year, iso=str(year))

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
            low in SPACED_SCALES or low in CURRENCY_WORDS or low in {"percent", "per", "times"}
            or low in DURATION_UNITS or _singular(low) in DURATION_UNITS or low in MEASURE_UNITS
            or (t.attached and low in SCALES)
        )  # fmt: skip

    # -- dates -----------------------------------------------------------------------------------

    def _month_at(self, i: int, allow_abbreviation: bool) -> int | None:
        t = self.tok(i)
        if t is None or t.kind != "word" or not t.text[0].isupper():
            return None
        if t.lower in MONTHS:
            return MONTHS[t.lower]
        if allow_abbreviation and t.lower in MONTH_ABBREVIATIONS:
            return MONTH_ABBREVIATIONS[t.lower]
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
        if self.attached(j) and self.lower(j) in ORDINAL_SUFFIXES:
            j += 1
        return int(t.text), j

    def _day_date(self, i: int) -> RawFigure | None:
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
        j = j + 1 if self.lower(j) == "." and self.attached(j) and self.t[j - 1].lower in MONTH_ABBREVIATIONS else j
        year = self._year_at(j)
        if year:
            return RawFigure(i, j + 1, "date", year, iso=f"{year:04d}-{month:02d}-{d:02d}")
        return RawFigure(i, j, "date", month, iso=f"--{month:02d}-{d:02d}")

    def _numeric_date(self, i: int) -> RawFigure | None:
        """ "2023-12-05" (ISO) and "05/12/2023" (day first, as in British usage)."""
        if i < 0 or i + 5 > self.n:
            return None
        a, s1, b, s2, c = self.t[i : i + 5]
        if not (s1.attached and b.attached and s2.attached and c.attached):
            return None
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
        return RawFigure(i, i + 5, "date", y, iso=f"{y:04d}-{m:02d}-{d:02d}")

    def _month_date(self, i: int) -> RawFigure | None:
        """ "April 2024", "December 5, 2023", "December 5" and a month alone ("the year to December")."""
        month = self._month_at(i, allow_abbreviation=True)
        if month is None:
            return None
        j = i + 1
        abbreviated = self.t[i].lower in MONTH_ABBREVIATIONS
        if abbreviated and self.lower(j) == "." and self.attached(j):
            j += 1
        day = self._day_at(j)
        if day:
            d, k = day
            k2 = k + 1 if self.lower(k) == "," else k
            year = self._year_at(k2)
            if year:
                return RawFigure(i, k2 + 1, "date", year, iso=f"{year:04d}-{month:02d}-{d:02d}")
            if self._year_at(j) is None:
                return RawFigure(i, k, "date", month, iso=f"--{month:02d}-{d:02d}")
        year = self._year_at(j)
        if year:
            return RawFigure(i, j + 1, "date", year, iso=f"{year:04d}-{month:02d}")
        if abbreviated:
            return None  # "Mar", "Jun" alone are names as often as months
        if self.t[i].lower in {"may", "march"}:
            prev = self.lower(i - 1)
            if prev not in MONTH_CONTEXT or (self.is_word(i + 1) and self.t[i + 1].text[0].isupper()):
                return None
        return RawFigure(i, i + 1, "date", month, iso=f"--{month:02d}")

    # -- numbers in words, fractions, multiples ----------------------------------------------

    def _words(self, i: int) -> RawFigure | None:
        low = self.t[i].lower
        if low in {"twice", "thrice"}:
            raw = RawFigure(i, i + 1, "multiple", 2 if low == "twice" else 3)
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
        if low in ONES or low in TENS or low == "dozen":
            return self._number_words(i, i0=i)
        return None

    def _article_fraction(self, i: int) -> RawFigure | None:
        """ "a third", "one quarter", "a half": a fraction unless an ordinal ("a third country")."""
        j = i + 1
        if self.hyphen_word(j):
            j += 1  # "one-third"
        elif not self.is_word(j) or self.t[j].attached:
            return None
        denom = SINGULAR_DENOMS.get(self.lower(j))
        if denom is None:
            return None
        after = self.tok(j + 1)
        verb_after = after is not None and (after.lower in VERBS or after.lower.endswith("ed"))
        if after is not None and after.kind == "word" and after.lower not in FRACTION_FOLLOWERS and not verb_after:
            return None  # "a third term"; but "a third agreed" is a fraction
        if after is not None and after.kind == "num":
            return None  # "a third 2-0 win"
        return RawFigure(i, j + 1, "fraction", 1 / denom)

    def _half(self, i: int) -> RawFigure | None:
        prev = self.tok(i - 1)
        if prev and (prev.lower in {"first", "second", "latter", "former", "other", "back", "top", "bottom"}
                     or (prev.lower in HYPHENS and prev.attached)):  # fmt: skip
            return None  # "the second half", "one-and-a-half" handled elsewhere
        if self.hyphen_word(i + 1):
            unit = DURATION_UNITS.get(self.lower(i + 2))
            if unit:
                return RawFigure(i, i + 3, "duration", 0.5 * unit[1], unit=unit[0])  # "half-hour"
            return None  # "half-term", "half-price"
        if self.lower(i + 1) in {"a", "an"}:
            nxt = self.lower(i + 2)
            if nxt in WORD_SCALES or nxt == "dozen":
                scale = 12 if nxt == "dozen" else WORD_SCALES[nxt]
                return self._finish(i, i + 3, 0.5 * scale, digits=False)  # "half a million"
            if nxt in DURATION_UNITS:
                unit_name, factor = DURATION_UNITS[nxt]
                return RawFigure(i, i + 3, "duration", 0.5 * factor, unit=unit_name)  # "half an hour"
        return RawFigure(i, i + 1, "fraction", 0.5)

    def _number_words(self, i: int, i0: int) -> RawFigure | None:
        """ "three", "twenty-five", "three hundred", "two million", "a dozen", "two-thirds"."""
        total, current, j, seen = 0.0, 0.0, i, 0
        while j < self.n and seen < 12:
            low = self.t[j].lower
            if low in ONES:
                current += ONES[low]
            elif low in TENS:
                current += TENS[low]
            elif low == "dozen":
                current = max(current, 1) * 12
            elif low == "hundred":
                current = max(current, 1) * 100
            elif low in WORD_SCALES:
                total += max(current, 1) * WORD_SCALES[low]
                current = 0
            else:
                break
            seen += 1
            j += 1
            if self.hyphen_word(j) and (self.lower(j + 1) in ONES or self.lower(j + 1) in TENS):
                j += 1  # "twenty-five"
            elif (
                self.lower(j) == "and"
                and self.lower(j - 1) in WORD_SCALES
                and (self.lower(j + 1) in ONES or self.lower(j + 1) in TENS)
            ):
                j += 1  # "one hundred and fifty"
        if j == i:
            return None
        value = total + current
        first = self.t[i].lower
        # "two-thirds", "three quarters"
        k = j + 1 if self.hyphen_word(j) else j
        if self.lower(k) in PLURAL_DENOMS and (k == j or self.attached(k)):
            return RawFigure(i0, k + 1, "fraction", value / PLURAL_DENOMS[self.lower(k)])
        if first == "one" and j == i + 1:
            return self._finish(i0, j, value, digits=False, needs_unit=True)
        if first == "zero" and j == i + 1:
            return None  # "net zero", "zero tolerance"
        return self._finish(i0, j, value, digits=False)

    # -- what follows a number -------------------------------------------------------------------

    def _finish(self, i0: int, j: int, value: float, digits: bool, needs_unit: bool = False) -> RawFigure | None:
        if self.lower(j) == "and" and self.lower(j + 1) == "a" and self.lower(j + 2) == "half":
            value, j = value + 0.5, j + 3  # "two and a half"
        scale = 1.0
        if digits:
            unscaled = value
            value, j = self._scale(value, j)
            scale = value / unscaled if unscaled else 1.0
        elif self.lower(j - 1) in WORD_SCALES and self.lower(j - 1) != "hundred":
            scale = WORD_SCALES[self.lower(j - 1)]
        raw = self._finish_kind(i0, j, value, digits, needs_unit)
        if raw is not None and raw.kind in {"count", "money", "rate"}:
            raw.scale = scale
        return raw

    def _finish_kind(self, i0: int, j: int, value: float, digits: bool, needs_unit: bool) -> RawFigure | None:
        t = self.tok(j)
        if t is None:
            return None if needs_unit else RawFigure(i0, j, "count", value)
        low = t.lower
        if digits and t.attached and low in {"p", "c"} and j == i0 + 1:
            raw = RawFigure(i0, j + 1, "money", value / 100, unit="GBP" if low == "p" else "USD")
            self._attach_per(raw)
            return raw
        for kind_check in (self._money_after, self._percent_after, self._duration_after,
                           self._multiple_after, self._fraction_after, self._measure_after):  # fmt: skip
            found = kind_check(i0, j, value)
            if found:
                if found.kind in {"money", "percent", "count"} or (found.kind == "multiple" and not found.per):
                    self._attach_per(found)
                return found
        if self.hyphen_word(j) and self.lower(j + 1) not in ONES and self.lower(j + 1) not in TENS:
            if needs_unit:
                return None
            return RawFigure(i0, j + 2, "count", value)  # "five-point plan", "two-bedroom"
        if needs_unit:
            return None
        raw = RawFigure(i0, j, "count", value)
        self._attach_per(raw)
        return raw

    def _money_after(self, i0: int, j: int, value: float) -> RawFigure | None:
        low = self.lower(j)
        if low in CURRENCY_WORDS:
            return RawFigure(i0, j + 1, "money", value, unit=CURRENCY_WORDS[low])
        if low in PENCE_WORDS and not (low == "cent" and self.lower(j - 1) == "per"):
            return RawFigure(i0, j + 1, "money", value / 100, unit=PENCE_WORDS[low])
        t = self.tok(j)
        if t and t.text in CURRENCY_CODES:
            return RawFigure(i0, j + 1, "money", value, unit=CURRENCY_CODES[t.text])
        return None

    def _percent_after(self, i0: int, j: int, value: float) -> RawFigure | None:
        t = self.tok(j)
        if t is None:
            return None
        if t.text == "%":
            return RawFigure(i0, j + 1, "percent", value)
        if t.lower == "per" and self.lower(j + 1) == "cent":
            return RawFigure(i0, j + 2, "percent", value)
        if t.lower == "percent" or (t.lower == "pc" and t.attached):
            return RawFigure(i0, j + 1, "percent", value)
        if t.lower == "percentage" and self.lower(j + 1) in {"point", "points"}:
            return RawFigure(i0, j + 2, "percent", value, unit="percentage point")
        return None

    def _duration_after(self, i0: int, j: int, value: float) -> RawFigure | None:
        k = j + 1 if self.hyphen_word(j) else j
        t = self.tok(k)
        if t is None or t.kind != "word":
            return None
        unit = DURATION_UNITS.get(t.lower) or DURATION_UNITS.get(_singular(t.lower))
        if unit is None:
            return None
        end = k + 1
        if k > j and self.hyphen_word(end) and self.lower(end + 1) in {"old", "olds"}:
            end += 2  # "five-year-old", "21-year-olds"
        raw = RawFigure(i0, end, "duration", value * unit[1], unit=unit[0])
        self._smaller_unit(raw)
        per = self._per_phrase(raw.i1)
        if per:
            raw.per, raw.i1 = per
        return raw

    def _smaller_unit(self, raw: RawFigure) -> None:
        """ "8 minutes 14 seconds", "2 years and 6 months": the second number in a smaller unit belongs to
        the first, so the figure is one duration in the larger unit."""
        j = raw.i1 + (self.lower(raw.i1) == "and")
        t, u = self.tok(j), self.tok(j + 1)
        if t is None or u is None or t.kind != "num" or u.kind != "word":
            return
        unit = DURATION_UNITS.get(u.lower) or DURATION_UNITS.get(_singular(u.lower))
        per = DURATION_SUBUNITS.get((raw.unit or "", unit[0])) if unit else None
        value = _parse_digits(t.text)
        if unit is None or per is None or value is None or value * unit[1] >= per:
            return
        raw.value += value * unit[1] / per
        raw.i1 = j + 2

    def _clock_duration(self, i: int) -> RawFigure | None:
        """A time written with colons that can only be a duration: "2:06:31" (hours, minutes, seconds) or
        minutes and seconds, "47:05", when the minutes are past a clock's 23 or the time follows a word
        that measures it ("a mean of 8:14", "reached within 14:37"). "At 10:30" stays a time of day."""
        parts = [self.t[i]]
        k = i + 1
        while len(parts) < 3 and self.lower(k) == ":" and self.attached(k) and self.attached(k + 1):
            nxt = self.tok(k + 1)
            if nxt is None or nxt.kind != "num" or len(nxt.text) != 2 or not nxt.text.isdigit():
                return None
            parts.append(nxt)
            k += 2
        if len(parts) < 2 or not parts[0].text.isdigit() or any(int(p.text) >= 60 for p in parts[1:]):
            return None
        if self.lower(k) in {"am", "pm", "a.m", "p.m"} or (self.lower(k) == ":" and self.attached(k)):
            return None
        numbers = [int(p.text) for p in parts]
        if len(numbers) == 3:
            return RawFigure(i, k, "duration", numbers[0] + numbers[1] / 60 + numbers[2] / 3600, unit="hour")
        if numbers[0] < 24 and self.lower(i - 1) not in CLOCK_DURATION_CUES:
            return None
        return RawFigure(i, k, "duration", numbers[0] + numbers[1] / 60, unit="minute")

    def _multiple_after(self, i0: int, j: int, value: float) -> RawFigure | None:
        if self.lower(j) == "times":
            return RawFigure(i0, j + 1, "multiple", value)
        if self.hyphen_word(j) and self.lower(j + 1) == "fold":
            return RawFigure(i0, j + 2, "multiple", value)
        return None

    def _fraction_after(self, i0: int, j: int, value: float) -> RawFigure | None:
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
        elif t.lower in ONES or t.lower in TENS or t.lower == "hundred":
            denom = float(ONES.get(t.lower) or TENS.get(t.lower) or 100)
        else:
            return None
        if denom <= value or self._has_unit_after(k + 1):
            return None
        return RawFigure(i0, k + 1, "fraction", value / denom)

    def _measure_after(self, i0: int, j: int, value: float) -> RawFigure | None:
        t = self.tok(j)
        if t and t.kind == "word" and t.lower in MEASURE_UNITS:
            return RawFigure(i0, j + 1, "count", value, unit=MEASURE_UNITS[t.lower])
        return None

    # -- rates: "a year", "per journey", "each week", "annually" ------------------------------

    def _per_phrase(self, j: int) -> tuple[str, int] | None:
        parts: list[str] = []
        while len(parts) < 3:
            low = self.lower(j)
            nxt = self.tok(j + 1)
            if low in PERIOD_ADVERBS:
                parts.append(PERIOD_ADVERBS[low])
                j += 1
            elif low == "per" and nxt and nxt.kind == "word" and nxt.lower not in STOP and nxt.lower != "cent":
                words = [PERIODS.get(nxt.lower, nxt.lower)]
                j += 2
                nxt2 = self.tok(j)
                if nxt2 and nxt2.kind == "word" and nxt2.lower in {"hour", "hours"} and len(words) == 1:
                    words.append(nxt2.lower)  # "per megawatt hour"
                    j += 1
                parts.append(" ".join(words))
            elif (
                low in {"a", "an", "each", "every"} and nxt and nxt.kind == "word" and nxt.lower in PERIODS
                and self.lower(j + 2) not in _RELATIVE_TIME  # "3.2% a year earlier" was a year ago, not a rate
            ):  # fmt: skip
                parts.append(PERIODS[nxt.lower])
                j += 2
            elif self._hyphenated_per(j):
                parts.append(PERIODS[self.lower(j + 3)])  # "£1,000-a-year"
                j += 4
            else:
                break
        return (" per ".join(parts), j) if parts else None

    def _hyphenated_per(self, j: int) -> bool:
        return (
            self.hyphen_word(j)
            and self.lower(j + 1) in {"a", "an", "per"}
            and self.hyphen_word(j + 2)
            and self.lower(j + 3) in PERIODS
        )

    def _attach_per(self, raw: RawFigure) -> None:
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
            if (low in STOP and not (low == "of" and (words > 0 or of_first))) or low in VERBS:
                break
            k += 1
            words += 1
            if low not in STOP and self.lower(k) in {"a", "an", "per", "each", "every"} | set(PERIOD_ADVERBS):
                per = self._per_phrase(k)
                if per and per[0] in PERIODS.values():
                    return per[0], per[1], (j, k)
        return None


# ----------------------------------------------------------------------------- post-processing


def _qualifier_at(toks: list[Tok], i0: int) -> tuple[str, int] | None:
    """The qualifier ending just before token i0, normalised, and where it starts."""
    for size in range(QUALIFIER_MAX_WORDS, 0, -1):
        start = i0 - size
        if start < 0:
            continue
        words = tuple(t.lower for t in toks[start:i0])
        if not all(t.kind == "word" for t in toks[start:i0]):
            continue
        if words in QUALIFIERS:
            return QUALIFIERS[words], start
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
    if low in HYPHENS and nxt in {"plus", "odd"}:
        return "more than" if nxt == "plus" else "about"
    return None


def _set_qualifiers(toks: list[Tok], raws: list[RawFigure]) -> None:
    for raw in raws:
        raw.q0 = raw.i0
        if raw.kind in {"year", "date"}:
            continue
        q = _qualifier_at(toks, raw.i0)
        if q and raw.kind == "duration":
            words = tuple(t.lower for t in toks[q[1] : raw.i0])
            if words in DURATION_NON_QUALIFIERS:
                q = None
        if q:
            raw.qualifier, raw.q0 = q
        else:
            raw.qualifier = _post_qualifier(toks, raw.i1)


def _inherit_ranges(toks: list[Tok], raws: list[RawFigure]) -> None:
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


def _share_rates(toks: list[Tok], raws: list[RawFigure]) -> None:
    """ "2,700 kWh of electricity and 11,500 kWh of gas a year": both are rates."""
    for a, b in pairwise(raws):
        gap = {t.lower for t in toks[a.i1 : b.q0]}
        if (
            a.kind == "count" and a.unit and b.kind == "rate" and b.unit == f"{a.unit} per {b.per}"
            and "and" in gap and b.q0 - a.i1 <= 5
        ):  # fmt: skip
            a.kind, a.per, a.unit = "rate", b.per, b.unit


def _bare_value(toks: list[Tok], raw: RawFigure) -> float:
    for t in toks[raw.i0 : raw.i1]:
        if t.kind == "num":
            return _parse_digits(t.text) or 1.0
        if t.lower in ONES or t.lower in TENS:
            return float(ONES.get(t.lower) or TENS.get(t.lower) or 1)
    return raw.value


def scan_figures(toks: list[Tok]) -> list[RawFigure]:
    """Every figure of a tokenized sentence, in order, with its value, unit and qualifier (no role or label yet)."""
    raws = _Scanner(toks).scan()
    _set_qualifiers(toks, raws)
    _inherit_ranges(toks, raws)
    _share_rates(toks, raws)
    return raws
