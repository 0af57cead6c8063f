"""Comparing two numbers: the verdict on a claimed value against a documented one, at the precision both are
written to. Pure arithmetic: what the numbers measure is decided elsewhere (``claims.check``)."""

from __future__ import annotations

import math
import re
from typing import Literal

from bot.engine.figures.lexicon import DURATION_SUBUNITS, DURATION_UNITS
from bot.engine.figures.parse import Figure

Verdict = Literal["match", "near", "differs", "not_found"]

# Relative differences: within 1% (and equal at the precision both are written to) is the same figure
# written differently ("29,000" / "29,090", "£38.7k" / "£38,700"); within 10% is close (a rounded or
# earlier estimate); beyond that the numbers differ.
MATCH_TOLERANCE = 0.01
NEAR_TOLERANCE = 0.10

# Qualifiers that say a value is rounded ("about £90"), not bounded ("up to £50,270", "more than £38,000").
ROUNDING_QUALIFIERS = frozenset({"about", "around", "almost"})

_NUMERAL = re.compile(r"\d[\d,]*(?:\.(\d+))?")
_CLOCK = re.compile(r"\d+((?::\d\d)+)")


def precision(figure: Figure) -> float | None:
    """The step a figure is written to: 100 for "169,500", £100m for "£2.4bn", 0.1 for "9.1%";
    None when it is written in words ("a million")."""
    if figure.kind == "duration" and (step := _duration_step(figure)):
        return step
    found = _NUMERAL.search(figure.text)
    if found is None:
        return None
    digits = found.group(0).replace(",", "")
    written = float(digits)
    if written == 0:
        return None
    scale = figure.value / written  # "bn", "k", pence...: what one written unit is worth
    if found.group(1):
        return abs(scale) * 10.0 ** -len(found.group(1))
    whole = digits.split(".")[0]
    return abs(scale) * 10.0 ** (len(whole) - len(whole.rstrip("0")))


def _duration_step(figure: Figure) -> float | None:
    """A duration written in two units is exact to its smaller one: "47:05" and "8 minutes 14 seconds" to the
    second, "2 years 6 months" to the month (in the figure's own, larger unit)."""
    clock = _CLOCK.search(figure.text)
    if clock:
        return 60.0 ** -clock.group(1).count(":")
    last = figure.text.split()[-1].lower() if len(_NUMERAL.findall(figure.text)) > 1 else ""
    unit = DURATION_UNITS.get(last) or DURATION_UNITS.get(last.removesuffix("s"))
    per = DURATION_SUBUNITS.get((figure.unit or "", unit[0])) if unit else None
    return 1 / per if per else None


def _rounded(value: float, step: float) -> int:
    return math.floor(value / step + 0.5)


def verdict_for(claimed: float, documented: float, step: float | None = None) -> Verdict:
    """Compare two values; ``step`` is the coarser precision they are written to, if known: "169,500"
    and "169,050" are within 1% but not the same number written two ways."""
    scale = max(abs(claimed), abs(documented)) or 1.0
    difference = abs(claimed - documented) / scale
    if difference <= MATCH_TOLERANCE and (step is None or _rounded(claimed, step) == _rounded(documented, step)):
        return "match"
    if difference <= NEAR_TOLERANCE:
        return "near"
    return "differs"


def compare_values(claimed: Figure, documented: Figure) -> Verdict:
    """The verdict at the precision the two are written to: the coarser one when either says it is rounded
    ("about £90 a year" matches £90.44), the finer one otherwise ("frozen at £50,000" is not
    £50,270: a round number written as the value is a claim of that value, not a rounding of another)."""
    steps = [s for s in (precision(claimed), precision(documented)) if s is not None]
    if not steps:
        return verdict_for(claimed.value, documented.value)
    approximate = bool({claimed.qualifier, documented.qualifier} & ROUNDING_QUALIFIERS)
    return verdict_for(claimed.value, documented.value, max(steps) if approximate else min(steps))
