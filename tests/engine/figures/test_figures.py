"""Figures: parsing every format, qualifiers, roles, labels, grouping, completion, hostile input.

All sentences here are written for these tests (none comes from the seed article).
"""

from __future__ import annotations

import math
import pickle
import time
from collections import Counter

import numpy as np
import pytest

from bot.engine.figures import scoring
from bot.engine.figures.index import (
    FigureGroup,
    FigureIndex,
    IndexedFigure,
    SentenceRef,
    figure_to_json,
    lookup_to_json,
)
from bot.engine.figures.parse import MAX_LABEL_CHARS, Figure, extract_figures
from bot.engine.figures.scoring import nearby_terms, parse_topic, text_terms
from bot.engine.models import Citation


def one(sentence: str, text: str) -> Figure:
    """The figure written as ``text`` in ``sentence`` (exactly one must exist)."""
    found = [f for f in extract_figures(sentence) if f.text == text]
    assert len(found) == 1, [f.text for f in extract_figures(sentence)]
    return found[0]


def texts(sentence: str) -> list[str]:
    return [f.text for f in extract_figures(sentence)]


# -------------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("sentence", "text", "value", "kind", "unit"),
    [
        ("The scheme cost £140million to set up.", "£140million", 140_000_000, "money", "GBP"),
        ("The threshold is £38,700 from spring.", "£38,700", 38_700, "money", "GBP"),
        ("A £15m grant was approved.", "£15m", 15_000_000, "money", "GBP"),
        ("They signed a $2bn deal.", "$2bn", 2e9, "money", "USD"),
        ("The €3.5 billion fund opened.", "€3.5 billion", 3.5e9, "money", "EUR"),
        ("The fund holds £400 million.", "£400 million", 4e8, "money", "GBP"),
        ("The bill came to £1.5bn.", "£1.5bn", 1.5e9, "money", "GBP"),
        ("A stamp costs 12p now.", "12p", 0.12, "money", "GBP"),
        ("The firm paid US$5m in fines.", "US$5m", 5e6, "money", "USD"),
        ("Fines reached 5 million pounds.", "5 million pounds", 5e6, "money", "GBP"),
        ("The survey covered 745,000 homes.", "745,000", 745_000, "count", None),
        ("It recorded 29,090 arrivals.", "29,090", 29_090, "count", None),
        ("Some 2.7 million workers benefit.", "2.7 million", 2.7e6, "count", None),
        ("Three councils objected.", "Three", 3, "count", None),
        ("Three hundred and twenty-five people came.", "Three hundred and twenty-five", 325, "count", None),
        ("Growth was 20 per cent.", "20 per cent", 20, "percent", None),
        ("Turnout was 35%.", "35%", 35, "percent", None),
        ("Inflation hit 9.8 percent.", "9.8 percent", 9.8, "percent", None),
        ("A third of staff agreed.", "A third", 1 / 3, "fraction", None),
        ("Two-thirds of firms agreed.", "Two-thirds", 2 / 3, "fraction", None),
        ("Half of the board resigned.", "Half", 0.5, "fraction", None),
        ("A quarter of routes closed.", "A quarter", 0.25, "fraction", None),
        ("One in five households are in arrears.", "One in five", 0.2, "fraction", None),
        ("Prices rose six times faster.", "six times", 6, "multiple", None),
        ("Twice as many people applied.", "Twice", 2, "multiple", None),
        ("The trial lasted 18 months.", "18 months", 18, "duration", "month"),
        ("The strike lasted five days.", "five days", 5, "duration", "day"),
        ("The review takes five years.", "five years", 5, "duration", "year"),
        ("He made a one-day visit.", "one-day", 1, "duration", "day"),
        ("It ran for four decades.", "four decades", 40, "duration", "year"),
        # a duration in two units is one figure in the larger unit
        ("Crews took 8 minutes 14 seconds.", "8 minutes 14 seconds", 8 + 14 / 60, "duration", "minute"),
        ("He served 2 years and 6 months.", "2 years and 6 months", 2.5, "duration", "year"),
        ("Patients waited 18 wks.", "18 wks", 18, "duration", "week"),
        ("A wait of 3 hrs 20 mins.", "3 hrs 20 mins", 3 + 20 / 60, "duration", "hour"),
        # written with colons: a duration when no clock shows it (minutes past 23, hours:minutes:seconds)
        ("The mean was 47:05.", "47:05", 47 + 5 / 60, "duration", "minute"),
        ("The race was won in 2:06:31.", "2:06:31", 2 + 6 / 60 + 31 / 3600, "duration", "hour"),
        # ... or after a word that measures a length of time
        ("Nine in ten were reached within 14:37.", "14:37", 14 + 37 / 60, "duration", "minute"),
        ("The law passed in 2021.", "2021", 2021, "year", None),
        ("The 2019 manifesto promised it.", "2019", 2019, "year", None),
        ("Accounts for 2023/24 are late.", "2023/24", 2023, "year", None),
        ("It takes effect in April 2024.", "April 2024", 2024, "date", None),
        ("It was signed on 5 December 2023.", "5 December 2023", 2023, "date", None),
        ("Figures for the year to December rose.", "December", 12, "date", None),
    ],
)
def test_formats(sentence: str, text: str, value: float, kind: str, unit: str | None) -> None:
    figure = one(sentence, text)
    assert math.isclose(figure.value, value, rel_tol=1e-9)
    assert figure.kind == kind
    assert figure.unit == unit
    assert sentence[figure.start : figure.end] == figure.text


