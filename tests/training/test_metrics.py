"""Calibration, the answer threshold and the ranking metrics of ``training.metrics``."""

import numpy as np

from training.metrics import Ranked, choose_threshold, fit_calibration, rank_metrics, top_probability


def _questions() -> list[Ranked]:
    rng = np.random.default_rng(3)
    out = []
    for i in range(200):
        answerable = i % 4 != 0
        margins = rng.normal(-2.0, 1.0, 10)
        labels = np.zeros(10, dtype=int)
        if answerable:
            labels[i % 10] = 1
            margins[i % 10] += 3.0 + rng.normal(0, 1.0)
        out.append(Ranked(answerable, margins, labels))
    return out


def test_calibration_orders_margins_and_fits_the_rate() -> None:
    questions = _questions()
    scale, bias = fit_calibration(questions)
    assert scale > 0
    # Mean predicted probability over all labelled candidates is close to the share of positives.
    x = np.concatenate([q.margins for q in questions])
    y = np.concatenate([q.labels if q.answerable else np.zeros_like(q.labels) for q in questions])
    predicted = 1 / (1 + np.exp(-(scale * x + bias)))
    assert abs(predicted.mean() - y.mean()) < 0.01


def test_threshold_declines_at_most_the_allowed_share_of_answerable_questions() -> None:
    questions = _questions()
    scale, bias = fit_calibration(questions)
    threshold = choose_threshold(questions, scale, bias, 0.04)
    metrics = rank_metrics(questions, scale, bias, threshold)
    assert metrics["false_abstention"] <= 0.04
    assert metrics["abstention"] > 0.5  # the unanswerable ones score lower: most are declined
    # A stricter bound never declines more answerable questions.
    stricter = rank_metrics(questions, scale, bias, choose_threshold(questions, scale, bias, 0.0))
    assert stricter["false_abstention"] == 0.0


def test_hits_count_only_answered_questions_with_a_positive_on_top() -> None:
    right = Ranked(True, np.array([0.1, 2.0, 0.3]), np.array([0, 1, 0]))
    third = Ranked(True, np.array([2.0, 1.0, 0.5]), np.array([0, 0, 1]))
    missing = Ranked(True, np.array([1.0]), np.array([0]))
    metrics = rank_metrics([right, third, missing], 1.0, 0.0, threshold=0.0)
    assert metrics["hit_at_1"] == 1 / 3
    assert metrics["hit_at_3"] == 2 / 3
    assert metrics["recall"] == 2 / 3
    declined = rank_metrics([right], 1.0, 0.0, threshold=top_probability(right, 1.0, 0.0) + 1e-6)
    assert declined["hit_at_1"] == 0 and declined["false_abstention"] == 1


def test_calibration_stays_sane_when_the_data_are_nearly_separable() -> None:
    # A full Newton step from the start overshoots here (the margins are large and well separated).
    rng = np.random.default_rng(5)
    questions = [
        Ranked(True, np.concatenate([[8.0 + rng.normal()], rng.normal(-8.0, 1.0, 9)]), np.array([1] + [0] * 9))
        for _ in range(100)
    ]
    scale, bias = fit_calibration(questions)
    assert 0 < scale < 100 and np.isfinite(bias)
    p = 1 / (1 + np.exp(-(scale * np.array([8.0, -8.0]) + bias)))
    assert p[0] > 0.9 and p[1] < 0.1
