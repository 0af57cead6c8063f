"""What an upload to ``/corpus add`` must be, checked before anything is downloaded: a refusal here
costs nothing (no bytes fetched, nothing stored), so every check that needs only the name, the
declared size and the options the moderator typed runs first."""

from __future__ import annotations

from datetime import date as Date
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from bot.adapter import render
from bot.engine.uploads.ingest import IngestError, IngestLimits, check_declared_size

UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
MAX_TITLE = 300  # what the document loader keeps of a title
MAX_SOURCE = 200
MAX_URL = render.URL_CHARS  # the longest address a citation links (a longer one would be dropped)
MAX_ID = 200


def check_before_download(
    filename: str, declared_size: int, url: str | None, date: str | None, limits: IngestLimits
) -> tuple[str | None, str | None]:
    """Refuse (``IngestError``) an upload its name, declared size or options already rule out; returns
    the url and date as they are stored."""
    check_upload_name(filename)
    check_declared_size(declared_size, limits)
    return check_url(url), check_date(date)


def check_upload_name(filename: str) -> None:
    """Refuse, before downloading, a name that is not a plain file name or not a supported type.

    The name is never used as a path (``stored_name`` picks ours) but Discord never sends one with a
    path in it, so such a request is forged or broken: say so rather than guess what was meant."""
    parts = PurePosixPath(filename.replace("\\", "/")).parts
    if (
        not filename
        or len(parts) != 1
        or filename.startswith(".")
        or any(ord(ch) < 32 or ch in "/\\" for ch in filename)
        or len(filename) > 255
    ):
        raise IngestError(
            f"the file name “{filename[:80]}” is not a plain file name; rename the file and upload it again"
        )
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        suffix = PurePosixPath(filename).suffix or "(none)"
        raise IngestError(f"unsupported file type {suffix}: upload a .pdf, .html, .md or .txt file")


def check_url(url: str | None) -> str | None:
    """The address a moderator gave for a document, as its citations will link it; refused (before
    anything is downloaded) when a citation could not carry it, rather than stored and silently dropped."""
    if url is None:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        parts = urlsplit("")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(ch.isspace() or ord(ch) < 32 or ch in "<>" for ch in url)
    ):
        raise IngestError("the url must be a web address starting with http:// or https://")
    if "@" in parts.netloc:  # a link shows its host: "https://gov.example@evil.example" goes to evil.example
        raise IngestError("the url must not contain a user name (the part before @); give the plain address")
    if len(url) > MAX_URL:
        raise IngestError(
            f"the url is {len(url)} characters long; citations link at most {MAX_URL}: give a shorter one"
        )
    return parts.scheme + url[len(parts.scheme) :]  # "HTTPS://…" as "https://…", the form the loader accepts


def check_date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return Date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise IngestError(f"the date “{value[:40]}” is not a date like 2023-12-05 (year-month-day)") from None