def test_money_is_one_figure_not_also_a_count() -> None:
    figures = extract_figures("The original £140million plan was dropped.")
    assert [(f.text, f.kind, f.value, f.unit) for f in figures] == [("£140million", "money", 140_000_000, "GBP")]


def test_rates() -> None:
    homes = one("The plan adds 300,000 a year.", "300,000 a year")
    assert (homes.kind, homes.value, homes.unit, homes.per) == ("rate", 300_000, "per year", "year")
    salary = one("The threshold rises to £38,000 a year.", "£38,000 a year")
    assert (salary.kind, salary.unit, salary.per) == ("money", "GBP", "year")
    fare = one("Passengers pay no more than £2 per journey.", "£2 per journey")
    assert (fare.kind, fare.value, fare.per, fare.qualifier) == ("money", 2, "journey", "up to")
    wage = one("Nurseries get £11.50 per child per hour.", "£11.50 per child per hour")
    assert wage.per == "child per hour"
    built = one("The council will buy 300 homes a year.", "300 homes a year")
    assert (built.kind, built.per, built.label) == ("rate", "year", "homes")
    assert one("Bins are collected twice a week.", "twice a week").kind == "rate"


def test_a_year_earlier_is_when_not_a_rate() -> None:
    earlier = one("It made up 2.5% of the list, compared with 3.2% a year earlier.", "3.2%")
    assert (earlier.kind, earlier.per) == ("percent", None)
    assert one("Some 12,000 applied a year ago.", "12,000").per is None


def test_dates_carry_iso() -> None:
    assert one("It starts on 5 December 2023.", "5 December 2023").iso == "2023-12-05"
    assert one("It starts in April 2024.", "April 2024").iso == "2024-04"
    assert one("It starts on 2024-07-01.", "2024-07-01").iso == "2024-07-01"
    assert one("Data for the year to December.", "December").iso == "--12"


@pytest.mark.parametrize(
    "sentence",
    [
        "The 2021 census counted 2019 schools in 2020.",
        "Since 1998, and again in 2010, rules changed.",
        "From 2019 to 2021 the fund grew.",
        "The 1990s were different.",
    ],
)
def test_years_are_never_counts(sentence: str) -> None:
    for figure in extract_figures(sentence):
        if figure.text[:4].isdigit() and 1900 <= int(figure.text[:4]) <= 2100:
            assert figure.kind in {"year", "date"}, figure


def test_ordinals_and_identifiers_are_not_figures() -> None:
    assert texts("She came first and the party finished in third place.") == []
    assert texts("It was a third term for the mayor and a second chance.") == []
    assert texts("Covid-19 rules under Article 50 were discussed at No 10 and the G7 summit.") == []
    assert texts("The 24/7 helpline opened in the 21st century at 10:30am.") == []
    assert texts("Polls close at 10:30 and the 22:15 train is the last.") == []  # times of day
    assert texts("Net zero is one of the aims.") == []
    assert texts("Not a single person and no one came.") == []


