"""The labelling rules added for issue 17: each one on a sentence of its own (engine only, no Discord)."""

from __future__ import annotations

from bot.engine.figures.index import FigureIndex, SentenceRef, group_heading, measure_terms
from bot.engine.figures.labeller import (
    RULE_OWN_NOUN_OR_PARTNER,
    RULE_PREMODIFIER,
    RULE_PREPOSITION,
    RULE_RIGHT_PP,
    RULE_SIBLING,
    RULE_SUBJECT,
    label_figures,
)
from bot.engine.figures.parse import Figure, extract_figures
from bot.engine.figures.scanner import RawFigure, scan_figures, tokenize_sentence
from bot.engine.figures.scoring import text_terms
from bot.engine.models import Citation

REVISION = (
    "The Office for National Statistics (ONS) drastically revised its figure for the year to December up "
    "from 606,000 to 745,000, an increase of 139,000."
)


def one(sentence: str, text: str) -> Figure:
    found = [f for f in extract_figures(sentence) if f.text == text]
    assert len(found) == 1, [f.text for f in extract_figures(sentence)]
    return found[0]


def raw(sentence: str, text: str) -> RawFigure:
    toks = tokenize_sentence(sentence)
    raws = scan_figures(toks)
    label_figures(sentence, toks, raws)
    found = [r for r in raws if sentence[toks[r.i0].start : toks[r.i1 - 1].end] == text]
    assert len(found) == 1
    return found[0]


def cite(document: str, paragraph: int) -> Citation:
    return Citation(document=document, title=document, paragraph=paragraph, passage_id=f"{document}:{paragraph}")


def build(rows: list[tuple[str, int, str]]) -> FigureIndex:
    return FigureIndex.build([SentenceRef(text=text, citation=cite(doc, para)) for doc, para, text in rows])


def by_text(index: FigureIndex) -> dict[str, list[Figure]]:
    out: dict[str, list[Figure]] = {}
    for item in index.figures:
        out.setdefault(item.figure.text, []).append(item.figure)
    return out


# ---------------------------------------------------------------------- rule 3: a period container


def test_a_container_of_a_period_is_kept_whole_and_weak() -> None:
    for text in ("606,000", "745,000", "139,000"):
        figure = one(REVISION, text)
        assert figure.label == "figure for the year to December", (text, figure.label)
        assert figure.weak_label  # names no measure: the index may find it one


def test_a_container_of_a_measure_is_still_dropped() -> None:
    figure = one("The number of small boat migrants has topped 29,000.", "29,000")
    assert figure.label == "small boat migrants"
    assert not figure.weak_label


def test_the_index_names_the_measure_from_the_same_value_with_its_period() -> None:
    index = build(
        [("d", 9, REVISION), ("d", 66, "It emerged net migration had hit an all-time high of 745,000 last year.")]
    )
    figures = by_text(index)
    revised = [f for f in figures["745,000"] if f.role == "to"]
    assert [f.label for f in revised] == ["net migration for the year to December"]
    assert figures["606,000"][0].label == "net migration for the year to December"  # its partner in the change
    assert not figures["606,000"][0].weak_label
    # The change is another family: no value elsewhere speaks for it, it keeps its honest container.
    assert figures["139,000"][0].label == "figure for the year to December"
    assert figures["139,000"][0].weak_label


def test_without_the_value_elsewhere_the_container_stays() -> None:
    index = build([("d", 9, REVISION), ("e", 1, "Net migration hit 745,000 last year.")])  # another document
    assert all(f.label == "figure for the year to December" for f in by_text(index)["606,000"])


# ------------------------------------------------------------------ group headings and the overview


def test_periods_do_not_split_a_measure_and_stay_off_the_heading() -> None:
    assert measure_terms(text_terms("2019 net migration")) == measure_terms(text_terms("net migration"))
    assert measure_terms(text_terms("year to December")) == text_terms("year to December")  # nothing left
    index = build(
        [
            ("d", 9, REVISION),
            ("d", 22, "The goal is to reduce numbers to below the 2019 net migration figure of around 219,000."),
            ("d", 66, "It emerged net migration had hit an all-time high of 745,000 last year."),
        ]
    )
    group = index.lookup("net migration")[0]
    assert {m.figure.text for m in group.members} >= {"606,000", "745,000", "219,000"}
    assert group.label == "net migration"


def test_group_heading_is_the_label_all_members_share() -> None:
    assert group_heading(["2019 net migration", "net migration", "net migration for the year to December"]) == (
        "net migration"
    )
    assert group_heading(["salary threshold for a work visa", "salary threshold"]) == "salary threshold"
    assert group_heading(["original scheme"]) == "original scheme"
    assert group_heading(["homes", "new homes", "flats"]) == "homes"  # contained in most


