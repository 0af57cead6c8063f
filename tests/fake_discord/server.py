"""``FakeDiscord``: the API tests use to drive the fake and observe what the bot did."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import Any

from .core import FakeDiscordCore
from .faults import FaultRule
from .gateway import GatewayEvent
from .injection import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    Injector,
    MessageLike,
    UserLike,
)
from .model import FakeAttachment, FakeRole
from .records import RecordedRequest
from .store import FakeInteraction


class FakeDiscord(FakeDiscordCore):
    """A local Discord: REST under ``api_base``, gateway at ``gateway_url``, all on 127.0.0.1.

    Use as ``async with FakeDiscord() as fake:``; see README.md for the whole API.
    """

    @cached_property
    def _inject(self) -> Injector:
        return Injector(self)

    # -- injecting events ------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send any gateway DISPATCH; returns its sequence number."""
        return await self.gateway.dispatch(event, data)

    async def send_message(
        self,
        content: str,
        *,
        author: UserLike | None = None,
        channel_id: int | None = None,
        guild: bool = True,
        mentions: Sequence[UserLike] | None = None,
        reply_to: MessageLike | None = None,
        attachments: Sequence[FakeAttachment] = (),
        embeds: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A user's message (MESSAGE_CREATE). ``mentions`` default to the ``<@id>`` in ``content``.

        ``author`` defaults to the member "alice"; ``guild=False`` sends it in a DM with the bot.
        """
        return await self._inject.send_message(
            content,
            author=author,
            channel_id=channel_id,
            guild=guild,
            mentions=mentions,
            reply_to=reply_to,
            attachments=attachments,
            embeds=embeds,
        )

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        subcommand: str | Sequence[str] | None = None,
        user: UserLike | None = None,
        member_permissions: int | str | None = None,
        roles: Sequence[int | FakeRole] | None = None,
        guild: bool = True,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A CHAT_INPUT interaction. ``subcommand`` is "sub" or "group sub" (or a tuple)."""
        data = self._inject.command_data(name, options, subcommand, guild=guild)
        return await self._inject.interaction(
            APPLICATION_COMMAND,
            data,
            user=user,
            guild=guild,
            channel_id=channel_id,
            member_permissions=member_permissions,
            roles=roles,
            locale=locale,
        )

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        subcommand: str | Sequence[str] | None = None,
        user: UserLike | None = None,
        guild: bool = True,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """An AUTOCOMPLETE interaction; ``options[focused]`` is the text typed so far."""
        data = self._inject.command_data(name, options, subcommand, guild=guild, focused=focused)
        return await self._inject.interaction(
            AUTOCOMPLETE,
            data,
            user=user,
            guild=guild,
            channel_id=channel_id,
            member_permissions=None,
            roles=None,
            locale=locale,
        )

    async def send_component(
        self,
        custom_id: str,
        message: MessageLike | None = None,
        *,
        component_type: int = 2,
        values: Sequence[Any] | None = None,
        user: UserLike | None = None,
        member_permissions: int | str | None = None,
        roles: Sequence[int | FakeRole] | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A MESSAGE_COMPONENT interaction (button by default; pass ``values`` for selects).

        ``message`` defaults to the newest stored message holding ``custom_id``, else a made-up
        bot message with such a button (as for a persistent view after a restart).
        """
        source = self._inject.component_message(custom_id, message, channel_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = [str(v) for v in values]
            # Entity selects (5 user, 6 role, 7 mentionable, 8 channel) carry resolved data.
            option_type = {5: 6, 6: 8, 7: 9, 8: 7}.get(component_type)
            if option_type is not None:
                resolved: dict[str, dict[str, Any]] = {}
                in_guild = "guild_id" in source
                data["values"] = [self._inject.resolve_value(option_type, v, resolved, in_guild) for v in values]
                data["resolved"] = resolved
        return await self._inject.interaction(
            MESSAGE_COMPONENT,
            data,
            user=user,
            guild="guild_id" in source,
            channel_id=None,
            member_permissions=member_permissions,
            roles=roles,
            locale=locale,
            message=source,
        )

    async def send_message_context_menu(
        self,
        name: str,
        target_message: MessageLike,
        *,
        user: UserLike | None = None,
        locale: str = "en-US",
        member_permissions: int | str | None = None,
        roles: Sequence[int | FakeRole] | None = None,
    ) -> FakeInteraction:
        """A message context-menu command (data.type 3) on ``target_message``."""
        target = self._inject.message(target_message)
        guild = "guild_id" in target
        command = self._inject.registered(name, guild, 3)
        data: dict[str, Any] = {
            "id": command["id"] if command else str(self.ids.next()),
            "name": name,
            "type": 3,
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        if command and "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return await self._inject.interaction(
            APPLICATION_COMMAND,
            data,
            user=user,
            guild=guild,
            channel_id=int(target["channel_id"]),
            member_permissions=member_permissions,
            roles=roles,
            locale=locale,
        )

    async def send_user_context_menu(
        self,
        name: str,
        target: UserLike,
        *,
        user: UserLike | None = None,
        guild: bool = True,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A user context-menu command (data.type 2) on ``target``."""
        command = self._inject.registered(name, guild, 2)
        resolved: dict[str, dict[str, Any]] = {}
        target_id = self._inject.resolve_value(6, target, resolved, guild)
        data: dict[str, Any] = {
            "id": command["id"] if command else str(self.ids.next()),
            "name": name,
            "type": 2,
            "target_id": target_id,
            "resolved": resolved,
        }
        if command and "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return await self._inject.interaction(
            APPLICATION_COMMAND,
            data,
            user=user,
            guild=guild,
            channel_id=None,
            member_permissions=None,
            roles=None,
            locale=locale,
        )

    async def send_modal_submit(
        self,
        custom_id: str,
        values: Mapping[str, Any],
        *,
        message: MessageLike | None = None,
        user: UserLike | None = None,
        guild: bool = True,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> FakeInteraction:
        """A MODAL_SUBMIT with ``values`` keyed by input custom_id, shaped like the modal the bot sent."""
        data = {"custom_id": custom_id, "components": self._inject.modal_components(custom_id, values)}
        source = self._inject.message(message) if message is not None else None
        return await self._inject.interaction(
            MODAL_SUBMIT,
            data,
            user=user,
            guild=guild,
            channel_id=channel_id,
            member_permissions=None,
            roles=None,
            locale=locale,
            message=source,
        )

    def register_commands(self, commands: list[dict[str, Any]], guild_id: int | None = None) -> list[dict[str, Any]]:
        """Pre-register commands as if the bot had synced them earlier."""
        return self.commands.overwrite(guild_id, commands)

    # -- observing -------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.log.requests

    def find_requests(
        self,
        method: str | None = None,
        path: str | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> list[RecordedRequest]:
        """Answered requests filtered by method, fnmatch path glob and/or predicate."""
        return self.log.find(
            lambda r: (
                (method is None or r.method == method)
                and (path is None or fnmatch.fnmatchcase(r.path, path))
                and (predicate is None or predicate(r))
            )
        )

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> RecordedRequest:
        def matches(r: RecordedRequest) -> bool:
            return (
                (method is None or r.method == method)
                and (path is None or fnmatch.fnmatchcase(r.path, path))
                and (predicate is None or predicate(r))
            )

        return await self.log.wait_for(matches, count=count, timeout=timeout)

    def responses_for(self, interaction: FakeInteraction) -> list[RecordedRequest]:
        """The callback plus follow-ups/edits/deletes sent for this interaction, in order."""
        return self.log.find(lambda r: r.interaction_token == interaction.token)

    async def wait_for_response(
        self, interaction: FakeInteraction, *, count: int = 1, ok: bool = True, timeout: float = 5.0
    ) -> RecordedRequest:
        """The ``count``-th (successful, unless ok=False) request for this interaction."""
        return await self.log.wait_for(
            lambda r: r.interaction_token == interaction.token and (r.ok or not ok), count=count, timeout=timeout
        )

    def messages_in(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages stored in a channel (default #general), oldest first, including ephemeral ones."""
        return sorted(self.messages.in_channel(channel_id or self.channel_id), key=lambda m: int(m["id"]))

    def message_writes(self, *, ok_only: bool = True) -> list[RecordedRequest]:
        """Every request that created or edited message content (for allowed_mentions checks)."""
        return self.log.find(lambda r: r.writes_message and (r.ok or not ok_only))

    @property
    def global_commands(self) -> list[dict[str, Any]]:
        return self.commands.list(None)

    def guild_commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        return self.commands.list(guild_id or self.guild_id)

    # -- fault injection -------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path: str,
        status: int = 429,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        body: Any = None,
    ) -> FaultRule:
        """Answer the next ``count`` calls matching ``method`` ("*" for any) and the path glob
        (below /api/v10, e.g. "/channels/*/messages") with ``status`` instead of handling them."""
        return self.faults.add(FaultRule(method, path, status, count, retry_after, is_global, 0.0, body))

    def slow_next(self, method: str, path: str, delay: float, *, count: int = 1) -> FaultRule:
        """Delay the next ``count`` matching calls by ``delay`` seconds, then answer normally."""
        return self.faults.add(FaultRule(method, path, None, count, delay=delay))

    # -- gateway control -------------------------------------------------------------------------

    @property
    def gateway_events(self) -> list[GatewayEvent]:
        return self.gateway.events

    async def force_reconnect(self, *, wait: bool = True, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT; with ``wait``, return once the client has RESUMEd."""
        resumes = len(self.gateway.received(6))
        await self.gateway.request_reconnect()
        if wait:
            await self.wait_for_resume(resumes + 1, timeout=timeout)

    async def drop_connection(self, code: int = 4000, *, wait: bool = True, timeout: float = 10.0) -> None:
        """Close the socket server-side; resumable codes make discord.py RESUME."""
        resumes = len(self.gateway.received(6))
        await self.gateway.drop(code)
        if wait:
            await self.wait_for_resume(resumes + 1, timeout=timeout)

    async def invalidate_session(self, resumable: bool = False) -> None:
        await self.gateway.invalidate_session(resumable)

    async def wait_for_resume(self, count: int = 1, *, timeout: float = 5.0) -> None:
        """Wait for the ``count``-th RESUME and for the RESUMED that answers it."""
        await self.gateway.wait_for(
            lambda e: e.kind == "dispatch" and e.name == "RESUMED", count=count, timeout=timeout
        )
