"""Test-side event injection: messages and interactions built like Discord's gateway payloads.

Slash-command options are typed from the command the bot registered (``tree.sync()`` or
``register_commands``); unregistered commands fall back to types inferred from the Python values
(``strict_commands=True`` turns that into an error, as Discord never sends unknown commands).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .model import DM, FakeAttachment, FakeChannel, FakeMember, FakeRole, FakeUser
from .store import FakeInteraction

if TYPE_CHECKING:
    from .server import FakeDiscord

UserLike = FakeMember | FakeUser | int
MessageLike = dict[str, Any] | int

# Interaction types and application-command option types (Discord API v10).
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(
    1, 12
)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def _infer_type(value: Any) -> int:
    for kind, option_type in (
        (bool, BOOLEAN),
        (int, INTEGER),
        (float, NUMBER),
        (str, STRING),
        ((FakeMember, FakeUser), USER),
        (FakeRole, ROLE),
        (FakeChannel, CHANNEL),
        (FakeAttachment, ATTACHMENT),
    ):
        if isinstance(value, kind):
            return option_type
    raise TypeError(f"cannot infer an option type for {value!r}")


def _path(subcommand: str | Sequence[str] | None) -> list[str]:
    if subcommand is None:
        return []
    return subcommand.split() if isinstance(subcommand, str) else list(subcommand)


def _find_components(components: list[dict[str, Any]], custom_id: str) -> bool:
    for component in components:
        if component.get("custom_id") == custom_id:
            return True
        children = list(component.get("components") or [])
        children += [component[k] for k in ("component", "accessory") if isinstance(component.get(k), dict)]
        if _find_components(children, custom_id):
            return True
    return False


class Injector:
    """Builds and dispatches the events a test sends; reached through ``FakeDiscord``'s methods."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    # -- lookups ---------------------------------------------------------------------------

    def member(self, who: UserLike | None) -> tuple[FakeUser, FakeMember | None]:
        world = self.fake.world
        if who is None:
            return world.alice.user, world.alice
        if isinstance(who, FakeMember):
            return who.user, who
        user = who if isinstance(who, FakeUser) else self.fake.find_user(int(who))
        if user is None:
            raise LookupError(f"unknown user {who!r}: create it with fake.add_member()")
        return user, world.guild.members.get(user.id)

    def message(self, message: MessageLike) -> dict[str, Any]:
        if isinstance(message, dict):
            return message
        found = self.fake.messages.get(int(message))
        if found is None:
            raise LookupError(f"unknown message {message}")
        return found

    # -- messages --------------------------------------------------------------------------

    async def send_message(
        self,
        content: str,
        *,
        author: UserLike | None,
        channel_id: int | None,
        guild: bool,
        mentions: Sequence[UserLike] | None,
        reply_to: MessageLike | None,
        attachments: Sequence[FakeAttachment],
        embeds: list[dict[str, Any]] | None,
    ) -> dict[str, Any]:
        fake = self.fake
        user, member = self.member(author)
        channel = fake.find_channel(channel_id) if channel_id else None
        if channel is None:
            channel = fake.world.general if guild else fake.dm_channel(user)
        in_guild = channel.type != DM
        if mentions is None:
            mentions = [int(m) for m in _USER_MENTION.findall(content)]
        mentioned = []
        for who in mentions:
            mention_user, mention_member = self.member(who)
            data = mention_user.payload()
            if in_guild and mention_member is not None:
                data["member"] = mention_member.payload(with_user=False)
            mentioned.append(data)
        data: dict[str, Any] = {
            "content": content,
            "mentions": mentioned,
            "mention_roles": _ROLE_MENTION.findall(content) if in_guild else [],
            "attachments": [a.payload() for a in attachments],
            "embeds": embeds or [],
        }
        if reply_to is not None:
            data["message_reference"] = {"message_id": self.message(reply_to)["id"]}
        message = fake.messages.create(
            channel,
            user,
            data,
            member=member if in_guild else None,
            extra={"mention_everyone": "@everyone" in content and in_guild, "nonce": str(fake.ids.next())},
        )
        await fake.backend.echo("MESSAGE_CREATE", message)
        return message

    # -- interactions ----------------------------------------------------------------------

    async def interaction(
        self,
        interaction_type: int,
        data: dict[str, Any],
        *,
        user: UserLike | None,
        guild: bool,
        channel_id: int | None,
        member_permissions: int | str | None,
        roles: Sequence[int | FakeRole] | None,
        locale: str,
        message: dict[str, Any] | None = None,
    ) -> FakeInteraction:
        fake = self.fake
        world = fake.world
        the_user, member = self.member(user)
        if message is not None:
            channel_id = int(message["channel_id"])
        channel = fake.find_channel(channel_id) if channel_id else None
        if channel is None:
            channel = world.general if guild else fake.dm_channel(the_user)
        guild = channel.type != DM
        interaction_id = fake.ids.next()
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(world.application_id),
            "type": interaction_type,
            "data": data,
            "token": secrets.token_urlsafe(64),
            "version": 1,
            "locale": locale,
            "app_permissions": str(world.guild.member_permissions(world.bot_member) if guild else 0),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel_id": str(channel.id),
        }
        channel_payload = channel.payload()
        if guild:
            member = member or FakeMember(the_user)
            extra_roles = [r.id if isinstance(r, FakeRole) else int(r) for r in roles or []]
            member = FakeMember(the_user, [*member.role_ids, *extra_roles], member.nick, member.permissions)
            if member_permissions is not None:
                member.permissions = int(member_permissions)
            permissions = world.guild.member_permissions(member)
            channel_payload["permissions"] = str(permissions)
            payload.update(
                guild_id=str(world.guild.id),
                guild={"id": str(world.guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=member.payload(permissions=permissions),
                authorizing_integration_owners={"0": str(world.guild.id)},
                context=0,
            )
        else:
            payload.update(user=the_user.payload(), authorizing_integration_owners={"1": str(the_user.id)}, context=1)
        payload["channel"] = channel_payload
        if message is not None:
            payload["message"] = message
        interaction = FakeInteraction(
            id=interaction_id,
            token=payload["token"],
            type=interaction_type,
            payload=payload,
            channel_id=channel.id,
            created_at=fake.loop_time(),
        )
        fake.interactions.add(interaction)
        await fake.gateway.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def resolve_value(self, option_type: int, value: Any, resolved: dict[str, dict[str, Any]], guild: bool) -> Any:
        """The option's wire value; entities also land in ``resolved`` as Discord does."""
        if option_type == STRING:
            return str(value)
        if option_type == INTEGER:
            return int(value)
        if option_type == NUMBER:
            return float(value)
        if option_type == BOOLEAN:
            return bool(value)
        if option_type == ATTACHMENT:
            attachment = value if isinstance(value, FakeAttachment) else self.fake.attachments.by_id[int(value)]
            resolved.setdefault("attachments", {})[str(attachment.id)] = attachment.payload()
            return str(attachment.id)
        if option_type == CHANNEL:
            channel = value if isinstance(value, FakeChannel) else self.fake.find_channel(int(value))
            if channel is None:
                raise LookupError(f"unknown channel {value!r}")
            data = channel.payload()
            data["permissions"] = str(self.fake.world.guild.member_permissions(self.fake.world.alice))
            resolved.setdefault("channels", {})[str(channel.id)] = data
            return str(channel.id)
        if option_type in (ROLE, MENTIONABLE):
            roles = self.fake.world.guild.roles
            role = (
                value
                if isinstance(value, FakeRole)
                else roles.get(int(value))
                if isinstance(value, int | str)
                else None
            )
            if role is not None:
                resolved.setdefault("roles", {})[str(role.id)] = role.payload()
                return str(role.id)
            if option_type == ROLE:
                raise LookupError(f"unknown role {value!r}")
        user, member = self.member(value)
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        if guild and member is not None:
            perms = self.fake.world.guild.member_permissions(member)
            resolved.setdefault("members", {})[str(user.id)] = member.payload(with_user=False, permissions=perms)
        return str(user.id)

    def registered(self, name: str, guild: bool, command_type: int = 1) -> dict[str, Any] | None:
        commands = self.fake.commands
        found = commands.find(name, self.fake.world.guild.id, command_type) if guild else None
        found = found or commands.find(name, None, command_type)
        if found is None and self.fake.strict_commands:
            raise LookupError(f"command {name!r} (type {command_type}) is not registered with the fake")
        return found

    def command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        subcommand: str | Sequence[str] | None,
        *,
        guild: bool,
        focused: str | None = None,
    ) -> dict[str, Any]:
        command = self.registered(name, guild)
        data: dict[str, Any] = {"id": command["id"] if command else str(self.fake.ids.next()), "name": name, "type": 1}
        if command and "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        schema: list[dict[str, Any]] | None = command.get("options", []) if command else None
        wrappers: list[dict[str, Any]] = []
        path = _path(subcommand)
        for depth, part in enumerate(path):
            spec = None
            if schema is not None:
                spec = next((o for o in schema if o["name"] == part and o["type"] in (1, 2)), None)
                if spec is None:
                    raise ValueError(f"{name}: no subcommand (group) {part!r}")
            kind = spec["type"] if spec else (SUB_COMMAND_GROUP if depth < len(path) - 1 else SUB_COMMAND)
            wrappers.append({"name": part, "type": kind})
            schema = spec.get("options", []) if spec else None
        resolved: dict[str, dict[str, Any]] = {}
        leaf = self._leaf_options(name, dict(options or {}), schema, resolved, guild=guild, focused=focused)
        for wrapper in reversed(wrappers):
            wrapper["options"] = leaf
            leaf = [wrapper]
        if leaf:
            data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return data

    def _leaf_options(
        self,
        name: str,
        values: dict[str, Any],
        schema: list[dict[str, Any]] | None,
        resolved: dict[str, dict[str, Any]],
        *,
        guild: bool,
        focused: str | None,
    ) -> list[dict[str, Any]]:
        specs = {o["name"]: o for o in schema or []}
        if schema is not None:
            unknown = set(values) - set(specs)
            if unknown:
                raise ValueError(f"{name}: unknown option(s) {sorted(unknown)}; registered: {sorted(specs)}")
            missing = [n for n, o in specs.items() if o.get("required") and n not in values and n != focused]
            if missing and focused is None:
                raise ValueError(f"{name}: missing required option(s) {missing}")
        options = []
        for option_name, value in values.items():
            spec = specs.get(option_name)
            option_type = spec["type"] if spec else _infer_type(value)
            if option_name == focused:
                # Autocomplete sends what the user has typed so far, unconverted.
                options.append({"name": option_name, "type": option_type, "value": value, "focused": True})
                continue
            wire = self.resolve_value(option_type, value, resolved, guild)
            choices = [c["value"] for c in (spec or {}).get("choices") or []]
            if choices and wire not in choices:
                raise ValueError(f"{name}: {wire!r} is not one of the choices {choices} of {option_name!r}")
            options.append({"name": option_name, "type": option_type, "value": wire})
        return options

    def component_message(self, custom_id: str, message: MessageLike | None, channel_id: int | None) -> dict[str, Any]:
        """The message carrying the component: given, else the newest stored one that has it."""
        if message is not None:
            return self.message(message)
        for candidate in sorted(self.fake.messages.by_id.values(), key=lambda m: int(m["id"]), reverse=True):
            if _find_components(candidate.get("components") or [], custom_id):
                return candidate
        # A persistent view may outlive the message's sender process: make up the message.
        fake = self.fake
        channel = fake.find_channel(channel_id) if channel_id else fake.world.general
        assert channel is not None
        button = {"type": 2, "style": 1, "label": custom_id[:80], "custom_id": custom_id}
        data = {"content": "", "components": [{"type": 1, "components": [button]}]}
        member = fake.world.bot_member if channel.type != DM else None
        return fake.messages.create(channel, fake.world.bot_user, data, member=member)

    def modal_components(self, custom_id: str, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Modal-submit components mirroring the modal the bot sent (action rows or labels)."""

        def submitted(component: dict[str, Any]) -> dict[str, Any] | None:
            cid = component.get("custom_id")
            if cid not in values:
                return None
            value = values[cid]
            if component.get("type") == 4:
                return {"type": 4, "id": component.get("id"), "custom_id": cid, "value": str(value)}
            listed = value if isinstance(value, list) else [value]
            return {"type": component["type"], "id": component.get("id"), "custom_id": cid, "values": listed}

        modal = self.fake.modals.get(custom_id)
        if modal is None:
            return [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": str(v)}]} for k, v in values.items()
            ]
        out: list[dict[str, Any]] = []
        for top in modal.get("components") or []:
            if top.get("type") == 1:
                inner = [s for c in top.get("components") or [] if (s := submitted(c))]
                if inner:
                    out.append({"type": 1, "id": top.get("id"), "components": inner})
            elif top.get("type") == 18 and isinstance(top.get("component"), dict):
                inner_one = submitted(top["component"])
                if inner_one:
                    out.append({"type": 18, "id": top.get("id"), "component": inner_one})
        return out