def test_the_overview_shows_a_measure_once_whatever_the_role() -> None:
    index = build(
        [
            ("d", 1, "The salary threshold for a work visa will rise by £12,500 to more than £38,000 a year."),
            ("d", 2, "The salary threshold for a work visa will be £38,700."),
        ]
    )
    overview = index.overview()
    assert len(overview) == 1
    assert {m.figure.text for m in overview[0].members} == {"£12,500", "£38,000 a year", "£38,700"}


# ------------------------------------------------------------------------------- rule 7: payments


def test_a_figure_paid_for_something_is_the_payment() -> None:
    sentence = "Downing Street denied reports that Rwanda is set to be paid an extra £15million for the scheme."
    assert one(sentence, "£15million").label == "payment for the scheme"
    assert raw(sentence, "£15million").rule == RULE_RIGHT_PP
    index = build([("d", 4, "The original £140million scheme was signed almost 18 months ago."), ("d", 50, sentence)])
    groups = {m.figure.text: m.group for m in index.figures}
    assert groups["£15million"] != groups["£140million"]


def test_a_figure_of_something_is_an_amount_of_it() -> None:
    assert one("Projects will attract £31bn of private investment.", "£31bn").label == "private investment"
    figure = one("Retention improved: 9.1% of full-time teachers left the profession.", "9.1%")
    assert figure.label == "full-time teachers"


# -------------------------------------------------------------------- rule 2: noun-verbs as nouns


def test_a_lexicon_verb_after_a_figure_is_a_noun() -> None:
    assert one("Teachers to receive 4.2% pay award", "4.2%").label == "pay award"
    assert one("Teachers will receive a 4.2% pay rise from September.", "4.2%").label == "pay rise"
    assert raw("Teachers will receive a 4.2% pay rise from September.", "4.2%").rule == RULE_PREMODIFIER
    # still a verb when no noun follows: "5,000 work in the sector"
    assert one("Some 5,000 work in the sector.", "5,000").label != "work"


# ------------------------------------------------------------------- rule 4: compared with a figure


def test_compared_with_a_figure_is_the_same_measure() -> None:
    sentence = "The cost of a place was £54,000 a year in 2024, compared with £51,000 in 2023."
    assert one(sentence, "£51,000").label == one(sentence, "£54,000 a year").label == "cost of a place"
    assert raw(sentence, "£51,000").rule == RULE_SIBLING


def test_up_from_a_value_a_year_earlier_is_the_same_measure() -> None:
    sentence = "Vacancies stood at 2,650 in November 2025, down from 3,100 a year earlier."
    assert one(sentence, "3,100").label == "Vacancies"  # "a year earlier" says when: no rate


# ------------------------------------------------------------ periods are not labels; subjects


def test_a_period_after_the_figure_is_not_its_label() -> None:
    figure = one("She said the average price of a litre of unleaded was 136.4p on Tuesday.", "136.4p")
    assert figure.label == "average price of a litre of unleaded"  # "unleaded" after "of" is no verb
    assert raw("She said the average price of a litre of unleaded was 136.4p on Tuesday.", "136.4p").rule == (
        RULE_SUBJECT
    )
    assert "year" not in one("Households rose by 11.8% on a year earlier.", "11.8%").label


def test_a_demonstrative_after_a_preposition_stays_in_the_subject() -> None:
    figure = one("The usable operational capacity at that date was 88,900.", "88,900")
    assert figure.label == "usable operational capacity at that date"


def test_rules_are_recorded() -> None:
    assert raw(REVISION, "606,000").rule == RULE_PREPOSITION
    assert raw(REVISION, "745,000").rule == RULE_OWN_NOUN_OR_PARTNER
    assert raw(REVISION, "139,000").rule == RULE_SIBLING


# ------------------------------------------------------------------- subjects a clause reads on from


def test_both_figures_of_a_range_read_the_clause_before_the_first() -> None:
    sentence = "Nightly-paid accommodation can cost £90 to £150 a night in the capital."
    assert one(sentence, "£150 a night").label.endswith("accommodation")  # not "capital"
    assert one(sentence, "£90").label.endswith("accommodation")


def test_a_reduced_relative_clause_after_a_comma_has_the_subject_before_it() -> None:
    sentence = "Targeted retention payments, doubled from £3,000 to £6,000 a year, go to maths teachers."
    assert one(sentence, "£3,000").label == "Targeted retention payments"


