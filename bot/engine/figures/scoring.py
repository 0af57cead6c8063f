"""How well a figure answers a topic: what the topic asks for, and the weights a figure's score is made of.

A topic's tokens (the shared tokenizer's: stemmed, stopwords out, numbers normalised) are matched
against each figure's sentence, label and nearby words, each term weighted by its rarity among the
indexed sentences (``figures.index`` sums those weights). The wording also says what kind of figure
is wanted ("how much" → money, "how many" → counts, "what percentage", "how long", "when") and which
value of a revision ("new"/"latest" → the value a change went *to*; "previous"/"old" → the one it
came *from*); these words steer the ranking, through the factors below, instead of being matched as
topic words (``figures.intent`` reads them, for this index and for ``figure_answers`` alike). A
figure's importance, for topics naming only a kind and for the overview, is decided here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.figures.columns import ScoreClass
from bot.engine.figures.intent import read_question, value_word_stems
from bot.engine.figures.parse import Figure, Role
from bot.engine.text.tokens import ANSWER_TYPES, answer_type_words, question_tokens, tokenize

# -- what a score is made of -------------------------------------------------------------------

# A figure's score sums the weights of the topic's terms found in its sentence, in its label and near
# it: the sentence says most about the topic, the label names what the figure measures, and the
# nearby words tell the figures of one sentence apart.
SENTENCE_WEIGHT = 0.45
LABEL_WEIGHT = 0.35
NEAR_WEIGHT = 0.2
NEAR_CHARS = 80  # context on each side of a figure that counts as "near" it
NEAR_TOKENS = 6  # terms on each side counted as near; closer ones count more

# Factors a score is multiplied by:
OTHER_KIND_FACTOR = 0.5  # the topic asks for another kind ("how much" and this is a count): kept, but below
TIME_FACTOR = 0.3  # years and dates are the context of most sentences, not what a topic asks for, unless "when"
DURATION_FACTOR = 0.7  # "for five years" is seldom the figure wanted unless the topic asks "how long"
ROLE_FACTOR = 1.2  # the value of a revision the topic names ("the new ...", "the previous ...") leads
CHANGE_FACTOR = 0.85  # a change ("rise by £12,500") is less often wanted than the level, unless asked for
WEAK_LABEL_FACTOR = 0.9  # a label that is only the nearest words is less sure to be about the topic

# -- importance: what is worth showing unasked ------------------------------------------------------

# Amounts say most about a policy, then shares and rates, then counts; a multiple least.
_KIND_WEIGHT = {"money": 3.0, "percent": 2.5, "rate": 2.5, "count": 2.0, "fraction": 1.5, "multiple": 1.0}
CHANGE_IMPORTANCE_PENALTY = 0.5  # a change means little without the level it changes
LABEL_TERM_IMPORTANCE = 0.1  # a longer label says more precisely what is measured ...
MAX_LABEL_TERMS_COUNTED = 3  # ... up to a few terms: beyond that it is no clearer

# -- what a topic asks for --------------------------------------------------------------------------


@dataclass(slots=True)
class Intent:
    """What a topic asks for: kinds of figure, which value of a revision, and the terms it is about."""

    kinds: set[str] = field(default_factory=set)
    role: Role | None = None
    terms: list[str] = field(default_factory=list)


def text_terms(text: str) -> frozenset[str]:
    """A text's terms as lookups match them: the shared tokens, answer types left out."""
    return frozenset(t for t in tokenize(text) if t not in ANSWER_TYPES)


def nearby_terms(sentence: str, figure: Figure) -> dict[str, int]:
    """The terms near a figure in its sentence, each with its distance in terms (1 = next to it)."""
    before = [t for t in tokenize(sentence[max(0, figure.start - NEAR_CHARS) : figure.start]) if t not in ANSWER_TYPES]
    after = [t for t in tokenize(sentence[figure.end : figure.end + NEAR_CHARS]) if t not in ANSWER_TYPES]
    near: dict[str, int] = {}
    for side in (reversed(before[-NEAR_TOKENS:]), after[:NEAR_TOKENS]):
        for distance, term in enumerate(side, start=1):
            near[term] = min(distance, near.get(term, distance))
    return near


def parse_topic(topic: str) -> Intent:
    """What a topic asks for (``intent.read_question``); its wording for kinds and for which value of a
    change steers the ranking and is not matched as topic words."""
    asked = read_question(topic)
    intent = Intent(kinds=set(asked.kinds), role=asked.role)
    skipped = answer_type_words() | value_word_stems()
    # Words of a change ("rise", "cut") stay topic words: "fees rose" is about the fees' rise.
    intent.terms = [t for t in question_tokens(topic) if t not in ANSWER_TYPES and t not in skipped]
    return intent


def score_factors(shape: ScoreClass, intent: Intent) -> list[float]:
    """What a figure's score is multiplied by, in order, for its kind, role and label strength."""
    factors = []
    if intent.kinds and shape.kind not in intent.kinds:
        factors.append(OTHER_KIND_FACTOR)
    if shape.kind in {"year", "date"} and not intent.kinds & {"year", "date"}:
        factors.append(TIME_FACTOR)
    if shape.kind == "duration" and "duration" not in intent.kinds:
        factors.append(DURATION_FACTOR)
    if intent.role and shape.role == intent.role:
        factors.append(ROLE_FACTOR)
    elif shape.role == "change" and intent.role != "change":
        factors.append(CHANGE_FACTOR)
    if shape.weak_label:
        factors.append(WEAK_LABEL_FACTOR)
    return factors


def importance_of(kind: str, role: str | None, weak_label: bool, label_terms: int) -> float:
    """How much a figure is worth showing unasked: amounts first, with a real label (``label_terms`` tokens)."""
    weight = _KIND_WEIGHT.get(kind, 0.0)
    if weight == 0 or weak_label or not label_terms:
        return 0.0
    if role == "change":
        weight -= CHANGE_IMPORTANCE_PENALTY
    return weight + LABEL_TERM_IMPORTANCE * min(label_terms, MAX_LABEL_TERMS_COUNTED)
