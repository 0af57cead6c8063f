"""The one error handler: slash commands, buttons and event listeners all end up here.

The asker gets a short private reply with a reference id; the log gets the traceback under the
same id, so a report ("it said E-3F9A0C12") leads straight to the cause. Errors we raise on
purpose (``UserFacingError``) are just said, privately, with no traceback. A state database that
is locked, full or read-only is not a bug: the asker is told the bot's records are unavailable for
now (with a reference too), and the log gets one line, not a traceback.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import sys
from typing import Any, cast

import discord
from discord import app_commands

from bot.adapter.render import notice
from bot.adapter.replies import NO_PINGS, PUBLIC_DEFER_PENDING

log = logging.getLogger(__name__)


class UserFacingError(Exception):
    """An expected failure whose message is written for the asker (already safe to show)."""


def new_reference() -> str:
    return "E-" + secrets.token_hex(4).upper()


def apology(reference: str) -> str:
    return (
        f"Sorry, something went wrong on my side. Reference: `{reference}` — "
        "quote it to the server's moderators if it keeps happening."
    )


def records_unavailable(reference: str) -> str:
    return (
        "I could not reach my records just now (my database is busy, full or read-only), so that could not be "
        f"done. Please try again in a minute. Reference: `{reference}`"
    )


def _unwrap(error: BaseException) -> BaseException:
    # discord.py wraps what a command raised; the interesting traceback is the original's.
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__
    return error


def _describe(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        what = f"/{interaction.command.qualified_name}"
    elif custom_id := cast(dict[str, Any], interaction.data or {}).get("custom_id"):
        what = f"component {custom_id!r}"
    else:
        what = f"interaction type {interaction.type}"
    return f"{what} (user {interaction.user.id}, guild {interaction.guild_id}, channel {interaction.channel_id})"


async def report_interaction_error(interaction: discord.Interaction, error: BaseException) -> str | None:
    """Log ``error`` and tell the asker privately; returns the reference id (None for expected errors)."""
    error = _unwrap(error)
    if isinstance(error, UserFacingError):
        await tell_privately(interaction, str(error))
        return None
    if isinstance(error, app_commands.CheckFailure):
        await tell_privately(interaction, "You can't use this command here.")
        return None
    if isinstance(error, app_commands.CommandNotFound):
        # Discord showed a command this version does not have: the synced list is stale.
        log.warning("unknown command %r: Discord's command list is stale (run with --force-sync)", error.name)
        await tell_privately(interaction, "That command no longer exists; Discord will show the current list shortly.")
        return None
    reference = new_reference()
    if isinstance(error, sqlite3.OperationalError):  # locked, full, read-only, I/O: the disk, not the code
        log.error("reference %s: state database error in %s: %s", reference, _describe(interaction), error)
        await tell_privately(interaction, records_unavailable(reference))
        return reference
    log.error("reference %s: error in %s", reference, _describe(interaction), exc_info=error)
    await tell_privately(interaction, apology(reference))
    return reference


async def tell_privately(interaction: discord.Interaction, text: str) -> None:
    """An ephemeral reply whatever state the interaction is in: fresh, deferred or answered."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        if interaction.extras.get(PUBLIC_DEFER_PENDING):
            # The first follow-up after a public defer would fill the public "thinking…" message,
            # whatever its flags say: remove that message so the follow-up is a new, private one.
            interaction.extras[PUBLIC_DEFER_PENDING] = False
            try:
                await interaction.delete_original_response()
            except discord.HTTPException as exc:  # then it fills the public message: still better than silence
                log.warning("could not remove the pending public response: %s", exc)
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException as exc:  # the interaction expired, or Discord is down: only the log is left
        log.warning("could not tell user %s about an error: %s", interaction.user.id, exc)


async def report_event_error(event: str, args: tuple[object, ...]) -> str:
    """For listener errors (``Client.on_error``): log with a reference and, for a message, reply."""
    reference = new_reference()
    log.error("reference %s: error in %s", reference, event, exc_info=sys.exc_info())
    message = args[0] if args else None
    if event == "on_message" and isinstance(message, discord.Message) and not message.author.bot:
        # A message cannot be answered privately: a short public reply, pinging nobody.
        try:
            await message.reply(notice(apology(reference)).content, mention_author=False, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("could not reply about error %s: %s", reference, exc)
    return reference
