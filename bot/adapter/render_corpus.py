"""What the ``/corpus`` commands show, built only from ``render``'s primitives and within its limits.

Outside text here is document titles and ids (file names a moderator or uploader chose), failure
reasons that quote file names, member names and questions members typed: all of it is capped and
made safe (``render.safe``/``render.echo``/``render.fit``) before it is placed in a line we wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import discord

from bot.adapter import render
from bot.adapter.render import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    Piece,
    Rendered,
    cap,
    chunk_lines,
    echo,
    fit,
    footer_text,
    measure,
    notice,
    pack,
    safe,
)
from bot.engine.corpus.diff import CorpusDiff, FigureChange, FigureReading
from bot.engine.figures.parse import ROLE_WORDING
from bot.engine.models import AnswerSentence, SkippedFile
from bot.storage import AuditRecord, QuestionTally

# Autocomplete (Discord's limits for choices: at most 25, names and values of 1-100 characters).
CHOICES_LIMIT = render.AUTOCOMPLETE_CHOICES
CHOICE_CHARS = render.CHOICE_NAME_LIMIT
CHOICE_DETAIL_CHARS = 60

PROGRESS_MARK = "⏳"
ID_CHARS = 80  # a document id (a file name) shown in a line
TARGET_CHARS = 200  # what an audit row was aimed at: a document id, then its title
REASON_CHARS = 300
LIST_PER_PAGE = 10
LINES_PER_SECTION = 40  # beyond this a section says "… and N more" (a refresh of a huge folder)
GAPS_SHOWN = 15

ADMIN_COLOUR = discord.Colour.dark_teal()
FAILURE_COLOUR = discord.Colour.red()


def _title(title: str) -> str:
    return safe(cap(" ".join(title.split()), render.TITLE_CHARS))


def _id(document_id: str) -> str:
    return safe(cap(document_id, ID_CHARS))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _fields(name: str, lines: Sequence[str]) -> list[Piece]:
    """One section as fields (continued when long); lines past ``LINES_PER_SECTION`` are counted."""
    shown = [fit(line, FIELD_VALUE_LIMIT, str) for line in lines[:LINES_PER_SECTION]]
    if len(lines) > LINES_PER_SECTION:
        shown.append(f"… and {len(lines) - LINES_PER_SECTION} more")
    chunks = chunk_lines(shown, FIELD_VALUE_LIMIT)
    return [Piece("field", chunk, name if i == 0 else f"{name} (continued)") for i, chunk in enumerate(chunks)]


def _description(lines: Iterable[str]) -> list[Piece]:
    return [Piece("description", chunk) for chunk in chunk_lines(list(lines), DESCRIPTION_LIMIT)]


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def when(iso_or_epoch: str | float | None, style: str = "d") -> str:
    """A Discord timestamp (shown in the reader's time zone) or, for free text, the text made safe."""
    if iso_or_epoch is None or iso_or_epoch == "":
        return "unknown"
    if isinstance(iso_or_epoch, int | float):
        return f"<t:{int(iso_or_epoch)}:{style}>"
    try:
        moment = datetime.fromisoformat(iso_or_epoch)
    except ValueError:
        return safe(cap(iso_or_epoch, 40))
    if moment.tzinfo is None:
        return safe(cap(iso_or_epoch, 40))  # a wall-clock time without a zone cannot be placed
    return f"<t:{int(moment.timestamp())}:{style}>"


# -- progress and failures -----------------------------------------------------------------------


def progress(action: str, stage: str, elapsed: float) -> Rendered:
    return notice(f"{PROGRESS_MARK} {action}: {stage} ({int(elapsed)} s so far)…")


def failure(title: str, reason: str, *details: str) -> list[Rendered]:
    """``reason`` is outside text (it may quote a file name); ``details`` are ours, shown as written."""
    lines = [safe(cap(reason, REASON_CHARS * 3)), *(d for d in details if d)]
    return pack([Piece("title", fit(title, TITLE_LIMIT, str)), *_description(lines)], colour=FAILURE_COLOUR)


# -- refresh, remove, restore --------------------------------------------------------------------


def _figure_value(readings: Sequence[FigureReading]) -> str:
    return ", ".join(safe(cap(r.text, 40)) for r in readings[:4]) + (" …" if len(readings) > 4 else "")


def _figure_line(change: FigureChange) -> str:
    role = f" ({ROLE_WORDING.get(change.role, change.role)})" if change.role else ""
    where = ", ".join(f"¶{r.paragraph}" for r in change.after[:3])
    return (
        f"• {safe(cap(change.label, 80))}{role}: {_figure_value(change.before)} → {_figure_value(change.after)}"
        f" — {_title(change.title)} {where}"
    )


def diff_pieces(diff: CorpusDiff) -> list[Piece]:
    """The sections of a diff: added, changed, removed documents and changed figures."""
    pieces: list[Piece] = []
    if diff.added:
        lines = [f"• {_title(d.title)} ({_id(d.id)}) · {_plural(d.passages, 'passage')}" for d in diff.added]
        pieces += _fields(f"Added ({len(diff.added)})", lines)
    if diff.changed:
        lines = []
        for d in diff.changed:
            renamed = f" (was {_title(d.old_title)})" if d.old_title != d.title else ""
            lines.append(
                f"• {_title(d.title)}{renamed} ({_id(d.id)}) · passages {d.passages_before} → {d.passages_after}"
            )
        pieces += _fields(f"Changed ({len(diff.changed)})", lines)
    if diff.removed:
        lines = [f"• {_title(d.title)} ({_id(d.id)}) · {_plural(d.passages, 'passage')}" for d in diff.removed]
        pieces += _fields(f"Removed ({len(diff.removed)})", lines)
    if diff.figures_changed:
        pieces += _fields(
            f"Figures whose values changed ({len(diff.figures_changed)})",
            [_figure_line(c) for c in diff.figures_changed],
        )
    return pieces


def _summary(diff: CorpusDiff, documents: int) -> str:
    return (
        f"Corpus version {diff.old_version or 'none'} → {diff.new_version or 'none'} · "
        f"{_plural(documents, 'document')} · passages {diff.passages_before} → {diff.passages_after} · "
        f"figures {diff.figures_before} → {diff.figures_after}"
    )


def problem_pieces(problems: Sequence[SkippedFile]) -> list[Piece]:
    """Files that could not be read (and warnings), each with its reason."""
    failed = [p for p in problems if p.severity == "skipped"]
    warned = [p for p in problems if p.severity == "warning"]
    pieces: list[Piece] = []
    if failed:
        lines = [f"• {_id(p.path)} — {safe(cap(p.reason, REASON_CHARS))}" for p in failed]
        pieces += _fields(f"Files that could not be read ({len(failed)}) — not served", lines)
    if warned:
        lines = [f"• {_id(p.path)} — {safe(cap(p.reason, REASON_CHARS))}" for p in warned]
        pieces += _fields(f"Warnings ({len(warned)})", lines)
    return pieces


def refreshed(diff: CorpusDiff, documents: int, problems: Sequence[SkippedFile]) -> list[Rendered]:
    title = "Corpus refreshed" if diff.any_change else "Corpus refreshed — nothing changed"
    lines = [_summary(diff, documents)]
    if not diff.any_change:
        lines.append("The documents on disk are the ones already being served.")
    pieces = [Piece("title", title), *_description(lines), *diff_pieces(diff), *problem_pieces(problems)]
    return pack(pieces, footer=footer_text(diff.new_version, "refresh"), colour=ADMIN_COLOUR)


def confirm_remove(title: str, document_id: str) -> Rendered:
    return notice(
        f"Remove **{_title(title)}** ({_id(document_id)}) from the corpus? It moves to the trash and stops "
        "being used for answers; `/corpus restore` puts it back. Only you can confirm."
    )


def removed(title: str, document_id: str, entry_id: str, diff: CorpusDiff, documents: int) -> list[Rendered]:
    lines = [
        f"**{_title(title)}** ({_id(document_id)}) is in the trash as entry {safe(entry_id)} and no longer "
        f"answers questions. `/corpus restore entry: {safe(entry_id)}` puts it back.",
        _summary(diff, documents),
    ]
    pieces = [Piece("title", "Document removed"), *_description(lines)]
    return pack(pieces, footer=footer_text(diff.new_version, "remove"), colour=ADMIN_COLOUR)


def restored(title: str, document_id: str, diff: CorpusDiff, documents: int) -> list[Rendered]:
    lines = [
        f"**{_title(title)}** ({_id(document_id)}) is back and answers questions again.",
        _summary(diff, documents),
    ]
    pieces = [Piece("title", "Document restored"), *_description(lines)]
    return pack(pieces, footer=footer_text(diff.new_version, "restore"), colour=ADMIN_COLOUR)


# -- add -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddedDocument:
    document_id: str
    title: str
    format: str
    passages: int
    figures: int
    source: str | None
    date: str | None
    url: str | None
    warnings: tuple[str, ...]
    example_question: str | None
    example: AnswerSentence | None
    version: str


def added(doc: AddedDocument) -> list[Rendered]:
    facts = [
        f"Stored as {_id(doc.document_id)} · {doc.format.upper()} · {_plural(doc.passages, 'passage')} · "
        f"{_plural(doc.figures, 'figure')}"
    ]
    cited = [safe(cap(part, render.SOURCE_CHARS)) for part in (doc.source, doc.date) if part]
    if doc.url:
        cited.append(render.link("link", doc.url))
    if cited:
        facts.append(" · ".join(cited))
    pieces = [Piece("title", "Added: " + fit(" ".join(doc.title.split()), TITLE_LIMIT - 7)), *_description(facts)]
    if doc.example is not None and doc.example_question:
        sentence = doc.example
        quoted = fit(sentence.text, FIELD_VALUE_LIMIT // 2, lambda text: render.quote(text, sentence.matched_terms))
        lines = [f"Asked: “{echo(doc.example_question)}”", f"“{quoted}”", render.citation_text(sentence.citation)]
        pieces += _fields("Example answer from it", lines)
    else:
        pieces += _fields("Example answer", ["No question built from its opening sentences was answered from it."])
    if doc.warnings:
        pieces += _fields("Warnings", [f"• {safe(cap(w, REASON_CHARS))}" for w in doc.warnings])
    return pack(pieces, footer=footer_text(doc.version, "add"), colour=ADMIN_COLOUR)


# -- list ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedDocument:
    id: str
    title: str
    source: str | None
    date: str | None
    size: int | None
    passages: int
    added_by: str | None
    added_at: str | None


@dataclass(frozen=True)
class ListPage:
    message: Rendered
    page: int  # 0-based, clamped
    pages: int


def _listed_line(number: int, doc: ListedDocument) -> str:
    parts = [f"{number}. **{_title(doc.title)}** ({_id(doc.id)})"]
    if doc.size is not None:
        parts.append(size_text(doc.size))
    if doc.source:
        parts.append(safe(cap(doc.source, render.SOURCE_CHARS)))
    if doc.date:
        parts.append(safe(cap(doc.date, 40)))
    parts.append(_plural(doc.passages, "passage"))
    if doc.added_by:
        parts.append(f"added by {safe(cap(doc.added_by, 60))} {when(doc.added_at)}")
    else:
        parts.append("placed on disk")
    return fit(" · ".join(parts), DESCRIPTION_LIMIT, str)


def document_list(
    documents: Sequence[ListedDocument], page: int, version: str, *, trash: int, problems: int
) -> ListPage:
    lines = [_listed_line(n, d) for n, d in enumerate(documents, 1)]
    chunks = chunk_lines(lines, DESCRIPTION_LIMIT, max_lines=LIST_PER_PAGE) or ["The corpus has no documents."]
    page = min(max(page, 0), len(chunks) - 1)
    detail = [_plural(len(documents), "document"), f"{trash} in the trash"]
    if problems:
        detail.append(f"{_plural(problems, 'file')} not readable (see /corpus refresh)")
    if len(chunks) > 1:
        detail.append(f"page {page + 1}/{len(chunks)} (use page: to turn)")
    (message,) = pack(
        [Piece("title", f"Corpus documents ({len(documents)})"), Piece("description", chunks[page])],
        footer=footer_text(version, " · ".join(detail)),
        colour=ADMIN_COLOUR,
    )
    return ListPage(message, page, len(chunks))


# -- gaps ----------------------------------------------------------------------------------------


def gaps(unanswered: Sequence[QuestionTally], disliked: Sequence[QuestionTally], version: str) -> list[Rendered]:
    intro = (
        "What members asked that the documents could not answer (most asked first), and answers members "
        "marked 👎. Documents covering these would help most."
    )
    pieces = [Piece("title", "Gaps in the documents"), Piece("description", intro)]
    if unanswered:
        lines = [f"**{t.count}×** “{echo(t.question)}” · last {when(t.last_at, 'R')}" for t in unanswered]
        pieces += _fields(f"Not answered ({len(unanswered)})", lines)
    else:
        pieces += _fields("Not answered", ["Nothing yet: every question asked so far was answered."])
    if disliked:
        lines = [f"**{t.count}×** 👎 “{echo(t.question)}” · last {when(t.last_at, 'R')}" for t in disliked]
        pieces += _fields(f"Answers marked 👎 ({len(disliked)})", lines)
    else:
        pieces += _fields("Answers marked 👎", ["None so far."])
    return pack(pieces, footer=footer_text(version, "gaps"), colour=ADMIN_COLOUR)


# -- autocomplete and the audit log --------------------------------------------------------------


def choice_name(title: str, detail: str) -> str:
    """An autocomplete choice's label, "title — detail": plain text (Discord shows it literally), the
    title shortened first so the detail (which tells two same-titled documents apart) stays whole."""
    detail = fit(" ".join(detail.split()), CHOICE_DETAIL_CHARS, str)
    title = fit(" ".join(title.split()) or "(untitled)", CHOICE_CHARS - measure(detail) - 3, str)
    return f"{title} — {detail}"


def audit_message(record: AuditRecord) -> Rendered:
    """One audit row as a short line for the log channel (pinging nobody: names are text, not mentions)."""
    parts = [f"🛡️ `{safe(record.action)}` · **{record.outcome}** · {safe(cap(record.user_name, 60))} ({record.user_id})"]
    if record.target:
        parts.append(safe(cap(record.target, TARGET_CHARS)))
    if record.sha256:
        parts.append(f"sha256 {record.sha256[:16]}…")
    if record.reason:
        parts.append(safe(cap(record.reason, REASON_CHARS)))
    return notice(" · ".join(parts))