def test_a_second_number_joins_a_duration_only_in_a_smaller_unit() -> None:
    assert texts("It lasted 5 minutes 90 seconds.") == ["5 minutes", "90 seconds"]
    assert texts("Talks took 3 days and 2 weeks passed.") == ["3 days", "2 weeks"]


def test_fraction_versus_ordinal() -> None:
    assert texts("Costs are down by a third on last year.") == ["a third"]
    assert texts("A third of voters agreed.") == ["A third"]
    assert texts("He won a third term.") == []


def test_number_words_quantify() -> None:
    assert one("Six sites will open.", "Six").value == 6
    assert one("It needs twenty-five staff.", "twenty-five").value == 25
    assert one("A five-point plan was published.", "five-point").kind == "count"
    assert one("Half a million people marched.", "Half a million").value == 500_000


def test_ranges_share_units_and_scale() -> None:
    figures = extract_figures("Between 20 and 30 per cent of firms expect to hire two to three million staff.")
    assert [(f.text, f.kind, f.value) for f in figures] == [
        ("20", "percent", 20),
        ("30 per cent", "percent", 30),
        ("two", "count", 2e6),
        ("three million", "count", 3e6),
    ]
    assert figures[0].label == figures[1].label == "firms"
    assert figures[2].label == figures[3].label == "staff"


# ------------------------------------------------------------------------------ qualifiers


@pytest.mark.parametrize(
    ("sentence", "text", "qualifier"),
    [
        ("More than 1,000 people came.", "1,000", "more than"),
        ("Over 2,000 people signed.", "2,000", "more than"),
        ("Sales have topped £5bn.", "£5bn", "more than"),
        ("At least 4 councils abstained.", "4", "at least"),
        ("Fewer than 100 replied.", "100", "below"),
        ("It earns less than £7,400 a year.", "£7,400 a year", "below"),
        ("It stays below 80 per cent of rents.", "80 per cent", "below"),
        ("Almost 500 people attended.", "500", "almost"),
        ("Nearly 20% left.", "20%", "almost"),
        ("Around 60 stayed.", "60", "around"),
        ("About 30 spoke.", "30", "about"),
        ("Roughly a third agreed.", "a third", "about"),
        ("Up to 10 voted.", "10", "up to"),
        ("It will be reviewed within three years.", "three years", "up to"),
        ("It cost 1,000 or more.", "1,000", "at least"),
        ("The plan was signed 12 months ago.", "12 months", None),
    ],
)
def test_qualifiers(sentence: str, text: str, qualifier: str | None) -> None:
    assert one(sentence, text).qualifier == qualifier


def test_over_a_period_is_not_a_bound() -> None:
    assert one("It will spend £45 million over 10 years.", "10 years").qualifier is None


# ----------------------------------------------------------------------------------- roles


def test_roles_of_a_revision() -> None:
    figures = extract_figures("Waiting lists grew from 606,000 to 745,000, an increase of 139,000.")
    assert [(f.text, f.role) for f in figures] == [("606,000", "from"), ("745,000", "to"), ("139,000", "change")]
    assert {f.label for f in figures} == {"Waiting lists"}


def test_roles_of_a_change_and_new_value() -> None:
    figures = extract_figures("The council's housing budget will rise by £2m to more than £14m next year.")
    assert [(f.text, f.role, f.qualifier) for f in figures] == [("£2m", "change", None), ("£14m", "to", "more than")]
    assert {f.label for f in figures} == {"council's housing budget"}


def test_a_plain_figure_has_no_role() -> None:
    assert one("The library lends 5,000 books.", "5,000").role is None


@pytest.mark.parametrize(
    ("sentence", "text", "role"),
    [
        # What a change noun heading the subject *is*, is the change: a claim "rents can rise by up to 4.8%"
        # is about this figure.
        ("Because CPI stood at 3.8% in September, the maximum increase in April 2026 will be 4.8%.", "4.8%", "change"),
        ("The rise is expected to be £5 a week.", "£5 a week", "change"),
        ("The cut to the budget is £3bn, the Treasury said.", "£3bn", "change"),
        # The subject's head is before its prepositional phrase: a cap on a rise is a level.
        ("The cap on the rise is £5.", "£5", None),
        ("The level of the cap will be £2.", "£2", None),
        # No "be": the change noun is not what the figure is.
        ("The increase helped 5,000 families.", "5,000", None),
    ],
)
def test_a_figure_a_change_is(sentence: str, text: str, role: str | None) -> None:
    assert one(sentence, text).role == role


