"""``/figures`` and "Check against the documents" as Discord messages, built from render.py's primitives.

render.py knows Discord's message limits and the three steps every outside text goes through (cap,
neutralise, escape); this module only arranges figures and claim checks with them:

- a figure is its value in bold (qualifier included: "more than £38,000 a year"), a role when the
  sentence says which value of a change it is, a citation marker [n] and its sentence, quoted verbatim;
- figures that measure the same thing come as one group (one field), so a revision or a disagreement
  between documents is read side by side;
- a claim check first compares the claim's figures with the documents' ("matches", "close to",
  "differs from", with every documented value of the measure and its role side by side; or "no figure
  for this in the documents", other measures only as related), then quotes the best-matching
  sentences exactly as ``/ask`` does, or declines as ``/ask`` does, with the closest passages marked.

Citation numbers are shared by everything in one reply, so [2] in a comparison and [2] in a quote are
the same paragraph, listed once under Sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.adapter.render import (
    ANSWER_COLOUR,
    CHOICE_NAME_LIMIT,
    CHOICE_VALUE_LIMIT,
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    INFO_COLOUR,
    NO_ANSWER_COLOUR,
    QUESTION_ECHO_CHARS,
    TITLE_CHARS,
    TITLE_LIMIT,
    Citations,
    CorpusInfo,
    Piece,
    Rendered,
    cap,
    chunk_lines,
    closest_line,
    echo,
    fit,
    footer_text,
    measure,
    neutralise_mentions,
    notice,
    pack,
    quote,
    quote_line,
    reader_footer,
)

# The answer-rendering pieces of /ask, reused so quotes, closest passages and Sources look the same.
from bot.adapter.render import AUTOCOMPLETE_CHOICES as CHOICES_LIMIT
from bot.engine.claims import ClaimCheck, FigureComparison
from bot.engine.figures.index import FigureGroup, IndexedFigure
from bot.engine.figures.parse import MAX_LABEL_CHARS, ROLE_WORDING, Figure

# Discord's autocomplete limits (interaction responses, not messages: render.py has no constants for them).

# Our own bounds, in characters before escaping.
FIGURE_CHARS = 80  # a figure as written ("more than £38,000 a year"); real ones are far shorter
LABEL_CHARS = MAX_LABEL_CHARS  # a label is shown whole
FIGURE_SENTENCE_CHARS = 300  # a figure's sentence: longer ones are shown as a window around the figure
OVERVIEW_DOCUMENTS = 10  # documents in the overview; the rest are counted, not shown

_VERDICT_WORDS = {"match": "**matches**", "near": "is **close to**", "differs": "**differs from**"}
FIGURES_INTRO = (
    "Figures the documents give about this, best match first. Values of one measure are listed together, "
    "so revisions and disagreements show side by side; each is quoted with its sentence."
)
OVERVIEW_INTRO = (
    "The main amounts, counts and percentages of each document, with where they are written. "
    "Use `/figures topic:` for one subject."
)
COMPARED_NOTE = (
    "*Figures are compared by value and wording only: a match means the documents give the same number "
    "for something similarly worded, not that the message is right.*"
)
NO_TEXT = (
    "That message has no text to check (only embeds or attachments). "
    "Use `/check claim:` with the words you want checked."
)


# -- pieces --------------------------------------------------------------------------------------


def said(figure: Figure) -> str:
    """A figure as written, its qualifier in front ("more than £38,000 a year"), escaped and in bold."""
    written = f"{figure.qualifier} {figure.text}" if figure.qualifier else figure.text
    return "**" + fit(" ".join(written.split()), FIGURE_CHARS) + "**"


def label_text(label: str) -> str:
    return fit(" ".join(label.split()), LABEL_CHARS)


def value_text(member: IndexedFigure, number: int, group_label: str = "") -> str:
    """ "**£38,700** (new value) [3]"; the figure's own label too when it is not the group's."""
    figure = member.figure
    notes = [ROLE_WORDING[figure.role]] if figure.role else []
    if group_label and figure.label.casefold() != group_label.casefold():
        notes.append(label_text(figure.label))
    suffix = f" ({'; '.join(notes)})" if notes else ""
    return f"{said(figure)}{suffix} [{number}]"


def excerpt(sentence: str, start: int, end: int, limit: int = FIGURE_SENTENCE_CHARS) -> str:
    """``sentence``, or when longer than ``limit`` a window of it around ``[start, end)`` (the figure),
    cut at spaces and marked with ellipses: cutting only the end could cut the figure away."""
    if len(sentence) <= limit:
        return " ".join(sentence.split())
    room = max(limit - (end - start), 0)
    left = max(0, min(start - room // 2, len(sentence) - limit))
    right = min(len(sentence), left + limit)
    if left > 0:
        space = sentence.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(sentence):
        space = sentence.rfind(" ", end, right)
        right = space if space >= 0 else right
    head = ELLIPSIS if left > 0 else ""
    tail = ELLIPSIS if right < len(sentence) else ""
    return head + " ".join(sentence[left:right].split()) + tail


def figure_quote(members: Sequence[IndexedFigure], budget: int) -> str:
    """The sentence of ``members`` (figures of one sentence), verbatim and escaped, in quotation marks,
    the figures in bold."""
    sentence = members[0].sentence
    start, end = min(m.figure.start for m in members), max(m.figure.end for m in members)
    terms = tuple(" ".join(m.figure.text.split()) for m in members)
    return "“" + fit(excerpt(sentence, start, end), budget - 2, lambda raw: quote(raw, terms)) + "”"


def _fields(name: str, lines: Iterable[str]) -> list[Piece]:
    """Lines into as many fields as they need; the name repeated as "(continued)"."""
    chunks = chunk_lines(lines, FIELD_VALUE_LIMIT)
    continued = fit(f"{name} (continued)", FIELD_NAME_LIMIT, str)
    return [Piece("field", chunk, name if i == 0 else continued) for i, chunk in enumerate(chunks)]


def _descriptions(lines: Iterable[str]) -> list[Piece]:
    return [Piece("description", chunk) for chunk in chunk_lines(lines, DESCRIPTION_LIMIT, separator="\n\n")]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# -- /figures ------------------------------------------------------------------------------------


def render_figures(topic: str, groups: Sequence[FigureGroup], version: str) -> list[Rendered]:
    """Figures about ``topic``: one field per group (values side by side, then each sentence), Sources."""
    if not groups:
        return render_no_figures(topic, version)
    citations = Citations()
    pieces = [Piece("title", "Figures: " + echo(topic, budget=TITLE_LIMIT - 9)), Piece("description", FIGURES_INTRO)]
    for group in groups:
        pieces += _fields(fit(" ".join(group.label.split()), FIELD_NAME_LIMIT), _group_lines(group, citations))
    pieces += _fields("Sources", citations.lines())
    count = sum(len(group.members) for group in groups)
    footer = footer_text(version, f"{_plural(count, 'figure')} · {_plural(len(groups), 'measure')}")
    return pack(pieces, footer=footer, colour=ANSWER_COLOUR)


def _shown(group: FigureGroup, citations: Citations) -> list[tuple[IndexedFigure, int]]:
    """A group's members with their citation numbers; the same figure twice in one paragraph once."""
    shown: list[tuple[IndexedFigure, int]] = []
    seen: set[tuple[str, str | None, int]] = set()
    for member in group.members:
        number = citations.number(member.citation)
        key = (member.figure.text, member.figure.qualifier, number)
        if key not in seen:
            seen.add(key)
            shown.append((member, number))
    return shown


