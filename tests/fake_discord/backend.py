"""What accepted REST calls do to the fake's state, and the gateway events Discord would send back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gateway import INTENT_DIRECT_MESSAGES, INTENT_GUILD_MESSAGES, INTENT_MESSAGE_CONTENT
from .injection import APPLICATION_COMMAND
from .model import DM, FakeChannel
from .records import RecordedFile
from .store import FakeInteraction

if TYPE_CHECKING:
    from .core import FakeDiscordCore

EPHEMERAL = 1 << 6
LOADING = 1 << 7
# Message types for interaction responses (https://discord.com/developers/docs/resources/message).
CHAT_INPUT_COMMAND, CONTEXT_MENU_COMMAND = 20, 23


class Backend:
    def __init__(self, fake: FakeDiscordCore) -> None:
        self.fake = fake

    def _upload(self, data: dict[str, Any], files: list[RecordedFile]) -> dict[str, Any]:
        """Turn uploaded ``files[n]`` into served attachments referenced by ``data.attachments``."""
        if not files and "attachments" not in data:
            return data
        by_index = {f.field.removeprefix("files[").removesuffix("]"): f for f in files}
        attachments = []
        for entry in data.get("attachments") or []:
            upload = by_index.get(str(entry.get("id")))
            if upload is None:  # keeps an existing attachment (edits)
                attachments.append(entry)
                continue
            stored = self.fake.add_attachment(entry.get("filename") or upload.filename or "file", upload.data)
            attachments.append(
                {**stored.payload(), **({"description": entry["description"]} if entry.get("description") else {})}
            )
        return {**data, "attachments": attachments}

    def create_bot_message(
        self,
        channel: FakeChannel,
        data: dict[str, Any],
        files: list[RecordedFile],
        *,
        message_type: int = 0,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        member = self.fake.world.bot_member if channel.type != DM else None
        data = self._upload(data, files)
        return self.fake.messages.create(
            channel, self.fake.world.bot_user, data, member=member, message_type=message_type, extra=extra
        )

    def edit_message(
        self, message_id: int, data: dict[str, Any], files: list[RecordedFile], *, finish_loading: bool = False
    ) -> dict[str, Any]:
        message = self.fake.messages.by_id[message_id]
        keep_flags = int(message.get("flags", 0))
        edited = self.fake.messages.edit(message_id, self._upload(data, files))
        assert edited is not None
        if finish_loading:
            # Ephemerality is fixed by the original response; only the loading state goes away.
            edited["flags"] = (keep_flags & ~LOADING) | (int(data.get("flags", 0)) & ~EPHEMERAL & ~LOADING)
        return edited

    def _interaction_fields(self, interaction: FakeInteraction) -> dict[str, Any]:
        payload = interaction.payload
        user = (payload.get("member") or {}).get("user") or payload.get("user")
        owners = payload.get("authorizing_integration_owners", {})
        metadata = {
            "id": str(interaction.id),
            "type": interaction.type,
            "user": user,
            "authorizing_integration_owners": owners,
        }
        fields: dict[str, Any] = {
            "webhook_id": str(self.fake.world.application_id),
            "application_id": str(self.fake.world.application_id),
            "interaction_metadata": metadata,
        }
        if interaction.type == APPLICATION_COMMAND:
            fields["interaction"] = {
                "id": str(interaction.id),
                "type": 2,
                "name": payload["data"]["name"],
                "user": user,
            }
        return fields

    async def apply_callback(
        self, interaction: FakeInteraction, kind: int, data: dict[str, Any], files: list[RecordedFile]
    ) -> dict[str, Any] | None:
        """State changes of an accepted interaction response; returns the message it concerns."""
        channel = self.fake.find_channel(interaction.channel_id)
        assert channel is not None
        source = interaction.payload.get("message")
        if kind in (4, 5):
            flags = int(data.get("flags", 0))
            interaction.ephemeral = bool(flags & EPHEMERAL)
            if kind == 5:
                data = {"flags": LOADING | (flags & EPHEMERAL)}
            message_type = 0
            if interaction.type == APPLICATION_COMMAND:
                command_type = interaction.payload["data"].get("type", 1)
                message_type = CHAT_INPUT_COMMAND if command_type == 1 else CONTEXT_MENU_COMMAND
            message = self.create_bot_message(
                channel, data, files, message_type=message_type, extra=self._interaction_fields(interaction)
            )
            interaction.original_message_id = int(message["id"])
            if not interaction.ephemeral:
                await self.echo("MESSAGE_CREATE", message)
            return message
        if kind in (6, 7) and source is not None:
            interaction.original_message_id = int(source["id"])
            if kind == 6:
                return None
            if self.fake.messages.get(int(source["id"])) is None:
                self.fake.messages.by_id[int(source["id"])] = source
            message = self.edit_message(int(source["id"]), data, files)
            if not int(message.get("flags", 0)) & EPHEMERAL:
                await self.echo("MESSAGE_UPDATE", message)
            return message
        if kind == 9:
            self.fake.modals[data["custom_id"]] = data
        return None

    async def create_followup(
        self, interaction: FakeInteraction, data: dict[str, Any], files: list[RecordedFile]
    ) -> dict[str, Any]:
        original = self.fake.messages.get(interaction.original_message_id or 0)
        if interaction.callback_type == 5 and original and int(original.get("flags", 0)) & LOADING:
            # Discord: the first follow-up after a "thinking" defer fills that message.
            message = self.edit_message(int(original["id"]), data, files, finish_loading=True)
            message["edited_timestamp"] = None
        else:
            channel = self.fake.find_channel(interaction.channel_id)
            assert channel is not None
            message = self.create_bot_message(channel, data, files, extra=self._interaction_fields(interaction))
            interaction.followup_ids.append(int(message["id"]))
        if not int(message.get("flags", 0)) & EPHEMERAL:
            await self.echo(
                "MESSAGE_CREATE" if message["id"] != str(interaction.original_message_id) else "MESSAGE_UPDATE", message
            )
        return message

    def _deliverable(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """The MESSAGE_* payload the current session may see, or None if its intents exclude it."""
        session = self.fake.gateway.session
        if session is None:
            return None
        in_guild = "guild_id" in message
        if not session.has_intent(INTENT_GUILD_MESSAGES if in_guild else INTENT_DIRECT_MESSAGES):
            return None
        bot_id = str(self.fake.world.bot_user.id)
        exempt = (
            not in_guild
            or message["author"]["id"] == bot_id
            or any(m["id"] == bot_id for m in message.get("mentions", []))
        )
        if self.fake.enforce_message_content_intent and not exempt and not session.has_intent(INTENT_MESSAGE_CONTENT):
            # Without the privileged intent Discord blanks the content fields of others' messages.
            return {**message, "content": "", "embeds": [], "attachments": [], "components": []}
        return message

    async def echo(self, event: str, message: dict[str, Any]) -> None:
        if message["author"]["id"] == str(self.fake.world.bot_user.id) and not self.fake.echo_bot_messages:
            return
        payload = self._deliverable(message)
        if payload is not None and self.fake.gateway.session is not None:
            await self.fake.gateway.dispatch(event, payload)

    async def echo_delete(self, message: dict[str, Any]) -> None:
        if self._deliverable(message) is None or self.fake.gateway.session is None:
            return
        data = {"id": message["id"], "channel_id": message["channel_id"]}
        if "guild_id" in message:
            data["guild_id"] = message["guild_id"]
        await self.fake.gateway.dispatch("MESSAGE_DELETE", data)