# ---------------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("sentence", "text", "label"),
    [
        # "<N> <label>": the figure modifies a noun, with its adjectives
        ("Officials approved a £3 million flood defence scheme.", "£3 million", "flood defence scheme"),
        ("The original £80m contract was cancelled.", "£80m", "original contract"),
        ("The survey covered 745,000 homes in the region.", "745,000", "homes"),
        # "<label> of <N>", container words dropped
        ("The district has a population of about 310,000.", "310,000", "population"),
        ("The number of nurses who left the profession has topped 40,000.", "40,000", "nurses"),
        # "<label> (rose|will rise) ... to|by <N>"
        ("Average rents rose to £1,200 a month.", "£1,200 a month", "Average rents"),
        ("Ministers plan to cut waiting lists by 10 per cent.", "10 per cent", "waiting lists"),
        ("The price cap for a typical household will fall by £120.", "£120", "price cap for a typical household"),
        ("Passenger numbers outside London rose by 9 per cent.", "9 per cent", "Passenger numbers outside London"),
        # "<label>: <N>"
        ("Unemployment: 4.2%", "4.2%", "Unemployment"),
        # the subject of a relative clause and of a parenthetical
        ("Parents who earn more than £100,000 a year lose the benefit.", "£100,000 a year", "Parents"),
        ("The offset, which employers deduct, rises to £10.66 a day.", "£10.66 a day", "offset"),
        ("The scheme, which costs £2.5bn a year, supports families.", "£2.5bn a year", "scheme"),
        ("Child benefit is worth £25.60 a week for the eldest child.", "£25.60 a week", "Child benefit"),
        # ", down from <N>" compares with the figure before; a bracketed figure restates it
        ("Inflation was 4.6% in the year to June, down from 6.7%.", "6.7%", "Inflation"),
        ("The project is worth £3.2 billion ($4bn).", "$4bn", "project"),
        ("A £1,000-a-year subsidy was offered.", "£1,000-a-year", "subsidy"),
        # "of <NP>" after the figure
        ("Around 2.7 million of the lowest-paid workers get a rise.", "2.7 million", "lowest-paid workers"),
        ("Prices doubled, rising three times the level of wages.", "three times", "level of wages"),
    ],
)
def test_labels(sentence: str, text: str, label: str) -> None:
    figure = one(sentence, text)
    assert figure.label == label
    assert not figure.weak_label


def test_labels_are_short_and_never_empty() -> None:
    for sentence in [
        "5,000.",
        "It was 12.",
        "Of the 30, 12 and 14 and 16 were late, said the 2 of them, over 3 days.",
        "The very long and winding and exceptionally detailed programme of national infrastructure renewal "
        "for the coastal towns of the north and the south will cost £9bn.",
    ]:
        for figure in extract_figures(sentence):
            assert figure.label.strip()
            assert len(figure.label.split()) <= 8
            assert len(figure.label) <= MAX_LABEL_CHARS


def test_weak_labels_are_flagged() -> None:
    figure = one("It was 12.", "12")
    assert figure.weak_label


# ------------------------------------------------------------------------------- the index


def cite(document: str, paragraph: int, date: str | None = None) -> Citation:
    return Citation(
        document=document,
        title=document.title(),
        date=date,
        paragraph=paragraph,
        passage_id=f"{document}:{paragraph}",
    )


def refs(rows: list[tuple[str, int, str, str | None]]) -> list[SentenceRef]:
    return [SentenceRef(text=text, citation=cite(doc, para, date)) for doc, para, text, date in rows]


