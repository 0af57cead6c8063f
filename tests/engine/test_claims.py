import pytest

from bot.engine.claims import check_claim, verdict_for
from bot.engine.engine import Engine


def test_verdicts() -> None:
    assert verdict_for(29_000, 29_090) == "match"
    assert verdict_for(700_000, 745_000) == "near"
    assert verdict_for(1_000_000, 745_000) == "differs"


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


def test_year_in_the_claim_picks_the_figure_for_that_year(seed_engine: Engine) -> None:
    (comparison,) = check_claim(seed_engine, "over 50,000 small boat migrants crossed in 2021").comparisons
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "28,526"


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
