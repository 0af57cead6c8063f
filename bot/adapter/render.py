"""Everything the bot shows in Discord, built within Discord's limits. The one module that knows them.

Text from outside (the corpus, the asker) goes through three steps, in this order:

1. **cap** - cut to a length bound at a sentence or word boundary, with an ellipsis, *before* any
   escaping (escaping long hostile text is slow, and cutting escaped text could split an escape);
2. **neutralise** - a zero-width space after "@"/"＠" in @everyone/@here and inside ``<@…>``,
   ``<@&…>``, ``<#…>``, so nothing reads as a mention (``AllowedMentions.none()`` is the real
   guard; this keeps the text harmless wherever it is copied);
3. **escape** - a backslash before each inline-markdown character (``\\ * _ ~ | ` [ ] <``), one
   character at a time, URLs left intact. Per character (unlike ``discord.utils.escape_markdown``,
   whose line-anchored patterns misfire on fragments) so a quote can be escaped piece by piece and
   its matched words bolded between the pieces. Every line we build starts with our own
   characters (“, [1], …), so line-start markdown (#, >, -) in the text can never take effect.

What a *user* typed (a question, a claim, a topic) is echoed with ``echo``, which also shows links
inertly: each link (any ``scheme://``, ``www.``, and Discord invites without a scheme) goes inside
inline code, its backticks replaced, so the bot never posts a clickable link or an invite in its own
name. Links in the documents stay live: a moderator chose the documents.

Messages are then packed greedily: pieces (titles, descriptions, fields) fill embeds, embeds fill
messages, and a new embed or message starts whenever a limit would be crossed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from urllib.parse import urlsplit

import discord

from bot.engine.models import Answer, AnswerSentence, Citation, ClosestPassage, Document, Passage

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
EMBEDS_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME_LIMIT = 100
CHOICE_VALUE_LIMIT = 100

# Our own bounds on text from outside, in characters before escaping.
QUESTION_ECHO_CHARS = 200
TITLE_CHARS = 150
SOURCE_CHARS = 100
URL_CHARS = 300
CLOSEST_CHARS = 700
SOURCES_PER_PAGE = 10
FOOTER_CHARS = 256  # ours is short; bounding it keeps any one piece plus the footer within 6000

ELLIPSIS = "…"
ZWSP = "\u200b"
ANSWER_COLOUR = discord.Colour.dark_green()
NO_ANSWER_COLOUR = discord.Colour.gold()
INFO_COLOUR = discord.Colour.blurple()

# "＠" and "﹫" (small commercial at) too: both become "@" under NFKC, so either could ping everyone.
_MASS_MENTION = re.compile(r"([@＠﹫])(?=everyone|here)", re.IGNORECASE)
_MENTION_FORM = re.compile(r"<([@#][!&]?)(?=\d)")
_ESCAPES = str.maketrans({ch: "\\" + ch for ch in "\\*_~|`[]<"})
_BOLD = "\ue000"  # a private-use character: marks bold runs while a quote is escaped
_URL = re.compile(r"https?://[^\s<\ue000]+[^\s<\ue000.,:;\"')\]]")
# What Discord may turn into a link or an invite in a user's text: wider than ``_URL`` on purpose.
_USER_LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.|(?:discord(?:app)?\.(?:gg|com|io|me|li)|dsc\.gg)/)\S*", re.IGNORECASE
)
_LINK_TAIL = ".,:;!?\"'”’)]>"  # punctuation ending a sentence (or "<…>"), not the link
_CODE_BACKTICK = "ˋ"  # U+02CB: looks like a backtick, cannot close the inline code around a link
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s")


def measure(text: str) -> int:
    """Length as Discord may count it (UTF-16 units): never less than ``len``, so always safe."""
    return len(text.encode("utf-16-le")) // 2


# -- text safety ---------------------------------------------------------------------------------


def neutralise_mentions(text: str) -> str:
    text = _MASS_MENTION.sub(lambda m: m.group(1) + ZWSP, text)
    return _MENTION_FORM.sub(lambda m: "<" + m.group(1) + ZWSP, text)


def escape(text: str) -> str:
    """Escape inline markdown one character at a time; URLs stay as they are (they autolink)."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        out.append(text[last : match.start()].translate(_ESCAPES))
        out.append(match.group())
        last = match.end()
    out.append(text[last:].translate(_ESCAPES))
    return "".join(out)


