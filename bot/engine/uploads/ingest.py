"""Turn an uploaded file's bytes into clean UTF-8 text, treating every upload as hostile.

The format comes from the content (magic bytes, markup), never from the file name or the declared
type: the name only tells Markdown from plain text. Text is read by the corpus folder's rules
(``corpus.reading``): the same bytes are accepted or refused with the same words, and plain text and
Markdown get the title the folder would give them, so a file reads the same either way.

The two formats whose parsers can be driven into pathological work run in a child process
(``python -m bot.engine.uploads.pdf_extract``) with an address-space and CPU limit and a wall-clock
timeout: PDF (pypdf) and HTML (the standard library's html.parser, which is quadratic on some
malformed input). A hostile upload can neither hang nor crash the bot nor block its event loop;
plain text and Markdown only need linear work and run in a worker thread.

Every format comes out the same way: NFC-normalised text, ``\\n`` newlines, paragraphs separated
by one blank line, no control characters except ``\\n`` and ``\\t``, at most ``max_text_chars``.
Errors are ``IngestError``s whose ``reason`` is short and can be shown to the uploader as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import os
import re
import signal
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from bot.engine.corpus.reading import (
    FRONT_MATTER_MAX_LINES,
    DocumentError,
    decode_bytes,
    opens_front_matter,
    parse_front_matter,
    refuse_binary,
    text_title,
)

log = logging.getLogger(__name__)

Format = Literal["txt", "md", "html", "pdf"]

MB = 1024 * 1024
SUPPORTED = "upload PDF, HTML, Markdown or plain text"
_SNIFF_BYTES = 64 * 1024  # how much of the file the format is judged from
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


class IngestLimits(BaseModel, frozen=True):
    """Caps on one upload. The ``pdf_*`` limits apply to the child process, so to HTML too."""

    max_bytes: int = Field(default=10 * MB, gt=0)
    max_pdf_pages: int = Field(default=500, gt=0)
    pdf_timeout_s: float = Field(default=20.0, gt=0)
    pdf_memory_mb: int = Field(default=512, ge=64)
    max_text_chars: int = Field(default=3_000_000, gt=0)


DEFAULT_LIMITS = IngestLimits()


class IngestError(Exception):
    """An upload that cannot be ingested; ``reason`` is short and shown to the uploader."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Extracted(BaseModel, frozen=True):
    text: str
    format: Format
    title: str | None
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------- sizes


def _human_size(n: int) -> str:
    if n >= MB:
        value = f"{n / MB:.1f}"
        return f"{value.removesuffix('.0')} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _size_error(size: int, limit: int) -> IngestError:
    shown, cap = _human_size(size), _human_size(limit)
    if shown == cap:  # e.g. one byte over 10 MB: rounding would print "10 MB; the limit is 10 MB"
        shown, cap = f"{size:,} bytes", f"{limit:,} bytes"
    return IngestError(f"file is {shown}; the limit is {cap}")


def check_declared_size(size: int, limits: IngestLimits = DEFAULT_LIMITS) -> None:
    """Reject an attachment by its declared size, before downloading it."""
    if size <= 0:
        raise IngestError("the file is empty")
    if size > limits.max_bytes:
        raise _size_error(size, limits.max_bytes)


# --------------------------------------------------------------------------- format sniffing

_ZIP = "a ZIP archive (Word .docx, Excel .xlsx, OpenDocument and EPUB files are ZIP archives too)"
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", _ZIP),
    (b"PK\x05\x06", _ZIP),
    (b"PK\x07\x08", _ZIP),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\xcf\xfa\xed\xfe", "an executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "an executable (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "an executable (Mach-O or Java class)"),
    (b"\x00asm", "a WebAssembly module"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc, .xls or .ppt)"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript file"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"OggS\x00", "an Ogg media file"),
)
_PDF_HEADER = re.compile(rb"(?:^|[\r\n])%PDF-")
# Patterns are anchored and free of nested quantifiers: no catastrophic backtracking on hostile text.
_STRONG_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.I)
_HTML_FRAGMENT = re.compile(r"<(?:p|div|article|main|section|h[1-6]|table|ul|ol|title|meta|span|a|br)\b", re.I)
# C0 controls that never occur in text (tab, newline, CR, form feed do; ESC does in terminal logs).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def _starts_with(data: bytes) -> str:
    return repr(data[:8])[1:]


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "an MP4, MOV or HEIC media file"
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "a RIFF media file (WebP, WAV or AVI)"
    if data.startswith(b"MZ") and b"\x00" in data[:64]:
        return "a Windows executable"
    return None


