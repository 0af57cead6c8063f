"""Whether a corpus figure's number can be the claim's measure before any of its words are read: the same
family (money in one currency, counts, percentages, changes; as the claim's wording may widen it), the same
"per" unit and a size within a hundred times of the claim's value."""

from __future__ import annotations

import re

from bot.engine.claims.wording import raw_words
from bot.engine.figures.grouping import family
from bot.engine.figures.lexicon import CHANGE_WORDS, PERIODS
from bot.engine.figures.parse import Figure

# A bare number in a claim that speaks of money may be an amount ("the freeze costs 2.4 billion").
_MONEY_WORDS = re.compile(
    r"\b(cost|costs|costing|spent|spend|spending|budget|funding|funded|paid|pay|worth|price|revenue|receipts|bring in"
    r"|brings in|raise|raises|raised|duty|subsidy|grant|invest|invested|investment|fine|fined|levy)\b"
)


def families(claimed: Figure, claim: str) -> frozenset[str]:
    """The families of corpus figures that can measure what the claim's figure does."""
    wanted = {family(claimed)}
    if claimed.kind == "count" and claimed.unit is None and _MONEY_WORDS.search(claim.lower()):
        currency = ("money:GBP", "money:USD", "money:EUR")
        wanted |= {f"{c}:change" if claimed.role == "change" else c for c in currency}
    if claimed.role is None and any(w.lower() in CHANGE_WORDS for w in raw_words(claim)):
        # "rose 11.8%": the claim may state a change its wording did not mark as one.
        wanted |= {f"{f}:change" for f in wanted}
    beside = raw_words(claim[: claimed.start])[-1:] + raw_words(claim[claimed.end :])[:1]
    if claimed.role == "change" and any(w.lower() in _ADDITION_WORDS for w in beside):
        # "£220 million more", "an extra £15m": an addition, which documents state as a plain amount
        # ("an additional £220m").
        wanted |= {f.removesuffix(":change") for f in wanted}
    return frozenset(wanted)


_ADDITION_WORDS = frozenset({"more", "extra", "additional", "further", "another"})


# Units a rate is counted per, written two ways ("per MWh", "per megawatt hour").
_PER_SPELLINGS = {"megawatt hour": "mwh", "kilowatt hour": "kwh", "gigawatt hour": "gwh", "annum": "year", "l": "litre"}


# A documented value this many times larger or smaller than the claim's measures something else (a
# total against a monthly amount), not the claim's figure misstated (by a slip of a digit or a scale).
MAX_SIZE_RATIO = 100.0


def comparable_size(claimed: float, documented: float) -> bool:
    small, large = sorted((abs(claimed), abs(documented)))
    return small > 0 and large / small <= MAX_SIZE_RATIO


def same_per(claimed: str | None, documented: str | None) -> bool:
    """A rate per year is not a rate per mile; a figure with no "per" may be either."""
    if claimed is None or documented is None:
        return True

    def canonical(per: str) -> str:
        folded = " ".join(per.lower().split())
        return _PER_SPELLINGS.get(folded, PERIODS.get(folded, folded))

    return canonical(claimed) == canonical(documented)
