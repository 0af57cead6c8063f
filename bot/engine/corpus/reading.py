"""How a text file's bytes become a document's text, and what its text says about itself.

One rule for the corpus folder (``corpus.documents``) and for uploads (``uploads.ingest``), so a file
reads the same whichever way it arrives: the same bytes accepted or refused with the same words, the
same front matter, the same title.

Bytes: UTF-8 (a BOM is dropped) or UTF-16 with a byte-order mark, which editors on Windows still
write; newlines normalised to ``\\n``; NFC. NUL is never text: bytes with NUL and no UTF-16 BOM are a
binary file, and so is UTF-16 text with a NUL character.

Front matter: a Jekyll/Hugo ``---`` block at the very start, closed by a ``---`` line within its
first lines, holding top-level ``key: value`` pairs. Title: the front matter's, else a plain first
line that is a title (``passages.title_line``), else an early Markdown heading.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from bot.engine.text.passages import title_line


class DocumentError(ValueError):
    """A file that cannot become a document; the message says why, for a person to read."""


UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
TITLE_MAX_CHARS = 300


def looks_like_utf16(data: bytes) -> bool:
    """Whether NUL-bearing bytes look like UTF-16 without a byte-order mark (every other byte NUL)."""
    sample = data[:128]
    return max(sample[0::2].count(0), sample[1::2].count(0)) > len(sample) // 4


def refuse_binary(data: bytes) -> None:
    """Raise ``DocumentError`` for bytes that cannot be text whatever they decode to.

    Uploads call this before judging the format (a PDF, which holds NULs, has been told apart by then);
    ``decode_bytes`` calls it too. ``b"\\x00" in data`` is one memchr: cheap even on a 50 MB file.
    """
    if data.startswith(UTF32_BOMS):
        raise DocumentError("UTF-32 text is not supported; save it as UTF-8")
    if not data.startswith(tuple(UTF16_BOMS)) and b"\x00" in data:
        hint = "; UTF-16 text needs a byte-order mark (save it as UTF-8)" if looks_like_utf16(data) else ""
        # repr() shows the first bytes as escapes, which also keeps control bytes out of the message.
        raise DocumentError(f"binary file (it contains NUL bytes and starts with {repr(data[:8])[1:]}), not text{hint}")


def decode_bytes(data: bytes) -> str:
    """A text file's bytes as text (see the module); raises ``DocumentError`` with a reason a person can act on."""
    refuse_binary(data)
    codec = UTF16_BOMS.get(data[:2])
    try:
        text = data[2:].decode(codec) if codec else data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.encoding.startswith("utf-16"):
            raise DocumentError("broken UTF-16 text (it ends mid-character or has unpaired surrogates)") from None
        raise DocumentError(
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02X} at position {exc.start:,} is invalid; the file "
            "may be Latin-1 or Windows-1252): save it as UTF-8"
        ) from None
    if codec and "\x00" in text:
        raise DocumentError("binary file (its UTF-16 text contains NUL characters), not text")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # isascii() costs nothing (a flag of the str), and ASCII is NFC already.
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


# --------------------------------------------------------------------------- front matter

# Trailing blanks after the dashes are allowed, as Jekyll allows them. A block longer than this is far
# more likely text between two Markdown rules than metadata, and reading it as metadata would hide it.
FRONT_MATTER_MAX_LINES = 50
_OPENING_FENCE = re.compile(r"---[ \t]*\n")
# YAML block scalars: the value is on the following, indented lines, which this reader does not join.
_BLOCK_SCALARS = frozenset({"|", ">", "|-", ">-", "|+", ">+"})


def opens_front_matter(text: str) -> bool:
    """Whether ``text`` starts with a front-matter fence (closed or not)."""
    return _OPENING_FENCE.match(text) is not None


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """The top-level ``key: value`` pairs of a leading ``---`` block, and the offset of the body.

    ``({}, 0)`` when there is no block or it is not closed within ``FRONT_MATTER_MAX_LINES`` lines: the
    dashes were then a rule in the text. Keys are lower-cased; indented keys (nested mappings), list
    items and comments are skipped, so a nested ``title:`` never names the document; a value in
    matching quotes loses them.
    """
    opening = _OPENING_FENCE.match(text)
    if opening is None:
        return {}, 0
    start = opening.end()
    fields: dict[str, str] = {}
    for _ in range(FRONT_MATTER_MAX_LINES - 1):  # line by line: the rest of the text is never copied
        end = text.find("\n", start)
        line = text[start : end if end >= 0 else len(text)]
        if line.strip() == "---":
            return fields, len(text) if end < 0 else end + 1
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-", "#")):
            value = _unquote(value.strip())
            if value not in _BLOCK_SCALARS:
                fields[key.strip().lower()] = value
        if end < 0:
            break
        start = end + 1
    return {}, 0


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


# --------------------------------------------------------------------------- title

_HEADING = re.compile(r"#{1,3}\s+(.+)")
_HEADING_LINES = 20  # a title is at the top; a "## Section 7" further down names nothing


def text_title(text: str, fields: Mapping[str, object], body_start: int) -> str | None:
    """The title a document's text gives itself, or None (the caller then names it from its file).

    ``fields`` and ``body_start`` are ``parse_front_matter``'s (the corpus folder lays a sidecar's
    fields over them). The front matter's ``title``, else a plain first line that is a title
    (``passages.title_line``: a short line and a blank one, in a file without front matter), else the
    first ``#`` to ``###`` heading among the body's first lines, without a closing ``#`` sequence.
    Whitespace is collapsed and the title cut at ``TITLE_MAX_CHARS``.
    """
    given = fields.get("title")
    if isinstance(given, str) and (title := _collapse(given)):
        return title
    span = title_line(text, body_start)
    if span is not None and (title := _collapse(text[span[0] : span[1]])):
        return title
    return _first_heading(text, body_start)


def _first_heading(text: str, start: int) -> str | None:
    """The first Markdown heading among the body's first lines (read without copying the text)."""
    for _ in range(_HEADING_LINES):
        end = text.find("\n", start)
        match = _HEADING.match(text[start : end if end >= 0 else len(text)].strip())
        if match and (title := _collapse(_without_closing_hashes(match.group(1)))):
            return title
        if end < 0:
            break
        start = end + 1
    return None


def _without_closing_hashes(heading: str) -> str:
    """``"Title ##"`` is ``"Title"``, ``"C#"`` stays ``"C#"`` (as CommonMark reads an ATX heading).

    String methods, not a regex: ``[ \t]+#+$`` backtracks quadratically on a long run of blanks."""
    trimmed = heading.rstrip(" \t")
    before = trimmed.rstrip("#")
    if before != trimmed and (not before or before[-1] in " \t"):
        return before
    return heading


def _collapse(title: str) -> str:
    return " ".join(title.split())[:TITLE_MAX_CHARS]
