"""A claim check as Discord shows it and as the terminal prints it: every documented value of the measure
side by side with its role when the message differs, other measures only as related when it has no figure."""

from pathlib import Path

import pytest

from bot.adapter.render import Citations
from bot.adapter.render_figures import comparison_line, render_check
from bot.engine.claims import ClaimCheck, check_claim
from bot.engine.engine import Engine
from bot.terminal import format_claim

REVISION = (
    "Targeted retention payments, doubled from £3,000 to £6,000 a year, go to teachers in their first five "
    "years who teach maths or physics.\n\nThe Probation Service will recruit 1,000 more trainee probation "
    "officers by March 2026."
)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    (tmp_path / "pay.md").write_text(f"# Teacher pay\n\n{REVISION}\n", encoding="utf-8")
    return Engine.from_folder(tmp_path)


def _check(engine: Engine, claim: str) -> ClaimCheck:
    return check_claim(engine, claim)


def test_a_differing_value_is_shown_beside_every_documented_value(engine: Engine) -> None:
    (comparison,) = _check(engine, "targeted retention payments for maths teachers are £3,000 a year").comparisons
    line = comparison_line(comparison, Citations())
    assert line.startswith("The message says **£3,000 a year**; the documents say **£6,000 a year**")
    assert "the message **differs from** the documents." in line
    values = line.split("Every value the documents give for it: ", 1)[1]
    assert values.index("**£6,000 a year** (new value") < values.index("**£3,000** (earlier value")


def test_a_match_lists_the_other_values_of_the_measure_not_itself(engine: Engine) -> None:
    claim = "targeted retention payments for maths teachers were £3,000 a year before"
    (comparison,) = _check(engine, claim).comparisons
    line = comparison_line(comparison, Citations())
    assert "the message **matches** the documents." in line
    assert "Other values of this measure: **£6,000 a year** (new value" in line
    assert line.count("**£3,000**") == 1


def test_a_figure_the_documents_lack_never_reads_as_close(engine: Engine) -> None:
    check = _check(engine, "the MoJ is hiring 1,000 new prison officers")
    (comparison,) = check.comparisons
    assert comparison.verdict == "not_found"
    text = render_check(check)[0].embeds[0].description or ""
    assert "there is **no figure for this in the documents**" in text and "close to" not in text


def test_the_terminal_prints_each_documented_value_with_its_role_and_sentence(engine: Engine) -> None:
    printed = format_claim(_check(engine, "targeted retention payments for maths teachers are £3,000 a year"))
    flat = " ".join(printed.split())  # lines are wrapped for the terminal
    assert "the documents say £6,000 a year" in flat and "— they differ; every value they give for it:" in flat
    assert "£6,000 a year (new value, " in flat and "£3,000 (earlier value, " in flat
    assert "“Targeted retention payments, doubled from £3,000 to £6,000 a year" in flat and "— Teacher pay, ¶" in flat