@pytest.fixture(scope="module")
def index() -> FigureIndex:
    return FigureIndex.build(
        refs(
            [
                ("wages", 1, "The minimum wage will rise from £10.42 to £11.44 an hour in April.", "2023-01-01"),
                ("wages", 2, "Around 2 million workers will benefit from the rise.", "2023-01-01"),
                ("wages", 3, "Unions had asked for a minimum wage of £15 an hour.", "2023-01-01"),
                ("news", 1, "The new minimum wage of £11.44 an hour starts next week.", "2023-03-25"),
                ("news", 2, "Council tax will go up by 5 per cent in most areas.", "2023-03-25"),
                ("news", 3, "Some 300 libraries have closed since 2010.", "2023-03-25"),
                ("news", 4, "The library budget fell to £700m.", "2023-03-25"),
            ]
        )
    )


def flat(groups: list) -> list[str]:
    return [m.figure.text for g in groups for m in g.members]


def test_related_values_are_grouped_side_by_side(index: FigureIndex) -> None:
    groups = index.lookup("minimum wage")
    first = groups[0]
    assert first.family == "money:GBP"
    assert [m.figure.text for m in first.members][:4] == ["£10.42", "£11.44 an hour", "£15 an hour", "£11.44 an hour"]
    # each member keeps its own sentence and citation
    assert {m.citation.document for m in first.members} == {"wages", "news"}
    assert all(m.figure.text in m.sentence for m in first.members)
    assert "5 per cent" not in [m.figure.text for m in first.members]


def test_lookup_by_kind_words(index: FigureIndex) -> None:
    assert flat(index.lookup("how much will council tax rise by?"))[0] == "5 per cent"
    assert flat(index.lookup("how many libraries have closed?"))[0] == "300"
    assert flat(index.lookup("how much is the library budget?"))[0] == "£700m"


def test_lookup_of_one_value_keeps_only_the_groups_holding_it(index: FigureIndex) -> None:
    groups = index.lookup("minimum wage budget", limit=5, value=700_000_000)
    assert [m.figure.text for g in groups for m in g.members if m.figure.value == 700_000_000] == ["£700m"]
    assert all(any(m.figure.value == 700_000_000 for m in g.members) for g in groups)
    assert index.lookup("minimum wage", value=700_000_000) == []  # no figure of the topic has it
    assert index.lookup("", value=11.44) == []  # no overview for a value


def test_new_value_comes_first(index: FigureIndex) -> None:
    top = index.lookup("what is the new minimum wage?")[0].members
    assert top[0].figure.text == "£11.44 an hour"
    assert top[0].figure.role in {"to", None}


def test_lookup_misses_return_nothing(index: FigureIndex) -> None:
    assert index.lookup("hospital waiting times") == []


def test_empty_topic_is_the_overview(index: FigureIndex) -> None:
    assert index.lookup("   ") == index.overview()
    overview = index.overview(limit_per_document=2)
    per_document: dict[str, set[int]] = {}
    for group in overview:
        for member in group.members:
            per_document.setdefault(member.citation.document, set()).add(member.group)
            assert member.figure.kind not in {"year", "date"}
    assert per_document and all(len(groups) <= 2 for groups in per_document.values())


def test_json(index: FigureIndex) -> None:
    groups = index.lookup("minimum wage", limit=1)
    payload = lookup_to_json("minimum wage", groups)
    assert payload["topic"] == "minimum wage"
    first = payload["figures"][0]
    assert {"text", "value", "kind", "unit", "qualifier", "label", "sentence", "citation"} <= set(first)
    assert first["citation"]["document"] == "wages"
    assert figure_to_json(groups[0].members[0]) == first


def test_labels_and_completion(index: FigureIndex) -> None:
    labels = index.labels()
    assert "minimum wage" in [label.casefold() for label in labels]
    assert all(len(label) <= 100 for label in labels)
    assert index.complete("min")[0].casefold().startswith("min")
    assert any("library" in label.casefold() for label in index.complete("lib"))
    assert len(index.complete("", limit=2)) <= 2
    assert index.complete("m", limit=0) == []
    assert index.complete("zzz") == []
    assert index.complete("x" * 10_000) == []
    assert index.complete(None) == index.complete("")  # type: ignore[arg-type]


def test_an_empty_index_answers_everything_quietly() -> None:
    empty = FigureIndex.build([])
    assert empty.lookup("anything") == []
    assert empty.overview() == []
    assert empty.labels() == []
    assert empty.complete("a") == []


