import pytest

from bot.engine.search.index import Bm25Index, EmptyCorpusError, idf


def test_empty_corpus_is_refused_clearly() -> None:
    with pytest.raises(EmptyCorpusError, match="the corpus is empty"):
        Bm25Index([])
    with pytest.raises(EmptyCorpusError):
        Bm25Index([[], []])


def test_search_ranks_and_breaks_ties_in_document_order() -> None:
    index = Bm25Index([["rwanda", "treati"], ["salari", "threshold"], ["salari", "threshold"], ["boat"]])
    result = index.search(["salari", "threshold"], k=3)
    assert result.ids[:2] == (1, 2)
    assert result.scores[0] == pytest.approx(result.scores[1])


def test_unknown_terms_return_nothing() -> None:
    index = Bm25Index([["a1"], ["b1"]])
    assert index.search(["zzz"], k=5).ids == ()
    assert index.document_frequency("a1") == 1 and index.document_frequency("zzz") == 0


def test_tiny_corpus_term_in_every_passage_still_ranks() -> None:
    # rank-bm25 floors negative IDFs: scores may be ~0, but the passage is still returned.
    index = Bm25Index([["visa"], ["visa", "fee"]])
    assert set(index.search(["visa"], k=2).ids) == {0, 1}


def test_idf_is_positive_and_largest_for_missing_terms() -> None:
    assert 0 < idf(10, 10) < idf(1, 10) < idf(0, 10)
