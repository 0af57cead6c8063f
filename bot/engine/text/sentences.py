"""A rule-based sentence splitter that returns character spans.

Why not a regex on ". ": news and policy text is full of periods that do not end sentences
("Mr. Cleverly", "£1.6m", "3.5", "U.K.", "No. 10") and of sentence ends hidden behind closing
quotes or brackets ("...safety.'"). A boundary here is terminal punctuation, then any closing
quotes/brackets, then whitespace, then something that can start a sentence; a line break always
ends a sentence (scraped text puts captions and headings on lines of their own, without a full
stop). Spans let callers quote the document verbatim.
"""

from __future__ import annotations

import re

# Words that are followed by a full stop without ending the sentence (compared case-folded,
# without the dot). British style writes "Mr" without a dot; both are handled.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms mx dr prof st sr jr rev hon gen col lt sgt capt cmdr adm gov sen rep pres supt insp
    no nos vs v etc eg ie cf al approx est dept univ inc ltd co corp plc llc bros
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
    fig figs vol vols pp para paras art arts sec ch cl reg regs
    """.split()
)

_TERMINAL = ".!?…"
CLOSERS = "'\"’”)]»"
_OPENERS = "'\"‘“([«"
_TERMINAL_RUN = re.compile(r"[.!?…]+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``, stripped of surrounding space."""
    spans: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text):
        start = line_start
        for match in _TERMINAL_RUN.finditer(text, line_start, line_end):
            end = match.end()
            while end < line_end and text[end] in CLOSERS:
                end += 1
            if not _is_boundary(text, match.start(), end, line_end):
                continue
            _append(spans, text, start, end)
            start = end
        _append(spans, text, start, line_end)
    return spans


def _lines(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return
    # A lone closing quote or stray punctuation is glued to the sentence before it.
    if spans and all(not ch.isalnum() for ch in text[start:end]):
        prev_start, _ = spans[-1]
        spans[-1] = (prev_start, end)
        return
    spans.append((start, end))


def _is_boundary(text: str, punct_start: int, end: int, line_end: int) -> bool:
    """Decide whether the punctuation at ``punct_start`` (run ending at ``end``) ends a sentence."""
    if end >= line_end:
        return True
    if not text[end].isspace():
        return False  # "3.5", "£1.6m", "U.K.-based", "gov.uk"
    nxt = end
    while nxt < line_end and text[nxt].isspace():
        nxt += 1
    if nxt >= line_end:
        return True
    follower = text[nxt]
    if text[punct_start] != ".":
        # "?" and "!" end a sentence unless the quotation continues in lower case.
        return not follower.islower()
    if follower.islower():
        return False  # "approx. three", "etc. and"
    if not (follower.isupper() or follower.isdigit() or follower in _OPENERS or not follower.isalnum()):
        return False
    if end - punct_start > 1 or (end > punct_start + 1 and text[punct_start + 1] in CLOSERS):
        return True  # "..." or ".'" — an abbreviation does not take a closing quote
    word = _word_before(text, punct_start)
    if not word:
        return True  # "Cambridge ." (tokenizer spacing) or a bare dot
    lowered = word.lower()
    if lowered in _ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        return False  # an initial: "J. Smith"
    return not _is_dotted_acronym(text, punct_start)


def _word_before(text: str, pos: int) -> str:
    start = pos
    while start > 0 and (text[start - 1].isalnum()):
        start -= 1
    return text[start:pos]


def _is_dotted_acronym(text: str, pos: int) -> bool:
    """True for the final dot of "U.S." or "e.g." (letter-dot pairs)."""
    return pos >= 3 and text[pos - 1].isalpha() and text[pos - 2] == "." and text[pos - 3].isalpha()