def safe(text: str) -> str:
    return escape(neutralise_mentions(text))


def inert(text: str) -> str:
    """Like ``safe``, but every link-like run is shown as inline code, so nothing in it is clickable.

    Backticks inside a run, and touching it, become "ˋ": an escaped backtick next to the code span's
    own would make a run of two, which a markdown parser may read as another delimiter."""
    text = neutralise_mentions(text)
    out: list[str] = []
    last = 0
    for match in _USER_LINK.finditer(text):
        run = match.group().rstrip(_LINK_TAIL + "`") or match.group()
        before = text[last : match.start()]
        if before.endswith("`"):
            before = before[:-1] + _CODE_BACKTICK
        out.append(before.translate(_ESCAPES))
        out.append("`" + run.replace("`", _CODE_BACKTICK) + "`")
        last = match.start() + len(run)
        if text.startswith("`", last):
            out.append(_CODE_BACKTICK)
            last += 1
    out.append(text[last:].translate(_ESCAPES))
    return "".join(out)


def cap(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a sentence or word boundary, plus an ellipsis."""
    if len(text) <= limit:
        return text
    return _cut(text, limit - len(ELLIPSIS)) + ELLIPSIS


def _cut(text: str, limit: int) -> str:
    head = text[: max(limit, 0)]
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if sentence_ends and sentence_ends[-1] >= limit * 0.6:
        return head[: sentence_ends[-1]].rstrip()
    space = head.rfind(" ")
    if space >= limit * 0.6:
        return head[:space].rstrip()
    return head.rstrip()


def fit(raw: str, limit: int, render: Callable[[str], str] = safe) -> str:
    """``render(raw)`` if it fits in ``limit``, else ``render`` of the longest prefix of ``raw`` (cut at a
    boundary) that fits, plus an ellipsis. Cutting the raw text, never the rendered one, is what keeps
    escapes, bold markers and links whole."""
    if len(raw) <= limit:
        out = render(raw)
        if measure(out) <= limit:
            return out
    raw = raw[:limit]  # rendering only ever adds characters, so a longer prefix cannot fit
    low, high = 0, len(raw)  # the longest prefix whose rendering fits beside the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if measure(render(raw[:middle])) + len(ELLIPSIS) <= limit:
            low = middle
        else:
            high = middle - 1
    while True:  # cutting back to a boundary can (rarely) render longer, e.g. a completed "@everyone"
        head = _cut(raw, low)
        out = render(head) + ELLIPSIS if head else ELLIPSIS
        if measure(out) <= limit or not head:
            return out
        low = len(head) - 1


def echo(text: str, limit: int = QUESTION_ECHO_CHARS, budget: int | None = None) -> str:
    """Text a user typed, shown back: one line, capped to ``limit`` characters *before* it is
    neutralised and escaped (links made inert), the result within ``budget`` (default twice the cap:
    escaping at most doubles a character; a link's two backticks add less)."""
    one_line = " ".join(text[: limit * 4].split())
    return fit(cap(one_line, limit), budget or limit * 2, inert)


def quote(text: str, terms: Sequence[str] = ()) -> str:
    """A verbatim sentence, escaped, with ``terms`` (words of the text) in bold."""
    text = neutralise_mentions(text)
    spans = _term_spans(text, terms)
    if not spans:
        return escape(text)
    if _BOLD in text:  # (never in real text) the careful way: escape piece by piece
        pieces, last = [], 0
        for start, end in spans:
            pieces += [escape(text[last:start]), "**" + escape(text[start:end]) + "**"]
            last = end
        return "".join([*pieces, escape(text[last:])])
    # Mark the bold runs with a character escaping leaves alone, escape once, then make the marks "**".
    marked, last = [], 0
    for start, end in spans:
        marked += [text[last:start], _BOLD, text[start:end], _BOLD]
        last = end
    marked.append(text[last:])
    return escape("".join(marked)).replace(_BOLD, "**")


def _term_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    words = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not words:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)")
    urls = [m.span() for m in _URL.finditer(text)]
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in urls):
            continue  # bold inside a URL would break the link
        if spans and not text[spans[-1][1] : start].strip():
            spans[-1] = (spans[-1][0], end)  # "salary threshold": one bold run, not two
        else:
            spans.append((start, end))
    return spans


