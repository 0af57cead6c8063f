"""Gathering figures that measure the same thing into groups, once, when the index is built.

A reader sees a revision or a disagreement side by side (606,000 then 745,000; "more than £38,000",
£38,700, £40,000), each figure with its own sentence and citation. Two figures go together when they
are of the same family (money in one currency; counts and rates; percentages; ...) and their labels
share their words (one label's tokens contain the other's, or a Dice overlap above 0.6), or when the
same distinctive value recurs in one document (a document that says 745,000 twice means the same
745,000). Clustering is greedy against each group's first label, so one broad label cannot chain
unrelated groups together; inverted indexes over those labels keep it near-linear (``_Groups``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence

from bot.engine.figures.parse import Figure

# A count this large is unlikely to recur by chance within one document (money always is).
_DISTINCTIVE_COUNT = 1000


# ----------------------------------------------------------------------------------- families


def family(figure: Figure) -> str:
    """Figures comparable with each other: same currency, or counts with rates, and so on.

    A change ("rise by £12,500") is not comparable with a level ("£38,700"): it has its own family.
    """
    return family_of(figure.kind, figure.unit, figure.role)


def family_of(kind: str, unit: str | None, role: str | None) -> str:
    """``family`` from a figure's kind, unit and role (what the index keeps of it)."""
    if kind == "money":
        base = f"money:{unit}"
    elif kind in {"count", "rate"}:
        base = "count"
    elif kind in {"year", "date"}:
        return "time"
    else:
        base = kind
    return f"{base}:change" if role == "change" else base


def distinctive(kind: str, value: float) -> bool:
    """A value unlikely to recur by chance within one document."""
    if kind in {"year", "date", "duration"}:
        return False
    if kind == "money":
        return True
    return kind in {"count", "rate"} and value >= _DISTINCTIVE_COUNT


# ------------------------------------------------------------------------------------ grouping


def _labels_match(a: frozenset[str], b: frozenset[str]) -> float:
    """How well two labels name the same thing: 1 when one contains the other, else Dice."""
    if not a or not b:
        return 0.0
    if a <= b or b <= a:
        return 1.0
    dice = 2 * len(a & b) / (len(a) + len(b))
    return dice if dice > _DICE_THRESHOLD else 0.0


# Dice above this (or one label containing the other) makes two labels name the same thing.
_DICE_THRESHOLD = 0.6
# A Dice score above the threshold needs |a ∩ b| > t·|a| / (2 - t) shared tokens, whatever the size of b:
# |a ∩ b| <= |b| gives 2|a ∩ b| > t(|a| + |b|) >= t(|a| + |a ∩ b|).
_MIN_SHARED_SHARE = _DICE_THRESHOLD / (2 - _DICE_THRESHOLD)


def cluster(
    families: Sequence[str], labels: Sequence[frozenset[str]], values: Sequence[Hashable | None]
) -> list[list[int]]:
    """Greedy grouping of figures given, per figure, its family, its label's terms and its distinctive value key
    (None if not distinctive): each figure joins the same-family group whose first label matches its own best
    (the earliest such group on a tie), else starts a group; then groups sharing a value key are merged.
    See ``_Groups`` for how it stays near-linear."""
    grouper = _Groups(labels)
    for i, (family_, terms) in enumerate(zip(families, labels, strict=True)):
        grouper.add(i, family_, terms)
    return _merge_by_value(values, grouper.groups)