# ------------------------------------------------------------------- compact, inverted index

# The index's rows: a sentence whose terms are given leaves out words of its label and words near its
# figure, so a topic can match a figure by its label alone, or (not enough to count) only near it.
MIXED_ROWS = [
    ("fees", 1, "Tuition fees rose to £9,250 last year.", "2023-01-01"),
    ("fares", 1, "Bus fares rose by 5 per cent in 2023; the average bus fare is £2.50 a journey.", "2023-02-01"),
    ("fares", 2, "Rail fares went up by 4.9 per cent in March.", "2023-02-01"),
    ("fares", 3, "That figure of £2.50 was the highest since 2010.", "2023-02-01"),
    ("homes", 1, "Some 300,000 new homes a year are needed; 234,400 were built last year.", None),
    ("homes", 2, "The previous target was 250,000 homes a year.", None),
    ("homes", 3, "Some 300,000 new homes a year are needed; 234,400 were built last year.", None),
]


def mixed_refs() -> list[SentenceRef]:
    rows = refs(MIXED_ROWS)
    rows[0] = rows[0].model_copy(update={"terms": frozenset({"tuition"})})
    return rows


@pytest.fixture(scope="module")
def mixed() -> FigureIndex:
    return FigureIndex.build(iter(mixed_refs()))  # a generator: read once


def plain_scan(refs: list[SentenceRef], index: FigureIndex, topic: str, limit: int = 5) -> list[int]:
    """The groups a lookup returns, in order, by scoring every figure one by one (the index's
    definition of a score, without its inverted indexes)."""
    intent = parse_topic(topic)
    terms = {ref.text: ref.terms if ref.terms is not None else text_terms(ref.text) for ref in reversed(refs)}
    df = Counter(t for text in {m.sentence for m in index.figures} for t in terms[text])
    count = len({m.sentence for m in index.figures})
    weights = {t: math.log(1.0 + count / (1 + df[t])) for t in dict.fromkeys(intent.terms)}
    scores = []
    for item in index.figures:
        figure, near = item.figure, nearby_terms(item.sentence, item.figure)
        sentence = sum(w for t, w in weights.items() if t in terms[item.sentence])
        label = sum(w for t, w in weights.items() if t in text_terms(figure.label))
        if sentence == 0 and label == 0:
            scores.append(0.0)
            continue
        closeness = sum(w * (1 - (near[t] - 1) / scoring.NEAR_TOKENS) for t, w in weights.items() if t in near)
        score = scoring.SENTENCE_WEIGHT * sentence + scoring.LABEL_WEIGHT * label + scoring.NEAR_WEIGHT * closeness
        score /= sum(weights.values())
        if intent.kinds and figure.kind not in intent.kinds:
            score *= scoring.OTHER_KIND_FACTOR
        if figure.kind in {"year", "date"} and not intent.kinds & {"year", "date"}:
            score *= scoring.TIME_FACTOR
        if figure.kind == "duration" and "duration" not in intent.kinds:
            score *= scoring.DURATION_FACTOR
        if intent.role and figure.role == intent.role:
            score *= scoring.ROLE_FACTOR
        elif figure.role == "change" and intent.role != "change":
            score *= scoring.CHANGE_FACTOR
        scores.append(score * scoring.WEAK_LABEL_FACTOR if figure.weak_label else score)
    groups: list[int] = []
    for i in sorted((i for i, s in enumerate(scores) if s > 0), key=lambda i: (-scores[i], i)):
        if index.figures[i].group not in groups and len(groups) < limit:
            groups.append(index.figures[i].group)
    return groups


def test_lookup_finds_what_a_plain_scan_finds(mixed: FigureIndex) -> None:
    rows = mixed_refs()
    words = {w.strip(".,;").casefold() for _, _, text, _ in MIXED_ROWS for w in text.split()}
    topics = [*sorted(words), "bus fares", "new homes", "previous homes target", "how much are bus fares"]
    topics += ["how many homes were built", "what percentage rail fares", "latest fares", "fees rose"]
    for topic in topics:
        if parse_topic(topic).terms:
            assert [g.members[0].group for g in mixed.lookup(topic)] == plain_scan(rows, mixed, topic), topic


