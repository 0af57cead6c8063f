"""Reading the words of a claim and of a corpus sentence: stems, names and their initials, the words
that are a figure's own, what a claim's figure measures, another subject named in the claim's place, and
wording that makes a figure what someone calls for."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from bot.engine.figures.lexicon import (
    ADVERBS,
    AUXILIARIES,
    COMPARATIVES,
    DEMONYMS,
    ED_NOUNS,
    GENERIC_WORDS,
    INFORMAL_WORDS,
    ING_NOUNS,
    IRREGULAR_FORMS,
    MONTH_ABBREVIATIONS,
    MONTHS,
    PAYMENT_VERBS,
    PLACE_ADJECTIVES,
    STOP,
    VALUE_VERBS,
    VERBS,
)
from bot.engine.figures.parse import Figure, extract_figures
from bot.engine.text.stopwords import STOPWORDS
from bot.engine.text.tokens import ANSWER_TYPES, tokenize

PAYMENT_NOUNS = frozenset(PAYMENT_VERBS.values())  # "spending", "payment", "investment"...
# Kinds of figure that are context (when, not how much): neither a claim's figure nor a list item.
CONTEXT_KINDS = {"year", "date"}


def words(text: str) -> set[str]:
    return {IRREGULAR_FORMS.get(t, t) for t in tokenize(text) if t not in ANSWER_TYPES and not t[0].isdigit()}


# Words that say a quantity is stated, not which quantity ("hit", "cost", "is"): sharing one of
# them does not make two figures measure the same thing.
_NOT_MEASURE = frozenset(words(" ".join(VALUE_VERBS | AUXILIARIES)))


# Words around a figure, in characters each side, that may say what it measures.
NEAR_CHARS = 150
_LIST_BREAK = re.compile(r"[,;:]")


@lru_cache(maxsize=4096)
def _figure_spans(sentence: str) -> tuple[tuple[int, int], ...]:
    """Where the sentence's figures stand (years and dates left out: they are context, not items)."""
    return tuple((f.start, f.end) for f in extract_figures(sentence) if f.kind not in CONTEXT_KINDS)


def own_text(sentence: str, start: int, end: int) -> str:
    """The words around a figure that are its own: up to ``NEAR_CHARS`` each side, stopping at a list
    separator that has another figure beyond it ("physics £30,000; maths £28,000": maths is £28,000's)."""
    left, right = max(0, start - NEAR_CHARS), min(len(sentence), end + NEAR_CHARS)
    for other_start, other_end in _figure_spans(sentence):
        if other_end <= start:
            breaks = list(_LIST_BREAK.finditer(sentence, other_end, start))
            if breaks:
                left = max(left, breaks[-1].end())
        elif other_start >= end:
            found = _LIST_BREAK.search(sentence, end, other_start)
            if found:
                right = min(right, found.start())
    return sentence[left:start] + " " + sentence[end:right]


_MONTH_NAMES = frozenset(MONTHS) | frozenset(MONTH_ABBREVIATIONS)
_MONTHS = _MONTH_NAMES | {"monday", "tuesday", "wednesday", "thursday", "friday"}  # dates, never names