def _is_markdown_name(filename: str | None) -> bool:
    return filename is not None and filename.lower().rstrip().endswith(_MARKDOWN_SUFFIXES)


def _text_head(data: bytes) -> str:
    """The start of the file as text, decoded leniently: only for judging the format."""
    head = data[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        return head[2 : len(head) & ~1].decode(codec, "replace")
    return head.decode("utf-8", "replace").removeprefix("\ufeff")


def _skip_prolog(head: str) -> str:
    """Drop an XML declaration and comments before the first tag (a loop, not a regex)."""
    for _ in range(100):
        head = head.lstrip()
        if head.startswith("<?xml"):
            end, skip = head.find(">"), 1
        elif head.startswith("<!--"):
            end, skip = head.find("-->", 4), 3
        else:
            return head
        if end < 0:
            return ""
        head = head[end + skip :]
    return head


def sniff_format(data: bytes, filename: str | None) -> Format:
    """The file's format judged from its content; raise ``IngestError`` for anything unsupported."""
    if not data:
        raise IngestError("the file is empty")
    prefix = "not a PDF" if (filename or "").lower().rstrip().endswith(".pdf") else "unsupported file"
    if _PDF_HEADER.search(data[:1024]):
        return "pdf"
    kind = _binary_kind(data)
    if kind:
        raise IngestError(f"{prefix}: the file is {kind}; {SUPPORTED}")
    try:
        refuse_binary(data)  # the corpus folder's words for UTF-32 and NUL bytes
    except DocumentError as exc:
        raise IngestError(str(exc)) from None
    head = _text_head(data).lstrip()
    if len(_BINARY_CONTROLS.findall(head)) > max(8, len(head) // 100):
        raise IngestError(f"{prefix}: the file is binary data (it starts with {_starts_with(data)})")
    markup = _skip_prolog(head)
    if _STRONG_HTML.match(markup) or (_HTML_FRAGMENT.match(markup) and not _is_markdown_name(filename)):
        return "html"
    if head.startswith("<?xml") or markup[:4].lower() == "<svg":
        raise IngestError(f"{prefix}: the file is XML, not HTML; {SUPPORTED}")
    if _is_markdown_name(filename) or (not filename and opens_front_matter(head)):
        return "md"
    return "txt"


# --------------------------------------------------------------------------- decoding and cleaning


def decode_text_bytes(data: bytes) -> str:
    """Strict UTF-8 (BOM dropped) or UTF-16 with a BOM; NFC; ``\\n`` newlines (``reading.decode_bytes``)."""
    try:
        return decode_bytes(data)
    except DocumentError as exc:
        raise IngestError(str(exc)) from None


# Terminal escapes (colours, titles, hyperlinks) are removed whole, not just their ESC byte.
_ANSI = re.compile(r"\x1b\[[0-?]{0,64}[ -/]{0,8}[@-~]|\x1b\][^\x07\x1b\n]{0,512}(?:\x07|\x1b\\)?")
_BREAKS = str.maketrans({"\x0b": "\n\n", "\x0c": "\n\n", "\u2029": "\n\n", "\x85": "\n", "\u2028": "\n"})
# Controls, bidi embeddings/overrides/isolates (Trojan-Source style reordering), BOMs, soft
# hyphens, interlinear annotations, noncharacters, lone surrogates and Unicode "tag" characters
# (invisible ASCII look-alikes used to smuggle hidden instructions).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff"
    "\ud800-\udfff\U000e0000-\U000e007f]"
)
_PIECE = 1 << 16  # characters of text one regex call works on (see clean_text)


def clean_text(text: str) -> str:
    """Plain text: no controls but ``\\n``/``\\t``, no trailing spaces, at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ANSI.sub("", text).translate(_BREAKS)
    # A regex call over a whole upload holds the GIL from start to end (~40 ms per call on 5 MB),
    # stalling the event loop this worker thread runs beside. _INVISIBLE matches single characters,
    # so it can run piece by piece; blank lines are collapsed line by line.
    text = "".join(_INVISIBLE.sub("", text[i : i + _PIECE]) for i in range(0, len(text), _PIECE))
    # Per line, not a regex: "[ ]+$" backtracks quadratically on a long run of spaces.
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip(" \t\u00a0")
        if line or (lines and lines[-1]):  # at most one blank line in a row (was _MANY_BLANKS)
            lines.append(line)
    return "\n".join(lines).strip()


def truncate_text(text: str, limit: int) -> tuple[str, str | None]:
    """Cut over-long text at a paragraph (or else word) boundary near ``limit``."""
    if len(text) <= limit:
        return text, None
    cut = text[:limit]
    window = max(0, limit - limit // 10)
    at = cut.rfind("\n\n", window)
    if at < 0:
        at = max(cut.rfind(" ", window), cut.rfind("\n", window))
    if at > 0:
        cut = cut[:at]
    warning = f"the text was truncated to the first {limit:,} characters (it has {len(text):,})"
    return cut.rstrip(), warning


def _clean_title(raw: str | None) -> str | None:
    if not raw:
        return None
    title = " ".join(clean_text(raw).split())
    return title[:300] or None


def _first_line_title(text: str) -> str | None:
    """A PDF's title when its metadata has none: its first line, if short and worded like one."""
    for line in text.split("\n", 50)[:50]:
        line = line.strip().lstrip("#").strip()
        if line:
            return _clean_title(line) if len(line) <= 150 and any(c.isalpha() for c in line) else None
    return None


# --------------------------------------------------------------------------- plain text and Markdown


def _text_title(body: str, fmt: Format, warnings: list[str]) -> str | None:
    """The title the corpus folder would give ``body`` (``reading.text_title``), stored text being ``body``."""
    fields, body_start = parse_front_matter(body)
    if fmt == "md" and not body_start and opens_front_matter(body):
        # Said to the uploader, who can fix it now; a file in the folder may start with a Markdown rule.
        warnings.append(
            f"the front matter block (---) is not closed within {FRONT_MATTER_MAX_LINES} lines, so it was read as text"
        )
    return _clean_title(text_title(body, fields, body_start))


# --------------------------------------------------------------------------- HTML
#
# The standard library's html.parser, streamed: no tree is built, so memory stays proportional to
# the text and deep nesting costs nothing (measured: BeautifulSoup on html.parser spends ~30 µs
# and ~1.6 KB per tag, and makes this no safer, since it uses the same tokenizer). html.parser
# itself is quadratic on some malformed input (e.g. 200 KB of "<a<a<a…" takes a minute on
# CPython 3.11.7) and can raise on other input, which is why ``extract`` runs it in the child
# process, under the same timeout and memory limit as a PDF.

_DROP_TAGS = frozenset(
    {
        "script", "style", "nav", "footer", "aside", "form", "noscript", "iframe", "svg", "head",
        "title", "template", "object", "embed", "canvas", "button", "select", "textarea",
        "dialog", "frameset", "frame", "audio", "video", "map", "math",
    }
)  # fmt: skip
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_PARAGRAPH_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "dl", "table", "blockquote", "pre", "figure", "figcaption", "address",
        "details", "summary", "hr", "fieldset", "center", "body", "html",
    }
)  # fmt: skip
_LINE_TAGS = frozenset({"li", "dt", "dd", "tr", "caption", "br", "option", "legend"})
_WS = re.compile(r"[ \t\n\r\f\u00a0]+")

