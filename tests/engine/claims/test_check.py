"""A claim checked end to end: its sentences, its figures' verdicts against the documents, the JSON shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.claims import check_claim
from bot.engine.engine import Engine
from tests.engine.claims.conftest import one_document_engine, only_comparison


def test_wrong_figure_is_shown_against_the_documents(seed_engine: Engine) -> None:
    result = check_claim(seed_engine, "net migration hit a million last year")
    (comparison,) = result.comparisons
    assert comparison.verdict == "differs"
    assert comparison.corpus[0].figure.text == "745,000"
    assert comparison.corpus[0].citation.paragraph >= 1
    assert "the documents say 745,000" in comparison.summary


def test_matching_figure(seed_engine: Engine) -> None:
    (comparison,) = check_claim(seed_engine, "the original Rwanda scheme cost £140 million").comparisons
    assert comparison.verdict == "match" and comparison.corpus[0].figure.value == 140_000_000


def test_figure_the_corpus_lacks(seed_engine: Engine) -> None:
    result = check_claim(seed_engine, "Germany spent 3 billion euros on high-speed rail")
    assert [c.verdict for c in result.comparisons] == ["not_found"]
    assert not result.answer.answered


def test_claim_without_figures(seed_engine: Engine) -> None:
    result = check_claim(seed_engine, "the Supreme Court said Rwanda was not a safe country")
    assert result.comparisons == () and result.answer.answered
    assert "Supreme Court" in result.answer.sentences[0].text


@pytest.mark.parametrize(
    ("claim", "verdict", "documented"),
    [
        ("the national living wage is going up to £12.21 an hour", "match", "£12.21"),
        ("the national living wage will rise to £15 an hour", "differs", "£12.21"),
    ],
)
def test_second_corpus(corpus_b_engine: Engine, claim: str, verdict: str, documented: str) -> None:
    (comparison,) = [c for c in check_claim(corpus_b_engine, claim).comparisons if c.claimed.kind == "money"]
    assert comparison.verdict == verdict
    assert comparison.corpus[0].figure.text.startswith(documented)


def test_json_shape(seed_engine: Engine) -> None:
    data = check_claim(seed_engine, "Rwanda was paid another £15m").to_json()
    assert data["figures"][0]["verdict"] == "match"
    assert set(data) >= {"claim", "answered", "sentences", "figures", "closest"}


def test_a_measure_the_documents_never_name_is_not_found_with_related_figures(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The latest figures show that 131,140 households were living in temporary accommodation in England.",
        title="Temporary accommodation",
    )
    assert only_comparison(engine, "rough sleeping in England has hit 131,000").verdict == "not_found"
    missing = only_comparison(engine, "households in temporary accommodation in Scotland number 131,140")
    assert missing.verdict == "not_found" and missing.corpus == ()


def test_json_lists_every_documented_value(tmp_path: Path) -> None:
    engine = one_document_engine(tmp_path, "Retention payments for teachers doubled from £3,000 to £6,000 a year.")
    (figure,) = check_claim(engine, "retention payments for teachers are £3,000 a year").to_json()["figures"]
    assert [(v["text"], v["role"]) for v in figure["documented"]] == [("£6,000 a year", "to"), ("£3,000", "from")]
    assert figure["related"] == []


def test_not_close_when_the_documents_state_the_claims_number_for_something_else(tmp_path: Path) -> None:
    text = "Each family receives a heating grant of £260.\n\nEach family also receives a childcare grant of £250."
    engine = one_document_engine(tmp_path, text, title="Household support")
    comparison = only_comparison(engine, "the heating grant for each family is £250")
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "£260"
    assert (
        only_comparison(engine, "the heating grant for each family is £255").verdict == "near"
    )  # no £255: a near miss


def test_a_value_for_another_month_is_not_close(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "GP practices delivered 33.1 million appointments in October 2025.",
        title="GP appointments",
    )
    assert only_comparison(engine, "GP practices delivered 31.9 million appointments in December 2025").verdict == (
        "differs"
    )
    assert only_comparison(engine, "GP practices delivered 31.9 million appointments in October 2025").verdict == (
        "near"
    )


def test_the_claims_number_is_found_where_other_words_state_it(tmp_path: Path) -> None:
    # Ten groups share the claim's words more than the sentence that states its number: the topic alone
    # would not bring that one in, its value does.
    subjects = ["Art", "Law", "Music", "Drama", "Nursing", "History", "Dance", "Film", "Design", "Media", "Sport"]
    fees = [
        f"{s} students at university pay tuition fees capped at £{9_000 + 10 * n:,} in 2026/27, and {10 + n}% of "
        f"{s.lower()} graduates find jobs."
        for n, s in enumerate(subjects)
    ]
    text = "\n\n".join([*fees, "Universities in England can charge up to £9,790 a year for a degree."])
    engine = one_document_engine(tmp_path, text, title="Student finance")
    comparison = only_comparison(engine, "university tuition fees capped at £9.79k")
    assert comparison.verdict == "match" and comparison.corpus[0].figure.text.startswith("£9,790")


def test_a_number_naming_a_plan_is_not_the_claims_figure(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path, "The repayment threshold for Plan 5 loans is £25,000 a year.", title="Student loans"
    )
    comparison = only_comparison(engine, "the plan 5 repayment threshold is £28,000")
    assert comparison.claimed.text == "£28,000" and comparison.verdict == "differs"
    # Capitalised in a document, "Plan 5" is no figure at all.
    assert [f.figure.text for f in engine.figures.figures] == ["£25,000 a year"]


def test_a_value_revised_for_the_same_year_is_not_the_years_value(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The department's central projection is for 210,000 heat pump installations in 2026, revised down from "
        "235,000 in the previous edition.\n\nCouncils spent £2.8bn on temporary accommodation in 2024-25, up from "
        "£2.3bn in 2023-24.",
        title="Statistics",
    )
    revised = only_comparison(engine, "the department is projecting 235,000 heat pump installations in 2026")
    assert revised.verdict == "differs" and revised.corpus[0].figure.text == "210,000"
    earlier = only_comparison(engine, "the department originally projected 235,000 heat pump installations")
    assert earlier.verdict == "match"
    # A value of its own, earlier year stands for that year.
    assert only_comparison(engine, "councils spent £2.3bn on temporary accommodation in 2023-24").verdict == "match"
