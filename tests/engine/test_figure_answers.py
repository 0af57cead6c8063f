"""Figure questions: the figure asked for first, by the answer reader, the kind and the role asked."""

from pathlib import Path

import pytest

from bot.engine.claims import check_claim
from bot.engine.engine import Engine
from bot.engine.figure_answers import asked_kinds, asked_role, rank_figures


@pytest.mark.parametrize(
    ("question", "kinds", "role"),
    [
        ("how much is the salary threshold going up by?", {"money"}, "change"),
        ("by how much did the ONS revise net migration up?", set(), "change"),
        ("what was the ONS estimate before it was revised?", set(), "from"),
        ("how many fewer people will the care worker ban mean?", {"count", "rate"}, "change"),
        ("what will the starting salary be from september", {"money"}, "to"),
        ("what share of receipts is fuel duty", {"percent", "fraction"}, None),
        ("fuel duty", set(), None),
    ],
)
def test_what_a_question_asks_for(question: str, kinds: set[str], role: str | None) -> None:
    assert asked_kinds(question) == kinds
    assert asked_role(question) == role


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("how much is the salary threshold going up by?", "£12,500"),
        ("what was the ONS estimate before it was revised?", "606,000"),
    ],
)
def test_the_role_asked_for_comes_first(seed_engine: Engine, question: str, first: str) -> None:
    assert rank_figures(seed_engine, question, 3)[0].members[0].figure.text == first


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


def test_close_only_when_the_documented_sentence_names_what_the_claim_measures(tmp_path: Path) -> None:
    (tmp_path / "visas.md").write_text(
        "# Seasonal workers\n\nIn 2025, 41,280 Seasonal Worker visas were issued to farm workers.\n", encoding="utf-8"
    )
    engine = Engine.from_folder(tmp_path)
    (same,) = check_claim(engine, "39,500 seasonal worker visas were issued in 2025").comparisons
    assert same.verdict == "near"
    (other,) = check_claim(engine, "there were 43,000 seasonal worker visa applications in 2025").comparisons
    assert other.verdict != "near", other.summary
