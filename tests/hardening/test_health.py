"""``python -m bot check`` against broken deployments, and logs that never hold a secret.

Extends ``tests/test_health.py``: a damaged SQLite file (garbage, and a valid file with a corrupt page),
a database the bot set aside, a corpus file that cannot be read, placeholder tokens. Then the bot as
its own process at LOG_LEVEL=DEBUG: neither its token nor any interaction token may reach its output.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from tests.adapter.conftest import SALARY_QUESTION, UNLAWFUL_QUESTION
from tests.bot_process import bot_process, wait_until_serving
from tests.conftest import SEEDS
from tests.fake_discord import FakeDiscord
from tests.hardening.conftest import TOKEN


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEEDS, tmp_path / "corpus")
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    return tmp_path


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["check"])
    out = capsys.readouterr()
    assert TOKEN not in out.out + out.err
    return status, out.out, out.err


def test_a_database_that_is_not_sqlite_fails_the_check_naming_it(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = deployment / "state" / "bot.sqlite3"
    database.write_bytes(b"\x00garbage, not a database\xff" * 300)
    status, _, err = _check(capsys)
    assert status == 1
    assert f"state database {database}" in err and "file is not a database" in err
    assert "moves it aside" in err  # and says what the bot will do about it


def test_a_database_with_a_corrupt_page_fails_the_check(deployment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = deployment / "state" / "bot.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE filler (text TEXT)")
        connection.execute("CREATE INDEX filler_text ON filler (text)")
        connection.executemany("INSERT INTO filler VALUES (?)", [("x" * 200 + str(n),) for n in range(500)])
    connection.close()
    data = bytearray(database.read_bytes())
    data[4096 * 3 : 4096 * 3 + 512] = b"\xff" * 512  # a b-tree page, not the header
    database.write_bytes(bytes(data))
    status, _, err = _check(capsys)
    assert status == 1 and f"state database {database} is damaged" in err, err


def test_a_database_the_bot_set_aside_is_a_warning(deployment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (deployment / "state" / "bot.sqlite3.damaged-20260101T000000000000Z").write_bytes(b"old garbage")
    status, out, _ = _check(capsys)
    assert status == 0
    assert "warning: a damaged state database was set aside as" in out and "damaged-20260101T000000000000Z" in out


def test_an_unreadable_corpus_file_fails_the_check_naming_it(
    deployment: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = deployment / "corpus" / "locked.txt"
    locked.write_text("A document nobody may read.\n")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the read fail as it would for the bot's user
        read_bytes = Path.read_bytes

        def refuse(path: Path) -> bytes:
            if path.name == "locked.txt":
                raise PermissionError(13, "Permission denied", str(path))
            return read_bytes(path)

        monkeypatch.setattr(Path, "read_bytes", refuse)
    try:
        status, _, err = _check(capsys)
    finally:
        locked.chmod(0o644)
    assert status == 1
    assert "error: locked.txt: cannot read file: Permission denied" in err


@pytest.mark.parametrize("placeholder", ["changeme", "your-token-here", "<your bot token>", "xxxxxxxxxxxx", "  "])
def test_a_placeholder_token_fails_the_check(
    deployment: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, placeholder: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", placeholder)
    status, _, err = _check(capsys)
    assert status == 1 and "DISCORD_TOKEN is not set (or is still the placeholder" in err
    if placeholder.strip():
        assert placeholder not in err  # says what is wrong without echoing the value


async def test_logs_hold_no_token_at_debug(fake_discord: FakeDiscord, tmp_path: Path, corpus_copy: Path) -> None:
    fake = fake_discord
    mention = f"<@{fake.bot_user.id}>"
    async with bot_process(fake, tmp_path, corpus_copy, token=TOKEN) as bot:
        await wait_until_serving(fake, bot)
        interactions = []
        for question in (SALARY_QUESTION, UNLAWFUL_QUESTION, f"@everyone {TOKEN}"):  # a user pasting the token too
            interaction = await fake.send_slash_command("ask", {"question": question})
            await fake.wait_for_response(interaction, count=2, timeout=15)
            interactions.append(interaction)
        for custom_id in ("pb:cite:1", "pb:more:1", "pb:up:1"):
            pressed = await fake.send_component(custom_id)
            await fake.wait_for_response(pressed, timeout=15)
            interactions.append(pressed)
        commands = {c["name"] for c in fake.global_commands}
        if "figures" in commands:
            interactions.append(await fake.send_slash_command("figures", {"topic": "salary threshold"}))
            interactions.append(await fake.send_autocomplete("figures", {"topic": "sal"}, "topic"))
        if "check" in commands:
            interactions.append(await fake.send_slash_command("check", {"claim": "The threshold is £38,700."}))
        for interaction in interactions[-3:]:
            await fake.wait_for_response(interaction, timeout=15)
        await fake.send_message(f"{mention} {UNLAWFUL_QUESTION}", mentions=[fake.bot_user])
        await fake.wait_for_request(method="POST", path="/channels/*/messages", timeout=15)
        assert await bot.stop() == 0
        log = bot.log()
    assert "DEBUG" in log and "stopped cleanly" in log  # it did log at DEBUG
    assert TOKEN not in log, "the bot token is in the log"
    leaked = [i.token for i in interactions if i.token in log]
    assert not leaked, f"{len(leaked)} interaction token(s) in the log"
    # A user who pastes the token gets it quoted back (that is their message), but the log never has it.
    database = (tmp_path / "state" / "bot.sqlite3").read_bytes()
    assert not any(i.token.encode() in database for i in interactions)
