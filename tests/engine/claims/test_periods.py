"""A claim's year picks the figure stated for it; a value superseded in its own sentence is not the current one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.claims import check_claim
from bot.engine.claims.check import revised_to
from bot.engine.engine import Engine
from tests.engine.claims.conftest import one_document_engine, only_comparison


def test_year_in_the_claim_picks_the_figure_for_that_year(seed_engine: Engine) -> None:
    (comparison,) = check_claim(seed_engine, "over 50,000 small boat migrants crossed in 2021").comparisons
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "28,526"


def test_a_superseded_value_differs_and_both_values_are_shown(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Targeted retention payments, doubled from £3,000 to £6,000 a year, go to teachers in their first "
        "five years who teach maths or physics.",
    )
    now = only_comparison(engine, "targeted retention payments for maths teachers are £3,000 a year")
    assert now.verdict == "differs" and now.corpus[0].figure.value == 6000
    assert [(m.figure.value, m.figure.role) for m in now.documented] == [(6000, "to"), (3000, "from")]
    assert "£6,000 a year (new value" in now.summary and "£3,000 (earlier value" in now.summary
    before = only_comparison(engine, "targeted retention payments for maths teachers were £3,000 a year before")
    assert before.verdict == "match" and before.corpus[0].figure.value == 3000


def test_the_figure_of_the_claims_year_is_compared(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Councils in England spent £2.8 billion on temporary accommodation in 2024-25, up from £2.3 billion "
        "in 2023-24.",
    )
    comparison = only_comparison(engine, "councils spent £2.3bn on temporary accommodation in 2024-25")
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "£2.8 billion"
    assert only_comparison(engine, "councils spent £2.3bn on temporary accommodation in 2023-24").verdict == "match"


def test_a_claim_of_a_month_is_compared_with_that_months_value(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "GP practices delivered 30.4 million appointments in December 2025.\n\nGP appointment figures for "
        "October 2025 have been revised up from 33.1 million to 33.4 million.",
    )
    comparison = only_comparison(engine, "GP practices delivered 31.9 million appointments in December 2025")
    assert comparison.verdict in {"near", "differs"} and comparison.corpus[0].figure.text == "30.4 million"


def test_a_claim_of_a_superseded_comparison_value_differs_from_the_current_one(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path, "The median waiting time was 13.9 weeks, compared with 14.6 weeks in December 2024."
    )
    comparison = only_comparison(engine, "the median wait is 14.6 weeks")
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "13.9 weeks"


def test_a_projection_does_not_bear_out_a_claim_about_now(tmp_path: Path) -> None:
    (tmp_path / "psp.md").write_text(
        "---\ntitle: Disability benefits\ndate: 2026-03-05\n---\n\n"
        "Spending on the disability payment is expected to be £24.1 billion in 2025-26. The OBR forecast is "
        "for spending on the disability payment to rise to £35.8 billion in 2029-30.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    now = only_comparison(engine, "spending on the disability payment is £35.8bn this year")
    assert now.verdict == "differs" and now.corpus[0].figure.text == "£24.1 billion", now.summary
    # Said of the future, or of the year it is projected for, the projection bears it out.
    assert only_comparison(engine, "spending on the disability payment will reach £35.8bn").verdict == "match"
    assert only_comparison(engine, "disability payment spending is £35.8bn in 2029-30").verdict == "match"
    assert only_comparison(engine, "spending on the disability payment is £24.1bn").verdict == "match"


@pytest.mark.parametrize("words", ["is expected to", "is likely to", "is set to", "is projected to"])
def test_the_forecast_words_of_stances_make_a_projection(tmp_path: Path, words: str) -> None:
    (tmp_path / "fleet.md").write_text(
        "---\ntitle: Bus fleet\ndate: 2026-01-10\n---\n\n"
        f"The electric bus fleet numbers 120 buses in 2025-26. The fleet {words} grow to 352 buses in 2029-30.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    assert only_comparison(engine, "the electric bus fleet is 352 buses now").verdict == "differs"
    assert only_comparison(engine, "the electric bus fleet will reach 352 buses").verdict == "match"


@pytest.mark.parametrize("words", ["is likely to reach", "is estimated to reach", "is forecast to reach"])
def test_a_claim_in_the_forecast_words_is_about_the_future(tmp_path: Path, words: str) -> None:
    # The words that make a document's figure a projection make a claim one too: it is borne out by it.
    (tmp_path / "fleet.md").write_text(
        "---\ntitle: Bus fleet\ndate: 2026-01-10\n---\n\n"
        "The electric bus fleet numbers 120 buses in 2025-26. The fleet is expected to grow to 352 buses in 2029-30.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    assert only_comparison(engine, f"the electric bus fleet {words} 352 buses").verdict == "match"


def test_an_undated_document_projects_nothing(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path, "The OBR forecast is for spending on the disability payment to rise to £35.8 billion in 2029-30."
    )
    assert only_comparison(engine, "spending on the disability payment is £35.8bn").verdict == "match"


def test_a_revised_value_is_measured_with_the_value_it_was_revised_to(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Category 2 performance improved after a difficult December. The December figure has been revised "
        "down from 47:32 to 47:05 following late returns from two services.",
        title="Ambulance response times",
    )
    members = {m.figure.text: m for g in engine.figures.lookup("december figure revised", 10) for m in g.members}
    revised = revised_to(engine, members["47:32"])
    # Found whatever its own label ("following late returns"), so the old value is not taken for current.
    assert revised is not None and revised.figure.text == "47:05"
    assert revised_to(engine, members["47:05"]) is None  # a new value was revised to nothing
    comparison = only_comparison(engine, "the december category 2 mean was 47:32")
    assert comparison.verdict in {"near", "differs"} and comparison.corpus[0].figure.text == "47:05", comparison.summary


def test_a_new_value_then_changed_again_is_not_current(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The tax-free dividend allowance was cut from £2,000 to £1,000 in April 2023 and then to £500 in April 2024.",
        title="Dividend tax",
    )
    now = only_comparison(engine, "the tax-free dividend allowance is £1,000")
    assert now.verdict == "differs" and now.corpus[0].figure.text == "£500", now.summary
    assert only_comparison(engine, "the tax-free dividend allowance is £500").verdict == "match"
    assert only_comparison(engine, "the dividend allowance was cut to £1,000 in 2023").verdict == "match"
