from pathlib import Path

import pytest

from bot.engine.claims import FigureComparison, check_claim, compare_values, verdict_for
from bot.engine.engine import Engine
from bot.engine.figures.parse import extract_figures


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


# -- verdicts people can trust: the same measure only, every documented value shown ---------------


def _engine(tmp_path: Path, text: str, name: str = "doc.md", title: str = "Figures") -> Engine:
    (tmp_path / name).write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
    return Engine.from_folder(tmp_path)


def _only(engine: Engine, claim: str) -> FigureComparison:
    (comparison,) = check_claim(engine, claim).comparisons
    return comparison


@pytest.mark.parametrize(
    ("claimed", "documented", "verdict"),
    [
        ("£38.7k", "£38,700", "match"),
        ("38,700 pounds", "£38,700", "match"),
        ("2.4 billion pounds", "£2.4bn", "match"),
        ("11.8 per cent", "11.8%", "match"),
        ("29,000", "29,090", "match"),  # a rounded figure agrees at the precision it is written to
        ("169,500", "169,050", "near"),  # digits transposed: within 1%, but not the same number
        ("£83.40", "£79.40", "near"),
        ("£3,000", "£6,000", "differs"),
    ],
)
def test_values_agree_at_the_precision_they_are_written_to(claimed: str, documented: str, verdict: str) -> None:
    (a,), (b,) = extract_figures(claimed), extract_figures(documented)
    assert compare_values(a, b) == verdict


def test_a_superseded_value_differs_and_both_values_are_shown(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "Targeted retention payments, doubled from £3,000 to £6,000 a year, go to teachers in their first "
        "five years who teach maths or physics.",
    )
    now = _only(engine, "targeted retention payments for maths teachers are £3,000 a year")
    assert now.verdict == "differs" and now.corpus[0].figure.value == 6000
    assert [(m.figure.value, m.figure.role) for m in now.documented] == [(6000, "to"), (3000, "from")]
    assert "£6,000 a year (new value" in now.summary and "£3,000 (earlier value" in now.summary
    before = _only(engine, "targeted retention payments for maths teachers were £3,000 a year before")
    assert before.verdict == "match" and before.corpus[0].figure.value == 3000


def test_the_figure_of_the_claims_year_is_compared(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "Councils in England spent £2.8 billion on temporary accommodation in 2024-25, up from £2.3 billion "
        "in 2023-24.",
    )
    comparison = _only(engine, "councils spent £2.3bn on temporary accommodation in 2024-25")
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "£2.8 billion"
    assert _only(engine, "councils spent £2.3bn on temporary accommodation in 2023-24").verdict == "match"


def test_a_list_item_is_measured_by_its_own_words(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "Bursaries for trainees will be: physics £30,000; maths £28,000; languages £26,000.")
    comparison = _only(engine, "physics trainees get a £28,000 bursary")  # maths gets £28,000, not physics
    assert comparison.verdict in {"near", "differs"} and comparison.corpus[0].figure.text == "£30,000"


def test_a_value_documented_for_another_thing_is_not_the_claims_measure(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "The Probation Service will recruit 1,000 more trainee probation officers by March 2026, on top of the "
        "1,300 recruited in 2024-25.\n\nThe prison population stood at 87,950 in September.",
        title="Prison places",
    )
    comparison = _only(engine, "the MoJ is hiring 1,300 new prison officers")
    assert comparison.verdict == "not_found", comparison.summary


def test_a_place_the_figure_is_not_stated_for(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "The average salary of a classroom teacher in England was £46,800 in 2024-25.\n\n"
        "Teacher pay in Scotland, Wales and Northern Ireland is a devolved matter.",
        title="Teacher pay",
    )
    assert _only(engine, "average classroom teacher salary in Wales is £46,800").verdict == "not_found"
    assert _only(engine, "average classroom teacher salary in England is £46,800").verdict == "match"


def test_a_rate_per_another_unit_is_another_measure(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "Drivers of fully electric cars will pay 3p per mile and plug-in hybrid owners 1.5p per mile.",
        title="Road charge",
    )
    comparison = _only(engine, "the charge will cost hybrid drivers £240 a year")
    assert comparison.verdict == "not_found", comparison.summary


def test_a_measure_the_documents_never_name_is_not_found_with_related_figures(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "The latest figures show that 131,140 households were living in temporary accommodation in England.",
        title="Temporary accommodation",
    )
    assert _only(engine, "rough sleeping in England has hit 131,000").verdict == "not_found"
    missing = _only(engine, "households in temporary accommodation in Scotland number 131,140")
    assert missing.verdict == "not_found" and missing.corpus == ()


def test_a_bare_number_in_a_claim_about_money_is_an_amount(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path, "The Treasury said the fuel duty freeze would cost £2.4bn in 2026-27.", title="Fuel duty"
    )
    assert _only(engine, "the fuel duty freeze costs 2.4 billion in 2026-27").verdict == "match"


def test_json_lists_every_documented_value(tmp_path: Path) -> None:
    engine = _engine(tmp_path, "Retention payments for teachers doubled from £3,000 to £6,000 a year.")
    (figure,) = check_claim(engine, "retention payments for teachers are £3,000 a year").to_json()["figures"]
    assert [(v["text"], v["role"]) for v in figure["documented"]] == [("£6,000 a year", "to"), ("£3,000", "from")]
    assert figure["related"] == []


def test_a_figure_someone_calls_for_is_not_the_measure(seed_engine: Engine) -> None:
    # Mrs Braverman's £40,000 was "a deal to raise the salary threshold to £40,000": not the threshold.
    comparison = _only(seed_engine, "the salary threshold will be £40,000")
    assert comparison.verdict != "match" and "£38,700" in [m.figure.text for m in comparison.documented]
    assert all(m.figure.value != 40_000 for m in comparison.corpus)


def test_an_abbreviated_name_is_the_name_spelt_out(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "The Local Government Association estimates that the gap between what councils pay and what they can "
        "recover through housing benefit reached £700 million last year.",
        title="Housing benefit",
    )
    assert _only(engine, "the LGA reckons the housing benefit gap hit £700m last year").verdict == "match"


def test_a_value_thousands_of_times_off_measures_something_else(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "LONDON — The projects will attract around £31 billion of private investment.",
        title="Offshore wind",
    )
    assert _only(engine, "average private rent in London is now £1,400 a month").verdict == "not_found"


def test_a_change_the_claim_did_not_word_as_one(tmp_path: Path) -> None:
    engine = _engine(
        tmp_path,
        "The latest figures show that 131,140 households were living in temporary accommodation, a rise of 11.8% "
        "on a year earlier.",
        title="Temporary accommodation",
    )
    assert _only(engine, "households in temporary accommodation rose 11.8% in a year").verdict == "match"


def test_not_close_when_the_documents_state_the_claims_number_for_something_else(tmp_path: Path) -> None:
    text = "Each family receives a heating grant of £260.\n\nEach family also receives a childcare grant of £250."
    engine = _engine(tmp_path, text, title="Household support")
    comparison = _only(engine, "the heating grant for each family is £250")
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "£260"
    assert _only(engine, "the heating grant for each family is £255").verdict == "near"  # no £255: a near miss
