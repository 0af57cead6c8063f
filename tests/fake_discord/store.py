"""Mutable server-side state: messages, application commands, interactions, attachments."""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field
from typing import Any

from .model import FakeAttachment, FakeChannel, FakeMember, FakeUser
from .snowflakes import SnowflakeFactory


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


class MessageStore:
    def __init__(self, ids: SnowflakeFactory) -> None:
        self._ids = ids
        self.by_id: dict[int, dict[str, Any]] = {}
        self.deleted: dict[int, dict[str, Any]] = {}

    def in_channel(self, channel_id: int) -> list[dict[str, Any]]:
        return [m for m in self.by_id.values() if int(m["channel_id"]) == channel_id]

    def get(self, message_id: int) -> dict[str, Any] | None:
        return self.by_id.get(message_id)

    def create(
        self,
        channel: FakeChannel,
        author: FakeUser,
        data: dict[str, Any],
        *,
        member: FakeMember | None = None,
        message_type: int = 0,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Store a message built from a create payload (REST body) or a test's fields."""
        message_id = self._ids.next()
        message: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "type": message_type,
            "author": author.payload(),
            "content": data.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": bool(data.get("tts", False)),
            "mention_everyone": False,
            "mentions": data.get("mentions", []),
            "mention_roles": data.get("mention_roles", []),
            "attachments": data.get("attachments", []),
            "embeds": data.get("embeds", []),
            "components": data.get("components", []),
            "reactions": [],
            "pinned": False,
            "flags": int(data.get("flags", 0)),
        }
        if data.get("nonce") is not None:
            message["nonce"] = data["nonce"]
        if channel.guild_id is not None:
            message["guild_id"] = str(channel.guild_id)
            if member is not None:
                message["member"] = member.payload(with_user=False)
        reference = data.get("message_reference")
        if reference:
            ref_id = int(reference["message_id"])
            message["type"] = 19 if message_type == 0 else message_type  # REPLY
            message["message_reference"] = {
                "type": 0,
                "message_id": str(ref_id),
                "channel_id": str(reference.get("channel_id") or channel.id),
                **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            }
            referenced = self.by_id.get(ref_id)
            message["referenced_message"] = copy.deepcopy(referenced) if referenced else None
        message.update(extra or {})
        self.by_id[message_id] = message
        return message

    def edit(self, message_id: int, data: dict[str, Any]) -> dict[str, Any] | None:
        message = self.by_id.get(message_id)
        if message is None:
            return None
        for key in ("content", "embeds", "components", "attachments", "flags"):
            if key in data:
                message[key] = data[key] if data[key] is not None else ([] if key != "content" else "")
        message["edited_timestamp"] = now_iso()
        return message

    def delete(self, message_id: int) -> dict[str, Any] | None:
        message = self.by_id.pop(message_id, None)
        if message is not None:
            self.deleted[message_id] = message
        return message


class CommandStore:
    """Registered application commands; scope None is global, otherwise a guild id."""

    def __init__(self, ids: SnowflakeFactory, application_id: int) -> None:
        self._ids = ids
        self._application_id = application_id
        self.scopes: dict[int | None, dict[int, dict[str, Any]]] = {}

    def list(self, scope: int | None) -> list[dict[str, Any]]:
        return list(self.scopes.get(scope, {}).values())

    def find(self, name: str, scope: int | None, command_type: int = 1) -> dict[str, Any] | None:
        for command in self.list(scope):
            if command["name"] == name and command.get("type", 1) == command_type:
                return command
        return None

    def get(self, scope: int | None, command_id: int) -> dict[str, Any] | None:
        return self.scopes.get(scope, {}).get(command_id)

    def _stored(self, payload: dict[str, Any], scope: int | None, command_id: int | None = None) -> dict[str, Any]:
        command_id = command_id or self._ids.next()
        command = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            **copy.deepcopy(payload),
            "id": str(command_id),
            "application_id": str(self._application_id),
            "version": str(self._ids.next()),
        }
        if command["default_member_permissions"] is not None:
            # discord.py sends an int; Discord stores and returns a string.
            command["default_member_permissions"] = str(command["default_member_permissions"])
        if scope is not None:
            command["guild_id"] = str(scope)
        else:
            command.setdefault("dm_permission", True)
        return command

    def upsert(self, scope: int | None, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """POST semantics: a command with the same name and type is replaced (same id)."""
        existing = self.find(payload["name"], scope, payload.get("type", 1))
        command_id = int(existing["id"]) if existing else None
        command = self._stored(payload, scope, command_id)
        self.scopes.setdefault(scope, {})[int(command["id"])] = command
        return command, existing is None

    def overwrite(self, scope: int | None, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """PUT semantics: the list replaces the scope; unchanged names keep their ids."""
        old = self.scopes.get(scope, {})
        by_key = {(c["name"], c.get("type", 1)): int(c["id"]) for c in old.values()}
        new = [self._stored(p, scope, by_key.get((p["name"], p.get("type", 1)))) for p in payloads]
        self.scopes[scope] = {int(c["id"]): c for c in new}
        return new

    def edit(self, scope: int | None, command_id: int, payload: dict[str, Any]) -> dict[str, Any] | None:
        command = self.get(scope, command_id)
        if command is None:
            return None
        command.update(copy.deepcopy(payload))
        command["version"] = str(self._ids.next())
        return command

    def delete(self, scope: int | None, command_id: int) -> bool:
        return self.scopes.get(scope, {}).pop(command_id, None) is not None


@dataclass
class FakeInteraction:
    """An interaction the test sent, and what the bot has done with it so far."""

    id: int
    token: str
    type: int
    payload: dict[str, Any]
    channel_id: int
    created_at: float
    callback_type: int | None = None
    original_message_id: int | None = None
    ephemeral: bool = False
    followup_ids: list[int] = field(default_factory=list)

    @property
    def responded(self) -> bool:
        return self.callback_type is not None


class InteractionStore:
    def __init__(self) -> None:
        self.by_id: dict[int, FakeInteraction] = {}
        self.by_token: dict[str, FakeInteraction] = {}

    def add(self, interaction: FakeInteraction) -> None:
        self.by_id[interaction.id] = interaction
        self.by_token[interaction.token] = interaction


class AttachmentStore:
    def __init__(self) -> None:
        self.by_id: dict[int, FakeAttachment] = {}

    def add(self, attachment: FakeAttachment) -> FakeAttachment:
        self.by_id[attachment.id] = attachment
        return attachment
