"""Grouping figures: the indexed (near-linear) grouping makes exactly the groups of the plain scan.

``reference_cluster`` is the original quadratic algorithm, kept here as the specification: every figure
is compared with every group of its family, the best score wins, the earliest group on a tie.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Hashable, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.engine import Engine
from bot.engine.figures.grouping import _labels_match, _merge_by_value, _prefix_length, cluster, distinctive

# What grouping sees of each figure: its family, its label's terms, and its distinctive value's key
# ((document, family, value), or None when the value is not distinctive).
Keys = tuple[list[str], list[frozenset[str]], list[Hashable | None]]


def reference_cluster(
    families: Sequence[str], labels: Sequence[frozenset[str]], values: Sequence[Hashable | None]
) -> list[list[int]]:
    groups: list[list[int]] = []
    representative: list[frozenset[str]] = []
    by_family: dict[str, list[int]] = defaultdict(list)
    for i, (family, terms) in enumerate(zip(families, labels, strict=True)):
        best, best_score = -1, 0.0
        for gid in by_family[family]:
            score = _labels_match(representative[gid], terms)
            if score > best_score:
                best, best_score = gid, score
        if best < 0:
            best = len(groups)
            groups.append([])
            representative.append(terms)
            by_family[family].append(best)
        groups[best].append(i)
    return _merge_by_value(values, groups)


def test_same_groups_as_the_plain_scan_on_the_seed(seed_engine: Engine) -> None:
    keys = seed_engine.figures._grouping_input()
    assert cluster(*keys) == reference_cluster(*keys) == seed_engine.figures._group_lists()


def test_same_groups_as_the_plain_scan_on_corpus_b(corpus_b_engine: Engine) -> None:
    keys = corpus_b_engine.figures._grouping_input()
    assert cluster(*keys) == reference_cluster(*keys) == corpus_b_engine.figures._group_lists()


def _fake_keys(labels: Sequence[tuple[str, frozenset[str], float, str]]) -> Keys:
    """Counts (or percentages) with the given label terms, values and documents."""
    return (
        [family for family, _, _, _ in labels],
        [terms for _, terms, _, _ in labels],
        [(document, family, value) if distinctive("count", value) else None for family, _, value, document in labels],
    )


# Few words and families, so labels overlap in every way: subsets, supersets, Dice just above and below 0.6.
_LABELS = st.lists(
    st.tuples(
        st.sampled_from(["count", "percent"]),
        st.frozensets(st.sampled_from("abcdefghij"), max_size=8),
        st.sampled_from([1000.0, 2000.0, 5.0]),
        st.sampled_from(["d1", "d2"]),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(_LABELS)
def test_same_groups_as_the_plain_scan_on_random_labels(labels: list[tuple[str, frozenset[str], float, str]]) -> None:
    keys = _fake_keys(labels)
    assert cluster(*keys) == reference_cluster(*keys)


def test_prefix_lengths_keep_every_dice_match() -> None:
    """Prefix filtering's bound, checked exhaustively for label sizes up to 12: two labels whose Dice is
    above the threshold share at least |a| - prefix(|a|) + 1 tokens."""
    for a in range(1, 13):
        for b in range(1, 13):
            for shared in range(1, min(a, b)):  # not all of the smaller: that is containment, not Dice
                if _labels_match(frozenset(range(a)), frozenset(range(a - shared, a - shared + b))) > 0:
                    assert shared >= a - _prefix_length(a) + 1, (a, b, shared)


def test_grouping_is_near_linear() -> None:
    """Many figures whose labels share common words: the indexed grouping must not compare all pairs."""
    common = ["year", "new", "migrants", "cost"]
    keys = _fake_keys(
        [("count", frozenset({f"w{i}", f"v{i % 997}", common[i % 4]}), float(i), f"d{i % 50}") for i in range(20_000)]
    )
    started = time.perf_counter()
    groups = cluster(*keys)
    assert time.perf_counter() - started < 5  # the plain scan takes ~35 s here
    assert sum(len(g) for g in groups) == 20_000