def test_label_words_count_and_words_only_near_a_figure_do_not(mixed: FigureIndex) -> None:
    # "fees" is in the label of £9,250 but not in its sentence's (given) terms: found by its label.
    assert "£9,250" in [m.figure.text for g in mixed.lookup("fees") for m in g.members]
    # "rose" is next to £9,250 but neither in its sentence's terms nor its label: not enough.
    rose = [m.figure.text for g in mixed.lookup("rose") for m in g.members]
    assert rose and "£9,250" not in rose


def test_results_are_the_figures_given_with_their_citations() -> None:
    rows = mixed_refs()
    index = FigureIndex.build(iter(rows))
    given = [(figure, ref.citation) for ref in rows for figure in extract_figures(ref.text)]
    # "That figure of £2.50" borrows the label of the same £2.50 stated in its document.
    borrowed = {"label": "average bus fare", "weak_label": False}
    expected = [f.model_copy(update=borrowed) if f.label == "figure" else f for f, _ in given]
    assert [m.figure for m in index.figures] == expected  # made again from compact columns
    assert [m.figure.model_fields_set for m in index.figures] == [f.model_fields_set for f in expected]
    # Citations are the ones given (shared), not copies.
    assert all(m.citation is citation for m, (_, citation) in zip(index.figures, given, strict=True))


def test_figures_the_columns_cannot_rebuild_are_kept_as_given() -> None:
    odd = Figure(text="nine thousand", start=0, end=4, value=9000.0, kind="count", label="fees")
    sparse = Figure(text="£9,250", start=13, end=19, value=9250.0, kind="money", label="fees")  # unit left unset
    index = FigureIndex.build([SentenceRef(text="Tuition fees £9,250.", citation=cite("f", 1), figures=(odd, sparse))])
    assert [m.figure for m in index.figures] == [odd, sparse]
    assert [m.figure.model_fields_set for m in index.figures] == [odd.model_fields_set, sparse.model_fields_set]
    assert index.lookup("fees")[0].members[0].figure.text in {"nine thousand", "£9,250"}


def _reachable(root: object) -> list[object]:
    """Every object reachable from ``root`` through containers and attributes (not numpy arrays)."""
    seen: dict[int, object] = {}
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, int, float, bytes, np.ndarray, type)):
            continue
        seen[id(obj)] = obj
        if isinstance(obj, dict):
            stack += [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack += list(obj)
        elif isinstance(obj, Citation):
            continue
        else:
            stack += [getattr(obj, name) for name in getattr(obj, "__slots__", ()) if hasattr(obj, name)]
            stack += list(getattr(obj, "__dict__", {}).values())
    return list(seen.values())


def test_the_index_keeps_no_object_per_figure(mixed: FigureIndex) -> None:
    kept = _reachable(mixed)
    assert not [o for o in kept if isinstance(o, (Figure, IndexedFigure, FigureGroup, SentenceRef))]
    assert len(mixed) == len(mixed.figures) > 0


def test_the_index_pickles(mixed: FigureIndex) -> None:
    again = pickle.loads(pickle.dumps(mixed))
    for topic in ["", "fares", "how many homes", "how much", "new homes", "previous target"]:
        assert again.lookup(topic) == mixed.lookup(topic)
    assert again.figures == mixed.figures
    assert again.labels() == mixed.labels() and again.complete("b") == mixed.complete("b")


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "text",
    [
        "9" * 6000,
        "1," * 3000,
        "1, " * 3000,
        "£" * 5000 + "1" * 5000,
        ("a third of " * 1000)[:10_000],
        ("more than £1,000 a year from 5 to 6 per cent " * 300)[:10_000],
        "-" * 10_000,
        "x" * 10_000,
    ],
)
def test_hostile_input_is_fast(text: str) -> None:
    started = time.perf_counter()
    figures = extract_figures(text)
    assert time.perf_counter() - started < 1.5
    for figure in figures:
        assert text[figure.start : figure.end] == figure.text


def test_hostile_index_queries_are_fast(index: FigureIndex) -> None:
    started = time.perf_counter()
    index.lookup("1," * 5000)
    index.lookup("how much " * 2000)
    index.complete("£" * 10_000)
    assert time.perf_counter() - started < 1.0
