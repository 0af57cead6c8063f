"""A figure's stance: whether its clause states it as what is, or as what someone proposes, aims at or
forecasts; and which of those a question asks for.

"Unite is asking for a 9% pay rise" and "drivers were offered 4.5%" are both pay rises; only one answers
"what pay rise is Unite asking for?", and only the other is the pay rise. The wording around the figure
says which: a proposal ("calling for", "wants", a recommendation opening the sentence, one of the options
a consultation asks "whether"), a target ("a target of", "aims to"), a forecast ("expected to",
"projected"). Claims use ``proposed`` to keep proposals out of a measure's values; figure questions match
the stance asked with the figure's (``figure_answers``).
"""

from __future__ import annotations

import re
from typing import Literal

from bot.engine.figures.clauses import PUNCTUATION_BREAK, clause_bounds

Stance = Literal["proposal", "target", "forecast"]

# Wording that makes a figure what someone asks for, not what the measure is: "calling for a £15
# minimum wage", "advocated a £40,000 salary threshold".
PROPOSAL = re.compile(
    r"\b(call(s|ed|ing)? for|urg(e|es|ed|ing)|demand(s|ed|ing)?|propos(e|es|ed|ing|al|als)|push(es|ed|ing)? for|"
    r"advocat(e|es|ed|ing)|campaign(s|ed|ing)? for|(deal|agreement) to|lobb(y|ies|ied|ying) for|"
    r"want(s|ed)?|would like|argu(e|es|ed|ing) for|ask(s|ed|ing)? for|press(es|ed|ing)? for|recommend\w*)\b"
)

# "Demand" is also the quantity people use or need, and then proposes nothing: "demand for water peaked at
# 1,020 megalitres a day", "a demand of about 780 megalitres", "demand is rising". It is read so when "of", a
# verb of a measure, or "for" and a thing (not "for a", "for £2,000": "the union's demand for a 9% rise")
# follows; that wording is left out before the proposal words are looked for.
MEASURED_DEMAND = re.compile(
    r"\bdemand(?=\s+(?:of|for\s+(?!an?\b|the\b)[a-z]+|is|was|has|had|will|would|rose|fell|peaked|grew|stood|remain(?:s|ed)?"
    r"|ris(?:es|ing)|fall(?:s|ing)|grow(?:s|ing))\b)"
)

# A sentence that opens by telling someone to change a measure recommends it: a report's list of
# recommendations ("- Raise the Plan 5 repayment threshold to £28,000") states what it wants, not what is.
# The verb must take a determined object ("Raise the", "Cut all"): "Cut in fuel duty" opens with a noun.
RECOMMENDATION = re.compile(
    r"^\W*(?:raise|cut|increase|reduce|lower|introduce|scrap|abolish|extend|freeze|cap|restore|reverse|double"
    r"|halve|expand|ban|end)\s+(?:the|a|an|all|every|its|their)\b",
    re.IGNORECASE,
)


# A figure asked about as one of the options is not what was decided: "the consultation asked whether
# convergence should be set at £1 or £2 a week".
OPTION = re.compile(r"\bwhether\b")


def proposed(sentence: str, start: int) -> bool:
    """Whether the clause a figure stands in proposes, demands or offers it as an option, or its sentence
    recommends it."""
    before = sentence[:start]
    breaks = list(PUNCTUATION_BREAK.finditer(before))
    clause = MEASURED_DEMAND.sub("", before[breaks[-1].end() if breaks else 0 :].lower())
    return bool(PROPOSAL.search(clause) or OPTION.search(clause) or RECOMMENDATION.match(before))


# A figure aimed at or forecast, by the words of its own clause ("a 17% cut in leakage is the target",
# "is expected to reach 352"). ``claims.periods`` reads a later year's figure as a projection by the same
# forecast words.
TARGET = re.compile(r"\b(targets?|targeted|targeting|aims?|aimed|aiming|goals?|ambitions?|pledged?|pledges)\b")
FORECAST = re.compile(
    r"\b(forecast\w*|project(ed|ions?)|predict\w*|expect\w*|estimated to|likely to|set to|on (course|track))\b"
)


# A figure of those that met or missed a target counts them, not the target: "nine of the 16 companies
# missed their leakage targets".
MEASURED_AGAINST = re.compile(
    r"\b(miss(es|ed|ing)?|met|meets?|meeting|hit(s|ting)?|beat(s|ing)?|exceed(s|ed|ing)?|achiev(e|es|ed|ing))"
    r"\s+(?:[\w-]+\s+){0,3}targets?\b"
)


# A value someone must or wants to reach by a stated year is a target, whoever sets it: "companies must
# cut leakage by 17% by 2030", "we want 170 million journeys a year by 2030".
DEADLINE = re.compile(r"\bby (?:the (?:end|start) of |early |late |mid-)?(?:19|20)\d\d\b")
OBLIGED = re.compile(r"\b(must|want(s|ed)?|needs? to|ha(s|ve) to|plans? to|intends? to|committed to|will need)\b")


def stance_of(sentence: str, start: int, end: int) -> Stance | None:
    """The stance of the figure at ``start:end`` in ``sentence``: a target when its clause sets it to be
    reached by a year, else a proposal (see ``proposed``), else a target or a forecast when its clause
    says so, else None (what is)."""
    left, right = clause_bounds(sentence, start, end)
    clause = sentence[left:right].lower()
    if DEADLINE.search(clause) and OBLIGED.search(clause):
        return "target"
    if proposed(sentence, start):
        return "proposal"
    if TARGET.search(clause) and not MEASURED_AGAINST.search(clause):
        return "target"
    if FORECAST.search(clause):
        return "forecast"
    return None


# What a question asks for, in its own words: "what is unite asking for", "the leakage target", "the
# forecast for February". Checked in order: "what did they want the target to be" asks for a proposal.
_ASKED: tuple[tuple[Stance, re.Pattern[str]], ...] = (
    ("proposal", re.compile(
        r"\b(want(s|ed)?|ask(s|ed|ing)? for|call(s|ed|ing)? for|demand\w*|propos\w*|urg(e|es|ed|ing)|push\w* for"
        r"|argu\w* for|recommend\w*|lobb\w*|campaign\w* for|would like)\b")),
    ("target", re.compile(r"\b(targets?|aim(s|ed|ing)?|goals?|ambitions?|pledge[sd]?)\b")),
    ("forecast", re.compile(r"\b(forecasts?|forecasted|expect(s|ed)?|projected|projections?|predict(s|ed|ions?)?)\b")),
)  # fmt: skip


def asked_stance(question: str) -> Stance | None:
    """The stance a question asks for, or None when it asks for what is."""
    folded = question.casefold()
    return next((stance for stance, pattern in _ASKED if pattern.search(folded)), None)
