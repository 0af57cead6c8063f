"""What each figure of a sentence measures: its role in a change, and its label.

Roles: within its sentence a figure can be the previous value of a change ("from 606,000",
"compared with 14.6 weeks a year earlier"), the new one ("to 745,000") or the change itself ("by
£12,500", "an increase of 139,000", "300,000 fewer people", ", up €5.1bn, or 7.2%").

Labels say what a figure measures, read off the sentence's own words by a few grammatical
patterns, most specific first (each figure records the number of the rule that labelled it):
  1. a rate's own noun ("300 homes a year" → homes); the second figure of a change or revision
     shares the first one's label ("from 606,000 to 745,000", "by £12,500 to £38,000"), so does a
     figure listed after another with only a period between them ("£2.3 billion in 2023-24 and £1.2bn
     in 2018-19"), and a plain range takes its second figure's ("between 20 and 30 per cent of firms" →
     firms);
  2. a figure that modifies a noun takes it ("the original £140million scheme" → original scheme,
     "a 4.2% pay rise" → pay rise);
  3. "<noun phrase> of|to|by|from|at|: <figure>", looking through a change verb
     ("the salary threshold will rise by £12,500" → salary threshold), also for a count a level verb
     gives in a unit of its own ("the waiting list stood at 7.31 million cases" → waiting list, not
     cases); container words are dropped
     ("the number of small boat migrants" → small boat migrants), except before a period: "its figure
     for the year to December" names no measure, so it is kept whole and flagged weak, for the index
     to name the measure from the same value elsewhere in the document (``index._borrow_labels``);
  4. a change ("an increase of 139,000") measures what its sentence's from/to figures measure, and
     ", up from <figure>" or "compared with <figure>" what the figure before it measures;
  5. the subject of a verb the figure completes ("X has topped 29,000", "X who ... was N",
     "the scheme, which costs £2bn");
  6. a noun phrase right before the figure ("similar measures six times");
  7. a prepositional phrase after it ("50,000 a year from the net total" → net total); "<figure> of
     <noun phrase>" ("£31bn of private investment", "9.1% of teachers") is tried before rule 3, and a
     figure paid, spent or invested for something is that payment ("paid an extra £15million for the
     scheme" → payment for the scheme, not the scheme whose own cost is £140million);
  8. otherwise the nearest words of the clause (flagged ``weak_label``).
A phrase that only says when ("on Tuesday", "a year earlier", "year to December") is never a label:
a period may qualify a measure, not be one.
Verbs are told from nouns by a small lexicon (``lexicon``) plus context ("to slash", "it emerged",
"revised its" are verbs; "the total", "waiting lists" are not).
"""

from __future__ import annotations

import re
from itertools import pairwise

from bot.engine.figures.lexicon import (
    ADVERBS,
    AUXILIARIES,
    BE_FORMS,
    CHANGE_NOUNS,
    CHANGE_WORDS,
    CLAUSE_WORDS,
    COMPARATIVES,
    DETERMINERS,
    ED_NOUNS,
    GENERIC_WORDS,
    HYPHENS,
    ING_NOUNS,
    IRREGULAR_PLURALS,
    LEVEL_VERBS,
    LY_NOUNS,
    MONTHS,
    MOVES,
    NON_HEAD_ADJECTIVES,
    NOUN_VERBS,
    NP_PREPOSITIONS,
    NUMBER_WORDS,
    PARTICLES,
    PAYMENT_VERBS,
    PERIOD_WORDS,
    PRE_FIGURE,
    PREPOSITIONS,
    PRONOUNS,
    REPORTING_VERBS,
    STOP,
    VALUE_VERBS,
    VERB_GROUP_WORDS,
    VERBS,
    opens_container,
)
from bot.engine.figures.scanner import RawFigure, Tok

# Prepositions an -ing verb follows ("by cutting aid", "after raising the cap"); others take -ing nouns.
GERUND_PREPOSITIONS = {"by", "after", "before", "without", "through", "while"}
SHARE_OF_WORDS = 4  # the longest whole a share's label names: "share of new car registrations"
SUPERLATIVES = {"highest", "lowest", "most", "fewest", "least", "largest", "smallest", "biggest", "greatest"}
REPORT_REACH = 4  # words between a reporting verb and its "that": "announced on Tuesday that"
MAX_LABEL_WORDS = 8  # a label is a noun phrase, not a clause: longer phrases are cut

# The numbered rules of the module docstring, as recorded on each figure (``RawFigure.rule``) so that
# ``bench.figure_labels`` can count how many labels each one gets right.
RULE_OWN_NOUN_OR_PARTNER = 1
RULE_PREMODIFIER = 2
RULE_PREPOSITION = 3
RULE_SIBLING = 4
RULE_SUBJECT = 5
RULE_ADJACENT_LEFT = 6
RULE_RIGHT_PP = 7
RULE_NEAREST_WORDS = 8
RULE_NAMES: dict[int, str] = {
    0: "none (years, dates)",
    RULE_OWN_NOUN_OR_PARTNER: "1 own noun / change partner / range",
    RULE_PREMODIFIER: "2 noun the figure modifies",
    RULE_PREPOSITION: "3 NP before of/to/by/from/at",
    RULE_SIBLING: "4 same as the sentence's from/to figure",
    RULE_SUBJECT: "5 subject of the figure's verb",
    RULE_ADJACENT_LEFT: "6 NP right before the figure",
    RULE_RIGHT_PP: "7 prepositional phrase after",
    RULE_NEAREST_WORDS: "8 nearest words (weak)",
}


# ------------------------------------------------------------------------------------------ roles


