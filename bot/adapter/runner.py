"""``python -m bot run``: build the engine, the state database and the bot, run until SIGTERM/SIGINT.

Bad luck does not stop it, since a bot that exits on a passing fault stays down until someone notices:

* Discord out of reach (no network, DNS down, Discord's servers failing): one log line per attempt,
  "Discord cannot be reached (…): trying again in N s", with the wait doubling up to five minutes;
  never a traceback, never an exit. Once connected, discord.py reconnects by itself; its own
  "Attempting a reconnect" tracebacks are shortened to a line the same way.
* A state database that cannot be opened (read-only or full ``STATE_DIR``, a lock held elsewhere):
  the bot starts all the same, on a database in memory, says so in the log and in
  ``STATE_DIR/recording.json`` (``RecordingHealth``), and tries the real one again every minute,
  moving to it as soon as it opens. Questions asked meanwhile are answered; their buttons expire
  with the move. Records of questions and checks never hold up a reply (``GuardedStorage``).
* Adds a kill interrupted are settled before the corpus is loaded (``recover_interrupted_adds``).

Logging safety first: discord.py logs interaction and webhook URLs (which contain tokens) at
DEBUG, and its gateway logs raw events (interaction tokens again). Those loggers stay at INFO or
above whatever LOG_LEVEL says, and a filter on every handler redacts the bot token and any
interaction token from every record, tracebacks included, as a second line of defence.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import re
import signal
import time
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import aiohttp
import discord

from bot.adapter.answering import STORAGE_ERRORS, GuardedStorage
from bot.adapter.client import PolicyBot
from bot.adapter.cogs.corpus_admin import recover_interrupted_adds
from bot.adapter.engine_host import EngineHost
from bot.config import Settings
from bot.engine.build.analysis import BuildProgress
from bot.engine.corpus.store import CorpusStore, StoreError, ensure_seeded
from bot.engine.engine import Engine
from bot.progress import QUIET_SECONDS, BuildReporter

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
# Failing to reach Discord: retried (one log line each), never fatal. 5xx is Discord's servers failing.
UNREACHABLE = (aiohttp.ClientConnectionError, OSError, TimeoutError, discord.DiscordServerError)
CONNECT_RETRY_FIRST, CONNECT_RETRY_MAX = 2.0, 300.0  # seconds between attempts to log in, doubling
STATE_RETRY_SECONDS = 60.0  # how often a state database that would not open is tried again
STATUS_SECONDS = 15.0  # how often recording.json is brought up to date (when something changed)
IN_MEMORY = Path(":memory:")


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


def unreachable(exc: BaseException) -> str:
    """Why Discord could not be reached, in a few words (the exception's own message, or its kind)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, TimeoutError) and not text:
        return "timed out"
    return text or type(exc).__name__


class ShortReconnects(logging.Filter):
    """discord.py logs each failed reconnect with ``log.exception``: a 40-line traceback a minute while
    the network is down. For connection failures that becomes one line; anything else is left whole."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, UNREACHABLE) and str(record.msg).startswith("Attempting a reconnect"):
            wait = record.args[0] if isinstance(record.args, tuple) and record.args else None
            record.msg = "Discord cannot be reached (%s): reconnecting in %.0f s"
            record.args = (unreachable(error), wait if isinstance(wait, int | float) else 0.0)
            record.exc_info, record.exc_text, record.levelno, record.levelname = None, None, logging.WARNING, "WARNING"
        return True


def install_log_safety(token: str, root: logging.Logger | None = None) -> RedactSecrets:
    """Quiet the URL-logging discord.py loggers, shorten its reconnect tracebacks, and redact secrets
    on every root handler."""
    root = root or logging.getLogger()
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    client_log = logging.getLogger("discord.client")
    if not any(isinstance(f, ShortReconnects) for f in client_log.filters):
        client_log.addFilter(ShortReconnects())
    redactor = RedactSecrets([token])
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(old)
        handler.addFilter(redactor)
    return redactor


def run_bot(settings: Settings, *, progress_after: float = QUIET_SECONDS) -> int:
    token = settings.require_token()
    install_log_safety(token)
    return asyncio.run(serve(settings, token, progress_after=progress_after))


async def serve(
    settings: Settings, token: str, *, stop: asyncio.Event | None = None, progress_after: float = QUIET_SECONDS
) -> int:
    """Run the bot until ``stop`` is set (by SIGTERM/SIGINT unless given); returns the exit status.

    Loading the corpus shows its progress once it takes longer than ``progress_after`` seconds.
    """
    stop = stop or _stop_on_signals()
    storage = await open_storage(settings.database_path)
    bot: PolicyBot | None = None
    chores: list[asyncio.Task[None]] = []
    try:
        await _forget_old_answers(storage)
        await _settle_interrupted_adds(settings, storage)
        engine = await asyncio.to_thread(_load_engine, settings, progress_after)
        engines = EngineHost(
            engine,
            sentences=settings.answer_sentences,
            builder=functools.partial(refresh_engine, settings, progress_after=progress_after),
        )
        bot = PolicyBot(settings=settings, engines=engines, storage=storage)
        chores.append(asyncio.create_task(_keep_status(bot, settings.state_dir), name="recording-status"))
        if storage.path == IN_MEMORY:
            chores.append(asyncio.create_task(_reopen_state(bot, settings.database_path), name="state-reopen"))
        return await _run_until(bot, token, stop)
    finally:
        for chore in chores:
            chore.cancel()
        await asyncio.gather(*chores, return_exceptions=True)
        current = bot.storage if bot is not None else storage
        await current.close()
        if isinstance(current, GuardedStorage):
            current.health.save(settings.state_dir)


async def open_storage(path: Path) -> GuardedStorage:
    """The state database at ``path``; if it cannot be opened (read-only or full folder, a lock held
    elsewhere), a stand-in in memory, so that the bot still starts and answers (see the module)."""
    try:
        return await GuardedStorage.open(path)
    except STORAGE_ERRORS as exc:
        reason = f"cannot open {path}: {exc}"
    log.error(
        "state database %s: answering anyway, with questions kept in memory only until it can be opened "
        "(tried again every %.0f s; `python -m bot check` says why)",
        reason, STATE_RETRY_SECONDS,
    )  # fmt: skip
    storage = await GuardedStorage.open(IN_MEMORY)
    storage.health.blocked_since, storage.health.reason = time.time(), reason
    return storage


async def _settle_interrupted_adds(settings: Settings, storage: GuardedStorage) -> None:
    if storage.path == IN_MEMORY:  # the audit log decides, and a stand-in database has none: next start
        return
    try:
        settled = await recover_interrupted_adds(CorpusStore(settings.corpus_dir), storage)
    except (*STORAGE_ERRORS, StoreError) as exc:
        log.error("could not settle interrupted corpus adds (%s); the next start tries again", exc)
        return
    for line in settled:
        log.warning("an interrupted corpus add: %s", line)


async def _forget_old_answers(storage: GuardedStorage) -> None:
    try:
        forgotten = await storage.forget_answered_before(time.time() - ANSWER_RETENTION_SECONDS)
    except STORAGE_ERRORS as exc:  # a locked or read-only database: they are forgotten at the next start
        log.warning("could not forget old answered questions (%s); the next start tries again", exc)
        return
    if forgotten:
        log.info("forgot %d answered questions older than the retention period", forgotten)


async def _reopen_state(bot: PolicyBot, path: Path) -> None:
    """Try the real state database every ``STATE_RETRY_SECONDS`` until it opens, then move to it."""
    while True:
        await asyncio.sleep(STATE_RETRY_SECONDS)
        try:
            storage = await GuardedStorage.open(path)
        except STORAGE_ERRORS as exc:
            log.warning(
                "state database %s still cannot be opened (%s); trying again in %.0f s", path, exc, STATE_RETRY_SECONDS
            )
            continue
        stand_in = bot.storage
        if isinstance(stand_in, GuardedStorage):
            storage.health = stand_in.health  # the counts go on; the database takes records again
            storage.health.blocked_since = storage.health.reason = None
        bot.use_storage(storage)
        await stand_in.close()
        log.warning(
            "state database %s opened: recording resumes (questions asked meanwhile were kept in memory "
            "only, and their buttons now say the answer expired)",
            path,
        )
        return


async def _keep_status(bot: PolicyBot, state_dir: Path) -> None:
    """Keep ``recording.json`` up to date for ``python -m bot check`` (written when something changed)."""
    written: dict[str, object] | None = None
    while True:
        storage = bot.storage
        if isinstance(storage, GuardedStorage):
            now = {k: v for k, v in asdict(storage.health).items() if k != "updated_at"}
            if now != written:
                await asyncio.to_thread(storage.health.save, state_dir)
                written = now
        await asyncio.sleep(STATUS_SECONDS)


async def _run_until(bot: PolicyBot, token: str, stop: asyncio.Event) -> int:
    if stop.is_set():
        log.info("stopped before connecting to Discord")  # SIGTERM while the corpus was loading
        return 0
    async with bot:
        running = asyncio.create_task(_start(bot, token, stop), name="discord-client")
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
            if not stop.is_set():
                log.error("the Discord connection ended unexpectedly")
                return 1
        log.info("stopping: closing the Discord connection")
        await bot.close()
        # Closing mid-login makes the login itself fail (aiohttp: "Connector is closed"): we asked for it.
        with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed, aiohttp.ClientError, RuntimeError):
            await running
    log.info("stopped cleanly")
    return 0


async def _start(bot: PolicyBot, token: str, stop: asyncio.Event) -> None:
    """Log in, retrying while Discord cannot be reached (one line per attempt), then stay connected.

    Returns without connecting if ``stop`` is set meanwhile."""
    delay = CONNECT_RETRY_FIRST
    while True:
        try:
            await bot.login(token)
            break
        except UNREACHABLE as exc:
            if stop.is_set():
                return
            log.warning("Discord cannot be reached (%s): trying again in %g s", unreachable(exc), delay)
        await _reset_http(bot)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return
        delay = min(delay * 2, CONNECT_RETRY_MAX)
    await bot.connect(reconnect=True)


async def _reset_http(bot: PolicyBot) -> None:
    """After a failed login: close its HTTP session, so the next login opens a new one (a session
    left open is reported as unclosed; its connector closes with it, so the next gets a new one)."""
    with contextlib.suppress(Exception):
        await bot.http.close()
    bot.http.connector = discord.utils.MISSING


def build_engine(settings: Settings, folder: Path, *, progress: BuildProgress | None = None) -> Engine:
    """The engine of ``folder`` with the configured options, its caches and index under ``STATE_DIR``.

    A state folder that cannot be written (read-only, full, not a folder) must not stop the bot:
    the analysis cache copes by itself, and the search index is then built in memory (slower to
    start, the same answers)."""
    options = settings.index_options()
    semantic, reader = settings.semantic, settings.reader
    try:
        return Engine.from_folder(folder, semantic=semantic, reader=reader, index=options, progress=progress)
    except OSError as exc:
        log.warning("cannot keep the search index under %s (%s): building it in memory", settings.state_dir, exc)
    in_memory = dataclasses.replace(options, path=None, cache=None)
    return Engine.from_folder(folder, semantic=semantic, reader=reader, index=in_memory, progress=progress)


def refresh_engine(settings: Settings, folder: Path, *, progress_after: float = QUIET_SECONDS) -> Engine:
    """``build_engine`` for a refresh while the bot serves: a slow one's progress goes to the log as
    lines (never a bar: other log lines keep coming meanwhile)."""
    with BuildReporter(bar=False, quiet_seconds=progress_after) as progress:
        return build_engine(settings, folder, progress=progress)


def _load_engine(settings: Settings, progress_after: float = QUIET_SECONDS) -> Engine:
    ensure_seeded(settings.corpus_dir, settings.seeds_dir)
    # The first start on a large corpus is the long wait: a bar on a terminal, log lines otherwise.
    with BuildReporter(quiet_seconds=progress_after) as progress:
        engine = build_engine(settings, settings.corpus_dir, progress=progress)
    for problem in engine.problems:
        log.warning(
            "skipped %s: %s%s", problem.path, "warning: " if problem.severity == "warning" else "", problem.reason
        )
    return engine


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows / not the main thread
            loop.add_signal_handler(signum, stop.set)
    return stop
