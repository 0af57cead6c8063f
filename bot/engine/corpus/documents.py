"""Loading the corpus folder: decoding, front matter, sidecar metadata.

A document's metadata comes, in increasing priority, from its file name, its first Markdown
heading, its first line when that is a title without ``#`` (``passages.title_line``: a short line
and a blank one, in a file without front matter), a Jekyll/Hugo front-matter block, and a sidecar
``<file>.meta.json`` (for files whose bytes must stay exactly as delivered). Text is decoded by the
same rule as uploads (UTF-8, or UTF-16 with a byte-order mark) and NFC-normalised; a file that
cannot be read is reported with its reason and skipped, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from bot.engine.models import Document, DocumentMeta, SkippedFile
from bot.engine.text.passages import title_line

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md"})
SIDECAR_SUFFIX = ".meta.json"
TRASH_DIR = ".trash"
MAX_FILE_BYTES = 50 * 1024 * 1024
_META_KEYS = ("title", "source", "url", "date")
_FRONT_MATTER_MAX_LINES = 50
_TEXT = re.compile(r"\S")


class DocumentError(ValueError):
    """A file that cannot become a document; the message says why, for a person to read."""


_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_BINARY_HEAD = 8192  # bytes (or characters) looked at for NULs: enough to tell text from binary


def looks_like_utf16(data: bytes) -> bool:
    """Whether NUL-bearing bytes look like UTF-16 without a byte-order mark (every other byte NUL)."""
    sample = data[:128]
    return max(sample[0::2].count(0), sample[1::2].count(0)) > len(sample) // 4


def decode_unicode(data: bytes) -> str:
    """The one decoding rule of the corpus folder and of uploads (``ingest.decode_text_bytes``).

    UTF-8 (a BOM is dropped) or UTF-16 with a BOM, which editors on Windows still write; newlines
    normalised to ``\\n``; NFC. Raises ``DocumentError`` with a reason a person can act on.
    """
    try:
        if data.startswith(_UTF32_BOMS):
            raise DocumentError("UTF-32 text is not supported; save it as UTF-8")
        codec = _UTF16_BOMS.get(data[:2])
        text = data[2:].decode(codec) if codec else data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.encoding.startswith("utf-16"):
            raise DocumentError("broken UTF-16 text (it ends mid-character or has unpaired surrogates)") from None
        raise DocumentError(
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02X} at position {exc.start:,} is invalid; the file "
            "may be Latin-1 or Windows-1252): save it as UTF-8"
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # isascii() costs nothing (a flag of the str), and ASCII is NFC already.
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def decode_text(data: bytes) -> str:
    """A corpus file's text (``decode_unicode``); empty and binary files are refused."""
    # isspace() stops at the first non-space: strip() would copy a whole file to learn the same.
    if not data or data.isspace():
        raise DocumentError("empty file")
    has_bom = data.startswith((*_UTF16_BOMS, *_UTF32_BOMS))
    if not has_bom and b"\x00" in data[:_BINARY_HEAD]:
        hint = "; UTF-16 text needs a byte-order mark (save it as UTF-8)" if looks_like_utf16(data) else ""
        raise DocumentError(f"binary file (contains NUL bytes), not text{hint}")
    text = decode_unicode(data)
    if has_bom and "\x00" in text[:_BINARY_HEAD]:
        raise DocumentError("binary file (contains NUL characters), not text")
    if text.isspace():
        raise DocumentError("empty file")
    return text


