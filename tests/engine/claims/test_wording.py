"""What the words say a figure measures: its own words in a list, another subject or place in the claim's
slot, a name spelt out or abbreviated, a figure someone only calls for."""

from __future__ import annotations

from pathlib import Path

from bot.engine.claims.wording import context_words, plain_words
from bot.engine.engine import Engine
from tests.engine.claims.conftest import one_document_engine, only_comparison


def test_a_list_item_is_measured_by_its_own_words(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path, "Bursaries for trainees will be: physics £30,000; maths £28,000; languages £26,000."
    )
    comparison = only_comparison(engine, "physics trainees get a £28,000 bursary")  # maths gets £28,000, not physics
    assert comparison.verdict in {"near", "differs"} and comparison.corpus[0].figure.text == "£30,000"


def test_a_value_documented_for_another_thing_is_not_the_claims_measure(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The Probation Service will recruit 1,000 more trainee probation officers by March 2026, on top of the "
        "1,300 recruited in 2024-25.\n\nThe prison population stood at 87,950 in September.",
        title="Prison places",
    )
    comparison = only_comparison(engine, "the MoJ is hiring 1,300 new prison officers")
    assert comparison.verdict == "not_found", comparison.summary


def test_a_place_the_figure_is_not_stated_for(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The average salary of a classroom teacher in England was £46,800 in 2024-25.\n\n"
        "Teacher pay in Scotland, Wales and Northern Ireland is a devolved matter.",
        title="Teacher pay",
    )
    assert only_comparison(engine, "average classroom teacher salary in Wales is £46,800").verdict == "not_found"
    assert only_comparison(engine, "average classroom teacher salary in England is £46,800").verdict == "match"


def test_a_figure_someone_calls_for_is_not_the_measure(seed_engine: Engine) -> None:
    # Mrs Braverman's £40,000 was "a deal to raise the salary threshold to £40,000": not the threshold.
    comparison = only_comparison(seed_engine, "the salary threshold will be £40,000")
    assert comparison.verdict != "match" and "£38,700" in [m.figure.text for m in comparison.documented]
    assert all(m.figure.value != 40_000 for m in comparison.corpus)


def test_a_recommendation_is_not_the_measure(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Graduates repay 9% of their income above the Plan 5 repayment threshold of £25,000.\n\n"
        "We recommend that ministers:\n\n"
        "- Raise the Plan 5 repayment threshold to £28,000.\n"
        "- Cut the interest rate to inflation.",
        title="Student loans",
    )
    comparison = only_comparison(engine, "the Plan 5 repayment threshold is £28,000")
    assert comparison.verdict in {"near", "differs"} and comparison.corpus[0].figure.text == "£25,000"
    assert only_comparison(engine, "the Plan 5 repayment threshold is £25,000").verdict == "match"


def test_options_and_what_someone_argued_for_are_not_what_was_decided(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The consultation asked whether the convergence amount should be set at £1 or £2 a week. Landlords "
        "argued for a convergence amount of £3 a week. The government has set the convergence amount at £2 a week.",
        title="Rent settlement",
    )
    comparison = only_comparison(engine, "the government set the convergence amount at £1 a week")
    assert comparison.verdict in {"near", "differs"} and comparison.corpus[0].figure.text == "£2 a week"
    assert only_comparison(engine, "landlords argued for a convergence amount of £3 a week").verdict == "match"


def test_the_claims_value_said_in_other_words_of_a_name_it_gives(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "## How much are tuition fees in 2026/27?\n\nUniversities in England can charge up to £9,790 a year for a "
        "full-time undergraduate course in 2026/27, up from £9,535 in 2025/26.\n\n"
        "## Loans\n\nMaintenance loans rose by 3.1% for 2026/27.",
        title="Student finance 2026/27",
    )
    # "Uni" is read as University, named (in the plural) where £9,790 stands, though not as "tuition fees".
    assert only_comparison(engine, "Uni tuition fees capped at £9.79k for 2026/27").verdict == "match"


def test_a_change_noun_opening_a_sentence_is_no_recommendation(tmp_path: Path) -> None:
    engine = one_document_engine(tmp_path, "Cut in fuel duty: the rate is 52.95p a litre.", title="Fuel duty")
    assert only_comparison(engine, "the fuel duty rate is 52.95p a litre").verdict == "match"


def test_an_abbreviated_name_is_the_name_spelt_out(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The Local Government Association estimates that the gap between what councils pay and what they can "
        "recover through housing benefit reached £700 million last year.",
        title="Housing benefit",
    )
    assert only_comparison(engine, "the LGA reckons the housing benefit gap hit £700m last year").verdict == "match"


def test_a_place_named_in_one_paragraph_is_not_what_the_whole_document_measures(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "The waiting list in England stood at 7.31 million at the end of December.\n\n"
        "Most patients were waiting for routine operations.\n\n"
        "Scotland and Wales publish their own waiting times.\n\n"
        "The median wait was 13.9 weeks.",
        title="NHS waiting times",
    )
    assert only_comparison(engine, "Scotland's NHS waiting list is 7.0 million").verdict == "not_found"
    assert only_comparison(engine, "England's NHS waiting list is 7.0 million").verdict == "differs"


