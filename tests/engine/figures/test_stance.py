"""A figure's stance (stated as what is, or as a proposal, a target or a forecast) and the stance a question asks."""

from __future__ import annotations

import pytest

from bot.engine.figures.stance import asked_stance, proposed, stance_of


def _stance(sentence: str, text: str) -> str | None:
    start = sentence.index(text)
    return stance_of(sentence, start, start + len(text))


@pytest.mark.parametrize(
    ("sentence", "text", "stance"),
    [
        ("Unite is asking for a 9% pay rise for franchised drivers.", "9%", "proposal"),
        ("Drivers were offered a 4.5% pay rise.", "4.5%", None),
        ("- Raise the Plan 5 repayment threshold to £28,000.", "£28,000", "proposal"),
        ("The consultation asked whether convergence should be £1 or £2 a week.", "£2 a week", "proposal"),
        ("The regulator has set a target of a 17% cut in leakage by 2030.", "17%", "target"),
        ("Journeys are expected to reach 170 million a year.", "170 million", "forecast"),
        ("The cap is set to rise to £2,100 next year.", "£2,100", "forecast"),
        ("Peak use is likely to reach 40 GW, on the operator's projections.", "40 GW", "forecast"),
        # A value to be reached by a year, that someone must or wants to reach, is a target.
        ("Councils must recycle 65% of household waste by 2035.", "65%", "target"),
        ("The ministry wants to raise take-up to 90% by 2028 through automatic enrolment.", "90%", "target"),
        ("Unions want a 9% pay rise.", "9%", "proposal"),
        # Demand as a quantity used proposes nothing; demanded, it does.
        ("Demand for water peaked at 1,020 megalitres a day on 1 July.", "1,020", None),
        ("Brackenmoor expects average demand of about 780 megalitres a day.", "780", "forecast"),
        ("Demand is rising by 4% a year.", "4%", None),
        ("The union's demand for a 9% rise was rejected.", "9%", "proposal"),
        ("Nurses demand a 10% pay rise.", "10%", "proposal"),
        # Those who met or missed a target are counted, not the target.
        ("Seven of the 12 trusts missed their waiting-time targets last year.", "Seven", None),
        # Only the figure's own clause says it: the forecast is the other figure's.
        ("Journeys rose to 150 million, and are expected to reach 170 million by 2030.", "150 million", None),
    ],
)
def test_the_stance_of_a_figure(sentence: str, text: str, stance: str | None) -> None:
    assert _stance(sentence, text) == stance


@pytest.mark.parametrize(
    ("question", "stance"),
    [
        ("what pay rise is unite asking for?", "proposal"),
        ("what did the landlords want", "proposal"),
        ("leakage reduction target", "target"),
        ("whats the forecast for februarys cat 2 mean?", "forecast"),
        ("how much is the pay rise", None),
    ],
)
def test_the_stance_a_question_asks(question: str, stance: str | None) -> None:
    assert asked_stance(question) == stance


def test_a_change_noun_opening_a_sentence_recommends_nothing() -> None:
    assert not proposed("Cut in fuel duty: the rate is 52.95p.", 27)
