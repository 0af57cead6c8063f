"""The SciFact benchmark's reranking helpers (the data itself is not in the repository)."""

from collections import Counter

import numpy as np

from bench.scifact import coverages, ndcg_at_k


def test_coverage_is_the_share_of_the_query_idf_weight_a_document_holds() -> None:
    terms = [frozenset({"vitamin", "d", "bone"}), frozenset({"bone", "density"}), frozenset({"cell"})]
    df = Counter(t for doc in terms for t in doc)
    found = coverages(["vitamin", "bone"], [0, 1, 2], terms, df)
    assert found[0] == 1.0  # holds both words
    assert found[2] == 0.0
    # "vitamin" is rarer than "bone", so the document holding only "bone" holds less than half the weight
    assert 0.0 < found[1] < 0.5
    assert found.dtype == np.float32


def test_ndcg_is_one_for_the_ideal_order_and_less_when_the_relevant_document_drops() -> None:
    relevant = {"a": 1}
    assert ndcg_at_k(["a", "b", "c"], relevant) == 1.0
    assert 0.0 < ndcg_at_k(["b", "a", "c"], relevant) < 1.0
    assert ndcg_at_k(["b", "c"], relevant) == 0.0
