"""``python -m bot run`` as its own process against the fake Discord, for tests of the whole program."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ROOT
from tests.fake_discord import FakeDiscord


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log_path: Path
    state_dir: Path
    corpus_dir: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self, signum: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signum)
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@contextlib.asynccontextmanager
async def bot_process(
    fake: FakeDiscord,
    workdir: Path,
    corpus_dir: Path,
    *,
    token: str,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[BotProcess]:
    """``python -m bot run`` against ``fake``, output to a file (a pipe could block it at DEBUG).

    Killed on the way out if the test did not stop it."""
    child_env = fake.env()
    child_env.update(
        DISCORD_TOKEN=token,
        STATE_DIR=str(workdir / "state"),
        CORPUS_DIR=str(corpus_dir),
        LOG_LEVEL="DEBUG",
        PYTHONPATH=os.pathsep.join([child_env["PYTHONPATH"], str(ROOT)]),
        **(env or {}),
    )
    log_path = workdir / "bot.log"
    with log_path.open("ab") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=workdir, env=child_env, stdout=log_file, stderr=log_file
        )
    handle = BotProcess(process, log_path, workdir / "state", corpus_dir)
    try:
        yield handle
    finally:
        await handle.kill()


async def wait_until_serving(fake: FakeDiscord, handle: BotProcess, timeout: float = 30.0) -> None:
    """The child has connected to the gateway and received its guild."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not any(e.name == "GUILD_CREATE" for e in fake.gateway_events if hasattr(e, "name")):
        assert handle.process.returncode is None, f"the bot exited early:\n{handle.log()[-3000:]}"
        assert loop.time() < end, f"the bot did not connect:\n{handle.log()[-3000:]}"
        await asyncio.sleep(0.05)


async def wait_for_log(handle: BotProcess, text: str, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while text not in handle.log():
        assert handle.process.returncode is None, f"the bot exited before logging {text!r}:\n{handle.log()[-3000:]}"
        assert loop.time() < end, f"no {text!r} in the log:\n{handle.log()[-3000:]}"
        await asyncio.sleep(0.02)
