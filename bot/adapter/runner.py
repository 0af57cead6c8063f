"""``python -m bot run``: build the engine, the state database and the bot, run until SIGTERM/SIGINT.

Logging safety first: discord.py logs interaction and webhook URLs (which contain tokens) at
DEBUG, and its gateway logs raw events (interaction tokens again). Those loggers stay at INFO or
above whatever LOG_LEVEL says, and a filter on every handler redacts the bot token and any
interaction token from every record, tracebacks included, as a second line of defence.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import signal
import time
from collections.abc import Iterable

import aiohttp
import discord

from bot.adapter.client import PolicyBot
from bot.adapter.engine_host import EngineHost
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.store import ensure_seeded
from bot.storage import Storage

log = logging.getLogger(__name__)

# Answered questions (and so their buttons) are kept this long; unanswered ones stay for /corpus gaps.
ANSWER_RETENTION_SECONDS = 30 * 24 * 3600
REDACTED = "[redacted]"
_TOKEN_PATTERNS = (
    re.compile(r"(/interactions/\d+/)[^/\s?\"']+"),
    re.compile(r"(/webhooks/\d+/)[^/\s?\"']+"),
    re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""),
    re.compile(r"(Bot\s+)[\w.-]{20,}"),
)
_QUIET_LOGGERS = ("discord.http", "discord.webhook", "discord.gateway", "discord.webhook.async_")


class RedactSecrets(logging.Filter):
    """Replaces secrets in a record's message and traceback text with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _TOKEN_PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it would anyway
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install_log_safety(token: str, root: logging.Logger | None = None) -> RedactSecrets:
    """Quiet the URL-logging discord.py loggers and redact secrets on every root handler."""
    root = root or logging.getLogger()
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    redactor = RedactSecrets([token])
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)
    return redactor


def run_bot(settings: Settings) -> int:
    token = settings.require_token()
    install_log_safety(token)
    return asyncio.run(serve(settings, token))


async def serve(settings: Settings, token: str, *, stop: asyncio.Event | None = None) -> int:
    """Run the bot until ``stop`` is set (by SIGTERM/SIGINT unless given); returns the exit status."""
    stop = stop or _stop_on_signals()
    engine = await asyncio.to_thread(_load_engine, settings)
    storage = await Storage.open(settings.database_path)
    try:
        forgotten = await storage.forget_answered_before(time.time() - ANSWER_RETENTION_SECONDS)
        if forgotten:
            log.info("forgot %d answered questions older than the retention period", forgotten)
        engines = EngineHost(
            engine,
            sentences=settings.answer_sentences,
            builder=functools.partial(
                Engine.from_folder, semantic=settings.semantic, reader=settings.reader, index=settings.index_options()
            ),
        )
        bot = PolicyBot(settings=settings, engines=engines, storage=storage)
        return await _run_until(bot, token, stop)
    finally:
        await storage.close()


async def _run_until(bot: PolicyBot, token: str, stop: asyncio.Event) -> int:
    if stop.is_set():
        log.info("stopped before connecting to Discord")  # SIGTERM while the corpus was loading
        return 0
    async with bot:
        running = asyncio.create_task(bot.start(token), name="discord-client")
        stopping = asyncio.create_task(stop.wait(), name="stop-signal")
        done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if running in done:
            try:
                running.result()
            except discord.LoginFailure:
                log.error("Discord rejected the token (DISCORD_TOKEN): reset it in the developer portal")
                return 1
            except discord.PrivilegedIntentsRequired:
                log.error("Discord refused the intents; this bot needs no privileged intents, check the portal")
                return 1
            except Exception:
                log.exception("the Discord client stopped with an error")
                return 1
            log.error("the Discord connection ended unexpectedly")
            return 1
        log.info("stopping: closing the Discord connection")
        await bot.close()
        # Closing mid-login makes the login itself fail (aiohttp: "Connector is closed"): we asked for it.
        with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed, aiohttp.ClientError, RuntimeError):
            await running
    log.info("stopped cleanly")
    return 0


def _load_engine(settings: Settings) -> Engine:
    ensure_seeded(settings.corpus_dir, settings.seeds_dir)
    engine = Engine.from_folder(
        settings.corpus_dir, semantic=settings.semantic, reader=settings.reader, index=settings.index_options()
    )
    for problem in engine.problems:
        log.warning("skipped %s: %s", problem.path, problem.reason)
    return engine


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / not the main thread
            loop.add_signal_handler(signum, stop.set)
    return stop
