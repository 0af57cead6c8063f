"""pytest fixtures; load with ``pytest_plugins = ["tests.fake_discord.plugin"]`` in tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .server import FakeDiscord


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started FakeDiscord, stopped after the test (which fails if the fake itself crashed)."""
    async with FakeDiscord() as fake:
        yield fake
    assert not fake.server_errors, fake.server_errors[0]


@pytest.fixture
def fake_discord_env(fake_discord: FakeDiscord) -> dict[str, str]:
    """Environment for ``python -m bot run`` as a subprocess talking to ``fake_discord``."""
    return fake_discord.env()
