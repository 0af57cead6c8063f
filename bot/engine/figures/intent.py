"""What a figure question or topic asks for, read once for both rankings that use it.

A question says more than its topic: the kind of number it wants ("how much" money, "how many" a
count, "what share" a percentage, "how long", "when") and which value of a change ("before" the
previous value, "going up to" the new one, "by how much" the change itself). The figure index scores
a topic's words against its figures (``scoring.parse_topic``) and the figure answers re-rank the
index's groups (``figure_answers``); both read the wording here, so a question asks the same thing of
both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.engine.figures.parse import Role
from bot.engine.text.tokens import stem, tokenize

# Wording that asks for a kind of figure. Checked in order: the first that matches decides, so "how
# many pounds" asks for a count and "how many times" for a multiple.
_KIND_PATTERNS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    # "when" asks for a date when it opens the question: "what did it go up to when it was raised" does not.
    (re.compile(r"^\W*(and |so |but )?when\b|\b(what|which) (year|date)\b"), frozenset({"year", "date"})),
    (re.compile(r"\bhow long\b|\bduration\b|\bfor how many (days|weeks|months|years)\b"), frozenset({"duration"})),
    (re.compile(r"\bhow many times\b|\btimes (more|higher|bigger|as)\b"), frozenset({"multiple"})),
    (re.compile(r"\b(what|which) (share|proportion|percentage|per ?cent|fraction)\b|%|\bper ?cent|\bproportion\b"
                r"|\bshare of\b"), frozenset({"percent", "fraction"})),
    (re.compile(r"\bhow many\b|\bnumber of\b|\bhow (big|large)\b"), frozenset({"count", "rate"})),
    # Measures that are sums of money by their name ("the MoD budget", "tax receipts") ask for money too.
    (re.compile(r"\bhow much\b|\bcost|\bprice|\bworth\b|\bspen[dt]\b|\bspending\b|\bpaid\b|\bfund|\bsalary\b"
                r"|\bwages?\b|\bfees?\b|\bbudgets?\b|\breceipts\b|\brevenues?\b|\bdeficits?\b|\bgrants?\b"
                r"|[£$€]|\bpounds?\b|\bquid\b|\beuros?\b"), frozenset({"money"})),
)  # fmt: skip
# "by how much" asks for the size of a change, whatever the measure's kind: not for money; so does
# "how much" in a question asking for a change ("how much has the waiting list dropped by").
_BY_HOW_MUCH = re.compile(r"\bby how much\b")
_HOW_MUCH = re.compile(r"\b(by )?how much\b")

# Wording that asks for one value of a change, checked in order. The phrases of a change ("up by",
# "by how much", "fewer") come first: "how much did it go up by" asks for the change, not the new
# value. Single words of a change ("rise", "cut") come last: "what did the fee rise to" asks for the
# new value and "what was it before the cut" for the old one.
_ROLE_PATTERNS: tuple[tuple[re.Pattern[str], Role], ...] = (
    (re.compile(r"\bby how (much|many)\b|\b(up|down|rise|rising|rose|risen|fall|falling|fell|fallen|increased?|cut"
                r"|revised?|go|going|drop|dropped|grow|grew|grown|reduced|decreased|declined|climbed|jumped) by\b"
                r"|\bhow (much|many) (more|fewer|less)\b|\bfewer\b|\bdifference\b|\bincrease of\b"), "change"),
    (re.compile(r"\bbefore\b|\bb4\b|\bprevious(ly)?\b|\bused to\b|\boriginal(ly)?\b|\bold\b|\bformer\b"
                r"|\bearlier\b|\bwas it\b|\bfrom what\b|\bstarted at\b"), "from"),
    (re.compile(r"\b(up|down|rise|rising|rose|risen|fall|falling|fell|fallen|increased?|cut|revised?|go|going"
                r"|change[ds]?|changing|raised?|raising|lower(ed)?|reduced?|set|capped|lift(ed)?|hiked?|boost(ed)?"
                r"|slash(ed)?|drop(ped)?|grow|grew|grown|climbed|jumped)"
                r"(?: it| them)? to\b|\bnew\b|\bnow\b|\bafter\b|\bwill (it )?be\b"
                r"|\bfrom (next|april|september|january)\b|\blatest\b|\bcurrent\b|\brevised\b|\bupdated\b"), "to"),
)  # fmt: skip
# "before inflation", "after tax": what a value is counted with or without, not which value of a change.
_COUNTED_WITH = re.compile(
    r"\b(?:before|after|b4) (?:inflation|tax(?:es)?|vat|housing costs|deductions|discounts?|rebates?|benefits"
    r"|subsidy|subsidies|fees|interest)\b"
)
# Words of a change, matched as stems: checked after the phrases above ("rising", "cuts", "changed").
CHANGE_WORDS = frozenset("increase rise change fall drop cut reduction difference fewer".split())
# Words that only place a value in time ("the new fee", "the previous estimate"): never what a
# question is about.
ORDER_WORDS = frozenset("new latest current now previous previously old former earlier before b4".split())
# Words that say which value of a change is asked: not matched as topic words by the index. Words of a
# change ("rise", "cut") are kept: "fees rose" is a topic. "revised" is one in "the revised estimate",
# while "did the ONS revise it" names what was done, which the figure's own sentence may say too.
VALUE_WORDS = ORDER_WORDS | {"revised", "updated"}


@dataclass(frozen=True, slots=True)
class Asked:
    """What a question asks for: kinds of figure and which value of a change."""

    kinds: frozenset[str]
    role: Role | None
    # The role was read from a single word of a change ("teacher pay rise", "the fuel duty cut"): it
    # names the topic as much as the value asked, so only the index's topic scoring uses it.
    weak_role: bool = False


@lru_cache(maxsize=4096)
def read_question(question: str) -> Asked:
    """The kinds and role a question's wording asks for (each ``None``/empty when it names none)."""
    folded = " ".join(question.casefold().split())
    wording = _COUNTED_WITH.sub(" ", folded)
    role = next((r for pattern, r in _ROLE_PATTERNS if pattern.search(wording)), None)
    # "How much" asks for the size of a change, whatever the measure's kind: not for money.
    kind_text = (_HOW_MUCH if role == "change" else _BY_HOW_MUCH).sub(" ", folded)
    kinds = next((k for pattern, k in _KIND_PATTERNS if pattern.search(kind_text)), frozenset())
    weak = role is None and bool(change_stems() & set(tokenize(folded)))
    return Asked(kinds, "change" if weak else role, weak)


@lru_cache(maxsize=1)
def order_word_stems() -> frozenset[str]:
    """Stems of ``ORDER_WORDS``, as the shared tokenizer makes them."""
    return frozenset(stem(word) for word in ORDER_WORDS)


@lru_cache(maxsize=1)
def change_stems() -> frozenset[str]:
    """Stems of ``CHANGE_WORDS``, as the shared tokenizer makes them."""
    return frozenset(stem(word) for word in CHANGE_WORDS)


@lru_cache(maxsize=1)
def value_word_stems() -> frozenset[str]:
    """Stems of ``VALUE_WORDS``, as the shared tokenizer makes them."""
    return frozenset(stem(word) for word in VALUE_WORDS)
