"""``/corpus``: moderators manage the documents from Discord — refresh, add, remove, restore, list, gaps.

Every subcommand passes ``interaction_check`` (before its options are even converted, so nothing
is downloaded for a non-moderator), every autocomplete is wrapped by ``_moderators_only`` and the
remove buttons check again when pressed: ``default_permissions`` is only a hint server admins can
override. Replies are private (ephemeral); the audit log and the log channel say what happened.

Every change to the folder goes through ``EngineHost.refresh``: one at a time, the new engine
built off the event loop and validated before it is swapped in, and the change undone if that
fails. Questions asked meanwhile are answered by the engine already serving. Nothing here deletes
a document: ``remove`` moves it to the trash, ``restore`` brings it back; only a file the bot
itself just wrote for a failed ``add`` is taken away again.

A change is on record before it is served (issue 16): its audit row is written after the new engine
is validated and before it is swapped in, and if the row cannot be written the change is undone. An
add also leaves a marker on disk until its row is stored (``CorpusStore.begin_add``), so an add a
kill interrupted is settled at the next start (``recover_interrupted_adds``): with its audit row it
stands, without one the document goes to the trash and the interruption is recorded. Every served
document added from Discord has its "corpus add" row.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import render, render_corpus, replies
from bot.adapter.engine_host import RebuildRejected
from bot.adapter.errors import apology, new_reference, report_interaction_error
from bot.adapter.moderation import AuditUnavailable, Moderation
from bot.adapter.render import Rendered, notice
from bot.engine.corpus.diff import diff_engines
from bot.engine.corpus.documents import SIDECAR_SUFFIX, corpus_files
from bot.engine.corpus.store import (
    CorpusStore,
    StoreError,
    TrashEntry,
    remove_orphan_sidecars,
    remove_stale_temporaries,
)
from bot.engine.engine import Engine
from bot.engine.models import AnswerSentence
from bot.engine.uploads.ingest import (
    DEFAULT_LIMITS,
    Extracted,
    IngestError,
    IngestLimits,
    check_declared_size,
    extract,
    stored_name,
)
from bot.storage import Storage

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 3.0  # seconds between edits of a reply that shows progress (none for quicker work)
UPLOAD_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
MAX_TITLE = 300  # what the document loader keeps of a title
MAX_SOURCE = 200
MAX_URL = render.URL_CHARS  # the longest address a citation links (a longer one would be dropped)
MAX_ID = 200
EXAMPLE_TRIES = 3
EXAMPLE_MIN_WORDS = 6
COG_NAME = "CorpusAdmin"
NOTHING_CHANGED = "Nothing was changed: the corpus and its answers are as before."

# The errors a corpus change reports as they are; anything else gets an apology and a reference.
_EXPECTED = (IngestError, StoreError, RebuildRejected, AuditUnavailable)
AUDIT_ROWS_SEARCHED = 1000  # the latest "corpus add" rows an interrupted add's row is looked for in


# -- progress ------------------------------------------------------------------------------------


class ProgressReply:
    """The deferred reply of a long corpus change: edited with the current stage every ``interval``
    seconds while the work runs (never for work quicker than that), then replaced by the result."""

    def __init__(self, interaction: discord.Interaction, action: str, interval: float) -> None:
        self.interaction = interaction
        self.action = action
        self.interval = interval
        self.current = "starting"
        self._started = time.monotonic()
        self._ticker: asyncio.Task[None] | None = None

    def stage(self, text: str) -> None:
        self.current = text

    async def __aenter__(self) -> ProgressReply:
        if self.interval > 0:
            self._ticker = asyncio.create_task(self._tick())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stop()

    async def _stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            message = render_corpus.progress(self.action, self.current, time.monotonic() - self._started)
            try:
                # view=None: buttons under a message being worked on (Remove/Cancel) must not be pressed again.
                await self.interaction.edit_original_response(
                    content=message.content, embeds=[], view=None, allowed_mentions=replies.NO_PINGS
                )
            except discord.HTTPException as exc:  # progress is a courtesy: the result still follows
                log.warning("could not show progress: %s", exc)

    async def finish(self, messages: Sequence[Rendered], view: discord.ui.View | None = None) -> None:
        """Replace the reply (thinking…, or progress) with the first message; the rest follow privately."""
        await self._stop()
        first, *rest = messages
        await self.interaction.edit_original_response(
            content=first.content, embeds=list(first.embeds), view=view, allowed_mentions=replies.NO_PINGS
        )
        for message in rest:
            await self.interaction.followup.send(
                content=message.content or discord.utils.MISSING,
                embeds=list(message.embeds),
                ephemeral=True,
                allowed_mentions=replies.NO_PINGS,
            )


# -- pure helpers --------------------------------------------------------------------------------


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


def example_questions(engine: Engine, document_id: str) -> list[str]:
    """Questions the document should answer: its first informative sentences (cut to a dozen words,
    as a member would ask), then its title."""
    document = engine.document(document_id)
    if document is None:
        return []
    questions = []
    for passage in engine.passages_of(document_id):
        for start, end in passage.sentences:
            words = passage.text[start:end].lstrip("#").split()
            if len(words) >= EXAMPLE_MIN_WORDS:  # a heading or a byline says too little to ask about
                questions.append(" ".join(words[:12]).rstrip(".,;:!?"))
                break
        if len(questions) >= EXAMPLE_TRIES - 1:
            break
    return [*questions, document.meta.title]


def example_answer(engine: Engine, document_id: str) -> tuple[str, AnswerSentence] | None:
    """The first example question whose answer quotes an informative sentence of ``document_id``."""
    for question in example_questions(engine, document_id):
        answer = engine.ask(question)
        for sentence in answer.sentences:
            if sentence.citation.document == document_id and len(sentence.text.split()) >= EXAMPLE_MIN_WORDS:
                return question, sentence
    return None


def _example_or_none(engine: Engine, document_id: str) -> tuple[str, AnswerSentence] | None:
    """The example is a courtesy: the document is already added, so a failure here must not say otherwise."""
    try:
        return example_answer(engine, document_id)
    except Exception:
        log.exception("no example answer for %s", document_id)
        return None


def _must_serve(document_id: str) -> Callable[[Engine], None]:
    def check(engine: Engine) -> None:
        if engine.document(document_id) is None:
            why = next((p.reason for p in engine.problems if p.path == document_id), "it did not load")
            raise RebuildRejected(f"the stored document could not be read back ({why})")

    return check


def _title_in(engine: Engine, document_id: str) -> str:
    document = engine.document(document_id)
    return document.meta.title if document else document_id


def _key(document_id: str) -> str:
    """A short, stable stand-in for a document id in a button's custom_id (ids can be long)."""
    return hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:16]


