"""The bot: a ``commands.Bot`` whose dependencies come in through the constructor.

No privileged intents: mentions of the bot (and DMs) still carry their content. Commands are synced
only when the tree changed since the last sync to the same place (Discord limits how many commands
an application may create per day), or when forced. Neither a failing sync (Discord out of reach) nor
a state database that cannot say or keep what was synced stops the start: the commands Discord
already has keep working, and an unknown last sync means syncing again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.adapter import errors
from bot.adapter.answering import STORAGE_ERRORS, AnswerService
from bot.adapter.cogs.ask import AskCog
from bot.adapter.cogs.check import CheckCog
from bot.adapter.cogs.corpus_admin import CorpusAdminCog
from bot.adapter.cogs.figures import FiguresCog
from bot.adapter.cogs.info import InfoCog
from bot.adapter.cooldown import Cooldown
from bot.adapter.engine_host import EngineHost
from bot.adapter.views import AnswerButton, SourcesPageButton
from bot.config import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)


class PolicyTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        await errors.report_interaction_error(interaction, error)


class PolicyBot(commands.Bot):
    def __init__(
        self,
        *,
        settings: Settings,
        engines: EngineHost,
        storage: Storage,
        cooldown: Cooldown | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # required by commands.Bot; prefix commands are never run
            help_command=None,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PolicyTree,
            **options,
        )
        self.settings = settings
        self.engines = engines
        self.storage = storage
        self.cooldown = cooldown or Cooldown(settings.cooldown_questions, settings.cooldown_seconds)
        self.answers = AnswerService(engines, storage)
        self.synced: bool | None = None  # whether the last start synced commands (None: not tried)

    async def setup_hook(self) -> None:
        await self.add_cog(AskCog(self))
        await self.add_cog(InfoCog(self))
        await self.add_cog(FiguresCog(self))
        await self.add_cog(CheckCog(self))  # also its context menu and share button
        await self.add_cog(CorpusAdminCog(self))  # also clears temporaries an interrupted write left
        self.add_dynamic_items(AnswerButton, SourcesPageButton)
        try:
            self.synced = await self.sync_commands()
        except discord.HTTPException:
            # Serving the commands Discord already has beats not starting at all.
            log.exception("command sync failed; the previously synced commands stay in place")
            self.synced = False
        except (TimeoutError, aiohttp.ClientConnectionError, OSError) as exc:
            log.warning("command sync failed, Discord cannot be reached (%s); the synced commands stay in place", exc)
            self.synced = False

    def use_storage(self, storage: Storage) -> None:
        """Record to ``storage`` from now on (the real state database, once it opens after a start on a
        stand-in; see ``bot.adapter.runner``)."""
        self.storage = storage
        self.answers.storage = storage

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: questions by mention are the ask cog's listener."""

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        await errors.report_event_error(event_method, args)

    # -- command sync ----------------------------------------------------------------------------

    def command_target(self) -> discord.Object | None:
        """The dev guild (commands appear there at once) or None for global."""
        return discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None

    def command_payload(self, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
        """What ``tree.sync(guild=...)`` would send, in a stable order."""
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        return sorted(payload, key=lambda c: (c.get("type", 1), c["name"]))

    async def sync_commands(self, *, force: bool | None = None) -> bool:
        """Sync the tree if it changed since the last sync to the same target; returns whether it synced."""
        guild = self.command_target()
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = json.dumps(self.command_payload(guild), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(payload.encode()).hexdigest()
        target = f"guild {guild.id}" if guild else "global"
        scope = f"application {self.application_id} {target}"  # another application must sync for itself
        force = self.settings.force_sync if force is None else force
        try:
            last = await self.storage.sync_hash(scope)
        except STORAGE_ERRORS as exc:
            log.warning("the last command sync is unknown (state database: %s): syncing", exc)
            last = None
        if not force and last == digest:
            log.info("commands unchanged since the last sync (%s): not syncing", target)
            return False
        synced = await self.tree.sync(guild=guild)
        try:
            await self.storage.set_sync_hash(scope, digest)
        except STORAGE_ERRORS as exc:
            log.warning("could not note the command sync (state database: %s): the next start syncs again", exc)
        log.info("synced %d commands (%s)%s", len(synced), target, " (forced)" if force else "")
        return True
