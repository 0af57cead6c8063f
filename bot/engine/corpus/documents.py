"""Loading the corpus folder: decoding, front matter, sidecar metadata.

A document's metadata comes, in increasing priority, from its file name, its first Markdown
heading, its first line when that is a title without ``#`` (``passages.title_line``: a short line
and a blank one, in a file without front matter), a Jekyll/Hugo front-matter block, and a sidecar
``<file>.meta.json`` (for files whose bytes must stay exactly as delivered). Bytes, front matter and
title are read as uploads read them (``corpus.reading``), sidecars as the store writes them
(``corpus.sidecar``); the text is NFC-normalised. A file that cannot be read is reported with its
reason and skipped, never fatal; a bad sidecar is reported and ignored.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from bot.engine.corpus.reading import DocumentError, decode_bytes, parse_front_matter, text_title
from bot.engine.corpus.sidecar import CITATION_KEYS, SIDECAR_SUFFIX, Sidecar, SidecarError, read_sidecar
from bot.engine.models import Document, DocumentMeta, SkippedFile

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset({".txt", ".md"})
TRASH_DIR = ".trash"
MAX_FILE_BYTES = 50 * 1024 * 1024
_TEXT = re.compile(r"\S")
_NO_SIDECAR = b"{}"  # what the hash takes from a file without a (usable) sidecar


def decode_text(data: bytes) -> str:
    """A corpus file's text (``reading.decode_bytes``); empty files are refused."""
    # isspace() stops at the first non-space: strip() would copy a whole file to learn the same.
    if not data or data.isspace():
        raise DocumentError("empty file")
    text = decode_bytes(data)
    if not text or text.isspace():  # a byte-order mark and nothing else, say
        raise DocumentError("empty file")
    return text


def clean_meta(fields: dict[str, object], fallback_title: str) -> tuple[DocumentMeta, list[str]]:
    """Validate metadata fields; problems are returned as warnings, never raised."""
    warnings: list[str] = []
    values = {key: str(fields[key]).strip() for key in CITATION_KEYS if fields.get(key) not in (None, "")}
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


def _title_from_name(path: Path) -> str:
    stem = re.sub(r"[_-]+", " ", path.stem).strip()
    return stem[:1].upper() + stem[1:] if stem else path.name


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
    front_matter, body_start = parse_front_matter(text)
    if _TEXT.search(text, body_start) is None:
        raise DocumentError("no text after the front matter")
    warnings: list[str] = []
    sidecar: Sidecar | None = None
    try:
        sidecar = read_sidecar(path)
    except SidecarError as exc:
        warnings.append(str(exc))
    # The sidecar's fields win, a null one too (it then leaves the title to the text or the name).
    fields: dict[str, object] = {**front_matter, **(sidecar.citation_fields() if sidecar else {})}
    meta, meta_warnings = clean_meta(fields, text_title(text, fields, body_start) or _title_from_name(path))
    document = Document(
        id=doc_id,
        path=str(path),
        meta=meta,
        text=text,
        body_start=body_start,
        sha256=hashlib.sha256(data + (sidecar.fingerprint() if sidecar else _NO_SIDECAR)).hexdigest(),
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
            problems.append(SkippedFile(path=doc_id, reason=warning, severity="warning"))
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
