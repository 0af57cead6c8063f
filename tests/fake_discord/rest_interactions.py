"""REST: interaction callbacks and the interaction webhook (follow-ups, @original edits).

Rules enforced like Discord: one callback per interaction (400/40060), callbacks only within
``interaction_deadline`` seconds (404/10062), follow-ups only after a callback (404/10015),
and the first follow-up after a deferred "thinking" response fills that loading message.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from .app import API_PREFIX, fake_of, record_of
from .backend import EPHEMERAL, LOADING
from .responses import discord_error, json_response, no_content
from .store import FakeInteraction
from .validation import check_callback, check_message

routes = web.RouteTableDef()

_WEBHOOK = API_PREFIX + "/webhooks/{application_id:\\d+}/{token}"


def _unknown_interaction() -> web.Response:
    return discord_error(404, 10062, "Unknown interaction")


def _unknown_webhook() -> web.Response:
    return discord_error(404, 10015, "Unknown Webhook")


def _unknown_message() -> web.Response:
    return discord_error(404, 10008, "Unknown Message")


def _callback_result(interaction: FakeInteraction, kind: int, message: dict[str, Any] | None) -> dict[str, Any]:
    """The body Discord returns for ``?with_response=true`` (discord.py always asks for it)."""
    info: dict[str, Any] = {"id": str(interaction.id), "type": interaction.type}
    resource: dict[str, Any] = {"type": kind}
    if message is not None:
        flags = int(message.get("flags", 0))
        info.update(
            response_message_id=message["id"],
            response_message_loading=bool(flags & LOADING),
            response_message_ephemeral=bool(flags & EPHEMERAL),
        )
        resource["message"] = message
    return {"interaction": info, "resource": resource}


@routes.post(API_PREFIX + "/interactions/{interaction_id:\\d+}/{token}/callback")
async def interaction_callback(request: web.Request) -> web.Response:
    fake, record = fake_of(request), record_of(request)
    interaction = fake.interactions.by_id.get(int(request.match_info["interaction_id"]))
    if interaction is None or interaction.token != request.match_info["token"]:
        return _unknown_interaction()
    deadline = fake.interaction_deadline
    if deadline is not None and asyncio.get_running_loop().time() - interaction.created_at > deadline:
        return _unknown_interaction()
    if interaction.responded:
        return discord_error(400, 40060, "Interaction has already been acknowledged.")
    body = record.json if isinstance(record.json, dict) else {}
    if error := check_callback(interaction.type, body, bool(record.files)):
        return error
    kind: int = body["type"]
    data: dict[str, Any] = body.get("data") or {}
    message = await fake.backend.apply_callback(interaction, kind, data, record.files)
    interaction.callback_type = kind
    if "with_response" not in request.query:
        return no_content()
    return json_response(_callback_result(interaction, kind, message))


def _interaction_for(request: web.Request) -> FakeInteraction | None:
    fake = fake_of(request)
    interaction = fake.interactions.by_token.get(request.match_info["token"])
    if interaction is None or int(request.match_info["application_id"]) != fake.world.application_id:
        return None
    return interaction


@routes.post(_WEBHOOK)
async def create_followup(request: web.Request) -> web.Response:
    fake, record = fake_of(request), record_of(request)
    interaction = _interaction_for(request)
    if interaction is None or not interaction.responded:
        return _unknown_webhook()
    data = record.json if isinstance(record.json, dict) else {}
    if error := check_message(data, creating=True, has_files=bool(record.files)):
        return error
    message = await fake.backend.create_followup(interaction, data, record.files)
    if request.query.get("wait", "false").lower() not in ("true", "1"):
        return no_content()
    return json_response(message)


def _message_id(request: web.Request, interaction: FakeInteraction) -> int | None:
    raw = request.match_info["message_id"]
    if raw == "@original":
        return interaction.original_message_id
    message_id = int(raw) if raw.isdigit() else None
    allowed = {*interaction.followup_ids, interaction.original_message_id}
    return message_id if message_id in allowed else None


_WEBHOOK_MESSAGE = _WEBHOOK + "/messages/{message_id}"


@routes.get(_WEBHOOK_MESSAGE)
async def get_webhook_message(request: web.Request) -> web.Response:
    interaction = _interaction_for(request)
    if interaction is None:
        return _unknown_webhook()
    message_id = _message_id(request, interaction)
    message = fake_of(request).messages.get(message_id) if message_id else None
    return json_response(message) if message else _unknown_message()


@routes.patch(_WEBHOOK_MESSAGE)
async def edit_webhook_message(request: web.Request) -> web.Response:
    fake, record = fake_of(request), record_of(request)
    interaction = _interaction_for(request)
    if interaction is None:
        return _unknown_webhook()
    message_id = _message_id(request, interaction)
    if message_id is None or fake.messages.get(message_id) is None:
        return _unknown_message()
    data = record.json if isinstance(record.json, dict) else {}
    if error := check_message(data, creating=False, has_files=bool(record.files)):
        return error
    message = fake.backend.edit_message(message_id, data, record.files, finish_loading=True)
    if not int(message.get("flags", 0)) & EPHEMERAL:
        await fake.backend.echo("MESSAGE_UPDATE", message)
    return json_response(message)


@routes.delete(_WEBHOOK_MESSAGE)
async def delete_webhook_message(request: web.Request) -> web.Response:
    fake = fake_of(request)
    interaction = _interaction_for(request)
    if interaction is None:
        return _unknown_webhook()
    message_id = _message_id(request, interaction)
    message = fake.messages.get(message_id) if message_id else None
    if message is None:
        return _unknown_message()
    fake.messages.delete(int(message["id"]))
    if not int(message.get("flags", 0)) & EPHEMERAL:
        await fake.backend.echo_delete(message)
    return no_content()
