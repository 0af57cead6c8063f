"""The Remove / Cancel buttons under "Remove …?": routed by custom_id (``RoutedButton``), so a press
after a restart still means the same thing. The custom_id carries the invoking moderator's id and a
hash of the document id; the press itself is the cog's (``CorpusAdminCog.press_remove``), which
checks again that the presser is a moderator and the one who asked."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Literal, cast

import discord

from bot.adapter.views import RoutedButton

if TYPE_CHECKING:
    from bot.adapter.cogs.corpus_admin.cog import CorpusAdminCog

COG_NAME = "CorpusAdmin"  # what a press looks the cog up by: the button keeps no reference to it


def document_key(document_id: str) -> str:
    """A short, stable stand-in for a document id in a button's custom_id (ids can be long)."""
    return hashlib.sha256(document_id.encode("utf-8")).hexdigest()[:16]


class RemoveButton(RoutedButton, template=r"pb:crm:(?P<choice>ok|no):(?P<user_id>[0-9]{1,20}):(?P<key>[0-9a-f]{16})"):
    """Confirm or Cancel under "Remove …?"."""

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
    def from_match(cls, match: re.Match[str]) -> RemoveButton:
        return cls(cast(Literal["ok", "no"], match["choice"]), int(match["user_id"]), match["key"])

    async def pressed(self, interaction: discord.Interaction) -> None:
        cog = cast("CorpusAdminCog | None", interaction.client.get_cog(COG_NAME))  # type: ignore[attr-defined]
        if cog is None:
            raise RuntimeError("the corpus cog is not loaded")
        await cog.press_remove(interaction, self.choice, self.user_id, self.key)


def remove_view(user_id: int, document_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(RemoveButton("ok", user_id, document_key(document_id)))
    view.add_item(RemoveButton("no", user_id, document_key(document_id)))
    return view
