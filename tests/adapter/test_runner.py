"""Running the bot for real: log safety, a rejected token, and ``python -m bot run`` as its own process."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapter.runner import REDACTED, RedactSecrets, install_log_safety, serve
from bot.config import Settings
from tests.adapter.conftest import SALARY_QUESTION, make_settings
from tests.bot_process import bot_process
from tests.fake_discord import FakeDiscord, patched_urls

TOKEN = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"
INTERACTION = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDpGUmFrZVRva2Vu"


@pytest.fixture
def log_stream() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger("test-root")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    root.propagate = False
    yield root, stream
    root.removeHandler(handler)


def test_secrets_are_redacted_from_messages_args_and_tracebacks(
    log_stream: tuple[logging.Logger, io.StringIO],
) -> None:
    root, stream = log_stream
    install_log_safety(TOKEN, root=root)
    install_log_safety(TOKEN, root=root)  # idempotent: one filter per handler
    assert sum(isinstance(f, RedactSecrets) for f in root.handlers[0].filters) == 1
    root.debug("POST https://discord.com/api/v10/interactions/123/%s/callback with %s", INTERACTION, {"a": 1})
    root.debug("PATCH https://discord.com/api/v10/webhooks/456/%s/messages/@original", INTERACTION)
    root.debug("event %s", {"t": "INTERACTION_CREATE", "d": {"token": INTERACTION, "id": "1"}})
    root.info("Authorization: Bot %s", TOKEN)
    try:
        raise RuntimeError(f"login with {TOKEN} failed")
    except RuntimeError:
        root.exception("oops")
    text = stream.getvalue()
    assert TOKEN not in text and INTERACTION not in text
    assert text.count(REDACTED) >= 5 and "/interactions/123/[redacted]/callback" in text
    assert "'token': '[redacted]'" in text and "RuntimeError: login with [redacted] failed" in text


def test_discord_url_loggers_stay_at_info_even_at_debug() -> None:
    for name in ("discord.http", "discord.webhook", "discord.gateway"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    install_log_safety(TOKEN, root=logging.getLogger("unused-root"))
    assert all(logging.getLogger(n).getEffectiveLevel() >= logging.INFO for n in ("discord.http", "discord.webhook"))


async def test_a_rejected_token_exits_with_status_1(
    tmp_path: Path, corpus_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeDiscord(token="the-right-token") as fake:
        with patched_urls(fake):
            status = await serve(make_settings(tmp_path / "state", corpus_copy), "a-wrong-token", stop=asyncio.Event())
    assert status == 1
    assert "Discord rejected the token" in caplog.text and "a-wrong-token" not in caplog.text


@pytest.mark.slow
async def test_python_m_bot_run_answers_and_stops_cleanly_on_sigterm(
    fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path
) -> None:
    async with bot_process(fake_discord, tmp_path, corpus_copy, token=TOKEN) as bot:
        await fake_discord.wait_for_request(method="PUT", path="/applications/*/commands", timeout=30)
        await fake_discord.gateway.wait_for(lambda e: e.name == "GUILD_CREATE", timeout=10)
        interaction = await fake_discord.send_slash_command("ask", {"question": SALARY_QUESTION})
        answer = await fake_discord.wait_for_response(interaction, count=2, timeout=10)
        assert answer.json["embeds"][0]["title"] == SALARY_QUESTION
        assert "¶58" in answer.json["embeds"][0]["fields"][0]["value"]
        assert await bot.stop(timeout=15) == 0
    log = bot.log()
    assert "synced 7 commands (global)" in log and "stopped cleanly" in log
    assert TOKEN not in log and interaction.token not in log
    assert (tmp_path / "state" / "bot.sqlite3").is_file()


def test_settings_are_what_the_subprocess_reads(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, state_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.database_path == tmp_path / "bot.sqlite3"
