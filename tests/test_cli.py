import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ROOT, SEEDS


def test_ask_prints_answer_and_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--corpus", str(SEEDS), "what is the new salary threshold for a work visa?"]) == 0
    out = capsys.readouterr().out
    assert "[1] “" in out and "Sources:" in out and "¶" in out


def test_ask_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--corpus", str(SEEDS), "who won the football world cup in 1966?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] is False and data["sentences"] == []


def test_ask_stdin_stream_one_json_per_line() -> None:
    questions = "why did the supreme court rule against the scheme?\n\nwhat's the recipe for pancakes?\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--corpus", str(SEEDS), "-"],
        input=questions, capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )  # fmt: skip
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == [
        "why did the supreme court rule against the scheme?",
        "what's the recipe for pancakes?",
    ]
    assert lines[0]["answered"] and not lines[1]["answered"]


def test_default_corpus_is_filled_from_seeds_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    monkeypatch.setenv("CORPUS_DIR", str(corpus))
    monkeypatch.setenv("SEEDS_DIR", str(SEEDS))
    assert main(["ask", "--json", "how many migrants arrived in 2021?"]) == 0
    assert (corpus / "000_bcbaab6fdc511440.txt").read_bytes() == (SEEDS / "000_bcbaab6fdc511440.txt").read_bytes()
    (corpus / "000_bcbaab6fdc511440.txt").unlink()
    (corpus / "000_bcbaab6fdc511440.txt.meta.json").unlink()
    main(["ask", "--json", "anything?"])
    assert not (corpus / "000_bcbaab6fdc511440.txt").exists()  # emptied on purpose stays empty


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--corpus", str(tmp_path / "nope"), "q"]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_chat_answers_until_quit() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--corpus", str(SEEDS)],
        input="what did the ONS revise net migration to?\nquit\n",
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )  # fmt: skip
    assert "745,000" in result.stdout and "Sources:" in result.stdout


@pytest.mark.parametrize("token", [None, "your-token-here", "  "])
def test_run_without_a_real_token_exits_naming_the_variable(
    token: str | None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    if token is not None:
        monkeypatch.setenv("DISCORD_TOKEN", token)
    assert main(["run", "--corpus", str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err
    if token and token.strip():
        assert token not in err


def test_the_unedited_env_example_works_like_no_env(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # `cp .env.example .env` is the first thing a new user does: its empty values mean "not set".
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["ask", "--corpus", str(SEEDS), "what did the ONS revise net migration to?"]) == 0
    assert "745,000" in capsys.readouterr().out
    # The placeholder token is still refused by name, not by a parse error of another field.
    assert main(["run", "--corpus", str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "DEV_GUILD_ID" not in err


def test_invalid_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANSWER_SENTENCES", "9")
    assert main(["ask", "--corpus", str(SEEDS), "q"]) == 2
    assert "ANSWER_SENTENCES" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("how much did the original scheme cost?", "£140million"),
        ("what is the new salary threshold?", "£38,"),
        ("how many migrants crossed in 2021?", "28,526"),
    ],
)
def test_figures_json_puts_the_right_figure_first_or_second(
    topic: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["figures", "--json", "--corpus", str(SEEDS), topic]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["topic"] == topic
    top = data["figures"][:2]
    assert any(expected in figure["text"] for figure in top), top
    figure = top[0]
    assert set(figure) >= {"text", "value", "kind", "unit", "qualifier", "label", "sentence", "citation"}
    assert figure["sentence"] and figure["citation"]["paragraph"] >= 1


def test_figures_text_and_overview(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figures", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    assert "£140million" in out and "¶" in out
