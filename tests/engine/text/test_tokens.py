from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine.text.tokens import MONEY, NUMBER, PERCENT, YEAR, iter_tokens, question_tokens, tokenize


def test_case_folding_stopwords_and_stemming() -> None:
    assert tokenize("The Migrants were Crossing the Channel") == ["migrant", "cross", "channel"]


def test_thousands_separators_are_normalised() -> None:
    assert "745000" in tokenize("745,000") and "745000" in tokenize("745000")


def test_money_spellings_find_each_other() -> None:
    forms = ["£140million", "£140m", "140 million pounds", "£140 million"]
    for form in forms:
        assert "140000000" in tokenize(form), form
    assert {"gbp", MONEY} <= set(tokenize("£140m"))
    assert {"2000000000", "usd", MONEY} <= set(tokenize("$2bn"))


def test_percentages() -> None:
    for form in ("20 per cent", "20%", "20 percent"):
        tokens = tokenize(form)
        assert "20" in tokens and PERCENT in tokens, form


def test_number_words_and_single_digits_are_kept() -> None:
    assert tokenize("six times") == ["6", "time"]
    assert "5" in tokenize("up to 5 years")
    assert "a" not in tokenize("a b c")


def test_years_are_not_counts() -> None:
    assert YEAR in tokenize("in 2021") and NUMBER not in tokenize("in 2021")
    assert NUMBER in tokenize("29,090 people")


def test_scale_letter_needs_a_currency() -> None:
    assert "5" in tokenize("5 m away") and "5000000" not in tokenize("5 m away")


def test_question_answer_types() -> None:
    assert MONEY in question_tokens("How much did it cost?")
    assert NUMBER in question_tokens("how many crossed?")
    assert PERCENT in question_tokens("what percentage fell?")
    assert YEAR in question_tokens("When will it start?")
    # A figure in the question is searched, but does not make it ask for figures.
    assert question_tokens("was it 745,000?") == ["745000"]


def test_possessives_and_apostrophes() -> None:
    assert tokenize("Rwanda's courts") == ["rwanda", "court"]
    assert tokenize("Britain’s") == ["britain"]


_FIGURE_TEXT = st.lists(
    st.sampled_from(
        ["£", "$", "€", "%", " per cent", "1,000", "3.5", "2023", "745,000", "m", "bn", " million", "six", "pounds",
         " ", "  ", ".", "'s", "’", "Rwanda", "the", "ÉLAN", "ﬁ", "x", "\n", "-", "per", "cent", "k"]
    ),
    max_size=40,
).map("".join)  # fmt: skip


@given(st.one_of(_FIGURE_TEXT, st.text(max_size=200)))
@settings(max_examples=400, deadline=None)
def test_tokenize_is_iter_tokens_without_offsets(text: str) -> None:
    assert tokenize(text) == [token for token, _, _ in iter_tokens(text)]
