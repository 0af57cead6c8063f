"""Splitting a document into passages a reader can cite by paragraph.

Paragraphs are blocks separated by blank lines; a document without blank lines (scraped text)
has one paragraph per line. In blank-line documents, headings and list items are paragraphs of
their own. Paragraphs are numbered as a reader counts them: the Nth non-empty paragraph of the
body is ¶N.

Fragments that cannot stand alone (bylines, short headings, "Photo: Reuters") are merged into the
next paragraph, which they introduce (or into the previous one at the end of a document). Very
long paragraphs are cut at sentence boundaries. Every passage keeps exact character offsets into
the document.

A file without front matter whose first line is a title without ``#`` ("Bus Fare Cap Extension",
then a blank line: see ``title_line``) gets what a Markdown heading gets: the line is ¶1, is
searched as part of the paragraph it introduces, names the document, and is never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.models import Document, Passage
from bot.engine.text.sentences import CLOSERS, split_sentences

FRAGMENT_MAX_WORDS = 7
# A first line of at most this many words, followed by a blank line, is a title, not a sentence:
# headlines run to a dozen words or so; a longer first line is more likely a standfirst or a lead.
TITLE_MAX_WORDS = 15
# A line ending so is a sentence or a lead-in ("Key points:"), not a title; a headline may ask a question.
_NOT_TITLE_ENDINGS = (".", "!", "…", ":", ";", ",")
MAX_PASSAGE_CHARS = 1200
_BLOCK_MARKER = re.compile(r"\s*(?:#{1,6}\s|[-*+]\s|\d{1,3}[.)]\s|>\s?)")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NON_SPACE = re.compile(r"\S")


@dataclass(frozen=True, slots=True)
class Paragraph:
    number: int
    start: int
    end: int
    is_fragment: bool


def title_line(text: str, body_start: int = 0) -> tuple[int, int] | None:
    """The span of a title written as a plain first line, or None.

    It is the first non-empty line of a file without front matter (``body_start`` 0) when that
    line has at most ``TITLE_MAX_WORDS`` words, is no list item, quote or Markdown heading, does
    not end like a sentence, and is followed by a blank line and more text. Reads only the start
    of ``text``.
    """
    if body_start:
        return None  # front matter names the document: its body is left as it is
    first = _NON_SPACE.search(text)
    if first is None:
        return None
    start = first.start()
    end = text.find("\n", start)
    blank = _BLANK_LINE.match(text, end) if end >= 0 else None
    if blank is None or _NON_SPACE.search(text, blank.end()) is None:
        return None
    line = text[start:end].rstrip()
    if len(line.split()) > TITLE_MAX_WORDS or _BLOCK_MARKER.match(line) or not any(c.isalpha() for c in line):
        return None
    if line.rstrip(CLOSERS).endswith(_NOT_TITLE_ENDINGS):
        return None
    return start, start + len(line)


def find_paragraphs(text: str, body_start: int = 0) -> list[Paragraph]:
    """Paragraph spans of ``text[body_start:]``, numbered from 1."""
    title = title_line(text, body_start)
    body = text[body_start:]
    per_line = not _BLANK_LINE.search(body.strip())
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(body):
        if per_line:
            spans.extend(_line_spans(body, block_start, block_end))
        else:
            spans.extend(_markdown_block_spans(body, block_start, block_end))
    paragraphs = []
    for number, (start, end) in enumerate(spans, start=1):
        segment = body[start:end]
        # A title introduces the paragraph after it, as a Markdown heading does.
        fragment = _is_fragment(segment) or (title is not None and body_start + start == title[0])
        paragraphs.append(Paragraph(number, body_start + start, body_start + end, fragment))
    return paragraphs


def _blocks(body: str) -> list[tuple[int, int]]:
    blocks = []
    pos = 0
    for match in _BLANK_LINE.finditer(body):
        blocks.append((pos, match.start()))
        pos = match.end()
    blocks.append((pos, len(body)))
    return [span for span in (_strip(body, s, e) for s, e in blocks) if span[0] < span[1]]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _line_spans(body: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    pos = start
    for line in body[start:end].split("\n"):
        span = _strip(body, pos, pos + len(line))
        if span[0] < span[1]:
            spans.append(span)
        pos += len(line) + 1
    return spans


def _markdown_block_spans(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """A block is one paragraph, except that headings and list items stand on their own."""
    lines = _line_spans(body, start, end)
    spans: list[tuple[int, int]] = []
    for line_start, line_end in lines:
        starts_item = bool(_BLOCK_MARKER.match(body, line_start))
        previous_is_heading = bool(spans) and body[spans[-1][0]] == "#"
        if spans and not starts_item and not previous_is_heading:
            spans[-1] = (spans[-1][0], line_end)  # a soft-wrapped line continues its paragraph
        else:
            spans.append((line_start, line_end))
    return spans


def _is_fragment(segment: str) -> bool:
    if segment.lstrip().startswith("#"):
        return True
    return len(segment.split()) <= FRAGMENT_MAX_WORDS


def split_passages(document: Document) -> list[Passage]:
    paragraphs = find_paragraphs(document.text, document.body_start)
    title = title_line(document.text, document.body_start)
    passages: list[Passage] = []
    for group in _merge_fragments(paragraphs):
        passages.extend(_cut_long(document, group, title))
    return passages


def _merge_fragments(paragraphs: list[Paragraph]) -> list[list[Paragraph]]:
    groups: list[list[Paragraph]] = []
    pending: list[Paragraph] = []
    for paragraph in paragraphs:
        pending.append(paragraph)
        if not paragraph.is_fragment:
            groups.append(pending)
            pending = []
    if pending:
        if groups:
            groups[-1].extend(pending)
        else:
            groups.append(pending)  # a document made only of fragments is still searchable
    return groups


def _sentence_spans(document: Document, group: list[Paragraph], title: tuple[int, int] | None) -> list[tuple[int, int]]:
    """Sentence spans (document offsets) of the group; paragraphs never share a sentence.

    A plain title stays in its passage's text (it is searched) but is no sentence: only sentences
    can be quoted, and a title labels what follows rather than stating it.
    """
    spans = []
    for paragraph in group:
        if title is not None and paragraph.start == title[0]:
            continue
        segment = document.text[paragraph.start : paragraph.end]
        for start, end in split_sentences(segment):
            marker = _BLOCK_MARKER.match(segment, start)
            if marker and marker.end() < end:
                start = marker.end()  # quote "Rising costs", not "## Rising costs"
            spans.append((paragraph.start + start, paragraph.start + end))
    return spans


def _cut_long(document: Document, group: list[Paragraph], title: tuple[int, int] | None) -> list[Passage]:
    sentences = _sentence_spans(document, group, title)
    start, end = group[0].start, group[-1].end
    if end - start <= MAX_PASSAGE_CHARS or len(sentences) < 2:
        return [_passage(document, group, 0, start, end, sentences)]
    parts: list[list[tuple[int, int]]] = [[]]
    for span in sentences:
        if parts[-1] and span[1] - parts[-1][0][0] > MAX_PASSAGE_CHARS:
            parts.append([])
        parts[-1].append(span)
    starts = [part[0][0] for part in parts]
    if title is not None and start == title[0]:
        starts[0] = start  # the title is no sentence, but stays in the first part's text, to be searched
    return [_passage(document, group, index, starts[index], part[-1][1], part) for index, part in enumerate(parts)]


def _passage(
    document: Document,
    group: list[Paragraph],
    part: int,
    start: int,
    end: int,
    sentences: list[tuple[int, int]],
) -> Passage:
    inside = [(s - start, e - start) for s, e in sentences if s >= start and e <= end]
    first = next((p for p in group if p.end > start), group[0])
    last = next((p for p in reversed(group) if p.start < end), group[-1])
    suffix = f".{part}" if part else ""
    numbers = tuple(next((p.number for p in group if p.start <= s + start < p.end), first.number) for s, _ in inside)
    return Passage(
        id=f"{document.id}#p{group[0].number}{suffix}",
        document_id=document.id,
        paragraph=first.number,
        paragraph_end=last.number,
        part=part,
        start=start,
        end=end,
        text=document.text[start:end],
        sentences=tuple(inside),
        sentence_paragraphs=numbers,
    )


def paragraph_of(paragraphs: list[Paragraph], offset: int) -> int:
    """The number of the paragraph containing document offset ``offset``."""
    for paragraph in paragraphs:
        if paragraph.start <= offset < paragraph.end:
            return paragraph.number
    return paragraphs[-1].number if paragraphs else 1
