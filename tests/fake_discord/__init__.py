"""A fake Discord (REST + gateway) on 127.0.0.1 for end-to-end tests of discord.py bots."""

from .client import connected, patched_urls
from .mentions import allowed_mentions_of, pings_nobody
from .model import FakeAttachment, FakeChannel, FakeMember, FakeRole, FakeUser, World
from .records import RecordedFile, RecordedRequest
from .server import FakeDiscord
from .store import FakeInteraction

__all__ = [
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeInteraction",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "RecordedFile",
    "RecordedRequest",
    "World",
    "allowed_mentions_of",
    "connected",
    "patched_urls",
    "pings_nobody",
]