def link(label: str, url: str | None) -> str:
    """``[label](url)`` when the url is a plain http(s) link and the label can be link text; else the label."""
    href = _safe_url(url)
    if href is None or "[" in label or "]" in label:
        return label
    return f"[{label}]({href})"


def _safe_url(url: str | None) -> str | None:
    if not url or len(url) > URL_CHARS or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    # "@" too, so a document's url ("https://x.example/@everyone") cannot carry
    # mention syntax into an embed (nor userinfo, "https://gov.example@evil.example", a host).
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E").replace("@", "%40")


# -- packing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """One message: its content and embeds, all within limits."""

    content: str | None = None
    embeds: tuple[discord.Embed, ...] = ()


@dataclass(frozen=True)
class Piece:
    kind: Literal["title", "description", "field"]
    text: str
    name: str = ""

    @property
    def size(self) -> int:
        return measure(self.text) + measure(self.name)


@dataclass
class _Packer:
    colour: discord.Colour
    footer: str
    messages: list[list[discord.Embed]] = field(default_factory=lambda: [[]])
    size: int = 0

    @property
    def embed(self) -> discord.Embed | None:
        return self.messages[-1][-1] if self.messages[-1] else None

    def add(self, piece: Piece) -> None:
        embed = self.embed
        if piece.kind == "title":
            fresh = True
        elif piece.kind == "description":
            fresh = embed is None or bool(embed.description) or bool(embed.fields)
        else:
            fresh = embed is None or len(embed.fields) >= FIELDS_PER_EMBED
        reserve = measure(self.footer)
        if self.messages[-1] and (
            self.size + piece.size + reserve > EMBEDS_TOTAL_LIMIT
            or (fresh and len(self.messages[-1]) >= EMBEDS_PER_MESSAGE)
        ):
            self.messages.append([])
            self.size = 0
            fresh = True
        if fresh:
            self.messages[-1].append(discord.Embed(colour=self.colour))
        embed = self.embed
        assert embed is not None
        if piece.kind == "title":
            embed.title = piece.text
        elif piece.kind == "description":
            embed.description = piece.text
        else:
            embed.add_field(name=piece.name, value=piece.text, inline=False)
        self.size += piece.size

    def result(self) -> list[Rendered]:
        out = []
        for embeds in self.messages:
            if not embeds:
                continue
            if self.footer:
                embeds[-1].set_footer(text=self.footer)
            out.append(Rendered(embeds=tuple(embeds)))
        return out


def pack(pieces: Iterable[Piece], *, footer: str = "", colour: discord.Colour = INFO_COLOUR) -> list[Rendered]:
    """Pieces in order into as few messages as the limits allow (each piece must fit its own limit)."""
    packer = _Packer(colour, fit(footer, min(FOOTER_CHARS, FOOTER_LIMIT), str) if footer else "")
    for piece in pieces:
        packer.add(piece)
    return packer.result()


