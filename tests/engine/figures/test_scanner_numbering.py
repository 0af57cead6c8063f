"""Paragraph and list numbers that open a sentence are not figures; quantities that open one are."""

import pytest

from bot.engine.figures.parse import extract_figures


@pytest.mark.parametrize(
    ("sentence", "figures"),
    [
        ("2.1 The number of EHC plans has risen from 240,200 to 596,300.", ["240,200", "596,300"]),
        ("1.3 Schools are expected to meet the first £6,000 of support.", ["£6,000"]),
        ("3. Apply online by 5 April.", ["5 April"]),
        ("4) Councils must pay £300.", ["£300"]),
        ("## 5 GP appointments", []),  # a Markdown heading numbers its section without a stop
        ("### 2.1 Waiting times in 2025", ["2025"]),
        ("5 GP appointments", []),  # the splitter leaves a heading's marks out: a short line, no stop
    ],
)
def test_a_numbering_is_not_a_figure(sentence: str, figures: list[str]) -> None:
    assert [f.text for f in extract_figures(sentence)] == figures


@pytest.mark.parametrize(
    ("sentence", "first"),
    [
        ("2.5 GW of capacity was added.", "2.5 GW"),
        ("1.2 Million people applied.", "1.2 Million"),
        ("12 MPs signed the letter.", "12"),  # no "." after it: a count of MPs
        ("12 MPs signed the letter to the Prime Minister on Tuesday night", "12"),  # too long for a heading
        ("3.5 per cent is the target.", "3.5 per cent"),
        ("The rate rose to 2.1 Then it fell.", "2.1"),  # not at the start of the sentence
        ("## 12 million people are waiting", "12 million"),  # a heading's quantity keeps its scale
    ],
)
def test_a_quantity_opening_a_sentence_is_still_a_figure(sentence: str, first: str) -> None:
    assert extract_figures(sentence)[0].text == first