_INFORMAL = re.compile(r"\b(" + "|".join(sorted(INFORMAL_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def formal(text: str) -> str:
    """The text with the documents' words for informal ones ("the Dept's figures for kids" → "the
    Department's figures for children"); a capital stays, so a name stays a name."""

    def replace(found: re.Match[str]) -> str:
        word = INFORMAL_WORDS[found.group(1).lower()]
        return word.capitalize() if found.group(1)[0].isupper() else word

    return _INFORMAL.sub(replace, text)


def months_named(text: str) -> frozenset[str]:
    """The months a text names, as their first three letters ("December", "dec" → "dec")."""
    return frozenset(word[:3] for word in plain_words(text) if word in _MONTH_NAMES)


_CAPITALISED = re.compile(r"\b([A-Z]+&[A-Z]+|[A-Z][a-z]+|[A-Z]{2,}[a-z]?)\b")
_AMPERSAND = re.compile(r"(?<=[A-Za-z])&(?=[A-Za-z])")  # "A&E", "R&D": one name, read as "ae", "rd"
_POSSESSIVE = re.compile(r"['’]s$")
_RAW_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


_PLACES = frozenset(DEMONYMS) | frozenset(DEMONYMS.values())
_PLURAL_INITIALS = re.compile(r"[A-Z]{2,}s")  # "GPs", "EDs": initials of a common noun, not a name
_OPENS = re.compile(r"(?:^|[.!?:]\s)\W*$")  # nothing but punctuation before, in its sentence
# Words a sentence may open with, capitalised only for that: "Apparently", "Heard", "Reportedly".
_NOT_NAMES = frozenset(VERBS | ADVERBS | AUXILIARIES)


def _is_name(claim: str, found: re.Match[str]) -> bool:
    word = found.group(1)
    if _PLURAL_INITIALS.fullmatch(word):
        return False
    lower = word.lower()
    if _OPENS.search(claim, 0, found.start()) and (lower in _NOT_NAMES or lower.endswith("ly")):
        return False
    return lower not in _MONTHS and lower not in STOPWORDS


def context_words(claim: str) -> frozenset[str]:
    """Names in the claim (places, bodies, schemes: capitalised words), which the document of a corpus
    figure must name too for it to measure the same thing: "Scotland's prison population" is not
    measured by a document about England alone. A place counts typed in lower case too ("in
    scotland"); a verb or an adverb opening a sentence ("Apparently 4.98m homes...") is no name, nor
    are plural initials ("EDs")."""
    names = {_AMPERSAND.sub("", m.group(1)).lower() for m in _CAPITALISED.finditer(claim) if _is_name(claim, m)}
    return frozenset(names | (plain_words(claim) & _PLACES))  # places typed in lower case: "in scotland"


def named_in(name: str, found: frozenset[str]) -> bool:
    """``name`` (lower case) is among the words ``found``, in the singular or plural ("University" in a
    paragraph on "Universities in England"), or its place or adjective is."""
    return (
        any(form in found for form in _number_forms(name))
        or DEMONYMS.get(name, "") in found
        or PLACE_ADJECTIVES.get(name, "") in found
    )


# A place or body the claim names (a capitalised word, not an acronym such as "GW" or "LGA") that its
# document names in fewer than this share of its paragraphs, and not in its title, is what those
# paragraphs are about, not what the whole document is.
LOCAL_NAME_SHARE = 0.5
_TITLE_CASE = re.compile(r"\b([A-Z][a-z]+)\b")


def local_names(claim: str, text: str, heading: str) -> frozenset[str]:
    """The claim's names a document gives only here and there: "Scotland" in one paragraph of a
    document about England's waiting list. "Ireland" in the heading (title or publisher) of a bulletin
    on Irish receipts, or throughout it, is not one."""
    names = context_words(claim) & ({w.lower() for w in _TITLE_CASE.findall(claim)} | _PLACES)
    if not names:
        return frozenset()
    paragraphs = [plain_words(p) for p in text.split("\n\n") if p.strip()]
    headline = plain_words(heading)
    return frozenset(
        name
        for name in names
        if not named_in(name, headline)
        and sum(named_in(name, p) for p in paragraphs) < LOCAL_NAME_SHARE * len(paragraphs)
    )


# A run of capitalised words, small words allowed inside ("Department for Education").
_NAME_RUN = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|for|and|the)\s+)?[A-Z][a-z]+)+")


def acronyms(text: str) -> frozenset[str]:
    """The initials of the names in a text, as a claim may abbreviate them: "lga" for "Local
    Government Association", "gb" for "Great British" (every run of two or more capitalised words)."""
    out = set()
    for run in _NAME_RUN.finditer(text):
        initials = [w[0].lower() for w in run.group(0).split() if w[:1].isupper()]
        for i in range(len(initials)):
            for j in range(i + 2, len(initials) + 1):
                out.add("".join(initials[i:j]))
    return frozenset(out)


def plain_words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", _AMPERSAND.sub("", text).lower()))


def is_subject_word(word: str) -> bool:
    """A word that can say which thing is measured ("prison", "solar"), not how it is said: no verb
    (the lexicon's, or a participle in -ed), function word, generic quantity word or comparative."""
    folded = word.lower()
    return not (
        any(c.isdigit() for c in folded)
        or folded in _MONTHS  # "Jan-Sep" says when, not what
        or (folded.endswith("ed") and folded not in ED_NOUNS)
        or (folded.endswith("ing") and folded not in ING_NOUNS)
        or folded in STOP
        or folded in STOPWORDS
        or folded in VERBS
        or folded in GENERIC_WORDS
        or folded in COMPARATIVES
    )