def _group_lines(group: FigureGroup, citations: Citations) -> list[str]:
    shown = _shown(group, citations)
    values = [value_text(member, number, group.label) for member, number in shown]
    lines = chunk_lines(values, FIELD_VALUE_LIMIT, separator=" · ")  # (one line unless a group is huge)
    # "from 606,000 to 745,000": one sentence, two values, quoted once with both in bold.
    by_sentence: dict[tuple[int, str], list[IndexedFigure]] = {}
    for member, number in shown:
        by_sentence.setdefault((number, member.sentence), []).append(member)
    for (number, _), members in by_sentence.items():
        marker = f"[{number}] "
        lines.append(marker + figure_quote(members, FIELD_VALUE_LIMIT - len(marker)))
    return lines


def render_no_figures(topic: str, version: str) -> list[Rendered]:
    text = (
        f"No figures in the documents match “{echo(topic)}”. Try another word for it, or leave the topic "
        "empty for an overview of the key figures."
    )
    pieces = [Piece("title", "No figures found"), Piece("description", text)]
    return pack(pieces, footer=footer_text(version, "no match"), colour=NO_ANSWER_COLOUR)


def render_overview(groups: Sequence[FigureGroup], version: str) -> list[Rendered]:
    """Key figures by document: one field per document, a line per measure ("label: **v** [n] · …")."""
    if not groups:
        pieces = [
            Piece("title", "Key figures in the documents"),
            Piece("description", "The documents hold no figures."),
        ]
        return pack(pieces, footer=footer_text(version, "no figures"), colour=NO_ANSWER_COLOUR)
    by_document: dict[str, list[FigureGroup]] = {}
    for group in groups:
        by_document.setdefault(group.members[0].citation.document, []).append(group)
    citations = Citations()
    pieces = [Piece("title", "Key figures in the documents"), Piece("description", OVERVIEW_INTRO)]
    for document_groups in list(by_document.values())[:OVERVIEW_DOCUMENTS]:
        title = " ".join(document_groups[0].members[0].citation.title.split())
        name = fit(cap(title, TITLE_CHARS), FIELD_NAME_LIMIT)
        pieces += _fields(name, [_overview_line(group, citations) for group in document_groups])
    hidden = len(by_document) - OVERVIEW_DOCUMENTS
    if hidden > 0:
        more = f"…and {_plural(hidden, 'more document')}: ask `/figures topic:` about a subject to see them."
        pieces.append(Piece("field", more, "More"))
    pieces += _fields("Sources", citations.lines())
    shown = min(len(by_document), OVERVIEW_DOCUMENTS)
    footer = footer_text(version, f"key figures of {_plural(shown, 'document')}")
    return pack(pieces, footer=footer, colour=INFO_COLOUR)


