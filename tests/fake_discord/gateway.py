"""The fake gateway websocket: HELLO/IDENTIFY/READY, heartbeats, RESUME with replay, forced reconnects.

Frames are compressed the way the client asked in its query string: discord.py 2.7 asks for
``compress=zstd-stream`` when ``zstandard`` (or 3.14's ``compression.zstd``) is importable and
``compress=zlib-stream`` otherwise. It also accepts plain text frames, which the fake falls back
to when it cannot produce the requested compression.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from .waiting import Notifier

# Opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway).
DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, RESUME, RECONNECT, REQUEST_MEMBERS = 0, 1, 2, 3, 6, 7, 8
INVALID_SESSION, HELLO, HEARTBEAT_ACK = 9, 10, 11

INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15


class _Compressor(Protocol):
    def __call__(self, data: bytes) -> bytes: ...


def _zlib_stream() -> _Compressor:
    # One deflate stream per connection; every frame ends with a Z_SYNC_FLUSH (00 00 ff ff),
    # which is how discord.py knows a message is complete.
    stream = zlib.compressobj()
    return lambda data: stream.compress(data) + stream.flush(zlib.Z_SYNC_FLUSH)


def _zstd_stream() -> _Compressor | None:
    try:
        import zstandard  # type: ignore[import-not-found]
    except ImportError:
        return None
    stream = zstandard.ZstdCompressor().compressobj()
    return lambda data: stream.compress(data) + stream.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


def make_compressor(kind: str | None) -> _Compressor | None:
    if kind == "zlib-stream":
        return _zlib_stream()
    if kind == "zstd-stream":
        return _zstd_stream()
    return None


@dataclass
class GatewayEvent:
    """What happened on the gateway: ``kind`` is connect / receive / dispatch / close.

    For ``receive``, ``op`` and ``data`` are the client's payload; for ``dispatch``, ``name`` and
    ``data`` are what the fake sent (or buffered, ``connection`` -1); for ``connect``, ``data`` is
    the query string; for ``close``, ``data`` is the close code.
    """

    kind: str
    connection: int
    op: int | None = None
    data: Any = None
    name: str | None = None  # the event name of a dispatch

    def __repr__(self) -> str:
        what = self.name or (f"op {self.op}" if self.op is not None else repr(self.data))
        return f"<GatewayEvent {self.kind} #{self.connection} {what}>"


class Connection:
    def __init__(self, number: int, ws: web.WebSocketResponse, compression: str | None) -> None:
        self.number = number
        self.ws = ws
        self.compression = compression
        self._compress = make_compressor(compression)
        self._lock = asyncio.Lock()
        self.session: Session | None = None

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, payload: dict[str, Any]) -> None:
        raw = json.dumps(payload, separators=(",", ":"))
        async with self._lock:  # compressed streams must go out in order
            if self.ws.closed:
                return
            try:
                if self._compress is None:
                    await self.ws.send_str(raw)
                else:
                    await self.ws.send_bytes(self._compress(raw.encode()))
            except ConnectionResetError:
                # The client hung up between the check and the write (a bot stopping mid-dispatch).
                # Discord drops the frame for this socket; a dispatch stays in the session for a resume.
                return


@dataclass
class Session:
    session_id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    # Every dispatch with its sequence number, replayed on RESUME.
    sent: list[dict[str, Any]] = field(default_factory=list)
    connection: Connection | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)


class GatewayWorld(Protocol):
    """What the gateway needs from the fake."""

    token: str | None
    allowed_intents: int | None

    def ready_payload(self, session: Session, resume_url: str) -> dict[str, Any]: ...

    def guild_create_payloads(self, session: Session) -> list[dict[str, Any]]: ...

    def members_chunk(self, request: dict[str, Any]) -> dict[str, Any]: ...


class Gateway:
    def __init__(self, world: GatewayWorld, heartbeat_interval_ms: int = 41250) -> None:
        self.world = world
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.session: Session | None = None  # the latest identified session
        self.connections: list[Connection] = []
        self.events: list[GatewayEvent] = []
        self.resume_url = ""
        self._notifier = Notifier()

    # -- test-facing ---------------------------------------------------------------------------

    def log(self, event: GatewayEvent) -> None:
        self.events.append(event)
        self._notifier.notify()

    def received(self, op: int) -> list[GatewayEvent]:
        return [e for e in self.events if e.kind == "receive" and e.op == op]

    async def wait_for(
        self, predicate: Callable[[GatewayEvent], bool], *, count: int = 1, timeout: float = 5.0
    ) -> GatewayEvent:
        def check() -> GatewayEvent | None:
            matches = [e for e in self.events if predicate(e)]
            return matches[count - 1] if len(matches) >= count else None

        return await self._notifier.wait_until(check, timeout, lambda: f"gateway event; log: {self.events[-10:]}")

    def _live(self) -> Connection:
        session = self.session
        if session is None or session.connection is None or not session.connection.open:
            raise RuntimeError("no client is connected to the fake gateway")
        return session.connection

    async def dispatch(self, event: str, data: dict[str, Any]) -> int:
        """Send a DISPATCH to the current session; buffered for replay if the socket is down."""
        session = self.session
        if session is None:
            raise RuntimeError("no client has identified with the fake gateway")
        return await self._dispatch_on(session, event, data)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py closes and RESUMEs on resume_gateway_url."""
        await self._live().send({"op": RECONNECT, "d": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9; with resumable=False the client must IDENTIFY again (new session)."""
        connection = self._live()
        if not resumable and self.session is not None:
            self.sessions.pop(self.session.session_id, None)
        await connection.send({"op": INVALID_SESSION, "d": resumable})

    async def drop(self, code: int = 4000) -> None:
        """Close the socket from the server side (4000 "unknown error" is resumable)."""
        connection = self._live()
        await connection.ws.close(code=code, message=b"fake gateway closed the connection")

    async def close_all(self) -> None:
        for connection in self.connections:
            if connection.open:
                await connection.ws.close(code=1001, message=b"fake discord shutting down")

    # -- websocket handler -----------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = Connection(len(self.connections), ws, request.query.get("compress"))
        self.connections.append(connection)
        self.log(GatewayEvent("connect", connection.number, data=dict(request.query)))
        try:
            await connection.send(
                {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-gateway"]}}
            )
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                self.log(GatewayEvent("receive", connection.number, payload.get("op"), payload.get("d")))
                await self._on_payload(connection, payload)
        finally:
            session = connection.session
            if session is not None and session.connection is connection:
                session.connection = None
            self.log(GatewayEvent("close", connection.number, data=ws.close_code))
        return ws

    async def _on_payload(self, connection: Connection, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == HEARTBEAT:
            await connection.send({"op": HEARTBEAT_ACK, "d": None})
        elif op == IDENTIFY:
            await self._identify(connection, data or {})
        elif op == RESUME:
            await self._resume(connection, data or {})
        elif op == REQUEST_MEMBERS and connection.session is not None:
            chunk = self.world.members_chunk(data or {})
            await self._dispatch_on(connection.session, "GUILD_MEMBERS_CHUNK", chunk)

    def _token_ok(self, token: Any) -> bool:
        return self.world.token is None or token == self.world.token

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> None:
        if not self._token_ok(data.get("token")):
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents", 0))
        allowed = self.world.allowed_intents
        if allowed is not None and intents & ~allowed:
            await connection.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        session = Session(secrets.token_hex(16), intents, data.get("shard"))
        self.sessions[session.session_id] = session
        self.session = session
        session.connection = connection
        connection.session = session
        await self._dispatch_on(session, "READY", self.world.ready_payload(session, self.resume_url))
        for guild in self.world.guild_create_payloads(session):
            await self._dispatch_on(session, "GUILD_CREATE", guild)

    async def _resume(self, connection: Connection, data: dict[str, Any]) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not self._token_ok(data.get("token")):
            await connection.send({"op": INVALID_SESSION, "d": False})
            return
        async with session.lock:
            session.connection = connection
            connection.session = session
            self.session = session
            last_seen = data.get("seq") or 0
            for frame in session.sent:
                if frame["s"] > last_seen:
                    await connection.send(frame)
        await self._dispatch_on(session, "RESUMED", {"_trace": ["fake-gateway"]})

    async def _dispatch_on(self, session: Session, event: str, data: dict[str, Any]) -> int:
        async with session.lock:
            session.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
            session.sent.append(frame)
            connection = session.connection if session.connection and session.connection.open else None
            if connection is not None:
                await connection.send(frame)
            self.log(GatewayEvent("dispatch", connection.number if connection else -1, DISPATCH, data, event))
            return session.seq
