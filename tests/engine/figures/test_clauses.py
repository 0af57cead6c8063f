"""A figure's own clause, and the direction of its change read from it."""

import pytest

from bot.engine.figures.clauses import asked_direction, clause_of, direction_of

SEED = (
    "Under the plan – announced days after it emerged net migration had hit an all-time high of 745,000 last "
    "year – the bar on care workers bringing dependants is expected to cut net migration by about 100,000 a year."
)
REVISION = (
    "The Office for National Statistics (ONS) drastically revised its figure for the year to December up from "
    "606,000 to 745,000, an increase of 139,000, almost the same as the population of Cambridge."
)


def at(sentence: str, figure: str) -> tuple[str, int, int]:
    start = sentence.index(figure)
    return sentence, start, start + len(figure)


def test_a_clause_of_a_few_words_belongs_to_the_clause_before_it() -> None:
    assert clause_of(*at(REVISION, "139,000")).strip().startswith("drastically revised its figure")
    assert clause_of(*at(SEED, "745,000")).strip().startswith("announced days after")


@pytest.mark.parametrize(
    ("sentence", "figure", "direction"),
    [(SEED, "100,000", "down"), (REVISION, "139,000", "up"), ("Fees stay at £9,250.", "£9,250", None)],
)
def test_the_direction_of_a_change_is_read_from_its_clause(sentence: str, figure: str, direction: str | None) -> None:
    assert direction_of(*at(sentence, figure)) == direction


@pytest.mark.parametrize(
    ("question", "direction"),
    [
        ("by how much did the ONS revise net migration up?", "up"),
        ("how many fewer people will the care worker ban mean?", "down"),
        ("how much did fuel duty change by", None),
    ],
)
def test_the_direction_a_question_asks(question: str, direction: str | None) -> None:
    assert asked_direction(question) == direction
