"""Figure questions: the figure asked for first, by the answer reader, the kind and the role asked."""

from pathlib import Path

import pytest

from bot.engine.claims import check_claim
from bot.engine.engine import Engine
from bot.engine.figure_answers import (
    Asked,
    content_weights,
    figure_candidates,
    figure_signals,
    rank_figures,
    stated_numbers,
    weighted,
)
from bot.engine.figures.index import FigureGroup
from bot.engine.figures.stance import Stance
from training.data import DOCS as TRAINING_DOCS


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("how much is the salary threshold going up by?", "£12,500"),
        ("what was the ONS estimate before it was revised?", "606,000"),
        # The change asked "up" is the revision's increase, not the cut the ban is expected to make.
        ("by how much did the ONS revise net migration up?", "139,000"),
        # The figure whose own clause names the care workers, not the package's "300,000 fewer people".
        ("how many fewer people will the care worker ban mean?", "100,000"),
    ],
)
def test_the_role_asked_for_comes_first(seed_engine: Engine, question: str, first: str) -> None:
    # The figure's words, whatever its span takes of them ("about 100,000 a year").
    assert first in rank_figures(seed_engine, question, 3)[0].members[0].figure.text


def test_the_figures_labelled_with_the_topic_come_first(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "The Warm Homes scheme offers grants of up to £7,500 for heat pumps. "
        "The scheme is funded with £6.6 billion over the next parliament.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.md").write_text(
        "The £2 single bus fare cap will be extended. Rural routes will receive an extra £150 million in funding.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    shown = [m.figure.text for g in rank_figures(engine, "funding", 2) for m in g.members]
    assert set(shown[:2]) == {"£6.6 billion", "£150 million"}


def test_a_claim_of_the_documented_threshold_matches_it(seed_engine: Engine) -> None:
    (comparison,) = check_claim(seed_engine, "the salary threshold will be £38,700").comparisons
    assert comparison.verdict == "match" and comparison.corpus[0].figure.text == "£38,700"


def test_a_figure_of_a_place_the_documents_do_not_cover_is_not_found(seed_engine: Engine) -> None:
    (comparison,) = check_claim(seed_engine, "Germany's net migration was 745,000").comparisons
    assert comparison.verdict == "not_found"


def test_the_figure_beside_the_year_asked_comes_first(tmp_path: Path) -> None:
    (tmp_path / "spend.md").write_text(
        "# Temporary accommodation\n\nCouncils in England spent £2.8 billion on temporary accommodation in 2024-25, "
        "up from £2.3 billion in 2023-24 and £1.2bn in 2018-19.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    for year, expected in [("2018-19", "£1.2bn"), ("2023-24", "£2.3 billion"), ("2024-25", "£2.8 billion")]:
        question = f"how much did councils spend on temporary accommodation in {year}?"
        assert rank_figures(engine, question, 3)[0].members[0].figure.text == expected, year


def test_a_year_opening_a_when_clause_dates_the_figure_in_it(tmp_path: Path) -> None:
    (tmp_path / "sen.md").write_text(
        "# Special needs\n\nThe special needs budget has grown by more than 50% in cash terms since 2018-19, "
        "when it was £6.1 billion, to £9.4 billion in 2025-26.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    first = rank_figures(engine, "special needs budget back in 2018-19", 3)[0].members[0]
    assert first.figure.text == "£6.1 billion"


def test_close_only_when_the_documented_sentence_names_what_the_claim_measures(tmp_path: Path) -> None:
    (tmp_path / "visas.md").write_text(
        "# Seasonal workers\n\nIn 2025, 41,280 Seasonal Worker visas were issued to farm workers.\n", encoding="utf-8"
    )
    engine = Engine.from_folder(tmp_path)
    (same,) = check_claim(engine, "39,500 seasonal worker visas were issued in 2025").comparisons
    assert same.verdict == "near"
    (other,) = check_claim(engine, "there were 43,000 seasonal worker visa applications in 2025").comparisons
    assert other.verdict != "near", other.summary


def test_the_words_asked_about_weigh_by_their_rarity_among_the_candidates() -> None:
    sentences = [
        "Net migration hit 745,000 last year.",
        "The ONS revised net migration up by 139,000.",
        "The ban is expected to cut net migration by 100,000.",
    ]
    weights = content_weights("by how much did the ONS revise net migration up?", sentences)
    # Every sentence says "net migration": it tells them apart less than "ONS" does.
    assert weights["on"] > weights["net"] and weights["revis"] > weights["migrat"]
    # The wording of the kind and the unit counted is left to the signals of its own.
    assert set(content_weights("how many fewer people will the care worker ban mean?", sentences)) == {
        "care", "worker", "ban", "mean"
    }  # fmt: skip


def test_the_words_asked_count_in_the_figure_s_own_clause(tmp_path: Path) -> None:
    (tmp_path / "visas.md").write_text(
        "# Visa changes\n\nOverall the package will mean 300,000 fewer people arriving, while the care worker "
        "rule is expected to cut arrivals by 100,000 a year.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    question = "how many fewer arrivals will the care worker rule mean?"
    # One sentence, the same reader score and the same place in the index: the clause decides.
    scores = even_scores(engine, question, engine.figures.lookup(question, 5), frozenset(), "change")
    assert scores["100,000 a year"] > scores["300,000"]


def even_scores(
    engine: Engine,
    question: str,
    groups: list[FigureGroup],
    kinds: frozenset[str],
    role: str | None,
    stance: Stance | None = None,
) -> dict[str, float]:
    """Each figure's score for ``question`` with the same reader probability and place in the index, so
    that only its own words, kind, role and stance tell them apart."""
    members = {m.figure.text: m for g in groups for m in g.members}
    content = content_weights(question, [m.sentence for m in members.values()])
    return {
        text: weighted(figure_signals(m, Asked(kinds=kinds, role=role, content=content, stance=stance), 0.5, 0.5))
        for text, m in members.items()
    }


def test_the_stance_asked_for_comes_first_and_a_proposal_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "pay.md").write_text(
        "# Bus drivers' pay\n\nThe union is asking for a 9% pay rise for bus drivers. Bus drivers were offered a "
        "4.5% pay rise.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    question = "what pay rise does the union want for bus drivers"
    asked = even_scores(engine, question, engine.figures.lookup(question, 5), frozenset(), None, "proposal")
    assert asked["9%"] > asked["4.5%"]
    question = "bus drivers pay rise"
    plain = even_scores(engine, question, engine.figures.lookup(question, 5), frozenset(), None)
    assert plain["4.5%"] > plain["9%"]  # what the union asks for is not the pay rise


def test_a_topic_alone_shows_what_the_measure_is_before_what_it_was(tmp_path: Path) -> None:
    (tmp_path / "roads.md").write_text(
        "# Local roads\n\nThe backlog of repairs on local roads rose from £16.3bn to £16.8bn this year.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    assert rank_figures(engine, "road repair backlog", 2)[0].members[0].figure.text == "£16.8bn"
    assert rank_figures(engine, "road repair backlog before", 2)[0].members[0].figure.text == "£16.3bn"


def test_a_place_adjective_asks_for_the_label_naming_the_place(tmp_path: Path) -> None:
    (tmp_path / "receipts.md").write_text(
        "# Exchequer returns\n\nCorporation tax receipts were €22.4bn. Total tax receipts in Ireland were €76.2bn.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    assert rank_figures(engine, "irish tax receipts", 2)[0].members[0].figure.text == "€76.2bn"


def test_a_number_the_question_states_is_context_not_the_answer(tmp_path: Path) -> None:
    # A statistical bulletin of the reader's training data, where "18 weeks" is stated beside every figure.
    bulletin = TRAINING_DOCS / "health-waiting-list-statistics.md"
    (tmp_path / bulletin.name).write_text(bulletin.read_text(encoding="utf-8"), encoding="utf-8")
    engine = Engine.from_folder(tmp_path)
    question = "whats the govt's interim target for patients waiting under 18 wks by march 2026"
    assert rank_figures(engine, question, 2)[0].members[0].figure.text == "65%"
    # A yes/no question asks about the number it states: it is no context then.
    assert stated_numbers("is the target 65% of patients?") == frozenset()
    assert stated_numbers("how much more would 3.5% cost than 2.5% in 2035?") == {3.5, 2.5}


def test_the_role_asked_counts_only_for_a_figure_on_the_topic(tmp_path: Path) -> None:
    # "before" asks for an earlier value, but of the bus fare: not any document's earlier amount.
    (tmp_path / "fees.md").write_text(
        "# Tuition fees\n\nThe cap on undergraduate tuition fees will rise from £9,535 to £9,790 next year.\n",
        encoding="utf-8",
    )
    (tmp_path / "buses.md").write_text(
        "# Bus franchising\n\nPassengers now pay no more than £2 for a single adult journey on franchised routes. "
        "Before franchising, the average single fare in the region was £3.40.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    question = "what did a single bus fare cost on avg before franchising?"
    groups = engine.figures.lookup(question, 10) + engine.figures.lookup("tuition fees", 10)
    # The fee rose *from* £9,535 and is money, as asked, but its sentence says nothing of buses or fares.
    scores = even_scores(engine, question, groups, frozenset({"money"}), "from")
    assert scores["£3.40"] > scores["£9,535"]


def test_the_readers_preference_counts_when_every_sentence_is_unlikely(tmp_path: Path) -> None:
    (tmp_path / "roads.md").write_text(
        "# Local roads\n\nThe repair backlog stands at £16.8bn. Councils filled 1.4 million potholes.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    members = {m.figure.text: m for g in engine.figures.lookup("repair backlog potholes", 5) for m in g.members}
    backlog, potholes = members["£16.8bn"], members["1.4 million"]
    # The reader gives both sentences little chance, the backlog's ten times the other's; the index put
    # the potholes first. The reader's order decides.
    first = weighted(figure_signals(backlog, Asked(best=0.2), 0.0, 0.2))
    second = weighted(figure_signals(potholes, Asked(best=0.2), 1.0, 0.02))
    assert first > second
    # Without the reader (no best probability), the index's order stands.
    assert weighted(figure_signals(backlog, Asked(), 0.0)) < weighted(figure_signals(potholes, Asked(), 1.0))


def test_the_reader_reads_each_figures_own_clause(tmp_path: Path) -> None:
    (tmp_path / "budget.md").write_text(
        "# Council budget\n\n"
        "The council will spend £12 million on roads next year, with £3 million of it going to bikes.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    question = "how much will the council spend on bikes"
    found = {m.figure.text: s for s, _, m in figure_candidates(engine, question, engine.figures.lookup(question, 5))}
    # One sentence, so one sentence probability for both; the clause naming bikes is the likelier answer.
    assert found["£12 million"]["sentence"] == found["£3 million"]["sentence"]
    assert found["£3 million"]["clause"] > found["£12 million"]["clause"]
