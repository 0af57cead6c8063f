"""Every button the bot routes by custom_id is a ``RoutedButton``: the /corpus Remove and Cancel, the
answer buttons, the document list's pages and Share. discord.py only logs what such a button's
callback raises, so a button that handled its own errors (or forgot to) could leave a presser with
no reply at all; the base gives every one of them the same private apology with a reference."""

from __future__ import annotations

import discord
import pytest

from bot.adapter.client import PolicyBot
from bot.adapter.cogs.check import ShareCheckButton
from bot.adapter.cogs.corpus_admin.buttons import RemoveButton, document_key
from bot.adapter.views import AnswerButton, RoutedButton, SourcesPageButton
from tests.adapter.conftest import EPHEMERAL, callback
from tests.fake_discord import FakeDiscord


def _routed(bot: PolicyBot) -> set[type]:
    """The classes discord.py routes presses to (it offers no public view of them)."""
    return set(bot._connection._view_store._dynamic_items.values())


async def test_every_routed_button_answers_a_failed_press_privately_with_a_reference(
    fake_discord: FakeDiscord, bot: PolicyBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = bot.storage.instance
    samples: dict[type[RoutedButton], str] = {
        AnswerButton: AnswerButton("more", instance, 1).custom_id,
        SourcesPageButton: SourcesPageButton(1, "next").custom_id,
        ShareCheckButton: ShareCheckButton(instance, 1).custom_id,
        RemoveButton: RemoveButton("ok", fake_discord.world.alice.id, document_key("x.md")).custom_id,
    }
    # A new button needs a sample here, and must be a RoutedButton to be one.
    assert _routed(bot) == set(samples)
    for kind, custom_id in samples.items():

        async def broken(self: RoutedButton, interaction: discord.Interaction, name: str = kind.__name__) -> None:
            raise RuntimeError(f"{name} broke")

        monkeypatch.setattr(kind, "pressed", broken)
        pressed = await fake_discord.send_component(custom_id)
        reply = (await callback(fake_discord, pressed)).json["data"]
        assert reply["flags"] & EPHEMERAL, kind
        assert reply["content"].startswith("Sorry, something went wrong") and "Reference: `E-" in reply["content"]
