"""CI's quality floors on the development question sets (see bench/quality.py)."""

import pytest

from bench.quality import run_set


@pytest.mark.parametrize("name", ["seed-dev", "corpus-b"])
def test_quality_floors(name: str) -> None:
    report = run_set(name)
    assert report.failures() == [], report.misses
    assert report.fidelity == 1.0
