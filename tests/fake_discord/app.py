"""The aiohttp application: request recording, auth and fault injection around the REST routes."""

from __future__ import annotations

import asyncio
import json
import traceback
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from .records import RecordedFile, RecordedRequest
from .responses import discord_error

if TYPE_CHECKING:
    from .server import FakeDiscord

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway-ws"
RESUME_PATH = "/gateway-ws/resume"
FAKE_KEY: web.AppKey[FakeDiscord] = web.AppKey("fake_discord", object)  # type: ignore[arg-type]
RECORD_KEY: web.RequestKey[RecordedRequest] = web.RequestKey("fake_discord_record", RecordedRequest)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def fake_of(request: web.Request) -> FakeDiscord:
    return request.app[FAKE_KEY]


def record_of(request: web.Request) -> RecordedRequest:
    return request[RECORD_KEY]


async def _read_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
    if request.content_type == "multipart/form-data":
        payload: Any = None
        files: list[RecordedFile] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            if part.name == "payload_json":
                payload = json.loads(data)
            else:
                files.append(
                    RecordedFile(part.name or "", part.filename, part.headers.get("Content-Type"), bytes(data))
                )
        return payload, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []


# Requests authorised by the token in their path, not by the bot token (discord.py sends none).
def _token_in_path(path: str) -> bool:
    return path.startswith(("/interactions/", "/webhooks/")) and path.count("/") >= 3


def _response_body(response: web.StreamResponse) -> Any:
    if isinstance(response, web.Response) and response.content_type == "application/json":
        body = response.body
        if isinstance(body, bytes | bytearray):
            return json.loads(body)
    return None


@web.middleware
async def record_and_inject(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(GATEWAY_PATH):
        return await handler(request)
    fake = fake_of(request)
    path = request.path.removeprefix(API_PREFIX) if request.path.startswith(API_PREFIX + "/") else request.path
    body, files = await _read_body(request)
    record = fake.log.start(
        method=request.method,
        path=path,
        query=dict(request.query),
        headers=dict(request.headers),
        json=body,
        files=files,
    )
    request[RECORD_KEY] = record
    rule = fake.faults.take(request.method, path)
    if rule is not None and rule.delay:
        await asyncio.sleep(rule.delay)
    if rule is not None and rule.status is not None:
        response: web.StreamResponse = rule.response()
        fake.log.finish(record, response.status, _response_body(response), injected=True)
        return response
    api_call = request.path.startswith(API_PREFIX + "/")
    needs_auth = api_call and fake.token is not None and not _token_in_path(path)
    if needs_auth and request.headers.get("Authorization") != f"Bot {fake.token}":
        response = discord_error(401)
        fake.log.finish(record, 401, _response_body(response))
        return response
    try:
        response = await handler(request)
    except web.HTTPNotFound:
        response = discord_error(404)
    except web.HTTPMethodNotAllowed:
        response = discord_error(405, 0, "405: Method Not Allowed")
    except Exception:
        # A bug in the fake, not in the bot: keep it visible (tests can assert fake.server_errors
        # is empty) and still answer, so the client does not hang on the request.
        fake.server_errors.append(traceback.format_exc())
        response = discord_error(500)
    fake.log.finish(record, response.status, _response_body(response))
    return response


def build_app(fake: FakeDiscord, routes: list[web.RouteDef]) -> web.Application:
    app = web.Application(middlewares=[record_and_inject], client_max_size=64 * 1024 * 1024)
    app[FAKE_KEY] = fake
    app.router.add_get(GATEWAY_PATH, fake.gateway.handle)
    app.router.add_get(RESUME_PATH, fake.gateway.handle)
    app.add_routes(routes)
    return app