class _Groups:
    """The groups being built, with three inverted indexes over their representative labels.

    A figure only scores above zero against a representative that shares a label token with it, so
    comparing it with every group of its family (quadratic: millions of comparisons for a few thousand
    passages) is wasted work. Tokens are put in one global order, rarest first, and a representative
    ``a`` is found for a figure's label ``b`` by one of three exact filters:

    - ``a ⊆ b`` (score 1): ``a``'s rarest token is one of ``b``'s, so ``a`` is filed under its rarest token
      only and looked up with every token of ``b``;
    - ``b ⊆ a`` (score 1): ``a`` holds every token of ``b``: walk, in group order, the groups holding
      ``b``'s least-filed token; the first one holding all of ``b`` is the earliest;
    - Dice above the threshold (prefix filtering, as in set-similarity joins): they share at least
      ``k`` tokens, so their first shared token (in the global order) is among the first ``|a| - k + 1``
      tokens of ``a`` and the first ``|b| - k + 1`` of ``b``, with ``k`` bounded from each side alone.

    The candidates found are a superset of the groups scoring above zero, and the choice among them is
    the same as scanning every group: highest score, then lowest group number. So the groups are
    exactly those of the plain scan, and each comparison is with a handful of groups sharing a rare token.
    """

    def __init__(self, labels: Iterable[frozenset[str]]) -> None:
        frequency: Counter[str] = Counter(term for terms in labels for term in terms)
        self._rank = {term: n for n, term in enumerate(sorted(frequency, key=lambda t: (frequency[t], t)))}
        self.groups: list[list[int]] = []
        self._representative: list[frozenset[str]] = []
        self._by_rarest: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_prefix: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_term: dict[tuple[str, str], list[int]] = defaultdict(list)  # group numbers, ascending

    def add(self, i: int, family: str, terms: frozenset[str]) -> None:
        best = self._best(family, terms)
        if best < 0:
            best = self._new_group(family, terms)
        self.groups[best].append(i)

    def _ordered(self, terms: frozenset[str]) -> list[str]:
        return sorted(terms, key=self._rank.__getitem__)

    def _new_group(self, family: str, terms: frozenset[str]) -> int:
        gid = len(self.groups)
        self.groups.append([])
        self._representative.append(terms)
        ordered = self._ordered(terms)
        if ordered:
            self._by_rarest[(family, ordered[0])].append(gid)
        for term in ordered[: _prefix_length(len(ordered))]:
            self._by_prefix[(family, term)].append(gid)
        for term in ordered:
            self._by_term[(family, term)].append(gid)
        return gid

    def _best(self, family: str, terms: frozenset[str]) -> int:
        """The group a label joins (-1: none), as a scan of every group of the family would choose it."""
        if not terms:
            return -1
        ordered = self._ordered(terms)
        exact = [
            gid
            for term in ordered
            for gid in self._by_rarest.get((family, term), ())
            if self._representative[gid] <= terms
        ]
        superset = self._first_superset(family, terms, ordered)
        if superset >= 0:
            exact.append(superset)
        if exact:  # score 1 is the highest there is: the earliest such group wins
            return min(exact)
        best, best_score = -1, 0.0
        candidates: set[int] = set()
        for term in ordered[: _prefix_length(len(ordered))]:
            candidates.update(self._by_prefix.get((family, term), ()))
        for gid in sorted(candidates):
            score = _labels_match(self._representative[gid], terms)
            if score > best_score:
                best, best_score = gid, score
        return best

    def _first_superset(self, family: str, terms: frozenset[str], ordered: list[str]) -> int:
        lists = [self._by_term.get((family, term), []) for term in ordered]
        shortest = min(lists, key=len)
        return next((gid for gid in shortest if terms <= self._representative[gid]), -1)


def _prefix_length(size: int) -> int:
    """How many of a label's rarest tokens must include a token shared with any label it can match by Dice."""
    # The epsilon keeps float error on the safe side: a smaller bound only means a longer prefix.
    min_shared = math.floor(_MIN_SHARED_SHARE * size - 1e-9) + 1
    return max(1, size - min_shared + 1)


def _merge_by_value(values: Sequence[Hashable | None], groups: list[list[int]]) -> list[list[int]]:
    """Groups holding the same distinctive value in one document (the same key, not None) are one group."""
    parent = list(range(len(groups)))

    def find(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    owner: dict[Hashable, int] = {}
    for gid, members in enumerate(groups):
        for i in members:
            key = values[i]
            if key is None:
                continue
            if key in owner:
                a, b = find(owner[key]), find(gid)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = gid
    merged: dict[int, list[int]] = defaultdict(list)
    for gid, members in enumerate(groups):
        merged[find(gid)].extend(members)
    return [sorted(members) for _, members in sorted(merged.items())]