def _overview_line(group: FigureGroup, citations: Citations) -> str:
    values = " · ".join(value_text(member, number) for member, number in _shown(group, citations))
    line = f"{label_text(group.label)}: {values}"
    if measure(line) <= FIELD_VALUE_LIMIT:
        return line
    # A group of many long values (at most figures.MAX_GROUP_MEMBERS): keep the label and what fits.
    return fit(line, FIELD_VALUE_LIMIT, str)


# -- autocomplete --------------------------------------------------------------------------------


def choices(labels: Iterable[str]) -> list[tuple[str, str]]:
    """(name, value) pairs for autocomplete: at most 25, each within 100 characters, no duplicates.

    The value is what the command receives back (a topic), so it is the label itself, only cut; the
    name is what the user sees, with mentions neutralised (harmless there, but copied text stays so).
    """
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for label in labels:
        raw = " ".join(str(label).split())
        value = fit(raw, CHOICE_VALUE_LIMIT, str)
        if not raw or value in seen:
            continue
        seen.add(value)
        out.append((fit(raw, CHOICE_NAME_LIMIT, neutralise_mentions), value))
        if len(out) >= CHOICES_LIMIT:
            break
    return out


# -- claims --------------------------------------------------------------------------------------


def render_check(check: ClaimCheck, corpus: CorpusInfo | None = None) -> list[Rendered]:
    """A claim held up to the documents: its figures compared, then what the documents say (or not).

    It is shared in channels (the "Share in channel" button): the claim is echoed with ``echo``, so
    links someone wrote in it are shown inert."""
    answer = check.answer
    citations = Citations()
    lines = [f"The message: “{echo(check.claim, QUESTION_ECHO_CHARS)}”"]
    quoted: set[tuple[str, int, str]] = set()
    if check.comparisons:
        lines.append("**Figures**")
        for comparison in check.comparisons:
            block = comparison_line(comparison, citations)
            if comparison.corpus:  # the sentence the documented figure stands in, to read it in context
                best = comparison.corpus[0]
                block += f"\n{figure_quote([best], FIELD_VALUE_LIMIT)} [{citations.number(best.citation)}]"
                quoted.add(_sentence_key(best.citation.document, best.citation.paragraph, best.sentence))
            lines.append(block)
        if any(c.corpus for c in check.comparisons):
            lines.append(COMPARED_NOTE)
    if answer.answered:
        keys = [_sentence_key(s.citation.document, s.citation.paragraph, s.text) for s in answer.sentences]
        sentences = [s for s, key in zip(answer.sentences, keys, strict=True) if key not in quoted]
        if sentences:
            lines.append("**What the documents say**")
            lines += [quote_line(s, citations.number(s.citation)) for s in sentences]
    else:
        lines.append("The documents do not say anything that directly bears on this.")
        if answer.closest:
            lines.append("**Closest passages — not a direct answer:**")
            lines += [closest_line(p, citations.number(p.citation)) for p in answer.closest]
    pieces = [Piece("title", "Checked against the documents"), *_descriptions(lines)]
    pieces += _fields("Sources", citations.lines())
    found = answer.answered or any(c.corpus for c in check.comparisons)
    colour = ANSWER_COLOUR if found else NO_ANSWER_COLOUR
    footer = reader_footer(corpus, answer.corpus_version, _check_detail(check))
    return pack(pieces, footer=footer, colour=colour)


