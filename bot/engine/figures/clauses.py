"""A figure's own clause in its sentence, and which way a change in it moves its measure.

One sentence often states several figures of one topic: "net migration hit 745,000 - the bar on care
workers is expected to cut it by 100,000". What a figure measures, and whether it raises or lowers it,
is said by the words of its own clause ("cut ... by 100,000"), not by the rest of the sentence.
``figure_answers`` weighs the question's words in the figure's clause, and a change's direction
("how many fewer", "revised up by") against the direction its clause gives.
"""

from __future__ import annotations

import re
from typing import Literal, TypeVar

Direction = Literal["up", "down"]
_Cue = TypeVar("_Cue", bound=str)

# Where a figure's clause ends: strong punctuation, a dash, a comma (not one inside "745,000") or a
# conjunction starting a new clause. "net migration hit 745,000 - the bar is expected to cut it by
# 100,000": the forecast is 100,000's, not 745,000's.
_CLAUSE_BREAK = re.compile(r"[;:()\u2013\u2014]|,(?!\d)| - |\b(?:but|while|whereas|although)\b")
# Punctuation alone, every comma included: for text between two places of one sentence (a figure and a
# year, a claim's subject and its figure), where any break means they are not said together.
PUNCTUATION_BREAK = re.compile(r"[,;:()\u2013\u2014]| - ")

# A cue after the figure is further from it than one before: "cut it by 100,000" says the verb first.
AFTER_PENALTY = 10
# A figure's clause of fewer words than this is an apposition ("an increase of 139,000").
APPOSITION_WORDS = 5
# The words of a change's direction, nearest to the figure in its clause first.
_DIRECTIONS: tuple[tuple[Direction, re.Pattern[str]], ...] = (
    ("up", re.compile(r"\b(?:up|rise[sn]?|rising|rose|increase[sd]?|increasing|grow(?:s|n|ing)?|grew|raise[sd]?"
                      r"|raising|higher|more|boost\w*|extra|additional)\b")),
    ("down", re.compile(r"\b(?:down|fall(?:s|en|ing)?|fell|cut(?:s|ting)?|slash\w*|reduc\w*|lower\w*|fewer|less"
                        r"|drop\w*|decreas\w*|decline\w*)\b")),
)  # fmt: skip


def clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The span of the clause of the figure at ``start:end`` in ``sentence``. A clause of a few words
    is an apposition and belongs to the clause before it: in "revised its figure up from 606,000 to
    745,000, an increase of 139,000", 139,000's clause is the revision."""
    breaks = [(0, 0), *((b.start(), b.end()) for b in _CLAUSE_BREAK.finditer(sentence, 0, start))]
    after = _CLAUSE_BREAK.search(sentence, end)
    right = after.start() if after else len(sentence)
    at = len(breaks) - 1
    while at > 0 and len(sentence[breaks[at][1] : right].split()) < APPOSITION_WORDS:
        at -= 1
        if sentence[breaks[at][1] : breaks[at + 1][0]].strip():
            break  # joined one clause with words of its own
    return breaks[at][1], right


def clause_of(sentence: str, start: int, end: int) -> str:
    """The clause of the figure at ``start:end`` in ``sentence``, the figure included."""
    left, right = clause_bounds(sentence, start, end)
    return sentence[left:right]


def direction_of(sentence: str, start: int, end: int) -> Direction | None:
    """Which way the figure at ``start:end`` in ``sentence`` moves its measure, if its clause says:
    "cut net migration by 100,000" down, "an increase of 139,000" up."""
    left, right = clause_bounds(sentence, start, end)
    return _nearest_cue(sentence.casefold(), start, end, left, right, _DIRECTIONS)


def asked_direction(question: str) -> Direction | None:
    """The direction a question's wording gives a change ("going up by", "how many fewer"); ``None``
    when it names none or both."""
    folded = question.casefold()
    named = {direction for direction, words in _DIRECTIONS if words.search(folded)}
    return named.pop() if len(named) == 1 else None


def _nearest_cue(
    folded: str, start: int, end: int, left: int, right: int, cues: tuple[tuple[_Cue, re.Pattern[str]], ...]
) -> _Cue | None:
    best: tuple[int, int, _Cue] | None = None
    for order, (name, cue) in enumerate(cues):
        for found in cue.finditer(folded, left, right):
            if found.end() <= start:
                distance = start - found.end()
            elif found.start() >= end:
                distance = found.start() - end + AFTER_PENALTY
            else:
                continue  # a cue inside the figure's own text ("by 2030" in a figure) says nothing
            if best is None or (distance, order) < best[:2]:
                best = (distance, order, name)
    return best[2] if best else None
