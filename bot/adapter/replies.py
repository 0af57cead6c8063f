"""Sending rendered messages: as interaction responses or follow-ups, or as replies to a message.

Every send passes ``AllowedMentions.none()`` explicitly as well as the client default, so no code
path can ping anyone whatever the text holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.adapter.render import Rendered

NO_PINGS = discord.AllowedMentions.none()
# Set in ``interaction.extras`` between a public "thinking…" defer and the message that fills it:
# an error reply must not fill that public message (see errors.tell_privately).
PUBLIC_DEFER_PENDING = "policy_bot_public_defer_pending"


async def defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Acknowledge now (Discord allows 3 seconds); the answer follows as a follow-up."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[PUBLIC_DEFER_PENDING] = not ephemeral


def _kwargs(message: Rendered, view: discord.ui.View | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if message.content:
        kwargs["content"] = message.content
    if message.embeds:
        kwargs["embeds"] = list(message.embeds)
    if view is not None:
        kwargs["view"] = view
    return kwargs


async def send(
    interaction: discord.Interaction,
    messages: Sequence[Rendered],
    *,
    ephemeral: bool,
    view: discord.ui.View | None = None,
) -> None:
    """The first message as the response (or the follow-up filling a defer), the rest as follow-ups.

    The view goes under the last message, where a reader finishes."""
    for index, message in enumerate(messages):
        kwargs = _kwargs(message, view if index == len(messages) - 1 else None)
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)
            interaction.extras[PUBLIC_DEFER_PENDING] = False
        else:
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def edit(interaction: discord.Interaction, message: Rendered, view: discord.ui.View | None) -> None:
    """Replace the message a component sits on (e.g. turning a page)."""
    await interaction.response.edit_message(
        content=message.content, embeds=list(message.embeds), view=view, allowed_mentions=NO_PINGS
    )


async def reply(
    message: discord.Message, messages: Sequence[Rendered], *, view: discord.ui.View | None = None
) -> discord.Message | None:
    """Reply to ``message`` (a message reference, not pinging its author); returns the last sent."""
    sent = None
    for index, rendered in enumerate(messages):
        kwargs = _kwargs(rendered, view if index == len(messages) - 1 else None)
        sent = await message.reply(mention_author=False, **kwargs)
    return sent
