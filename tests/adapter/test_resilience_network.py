"""``python -m bot run`` without a network (a bot that exited on a network blip would stay down until
someone restarted it): one line per attempt, retried with backoff, connected once Discord can be
reached. Nothing here leaves 127.0.0.1: "no network" is a port on it where nothing listens."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from pathlib import Path

import pytest
from discord.http import Route

from bot.adapter import runner
from bot.adapter.runner import install_log_safety, serve
from tests.adapter.conftest import SALARY_QUESTION, make_settings
from tests.fake_discord import FakeDiscord, patched_urls

UNREACHABLE = "Discord cannot be reached"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def attempts(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith(UNREACHABLE)]


async def test_no_network_at_start_is_a_line_per_attempt_with_backoff_then_it_connects(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    corpus_copy: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = fake_discord
    monkeypatch.setattr(runner, "CONNECT_RETRY_FIRST", 0.05, raising=False)
    caplog.set_level(logging.INFO)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with patched_urls(fake):
        Route.BASE = f"http://127.0.0.1:{closed_port()}/api/v10"  # the network is down
        serving = asyncio.create_task(serve(make_settings(tmp_path / "state", corpus_copy), "a-token", stop=stop))
        end = loop.time() + 30
        while len(attempts(caplog)) < 4:
            assert not serving.done(), f"serve returned {serving.result()} instead of retrying"
            assert loop.time() < end, caplog.text[-3000:]
            await asyncio.sleep(0.02)
        Route.BASE = fake.api_base  # the network is back
        while not any(getattr(e, "name", None) == "GUILD_CREATE" for e in fake.gateway_events):
            assert not serving.done() and loop.time() < end + 30, caplog.text[-3000:]
            await asyncio.sleep(0.05)
        interaction = await fake.send_slash_command("ask", {"question": SALARY_QUESTION})
        answer = await fake.wait_for_response(interaction, count=2, timeout=15)
        assert answer.json["embeds"]
        stop.set()
        assert await asyncio.wait_for(serving, 30) == 0
    lines = attempts(caplog)
    assert all(r.exc_info is None and r.levelno == logging.WARNING for r in lines)
    assert "Traceback" not in caplog.text and "Unclosed" not in caplog.text
    assert "Cannot connect to host 127.0.0.1" in lines[0].getMessage()
    waits = [float(re.findall(r"trying again in ([0-9.]+) s", r.getMessage())[0]) for r in lines]
    assert waits[:4] == [0.05, 0.1, 0.2, 0.4]  # backing off


async def test_a_stop_while_waiting_for_the_network_exits_cleanly(
    tmp_path: Path, corpus_copy: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CONNECT_RETRY_FIRST", 60.0, raising=False)  # asleep between attempts
    stop = asyncio.Event()
    saved = Route.BASE
    Route.BASE = f"http://127.0.0.1:{closed_port()}/api/v10"
    try:
        serving = asyncio.create_task(serve(make_settings(tmp_path / "state", corpus_copy), "a-token", stop=stop))
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        while not attempts(caplog):
            assert not serving.done() and loop.time() < end, caplog.text[-3000:]
            await asyncio.sleep(0.02)
        stop.set()
        assert await asyncio.wait_for(serving, 10) == 0
    finally:
        Route.BASE = saved
    assert "Traceback" not in caplog.text


def test_discords_reconnect_tracebacks_become_one_line(caplog: pytest.LogCaptureFixture) -> None:
    install_log_safety("a-token", root=logging.getLogger("unused-root"))
    client_log = logging.getLogger("discord.client")  # where discord.py logs "Attempting a reconnect"
    try:
        raise OSError(101, "Network is unreachable")
    except OSError:
        client_log.exception("Attempting a reconnect in %.2fs", 4.0)
    try:
        raise ValueError("a bug, not the network")
    except ValueError:
        client_log.exception("Attempting a reconnect in %.2fs", 1.0)
    network, bug = caplog.records[-2:]
    assert network.getMessage() == f"{UNREACHABLE} ([Errno 101] Network is unreachable): reconnecting in 4 s"
    assert network.exc_info is None and network.levelno == logging.WARNING
    assert bug.exc_info is not None  # anything else keeps its traceback