def test_stay_states_a_value_like_remain() -> None:
    sentence = "The main rate of duty on petrol and diesel stays at 52.95p per litre."
    assert "rate of duty" in one(sentence, "52.95p per litre").label


def test_a_quoted_name_is_part_of_the_phrase() -> None:
    sentence = 'The round introduced a "clean industry bonus" worth up to £544m.'
    assert one(sentence, "£544m").label == "clean industry bonus"


def test_a_gerund_subject_is_kept_but_not_a_gerund_object() -> None:
    sentence = "Filling a typical family car with petrol now costs about £75."
    assert one(sentence, "£75").label.startswith("Filling")
    sentence = "Raising the salary threshold for a work visa to £38,700 is expected to cut numbers."
    assert one(sentence, "£38,700").label == "salary threshold for a work visa"


def test_a_duration_of_something_is_not_an_amount_of_it() -> None:
    sentence = "You can ask for a mandatory reconsideration within one month of the date on your letter."
    assert "date" not in one(sentence, "one month").label


def test_a_figure_listed_after_another_with_its_period_shares_its_label() -> None:
    sentence = (
        "Councils in England spent £2.8 billion on temporary accommodation in 2024-25, "
        "up from £2.3 billion in 2023-24 and £1.2bn in 2018-19."
    )
    listed = raw(sentence, "£1.2bn")
    assert listed.label == raw(sentence, "£2.3 billion").label
    assert listed.rule == RULE_OWN_NOUN_OR_PARTNER and not listed.weak
    # Without a period between them, two figures joined by "and" are a range, labelled as before.
    assert raw("between 20 and 30 per cent of firms", "20").label == "firms"


def test_a_value_takes_the_measure_its_compared_value_names_when_it_names_none() -> None:
    sentence = (
        "Councils estimated that it would cost £16.8bn to clear the backlog of repairs on all local roads "
        "in England, up from £16.3bn in the previous year."
    )
    now, before = one(sentence, "£16.8bn"), one(sentence, "£16.3bn")
    assert now.label == before.label == "backlog of repairs on all local roads"
    assert not now.weak_label


def test_a_count_a_level_verb_gives_measures_its_subject() -> None:
    sentence = (
        "The waiting list for consultant-led elective care stood at 7.31 million cases at the end of "
        "December 2025, down by 84,400 from November."
    )
    level = raw(sentence, "7.31 million")
    assert (level.label, level.rule) == ("waiting list for consultant-led elective care", RULE_PREPOSITION)
    # The change after "cases at the end of December" measures what 7.31 million does, not the cases.
    assert raw(sentence, "84,400").label == "waiting list for consultant-led elective care"


def test_a_count_of_things_done_keeps_its_noun() -> None:
    assert one("The scheme has reached 2 million households.", "2 million").label == "households"
    assert one("GP practices delivered 30.4 million appointments.", "30.4 million").label == "appointments"


def test_a_move_without_by_is_a_change_of_the_measure_before_it() -> None:
    sentence = (
        "Total tax receipts in Ireland were €76.2 billion in the first nine months of 2025, up €5.1bn, "
        "or 7.2%, on the same period of 2024."
    )
    for text in ("€5.1bn", "7.2%"):  # "or 7.2%" says the same change another way
        figure = one(sentence, text)
        assert (figure.label, figure.role) == ("Total tax receipts in Ireland", "change")
    assert one("Sales rose 5% last year.", "5%").role == "change"
    assert one("Receipts are up 7.2 per cent year on year.", "7.2 per cent").label == "Receipts"  # no period label


def test_a_particle_up_is_no_move() -> None:
    assert one("Foreign nationals make up 15% of the prison population.", "15%").role is None
    assert one("The change will free up around 2,900 places.", "2,900").role is None
    assert one("The levy raised £2bn.", "£2bn").role is None  # an amount raised, not a rise


def test_a_value_compared_with_an_earlier_time_is_the_earlier_value() -> None:
    for sentence in (
        "The median waiting time was 13.9 weeks, compared with 14.6 weeks in December 2024.",
        "The median waiting time was 13.9 weeks, compared with 14.6 weeks a year earlier.",
    ):
        assert one(sentence, "14.6 weeks").role == "from"
        assert one(sentence, "13.9 weeks").role is None
    # Another place, or a later year, is no earlier value.
    assert one("Scotland spent 9.1%, compared with 9.7% in Wales.", "9.7%").role is None
    assert one("Sales were 5% in 2024, compared with 7% in 2030.", "7%").role is None


