"""Two numbers compared: the tolerances, and agreement at the precision both are written to."""

from __future__ import annotations

import pytest

from bot.engine.claims import compare_values, verdict_for
from bot.engine.figures.parse import extract_figures


def test_verdicts() -> None:
    assert verdict_for(29_000, 29_090) == "match"
    assert verdict_for(700_000, 745_000) == "near"
    assert verdict_for(1_000_000, 745_000) == "differs"


@pytest.mark.parametrize(
    ("claimed", "documented", "verdict"),
    [
        ("£38.7k", "£38,700", "match"),
        ("38,700 pounds", "£38,700", "match"),
        ("2.4 billion pounds", "£2.4bn", "match"),
        ("11.8 per cent", "11.8%", "match"),
        ("about 29,000", "29,090", "match"),  # a rounding agrees at the precision it is written to
        ("29,000", "29,090", "near"),  # a round number stated outright claims that number
        ("frozen at £50,000", "£50,270", "near"),
        ("£50,000", "up to £50,270", "near"),  # a bound is no rounding
        ("£90 a year", "about £90.44", "match"),  # the documents round: so may the claim
        ("169,500", "169,050", "near"),  # digits transposed: within 1%, but not the same number
        ("£83.40", "£79.40", "near"),
        ("£3,000", "£6,000", "differs"),
        ("8 mins 14 secs", "8 minutes 14 seconds", "match"),
        ("took 8:14", "8 minutes 14 seconds", "match"),
        ("47:32", "47:05", "near"),  # exact to the second: within 1%, but another time
    ],
)
def test_values_agree_at_the_precision_they_are_written_to(claimed: str, documented: str, verdict: str) -> None:
    (a,), (b,) = extract_figures(claimed), extract_figures(documented)
    assert compare_values(a, b) == verdict
