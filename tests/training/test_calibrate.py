"""``training.calibrate``: the order weights are fitted to put answering sentences first, no more."""

import numpy as np

from training.calibrate import Pool, fit_order, ordered
from training.metrics import Ranked, rank_metrics


def _pools(reader_noise: float, seed: int = 5) -> list[Pool]:
    """Answers sit at the lexical top; the reader's margins see them through ``reader_noise``."""
    rng = np.random.default_rng(seed)
    pools = []
    for i in range(300):
        labels = np.zeros(8, dtype=int)
        answer = 0 if i % 3 else int(rng.integers(1, 8))
        labels[answer] = 1
        margins = rng.normal(0.0, reader_noise, 8).astype(np.float32)
        margins[answer] += 1.0
        coverages = rng.uniform(0.2, 0.6, 8).astype(np.float32)
        pools.append(Pool(Ranked(True, margins, labels), coverages))
    return pools


def test_a_noisy_reader_gets_help_from_the_lexical_rank() -> None:
    pools = _pools(reader_noise=2.0)
    coverage_weight, rank_prior = fit_order(pools)
    assert rank_prior > 0.0

    def first(weights: tuple[float, float]) -> float:
        return rank_metrics([ordered(p, *weights) for p in pools], 1.0, 0.0, 0.0)["ranked_first"]

    assert first((coverage_weight, rank_prior)) > first((0.0, 0.0))


def test_a_reader_that_is_always_right_keeps_its_own_order() -> None:
    pools = _pools(reader_noise=0.0)
    for pool in pools:
        pool.ranked.margins[pool.ranked.labels == 1] += 50.0
    assert fit_order(pools) == (0.0, 0.0)  # no weight helps, so none is used