def test_from_after_a_new_value_is_the_value_it_replaced() -> None:
    sentence = "Poultry visas rose by 39% to 1,980, from 1,420 a year earlier."
    earlier = one(sentence, "1,420")
    assert (earlier.role, earlier.label) == ("from", "Poultry visas")


def test_a_parenthetical_between_subject_and_verb_is_looked_past() -> None:
    sentence = (
        "Income tax receipts, including the universal social charge (USC), were €27.9bn in the first nine months."
    )
    assert one(sentence, "€27.9bn").label == "Income tax receipts"


def test_in_after_a_verb_is_its_particle_unless_it_says_when() -> None:
    assert one("Corporation tax brought in €22.4bn last year.", "€22.4bn").label == "Corporation tax"
    assert one("About 312,000 appointments were delivered in six months.", "six months").label != "appointments"


def test_a_change_noun_after_a_comma_changes_the_figure_before_it() -> None:
    sentence = "Income tax brought in €27.9bn, an increase of 6.1% year on year."
    change = one(sentence, "6.1%")
    assert (change.role, change.label) == ("change", "Income tax")
    assert one("Spending rose to £3bn, a sharp increase of £500m.", "£500m").label == "Spending"


def test_the_agent_of_a_reduced_passive_is_not_the_subject() -> None:
    sentence = "The average Band D council tax set by local authorities in England is £2,280."
    assert one(sentence, "£2,280").label == "average Band D council tax"


def test_a_participle_after_a_comma_has_the_subject_of_the_clause_before() -> None:
    sentence = (
        "The number of children with an education, health and care (EHC) plan has more than doubled since "
        "2015, reaching 596,300 in January 2025."
    )
    assert one(sentence, "596,300").label == "care (EHC) plan"
    assert one("Net migration rose sharply in 2023, reaching 745,000.", "745,000").label == "Net migration"


def test_an_abbreviation_in_brackets_after_the_phrase_is_left_off() -> None:
    sentence = "The rise is funded by cutting official development assistance (ODA) from 0.5% to 0.3% of GNI."
    assert one(sentence, "0.5%").label == "official development assistance"  # "cutting" is the verb
    assert one(sentence, "0.3%").label == "official development assistance"


def test_a_share_a_verb_gives_its_subject_measures_the_subject() -> None:
    assert one("Defence spending will rise to 2.6% of GDP by 2027.", "2.6%").label == "Defence spending, share of GDP"
    made_up = one("Battery electric cars made up 19.6% of new car registrations in 2024.", "19.6%")
    assert made_up.label == "Battery electric cars, share of new car registrations"
    # A share that is itself the subject is a share of its phrase.
    assert one("About 9.1% of full-time teachers left the profession.", "9.1%").label == "full-time teachers"


def test_a_figure_after_comma_at_measures_the_phrase_before_the_comma() -> None:
    sentence = "Poland spent the highest share of GDP, at 4.1%, followed by Estonia (3.4%)."
    assert one(sentence, "4.1%").label == "highest share of GDP"
    # A superlative with only its place, or a name, names no measure.
    sentence = "The number of potholes filled was highest in London, at 28, and lowest in the East of England, at 11."
    assert one(sentence, "11").label != "lowest in the East of England"
    assert one(sentence, "28").label != "London"


def test_an_ing_head_ends_a_compound_phrase() -> None:
    assert one("Councils spent £612m on street lighting in 2024-25.", "£612m").label == "spending on street lighting"


def test_what_a_reporting_verb_says_after_that_has_its_own_subject() -> None:
    sentence = "The Education Secretary announced last month that the cap on tuition fees would rise to £9,790."
    assert one(sentence, "£9,790").label == "cap on tuition fees"
    # A relative "that" still leads back to the phrase it qualifies.
    assert one("The number of homes that the council has built has topped 2,000.", "2,000").label == "homes"


def test_a_place_the_sentence_opens_with_is_where_its_figures_are_measured() -> None:
    sentence = "In Wales, where one company serves most households, the average bill will rise from £478 to £598."
    assert one(sentence, "£598").label == "average bill in Wales"
    assert one("In England and Wales, 4,000 officers joined.", "4,000").label == "officers in England and Wales"
    assert one("In March, the average bill rose to £500.", "£500").label == "average bill"  # a month is no place


def test_a_level_held_where_it_is_measures_its_subject() -> None:
    sentence = "The income tax personal allowance has been frozen at £12,570 since April 2021."
    assert one(sentence, "£12,570").label == "income tax personal allowance"
    fixed = one("The repayment threshold is fixed at £25,000 until April 2027.", "£25,000")
    assert fixed.label == "repayment threshold"
