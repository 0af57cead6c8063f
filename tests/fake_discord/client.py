"""Running a real discord.py client against the fake inside the test's event loop.

Three module-level URLs point discord.py at Discord; all three are patched, then restored:

* ``discord.http.Route.BASE`` - every REST call, webhooks and interaction callbacks included;
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` - discord.py 2.7 connects here first
  instead of asking GET /gateway/bot (only AutoShardedClient asks);
* ``discord.asset.Asset.BASE`` - the CDN for avatars/icons, so nothing can leave 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import discord
import yarl
from discord.asset import Asset
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .server import FakeDiscord

DUMMY_TOKEN = "fake.discord.token"


@contextlib.contextmanager
def patched_urls(fake: FakeDiscord) -> Iterator[None]:
    saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, Asset.BASE)
    Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    Asset.BASE = fake.base_url
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY, Asset.BASE = saved


async def _wait_ready(
    client: discord.Client, fake: FakeDiscord, connecting: asyncio.Task[None], timeout: float
) -> None:
    async def ready() -> None:
        await client.wait_until_ready()
        # READY can precede the guild (discord.py only waits guild_ready_timeout for it).
        while client.get_guild(fake.guild_id) is None:
            await asyncio.sleep(0.01)

    waiter = asyncio.ensure_future(ready())
    try:
        done, _ = await asyncio.wait({waiter, connecting}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if connecting in done:
        connecting.result()  # raises what made the client give up (LoginFailure, 4014, ...)
        raise RuntimeError("the client stopped before becoming ready")
    if waiter not in done:
        raise TimeoutError(f"client not ready within {timeout}s")


@contextlib.asynccontextmanager
async def connected(
    client: discord.Client,
    fake: FakeDiscord,
    *,
    token: str | None = None,
    guild_ready_timeout: float | None = 0.1,
    timeout: float = 10.0,
) -> AsyncIterator[discord.Client]:
    """Log ``client`` in to ``fake``, wait until it is ready with the fake guild, then close it.

    ``guild_ready_timeout`` shortens discord.py's 2 s wait for more GUILD_CREATEs after READY
    (None keeps the client's own value).
    """
    with patched_urls(fake):
        if guild_ready_timeout is not None:
            client._connection.guild_ready_timeout = guild_ready_timeout
        await client.login(token or fake.token or DUMMY_TOKEN)
        connecting = asyncio.create_task(client.connect(reconnect=True), name="fake-discord-client")
        try:
            await _wait_ready(client, fake, connecting, timeout)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connecting, timeout)