# Flags remembered for an open element, by its depth in the stack of open elements.
_SKIP, _ARTICLE, _MAIN, _CONTENT, _PRE, _ROW, _H1, _TITLE = (1 << i for i in range(8))


def _hidden(name: str, attrs: dict[str, str | None], in_content: bool) -> bool:
    """Navigation, scripts and invisible elements: nothing a reader of the page would read."""
    if name in _DROP_TAGS:
        return True
    # A <header> inside the article holds its headline; elsewhere it is the site's banner.
    if name == "header" and not in_content:
        return True
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    if (attrs.get("role") or "").lower() in _DROP_ROLES:
        return True
    return bool(_HIDDEN_STYLE.search(attrs.get("style") or ""))


class _HtmlText(HTMLParser):
    """Collects the page's text as tokens: strings, and ints for breaks (1 = line, 2 = paragraph).

    Also notes where the top-level <article>s and the first <main> begin and end, so the content
    can be preferred over the rest of the page once the whole page has been read.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive unescaped: "&#64;" is "@"
        self.tokens: list[str | int] = []
        self.stack: list[str] = []  # names of open elements
        self.open: dict[str, int] = {}  # how many of each name are open: unmatched end tags are O(1)
        self.flags: dict[int, int] = {}
        self.starts: dict[int, int] = {}  # token index where a flagged article/main began
        self.skip_from: int | None = None  # depth of the dropped element we are inside
        self.content = self.pre = self.in_title = 0
        self.rows: list[int] = []  # cells seen so far in each open <tr>
        self.articles: list[tuple[int, int]] = []
        self.main: tuple[int, int] | None = None
        self.og_title: str | None = None
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self.h1_state = 0  # 0: no <h1> yet, 1: inside the first one, 2: done

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = sys.intern(tag)
        a = dict(attrs)
        meta_name = (a.get("property") or a.get("name") or "").lower() if name == "meta" else ""
        if meta_name == "og:title" and self.og_title is None:
            self.og_title = a.get("content")
        if name in _VOID_TAGS:
            if self.skip_from is None and name in ("br", "hr"):
                self.tokens.append(1 if name == "br" else 2)
            return
        depth = len(self.stack)
        self.stack.append(name)
        self.open[name] = self.open.get(name, 0) + 1
        flags = 0
        if name == "title" and not self.title_parts and not self.open.get("svg"):
            flags |= _TITLE  # the page's first <title>, not an SVG icon's
            self.in_title += 1
        if self.skip_from is None:
            if _hidden(name, a, self.content > 0):
                flags |= _SKIP
                self.skip_from = depth
            else:
                flags |= self._open_visible(name, a, depth)
        if flags:
            self.flags[depth] = flags

    def _open_visible(self, name: str, a: dict[str, str | None], depth: int) -> int:
        flags = 0
        brk = 2 if name in _PARAGRAPH_TAGS else 1 if name in _LINE_TAGS else 0
        if brk:
            self.tokens.append(brk)
        if name in ("td", "th") and self.rows:
            if self.rows[-1]:
                self.tokens.append(" | ")
            self.rows[-1] += 1
        elif name == "tr":
            self.rows.append(0)
            flags |= _ROW
        elif name == "pre":
            self.pre += 1
            flags |= _PRE
        elif name == "h1" and self.h1_state == 0:
            self.h1_state = 1
            flags |= _H1
        if name == "article" and self.open["article"] == 1:
            flags |= _ARTICLE
        if (name == "main" or (a.get("role") or "").lower() == "main") and self.main is None:
            flags |= _MAIN
        if name in ("article", "main") or flags & _MAIN:
            flags |= _CONTENT
            self.content += 1
        if flags & (_ARTICLE | _MAIN):
            self.starts[depth] = len(self.tokens)
        return flags

    def handle_endtag(self, tag: str) -> None:
        if not self.open.get(tag):
            return  # a stray end tag closes nothing
        while self.stack:
            name = self.stack.pop()
            self.open[name] -= 1
            self._close(name, len(self.stack))
            if name == tag:
                break

    def _close(self, name: str, depth: int) -> None:
        flags = self.flags.pop(depth, 0)
        if flags & _TITLE:
            self.in_title -= 1
        if flags & _SKIP:
            self.skip_from = None
            return
        if self.skip_from is not None:
            return
        if flags & _ROW:
            self.rows.pop()
        if flags & _PRE:
            self.pre -= 1
        if flags & _H1:
            self.h1_state = 2
        if flags & _CONTENT:
            self.content -= 1
        if flags & (_ARTICLE | _MAIN):
            span = (self.starts.pop(depth), len(self.tokens))
            if flags & _ARTICLE:
                self.articles.append(span)
            if flags & _MAIN and self.main is None:
                self.main = span
        if name in _PARAGRAPH_TAGS or name in _LINE_TAGS:
            self.tokens.append(2 if name in _PARAGRAPH_TAGS else 1)

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        if self.skip_from is not None:
            return
        text = data if self.pre else _WS.sub(" ", data)
        self.tokens.append(text)
        if self.h1_state == 1:
            self.h1_parts.append(text)

    def close(self) -> None:
        super().close()
        while self.stack:  # unclosed elements end with the document
            name = self.stack.pop()
            self._close(name, len(self.stack))

    def body(self) -> str:
        """The article (or main) when the page has one, else everything visible."""
        if len(self.articles) == 1:
            spans = self.articles
        elif self.main is not None:
            spans = [self.main]
        else:
            spans = self.articles or [(0, len(self.tokens))]
        text = "\n\n".join(_join_tokens(self.tokens[start:end]) for start, end in spans)
        if not any(c.isalnum() for c in text):  # an empty article (an image, say): take the page
            text = _join_tokens(self.tokens)
        return text

    def title(self) -> str | None:
        for raw in (self.og_title, "".join(self.title_parts), "".join(self.h1_parts)):
            if raw and (title := _clean_title(_WS.sub(" ", raw))):
                return title
        return None


def _join_tokens(tokens: list[str | int]) -> str:
    out: list[str] = []
    pending = 0
    for token in tokens:
        if isinstance(token, int):
            pending = max(pending, token)
            continue
        if pending or not out or out[-1].endswith((" ", "\n")):
            token = token.lstrip(" ")
        if not token:
            continue
        if pending and out:
            out.append("\n" * pending)
        pending = 0
        out.append(token)
    return "".join(out)


def extract_html(text: str) -> tuple[str, str | None]:
    """The readable text of an HTML page (paragraphs kept, chrome dropped) and its title.

    Runs in the calling process: ``extract`` calls it in the child process instead, because
    html.parser can take minutes on crafted input.
    """
    parser = _HtmlText()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser raises AssertionError on some malformed declarations
        log.info("html.parser failed: %r", exc)
        raise IngestError("could not parse the HTML page (it is malformed)") from None
    return clean_text(parser.body()), parser.title()


# --------------------------------------------------------------------------- PDF text re-flow

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})  # fmt: skip
_PAGE_NUMBER = re.compile(r"^(?:page\s+\d{1,4}|[-–—]?\s*\d{1,3}\s*[-–—]?)(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_LIST_ITEM = re.compile(r"^(?:[•◦▪‣●○■□·*–—-]\s|(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)]\s|\(\w{1,4}\)\s)")
_SENTENCE_END = tuple(".!?:;\"'”’)]")
_SPACES = re.compile(r"[ \t]{2,}")


def _typical_length(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if line)
    return lengths[int(0.8 * (len(lengths) - 1))] if lengths else 0


def _breaks_after(line: str, following: str, typical: int) -> bool:
    """Whether a paragraph ends after ``line`` (when no vertical gap said so)."""
    if _LIST_ITEM.match(following):
        return True
    if typical < 30:  # narrow columns or slides: line lengths tell nothing
        return False
    if len(line) < 0.75 * typical and line.endswith(_SENTENCE_END):
        return True
    # A short line without closing punctuation followed by a capital: a heading.
    return (
        len(line) < 0.5 * typical
        and not line.endswith((".", ",", ";", ":", "-"))
        and line[:1].isupper()
        and following[:1].isupper()
    )


def _join_lines(lines: list[str]) -> str:
    """Re-flow hard-wrapped lines; "gov-" + "ernment" becomes "government".

    Builds a list, never a growing string: a hostile page can hold a million lines.
    """
    parts = [lines[0]]
    for line in lines[1:]:
        prev = parts[-1]
        dehyphenate = len(prev) >= 2 and prev[-1] == "-" and prev[-2].islower() and line[:1].islower()
        if dehyphenate or prev.endswith("\u00ad"):
            parts[-1] = prev[:-1]
        elif not ((prev.endswith("-") and not prev.endswith(" -")) or prev.endswith("/")):
            parts.append(" ")  # but "COVID-" + "19" and a wrapped URL join without one
        parts.append(line)
    return "".join(parts)


def reflow_pdf_page(text: str) -> str:
    """One page of pypdf text as paragraphs separated by blank lines.

    Blank lines from the extractor (vertical gaps) always separate paragraphs; within a block,
    list items, short lines ending a sentence and heading-like lines do too.
    """
    lines = [_SPACES.sub(" ", line.strip()) for line in text.translate(_LIGATURES).split("\n")]
    visible = [i for i, line in enumerate(lines) if line]
    for i in (visible[:1] + visible[-1:]) if len(visible) > 1 else []:
        if _PAGE_NUMBER.match(lines[i]):
            lines[i] = ""  # running page numbers are not part of any paragraph
    typical = _typical_length(lines)
    paragraphs: list[str] = []
    block: list[str] = []
    for i, line in enumerate([*lines, ""]):
        if not line:
            if block:
                paragraphs.append(_join_lines(block))
            block = []
            continue
        block.append(line)
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if following and _breaks_after(line, following, typical):
            paragraphs.append(_join_lines(block))
            block = []
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- the child process

ChildKind = Literal["pdf", "html"]
_LABEL = {"pdf": "PDF", "html": "HTML page"}
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # cwd of the child, so `-m bot...` is this checkout
_STDERR_KEEP = 16 * 1024


def _check_pdf_bytes(data: bytes) -> None:
    """Refuse a cut-off PDF up front: pypdf would half-read it and we would store half a document."""
    if b"%%EOF" not in data.rstrip(b"\x00 \t\r\n")[-8192:]:
        raise IngestError("truncated or damaged PDF (no end-of-file marker): upload the complete file")


def _child_argv(kind: ChildKind, limits: IngestLimits) -> list[str]:
    """The child's command line (a function, so tests can substitute a misbehaving child)."""
    return [
        sys.executable,
        "-m",
        "bot.engine.uploads.pdf_extract",
        "--format",
        kind,
        "--max-pages",
        str(limits.max_pdf_pages),
        "--max-chars",
        str(limits.max_text_chars),
        "--memory-mb",
        str(limits.pdf_memory_mb),
        "--cpu-s",
        str(math.ceil(limits.pdf_timeout_s) + 1),  # a backstop should the parent die before killing it
    ]


