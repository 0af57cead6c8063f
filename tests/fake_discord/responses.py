"""HTTP answers shaped like Discord's (status, headers and JSON error bodies)."""

from __future__ import annotations

import json
import math
import time
from typing import Any

from aiohttp import web

_ERROR_MESSAGES = {
    400: "400: Bad Request",
    401: "401: Unauthorized",
    403: "Missing Permissions",
    404: "404: Not Found",
    500: "500: Internal Server Error",
}
_ERROR_CODES = {401: 0, 403: 50013}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": discord.py's json_or_text compares the header verbatim, so
    # aiohttp's default "application/json; charset=utf-8" would be handed to the bot as a str.
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def no_content() -> web.Response:
    return web.Response(status=204)


def discord_error(
    status: int, code: int | None = None, message: str | None = None, errors: dict[str, Any] | None = None
) -> web.Response:
    body: dict[str, Any] = {
        "message": message or _ERROR_MESSAGES.get(status, f"{status}: Error"),
        "code": code if code is not None else _ERROR_CODES.get(status, 0),
    }
    if errors:
        body["errors"] = errors
    return json_response(body, status)


def rate_limited(retry_after: float, *, is_global: bool = False, bucket: str = "fakebucket") -> web.Response:
    """A 429 the way Discord sends it.

    discord.py only honours a 429 carrying a ``Via`` header and a JSON body (anything else is
    taken for a Cloudflare ban and raised); it sleeps ``retry_after`` from the body, then retries.
    """
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": bucket,
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    body: dict[str, Any] = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
    if is_global:
        headers["X-RateLimit-Global"] = "true"
        body["code"] = 0
    return json_response(body, 429, headers)


def bad_gateway(status: int) -> web.Response:
    # The proxies in front of Discord answer 502/503/504 with HTML, not JSON.
    return web.Response(status=status, text=f"<html><body><h1>{status}</h1></body></html>", content_type="text/html")
