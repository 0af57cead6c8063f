"""The ``/corpus`` cog: it only turns interactions into calls (``changes`` changes the corpus,
``progress`` reports each change, ``validation`` refuses a bad upload, ``buttons`` and ``choices``
are the confirmation buttons and the autocompletes).

Every subcommand passes ``interaction_check`` (before its options are even converted, so nothing is
downloaded for a non-moderator), every autocomplete is wrapped by ``_moderators_only`` and the remove
buttons check again when pressed: ``default_permissions`` is only a hint server admins can override.
Replies are private (ephemeral); the audit log and the log channel say what happened.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import render_corpus, replies
from bot.adapter.cogs.corpus_admin.buttons import COG_NAME, RemoveButton, remove_view
from bot.adapter.cogs.corpus_admin.changes import Added, CorpusChanges, Moved, Swapped, Upload, Uploader
from bot.adapter.cogs.corpus_admin.choices import document_choices, trash_choices
from bot.adapter.cogs.corpus_admin.progress import PROGRESS_INTERVAL, Attempt, ProgressReply
from bot.adapter.cogs.corpus_admin.validation import MAX_ID, MAX_SOURCE, MAX_TITLE, MAX_URL, check_before_download
from bot.adapter.moderation import Moderation
from bot.adapter.render import Rendered, notice
from bot.engine.corpus.store import remove_orphan_sidecars, remove_stale_temporaries
from bot.engine.uploads.ingest import DEFAULT_LIMITS, IngestError, IngestLimits

if TYPE_CHECKING:
    from bot.adapter.client import PolicyBot
    from bot.storage import Outcome

log = logging.getLogger(__name__)

# A coroutine function, as discord.py's ``autocomplete`` decorator requires (not any awaitable).
AutocompleteCallback = Callable[
    ["CorpusAdminCog", discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]


def _moderators_only(action: str) -> Callable[[AutocompleteCallback], AutocompleteCallback]:
    """Autocomplete runs no command checks in discord.py: non-moderators get no choices (recorded)."""

    def decorate(func: AutocompleteCallback) -> AutocompleteCallback:
        @functools.wraps(func)
        async def guarded(
            self: CorpusAdminCog, interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
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
        self.changes = CorpusChanges(bot.engines, bot.settings.corpus_dir, limits)
        self.progress_interval = PROGRESS_INTERVAL
        self._removing: set[str] = set()  # keys of documents whose removal is at work

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RemoveButton)
        # A crash mid-write leaves only hidden temporaries (never a visible half document): clear them.
        for path in await asyncio.to_thread(remove_stale_temporaries, self.changes.folder):
            log.info("removed a temporary file left by an interrupted write: %s", path)
        for path in await asyncio.to_thread(remove_orphan_sidecars, self.changes.folder):
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

    def _attempt(self, interaction: discord.Interaction, action: str, doing: str, refused: str, **more: Any) -> Attempt:
        return Attempt(interaction, self.moderation, action, doing, refused, interval=self.progress_interval, **more)

    # -- refresh ---------------------------------------------------------------------------------

    @corpus.command(name="refresh", description="Re-read the corpus folder (after edits on disk) and serve the result")
    async def refresh(self, interaction: discord.Interaction) -> None:
        await replies.defer(interaction, ephemeral=True)
        serving = self.bot.engines.version
        unchanged = f"The corpus in service is unchanged (version {serving}); questions are answered as before."
        attempt = self._attempt(
            interaction, "corpus refresh", "Refreshing the corpus", "Refresh failed", unchanged=unchanged
        )

        async def report(reply: ProgressReply, swapped: Swapped) -> list[Rendered]:
            old, new = swapped.old, swapped.new
            failed = sum(1 for p in new.problems if p.severity == "skipped")
            summary = f"{old.version} -> {new.version}; {len(new.documents)} documents; {failed} unreadable file(s)"
            folder = str(self.changes.folder)
            await self.moderation.record(interaction, "corpus refresh", "ok", target=folder, reason=summary)
            return render_corpus.refreshed(await swapped.diff(), len(new.documents), new.problems)

        await attempt.run(lambda reply: self.changes.refresh(reply.stage), report)

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
        attempt = self._attempt(interaction, "corpus add", "Adding the document", "Not added", target=file.filename)
        try:
            url, date = check_before_download(file.filename, file.size, url, date, self.changes.limits)
        except IngestError as exc:
            await attempt.refuse(exc.reason)
            return
        await replies.defer(interaction, ephemeral=True)

        async def work(reply: ProgressReply) -> Added:
            reply.stage("downloading the file")
            data = await _download(file)
            attempt.sha256 = hashlib.sha256(data).hexdigest()
            uploader = Uploader(interaction.user.id, interaction.user.name, interaction.guild_id)
            upload = Upload(data, attempt.sha256, file.filename, uploader, title, source, url, date)
            return await self.changes.add(upload, attempt.on_record, reply.stage)

        async def report(reply: ProgressReply, added: Added) -> list[Rendered]:
            return render_corpus.added(await self.changes.settle_add(added, reply.stage))

        await attempt.run(work, report)

    # -- remove and restore ----------------------------------------------------------------------

    @corpus.command(
        name="remove", description="Move a document to the trash (asks to confirm; /corpus restore undoes it)"
    )
    @app_commands.describe(document="The document to remove (start typing its title)")
    async def remove(self, interaction: discord.Interaction, document: app_commands.Range[str, 1, MAX_ID]) -> None:
        title = self.changes.title_of(document)
        if title is None:
            reason = f"there is no document “{document}” in the corpus (pick one from the list as you type)"
            await self._removal(interaction, document).refuse(reason)
            return
        message = render_corpus.confirm_remove(title, document)
        await replies.send(interaction, [message], ephemeral=True, view=remove_view(interaction.user.id, document))

    @remove.autocomplete("document")
    @_moderators_only("corpus remove")
    async def _document_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return document_choices(self.bot.engines.engine, current)

    async def press_remove(
        self, interaction: discord.Interaction, choice: Literal["ok", "no"], user_id: int, key: str
    ) -> None:
        """A press of Remove/Cancel: moderators only (checked again), and only the one who asked."""
        document_id = self.changes.document_by_key(key)
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
            outcome: Outcome = "cancelled" if choice == "no" else "failed"
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
        attempt = self._removal(interaction, document_id)

        async def report(reply: ProgressReply, moved: Moved) -> list[Rendered]:
            diff = await moved.diff()
            return render_corpus.removed(moved.title, moved.document_id, moved.entry_id, diff, len(moved.new.documents))

        await attempt.run(lambda reply: self.changes.remove(document_id, attempt.on_record, reply.stage), report)

    def _removal(self, interaction: discord.Interaction, document_id: str) -> Attempt:
        return self._attempt(interaction, "corpus remove", "Removing the document", "Not removed", target=document_id)

    @corpus.command(name="restore", description="Put a removed document back from the trash")
    @app_commands.describe(entry="The trash entry to restore (start typing the document's title)")
    async def restore(self, interaction: discord.Interaction, entry: app_commands.Range[str, 1, MAX_ID]) -> None:
        await replies.defer(interaction, ephemeral=True)
        attempt = self._attempt(interaction, "corpus restore", "Restoring the document", "Not restored", target=entry)

        async def report(reply: ProgressReply, moved: Moved) -> list[Rendered]:
            return render_corpus.restored(moved.title, moved.document_id, await moved.diff(), len(moved.new.documents))

        await attempt.run(lambda reply: self.changes.restore(entry, attempt.on_record, reply.stage), report)

    @restore.autocomplete("entry")
    @_moderators_only("corpus restore")
    async def _trash_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return trash_choices(await asyncio.to_thread(self.changes.store.trash_entries), current)

    # -- list and gaps ---------------------------------------------------------------------------

    @corpus.command(name="list", description="The documents with sizes, dates, who added them and passages")
    @app_commands.describe(page="Which page (10 documents a page)")
    async def list_documents(
        self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 100_000] = 1
    ) -> None:
        engine = self.bot.engines.engine
        rows = await asyncio.to_thread(self.changes.listed, engine)
        trash = len(await asyncio.to_thread(self.changes.store.trash_entries))
        failed = sum(1 for p in engine.problems if p.severity == "skipped")
        shown = render_corpus.document_list(rows, page - 1, engine.version, trash=trash, problems=failed)
        await replies.send(interaction, [shown.message], ephemeral=True)
        await self.moderation.record(interaction, "corpus list", "ok", reason=f"page {shown.page + 1}/{shown.pages}")

    @corpus.command(name="gaps", description="What members asked that the documents could not answer, and 👎 answers")
    async def gaps(self, interaction: discord.Interaction) -> None:
        unanswered = await self.bot.storage.unanswered_by_frequency(limit=render_corpus.GAPS_SHOWN)
        disliked = await self.bot.storage.disliked_answers(limit=render_corpus.GAPS_SHOWN)
        messages = render_corpus.gaps(unanswered, disliked, self.bot.engines.version)
        await replies.send(interaction, messages, ephemeral=True)
        reason = f"{len(unanswered)} unanswered, {len(disliked)} disliked"
        await self.moderation.record(interaction, "corpus gaps", "ok", reason=reason)


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