# What the child inherits of our environment: enough to start Python, none of the bot's secrets
# (a parser exploit in the child must not find the Discord token there).
_CHILD_ENV_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONPATH", "PYTHONHOME", "TMPDIR")


def _child_env() -> dict[str, str]:
    env = {key: value for key in _CHILD_ENV_KEEP if (value := os.environ.get(key)) is not None}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # it may not write files (RLIMIT_FSIZE is 0)
    return env


def _stdout_cap(limits: IngestLimits) -> int:
    # JSON may escape a character into 6 bytes; anything beyond that is not our child talking.
    return 6 * limits.max_text_chars + MB


def _timeout_error(kind: ChildKind, limits: IngestLimits) -> IngestError:
    return IngestError(f"the {_LABEL[kind]} took too long to read (over {limits.pdf_timeout_s:g} s)")


def _child_result(kind: ChildKind, returncode: int | None, out: bytes, err: bytes) -> dict[str, Any]:
    """The child's JSON, or a reason for how it died."""
    if err:
        log.debug("%s child stderr: %s", kind, err[:2000].decode("utf-8", "replace"))
    if returncode == -signal.SIGXCPU:
        raise IngestError(f"the {_LABEL[kind]} took too much CPU time to read")
    if returncode == -signal.SIGKILL:
        log.warning("%s child killed by SIGKILL (out of memory or past its CPU limit?)", kind)
        raise IngestError(f"the {_LABEL[kind]} reader was stopped: the file needs too much memory or time")
    if returncode is not None and returncode < 0:
        log.warning("%s child killed by signal %d", kind, -returncode)
        raise IngestError(f"the {_LABEL[kind]} reader crashed on this file (it is damaged or hostile)")
    try:
        result = json.loads(out)
    except ValueError:
        log.warning("%s child exited %s without a result", kind, returncode)
        raise IngestError(f"the {_LABEL[kind]} reader failed on this file (it may need too much memory)") from None
    if not isinstance(result, dict):
        raise IngestError(f"the {_LABEL[kind]} reader failed on this file")
    for line in result.get("diagnostics", ()):
        log.debug("pypdf: %s", line)
    if not result.get("ok"):
        raise IngestError(str(result.get("reason") or f"could not read the {_LABEL[kind]}"))
    return result


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the child leads its own session: this gets any helper too


