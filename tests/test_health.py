import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import SEEDS


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SEEDS, tmp_path / "corpus")
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.fake-but-well-formed.token")
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def test_healthy_deployment(deployment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    out = capsys.readouterr()
    assert "1 document," in out.out and "ok" in out.out
    assert "fake-but-well-formed" not in out.out + out.err


def test_problems_are_listed_and_fail(deployment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (deployment / "corpus" / "broken.txt").write_bytes(b"\x00\x01binary")
    (deployment / "state").mkdir()
    (deployment / "state" / "bot.sqlite3").write_bytes(b"this is not a database" * 100)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "broken.txt: binary" in err and "bot.sqlite3" in err


def test_missing_token_fails_without_printing_secrets(deployment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN")
    assert main(["check"]) == 1