def _set_roles(toks: list[Tok], raws: list[RawFigure]) -> None:
    for idx, raw in enumerate(raws):
        if raw.kind in {"year", "date"}:
            continue
        before = toks[raw.q0 - 1].lower if raw.q0 > 0 else ""
        window = _clause_window(toks, raw.q0, 12)
        earlier = []
        for r in reversed(raws[max(0, idx - 6) : idx]):
            if raw.q0 - r.i1 > 12:
                break
            if r.kind not in {"year", "date"}:
                earlier.append(r)
        if before == "from" and (
            window & CHANGE_WORDS or _followed_by_to(toks, raws, idx) or any(r.role == "to" for r in earlier)
        ):
            raw.role = "from"  # "rose by 39% to 1,980, from 1,420": after a new value, the one it replaced
        elif _compared_with_earlier(toks, raws, idx):
            raw.role = "from"  # "13.9 weeks, compared with 14.6 weeks in December 2024": the earlier value
        elif (
            before == "to"
            and raw.qualifier != "up to"
            and (window & CHANGE_WORDS or any(r.role in {"from", "change"} for r in earlier))
        ):
            raw.role = "to"
        elif (before == "by" and window & CHANGE_WORDS) or (
            before == "of" and _noun_before_of(toks, raw.q0 - 1) in CHANGE_NOUNS
        ):
            raw.role = "change"
        elif _comparative_after(toks, raw.i1):
            raw.role = "change"  # "300,000 fewer people"
        elif before in MOVES and _moves(toks, raw.q0 - 1):
            raw.role = "change"  # ", up €5.1bn", "sales rose 5%": a move by the figure, with no "by"
        elif earlier and earlier[0].role == "change" and restates(toks, earlier[0], raw):
            raw.role = "change"  # "up €5.1bn, or 7.2%": the same change, said another way
        elif _change_is_subject(toks, raw.q0):
            raw.role = "change"  # "the maximum increase in April will be 4.8%": the figure is the change


def restates(toks: list[Tok], first: RawFigure, second: RawFigure) -> bool:
    """ "€5.1bn, or 7.2%": the second figure says the first one another way."""
    return [t.lower for t in toks[first.i1 : second.q0]] in (["or"], [",", "or"])


def _compared_with_earlier(toks: list[Tok], raws: list[RawFigure], idx: int) -> bool:
    """ "compared with <figure>" followed by an earlier time: "a year earlier", "in the same period last
    year", or a date or year before the one the sentence's own figures are for (or, when they give
    none, any: the undated statement is the report's current one)."""
    raw = raws[idx]
    if raw.q0 < 2 or toks[raw.q0 - 1].lower not in {"with", "to"} or toks[raw.q0 - 2].lower != "compared":
        return False
    after: list[str] = []
    for tok in toks[raw.i1 : raw.i1 + 8]:
        if tok.kind == "sym" and tok.text not in HYPHENS:
            break
        after.append(tok.lower)
    if _EARLIER.search(" ".join(after)):
        return True
    then = next((r for r in raws[idx + 1 :] if r.kind in {"year", "date"} and r.q0 - raw.i1 <= 2), None)
    now = [r for r in raws[:idx] if r.kind in {"year", "date"}]
    return then is not None and (not now or then.value < now[-1].value)


_EARLIER = re.compile(
    r"\b(?:(?:a|one|the) (?:year|month|quarter) (?:earlier|before)|last year|previous (?:year|month))\b"
)


def _moves(toks: list[Tok], k: int) -> bool:
    """Token k ("up", "rose") moves the figure after it: a verb, or "up"/"down" opening a phrase (", up
    €5.1bn") or after an auxiliary ("receipts are up 7.2%"), not a verb's particle ("made up 2.5%", "free up")."""
    if toks[k].lower not in {"up", "down"}:
        return True
    return k == 0 or toks[k - 1].kind != "word" or toks[k - 1].lower in AUXILIARIES


def _change_is_subject(toks: list[Tok], q0: int) -> bool:
    """The figure is what a change noun heading its clause's subject *is*: "the maximum increase in April
    2026 will be 4.8%", "the rise is expected to be £5". The subject's head is its last word before a
    preposition ("increase" in "increase in April 2026"), not its last word ("2026")."""
    k = q0 - 1
    linked = False
    while k >= 0 and (toks[k].lower in AUXILIARIES or toks[k].lower in VERB_GROUP_WORDS):
        linked |= toks[k].lower in BE_FORMS
        k -= 1
    if not linked:
        return False
    subject: list[str] = []
    while k >= 0 and toks[k].kind != "sym" and toks[k].lower not in CLAUSE_WORDS:
        if toks[k].lower in DETERMINERS and not (k > 0 and toks[k - 1].lower in NP_PREPOSITIONS):
            break  # the subject's own determiner; one after "to" opens its prepositional phrase
        subject.append(toks[k].lower)
        k -= 1
    subject.reverse()
    head = next((i for i, word in enumerate(subject) if word in NP_PREPOSITIONS), len(subject)) - 1
    return head >= 0 and subject[head].removesuffix("s") in CHANGE_NOUNS


def _comparative_after(toks: list[Tok], i: int) -> bool:
    """ "300,000 fewer people" is a change; "£400 million more than last year" a comparison."""
    if i >= len(toks) or toks[i].lower not in {"fewer", "more", "extra", "additional", "less"}:
        return False
    return not (i + 1 < len(toks) and toks[i + 1].lower == "than")


def _clause_window(toks: list[Tok], end: int, size: int) -> set[str]:
    """The lower-cased words of up to ``size`` tokens before ``end``, not crossing punctuation."""
    words: set[str] = set()
    k = end - 1
    while k >= 0 and end - k <= size and toks[k].text not in {",", ";", ":", ".", "(", ")", "–", "—"}:
        words.add(toks[k].lower)
        k -= 1
    return words


def _followed_by_to(toks: list[Tok], raws: list[RawFigure], idx: int) -> bool:
    if idx + 1 >= len(raws):
        return False
    nxt = raws[idx + 1]
    gap = [t.lower for t in toks[raws[idx].i1 : nxt.q0]]
    return gap == ["to"]


def _noun_before_of(toks: list[Tok], of_index: int) -> str:
    k = of_index - 1
    while k >= 0 and toks[k].kind == "word" and toks[k].lower in PRE_FIGURE:
        k -= 1
    return toks[k].lower if k >= 0 else ""


# ----------------------------------------------------------------------------------------- labels

COMPARED_WORDS = {"against", "versus", "vs"}  # "compared with" is checked as a pair
LIST_WORDS = {"and", "or", ","}  # what joins a further value to a list ("£2.3bn in 2023-24 and £1.2bn")
QUOTES = {'"', "“", "”"}
# Words that open a parenthetical between a subject and its verb ("Income tax receipts, including USC,
# were €27.9bn"), and the marks it may hold ("including the universal social charge (USC),").
PARENTHETICAL_OPENERS = {"which", "who", "whose", "including", "excluding"}
INSIDE_PARENTHETICAL = {",", "(", ")"}


