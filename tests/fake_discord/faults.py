"""Fault injection: make the next N matching REST calls fail (429 / 5xx / any error) or lag."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .responses import bad_gateway, discord_error, json_response, rate_limited


@dataclass
class FaultRule:
    """``pattern`` is an fnmatch glob over the path below /api/v10, e.g. ``/channels/*/messages``.

    ``status=None`` with a ``delay`` only slows the real answer down.
    """

    method: str
    pattern: str
    status: int | None
    remaining: int
    retry_after: float = 0.05
    is_global: bool = False
    delay: float = 0.0
    body: Any = None

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.method in ("*", method) and fnmatch.fnmatchcase(path, self.pattern)

    def response(self) -> web.Response:
        assert self.status is not None
        if self.status == 429:
            return rate_limited(self.retry_after, is_global=self.is_global)
        if self.body is not None:
            return json_response(self.body, self.status)
        if self.status in (502, 503, 504):
            return bad_gateway(self.status)
        return discord_error(self.status)


class FaultInjector:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first live rule matching this call, consuming one of its uses."""
        for rule in self.rules:
            if rule.matches(method, path):
                rule.remaining -= 1
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
