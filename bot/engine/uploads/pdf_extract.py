"""Child process that parses one hostile document: its bytes on stdin, a JSON result on stdout.

Run by ``bot.engine.uploads.ingest`` as ``python -m bot.engine.uploads.pdf_extract --format pdf|html ...``. A
hostile file can make a parser allocate without bound, spin, or crash, so this process caps itself
(address space, CPU seconds, no core or other files) *before* importing any parser, and the parent
kills it after a wall-clock timeout. Whatever happens here, only this process dies. PDFs are its
main job (pypdf); HTML comes here too because html.parser is quadratic on some malformed input.

A PDF result is ``{"ok": true, "pages": [...], "page_count": n, "title": str | null,
"warnings": [...], "diagnostics": [...]}``; an HTML one ``{"ok": true, "text": ..., "title": ...,
"warnings": [...]}``; a failure ``{"ok": false, "reason": "..."}``. Reasons and warnings are
user-facing; diagnostics (pypdf's own log lines) are for the bot's log only. PDF page texts are
raw (one PDF line per line, a blank line where the vertical gap between two lines shows a paragraph
break); re-flowing them is the parent's job, which keeps it testable without a subprocess.

For PDFs this module imports only the standard library and pypdf.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import resource
import statistics
import sys
from typing import Any

log = logging.getLogger(__name__)

MB = 1024 * 1024
# A vertical step this much larger than the page's usual line spacing starts a new paragraph.
PARAGRAPH_GAP_RATIO = 1.4
_SURROGATES = re.compile("[\ud800-\udfff]")


class PdfFailure(Exception):
    """A user-facing reason the PDF cannot be read."""


class _Collect(logging.Handler):
    """Keeps the first few pypdf log lines (it logs, not raises, for most damage)."""

    def __init__(self, keep: int = 20) -> None:
        super().__init__(logging.WARNING)
        self.keep = keep
        self.messages: list[str] = []
        self.limit_hit = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not kill the extraction
            message = str(record.msg)
        if "Limit reached" in message or "LimitReachedError" in message:
            self.limit_hit = True
        if len(self.messages) < self.keep:
            self.messages.append(message[:300])


def set_limits(memory_mb: int, cpu_s: int) -> None:
    """Cap this process. Hard limits too, so nothing later in the process can raise them."""
    wanted = {
        resource.RLIMIT_AS: (memory_mb * MB, memory_mb * MB),
        # SIGXCPU at the soft limit (the parent reports "too much CPU time"); SIGKILL a second later.
        resource.RLIMIT_CPU: (cpu_s, cpu_s + 1),
        resource.RLIMIT_CORE: (0, 0),  # a crash must not write a core file of the document
        resource.RLIMIT_FSIZE: (0, 0),  # this process writes no files (pipes are not limited)
    }
    for which, (soft, hard) in wanted.items():
        _, current = resource.getrlimit(which)
        if current != resource.RLIM_INFINITY:
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(which, (soft, hard))


def _y(cm: list[float], tm: list[float]) -> float:
    """The vertical position of a text piece in page space (text matrix times CTM)."""
    return tm[4] * cm[1] + tm[5] * cm[3] + cm[5]


def _lines_with_y(pieces: list[tuple[str, float]]) -> list[tuple[str, float | None]]:
    """Split the visited text pieces into lines, each with the y of its first visible piece."""
    lines: list[tuple[str, float | None]] = []
    buf: list[str] = []
    y0: float | None = None
    for text, y in pieces:
        for k, part in enumerate(text.split("\n")):
            if k:
                lines.append(("".join(buf), y0))
                buf, y0 = [], None
            if y0 is None and part.strip():
                y0 = y
            buf.append(part)
    lines.append(("".join(buf), y0))
    return lines


def mark_paragraph_gaps(lines: list[tuple[str, float | None]]) -> str:
    """Join lines, adding a blank line where the step down the page is unusually large."""
    steps = []
    prev: float | None = None
    for _text, y in lines:
        if y is not None:
            if prev is not None and prev - y > 0:
                steps.append(prev - y)
            prev = y
    usual = statistics.median(steps) if len(steps) >= 2 else None
    out: list[str] = []
    prev = None
    for text, y in lines:
        if y is not None:
            if usual is not None and prev is not None and prev - y > PARAGRAPH_GAP_RATIO * usual:
                out.append("")
            prev = y
        out.append(text)
    return "\n".join(out)


def page_text(page: Any) -> str:
    """The page's text in pypdf's plain mode, with blank lines at paragraph gaps when known."""
    pieces: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        if text:
            try:
                pieces.append((text, _y(cm, tm)))
            except (TypeError, IndexError, ValueError):
                pieces.append((text, float("nan")))

    plain = page.extract_text(visitor_text=visit)
    if "".join(t for t, _ in pieces) != plain or any(y != y for _, y in pieces):
        return plain  # the positions do not line up with the text: keep pypdf's lines as they are
    return mark_paragraph_gaps(_lines_with_y(pieces))


def _clean_title(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    title = " ".join(_SURROGATES.sub("", raw).split())
    # Word exports often carry their file name as the title.
    title = re.sub(r"^Microsoft (Word|PowerPoint) - ", "", title)
    title = re.sub(r"\.(docx?|pptx?|odt)$", "", title, flags=re.IGNORECASE).strip()
    if not title or title.lower() in {"untitled", "title", "document"}:
        return None
    return title[:300]


def _open(data: bytes) -> Any:
    import pypdf  # imported after the limits are set: its import runs under them too
    from pypdf.errors import DependencyError

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            if not reader.decrypt(""):
                raise PdfFailure("encrypted PDF (it needs a password; upload an unprotected copy)")
        except DependencyError as exc:
            raise PdfFailure("encrypted PDF (AES encryption; reading it needs the 'cryptography' package)") from exc
    return reader


def read_pdf(data: bytes, max_pages: int, max_chars: int, collect: _Collect) -> dict[str, Any]:
    from pypdf.errors import LimitReachedError

    reader = _open(data)
    page_count = len(reader.pages)
    warnings: list[str] = []
    pages: list[str] = []
    failed: list[int] = []
    first_error = ""
    total = 0
    if page_count > max_pages:
        warnings.append(f"only the first {max_pages} of {page_count} pages were read")
    for number in range(1, min(page_count, max_pages) + 1):
        try:
            text = _SURROGATES.sub("\ufffd", page_text(reader.pages[number - 1]))
        except (LimitReachedError, MemoryError, PdfFailure):
            raise
        except Exception as exc:  # one damaged page must not lose the others
            log.debug("page %d failed: %r", number, exc)
            first_error = first_error or _short(exc)
            failed.append(number)
            text = ""
        if total + len(text) > max_chars:  # one page can hold a decompressed stream's worth of text
            pages.append(text[: max_chars - total])
            warnings.append(f"the text was truncated to the first {max_chars:,} characters (at page {number})")
            break
        pages.append(text)
        total += len(text)
    if failed and len(failed) == len(pages):
        raise PdfFailure(f"damaged PDF: could not read the text of any page ({first_error})")
    if failed:
        listed = ", ".join(map(str, failed[:10])) + (" …" if len(failed) > 10 else "")
        warnings.append(f"could not read the text of page(s) {listed}")
    if collect.limit_hit:
        warnings.append("part of the PDF was skipped: a stream was too large when decompressed")
    try:
        title = _clean_title(reader.metadata.title if reader.metadata else None)
    except Exception:  # a broken /Info dictionary only costs the title
        title = None
    return {"ok": True, "pages": pages, "page_count": page_count, "title": title, "warnings": warnings}


def run(data: bytes, max_pages: int, max_chars: int) -> dict[str, Any]:
    """Read the PDF and turn every failure into a user-facing reason."""
    from pypdf.errors import LimitReachedError, PdfReadError

    collect = _Collect()
    logging.getLogger("pypdf").addHandler(collect)
    logging.getLogger("pypdf").setLevel(logging.WARNING)
    logging.getLogger("pypdf").propagate = False
    try:
        result = read_pdf(data, max_pages, max_chars, collect)
    except PdfFailure as exc:
        result = {"ok": False, "reason": str(exc)}
    except LimitReachedError as exc:
        result = {"ok": False, "reason": _limit_reason(exc)}
    except MemoryError:
        result = {"ok": False, "reason": "the PDF needs too much memory to read"}
    except RecursionError:
        result = {"ok": False, "reason": "damaged PDF: its objects are nested too deeply"}
    except PdfReadError as exc:
        result = {"ok": False, "reason": f"damaged PDF: {_short(exc)}"}
    except Exception as exc:  # pypdf raises many kinds of errors on broken input
        log.debug("pdf read failed", exc_info=True)
        result = {"ok": False, "reason": f"damaged PDF: {_short(exc)}"}
    if collect.limit_hit and result.get("ok") and not any(p.strip() for p in result["pages"]):
        result = {"ok": False, "reason": "PDF stream too large when decompressed (a compression bomb?)"}
    result["diagnostics"] = collect.messages
    return result


def _limit_reason(exc: BaseException) -> str:
    if "decompress" in str(exc).lower():
        return "PDF stream too large when decompressed (a compression bomb?)"
    return f"PDF too complex to read safely ({_short(exc)})"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return _SURROGATES.sub("", text)[:160]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--format", choices=("pdf", "html"), default="pdf")
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--max-chars", type=int, required=True)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-s", type=int, required=True)
    args = parser.parse_args(argv)
    set_limits(args.memory_mb, args.cpu_s)
    data = sys.stdin.buffer.read()
    try:
        if args.format == "html":
            from bot.engine.uploads.ingest import html_in_child

            result = html_in_child(data, args.max_chars)
        else:
            import pypdf

            # Text extraction never needs external decoders; never let a PDF start a program.
            pypdf.overwrite_configuration(jbig2dec_binary=None)
            result = run(data, args.max_pages, args.max_chars)
    except MemoryError:
        result = {"ok": False, "reason": f"the {args.format.upper()} file needs too much memory to read"}
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