def stems(text: str) -> frozenset[str]:
    return frozenset(IRREGULAR_FORMS.get(t, t) for t in tokenize(text))


def raw_words(text: str) -> list[str]:
    return _RAW_WORD.findall(text)


def contradicted(claim_topic: str, sentence: str) -> frozenset[str]:
    """The claim's words the sentence contradicts by naming another thing in their place: the claim's
    "prison officers" against the sentence's "probation officers", "solar projects" against "wind
    projects", "in Wales" against "in England". Only a word the sentence lacks can be contradicted, and
    only by a word of the same place in the phrase (before the same noun; a name after the same
    preposition); names before a noun ("GB Energy") are left to the names rule, as they are often
    spelt out or abbreviated ("Great British Energy"). Returned as stems, the phrase's noun included
    ("prison", "offic")."""
    claim_words = raw_words(claim_topic)
    claim_stems = {s for w in claim_words for s in stems(w)}
    sentence_words = raw_words(sentence)
    sentence_stems = [stems(w) for w in sentence_words]
    present = {s for word_stems in sentence_stems for s in word_stems}
    for n, (before, after) in enumerate(pairwise(claim_words)):
        if before.isupper() or (n > 0 and before[:1].isupper()) or before.lower() in DEMONYMS:
            continue  # a name, or a place's adjective opening the claim ("Irish tax"): the names rule's
        missing = stems(before)
        if not missing or missing <= present or not (is_subject_word(before) and is_subject_word(after)):
            continue
        head = stems(after)  # "prison officers": is "officers" preceded by another subject word?
        for i, word_stems in enumerate(sentence_stems[1:], start=1):
            other = sentence_words[i - 1]
            if word_stems == head and is_subject_word(other) and not stems(other) <= claim_stems:
                return missing | head
    for preposition, name in pairwise(claim_words):
        if not (name[:1].isupper() and preposition.lower() in _NAME_PREPOSITIONS) or stems(name) <= present:
            continue
        if all(part in _MONTHS for part in name.lower().split("-")):
            continue  # "in Jan-Sep" says when
        for i, word in enumerate(sentence_words[:-1]):  # "in Wales" against "in England"
            other = sentence_words[i + 1]
            if word.lower() == preposition.lower() and other[:1].isupper() and other.lower() not in _MONTHS:
                return stems(name)
    return frozenset()


# Prepositions before a place or body ("in Wales", "across Scotland").
_NAME_PREPOSITIONS = frozenset({"in", "across", "throughout", "for", "outside"})


def subject_words(claimed: Figure, topic: str, context: frozenset[str]) -> list[str]:
    """The words of what the claim's figure measures, as written: its label's subject words ("prison
    officers"), else the claim's; names (places, bodies) are context, not the measure."""
    topic_stems = words(topic)

    def subject(word: str) -> bool:
        word_stems = stems(word)
        return (
            bool(word_stems)
            and is_subject_word(word)
            and _POSSESSIVE.sub("", word.lower()) not in context  # "Hollin Bay's" names a place
            and not word_stems & _NOT_MEASURE
        )

    own = [w for w in raw_words(claimed.label) if subject(w) and stems(w) <= topic_stems]
    found = own or [w for w in raw_words(topic) if subject(w)]
    # "spending on street lighting" measures street lighting: spending is how, not what, when more is named.
    return [w for w in found if w.lower() not in PAYMENT_NOUNS] or found


def uses(document_words: frozenset[str], word: str) -> bool:
    """Whether a document uses a word, in the singular or plural ("kids", "kid"; "fixed-bottom")."""
    parts = re.findall(r"[a-z0-9]+", word.lower())
    return bool(parts) and all(any(form in document_words for form in _number_forms(p)) for p in parts)


def _number_forms(word: str) -> tuple[str, ...]:
    """A noun's singular and plural spellings ("bursary", "bursaries"): not stems, which would take
    "roughly" for "rough"."""
    if word.endswith("ies"):
        return (word, f"{word[:-3]}y")
    if word.endswith("y"):
        return (word, f"{word[:-1]}ies")
    if word.endswith("s"):
        return (word, word[:-1], word[:-2] if word.endswith("es") else word)
    return (word, f"{word}s", f"{word}es")