async def _read_capped(stream: asyncio.StreamReader, cap: int, *, fail: bool) -> bytes:
    """Read to EOF keeping at most ``cap`` bytes; past that, fail or keep draining."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await stream.read(64 * 1024):
        if size < cap:
            chunks.append(chunk[: cap - size])
        size += len(chunk)
        if fail and size > cap:
            raise IngestError("the document reader produced too much output")
    return b"".join(chunks)


async def _feed(stdin: asyncio.StreamWriter, data: bytes) -> None:
    try:
        stdin.write(data)
        await stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the child died early; its exit status says why
    finally:
        stdin.close()


async def _discard(stream: asyncio.StreamReader) -> None:
    while await stream.read(64 * 1024):
        pass


async def _stop(proc: asyncio.subprocess.Process, tasks: list[asyncio.Task[Any]]) -> None:
    """Kill the child (if still running) and reap it, leaving no zombie and no open pipe.

    asyncio's ``wait()`` only returns once the pipes are at EOF too, and a reader that stopped
    early leaves them paused: so stop our readers, kill, then drain what is left.
    """
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    if proc.returncode is None:
        _kill_group(proc.pid)
    assert proc.stdout and proc.stderr
    try:
        async with asyncio.timeout(5):
            await asyncio.gather(_discard(proc.stdout), _discard(proc.stderr), proc.wait())
    except TimeoutError:  # only if something outside its process group holds the pipes open
        log.warning("child %d: pipes still open 5 s after it was stopped", proc.pid)


async def _run_child(kind: ChildKind, data: bytes, limits: IngestLimits) -> dict[str, Any]:
    """Parse ``data`` in a fresh, resource-limited process; kill it when the time is up."""
    proc = await asyncio.create_subprocess_exec(
        *_child_argv(kind, limits),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=_PACKAGE_ROOT,
        env=_child_env(),
        start_new_session=True,  # its own process group, and a Ctrl-C at the terminal is the bot's alone
    )
    assert proc.stdin and proc.stdout and proc.stderr
    # Named one by one so that gather() below keeps each result's type (out and err are bytes).
    feed = asyncio.ensure_future(_feed(proc.stdin, data))
    read_out = asyncio.ensure_future(_read_capped(proc.stdout, _stdout_cap(limits), fail=True))
    read_err = asyncio.ensure_future(_read_capped(proc.stderr, _STDERR_KEEP, fail=False))
    tasks: list[asyncio.Task[Any]] = [feed, read_out, read_err]
    try:
        async with asyncio.timeout(limits.pdf_timeout_s):
            _, out, err = await asyncio.gather(feed, read_out, read_err)
            await proc.wait()
    except TimeoutError:
        log.info("%s child %d timed out after %g s; killing it", kind, proc.pid, limits.pdf_timeout_s)
        raise _timeout_error(kind, limits) from None
    finally:
        # On timeout, cancellation or any error (too much output, say).
        await _stop(proc, tasks)
    return _child_result(kind, proc.returncode, out, err)


def _run_child_sync(kind: ChildKind, data: bytes, limits: IngestLimits) -> dict[str, Any]:
    with subprocess.Popen(  # fixed argv, no shell
        _child_argv(kind, limits),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_PACKAGE_ROOT,
        env=_child_env(),
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(data, timeout=limits.pdf_timeout_s)
        except subprocess.TimeoutExpired:
            log.info("%s child %d timed out after %g s; killing it", kind, proc.pid, limits.pdf_timeout_s)
            _kill_group(proc.pid)
            proc.wait()  # reap it: no zombie
            raise _timeout_error(kind, limits) from None
        finally:
            if proc.returncode is None:  # an exception we did not expect: still leave no process behind
                _kill_group(proc.pid)
                proc.wait()
    if len(out) > _stdout_cap(limits):
        raise IngestError("the document reader produced too much output")
    return _child_result(kind, proc.returncode, out, err)


def _pdf_extracted(result: dict[str, Any], limits: IngestLimits) -> Extracted:
    raw_pages = [p if isinstance(p, str) else "" for p in result.get("pages", [])]
    pages = [clean_text(reflow_pdf_page(p)) for p in raw_pages]
    warnings = [str(w) for w in result.get("warnings", [])]
    blank = [str(i) for i, page in enumerate(pages, 1) if not any(c.isalnum() for c in page)]
    if len(blank) == len(pages):
        count = result.get("page_count", len(pages))
        raise IngestError(
            f"no extractable text (scanned?): the PDF's {count} page(s) have no text layer; "
            "run OCR on it or upload a text version"
        )
    if blank:
        listed = ", ".join(blank[:10]) + (" …" if len(blank) > 10 else "")
        warnings.append(f"page(s) {listed} have no text (scanned images?)")
    text = "\n\n".join(page for page in pages if page)
    text, cut = truncate_text(text, limits.max_text_chars)  # re-flowing may add a few characters
    if cut and not any("truncated" in w for w in warnings):
        warnings.append(cut)
    title = _clean_title(result.get("title") if isinstance(result.get("title"), str) else None)
    return Extracted(text=text, format="pdf", title=title or _first_line_title(text), warnings=tuple(warnings))


def _html_extracted(result: dict[str, Any]) -> Extracted:
    text = clean_text(str(result.get("text") or ""))  # cheap, and the child's output is not trusted blindly
    if not any(c.isalnum() for c in text):
        raise IngestError("no readable text in the HTML page (after removing navigation and scripts)")
    title = _clean_title(result.get("title") if isinstance(result.get("title"), str) else None)
    warnings = tuple(str(w) for w in result.get("warnings", []))
    return Extracted(text=text, format="html", title=title, warnings=warnings)


def html_in_child(data: bytes, max_chars: int) -> dict[str, Any]:
    """The child's side of HTML: ``data`` is UTF-8 (the parent decoded and checked it)."""
    try:
        text, title = extract_html(data.decode("utf-8"))
    except IngestError as exc:
        return {"ok": False, "reason": exc.reason}
    text, cut = truncate_text(text, max_chars)
    return {"ok": True, "text": text, "title": title, "warnings": [cut] if cut else []}


