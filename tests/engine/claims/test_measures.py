"""Whether a documented number can be the claim's measure at all: its family, its "per" unit, its size."""

from __future__ import annotations

from pathlib import Path

from tests.engine.claims.conftest import one_document_engine, only_comparison


def test_a_rate_per_another_unit_is_another_measure(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Drivers of fully electric cars will pay 3p per mile and plug-in hybrid owners 1.5p per mile.",
        title="Road charge",
    )
    comparison = only_comparison(engine, "the charge will cost hybrid drivers £240 a year")
    assert comparison.verdict == "not_found", comparison.summary


def test_a_bare_number_in_a_claim_about_money_is_an_amount(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path, "The Treasury said the fuel duty freeze would cost £2.4bn in 2026-27.", title="Fuel duty"
    )
    assert only_comparison(engine, "the fuel duty freeze costs 2.4 billion in 2026-27").verdict == "match"
    engine = one_document_engine(
        tmp_path, "Alcohol duty receipts are forecast at £13.1 billion in 2026-27.", name="duty.md", title="Duty"
    )
    assert only_comparison(engine, "alcohol duty is expected to bring in 13.1bn in 2026-27").verdict == "match"


def test_a_value_thousands_of_times_off_measures_something_else(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "LONDON — The projects will attract around £31 billion of private investment.",
        title="Offshore wind",
    )
    assert only_comparison(engine, "average private rent in London is now £1,400 a month").verdict == "not_found"


def test_a_change_the_claim_did_not_word_as_one(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The latest figures show that 131,140 households were living in temporary accommodation, a rise of 11.8% "
        "on a year earlier.",
        title="Temporary accommodation",
    )
    assert only_comparison(engine, "households in temporary accommodation rose 11.8% in a year").verdict == "match"