def parse_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Return the ``key: value`` pairs of a leading ``---`` block and the offset of the body."""
    if not text.startswith("---\n"):
        return {}, 0
    lines = text.split("\n", _FRONT_MATTER_MAX_LINES)  # the rest of the text stays unsplit
    offset = 4
    fields: dict[str, str] = {}
    for line in lines[1:_FRONT_MATTER_MAX_LINES]:
        line_end = offset + len(line) + 1
        if line.strip() == "---":
            return fields, min(line_end, len(text))
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip().lower()] = _unquote(value.strip())
        offset = line_end
    return {}, 0  # no closing fence: the dashes were a rule in the text, not front matter


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def clean_meta(fields: dict[str, object], fallback_title: str) -> tuple[DocumentMeta, list[str]]:
    """Validate metadata fields; problems are returned as warnings, never raised."""
    warnings: list[str] = []
    values = {key: str(fields[key]).strip() for key in _META_KEYS if fields.get(key) not in (None, "")}
    url = values.get("url")
    if url and not re.match(r"https?://[^\s<>]+$", url):
        warnings.append(f"url {url!r} is not an http(s) address; ignored")
        values.pop("url")
    raw_date = values.get("date")
    if raw_date:
        values["date"] = _iso_date(raw_date)
    title = " ".join(values.get("title", "").split()) or fallback_title
    return DocumentMeta(
        title=title[:300],
        source=values.get("source"),
        url=values.get("url"),
        date=values.get("date"),
    ), warnings


def _iso_date(raw: str) -> str:
    for parse in (date.fromisoformat, lambda s: datetime.fromisoformat(s).date()):
        try:
            return parse(raw).isoformat()  # type: ignore[no-any-return]
        except ValueError:
            continue
    return raw  # free text such as "December 2023" is shown as written


def _title_from_body(text: str, start: int = 0) -> str | None:
    """The first Markdown heading among the body's first 20 lines (read without copying the text)."""
    for _ in range(20):
        end = text.find("\n", start)
        match = re.match(r"#{1,3}\s+(.+)", text[start : end if end >= 0 else len(text)].strip())
        if match:
            return match.group(1).strip()
        if end < 0:
            break
        start = end + 1
    return None


def _title_from_name(path: Path) -> str:
    stem = re.sub(r"[_-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else path.name


def read_sidecar(path: Path) -> tuple[dict[str, object], list[str]]:
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return {}, []
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [f"{sidecar.name}: unreadable metadata ({exc}); ignored"]
    if not isinstance(data, dict):
        return {}, [f"{sidecar.name}: metadata must be a JSON object; ignored"]
    return data, []


def load_document(path: Path, doc_id: str) -> tuple[Document, list[str]]:
    """Load one file; raise ``DocumentError`` when it cannot be a document."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError(f"file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}") from exc
    text = decode_text(data)
    fields: dict[str, object]
    fields, body_start = parse_front_matter(text)
    if _TEXT.search(text, body_start) is None:
        raise DocumentError("no text after the front matter")
    sidecar, warnings = read_sidecar(path)
    fields = {**fields, **sidecar}
    plain_title = title_line(text, body_start)
    fallback = (
        (" ".join(text[plain_title[0] : plain_title[1]].split()) if plain_title else None)
        or _title_from_body(text, body_start)
        or _title_from_name(path)
    )
    meta, meta_warnings = clean_meta(fields, fallback)
    document = Document(
        id=doc_id,
        path=str(path),
        meta=meta,
        text=text,
        body_start=body_start,
        sha256=hashlib.sha256(data + json.dumps(sidecar, sort_keys=True).encode()).hexdigest(),
    )
    return document, warnings + meta_warnings


def corpus_files(folder: Path) -> list[Path]:
    """Supported files under ``folder``, sorted, skipping hidden files and folders (the trash)."""
    if not folder.is_dir():
        return []
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            files.append(path)
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def load_folder(folder: Path) -> tuple[list[Document], list[SkippedFile]]:
    """Load every supported document of ``folder``; report the files that could not be loaded."""
    documents: list[Document] = []
    problems: list[SkippedFile] = []
    for path in corpus_files(folder):
        doc_id = path.relative_to(folder).as_posix()
        try:
            document, warnings = load_document(path, doc_id)
        except DocumentError as exc:
            # DEBUG only: the caller reports ``problems`` (the CLI, the bot's log, /corpus refresh),
            # and a second line here made every skipped file appear twice.
            log.debug("skipped %s: %s", doc_id, exc)
            problems.append(SkippedFile(path=doc_id, reason=str(exc)))
            continue
        for warning in warnings:
            log.debug("%s: %s", doc_id, warning)
            problems.append(SkippedFile(path=doc_id, reason=f"warning: {warning}"))
        documents.append(document)
    return documents, problems


def unsupported_files(folder: Path) -> Iterable[Path]:
    """Visible files that are neither documents nor sidecars (reported by ``check``)."""
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES and not path.name.endswith(SIDECAR_SUFFIX):
            yield path