def comparison_line(comparison: FigureComparison, citations: Citations) -> str:
    """ "The message says **a million**; the documents say **745,000** (net migration) [1]: the message
    **differs from** the documents." — then, when the documents give the measure more than one value,
    every value with its role side by side (a revision shows both); a figure the documents lack gets
    the nearest figures of other measures, marked as not compared."""
    claimed = said(comparison.claimed)
    if not comparison.corpus:
        line = f"The message says {claimed}; there is **no figure for this in the documents**."
        if comparison.related:
            also = " · ".join(
                f"{said(m.figure)} ({label_text(m.figure.label)}) [{citations.number(m.citation)}]"
                for m in comparison.related
            )
            line += f" Related figures of other measures, not compared: {also}."
        return line
    best = comparison.corpus[0]
    line = (
        f"The message says {claimed}; the documents say {said(best.figure)} ({label_text(best.figure.label)}) "
        f"[{citations.number(best.citation)}]: the message {_VERDICT_WORDS[comparison.verdict]} the documents."
    )
    # A match lists the measure's other values; any other verdict every value, the compared one first.
    matched = comparison.verdict == "match"
    values = comparison.documented[1:] if matched else comparison.documented
    if values and len(comparison.documented) > 1:
        shown = " · ".join(value_text(m, citations.number(m.citation), best.figure.label) for m in values)
        intro = "Other values of this measure" if matched else "Every value the documents give for it"
        line += f" {intro}: {shown}."
    return line


def _sentence_key(document: str, paragraph: int, text: str) -> tuple[str, int, str]:
    return (document, paragraph, " ".join(text.split()))


def _check_detail(check: ClaimCheck) -> str:
    parts = []
    if check.comparisons:
        parts.append(_plural(len(check.comparisons), "figure") + " compared")
    parts.append(_plural(len(check.answer.sentences), "sentence") if check.answer.answered else "not answered")
    return " · ".join(parts)


def render_no_text() -> Rendered:
    return notice(NO_TEXT)