def test_a_place_adjective_names_the_place() -> None:
    from bot.engine.claims.wording import local_names, named_in

    assert named_in("irish", frozenset({"ireland", "receipts"}))
    assert named_in("ireland", frozenset({"irish"}))
    assert not named_in("scottish", frozenset({"england"}))
    text = "Ireland's receipts rose.\n\nIrish VAT fell.\n\nThe Exchequer gained.\n\nCustoms were flat."
    assert local_names("Irish VAT hit €19bn", text, "Exchequer returns: Ireland") == frozenset()  # in the title
    assert local_names("Customs hit €1bn", text, "Exchequer returns") == {"customs"}  # one paragraph of four


def test_a_shortened_word_names_the_body(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Irish tax receipts rose again this year.\n\nThe Department of Finance forecast that total tax "
        "receipts for the full year would reach €107.6bn.\n\nCorporation tax brought in €22.4bn.\n\n"
        "Income tax brought in €26.3bn.",
    )
    comparison = only_comparison(engine, "the Irish Dept of Finance expects €107.6 billion in tax receipts this year")
    assert comparison.verdict == "match" and comparison.corpus[0].figure.text == "€107.6bn"


def test_informal_words_are_read_as_the_documents_words(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "There were 169,050 children living in temporary accommodation in England in March, alongside "
        "131,140 households.",
    )
    comparison = only_comparison(engine, "169,500 kids are living in temporary accommodation")
    assert comparison.verdict in {"near", "differs"} and comparison.corpus[0].figure.text == "169,050"


def test_months_and_a_place_adjective_contradict_nothing(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "# Irish Exchequer receipts\n\nTotal Exchequer tax receipts for January to September 2025 were "
        "€76.2bn, compared with €71.1bn in the same period last year.",
    )
    comparison = only_comparison(engine, "Irish tax receipts reached €80bn in Jan-Sep 2025")
    assert comparison.verdict == "differs" and comparison.corpus[0].figure.text == "€76.2bn"


def test_a_name_with_an_ampersand_must_be_named_by_the_document(tmp_path: Path) -> None:
    waits = "59.8% of patients had been waiting less than 18 weeks for hospital treatment in December."
    engine = one_document_engine(tmp_path, waits)
    assert only_comparison(engine, "75% of A&E patients were seen on time in December").verdict == "not_found"
    # The claim's "A&E" is one name, and so is the document's.
    assert "ae" in context_words("75% of A&E patients") and "ae" in plain_words("A&E waits")


def test_a_verb_matches_across_tenses(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Poland spent the highest share of GDP on its armed forces last year, at 4.1%.",
        title="Defence spending",
    )
    assert only_comparison(engine, "Poland spends 4.4% of GDP").verdict in {"near", "differs"}


def test_spending_on_something_else_is_not_the_claims_measure(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Councils' estimated spending on home-to-school transport reached £1.8 billion in 2024-25.",
        title="Council budgets",
    )
    assert only_comparison(engine, "councils spent £612m on street lighting in 2024-25").verdict == "not_found"


def test_a_word_opening_the_claim_is_not_a_name_for_being_capitalised(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path, "The Government estimates that around 4.98 million homes in England are leasehold.", title="Leasehold"
    )
    assert only_comparison(engine, "Apparently 4.98m homes in England are leasehold").verdict == "match"
    assert only_comparison(engine, "Heard 4.98m homes in England are leasehold").verdict == "match"
    # A place opening the claim is still a name the document must give.
    assert only_comparison(engine, "Wales has 4.98m leasehold homes").verdict == "not_found"


def test_plural_initials_are_a_common_noun_not_a_name(tmp_path: Path) -> None:
    text = "Emergency departments in Dublin treated 1,046 people for e-scooter injuries in 2024."
    engine = one_document_engine(tmp_path, text, title="Scooters")
    assert only_comparison(engine, "Dublin EDs treated 1,046 people for e-scooter injuries in 2024").verdict == "match"


def test_the_publisher_names_what_its_whole_document_is_about(tmp_path: Path) -> None:
    paragraphs = [
        "Hollin Bay will move to three-weekly grey bin collections from October.",
        "Our recycling rate was 38.4% in 2024-25, well below the England average of 43%.",
        "Food waste will be collected every week in a new caddy.",
        "Garden waste collections continue every fortnight for subscribers.",
    ]
    engine = one_document_engine(
        tmp_path, "\n\n".join(paragraphs), title="Changes to your bin collections", source="Hollin Bay Borough Council"
    )
    assert only_comparison(engine, "Hollin Bay's recycling rate was 38.4 per cent in 2024-25").verdict == "match"


def test_a_place_typed_in_lower_case_is_still_a_place(tmp_path: Path) -> None:
    engine = one_document_engine(
        tmp_path,
        "Free school meals will reach around 60,000 more secondary pupils in London.\n\n"
        "Most of the new places are in primary schools.\n\n"
        "Northern Ireland runs its own scheme.\n\n"
        "The change starts in September.",
        title="Free school meals",
    )
    assert only_comparison(engine, "free school meals reach 60,000 more pupils in northern ireland").verdict == (
        "not_found"
    )
    assert only_comparison(engine, "free school meals reach 60,000 more pupils in London").verdict == "match"
    assert "scotland" in context_words("social rents in scotland go up 4.8%")


def test_quid_is_pounds(tmp_path: Path) -> None:
    engine = one_document_engine(tmp_path, "Single bus fares are capped at £2 on every route.", title="Buses")
    comparison = only_comparison(engine, "single bus fares are capped at 2 quid")
    assert comparison.verdict == "match" and comparison.corpus[0].figure.text == "£2"
