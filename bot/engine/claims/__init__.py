"""Holding a claim up to the documents: the best-matching sentences, and its figures compared.

The claim is searched like a question (same sentences, same "not in the documents" rule). Each
figure the claim states (same extraction as ``/figures``; years and dates are context, not claims)
is compared only with corpus figures that can measure the same thing:

- the same family (money in one currency, counts with counts, percentages...; a bare number in a
  claim about money may be an amount), the same kind of value (a change with a change; "£220m more"
  is an addition, stated as a plain amount) and the same unit ("per MWh" is "per megawatt hour");
- a word of what the claim measures in the figure's label or its own words (not a neighbour's in a
  list); names (places, bodies) are context, which the figure's document must name (or abbreviate);
- what the claim measures named: by the figure's document, and by more than half in its paragraph
  (or its label is part of the claim's: "migrants" for "small boat migrants"), or at least in part
  when the value is the claim's;
- no other subject in the claim's slot ("probation officers" for "prison officers", "in England" for
  "in Wales"), no other period (2024-25 against the 2023-24 value), not what someone calls for
  ("calling for a £15 minimum wage"), and no value a hundred times off.

The verdict says no more than the text does: "matches" when the values agree at the precision both
are written to; "close" only when the documented sentence names what the claim measures; an earlier
value superseded in its own sentence ("doubled from £3,000 to £6,000") matches only a claim about the
past or its year. Anything else of the measure "differs", and every documented value is shown with its
role; a measure the documents lack is "not found", the nearest figures of other measures only related.

The modules: ``check`` (the claim searched, each figure compared, the verdict), ``measures`` (whether a
number can be the claim's measure: family, unit, size), ``wording`` (the claim's and a sentence's words),
``periods`` (the year a figure is stated for, a value superseded) and ``verdicts`` (two numbers compared).
"""

from bot.engine.claims.check import MAX_CLAIM_CHARS, ClaimCheck, FigureComparison, check_claim, documented_text
from bot.engine.claims.verdicts import compare_values, verdict_for

__all__ = [
    "MAX_CLAIM_CHARS",
    "ClaimCheck",
    "FigureComparison",
    "check_claim",
    "compare_values",
    "documented_text",
    "verdict_for",
]