class _Labeller:
    """Finds what each figure of a sentence measures (see the module docstring for the patterns)."""

    def __init__(self, text: str, toks: list[Tok], raws: list[RawFigure]) -> None:
        self.text = text
        self.t = toks
        self.n = len(toks)
        self.raws = raws
        # token index -> the figure covering it (qualifier included)
        self.owner: dict[int, RawFigure] = {}
        for raw in raws:
            for k in range(raw.q0, raw.i1):
                self.owner[k] = raw

    # -- word classes ------------------------------------------------------------------------

    def low(self, k: int) -> str:
        return self.t[k].lower if 0 <= k < self.n else ""

    def is_word(self, k: int) -> bool:
        return 0 <= k < self.n and self.t[k].kind == "word"

    def is_figure(self, k: int) -> bool:
        owner = self.owner.get(k)
        return owner is not None and owner.kind not in {"year", "date"}

    def inline(self, raw: RawFigure) -> bool:
        """A figure that can sit inside a label: a year, a date, an "18-month"-style modifier."""
        if raw.kind in {"year", "date"}:
            return True
        return raw.kind == "duration" and "-" in self.text[self.t[raw.i0].start : self.t[raw.i1 - 1].end]

    def is_hyphen_link(self, k: int) -> bool:
        """Token k is the hyphen of a compound word ("lowest-paid", "all-time")."""
        t = self.t[k]
        return t.text in HYPHENS and t.attached and k + 1 < self.n and self.t[k + 1].attached

    def is_boundary(self, k: int) -> bool:
        t = self.t[k]
        if t.kind != "sym" or self.is_hyphen_link(k):
            return False
        if t.text in {"'", "’"} and t.attached and k + 1 < self.n and self.t[k + 1].attached:
            return False
        return t.text not in {"&", "%", "£", "$", "€", "/"}

    def is_verb(self, k: int) -> bool:
        """A verb, by lexicon or by shape in context: "to slash", "it emerged", "revised its"."""
        t = self.t[k]
        if t.kind != "word":
            return False
        low = t.lower
        if low in AUXILIARIES:
            return True
        if k > 0 and t.text[0].isupper():
            return False  # a name: "National Living Wage", "Home Office"
        if low in VERBS:
            if low in NOUN_VERBS and (k + 1) in self.owner:
                return True  # "the scheme cost £140million"
            if low in NOUN_VERBS and self._noun_after_figure(k):
                return False  # "a 4.2% pay award", "a 4.2% pay rise", "a 5p cut"
            if low in NOUN_VERBS and self.low(k + 1) in AUXILIARIES and self.low(k - 1) not in AUXILIARIES:
                return False  # the subject of the verb after it: "the care (EHC) plan has", "the cut was"
            return not (low in NOUN_VERBS and (k == 0 or self._nounish_context(k)))
        prev = self.low(k - 1)
        nxt = self.low(k + 1)
        # "to recruit more than 60", "to raise the cap" vs "to Rwanda", "to asylum seekers"
        if (
            prev == "to"
            and t.text.islower()
            and not low.endswith("s")
            and low not in STOP
            and ((k + 1) in self.owner or nxt in DETERMINERS or nxt in PRONOUNS)
        ):
            return True
        if (prev in AUXILIARIES or prev == "not") and t.text.islower() and low not in STOP and prev != "'s":
            return True
        if low.endswith("ed") and prev in PREPOSITIONS and prev != "to":
            return False  # after a preposition an -ed word is an adjective: "a litre of unleaded"
        if low.endswith(("ed", "ing")) and len(low) > 4 and low not in ED_NOUNS and low not in ING_NOUNS:
            # "revised its figure", "it emerged", "Raising the cap" vs "waiting lists", "revised figures"
            if prev in PRONOUNS or prev in AUXILIARIES:
                return True
            if (
                self.is_word(k - 1) and prev not in STOP and prev not in VERBS and not prev.endswith("ly")
                and prev not in PRE_FIGURE
            ):  # fmt: skip
                return True  # after a noun it is the verb: "the Guarantee limited bills", "homes built"
            if low.endswith("ing") and prev in GERUND_PREPOSITIONS:
                return True  # "funded by cutting official development assistance"
            if self.is_word(k + 1) and nxt not in STOP and nxt not in VERBS and (k + 1) not in self.owner:
                return False
            return prev not in DETERMINERS
        return False

    def _noun_after_figure(self, k: int) -> bool:
        """A lexicon noun-verb that a figure modifies: right after it with a noun to follow ("4.2% pay
        award"), or the head after such a noun ("4.2% pay rise"). "5,000 work in ..." stays a verb."""
        if (k - 1) in self.owner:
            return self.is_word(k + 1) and self.low(k + 1) not in STOP and (k + 1) not in self.owner
        return (k - 2) in self.owner and self.is_word(k - 1) and self.low(k - 1) in NOUN_VERBS

    def _nounish_context(self, k: int) -> bool:
        """A word that is a noun here: after a determiner, adjective or noun ("the total", "net total")."""
        prev = self.low(k - 1)
        if prev in DETERMINERS - {"that", "which", "what", "whose"} or prev in PRE_FIGURE:
            return True
        return (
            self.is_word(k - 1) and prev not in STOP and prev not in VERBS
            and not prev.endswith(("ly", "ed")) and (k - 1 == 0 or not self.t[k - 1].text[0].isupper())
        )  # fmt: skip

    def is_adverb(self, k: int) -> bool:
        low = self.low(k)
        return self.is_word(k) and (low in ADVERBS or (low.endswith("ly") and low not in LY_NOUNS))

    def is_content(self, k: int) -> bool:
        t = self.t[k]
        if t.kind != "word" or t.lower in STOP or self.is_verb(k):
            return False
        return not self.is_adverb(k)

    def span_text(self, a: int, b: int) -> str:
        return " ".join(self.text[self.t[a].start : self.t[b - 1].end].split())

    # -- noun phrases ------------------------------------------------------------------------

    def np_left(self, j: int, gerund: bool = False) -> tuple[int, int] | None:
        """The noun phrase ending just before token j, as a token span, trimmed; with ``gerund``, a
        subject's opening -ing verb with it ("Filling a typical family car now costs £75")."""
        k, words, forced = j - 1, 0, False
        while k >= 0 and words < 14:
            t = self.t[k]
            owner = self.owner.get(k)
            if forced and t.kind == "word":
                forced = False
                k -= 1
                words += 1
                continue
            if owner is not None:
                if self.inline(owner):
                    k = owner.q0 - 1
                    words += 1
                    continue
                break
            if self.is_hyphen_link(k):
                forced = True
                k -= 1
                continue
            if t.text in QUOTES:
                k -= 1  # a quoted name is still the phrase: 'a "clean industry bonus" worth £544m'
                continue
            if t.text == ")" and self.low(k - 2) == "(" and self.is_word(k - 1) and words <= 1:
                # An abbreviation in brackets before the head noun stays ("care (EHC) plan", "(FTE) GPs"); one
                # after the phrase is left off it ("official development assistance (ODA)").
                if words == 0:
                    j = k - 2
                k -= 3
                continue
            if t.kind != "word":
                break
            if k > 0 and self.is_hyphen_link(k - 1):
                k -= 1  # the second half of a compound ("consultant-led care"): never a verb of its own
                words += 1
                continue
            low = t.lower
            demonstrative = low == "that" and self.low(k - 1) in NP_PREPOSITIONS  # "capacity at that date"
            if low in DETERMINERS and (low not in {"which", "what", "whose", "that"} or demonstrative):
                k -= 1
                words += 1
                if gerund and self.gerund_opens(k):
                    k -= 1  # the gerund's clause is the subject; as an object's verb it is not the label
                    break
                if self.low(k) not in NP_PREPOSITIONS:
                    break  # a determiner starts the phrase unless a preposition links it on
                continue
            if low in NP_PREPOSITIONS:
                k -= 1
                words += 1
                continue
            if low in {"and", "or"} and self.is_content(k - 1) and self.low(k - 2) in NP_PREPOSITIONS:
                k -= 1  # "the rate of duty on petrol and diesel": two nouns of one prepositional phrase
                words += 1
                continue
            if (
                low in CLAUSE_WORDS or low in PRONOUNS or low in PREPOSITIONS or self.is_adverb(k)
                or low in DETERMINERS or self.is_verb(k)
            ):  # fmt: skip
                break
            k -= 1
            words += 1
        return self.trim(k + 1, j)

    def gerund_opens(self, k: int) -> bool:
        """Token k is an -ing verb opening its clause ("Filling a car ...", "..., running a lorry")."""
        low = self.low(k)
        return (
            self.is_word(k) and low.endswith("ing") and low not in ING_NOUNS and len(low) > 5
            and (k == 0 or self.is_boundary(k - 1))
        )  # fmt: skip

    def np_left_through(self, j: int, gerund: bool = False) -> tuple[int, int] | None:
        """``np_left``, looking past a parenthetical ("the offset, which employers deduct, rises")."""
        span = self.np_left(j, gerund)
        if span or j < 1 or self.low(j - 1) != ",":
            return span
        if j < self.n and self.low(j).endswith("ed") and self.is_verb(j):
            return self.np_left(j - 1)  # "Targeted retention payments, doubled from £3,000": a reduced relative
        m = j - 2
        while m > 0 and j - m < 25 and not (self.is_boundary(m) and self.low(m) not in INSIDE_PARENTHETICAL):
            if self.low(m) == "," and self.low(m + 1) in PARENTHETICAL_OPENERS:
                return self.np_left(m)
            m -= 1
        return None

    def np_right(self, k: int, with_pp: bool = True) -> tuple[int, int] | None:
        """The noun phrase starting at token k: a few modifiers and a head noun, then "of/for/on" + NP."""
        start, words = k, 0
        while k < self.n and words < 4:
            t = self.t[k]
            if self.is_hyphen_link(k):
                k += 2  # the compound's second word belongs to the phrase
                continue
            if k in self.owner or t.kind != "word":
                break
            low = t.lower
            if words == 0 and low in COMPARATIVES:
                k += 1
                words += 1
                continue
            if words and low.endswith("ing") and (not self.is_word(k + 1) or self.low(k + 1) in PREPOSITIONS):
                k += 1  # a compound's -ing head ending the phrase: "on street lighting in 2024-25"
                words += 1
                break
            if low in NON_HEAD_ADJECTIVES or not (self.is_content(k) or self._modifier(k)):
                break
            k += 1
            words += 1
            if k < self.n and self.is_hyphen_link(k):
                continue
            if low in IRREGULAR_PLURALS or (low.endswith("s") and not low.endswith(("ss", "us", "is", "'s"))):
                break  # the head noun of a count: "28,526 migrants arrive"
        k = min(k, self.n)
        span = self.trim(start, k)
        if span is None:
            return None
        if with_pp and k + 1 < self.n and self.low(k) in {"of", "for", "on"} and span[1] == k:
            inner = k + 1
            while inner < self.n and self.low(inner) in DETERMINERS:
                inner += 1
            pp = self.np_right(inner, with_pp=False) if inner < self.n else None
            if pp and len([i for i in range(span[0], pp[1]) if self.t[i].kind == "word"]) <= MAX_LABEL_WORDS:
                return span[0], pp[1]
        return span

    def _modifier(self, k: int) -> bool:
        """An -ly/-ing/-ed word inside a noun phrase: "hourly earnings", "existing homes"."""
        low = self.low(k)
        if low in STOP or k + 1 >= self.n or not self.is_content(k + 1):
            return False
        return low.endswith(("ly", "ing", "ed")) and not low.endswith("ingly")

    def trim(self, a: int, b: int) -> tuple[int, int] | None:
        """Drop edge function words and container heads ("the number of X" → X)."""
        for _ in range(4):
            while a < b and self._edge_stop(a, leading=True):
                a += 1
            while b > a and self._edge_stop(b - 1, leading=False):
                b -= 1
            if opens_container([self.low(k) for k in range(a, min(b, a + 3))]):
                if self.only_period(a + 2, b):
                    break  # "figure for the year to December": the period is not what it counts
                a += 2  # "number of small boat migrants", "figure for the year"
                continue
            break
        if b > a + 1 and self.low(b - 1) in {"figure", "figures"} and not self.low(b - 2).endswith("'s"):
            b -= 1  # "2019 net migration figure"
        if a >= b:
            return None
        if not any(self.t[k].kind == "word" and self.t[k].lower not in STOP for k in range(a, b)):
            return None
        words = [k for k in range(a, b) if self.t[k].kind != "sym"]
        if len(words) > MAX_LABEL_WORDS:
            b = words[MAX_LABEL_WORDS - 1] + 1
            while b > a and self._edge_stop(b - 1, leading=False):
                b -= 1
        return (a, b) if a < b else None

    def _edge_stop(self, k: int, leading: bool) -> bool:
        t = self.t[k]
        if t.kind == "sym":
            return True
        owner = self.owner.get(k)
        if owner is not None and not self.inline(owner):
            return True
        low = t.lower
        if leading and low in {"this", "that", "last", "next"} and self.low(k + 1).endswith("'s"):
            return False  # keep "this year's figure", "last year's record"
        return low in STOP or self.is_adverb(k)

    def is_generic(self, span: tuple[int, int]) -> bool:
        words = [self.low(k) for k in range(*span) if self.is_word(k) and self.low(k) not in STOP]
        return all(w in GENERIC_WORDS or (w.endswith("'s") and w[:-2] in GENERIC_WORDS) for w in words)

    def words_of(self, span: tuple[int, int]) -> int:
        return sum(1 for k in range(*span) if self.is_word(k) and self.low(k) not in STOP)

    # -- the patterns ------------------------------------------------------------------------

    def label_all(self) -> None:
        for idx, raw in enumerate(self.raws):
            label, weak, rule = self.find(idx, raw)
            if label:
                raw.label, raw.weak, raw.rule = label, weak, rule
            else:
                raw.label, raw.weak, raw.rule = self.fallback(raw), True, RULE_NEAREST_WORDS
        # A range names its quantity after the second figure: "20 to 30 per cent of firms".
        for a, b in pairwise(self.raws):
            gap = [t.lower for t in self.t[a.i1 : b.q0]]
            same_kind = a.kind == b.kind and a.kind not in {"year", "date"}
            if same_kind and a.role is None and not b.weak and gap in (["to"], ["and"], ["-"], ["–"], ["or"]):
                a.label, a.weak, a.rule = b.label, False, RULE_OWN_NOUN_OR_PARTNER
        # A value compared with an earlier one measures what that one does, whichever of the two names
        # it: "it would cost £16.8bn to clear the backlog of repairs on all local roads, up from £16.3bn".
        for idx, raw in enumerate(self.raws):
            if raw.weak or not ((raw.role == "from" and self.appositive(raw)) or self.compared(raw)):
                continue
            before = [r for r in self.raws[:idx] if same_family(r, raw)]
            if before and before[-1].weak:
                before[-1].label, before[-1].weak, before[-1].rule = raw.label, False, RULE_SIBLING
        # "In Wales, where ..., the average bill will rise from £478 to £598": the place a sentence opens
        # with is where its figures are measured, which their own phrases do not say.
        place = self.fronted_place()
        if place:
            for raw in self.raws:
                named = raw.label.istitle()  # a label that is a name ("North East") is a place already
                if raw.kind not in {"year", "date"} and not raw.weak and not named and place not in raw.label:
                    raw.label = f"{raw.label} in {place}"

    def fronted_place(self) -> str | None:
        """The capitalised name of a sentence opening "In <Name>," ("In Wales,", "In Northern Ireland,"),
        not a month or a day ("In March,")."""
        if self.low(0) != "in":
            return None
        k = 1
        while k < len(self.t) and (self.t[k].text[:1].isupper() or (self.low(k) in {"and", "of"} and k > 1)):
            k += 1
        names = [self.t[q].text for q in range(1, k)]
        if not names or self.low(k) != "," or names[-1].lower() in {"and", "of"}:
            return None
        if any(name.lower() in MONTHS or (name[0].isupper() and name.lower() in STOP) for name in names):
            return None
        return " ".join(names)

    def find(self, idx: int, raw: RawFigure) -> tuple[str | None, bool, int]:
        """(label, weak, the number of the rule that found it)."""
        if raw.kind in {"year", "date"}:
            return (*self.time_label(raw), 0)
        own_noun = self.own_noun(raw)
        if own_noun:
            return own_noun, False, RULE_OWN_NOUN_OR_PARTNER
        partner = self.copy_from_partner(idx, raw) or self.listed_after(idx, raw)
        if partner:
            return partner.label, partner.weak, RULE_OWN_NOUN_OR_PARTNER
        own = self.premodifier(raw) or self.multiple_object(raw)
        if own:
            measured = self.measured_in(raw, own)
            if measured:
                return measured, False, RULE_PREPOSITION
            return own, False, RULE_PREMODIFIER
        if self.low(raw.i1) == "of" and raw.kind != "duration":  # "within one month of the date" is no amount
            of = self.right_pp(raw)
            if raw.kind == "percent":
                # "Defence spending will rise to 2.6% of GDP": a share a verb gives its subject measures the
                # subject; "9.1% of teachers left" is a share of teachers.
                subject = self.subject(self.range_start(idx, raw), raw, any_verb=False)
                if subject and not self.only_period(*subject):
                    # "share of GDP" tells this measure from the same in £
                    if of and not self.only_period(*of) and self.words_of(of) <= SHARE_OF_WORDS:
                        return f"{self.span_text(*subject)}, share of {self.span_text(*of)}", False, RULE_SUBJECT
                    return self.span_text(*subject), False, RULE_SUBJECT
            # "£31bn of private investment", "9.1% of full-time teachers": what the figure is an amount of.
            if of and not self.only_period(*of) and not self.is_generic(of):
                return self.span_text(*of), False, RULE_RIGHT_PP
        alternative = self.said_another_way(idx, raw) or self.change_of_previous(idx, raw)
        if alternative is not None:
            return alternative.label, alternative.weak, RULE_SIBLING
        if (raw.role in {"from", "change"} and self.appositive(raw)) or self.compared(raw):
            # "Inflation was 4.6% in the year to October, down from 6.7%", "9.1% ..., compared with 9.7%":
            # what the last one measures.
            same = [r for r in self.raws[:idx] if same_family(r, raw) and r.label and not r.weak]
            if same:
                return same[-1].label, False, RULE_SIBLING
        generic: tuple[int, int] | None = None
        prep = self.preposition_np(raw)
        if prep is not None:
            found, generic = prep
            # "stood at 7.31 million cases at the end of December, down by 84,400": a phrase that opens right
            # after a figure is what that figure counts, so this one measures what that figure does.
            counter = next((r for r in self.raws[:idx] if found and r.i1 == found[0] and same_family(r, raw)), None)
            if counter is not None and counter.label and not counter.weak:
                return counter.label, False, RULE_SIBLING
            if found:
                # "its figure for the year to December": a container of a period names no measure; weak,
                # so the index can give it the measure the document names for the same value.
                return self.span_text(*found), self.period_container(found), RULE_PREPOSITION
        if raw.role == "change":
            sibling = self.sibling_label(idx)
            if sibling:
                return sibling.label, sibling.weak, RULE_SIBLING
        if raw.role == "from":
            # "Spending will reach 2.5% of GDP, up from 2.3%": what the previous figure measures.
            same = [r for r in self.raws[:idx] if same_family(r, raw) and r.label and not r.weak]
            if same:
                return same[-1].label, False, RULE_SIBLING
        start = self.generic_start(generic) if generic else self.range_start(idx, raw)
        for span, rule in (
            (self.subject(start, raw, any_verb=False), RULE_SUBJECT),
            (self.adjacent_left(raw), RULE_ADJACENT_LEFT),
            (self.right_pp(raw), RULE_RIGHT_PP),
            (self.subject(start, raw, any_verb=True), RULE_SUBJECT),
        ):
            if span and not self.only_period(*span):  # "on Tuesday", "a year earlier": when, not what
                payment = self.payment_verb(raw) if rule == RULE_RIGHT_PP else None
                if payment:  # "paid £15million for the scheme" → payment for the scheme
                    return f"{payment} {self.span_text(raw.i1, span[1])}", False, rule
                return self.span_text(*span), False, rule
        if generic:
            return self.span_text(*generic), True, RULE_NEAREST_WORDS
        return None, True, RULE_NEAREST_WORDS

    def range_start(self, idx: int, raw: RawFigure) -> int:
        """Where a figure's clause reads on from: before the first figure of a range ("can cost £90 to
        £150 a night" is what "can cost" says of both), else before the figure itself."""
        if idx > 0:
            prev = self.raws[idx - 1]
            gap = [t.lower for t in self.t[prev.i1 : raw.q0]]
            if gap in (["to"], ["-"], ["–"], ["and"], ["or"]) and same_family(prev, raw) and prev.role is None:
                return prev.q0
        return raw.q0

    def time_label(self, raw: RawFigure) -> tuple[str | None, bool]:
        """Years and dates: the noun they modify ("2019 manifesto") or the phrase they end."""
        span = self.np_right(raw.i1)
        if span is None and self.low(raw.i0 - 1) in {"to", "of", "in", "since", "until", "by", "from"}:
            span = self.np_left(raw.i0 - 1)
        return (self.span_text(*span), False) if span else (None, True)

    def copy_from_partner(self, idx: int, raw: RawFigure) -> RawFigure | None:
        """ "from 606,000 to 745,000", "by £12,500 to £38,000", "20-30%": share the first one's label
        (returns the figure to copy it from)."""
        if idx == 0:
            return None
        prev = self.raws[idx - 1]
        gap = [t.lower for t in self.t[prev.i1 : raw.q0]]
        if gap == ["("] and not prev.weak and prev.kind == raw.kind:
            return prev if prev.label else None  # the same amount restated: "£3.2 billion ($4bn)"
        if prev.role not in {"from", "change"} or not self.shareable(prev) or gap not in (["to"], ["-"], ["–"]):
            return None  # plain ranges are labelled from their second figure (see label_all)
        return prev if prev.label else None

    def listed_after(self, idx: int, raw: RawFigure) -> RawFigure | None:
        """ "up from £2.3 billion in 2023-24 and £1.2bn in 2018-19": a figure listed after another of its
        family, with only that one's period between them, is another value of the same measure."""
        prev = next((r for r in reversed(self.raws[:idx]) if r.kind not in {"year", "date"}), None)
        if prev is None or not prev.label or prev.weak or not same_family(prev, raw):
            return None
        k = raw.q0 - 1
        if self.low(k) not in LIST_WORDS:
            return None
        k -= self.low(k - 1) == ","  # "in 2023-24, and £1.2bn"
        return prev if self.only_period(prev.i1, k) else None

    @staticmethod
    def shareable(raw: RawFigure) -> bool:
        """A label the other figures of a change may share: a recognised one, or a period container
        (weak, and shared weak: "revised its figure for the year to December up from 606,000 to 745,000")."""
        return not raw.weak or raw.rule == RULE_PREPOSITION

    def period_container(self, span: tuple[int, int]) -> bool:
        """ "figure for the year to December": a container word whose complement is only a period."""
        a, b = span
        if not opens_container([self.low(k) for k in range(a, min(b, a + 3))]):
            return False
        return self.only_period(a + 2, b)

    def only_period(self, a: int, b: int) -> bool:
        """Tokens [a, b) say when, not what: period words, months, years and dates, function words."""
        seen = False
        for k in range(a, b):
            owner = self.owner.get(k)
            if owner is not None:
                if owner.kind not in {"year", "date"}:
                    return False
                seen = True
            elif self.is_word(k) and self.low(k) not in STOP:
                if self.low(k) not in PERIOD_WORDS:
                    return False
                seen = True
        return seen

    def own_noun(self, raw: RawFigure) -> str | None:
        """A rate over its own noun: "300 homes a year" → homes."""
        if raw.noun is None:
            return None
        content = [k for k in range(*raw.noun) if self.is_word(k) and self.low(k) not in STOP]
        return self.span_text(content[0], content[-1] + 1) if content else None

    def premodifier(self, raw: RawFigure) -> str | None:
        """ "the original £140million scheme" → "original scheme"; "a £40,000 salary threshold"."""
        nxt = raw.i1
        hyphenated = self.t[raw.i1 - 1].attached and self.t[raw.i1 - 2].text in HYPHENS if raw.per else False
        if nxt >= self.n or self.t[nxt].kind != "word" or (raw.per and not hyphenated):
            return None  # after "a year" a word is not what the figure counts ("a £1,000-a-year grant" is)
        if not (self.is_content(nxt) or self._modifier(nxt) or self.low(nxt) in COMPARATIVES):
            return None
        span = self.np_right(nxt)
        if span is None or self.only_period(*span):  # "up 7.2% year on year": when, not what
            return None
        compound = ""
        last = raw.i1 - 1
        if raw.kind == "count" and self.is_hyphen_link(last - 1) and self.low(last) not in NUMBER_WORDS:
            compound = self.t[last].text  # "five-point plan" → "point plan"
        mods = self.left_modifiers(raw) if raw.q0 == raw.i0 else []
        return " ".join(p for p in (*mods, compound, self.span_text(*span)) if p)

    def measured_in(self, raw: RawFigure, unit: str) -> str | None:
        """What a count measured in a one-word unit measures when a value verb names it: "the waiting list
        stood at 7.31 million cases" measures the waiting list, counted in cases."""
        if raw.kind != "count" or " " in unit:
            return None
        verb = raw.q0 - 2 if self.low(raw.q0 - 1) in {"at", "to"} else raw.q0 - 1
        if self.low(verb) not in LEVEL_VERBS:
            return None
        prep = self.preposition_np(raw)
        found = (prep[0] if prep else None) or self.subject(raw.q0, raw, any_verb=False)
        return self.span_text(*found) if found and not self.period_container(found) else None

    def multiple_object(self, raw: RawFigure) -> str | None:
        """ "twice as many jobs" → jobs; "three times the level of debt" → level of debt."""
        if raw.kind not in {"multiple", "fraction"}:
            return None
        k = raw.i1
        if self.low(k) == "as" and self.low(k + 1) in {"many", "much"}:
            k += 2
        elif raw.kind == "multiple" and self.low(k) in DETERMINERS:
            k += 1
        else:
            return None
        span = self.np_right(k) if k < self.n else None
        return self.span_text(*span) if span else None

    def left_modifiers(self, raw: RawFigure) -> list[str]:
        """Adjectives between a determiner and the figure ("the original £140million ...")."""
        k = raw.i0 - 1
        mods: list[str] = []
        while k >= 0 and len(mods) < 2 and self.is_content(k):
            if self.low(k).endswith("s") and not self.low(k).endswith(("ous", "ss")):
                return []  # "the policy affects 3 million": a verb or a noun, not an adjective
            mods.insert(0, self.t[k].text)
            k -= 1
        if mods and (k < 0 or self.low(k) in DETERMINERS or self.low(k) in PREPOSITIONS):
            return mods
        return []

    def preposition_np(self, raw: RawFigure) -> tuple[tuple[int, int] | None, tuple[int, int] | None] | None:
        """ "<NP> of|to|by|from|at|: <figure>", through particles and a change verb.

        Returns (label span, generic span) or None when no such preposition precedes the figure.
        """
        k = raw.q0 - 1
        while k >= 0 and self.is_word(k) and self.low(k) in PRE_FIGURE | {"a", "an", "the"}:
            k -= 1
        if k < 0 or self.low(k) not in {"of", "to", "by", "from", "at", ":", "="}:
            return None
        k -= 1
        skipped = False
        while k >= 0 and (self.low(k) in PARTICLES or self.is_adverb(k)):
            k -= 1
            skipped = True
        if skipped and self.low(k) == ",":
            k -= 1  # "The new rate, up from £11.12, ..."
        elif self.low(k + 1) == "at" and self.low(k) == ",":
            # "Poland spent the highest share of GDP, at 4.1%": the phrase before the comma
            span = self.np_left(k)
            return (span, None) if span and self.names_a_measure(span) else None
        verb_end = k
        while k >= 0 and self.is_word(k) and (
            self.low(k) in AUXILIARIES or self.is_adverb(k) or self.low(k) in VERB_GROUP_WORDS
            or ((self.low(k) in VALUE_VERBS or self.low(k) in CHANGE_WORDS) and self.is_verb(k))
        ):  # fmt: skip
            k -= 1
        span = self.subject_before(k + 1) if k < verb_end else self.np_left_through(k + 1)
        if span is None or self.is_generic(span) or self.only_period(*span):
            return None, span
        return span, None

    def names_a_measure(self, span: tuple[int, int]) -> bool:
        """Not only a period, a name or a superlative with its place: "the highest share of GDP" names a
        measure; "lowest in the East of England", "the fewest" and "London" do not."""
        if self.is_generic(span) or self.only_period(*span):
            return False
        a, b = span
        if all(self.t[k].text[0].isupper() for k in range(a, b) if self.is_word(k)):
            return False
        while a < b and (self.low(a) in DETERMINERS or self.low(a) in SUPERLATIVES):
            a += 1
        return a < b and self.low(a) not in PREPOSITIONS

    def compared(self, raw: RawFigure) -> bool:
        """ "compared with|to <figure>", "against <figure>": the same measure as the figure before."""
        k = raw.q0 - 1
        while k >= 0 and self.is_word(k) and self.low(k) in PRE_FIGURE | {"a", "an", "the"}:
            k -= 1
        return self.low(k) in COMPARED_WORDS or (self.low(k) in {"with", "to"} and self.low(k - 1) == "compared")

    def said_another_way(self, idx: int, raw: RawFigure) -> RawFigure | None:
        """ "up €5.1bn, or 7.2%": the figure after "or" restates the one before it (labelled first)."""
        if idx == 0:
            return None
        before = self.raws[idx - 1]
        return before if restates(self.t, before, raw) and before.label and before.role == raw.role else None

    def change_of_previous(self, idx: int, raw: RawFigure) -> RawFigure | None:
        """ "brought in €27.9bn, an increase of 6.1%": a change noun after a comma changes the figure
        before the comma, whatever its unit (a percentage change of an amount measures the amount)."""
        if raw.role != "change" or idx == 0 or self.low(raw.q0 - 1) != "of":
            return None
        k = raw.q0 - 2
        if self.low(k) not in CHANGE_NOUNS:
            return None
        k -= 1
        # "a rise", "a sharp increase", "an annual increase"
        while k >= 0 and raw.q0 - k < 6 and self.is_word(k) and (self.low(k) in DETERMINERS or self.is_content(k)):
            k -= 1
        before = self.raws[idx - 1]
        if self.low(k) != "," or before.i1 != k or before.kind in {"year", "date"} or not before.label:
            return None
        return None if before.weak else before

    def appositive(self, raw: RawFigure) -> bool:
        """ ", up from <figure>": the phrase hangs on the clause before the comma."""
        k = raw.q0 - 2  # before "from"
        while k >= 0 and self.low(k) in PARTICLES:
            k -= 1
        return k >= 0 and self.low(k) == ","

    def sibling_label(self, idx: int) -> RawFigure | None:
        """A change ("an increase of 139,000") measures what the sentence's from/to figures measure."""
        for other in reversed(self.raws[:idx]):
            if other.role in {"from", "to"} and other.label and self.shareable(other):
                return other
        return None

    def generic_start(self, span: tuple[int, int]) -> int:
        """Back over a generic phrase to its determiner: "an all-time high of" → "an"."""
        k = span[0] - 1
        while k >= 0 and (self.low(k) in DETERMINERS or self.low(k) in GENERIC_WORDS or self.t[k].text in HYPHENS
                          or self.low(k) in PRE_FIGURE):  # fmt: skip
            k -= 1
        return k + 1

    def subject(self, j: int, raw: RawFigure, any_verb: bool) -> tuple[int, int] | None:
        """The subject of the verb group ending before token j ("X has topped 29,000")."""
        k = j - 1
        while k >= 0 and self.is_word(k) and self.low(k) in PRE_FIGURE | {"a", "an", "the"}:
            k -= 1
        end = k
        # A verb used as the qualifier ("has topped 29,000") is the figure's verb.
        has_verb = any(self.low(q) in VALUE_VERBS for q in range(raw.q0, raw.i0)) and j == raw.q0
        # "brought in €27.9bn", "raked in £3bn": "in" is the verb's particle, unless it says when ("in six months")
        while k >= 0 and self.is_word(k) and (
            self.low(k) in AUXILIARIES or self.is_adverb(k) or self.low(k) in PARTICLES
            or (self.low(k) == "in" and self.is_verb(k - 1) and raw.kind not in {"duration", "year", "date"})
            or self.low(k) in VERB_GROUP_WORDS or (self.low(k) in VALUE_VERBS and self.is_verb(k))
            or (any_verb and self.is_verb(k))
        ):  # fmt: skip
            has_verb = has_verb or self.low(k) in AUXILIARIES or self.low(k) in VALUE_VERBS or any_verb
            k -= 1
        if (k == end and not has_verb) or not has_verb:
            return None
        span = self.subject_before(k + 1, gerund=True)
        return span if span and not self.is_generic(span) else None

    def subject_before(self, verb_start: int, gerund: bool = False) -> tuple[int, int] | None:
        """The noun phrase a verb group starting at ``verb_start`` is about."""
        if self.low(verb_start - 1) in {"which", "who", "that"}:
            j = verb_start - 1
            return self.np_left(j - 1 if self.low(j - 1) == "," else j)  # "the scheme, which costs £2bn"
        # A relative clause between subject and verb: "the number of X who have reached Y has topped N".
        m = verb_start - 1
        while m > 0 and not self.is_boundary(m) and verb_start - m < 25:
            if self.low(m) == "that" and self.reports(m):
                break  # "announced last month that the cap would rise": the subject follows "that"
            if self.low(m) in {"who", "which", "that"} and self.is_content(m - 1):
                span = self.np_left(m)
                if span:
                    return span
            m -= 1
        if (
            self.low(verb_start - 1) == ","
            and self.low(verb_start) in VALUE_VERBS
            and self.low(verb_start).endswith("ing")
        ):
            main = self.main_verb_before(verb_start - 1)
            if main is not None:  # "X has more than doubled since 2015, reaching 596,300": X reaches it
                return self.subject_before(main)
        span = self.np_left_through(verb_start, gerund)
        if span and self.low(span[0] - 1) == "by" and self.is_word(span[0] - 2):
            # "the average council tax set by local authorities is £2,280": the agent of a reduced passive
            # is not the subject; the phrase before its participle is.
            participle = span[0] - 2
            passive = self.np_left(participle)
            if passive and (self.low(participle) in VERBS or self.is_verb(participle)):
                return passive
        return span

    def reports(self, that: int) -> bool:
        """Whether "that" at ``that`` opens what a reporting verb a few words before says ("announced
        last month that ..."), not a relative clause ("the homes that were built")."""
        return any(self.low(q) in REPORTING_VERBS for q in range(max(0, that - REPORT_REACH), that))

    def main_verb_before(self, comma: int) -> int | None:
        """The start of the verb group of the clause that ends at ``comma`` ("has more than doubled")."""
        k = comma - 1
        while k >= 0 and not self.is_boundary(k) and not self.is_verb(k):
            k -= 1
        if k < 0 or self.is_boundary(k):
            return None
        while k > 0 and (
            self.low(k - 1) in AUXILIARIES or self.is_adverb(k - 1) or self.low(k - 1) in {"more", "than"}
        ):
            k -= 1
        return k

    def adjacent_left(self, raw: RawFigure) -> tuple[int, int] | None:
        """ "similar measures six times": the noun phrase right before the figure."""
        k = raw.q0 - 1
        if k < 0 or not self.is_content(k) or k in self.owner:
            return None
        span = self.np_left(raw.q0)
        return span if span and not self.is_generic(span) else None

    def right_pp(self, raw: RawFigure) -> tuple[int, int] | None:
        """ "a further 50,000 a year from the net total" → net total."""
        k = raw.i1
        if k >= self.n or self.low(k) not in {"from", "for", "of", "on", "in"}:
            return None
        k += 1
        while k < self.n and self.low(k) in DETERMINERS:
            k += 1
        return self.np_right(k) if k < self.n else None

    def payment_verb(self, raw: RawFigure) -> str | None:
        """The payment a verb before the figure makes of it ("paid an extra £15million" → payment)."""
        k = raw.q0 - 1
        while k >= 0 and self.is_word(k) and self.low(k) in PRE_FIGURE | {"a", "an", "the", "another"}:
            k -= 1
        if k < 0 or not self.is_word(k) or (k > 0 and self.t[k].text[0].isupper()):
            return None
        return PAYMENT_VERBS.get(self.low(k))

    # -- fallback: the nearest words of the clause ------------------------------------------

    def fallback_span(self, raw: RawFigure) -> tuple[int, int] | None:
        right = self._window(raw.i1, +1)
        left = self._window(raw.q0 - 1, -1)
        r, lft = (self.words_of(right) if right else 0), (self.words_of(left) if left else 0)
        best = right if r >= lft else left
        return best if best and max(r, lft) else None

    def fallback(self, raw: RawFigure) -> str:
        span = self.fallback_span(raw)
        if span:
            return self.span_text(*span)
        # The nearest words of the sentence that are not figures or function words.
        window = range(max(0, raw.q0 - 30), min(self.n, raw.i1 + 30))
        near = sorted(
            (k for k in window if self.is_word(k) and k not in self.owner and self.low(k) not in STOP),
            key=lambda k: min(abs(k - raw.q0), abs(k - (raw.i1 - 1))),
        )[:4]
        return " ".join(self.t[k].text for k in sorted(near)) or raw.kind

    def _window(self, k: int, step: int) -> tuple[int, int] | None:
        start, words = k, 0
        while 0 <= k < self.n and words < 6:
            if self.is_boundary(k) or self.is_figure(k):
                break
            if step > 0 and self.is_word(k) and self.low(k) in CLAUSE_WORDS - {"as", "since", "after", "before"}:
                break
            words += self.is_word(k)
            k += step
        a, b = (start, k) if step > 0 else (k + 1, start + 1)
        while a < b and self._edge_stop(a, leading=True):
            a += 1
        while b > a and self._edge_stop(b - 1, leading=False):
            b -= 1
        return (a, b) if a < b else None


def same_family(a: RawFigure, b: RawFigure) -> bool:
    """Figures that can measure the same thing: same kind and unit, or counts and rates."""
    if a.kind in {"count", "rate"} and b.kind in {"count", "rate"}:
        return True
    return a.kind == b.kind and a.unit == b.unit


def label_figures(text: str, toks: list[Tok], raws: list[RawFigure]) -> None:
    """Set each figure's role within the sentence ``text``, then its label."""
    _set_roles(toks, raws)
    _Labeller(text, toks, raws).label_all()
