"""Fit the weights of the figure answers' signals on the dev figure sets:
``python -m bench.fit_figure_weights``.

``figure_answers`` scores each candidate figure of a question by a weighted sum of its signals
(``figure_answers.SIGNALS``). This fits the weights that put the expected figure first, by a softmax
over each question's candidates (the figures of the index's first ``POOL_GROUPS`` groups), kept near
the hand-set weights by an L2 pull so that a signal the dev sets seldom show keeps its sense.

Only the two dev sets are read. Each is first fitted on the other and scored on it (a cross check of
whether the fit carries over to documents it never saw), then both are fitted together: those are the
weights a change would ship. The held-out sets are never read here; ``bench.figure_quality`` scores
them.

Measured with the six-layer reader (first figure right, hand weights → fitted on the other set): dev
0.845 → 0.821, dev-b 0.64 → 0.66; fitted on the set itself, no better than the hand weights either.
The weights stay hand-set; rerun this when a signal is added.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass

import numpy as np

from bench.figure_quality import is_place, places, question_rows, set_engine
from bot.engine.figure_answers import POOL_GROUPS, SIGNALS, WEIGHTS, figure_candidates

DEV_SETS = ("figures-dev", "figures-dev-b")
L2 = 0.5  # pull towards the hand-set weights, per question
STEPS = 3000
LEARNING_RATE = 0.05


@dataclass
class Pool:
    """One question's candidates: their signals (rows in ``SIGNALS`` order), which are the expected
    figure, and their group ranks (the index's order breaks ties)."""

    signals: np.ndarray
    expected: np.ndarray
    ranks: np.ndarray


def pools(name: str) -> list[Pool]:
    engine = set_engine(name)
    found = []
    for row in question_rows(name):
        question = str(row["question"])
        groups = engine.figures.lookup(question, limit=POOL_GROUPS)
        candidates = figure_candidates(engine, question, groups)
        expected_places = places(row)
        signals = np.array([[s.get(n, 0.0) for n in SIGNALS] for s, _, _ in candidates], dtype=float)
        expected = np.array([any(is_place(m, p) for p in expected_places) for _, _, m in candidates], dtype=bool)
        ranks = np.array([rank for _, rank, _ in candidates], dtype=float)
        found.append(Pool(signals.reshape(-1, len(SIGNALS)), expected, ranks))
    return found


def hits(pools: list[Pool], weights: np.ndarray, depth: int = 1) -> float:
    """Share of questions whose expected figure is among the first ``depth`` by score."""
    right = 0
    for pool in pools:
        if not len(pool.expected):
            continue
        order = np.lexsort((pool.ranks, -(pool.signals @ weights)))
        right += bool(pool.expected[order[:depth]].any())
    return right / max(1, len(pools))


def fit(pools: list[Pool], start: np.ndarray) -> np.ndarray:
    """Weights maximising the softmax probability of the expected figures, L2-pulled to ``start``."""
    usable = [p for p in pools if p.expected.any() and not p.expected.all()]
    weights = start.copy()
    for _ in range(STEPS):
        gradient = L2 * (weights - start) * len(usable)
        for pool in usable:
            scores = pool.signals @ weights
            probabilities = np.exp(scores - scores.max())
            probabilities /= probabilities.sum()
            positive = probabilities * pool.expected
            share = positive.sum()
            # d(-log share)/dw = E_softmax[x] - E_{softmax restricted to the expected}[x]
            gradient += probabilities @ pool.signals - (positive / share) @ pool.signals
        weights -= LEARNING_RATE * gradient / len(usable)
    return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.parse_args(argv)
    hand = np.array([WEIGHTS[n] for n in SIGNALS])
    found = {name: pools(name) for name in DEV_SETS}
    report: dict[str, object] = {}
    for name in DEV_SETS:
        other = next(n for n in DEV_SETS if n != name)
        fitted = fit(found[other], hand)
        report[name] = {
            "hand_hit_at_1": round(hits(found[name], hand), 3),
            "hand_hit_at_2": round(hits(found[name], hand, 2), 3),
            f"fitted_on_{other}_hit_at_1": round(hits(found[name], fitted), 3),
            f"fitted_on_{other}_hit_at_2": round(hits(found[name], fitted, 2), 3),
        }
    both = fit([p for name in DEV_SETS for p in found[name]], hand)
    report["weights"] = {n: round(float(w), 2) for n, w in zip(SIGNALS, both, strict=True)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
