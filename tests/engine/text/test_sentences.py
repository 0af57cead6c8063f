from hypothesis import given
from hypothesis import strategies as st

from bot.engine.text.sentences import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_titles_money_and_decimals_stay_whole() -> None:
    text = "Mr Cleverly said £1.6m was spent. Mr. Sunak said 3.5 per cent. Dr. Who agreed."
    assert sentences(text) == ["Mr Cleverly said £1.6m was spent.", "Mr. Sunak said 3.5 per cent.", "Dr. Who agreed."]


def test_bracketed_acronyms_and_spaced_full_stop() -> None:
    text = "The Office for National Statistics ( ONS ) revised it, near the size of Cambridge . Next one."
    assert sentences(text) == [
        "The Office for National Statistics ( ONS ) revised it, near the size of Cambridge .",
        "Next one.",
    ]


def test_quotation_keeps_its_closing_quote() -> None:
    text = "He said: 'We feel very strongly.' Then he left. 'Enough is enough,' she said."
    assert sentences(text) == ["He said: 'We feel very strongly.'", "Then he left.", "'Enough is enough,' she said."]


def test_question_and_exclamation_marks() -> None:
    assert sentences("Is it safe? Yes! It is.") == ["Is it safe?", "Yes!", "It is."]


def test_initials_dotted_acronyms_and_lowercase_continuations() -> None:
    text = "J. K. Rowling lives in the U.S. and wrote approx. three books. The end."
    assert sentences(text) == ["J. K. Rowling lives in the U.S. and wrote approx. three books.", "The end."]


def test_line_break_ends_a_sentence_without_full_stop() -> None:
    text = "A photo caption without a full stop\nThe next paragraph."
    assert sentences(text) == ["A photo caption without a full stop", "The next paragraph."]


def test_ellipsis_and_trailing_text_without_punctuation() -> None:
    assert sentences("Wait... What happened next") == ["Wait...", "What happened next"]


@given(st.text(alphabet=st.sampled_from(list("ab .?!'\n\t1,£")), max_size=200))
def test_spans_are_ordered_disjoint_stripped_and_cover_all_text(text: str) -> None:
    spans = split_sentences(text)
    covered = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        covered.update(range(start, end))
        previous_end = end
    assert all(text[i].isspace() for i in range(len(text)) if i not in covered)
