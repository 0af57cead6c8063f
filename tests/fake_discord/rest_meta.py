"""REST: gateway discovery, the bot user, the application and application commands, guild reads."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .app import API_PREFIX, fake_of, record_of
from .responses import discord_error, json_response, no_content
from .validation import check_commands, command_problems, invalid_form_body

routes = web.RouteTableDef()


@routes.get(API_PREFIX + "/gateway")
async def get_gateway(request: web.Request) -> web.Response:
    return json_response({"url": fake_of(request).gateway_url})


@routes.get(API_PREFIX + "/gateway/bot")
async def get_gateway_bot(request: web.Request) -> web.Response:
    limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
    return json_response({"url": fake_of(request).gateway_url, "shards": 1, "session_start_limit": limit})


@routes.get(API_PREFIX + "/users/@me")
async def get_me(request: web.Request) -> web.Response:
    return json_response(fake_of(request).bot_user_payload())


@routes.get(API_PREFIX + "/users/{user_id:\\d+}")
async def get_user(request: web.Request) -> web.Response:
    user = fake_of(request).find_user(int(request.match_info["user_id"]))
    return json_response(user.payload()) if user else discord_error(404, 10013, "Unknown User")


@routes.get(API_PREFIX + "/oauth2/applications/@me")
@routes.get(API_PREFIX + "/applications/@me")
async def get_application(request: web.Request) -> web.Response:
    return json_response(fake_of(request).world.application_payload())


# -- guild reads ----------------------------------------------------------------------------


def _guild_or_error(request: web.Request) -> web.Response | None:
    if int(request.match_info["guild_id"]) != fake_of(request).world.guild.id:
        return discord_error(403, 50001, "Missing Access")
    return None


@routes.get(API_PREFIX + "/guilds/{guild_id:\\d+}")
async def get_guild(request: web.Request) -> web.Response:
    if error := _guild_or_error(request):
        return error
    payload = fake_of(request).world.guild.payload()
    for key in ("channels", "members", "threads", "presences", "voice_states", "joined_at", "large"):
        payload.pop(key, None)
    return json_response(payload)


@routes.get(API_PREFIX + "/guilds/{guild_id:\\d+}/channels")
async def get_guild_channels(request: web.Request) -> web.Response:
    if error := _guild_or_error(request):
        return error
    return json_response([c.payload() for c in fake_of(request).world.guild.channels.values()])


@routes.get(API_PREFIX + "/guilds/{guild_id:\\d+}/roles")
async def get_guild_roles(request: web.Request) -> web.Response:
    if error := _guild_or_error(request):
        return error
    return json_response([r.payload() for r in fake_of(request).world.guild.roles.values()])


@routes.get(API_PREFIX + "/guilds/{guild_id:\\d+}/members/{user_id:\\d+}")
async def get_guild_member(request: web.Request) -> web.Response:
    if error := _guild_or_error(request):
        return error
    member = fake_of(request).world.guild.members.get(int(request.match_info["user_id"]))
    return json_response(member.payload()) if member else discord_error(404, 10007, "Unknown Member")


# -- application commands -------------------------------------------------------------------

_GLOBAL = API_PREFIX + "/applications/{application_id:\\d+}/commands"
_GUILD = API_PREFIX + "/applications/{application_id:\\d+}/guilds/{guild_id:\\d+}/commands"


def _scope(request: web.Request) -> tuple[int | None, web.Response | None]:
    fake = fake_of(request)
    if int(request.match_info["application_id"]) != fake.world.application_id:
        return None, discord_error(403, 50001, "Missing Access")
    if "guild_id" not in request.match_info:
        return None, None
    return int(request.match_info["guild_id"]), _guild_or_error(request)


def _body(request: web.Request) -> Any:
    return record_of(request).json


@routes.get(_GLOBAL)
@routes.get(_GUILD)
async def list_commands(request: web.Request) -> web.Response:
    scope, error = _scope(request)
    return error or json_response(fake_of(request).commands.list(scope))


@routes.put(_GLOBAL)
@routes.put(_GUILD)
async def overwrite_commands(request: web.Request) -> web.Response:
    scope, error = _scope(request)
    if error:
        return error
    payloads = _body(request)
    if not isinstance(payloads, list):
        return invalid_form_body([("_root", "BASE_TYPE_ARRAY", "Must be an array.")])
    if error := check_commands(payloads):
        return error
    return json_response(fake_of(request).commands.overwrite(scope, payloads))


@routes.post(_GLOBAL)
@routes.post(_GUILD)
async def create_command(request: web.Request) -> web.Response:
    scope, error = _scope(request)
    if error:
        return error
    payload = _body(request) or {}
    if problems := command_problems(payload):
        return invalid_form_body(problems)
    command, created = fake_of(request).commands.upsert(scope, payload)
    return json_response(command, 201 if created else 200)


@routes.get(_GLOBAL + "/{command_id:\\d+}")
@routes.get(_GUILD + "/{command_id:\\d+}")
async def get_command(request: web.Request) -> web.Response:
    scope, error = _scope(request)
    if error:
        return error
    command = fake_of(request).commands.get(scope, int(request.match_info["command_id"]))
    return json_response(command) if command else discord_error(404, 10063, "Unknown application command")


@routes.patch(_GLOBAL + "/{command_id:\\d+}")
@routes.patch(_GUILD + "/{command_id:\\d+}")
async def edit_command(request: web.Request) -> web.Response:
    scope, error = _scope(request)
    if error:
        return error
    command = fake_of(request).commands.edit(scope, int(request.match_info["command_id"]), _body(request) or {})
    return json_response(command) if command else discord_error(404, 10063, "Unknown application command")


@routes.delete(_GLOBAL + "/{command_id:\\d+}")
@routes.delete(_GUILD + "/{command_id:\\d+}")
async def delete_command(request: web.Request) -> web.Response:
    scope, error = _scope(request)
    if error:
        return error
    if fake_of(request).commands.delete(scope, int(request.match_info["command_id"])):
        return no_content()
    return discord_error(404, 10063, "Unknown application command")


@routes.get(_GUILD + "/permissions")
async def get_command_permissions(request: web.Request) -> web.Response:
    _, error = _scope(request)
    return error or json_response([])
