"""REST: channels, messages (JSON and multipart), typing, reactions, DMs and attachment downloads."""

from __future__ import annotations

from aiohttp import web

from .app import API_PREFIX, fake_of, record_of
from .model import FakeChannel
from .responses import discord_error, json_response, no_content
from .validation import check_message, invalid_form_body

routes = web.RouteTableDef()

_CHANNEL = API_PREFIX + "/channels/{channel_id:\\d+}"
_MESSAGE = _CHANNEL + "/messages/{message_id:\\d+}"


def _channel(request: web.Request) -> FakeChannel | None:
    return fake_of(request).find_channel(int(request.match_info["channel_id"]))


def _unknown_channel() -> web.Response:
    return discord_error(404, 10003, "Unknown Channel")


def _unknown_message() -> web.Response:
    return discord_error(404, 10008, "Unknown Message")


@routes.get(_CHANNEL)
async def get_channel(request: web.Request) -> web.Response:
    channel = _channel(request)
    return json_response(channel.payload()) if channel else _unknown_channel()


@routes.post(_CHANNEL + "/messages")
async def create_message(request: web.Request) -> web.Response:
    fake, record = fake_of(request), record_of(request)
    channel = _channel(request)
    if channel is None:
        return _unknown_channel()
    data = record.json if isinstance(record.json, dict) else {}
    if error := check_message(data, creating=True, has_files=bool(record.files)):
        return error
    reference = data.get("message_reference")
    if reference and fake.messages.get(int(reference.get("message_id", 0))) is None:
        if reference.get("fail_if_not_exists", True):
            return invalid_form_body([("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")])
        data = {k: v for k, v in data.items() if k != "message_reference"}
    message = fake.backend.create_bot_message(channel, data, record.files)
    await fake.backend.echo("MESSAGE_CREATE", message)
    return json_response(message)


@routes.get(_CHANNEL + "/messages")
async def list_messages(request: web.Request) -> web.Response:
    channel = _channel(request)
    if channel is None:
        return _unknown_channel()
    messages = sorted(fake_of(request).messages.in_channel(channel.id), key=lambda m: int(m["id"]), reverse=True)
    query = request.query
    if "before" in query:
        messages = [m for m in messages if int(m["id"]) < int(query["before"])]
    if "after" in query:
        messages = [m for m in messages if int(m["id"]) > int(query["after"])]
    return json_response(messages[: int(query.get("limit", 50))])


@routes.get(_MESSAGE)
async def get_message(request: web.Request) -> web.Response:
    message = fake_of(request).messages.get(int(request.match_info["message_id"]))
    if message is None or message["channel_id"] != request.match_info["channel_id"]:
        return _unknown_message()
    return json_response(message)


@routes.patch(_MESSAGE)
async def edit_message(request: web.Request) -> web.Response:
    fake, record = fake_of(request), record_of(request)
    message_id = int(request.match_info["message_id"])
    message = fake.messages.get(message_id)
    if message is None or message["channel_id"] != request.match_info["channel_id"]:
        return _unknown_message()
    data = record.json if isinstance(record.json, dict) else {}
    # Others' messages: only flags (suppress embeds) may change.
    if message["author"]["id"] != str(fake.world.bot_user.id) and set(data) - {"flags"}:
        return discord_error(403, 50005, "Cannot edit a message authored by another user")
    if error := check_message(data, creating=False, has_files=bool(record.files)):
        return error
    edited = fake.backend.edit_message(message_id, data, record.files)
    await fake.backend.echo("MESSAGE_UPDATE", edited)
    return json_response(edited)


@routes.delete(_MESSAGE)
async def delete_message(request: web.Request) -> web.Response:
    fake = fake_of(request)
    message = fake.messages.get(int(request.match_info["message_id"]))
    if message is None or message["channel_id"] != request.match_info["channel_id"]:
        return _unknown_message()
    fake.messages.delete(int(message["id"]))
    await fake.backend.echo_delete(message)
    return no_content()


@routes.post(_CHANNEL + "/typing")
async def typing(request: web.Request) -> web.Response:
    return no_content() if _channel(request) else _unknown_channel()


@routes.put(_MESSAGE + "/reactions/{emoji}/@me")
@routes.delete(_MESSAGE + "/reactions/{emoji}/@me")
async def own_reaction(request: web.Request) -> web.Response:
    if fake_of(request).messages.get(int(request.match_info["message_id"])) is None:
        return _unknown_message()
    return no_content()


@routes.post(API_PREFIX + "/users/@me/channels")
async def open_dm(request: web.Request) -> web.Response:
    fake = fake_of(request)
    body = record_of(request).json or {}
    user = fake.find_user(int(body.get("recipient_id", 0)))
    if user is None:
        return invalid_form_body([("recipient_id", "NUMBER_TYPE_COERCE", "Value is not snowflake.")])
    return json_response(fake.dm_channel(user).payload())


@routes.get("/attachments/{attachment_id:\\d+}/{filename}")
async def download_attachment(request: web.Request) -> web.StreamResponse:
    attachment = fake_of(request).attachments.by_id.get(int(request.match_info["attachment_id"]))
    if attachment is None or attachment.filename != request.match_info["filename"]:
        return web.Response(status=404, text="Not Found")
    if attachment.status != 200:
        return web.Response(status=attachment.status, text="error")
    content_type = attachment.served_content_type or attachment.content_type or "application/octet-stream"
    if not attachment.chunked:
        return web.Response(body=attachment.data, headers={"Content-Type": content_type})
    # Chunked transfer: no Content-Length, so a client cannot trust the size up front.
    response = web.StreamResponse(headers={"Content-Type": content_type})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for start in range(0, len(attachment.data), 64 * 1024):
        await response.write(attachment.data[start : start + 64 * 1024])
    await response.write_eof()
    return response