def chunk_lines(lines: Iterable[str], limit: int, *, separator: str = "\n", max_lines: int | None = None) -> list[str]:
    """Join lines into chunks of at most ``limit`` characters (and ``max_lines`` lines), never splitting one.

    Every line must already fit ``limit``."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        grown = size + measure(line) + (len(separator) if current else 0)
        if current and (grown > limit or (max_lines is not None and len(current) >= max_lines)):
            chunks.append(separator.join(current))
            current, size = [], 0
            grown = measure(line)
        current.append(line)
        size = grown
    if current:
        chunks.append(separator.join(current))
    return chunks


def _fields(name: str, lines: Iterable[str]) -> list[Piece]:
    chunks = chunk_lines(lines, FIELD_VALUE_LIMIT)
    return [Piece("field", chunk, name if i == 0 else f"{name} (continued)") for i, chunk in enumerate(chunks)]


def _descriptions(lines: Iterable[str], separator: str = "\n\n") -> list[Piece]:
    return [Piece("description", chunk) for chunk in chunk_lines(lines, DESCRIPTION_LIMIT, separator=separator)]


# -- answers -------------------------------------------------------------------------------------


def document_text(citation: Citation, *, with_link: bool = True) -> str:
    """Title · source · date, the title a masked link when the url is a plain http(s) one."""
    title = _title(citation.title)
    parts = [link(title, citation.url) if with_link else title]
    if citation.source:
        parts.append(safe(cap(citation.source, SOURCE_CHARS)))
    if citation.date:
        parts.append(safe(cap(citation.date, 40)))
    return " · ".join(parts)


def citation_text(citation: Citation) -> str:
    """Title · source · date · ¶58."""
    return f"{document_text(citation)} · {citation.paragraph_label}"


def _title(title: str) -> str:
    return safe(cap(" ".join(title.split()), TITLE_CHARS))


class Citations:
    """Numbers citations in order of first use; one number per document paragraph."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, int, int | None], int] = {}
        self.listed: list[Citation] = []

    def number(self, citation: Citation) -> int:
        key = (citation.document, citation.paragraph, citation.paragraph_end)
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
            self.listed.append(citation)
        return self._numbers[key]

    def lines(self) -> list[str]:
        """One line per document, "[1] ¶58 · [2] ¶67 — title · source · date", so a title is not
        repeated for every paragraph; documents in order of first citation."""
        by_document: dict[str, list[tuple[int, Citation]]] = {}
        for number, citation in enumerate(self.listed, 1):
            by_document.setdefault(citation.document, []).append((number, citation))
        lines = []
        for cited in by_document.values():
            for group in _groups(cited, 12):  # keeps a line within the field limit, whatever the count
                markers = " · ".join(f"[{n}] {c.paragraph_label}" for n, c in group)
                line = f"{markers} — {document_text(group[0][1])}"
                if measure(line) > FIELD_VALUE_LIMIT:  # a long url: the bounds leave only this way out
                    line = f"{markers} — {document_text(group[0][1], with_link=False)}"
                lines.append(line)
        return lines


