import shutil
from pathlib import Path

import pytest

from bot.adapter.answering import RecordingHealth
from bot.cli import main
from bot.storage import ACKNOWLEDGED_SUFFIX, DAMAGED_SUFFIX
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
    out = capsys.readouterr()
    assert "warning: broken.txt: skipped: binary" in out.out  # one skipped file: a warning
    assert "bot.sqlite3" in out.err


def test_missing_token_fails_without_printing_secrets(deployment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN")
    assert main(["check"]) == 1


# -- a fresh clone ------------------------------------------------------------------------------


def test_a_fresh_clone_says_it_will_seed_and_checks_the_seeds(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(deployment / "corpus")
    (deployment / "corpus").mkdir()
    (deployment / "corpus" / ".gitignore").write_text("*\n")  # as in the repository
    assert main(["check"]) == 0
    out = capsys.readouterr()
    assert f"note: corpus folder corpus is empty: the bot fills it from {SEEDS} when it starts" in out.out
    assert "corpus: 1 document, 73 passages" in out.out and out.out.endswith("ok\n")
    assert "no loadable documents" not in out.err
    assert sorted(p.name for p in (deployment / "corpus").iterdir()) == [".gitignore"]  # the check writes nothing


def test_a_seeded_corpus_emptied_on_purpose_is_still_an_error(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(deployment / "corpus")
    (deployment / "corpus").mkdir()
    (deployment / "corpus" / ".seeded").write_text("seeded\n")  # the bot will not refill it
    assert main(["check"]) == 1
    assert "corpus folder corpus has no loadable documents" in capsys.readouterr().err


def test_one_empty_file_is_a_warning_not_unhealthy(deployment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (deployment / "corpus" / "empty.md").write_bytes(b"")
    assert main(["check"]) == 0
    out = capsys.readouterr()
    assert "warning: empty.md: skipped: empty file" in out.out and out.out.endswith("ok\n")


# -- a reset state database ----------------------------------------------------------------------


def test_an_emptied_database_fails_the_check(deployment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (deployment / "state").mkdir()
    (deployment / "state" / "bot.sqlite3").write_bytes(b"")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "state database" in err and "is damaged: empty (0 bytes)" in err and "moves it aside" in err


def test_a_set_aside_database_is_degraded_until_acknowledged(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = deployment / "state"
    state.mkdir()
    aside = state / f"bot.sqlite3{DAMAGED_SUFFIX}20260101T000000000000Z"
    aside.write_bytes(b"")
    assert main(["check"]) == 0  # the bot serves: a restart would not help, so not "unhealthy"
    out = capsys.readouterr().out
    assert f"warning: a damaged state database was set aside as {aside}" in out and "--acknowledge" in out
    assert out.splitlines()[-1] == "degraded: the bot can serve, but 1 finding above needs a moderator"
    assert main(["check"]) == 0 and "degraded" in capsys.readouterr().out  # still, until acknowledged

    assert main(["check", "--acknowledge"]) == 0
    out = capsys.readouterr().out
    kept = state / f"bot.sqlite3{ACKNOWLEDGED_SUFFIX}20260101T000000000000Z"
    assert f"acknowledged: the set-aside state database is kept as {kept}" in out and kept.exists()
    assert out.splitlines()[-1] == "ok" and "degraded" not in out


def test_records_the_running_bot_could_not_store_are_reported_as_degraded(
    deployment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = deployment / "state"
    state.mkdir()
    RecordingHealth(dropped=3, stored_late=2).save(state)  # as the running bot writes it
    assert main(["check"]) == 0  # the bot answers: a restart would not help
    out = capsys.readouterr().out
    assert "recording questions: 3 question/check record(s) dropped" in out and "2 stored late" in out
    assert out.splitlines()[-1].startswith("degraded:")
    RecordingHealth().save(state)  # recording works again
    assert main(["check"]) == 0 and capsys.readouterr().out.splitlines()[-1] == "ok"