# -- the remove confirmation buttons ---------------------------------------------------------------


class RemoveButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"pb:crm:(?P<choice>ok|no):(?P<user_id>[0-9]{1,20}):(?P<key>[0-9a-f]{16})",
):
    """Confirm or Cancel under "Remove …?". Routed by custom_id: the invoking moderator's id and a
    hash of the document id, so a press after a restart still means the same thing."""

    def __init__(self, choice: Literal["ok", "no"], user_id: int, key: str) -> None:
        ok = choice == "ok"
        button: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label="Remove" if ok else "Cancel",
            style=discord.ButtonStyle.danger if ok else discord.ButtonStyle.secondary,
            custom_id=f"pb:crm:{choice}:{user_id}:{key}",
        )
        super().__init__(button)
        self.choice: Literal["ok", "no"] = choice
        self.user_id = user_id
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> RemoveButton:
        return cls(cast(Literal["ok", "no"], match["choice"]), int(match["user_id"]), match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        cog = cast("CorpusAdminCog | None", interaction.client.get_cog(COG_NAME))  # type: ignore[attr-defined]
        try:
            if cog is None:
                raise RuntimeError("the corpus cog is not loaded")
            await cog.press_remove(interaction, self.choice, self.user_id, self.key)
        except Exception as exc:  # discord.py only logs dynamic-item errors: hand them to the one handler
            await report_interaction_error(interaction, exc)


def remove_view(user_id: int, document_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RemoveButton("ok", user_id, _key(document_id)))
    view.add_item(RemoveButton("no", user_id, _key(document_id)))
    return view


# -- the cog ----------------------------------------------------------------------------------------

AutocompleteCallback = Callable[["CorpusAdminCog", discord.Interaction, str], Awaitable[list[Any]]]


def _moderators_only(action: str) -> Callable[[AutocompleteCallback], AutocompleteCallback]:
    """Autocomplete runs no command checks in discord.py: non-moderators get no choices (recorded)."""

    def decorate(func: AutocompleteCallback) -> AutocompleteCallback:
        @functools.wraps(func)
        async def guarded(self: CorpusAdminCog, interaction: discord.Interaction, current: str) -> list[Any]:
            if not await self.moderation.allow_autocomplete(interaction, action):
                return []
            return await func(self, interaction, current)

        return guarded

    return decorate


class CorpusAdminCog(commands.Cog, name=COG_NAME):
    corpus = app_commands.Group(
        name="corpus",
        description="Manage the documents the answers come from (moderators only)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: PolicyBot, *, limits: IngestLimits = DEFAULT_LIMITS) -> None:
        self.bot = bot
        self.moderation = Moderation(bot)
        self.folder: Path = bot.settings.corpus_dir
        self.store = CorpusStore(self.folder)
        self.limits = limits
        self.progress_interval = PROGRESS_INTERVAL
        self._removing: set[str] = set()  # keys of documents whose removal is at work

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RemoveButton)
        # A crash mid-write leaves only hidden temporaries (never a visible half document): clear them.
        for path in await asyncio.to_thread(remove_stale_temporaries, self.folder):
            log.info("removed a temporary file left by an interrupted write: %s", path)
        for path in await asyncio.to_thread(remove_orphan_sidecars, self.folder):
            log.info("cleaned up a metadata sidecar an interrupted add or removal left alone: %s", path)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RemoveButton)
        await self.moderation.drain()

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:  # type: ignore[override]
        """Every /corpus subcommand: moderators only (raises ``NotPermitted``, said privately)."""
        command = interaction.command
        action = f"{command.qualified_name}" if command else "corpus"
        await self.moderation.require(interaction, action, target=_target(interaction))
        return True

    # -- refresh ---------------------------------------------------------------------------------

    @corpus.command(name="refresh", description="Re-read the corpus folder (after edits on disk) and serve the result")
    async def refresh(self, interaction: discord.Interaction) -> None:
        await replies.defer(interaction, ephemeral=True)
        async with ProgressReply(interaction, "Refreshing the corpus", self.progress_interval) as reply:
            serving = self.bot.engines.version
            try:
                old, new = await self.bot.engines.refresh(self.folder, progress=reply.stage)
            except Exception as exc:
                reason, apologised = await self._failed(interaction, "corpus refresh", exc)
                detail = f"The corpus in service is unchanged (version {serving}); questions are answered as before."
                await reply.finish(render_corpus.failure("Refresh failed", reason, detail, apologised))
                return
            failed = sum(1 for p in new.problems if not p.reason.startswith("warning:"))
            summary = f"{old.version} -> {new.version}; {len(new.documents)} documents; {failed} unreadable file(s)"
            await self.moderation.record(interaction, "corpus refresh", "ok", target=str(self.folder), reason=summary)
            diff = await asyncio.to_thread(diff_engines, old, new)
            await reply.finish(render_corpus.refreshed(diff, len(new.documents), new.problems))

    # -- add -------------------------------------------------------------------------------------

    @corpus.command(name="add", description="Add a document (PDF, HTML, Markdown or plain text) to the corpus")
    @app_commands.describe(
        file="The document: .pdf, .html, .md or .txt (up to 10 MB)",
        title="Its title in citations (default: the title inside the file, else the file name)",
        source="Who published it, e.g. Home Office",
        url="Where it can be read, an http(s) address",
        date="Its publication date, like 2023-12-05",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment,
        title: app_commands.Range[str, 1, MAX_TITLE] | None = None,
        source: app_commands.Range[str, 1, MAX_SOURCE] | None = None,
        url: app_commands.Range[str, 1, MAX_URL] | None = None,
        date: app_commands.Range[str, 1, 40] | None = None,
    ) -> None:
        try:  # everything that needs no download first: a refusal here costs nothing
            check_upload_name(file.filename)
            check_declared_size(file.size, self.limits)
            url, date = check_url(url), check_date(date)
        except IngestError as exc:
            await self.moderation.record(interaction, "corpus add", "failed", target=file.filename, reason=exc.reason)
            await replies.send(
                interaction, render_corpus.failure("Not added", exc.reason, NOTHING_CHANGED), ephemeral=True
            )
            return
        await replies.defer(interaction, ephemeral=True)
        digest: str | None = None
        async with ProgressReply(interaction, "Adding the document", self.progress_interval) as reply:
            try:
                reply.stage("downloading the file")
                data = await _download(file)
                digest = hashlib.sha256(data).hexdigest()
                reply.stage("reading the file")
                extracted = await extract(data, file.filename, self.limits)
                stem = PurePosixPath(file.filename).stem
                chosen = " ".join((title or "").split()) or extracted.title or " ".join(stem.split()) or "Untitled"
                document_id = stored_name(chosen, data, extracted.format)
                meta = _sidecar(interaction.user, file, extracted, digest, len(data), chosen, source, url, date)
                pending = _pending_record(interaction, digest, chosen)
                target = f"{document_id} — {chosen}"
                _, new = await self.bot.engines.refresh(
                    self.folder,
                    change=functools.partial(self._store_new, document_id, extracted.text, meta, pending),
                    undo=functools.partial(self._unstore, document_id),
                    check=_must_serve(document_id),
                    # On record before it is served: if the row cannot be written, the add is undone.
                    commit=lambda _: self.moderation.record(
                        interaction, "corpus add", "ok", target=target, sha256=digest, required=True
                    ),
                    progress=reply.stage,
                )
            except Exception as exc:
                reason, apologised = await self._failed(
                    interaction, "corpus add", exc, target=file.filename, sha256=digest
                )
                await reply.finish(render_corpus.failure("Not added", reason, NOTHING_CHANGED, apologised))
                return
            try:
                await asyncio.to_thread(self.store.finish_add, document_id)
            except OSError as exc:  # added and on record: the next start finds its row and drops the marker
                log.warning("could not clear the pending-add marker of %s: %s", document_id, exc)
            reply.stage("finding an example answer")
            example = await asyncio.to_thread(_example_or_none, new, document_id)
            report = render_corpus.AddedDocument(
                document_id=document_id,
                title=chosen,
                format=extracted.format,
                passages=new.passage_counts().get(document_id, 0),
                figures=sum(1 for f in new.figures.figures if f.citation.document == document_id),
                source=source,
                date=date,
                url=url,
                warnings=extracted.warnings,
                example_question=example[0] if example else None,
                example=example[1] if example else None,
                version=new.version,
            )
            await reply.finish(render_corpus.added(report))

    def _store_new(self, document_id: str, text: str, meta: dict[str, object], pending: dict[str, object]) -> None:
        """Under the rebuild lock: refuse a document already served (same text), then store it, marked
        as an add under way until its audit row is written."""
        encoded = hashlib.sha256(text.encode("utf-8")).hexdigest()
        for document in self.bot.engines.engine.documents:
            if hashlib.sha256(document.text.encode("utf-8")).hexdigest() == encoded:
                raise StoreError(
                    f"this document is already in the corpus as “{document.meta.title}” ({document.id}); "
                    "nothing was added"
                )
        self.store.begin_add(document_id, pending)  # refuses a name already taken, before writing anything
        try:
            self.store.add(document_id, text, meta)
        except BaseException:
            # Nothing of it is visible (a write failed before the document's rename): its sidecar and marker go.
            self.store.abandon_add(document_id)
            raise

    def _unstore(self, document_id: str) -> None:
        """Take back a just-stored upload whose rebuild failed (the one deletion: our own new file)."""
        target = self.folder / document_id
        for path in (target, target.with_name(target.name + SIDECAR_SUFFIX)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self.store.finish_add(document_id)  # last: until then a restart would settle the add itself

    # -- remove and restore ----------------------------------------------------------------------

    @corpus.command(
        name="remove", description="Move a document to the trash (asks to confirm; /corpus restore undoes it)"
    )
    @app_commands.describe(document="The document to remove (start typing its title)")
    async def remove(self, interaction: discord.Interaction, document: app_commands.Range[str, 1, MAX_ID]) -> None:
        title = self._title_of(document)
        if title is None:
            reason = f"there is no document “{document}” in the corpus (pick one from the list as you type)"
            await self.moderation.record(interaction, "corpus remove", "failed", target=document, reason=reason)
            await replies.send(
                interaction, render_corpus.failure("Not removed", reason, NOTHING_CHANGED), ephemeral=True
            )
            return
        message = render_corpus.confirm_remove(title, document)
        await replies.send(interaction, [message], ephemeral=True, view=remove_view(interaction.user.id, document))

    @remove.autocomplete("document")
    @_moderators_only("corpus remove")
    async def _document_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        engine = self.bot.engines.engine
        wanted = current.casefold().strip()
        candidates = [(d.meta.title, d.id) for d in engine.documents]
        # Files that failed to load can be removed too (a moderator cleaning up a bad upload).
        candidates += [
            (f"unreadable: {p.reason}", p.path) for p in engine.problems if not p.reason.startswith("warning:")
        ]
        choices = []
        for title, document_id in candidates:
            if len(document_id) > render_corpus.CHOICE_CHARS:
                continue  # cannot be a choice's value; it can still be typed
            if wanted in title.casefold() or wanted in document_id.casefold():
                name = render_corpus.choice_name(title, document_id)
                choices.append(app_commands.Choice(name=name, value=document_id))
        return choices[: render_corpus.CHOICES_LIMIT]

    async def press_remove(
        self, interaction: discord.Interaction, choice: Literal["ok", "no"], user_id: int, key: str
    ) -> None:
        """A press of Remove/Cancel: moderators only (checked again), and only the one who asked."""
        document_id = self._document_by_key(key)
        target = document_id or key
        await self.moderation.require(interaction, "corpus remove", target=target)
        if interaction.user.id != user_id:
            reason = "only the moderator who asked can confirm"
            await self.moderation.record(interaction, "corpus remove", "refused", target=target, reason=reason)
            text = "Only the moderator who asked to remove this document can confirm it."
            await replies.send(interaction, [notice(text)], ephemeral=True)
            return
        if key in self._removing:  # a second press while the first is still at work: leave the message be
            await replies.send(interaction, [notice("This document is already being removed.")], ephemeral=True)
            return
        if choice == "no" or document_id is None:
            text = "Cancelled: nothing was removed." if choice == "no" else "That document is no longer in the corpus."
            outcome = "cancelled" if choice == "no" else "failed"
            await self.moderation.record(interaction, "corpus remove", outcome, target=target, reason=text)
            await interaction.response.edit_message(
                content=text, embeds=[], view=None, allowed_mentions=replies.NO_PINGS
            )
            return
        self._removing.add(key)
        try:
            await interaction.response.defer()  # the message with the buttons is edited when done
            await self._remove(interaction, document_id)
        finally:
            self._removing.discard(key)

    async def _remove(self, interaction: discord.Interaction, document_id: str) -> None:
        title = self._title_of(document_id) or document_id
        trashed: list[TrashEntry] = []
        async with ProgressReply(interaction, "Removing the document", self.progress_interval) as reply:
            try:
                old, new = await self.bot.engines.refresh(
                    self.folder,
                    change=lambda: trashed.append(self.store.remove(document_id)),
                    undo=lambda: self.store.restore(trashed[0].id) if trashed else None,
                    commit=lambda _: self.moderation.record(
                        interaction,
                        "corpus remove",
                        "ok",
                        target=f"{document_id} — {title}",
                        reason=f"trash entry {trashed[0].id}",
                        required=True,
                    ),
                    progress=reply.stage,
                )
            except Exception as exc:
                reason, apologised = await self._failed(interaction, "corpus remove", exc, target=document_id)
                await reply.finish(render_corpus.failure("Not removed", reason, NOTHING_CHANGED, apologised))
                return
            entry = trashed[0]
            diff = await asyncio.to_thread(diff_engines, old, new)
            await reply.finish(render_corpus.removed(title, document_id, entry.id, diff, len(new.documents)))

    @corpus.command(name="restore", description="Put a removed document back from the trash")
    @app_commands.describe(entry="The trash entry to restore (start typing the document's title)")
    async def restore(self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, MAX_ID]) -> None:
        await replies.defer(interaction, ephemeral=True)
        restored: list[str] = []
        async with ProgressReply(interaction, "Restoring the document", self.progress_interval) as reply:
            try:
                old, new = await self.bot.engines.refresh(
                    self.folder,
                    change=lambda: restored.append(self.store.restore(entry)),
                    undo=lambda: self.store.remove(restored[0]) if restored else None,
                    commit=lambda engine: self.moderation.record(
                        interaction,
                        "corpus restore",
                        "ok",
                        target=f"{restored[0]} — {_title_in(engine, restored[0])}",
                        required=True,
                    ),
                    progress=reply.stage,
                )
            except Exception as exc:
                reason, apologised = await self._failed(interaction, "corpus restore", exc, target=entry)
                await reply.finish(render_corpus.failure("Not restored", reason, NOTHING_CHANGED, apologised))
                return
            document_id = restored[0]
            title = _title_in(new, document_id)
            diff = await asyncio.to_thread(diff_engines, old, new)
            await reply.finish(render_corpus.restored(title, document_id, diff, len(new.documents)))

    @restore.autocomplete("entry")
    @_moderators_only("corpus restore")
    async def _trash_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        wanted = current.casefold().strip()
        choices = []
        for item in await asyncio.to_thread(self.store.trash_entries):
            title = item.title or item.document_id
            if wanted in title.casefold() or wanted in item.document_id.casefold() or wanted in item.id.casefold():
                name = render_corpus.choice_name(title, f"{item.document_id} · removed {item.removed_at[:10]}")
                choices.append(app_commands.Choice(name=name, value=item.id))
        return choices[: render_corpus.CHOICES_LIMIT]

    # -- list and gaps ---------------------------------------------------------------------------

    @corpus.command(name="list", description="The documents with sizes, dates, who added them and passages")
    @app_commands.describe(page="Which page (10 documents a page)")
    async def list_documents(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 100_000] = 1
    ) -> None:
        engine = self.bot.engines.engine
        rows = await asyncio.to_thread(self._listed, engine)
        trash = len(await asyncio.to_thread(self.store.trash_entries))
        failed = sum(1 for p in engine.problems if not p.reason.startswith("warning:"))
        shown = render_corpus.document_list(rows, page - 1, engine.version, trash=trash, problems=failed)
        await replies.send(interaction, [shown.message], ephemeral=True)
        await self.moderation.record(interaction, "corpus list", "ok", reason=f"page {shown.page + 1}/{shown.pages}")

    def _listed(self, engine: Engine) -> list[render_corpus.ListedDocument]:
        counts = engine.passage_counts()
        rows = []
        for document in engine.documents:
            meta: dict[str, object] = {}
            with contextlib.suppress(StoreError):
                meta = self.store.read_meta(document.id)
            size = None
            with contextlib.suppress(OSError):
                size = Path(document.path).stat().st_size
            added_by = meta.get("added_by")
            rows.append(
                render_corpus.ListedDocument(
                    id=document.id,
                    title=document.meta.title,
                    source=document.meta.source,
                    date=document.meta.date,
                    size=size,
                    passages=counts.get(document.id, 0),
                    added_by=str(added_by.get("name")) if isinstance(added_by, dict) else None,
                    added_at=str(meta["added_at"]) if meta.get("added_at") else None,
                )
            )
        return rows

    @corpus.command(name="gaps", description="What members asked that the documents could not answer, and 👎 answers")
    async def gaps(self, interaction: discord.Interaction) -> None:
        unanswered = await self.bot.storage.unanswered_by_frequency(limit=render_corpus.GAPS_SHOWN)
        disliked = await self.bot.storage.disliked_answers(limit=render_corpus.GAPS_SHOWN)
        messages = render_corpus.gaps(unanswered, disliked, self.bot.engines.version)
        await replies.send(interaction, messages, ephemeral=True)
        reason = f"{len(unanswered)} unanswered, {len(disliked)} disliked"
        await self.moderation.record(interaction, "corpus gaps", "ok", reason=reason)

    # -- shared ----------------------------------------------------------------------------------

    def _title_of(self, document_id: str) -> str | None:
        """The title of a document on disk (served, or failing to load), or None if there is none."""
        engine = self.bot.engines.engine
        document = engine.document(document_id)
        if document is not None:
            return document.meta.title
        try:
            path = self.store.path_of(document_id)
        except StoreError:
            return None
        return document_id if path.is_file() else None

    def _document_by_key(self, key: str) -> str | None:
        for path in corpus_files(self.folder):
            document_id = path.relative_to(self.folder).as_posix()
            if _key(document_id) == key:
                return document_id
        return None

    async def _failed(
        self,
        interaction: discord.Interaction,
        action: str,
        exc: Exception,
        *,
        target: str | None = None,
        sha256: str | None = None,
    ) -> tuple[str, str]:
        """Record a failed change; returns the reason to show and, for an unexpected error, our apology
        with the reference of the logged traceback (expected errors are said as they are)."""
        apologised = ""
        if isinstance(exc, IngestError):
            reason = exc.reason
        elif isinstance(exc, _EXPECTED):
            reason = str(exc)
        else:
            reference = new_reference()
            log.error("reference %s: %s failed", reference, action, exc_info=exc)
            reason, apologised = f"{type(exc).__name__}: {exc}", apology(reference)
        await self.moderation.record(interaction, action, "failed", target=target, sha256=sha256, reason=reason)
        return reason, apologised