def _groups(items: list[tuple[int, Citation]], size: int) -> list[list[tuple[int, Citation]]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def quote_line(sentence: AnswerSentence, number: int) -> str:
    marker = f" [{number}]"
    budget = DESCRIPTION_LIMIT - 2 - len(marker)
    return "“" + fit(sentence.text, budget, lambda text: quote(text, sentence.matched_terms)) + "”" + marker


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def footer_text(version: str, detail: str) -> str:
    return f"corpus {version} · {detail}" if version else detail


@dataclass(frozen=True)
class CorpusInfo:
    """The corpus as a member's footer tells it: how recent and how many documents. The version
    (a hash) stays, last, for tracing an answer back to the documents it came from."""

    version: str
    documents: int
    newest: date | None  # the latest ISO date among the documents' dates

    @classmethod
    def of(cls, documents: Sequence[Document], version: str) -> CorpusInfo:
        dates = []
        for document in documents:
            try:
                dates.append(date.fromisoformat(document.meta.date or ""))
            except ValueError:
                continue  # no date, or free text such as "December 2023"
        return cls(version, len(documents), max(dates, default=None))


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # not %b: locale-free


def reader_footer(corpus: CorpusInfo | None, version: str, detail: str) -> str:
    """ "documents as of 5 Dec 2023 · 1 document · 3 sentences · corpus 70040e7bd054".

    ``version`` is the one the reply was made from: when ``corpus`` describes another (swapped in
    meanwhile) or is unknown, the footer says only what is certain (``footer_text``)."""
    if corpus is None or corpus.version != version:
        return footer_text(version, detail)
    newest = corpus.newest
    parts = [f"documents as of {newest.day} {_MONTHS[newest.month - 1]} {newest.year}"] if newest else []
    parts.append(_plural(corpus.documents, "document") if corpus.documents else "no documents")
    if detail:
        parts.append(detail)
    if version:
        parts.append(f"corpus {version}")
    return " · ".join(parts)


def render_answer(answer: Answer, corpus: CorpusInfo | None = None) -> list[Rendered]:
    """An answer (or the honest non-answer) as one message, or more when it cannot fit in one."""
    if not answer.answered:
        return render_no_answer(answer, corpus)
    return _render_sentences(answer.sentences, answer, corpus, title=echo(answer.question, budget=TITLE_LIMIT))


def render_more(answer: Answer, corpus: CorpusInfo | None = None) -> list[Rendered]:
    """The next-best sentences (``Answer.more``) for the "More" button."""
    if not answer.more:
        return [notice("There is nothing more in the documents for this question.")]
    title = "More: " + echo(answer.question, budget=TITLE_LIMIT - 6)
    return _render_sentences(answer.more, answer, corpus, title=title)


def _render_sentences(
    sentences: Sequence[AnswerSentence], answer: Answer, corpus: CorpusInfo | None, *, title: str
) -> list[Rendered]:
    citations = Citations()
    lines = [quote_line(s, citations.number(s.citation)) for s in sentences]
    pieces = [Piece("title", title), *_descriptions(lines), *_fields("Sources", citations.lines())]
    footer = reader_footer(corpus, answer.corpus_version, _plural(len(sentences), "sentence"))
    return pack(pieces, footer=footer, colour=ANSWER_COLOUR)


def render_no_answer(answer: Answer, corpus: CorpusInfo | None = None) -> list[Rendered]:
    """Says plainly that the documents do not answer, then the closest passages, marked as such."""
    reason = answer.reason or "The documents do not answer this question."
    lines = [f"{safe(reason)}\nYou asked: “{echo(answer.question)}”"]
    citations = Citations()
    if answer.closest:
        lines.append("**Closest passages — not a direct answer:**")
        lines += [closest_line(p, citations.number(p.citation)) for p in answer.closest]
    pieces = [
        Piece("title", "Not answered by the documents"),
        *_descriptions(lines),
        *_fields("Sources (closest passages)", citations.lines()),
    ]
    footer = reader_footer(corpus, answer.corpus_version, "not answered")
    return pack(pieces, footer=footer, colour=NO_ANSWER_COLOUR)


def closest_line(passage: ClosestPassage, number: int) -> str:
    return f"[{number}] “" + fit(cap(passage.text, CLOSEST_CHARS), DESCRIPTION_LIMIT - 10) + "”"


def render_passages(
    cited: Sequence[tuple[Passage, Citation]], version: str, corpus: CorpusInfo | None = None
) -> list[Rendered]:
    """The full paragraphs an answer quotes from, one embed each (for "Show passages")."""
    if not cited:
        return [notice("There are no passages to show for this answer.")]
    pieces: list[Piece] = []
    for number, (passage, citation) in enumerate(cited, 1):
        label = f" · {citation.paragraph_label}"
        heading = f"[{number}] " + fit(" ".join(citation.title.split()), TITLE_LIMIT - 10 - len(label)) + label
        pieces.append(Piece("title", heading))
        # Cap before joining: a boundary-less passage can be megabytes, and this
        # runs on the event loop (joining 5 MB stalled it ~80 ms).
        text = " ".join(passage.text[: DESCRIPTION_LIMIT * 4].split())
        text += ELLIPSIS if len(passage.text) > DESCRIPTION_LIMIT * 4 else ""
        pieces.append(Piece("description", "“" + fit(text, DESCRIPTION_LIMIT - 2) + "”"))
        pieces += _fields("Source", [citation_text(citation)])
    return pack(pieces, footer=reader_footer(corpus, version, _plural(len(cited), "passage")), colour=INFO_COLOUR)


# -- sources, help, notices ----------------------------------------------------------------------


@dataclass(frozen=True)
class SourcesPage:
    message: Rendered
    page: int  # 0-based, clamped to the pages that exist
    pages: int


def render_sources(
    documents: Sequence[Document],
    passage_counts: Mapping[str, int],
    version: str,
    page: int,
    corpus: CorpusInfo | None = None,
) -> SourcesPage:
    """One page of the document list; pages are cut by line count and by the description limit.

    A title links to the original when the document has a usable url; the others are marked
    *no link* and a note under the list counts them, so a moderator sees which lack one."""
    lines, unlinked = [], 0
    for number, document in enumerate(documents, 1):
        line, linked = _document_line(number, document, passage_counts.get(document.id, 0))
        lines.append(line)
        unlinked += not linked
    chunks = chunk_lines(lines, DESCRIPTION_LIMIT, max_lines=SOURCES_PER_PAGE) or ["The corpus has no documents."]
    page = min(max(page, 0), len(chunks) - 1)
    pieces = [Piece("title", f"Documents ({len(documents)})"), Piece("description", chunks[page])]
    if unlinked:
        lead = "Titles link to the original document. " if unlinked < len(documents) else ""
        has = "has" if unlinked == 1 else "have"
        note = f"{lead}{_plural(unlinked, 'document')} marked *{NO_LINK}* {has} no web address on record."
        pieces.append(Piece("field", note, "Links"))
    pages = f"page {page + 1}/{len(chunks)}" if len(chunks) > 1 else ""
    if corpus is not None and corpus.version == version:
        footer = reader_footer(corpus, version, pages)  # it counts the documents itself
    else:
        footer = footer_text(version, " · ".join(p for p in (_plural(len(documents), "document"), pages) if p))
    (message,) = pack(pieces, footer=footer, colour=INFO_COLOUR)
    return SourcesPage(message, page, len(chunks))


NO_LINK = "no link"


def _document_line(number: int, document: Document, passages: int) -> tuple[str, bool]:
    """The document's line in ``/sources``, and whether its title is a link."""
    meta = document.meta
    title = _title(meta.title)
    shown = link(title, meta.url)
    parts = [f"{number}. **{shown}**"]
    if meta.source:
        parts.append(safe(cap(meta.source, SOURCE_CHARS)))
    if meta.date:
        parts.append(safe(cap(meta.date, 40)))
    parts.append(_plural(passages, "passage"))
    if shown == title:
        parts.append(f"*{NO_LINK}*")
    return " · ".join(parts), shown != title


def render_help(entries: Sequence[tuple[str, str]], intro: str) -> list[Rendered]:
    """``entries``: (usage, explanation) pairs written by us, one field each."""
    pieces = [Piece("title", "Policy bot — help"), Piece("description", fit(intro, DESCRIPTION_LIMIT, str))]
    for usage, text in entries:
        pieces.append(Piece("field", fit(text, FIELD_VALUE_LIMIT, str), fit(usage, FIELD_NAME_LIMIT, str)))
    return pack(pieces, colour=INFO_COLOUR)


def notice(text: str) -> Rendered:
    """A short plain message we wrote (callers escape any outside text they put in it)."""
    return Rendered(content=fit(text, CONTENT_LIMIT, str))


def cooldown_notice(retry_after: float, now: float) -> Rendered:
    """When the asker may ask again, as a Discord timestamp (shown in their own time zone)."""
    seconds = max(1, round(retry_after))
    return notice(
        f"You're asking quickly — you can ask again <t:{int(now + retry_after) + 1}:R> (in about "
        f"{_plural(seconds, 'second')}). The limit keeps the bot responsive for everyone."
    )
