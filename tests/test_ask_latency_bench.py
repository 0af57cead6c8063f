"""The /ask latency benchmark's percentile (its timings are reported, never asserted)."""

from bench.ask_latency import percentile


def test_percentile_by_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile([7.0], 0.95) == 7.0
