"""The fake's server and state: lifecycle, addresses, the world, and what READY/GUILD_CREATE contain."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Self

from aiohttp import web

from . import rest_interactions, rest_messages, rest_meta
from .app import API_PREFIX, GATEWAY_PATH, RESUME_PATH, build_app
from .backend import Backend
from .faults import FaultInjector
from .gateway import INTENT_GUILD_MEMBERS, Gateway, Session
from .model import DM, FakeAttachment, FakeChannel, FakeMember, FakeRole, FakeUser, World
from .records import RequestLog
from .snowflakes import SnowflakeFactory
from .store import AttachmentStore, CommandStore, InteractionStore, MessageStore

SITECUSTOMIZE_DIR = Path(__file__).parent / "sitecustomize"


class FakeDiscordCore:
    """Server and state; ``FakeDiscord`` adds the test-facing API on top."""

    def __init__(
        self,
        *,
        token: str | None = None,
        interaction_deadline: float | None = 3.0,
        enforce_message_content_intent: bool = True,
        echo_bot_messages: bool = True,
        strict_commands: bool = False,
        allowed_intents: int | None = None,
        heartbeat_interval_ms: int = 41250,
        world: World | None = None,
    ) -> None:
        self.token = token  # None: any token is accepted
        self.interaction_deadline = interaction_deadline
        self.enforce_message_content_intent = enforce_message_content_intent
        self.echo_bot_messages = echo_bot_messages
        self.strict_commands = strict_commands
        self.allowed_intents = allowed_intents  # None: privileged intents are all enabled
        self.world = world or World.default()
        self.ids = SnowflakeFactory()
        self.log = RequestLog()
        self.faults = FaultInjector()
        self.gateway = Gateway(self, heartbeat_interval_ms)
        self.messages = MessageStore(self.ids)
        self.commands = CommandStore(self.ids, self.world.application_id)
        self.interactions = InteractionStore()
        self.attachments = AttachmentStore()
        self.server_errors: list[str] = []  # tracebacks of bugs in the fake's own handlers
        self.dm_channels: dict[int, FakeChannel] = {}
        self.modals: dict[str, dict[str, Any]] = {}
        self.backend = Backend(self)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> Self:
        routes = [*rest_meta.routes, *rest_messages.routes, *rest_interactions.routes]
        self._runner = web.AppRunner(build_app(self, routes), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self.gateway.resume_url = f"ws://127.0.0.1:{self.port}{RESUME_PATH}"
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @staticmethod
    def loop_time() -> float:
        return asyncio.get_running_loop().time()

    # -- addresses -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What ``discord.http.Route.BASE`` must be set to."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be set to (and what /gateway/bot answers)."""
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for a bot started as a subprocess (see sitecustomize/sitecustomize.py)."""
        env = dict(os.environ if base is None else base)
        env["FAKE_DISCORD_API_BASE"] = self.api_base
        env["FAKE_DISCORD_GATEWAY_URL"] = self.gateway_url
        env["FAKE_DISCORD_CDN_BASE"] = self.base_url
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SITECUSTOMIZE_DIR), env.get("PYTHONPATH")) if p)
        return env

    # -- the world -----------------------------------------------------------------------------

    @property
    def bot_user(self) -> FakeUser:
        return self.world.bot_user

    @property
    def guild_id(self) -> int:
        return self.world.guild.id

    @property
    def channel_id(self) -> int:
        """The default text channel (#general)."""
        return self.world.general.id

    @property
    def moderator_role(self) -> FakeRole:
        return self.world.moderator_role

    def find_user(self, user_id: int) -> FakeUser | None:
        member = self.world.guild.members.get(user_id)
        if member is not None:
            return member.user
        for channel in self.dm_channels.values():
            if channel.recipients and channel.recipients[0].id == user_id:
                return channel.recipients[0]
        return None

    def find_channel(self, channel_id: int) -> FakeChannel | None:
        return self.world.guild.channels.get(channel_id) or self.dm_channels.get(channel_id)

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        for channel in self.dm_channels.values():
            if channel.recipients[0].id == user.id:
                return channel
        channel = FakeChannel(self.ids.next(), "", DM, recipients=[user])
        self.dm_channels[channel.id] = channel
        return channel

    def add_member(
        self,
        username: str,
        *,
        roles: Sequence[int | FakeRole] = (),
        moderator: bool = False,
        permissions: int | str | None = None,
        global_name: str | None = None,
    ) -> FakeMember:
        """A new guild member; ``permissions`` overrides what its roles would grant."""
        user = FakeUser(self.ids.next(), username, global_name)
        role_ids = [r.id if isinstance(r, FakeRole) else int(r) for r in roles]
        if moderator:
            role_ids.append(self.world.moderator_role.id)
        member = FakeMember(user, role_ids, permissions=int(permissions) if permissions is not None else None)
        self.world.guild.members[user.id] = member
        return member

    def add_user(self, username: str) -> FakeUser:
        """A user who is not in the guild (DMs only)."""
        user = FakeUser(self.ids.next(), username)
        self.dm_channel(user)
        return user

    def add_role(self, name: str, permissions: int, *, position: int = 1) -> FakeRole:
        role = FakeRole(self.ids.next(), name, permissions, position=position)
        self.world.guild.roles[role.id] = role
        return role

    def add_attachment(
        self,
        filename: str,
        data: bytes,
        *,
        content_type: str | None = "application/octet-stream",
        size: int | None = None,
        served_content_type: str | None = None,
        chunked: bool = False,
        status: int = 200,
    ) -> FakeAttachment:
        """Bytes served at the returned attachment's ``url``.

        ``size``/``content_type`` are what the attachment payload *claims*; set ``size`` to lie
        about the length, ``served_content_type`` to answer the download with another type,
        ``chunked`` to omit Content-Length, ``status`` to make the download fail.
        """
        attachment_id = self.ids.next()
        return self.attachments.add(
            FakeAttachment(
                id=attachment_id,
                filename=filename,
                data=data,
                content_type=content_type,
                size=len(data) if size is None else size,
                url=f"{self.base_url}/attachments/{attachment_id}/{filename}",
                served_content_type=served_content_type,
                chunked=chunked,
                status=status,
            )
        )

    # -- GatewayWorld (what READY / GUILD_CREATE contain) ----------------------------------------

    def bot_user_payload(self) -> dict[str, Any]:
        return {**self.world.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None, "bot": True}

    def ready_payload(self, session: Session, resume_url: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "v": 10,
            "user": self.bot_user_payload(),
            "user_settings": {},
            "guilds": [{"id": str(self.world.guild.id), "unavailable": True}],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": resume_url,
            "application": {"id": str(self.world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "auth": {},
            "_trace": ["fake-gateway"],
        }
        if session.shard is not None:
            payload["shard"] = session.shard
        return payload

    def guild_create_payloads(self, session: Session) -> list[dict[str, Any]]:
        guild = self.world.guild
        payload = guild.payload()
        # Without GUILD_MEMBERS Discord only includes the bot's own member.
        if not session.has_intent(INTENT_GUILD_MEMBERS):
            payload["members"] = [self.world.bot_member.payload()]
        return [payload]

    def members_chunk(self, request: dict[str, Any]) -> dict[str, Any]:
        members = list(self.world.guild.members.values())
        if request.get("user_ids"):
            wanted = {int(i) for i in request["user_ids"]}
            members = [m for m in members if m.id in wanted]
        elif request.get("query"):
            members = [m for m in members if m.user.username.startswith(request["query"])]
        chunk: dict[str, Any] = {
            "guild_id": str(self.world.guild.id),
            "members": [m.payload() for m in members[: request.get("limit") or None]],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if request.get("nonce"):
            chunk["nonce"] = request["nonce"]
        return chunk