def _pending_record(interaction: discord.Interaction, digest: str, title: str) -> dict[str, object]:
    """What an add's marker keeps: enough to write its audit row if a restart has to settle it."""
    return {
        "user_id": interaction.user.id,
        "user_name": interaction.user.name,
        "guild_id": interaction.guild_id,
        "title": title,
        "upload_sha256": digest,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


async def recover_interrupted_adds(store: CorpusStore, storage: Storage) -> list[str]:
    """Settle the adds a stop interrupted (their markers, see ``CorpusStore.begin_add``); run at start,
    before the corpus is loaded. Returns a line per add for the log.

    An add whose "corpus add" row was written stands (it was validated and on record; only the reply
    was lost). Any other is undone: its document, if it was written, goes to the trash, and a "failed"
    row says so. Without that row the add is undone all the same (a served document must have its
    "ok" row) and the log says the row could not be written."""
    pending = await asyncio.to_thread(store.pending_adds)
    if not pending:
        return []
    rows = await storage.audit_log(limit=AUDIT_ROWS_SEARCHED, action="corpus add")
    settled = []
    for add in pending:
        record = add.record
        digest = record.get("upload_sha256")
        title = str(record.get("title") or add.document_id)
        on_record = any(
            row.outcome == "ok"
            and (row.target or "").startswith(f"{add.document_id} — ")
            and (digest is None or row.sha256 == digest)
            for row in rows
        )
        if on_record:
            await asyncio.to_thread(store.finish_add, add.document_id)
            settled.append(f"{add.document_id}: added and on record before the stop; it stands")
            continue
        kept = (store.root / add.document_id).is_file()
        reason = "interrupted before it was on record (the bot stopped): " + (
            "the document was moved to the trash" if kept else "nothing of it was kept"
        )
        try:
            user_id = int(str(record.get("user_id", 0)))
            guild_id = int(str(record["guild_id"])) if record.get("guild_id") is not None else None
            await storage.record_audit(
                user_id=user_id,
                user_name=str(record.get("user_name") or "unknown"),
                guild_id=guild_id,
                action="corpus add",
                outcome="failed",
                target=f"{add.document_id} — {title}",
                sha256=str(digest) if digest else None,
                reason=reason,
            )
        except (sqlite3.Error, OSError, RuntimeError, ValueError) as exc:
            log.error("could not record the interrupted add of %s (%s); undoing it all the same", add.document_id, exc)
        entry = await asyncio.to_thread(store.abandon_add, add.document_id)
        settled.append(f"{add.document_id}: {reason}" + (f" (trash entry {entry.id})" if entry else ""))
    return settled


def _target(interaction: discord.Interaction) -> str | None:
    """What a /corpus command was aimed at, for the audit log (read before any conversion)."""
    namespace = interaction.namespace
    for name in ("document", "entry"):
        value = getattr(namespace, name, None)
        if isinstance(value, str):
            return value
    file = getattr(namespace, "file", None)
    return file.filename if isinstance(file, discord.Attachment) else None


async def _download(file: discord.Attachment) -> bytes:
    try:
        return await file.read()
    except discord.HTTPException as exc:
        raise IngestError(f"could not download the file from Discord (HTTP {exc.status}); upload it again") from exc


def _sidecar(
    user: discord.abc.User,
    file: discord.Attachment,
    extracted: Extracted,
    digest: str,
    size: int,
    title: str,
    source: str | None,
    url: str | None,
    published: str | None,
) -> dict[str, object]:
    """The document's metadata: what citations show, and its provenance (the uploader's file name is
    kept as data only). The store adds ``sha256``, the hash of the stored text."""
    meta: dict[str, object] = {
        "title": title,
        "source": source,
        "url": url,
        "date": published,
        "added_by": {"id": str(user.id), "name": user.name},
        "added_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "original_filename": file.filename,
        "format": extracted.format,
        "upload_sha256": digest,
        "upload_bytes": size,
    }
    return {key: value for key, value in meta.items() if value is not None}
