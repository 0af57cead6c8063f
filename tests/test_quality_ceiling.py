"""The upper bounds of bench.quality_ceiling, on made-up candidates whose answers are known."""

import numpy as np

from bench.quality_ceiling import FEATURES, Question, best_abstention, best_weighting, hits


def question(relevant_at: int, marker: int, size: int = 6, answerable: bool = True) -> Question:
    """Candidates whose lexical score falls with position; feature ``marker`` is high only for the
    relevant candidate, so no single order but that one finds it first."""
    rng = np.random.default_rng(relevant_at * 7 + size)
    features = rng.uniform(0.0, 0.5, size=(size, len(FEATURES)))
    features[:, FEATURES.index("lexical")] = np.linspace(1.0, 0.5, size)
    features[relevant_at, marker] = 1.0
    relevant = np.zeros(size, bool)
    relevant[relevant_at] = answerable
    tfs = [{f"w{i}a": 1, f"w{i}b": 1, f"w{i}c": 1} for i in range(size)]
    return Question(answerable, features, relevant, tfs, best_coverage=0.5, best_similarity=0.5)


def test_the_best_weighting_finds_the_feature_that_marks_the_answers() -> None:
    marker = FEATURES.index("similarity")
    questions = [question(relevant_at=i % 3 + 3, marker=marker) for i in range(12)]
    lexical = FEATURES.index("lexical")
    assert hits(questions, lambda q: np.argsort(-q.features[:, lexical], kind="stable")) == (0.0, 0.0)
    assert best_weighting(questions, samples=200) == (1.0, 1.0)


def test_the_best_abstention_separates_what_the_signals_separate() -> None:
    answerable = [question(1, 2) for _ in range(20)]
    unanswerable = [question(1, 2, answerable=False) for _ in range(10)]
    for q in unanswerable[:8]:
        q.best_similarity = 0.2  # the encoder sees no link
    declined, false, (_, similarity, _) = best_abstention(answerable + unanswerable)
    assert (declined, false) == (0.8, 0.0) and 0.2 < similarity <= 0.5


def test_the_best_abstention_allows_a_few_false_declines() -> None:
    questions = [question(1, 2) for _ in range(20)] + [question(1, 2, answerable=False)]
    questions[0].best_similarity = 0.1  # one answerable question looks like an unanswerable one (5%)
    questions[-1].best_similarity = 0.1
    declined, false, _ = best_abstention(questions)
    assert (declined, false) == (1.0, 0.05)
