"""Unit tests of bot.engine.ranking.answer: scoring, the MiniLM tie-break, abstention and picking (no Discord)."""

from collections import Counter

import pytest

from bot.engine.ranking import answer as answering
from bot.engine.ranking.answer import ScoredSentence, SentenceRecord


def record(words: str, passage: int = 0, start: int = 0) -> SentenceRecord:
    tokens = words.split()
    return SentenceRecord(
        passage_index=passage, start=start, end=start + len(words), paragraph=1, tf=Counter(tokens), length=len(tokens)
    )


def scored(score: float, words: str = "", start: int = 0, coverage: float = 0.5, similarity: float | None = None):
    return ScoredSentence(record(words or f"w{start}", start=start), score, coverage, similarity)


# -- score_sentences --------------------------------------------------------------------------


def test_score_sentences_prefers_the_sentence_holding_the_rare_term() -> None:
    weights = {"rare": 3.0, "common": 1.0}
    sentences = [[record("common filler", start=0), record("rare filler", start=20), record("nothing here", start=40)]]
    result = answering.score_sentences(weights, [(0, 1.0)], sentences, [frozenset({"rare", "common"})], 2.0)
    assert [s.record.start for s in result] == [20, 0]  # the sentence matching nothing is not a candidate
    assert result[0].coverage == pytest.approx(0.75)
    assert result[1].coverage == pytest.approx(0.25)


def test_score_sentences_skips_sentences_matching_only_answer_types() -> None:
    weights = {"wage": 2.0, "_money": 1.0}
    sentences = [[record("_money _num", start=0), record("wage _money", start=10)]]
    result = answering.score_sentences(weights, [(0, 1.0)], sentences, [frozenset({"wage", "_money"})], 2.0)
    assert [s.record.start for s in result] == [10]


# -- with_similarities: MiniLM breaks near-ties only ------------------------------------------------


def test_similarity_reorders_candidates_within_the_margin() -> None:
    candidates = [scored(1.0, start=0), scored(0.9, start=1), scored(0.85, start=2)]
    result = answering.with_similarities(candidates, [0.3, 0.7, 0.5])
    assert [s.record.start for s in result] == [1, 2, 0]
    assert [s.similarity for s in result] == [0.7, 0.5, 0.3]
    assert [s.score for s in result] == [0.9, 0.85, 1.0]  # scores are not changed


def test_similarity_does_not_lift_a_candidate_outside_the_margin() -> None:
    cutoff = answering.RELATIVE_SCORE_FOR_EXTRA
    candidates = [scored(1.0, start=0), scored(cutoff - 0.01, start=1), scored(0.5, start=2)]
    result = answering.with_similarities(candidates, [0.1, 0.9, 0.95])
    assert [s.record.start for s in result] == [0, 1, 2]


def test_candidates_beyond_the_similarity_budget_keep_their_place_and_have_no_similarity() -> None:
    candidates = [scored(1.0, start=0), scored(0.95, start=1), scored(0.9, start=2)]
    result = answering.with_similarities(candidates, [0.2, 0.4])
    assert [s.record.start for s in result] == [1, 0, 2]
    assert result[2].similarity is None


def test_equal_similarities_keep_the_lexical_order() -> None:
    candidates = [scored(1.0, start=0), scored(0.95, start=1)]
    result = answering.with_similarities(candidates, [0.5, 0.5])
    assert [s.record.start for s in result] == [0, 1]


def test_with_similarities_of_nothing() -> None:
    assert answering.with_similarities([], []) == []


# -- answers: abstention ------------------------------------------------------------------------------


def test_no_candidates_do_not_answer() -> None:
    assert not answering.answers([])


def test_without_encoder_coverage_decides() -> None:
    assert answering.answers([scored(1.0, coverage=answering.ANSWER_COVERAGE)])
    assert not answering.answers([scored(1.0, coverage=answering.ANSWER_COVERAGE - 0.01)])


def test_semantic_evidence_needs_some_lexical_evidence() -> None:
    coverage = answering.SEMANTIC_MIN_COVERAGE
    similar = answering.SEMANTIC_MIN_SIMILARITY
    assert answering.answers([scored(1.0, coverage=coverage, similarity=similar)])
    assert not answering.answers([scored(1.0, coverage=coverage - 0.01, similarity=0.9)])
    assert not answering.answers([scored(1.0, coverage=coverage, similarity=similar - 0.01)])


def test_strong_coverage_answers_without_semantic_evidence() -> None:
    assert answering.answers([scored(1.0, coverage=answering.STRONG_COVERAGE, similarity=0.1)])


def test_abstention_does_not_depend_on_order() -> None:
    a = scored(1.0, start=0, coverage=0.1, similarity=0.9)
    b = scored(0.9, start=1, coverage=0.3, similarity=0.2)
    assert answering.answers([a, b]) == answering.answers([b, a])


# -- query_weights ------------------------------------------------------------------------------------


def test_query_weights_favour_rare_and_absent_terms() -> None:
    weights = answering.query_weights(["common", "rare", "absent"], {"common": 50, "rare": 2}, 100)
    assert weights["common"] < weights["rare"] < weights["absent"]


def test_answer_type_word_the_corpus_lacks_is_dropped_when_the_type_is_asked() -> None:
    weights = answering.query_weights(["cost", "scheme", "_money"], {"scheme": 3}, 100)
    assert "cost" not in weights
    assert set(weights) == {"scheme", "_money"}
    assert "cost" in answering.query_weights(["cost", "scheme"], {"scheme": 3}, 100)


# -- pick and duplicates ------------------------------------------------------------------------------


def test_near_duplicates_are_shown_once() -> None:
    assert answering.is_duplicate(Counter("a b c d e".split()), Counter("a b c d e photo".split()))
    assert not answering.is_duplicate(Counter("a b c".split()), Counter("d e f".split()))
    assert not answering.is_duplicate(Counter(["_num"]), Counter(["_num"]))
    # A one- or two-word sentence is not a repeat of every longer sentence using its words.
    assert not answering.is_duplicate(Counter({"polici": 500}), Counter("visibl polici text".split()))
    assert answering.is_duplicate(Counter({"polici": 500}), Counter({"polici": 1}))


def test_pick_shows_close_scores_and_keeps_the_rest_for_more() -> None:
    candidates = [
        scored(1.0, "a b c", start=0),
        scored(0.95, "a b c", start=1),  # duplicate of the first
        scored(0.9, "d e f", start=2),
        scored(0.5, "g h i", start=3),
    ]
    shown, more = answering.pick(candidates, limit=3, extra=5)
    assert [s.record.start for s in shown] == [0, 2]
    assert [s.record.start for s in more] == [3]


def test_pick_measures_closeness_against_the_best_score_not_the_first() -> None:
    # After the tie-break the first shown may score below the best; extras are judged against the best.
    candidates = [scored(0.85, "a b", start=0), scored(1.0, "c d", start=1), scored(0.82, "e f", start=2)]
    shown, more = answering.pick(candidates, limit=3, extra=5)
    assert [s.record.start for s in shown] == [0, 1, 2]
    candidates = [scored(0.85, "a b", start=0), scored(1.0, "c d", start=1), scored(0.7, "e f", start=2)]
    shown, more = answering.pick(candidates, limit=3, extra=5)
    assert [s.record.start for s in shown] == [0, 1]
    assert [s.record.start for s in more] == [2]


def test_pick_of_nothing() -> None:
    assert answering.pick([], 3, 5) == ([], [])