# --------------------------------------------------------------------------- entry points


def _accept(data: bytes, filename: str | None, limits: IngestLimits) -> Format:
    """Checks that need no parsing: size, format, PDF completeness."""
    if len(data) > limits.max_bytes:
        raise _size_error(len(data), limits.max_bytes)
    fmt = sniff_format(data, filename)
    if fmt == "pdf":
        _check_pdf_bytes(data)
    return fmt


def _html_payload(data: bytes) -> bytes:
    """Decode in the parent, so the uploader gets the same encoding errors as for plain text."""
    return decode_text_bytes(data).encode("utf-8")


def _extract_plain(data: bytes, fmt: Format, limits: IngestLimits) -> Extracted:
    """Plain text and Markdown: linear work on bounded input, safe to do in this process."""
    body = clean_text(decode_text_bytes(data))
    warnings: list[str] = []
    title = _text_title(body, fmt, warnings)
    if not any(c.isalnum() for c in body):
        raise IngestError("no text in the file (it is blank)")
    body, cut = truncate_text(body, limits.max_text_chars)
    if cut:
        warnings.append(cut)
    return Extracted(text=body, format=fmt, title=title, warnings=tuple(warnings))


async def extract(data: bytes, filename: str | None, limits: IngestLimits = DEFAULT_LIMITS) -> Extracted:
    """Extract an upload's text without blocking the event loop.

    ``filename`` is the uploader's name for the file: it only tells Markdown from plain text.
    PDF and HTML are parsed in a child process; text and Markdown in a worker thread.
    Raises ``IngestError`` with a reason to show the uploader.
    """
    fmt = _accept(data, filename, limits)
    if fmt == "pdf":
        result = await _run_child("pdf", data, limits)
        extracted = await asyncio.to_thread(_pdf_extracted, result, limits)
    elif fmt == "html":
        payload = await asyncio.to_thread(_html_payload, data)
        extracted = _html_extracted(await _run_child("html", payload, limits))
    else:
        extracted = await asyncio.to_thread(_extract_plain, data, fmt, limits)
    log.info("extracted %s: %d chars, %d warning(s)", fmt, len(extracted.text), len(extracted.warnings))
    return extracted


def extract_sync(data: bytes, filename: str | None, limits: IngestLimits = DEFAULT_LIMITS) -> Extracted:
    """``extract`` for the command line and other callers without an event loop."""
    fmt = _accept(data, filename, limits)
    if fmt == "pdf":
        return _pdf_extracted(_run_child_sync("pdf", data, limits), limits)
    if fmt == "html":
        return _html_extracted(_run_child_sync("html", _html_payload(data), limits))
    return _extract_plain(data, fmt, limits)


# --------------------------------------------------------------------------- storage name


def _slug(text: str, max_len: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_len].rstrip("-")


def stored_name(title: str | None, data: bytes, fmt: Format) -> str:
    """A safe file name chosen by the bot, e.g. ``housing-policy-brief-1a2b3c4d.txt``.

    Built only from ``[a-z0-9-]``, so it can hold no path separator, no "..", no leading dot and
    no reserved device name (the hash suffix makes even "con" harmless). The uploader's file name
    is never used. Converted HTML and PDF are stored as plain text.
    """
    digest = hashlib.sha256(data).hexdigest()[:8]
    ext = ".md" if fmt == "md" else ".txt"
    return f"{_slug(title or '') or 'document'}-{digest}{ext}"
