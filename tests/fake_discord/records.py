"""The chronological log of REST requests the client made, with waiting helpers for tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .waiting import Notifier

# Paths (relative to /api/v10) whose requests belong to one interaction token.
_TOKEN_PATHS = (
    re.compile(r"^/interactions/\d+/(?P<token>[^/]+)/callback$"),
    re.compile(r"^/webhooks/\d+/(?P<token>[^/]+)(/.*)?$"),
)
_CHANNEL_MESSAGES = re.compile(r"^/channels/\d+/messages(/\d+)?$")
_WEBHOOK_MESSAGE = re.compile(r"^/webhooks/\d+/[^/]+(/messages/[^/]+)?$")
_CALLBACK = re.compile(r"^/interactions/\d+/[^/]+/callback$")
# Interaction callback types that carry message data (4: channel message, 7: update message).
MESSAGE_CALLBACK_TYPES = frozenset({4, 7})


@dataclass
class RecordedFile:
    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One request as the fake received it.

    ``json`` is the JSON body, or the ``payload_json`` part of a multipart body (files are in
    ``files``). ``status`` is filled in when the fake answers (None while in flight);
    ``injected`` marks answers produced by fault injection.
    """

    index: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[RecordedFile] = field(default_factory=list)
    status: int | None = None
    response: Any = None
    injected: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def interaction_token(self) -> str | None:
        for pattern in _TOKEN_PATHS:
            match = pattern.match(self.path)
            if match:
                return match.group("token")
        return None

    @property
    def callback_type(self) -> int | None:
        """The interaction response type for POST .../callback requests."""
        if _CALLBACK.match(self.path) and isinstance(self.json, dict):
            return self.json.get("type")
        return None

    @property
    def message_payload(self) -> dict[str, Any] | None:
        """The message fields of this request, whatever the path (callbacks nest them in ``data``)."""
        if not isinstance(self.json, dict):
            return None
        if _CALLBACK.match(self.path):
            data = self.json.get("data")
            return data if isinstance(data, dict) else None
        return self.json

    @property
    def writes_message(self) -> bool:
        """True for requests that create or edit message content (what allowed_mentions applies to)."""
        if self.method not in ("POST", "PATCH"):
            return False
        if _CALLBACK.match(self.path):
            return self.callback_type in MESSAGE_CALLBACK_TYPES
        return bool(_CHANNEL_MESSAGES.match(self.path) or _WEBHOOK_MESSAGE.match(self.path))

    @property
    def creates_message(self) -> bool:
        return self.writes_message and (self.method == "POST" and self.callback_type != 7)

    def __repr__(self) -> str:
        return f"<RecordedRequest #{self.index} {self.method} {self.path} -> {self.status}>"


Predicate = Callable[[RecordedRequest], bool]


class RequestLog:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._notifier = Notifier()

    def start(self, **fields: Any) -> RecordedRequest:
        record = RecordedRequest(index=len(self.requests), **fields)
        self.requests.append(record)
        return record

    def finish(self, record: RecordedRequest, status: int, response: Any, *, injected: bool = False) -> None:
        record.status, record.response, record.injected = status, response, injected
        self._notifier.notify()

    def find(self, predicate: Predicate) -> list[RecordedRequest]:
        """Answered requests matching ``predicate``, oldest first."""
        return [r for r in self.requests if r.status is not None and predicate(r)]

    async def wait_for(self, predicate: Predicate, *, count: int = 1, timeout: float = 5.0) -> RecordedRequest:
        """Wait until ``count`` answered requests match; returns the ``count``-th one."""

        def check() -> RecordedRequest | None:
            matches = self.find(predicate)
            return matches[count - 1] if len(matches) >= count else None

        def describe() -> str:
            recent = "\n  ".join(repr(r) for r in self.requests[-20:]) or "(none)"
            return f"{count} matching request(s); last requests:\n  {recent}"

        return await self._notifier.wait_until(check, timeout, describe)
