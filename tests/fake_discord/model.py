"""The fake world (users, guild, roles, channels, members, attachments) and its JSON payloads.

Payloads follow the shapes Discord sends (API v10) closely enough for discord.py to build
real ``Guild``/``Member``/``Message`` objects from them; ids and permissions are strings
where Discord sends strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import permissions as perms
from .snowflakes import world_id

JOINED_AT = "2024-01-02T00:00:00.000000+00:00"

# Channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types).
GUILD_TEXT = 0
DM = 1
GUILD_VOICE = 2
GUILD_CATEGORY = 4


@dataclass
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "clan": None,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    mentionable: bool = False
    tags: dict[str, Any] | None = None

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.tags is not None:
            data["tags"] = self.tags
        return data

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    recipients: list[FakeUser] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": None,
                "flags": 0,
                "recipients": [user.payload() for user in self.recipients],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "permission_overwrites": [],
            "flags": 0,
            "nsfw": False,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.type == GUILD_TEXT:
            data.update(topic=None, last_message_id=None, rate_limit_per_user=0)
        elif self.type == GUILD_VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        return data

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    # Overrides the permissions computed from roles (what Discord puts in interaction payloads).
    permissions: int | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(role_id) for role_id in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": JOINED_AT,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
            "unusual_dm_activity_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeAttachment:
    """Bytes the fake serves at ``url``; ``size``/``content_type`` are what the payload *claims*."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    size: int
    url: str
    # What the download endpoint actually answers (None: same as the claim / real length).
    served_content_type: str | None = None
    chunked: bool = False
    status: int = 200

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.url,
        }
        if self.content_type is not None:
            data["content_type"] = self.content_type
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    @property
    def everyone_role(self) -> FakeRole:
        return self.roles[self.id]

    def member_permissions(self, member: FakeMember) -> int:
        if member.permissions is not None:
            return member.permissions
        if member.id == self.owner_id:
            return perms.ALL
        bits = [self.everyone_role.permissions]
        bits += [self.roles[r].permissions for r in member.role_ids if r in self.roles]
        return perms.effective(bits)

    def payload(self, *, member_count: int | None = None) -> dict[str, Any]:
        """The GUILD_CREATE payload (members included, as Discord does for small guilds)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "features": [],
            "roles": [role.payload() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "channels": [channel.payload() for channel in self.channels.values()],
            "threads": [],
            "members": [member.payload() for member in self.members.values()],
            "member_count": member_count if member_count is not None else len(self.members),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "lazy": True,
            "joined_at": JOINED_AT,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
        }


@dataclass
class World:
    """Everything the fake knows about before any test event: bot, application, one guild."""

    bot_user: FakeUser
    application_id: int
    owner: FakeUser
    guild: FakeGuild
    moderator_role: FakeRole
    bot_role: FakeRole
    general: FakeChannel
    moderation: FakeChannel
    alice: FakeMember
    moderator: FakeMember

    @classmethod
    def default(cls) -> World:
        bot_user = FakeUser(world_id(1), "policy-bot", "Policy Bot", bot=True)
        owner = FakeUser(world_id(2), "owner", "Guild Owner")
        alice_user = FakeUser(world_id(3), "alice", "Alice")
        mod_user = FakeUser(world_id(4), "mod", "Moderator Mo")
        guild = FakeGuild(world_id(10), "Fake Guild", owner_id=owner.id)
        everyone = FakeRole(guild.id, "@everyone", perms.EVERYONE, position=0)
        moderator_role = FakeRole(world_id(11), "Moderator", perms.MODERATOR, position=2, mentionable=True)
        bot_role = FakeRole(
            world_id(12), "Policy Bot", perms.BOT, position=1, managed=True, tags={"bot_id": str(bot_user.id)}
        )
        for role in (everyone, moderator_role, bot_role):
            guild.roles[role.id] = role
        category = FakeChannel(world_id(20), "Text Channels", GUILD_CATEGORY, guild.id, position=0)
        general = FakeChannel(world_id(21), "general", GUILD_TEXT, guild.id, position=0, parent_id=category.id)
        moderation = FakeChannel(world_id(22), "moderation", GUILD_TEXT, guild.id, position=1, parent_id=category.id)
        for channel in (category, general, moderation):
            guild.channels[channel.id] = channel
        alice = FakeMember(alice_user)
        moderator = FakeMember(mod_user, role_ids=[moderator_role.id])
        for member in (FakeMember(bot_user, role_ids=[bot_role.id]), FakeMember(owner), alice, moderator):
            guild.members[member.id] = member
        return cls(
            bot_user=bot_user,
            application_id=bot_user.id,
            owner=owner,
            guild=guild,
            moderator_role=moderator_role,
            bot_role=bot_role,
            general=general,
            moderation=moderation,
            alice=alice,
            moderator=moderator,
        )

    @property
    def bot_member(self) -> FakeMember:
        return self.guild.members[self.bot_user.id]

    def application_payload(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me."""
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.owner.payload(),
            "team": None,
            "flags": 0,
            "hook": True,
            "is_monetized": False,
            "interactions_endpoint_url": None,
            "redirect_uris": [],
            "tags": [],
            "approximate_guild_count": 1,
            "bot": self.bot_user.payload(),
            "integration_types_config": {"0": {}},
        }
