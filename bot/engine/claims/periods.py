"""The period a figure is stated for: a claim about one year is compared with its sentence's figure for that
year, a value superseded in its own sentence ("from £3,000 to £6,000") only with a claim about the past, and a
projection for a year after its document was written only with a claim about the future."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.engine.figure_answers import YEAR_REACH, asked_years, distance_to_year
from bot.engine.figures.index import IndexedFigure
from bot.engine.figures.stance import FORECAST


def _start_years(texts: Iterable[str]) -> set[str]:
    """The four-digit years named: "2024-25" names 2024."""
    return {year for text in texts for year in re.findall(r"\b(?:19|20)\d\d", text)}


def same_period(member: IndexedFigure, years: frozenset[str]) -> bool:
    """A claim about one year is not about a figure its sentence states for other years only."""
    claimed, stated = _start_years(years), _start_years([member.sentence])
    return not (claimed and stated and not claimed & stated)


def stated_for_year(member: IndexedFigure, years: frozenset[str]) -> bool:
    """Whether a figure is the one its sentence gives for the claim's year: no other year of the
    sentence stands nearer to it ("£2.8bn in 2024-25, up from £2.3bn in 2023-24"). A sentence naming
    no other year leaves the figure's period open."""
    if not years:
        return True
    claimed = _start_years(years)
    others = frozenset(y for y in asked_years(member.sentence) if not _start_years([y]) <= claimed)
    return not others or distance_to_year(member, years) <= distance_to_year(member, others)


def dated_by(member: IndexedFigure, years: frozenset[str]) -> bool:
    """Whether the claim names the year its sentence gives the figure for ("£2.3bn in 2023-24")."""
    named = _start_years(years) & _start_years([member.sentence])
    return bool(named) and stated_for_year(member, years)


# A claim about the past may name an earlier value; otherwise a value superseded in its own sentence
# ("doubled from £3,000 to £6,000") is not what the measure is now.
EARLIER = re.compile(
    r"\b(before|previous(ly)?|original(ly)?|earlier|used to|former(ly)?|initial(ly)?|at first|"
    r"first (estimated?|set|announced)|last year|until|had been|up from|down from)\b"
)


# "cut from £2,000 to £1,000 in April 2023 and then to £500 in April 2024": a new value followed, in its own
# sentence, by another one "then" is a step on the way, not where the measure stands.
THEN = re.compile(r"\b(then|later|since|subsequently)\b")


def then_changed(sentence: str, earlier_end: int, later_start: int) -> bool:
    """Whether the words between two values of one sentence say the later one came after ("… and then to")."""
    return bool(THEN.search(sentence[earlier_end:later_start].lower()))


def superseded_by(member: IndexedFigure, measure: Sequence[IndexedFigure]) -> IndexedFigure | None:
    """The newer value of the same sentence that an earlier value ("from") gave way to, or that a new value
    was "then" changed to, if any."""
    if member.figure.role not in {"from", "to"}:
        return None
    return next(
        (
            m
            for m in measure
            if m.sentence == member.sentence
            and m.citation.document == member.citation.document
            and m.figure.value != member.figure.value
            and (
                m.figure.role in {None, "to"}
                if member.figure.role == "from"
                else m.figure.start > member.figure.end
                and then_changed(member.sentence, member.figure.end, m.figure.start)
            )
        ),
        None,
    )


def current_for(member: IndexedFigure, measure: Sequence[IndexedFigure], years: frozenset[str]) -> bool:
    """Whether a value is what the documents give for the claim's year, or now: not one its sentence
    replaced with a newer value for the same period ("210,000 in 2026, revised down from 235,000"). A
    value of its own, earlier year stays current for that year ("£2.8bn in 2024-25, up from £2.3bn in
    2023-24")."""
    newer = superseded_by(member, measure)
    return newer is None or (dated_by(member, years) and not stated_for_year(newer, years))


# The forecast words of ``figures.stance`` make a figure for a later year a projection ("the OBR's forecast is
# for spending to rise to £35.8 billion in 2029-30"); they, a future tense, a plan or a date to come make a
# claim about the future ("is likely to fall", "will", "by 2030").
FUTURE = re.compile(
    FORECAST.pattern
    + r"|\b(will|would|shall|'ll|project(ion)?|going to|by (19|20)\d\d|plan(s|ned)?|target\w*|aim\w*"
    + r"|next year|future)\b"
)


def about_future(claim: str) -> bool:
    return bool(FUTURE.search(claim.lower()))


def projected(member: IndexedFigure) -> bool:
    """Whether a figure is a projection: its sentence forecasts it for a year after its document's date (the
    year nearest the figure in its sentence). A claim in the present ("spending is £35.8bn") is not borne
    out by it: the documents say what is expected then, not what is now. Undated documents project nothing."""
    written = (member.citation.date or "")[:4]
    if not written.isdigit() or not FORECAST.search(member.sentence.lower()):
        return False
    stated = asked_years(member.sentence)
    if not stated:
        return False
    nearest = min(stated, key=lambda year: distance_to_year(member, frozenset({year})))
    return distance_to_year(member, frozenset({nearest})) <= YEAR_REACH and int(nearest[:4]) > int(written)
