"""What a figure question asks for, read once for the index's topic scoring and the figure answers."""

import pytest

from bot.engine.figures.intent import read_question
from bot.engine.figures.scoring import parse_topic


@pytest.mark.parametrize(
    ("question", "kinds", "role"),
    [
        ("how much is the salary threshold going up by?", {"money"}, "change"),
        ("by how much did the ONS revise net migration up?", set(), "change"),
        ("what was the ONS estimate before it was revised?", set(), "from"),
        ("how many fewer people will the care worker ban mean?", {"count", "rate"}, "change"),
        ("what will the starting salary be from september", {"money"}, "to"),
        ("what did fuel duty rise to?", set(), "to"),
        ("what share of receipts is fuel duty", {"percent", "fraction"}, None),
        ("how long is the curfew", {"duration"}, None),
        ("when did the freeze start", {"year", "date"}, None),
        ("fuel duty", set(), None),
    ],
)
def test_what_a_question_asks_for(question: str, kinds: set[str], role: str | None) -> None:
    asked = read_question(question)
    assert (set(asked.kinds), asked.role) == (kinds, role)


def test_when_inside_a_question_does_not_ask_for_a_date() -> None:
    # "when it was last raised" says which value, it does not ask when.
    assert read_question("what did fuel duty go up to when it was last raised in jan 2011").kinds == frozenset()
    assert read_question("and when did it go up?").kinds == {"year", "date"}


def test_a_single_word_of_a_change_is_a_weak_role() -> None:
    # "teacher pay rise" names the topic as much as a change asked: the figure answers do not use it.
    asked = read_question("teacher pay rise")
    assert (asked.role, asked.weak_role) == ("change", True)
    assert read_question("how much is the salary threshold going up by?").weak_role is False


@pytest.mark.parametrize(
    ("topic", "role"),
    [
        # The index used to read "revised" (its first role word) and miss "before", a stopword.
        ("what was the ONS estimate before it was revised?", "from"),
        # ... and had no rule for "going up by": the change asked was not favoured.
        ("how much is the salary threshold going up by?", "change"),
        ("new homes", "to"),
        ("teacher pay rise", "change"),
    ],
)
def test_the_index_reads_the_same_role(topic: str, role: str) -> None:
    assert parse_topic(topic).role == role == read_question(topic).role


def test_the_index_reads_the_same_kinds_and_keeps_only_topic_words() -> None:
    intent = parse_topic("by how much did fuel duty go up")
    # "by how much" asks for a change, not for money; the index once read it as money.
    assert intent.kinds == set()
    assert "fuel" in intent.terms and "duti" in intent.terms
    assert "new" not in parse_topic("the new salary threshold").terms
    assert "rise" in parse_topic("fees rise").terms  # a change word stays a topic word


def test_a_pronoun_between_the_change_and_to_still_asks_for_the_new_value() -> None:
    assert read_question("usc middle rate, what did they cut it to").role == "to"


def test_a_measure_named_as_a_sum_of_money_asks_for_money() -> None:
    assert read_question("MoD budget").kinds == {"money"}
    assert read_question("irish tax receipts").kinds == {"money"}
    assert read_question("how many grants were paid").kinds == {"count", "rate"}  # "how many" decides


def test_how_much_a_measure_dropped_by_asks_for_the_change_not_for_money() -> None:
    asked = read_question("how much has the waiting list dropped by over the year?")
    assert asked.role == "change" and asked.kinds == frozenset()
    assert read_question("how much did the fee go up by").kinds == {"money"}  # the fee is money
    assert read_question("how much was funded by the government").role is None  # "funded by" names who


@pytest.mark.parametrize(
    "question", ["what was the AR7 budget raised to?", "what has the cap been set to", "what did fees rise to"]
)
def test_a_verb_then_to_asks_for_the_new_value(question: str) -> None:
    assert read_question(question).role == "to"


@pytest.mark.parametrize("question", ["avg water bill by 2030 before inflation", "average salary after tax"])
def test_what_a_value_is_counted_before_or_after_asks_for_no_role(question: str) -> None:
    assert read_question(question).role is None
    assert read_question("what was the bill before the rise").role == "from"
