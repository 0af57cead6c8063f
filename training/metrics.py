"""Scoring a reader on labelled candidates: ranking, calibration and the answer threshold (numpy only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Ranked:
    """One question: its candidates' margins (in the engine's order) and their labels (1 answers)."""

    answerable: bool
    margins: np.ndarray
    labels: np.ndarray
    order_key: np.ndarray | None = None  # what the candidates are ordered by, when not the margins alone


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def fit_calibration(questions: Sequence[Ranked], steps: int = 500) -> tuple[float, float]:
    """Logistic fit of P(sentence answers) = sigmoid(scale·margin + bias) over every labelled candidate
    of an answerable question, and every candidate of an unanswerable one (none of them answers)."""
    xs, ys = [], []
    for q in questions:
        keep = q.labels >= 0
        if q.answerable:
            xs.append(q.margins[keep])
            ys.append(q.labels[keep].astype(float))
        elif len(q.margins):
            xs.append(q.margins)
            ys.append(np.zeros(len(q.margins)))
    x, y = np.concatenate(xs), np.concatenate(ys)
    design = np.stack([x, np.ones_like(x)], axis=1)

    def loss(w: np.ndarray) -> float:
        z = design @ w
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5e-3 * w @ w)

    w = np.array([1.0, 0.0])
    for _ in range(steps):  # Newton's method on the log loss, lightly regularised, with backtracking
        p = _sigmoid(design @ w)
        gradient = design.T @ (p - y) + 1e-3 * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 1e-3 * np.eye(2)
        update = np.linalg.solve(hessian, gradient)
        step, current = 1.0, loss(w)
        while loss(w - step * update) > current and step > 1e-6:
            step /= 2  # a full Newton step can overshoot where the data are nearly separable
        w = w - step * update
        if np.abs(step * update).max() < 1e-9:
            break
    return float(w[0]), float(w[1])


def top_probability(q: Ranked, scale: float, bias: float) -> float:
    return float(_sigmoid(scale * q.margins.max() + bias)) if len(q.margins) else 0.0


def choose_threshold(questions: Sequence[Ranked], scale: float, bias: float, false_decline: float) -> float:
    """The highest threshold on the best candidate's probability that declines at most ``false_decline``
    of the answerable questions (declining more unanswerable ones at no further cost)."""
    answerable = np.sort([top_probability(q, scale, bias) for q in questions if q.answerable])
    if not len(answerable):
        return 0.5
    allowed = int(np.floor(false_decline * len(answerable)))
    # Declined are those strictly below the threshold: the (allowed)-th smallest may be declined.
    return float(answerable[allowed]) if allowed < len(answerable) else float(answerable[-1])


def rank_metrics(questions: Sequence[Ranked], scale: float, bias: float, threshold: float) -> dict[str, float]:
    answerable = [q for q in questions if q.answerable]
    unanswerable = [q for q in questions if not q.answerable]
    hit1 = hit3 = ranked1 = ranked3 = recall = declined = 0
    for q in answerable:
        order = np.argsort(-(q.margins if q.order_key is None else q.order_key), kind="stable")
        positive = q.labels[order] == 1
        answered = top_probability(q, scale, bias) >= threshold
        declined += not answered
        ranked1 += bool(positive[:1].any())
        ranked3 += bool(positive[:3].any())
        recall += bool(positive.any())
        hit1 += answered and bool(positive[:1].any())
        hit3 += answered and bool(positive[:3].any())
    kept = sum(top_probability(q, scale, bias) < threshold for q in unanswerable)
    n = max(1, len(answerable))
    return {
        "hit_at_1": hit1 / n,
        "hit_at_3": hit3 / n,
        "ranked_first": ranked1 / n,  # the first candidate answers, whether or not the reader answered
        "ranked_top3": ranked3 / n,
        "recall": recall / n,
        "abstention": kept / max(1, len(unanswerable)),
        "false_abstention": declined / n,
        "threshold": threshold,
        "questions": float(len(questions)),
    }
