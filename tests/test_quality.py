"""CI's quality floors on the development question sets (see bench/quality.py), in the engine's default
mode (the answer reader) and with word overlap alone (``SEMANTIC=false``, the fallback without models)."""

import pytest

from bench.quality import CI_FLOORS, run_set


@pytest.mark.parametrize(("name", "mode"), sorted(CI_FLOORS))
def test_quality_floors(name: str, mode: str) -> None:
    report = run_set(name, mode)
    assert report.failures(CI_FLOORS[name, mode]) == [], report.misses
    assert report.fidelity == 1.0
