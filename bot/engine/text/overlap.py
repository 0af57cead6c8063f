"""When two sentences say the same thing: the share of their terms they must have in common.

An answer leaves out a sentence that repeats one already shown (``ranking.answer.is_duplicate``), and
a figure group leaves out a figure quoted again in (nearly) the same words, as a caption repeating the
text does (``figures.index``). Both call two sentences one statement from the same share of shared terms.
"""

from __future__ import annotations

from collections.abc import Hashable

# Sentences sharing this share of their terms say the same thing.
DUPLICATE_OVERLAP = 0.8


def jaccard(a: frozenset[Hashable], b: frozenset[Hashable]) -> float:
    """Shared terms over all terms of the two; two empty sets are the same."""
    return len(a & b) / len(a | b) if a or b else 1.0
