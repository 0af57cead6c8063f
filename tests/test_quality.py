"""CI's quality floors on the development question sets (see bench/quality.py), in the engine's default
mode (the answer reader) and with word overlap alone (``SEMANTIC=false``, the fallback without models)."""

from pathlib import Path

import pytest

from bench.quality import CI_FLOORS, run_set


@pytest.mark.parametrize(("name", "mode"), sorted(CI_FLOORS))
def test_quality_floors(name: str, mode: str) -> None:
    report = run_set(name, mode)
    assert report.failures(CI_FLOORS[name, mode]) == [], report.misses
    assert report.fidelity == 1.0


def test_the_project_question_and_figure_sets_are_well_formed() -> None:
    """``tests/quality/check_data.py``: every expected sentence verbatim, every label consistent."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "quality" / "check_data.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_figure_lookups_and_claim_verdicts_hold_their_floors_on_a_held_out_set() -> None:
    from bench import figure_quality

    report = figure_quality.evaluate("figures-heldout-a")
    floors = figure_quality.CI_FLOORS
    assert report.hit_at_1 >= floors["hit_at_1"], report.misses[:5]
    assert report.hit_at_2 >= floors["hit_at_2"]
    assert report.verdicts >= floors["verdicts"], [m for m in report.misses if "claim" in m][:5]
    assert report.cross_measure_close <= floors["cross_measure_close_max"]
