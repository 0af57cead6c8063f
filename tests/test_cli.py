import hashlib
import json
import os
import shutil
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
    # One output line per input line: the blank one says so, and the outputs line up with the inputs.
    assert [line["question"] for line in lines] == [
        "why did the supreme court rule against the scheme?",
        "",
        "what's the recipe for pancakes?",
    ]
    assert lines[0]["answered"] and not lines[2]["answered"]
    assert lines[1]["answered"] is False and lines[1]["error"] == "empty question"
    assert "empty" in lines[1]["reason"] and lines[1]["sentences"] == []


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


# --- the first ten minutes of a new user: run.sh, warnings, help, pipes, --json ----------------


def _bot(args: list[str], cwd: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` in ``cwd`` (its own .env and state), word overlap only: quick to start."""
    environ = {**os.environ, "SEMANTIC": "false", "STATE_DIR": str(cwd / "state"), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd, env=environ, timeout=120, check=False,
    )  # fmt: skip


def _venv_is_installed() -> bool:
    # scripts/_venv.sh installs packages (network) unless its stamp for pyproject.toml is there.
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + (ROOT / "scripts/_venv.sh").read_bytes())
    return (Path(sys.executable).parent.parent / f".installed-{digest.hexdigest()[:16]}").exists()


@pytest.mark.parametrize("where", ["dotenv", "environment"])
def test_run_script_with_the_placeholder_token_falls_back_to_the_chat(where: str, tmp_path: Path) -> None:
    # Guards run.sh asking only "is DISCORD_TOKEN non-empty?": the placeholder would start the Discord bot.
    if not _venv_is_installed():
        pytest.skip("the virtualenv is not set up for this pyproject.toml: run.sh would install packages")
    (tmp_path / "scripts").mkdir()
    for name in ("scripts/run.sh", "scripts/_venv.sh", "pyproject.toml"):
        shutil.copyfile(ROOT / name, tmp_path / name)
    env = {**os.environ, "VENV": str(Path(sys.executable).parent.parent), "SEMANTIC": "false"}
    if where == "dotenv":
        shutil.copyfile(ROOT / ".env.example", tmp_path / ".env")  # `cp .env.example .env`, unedited
    else:
        env["DISCORD_TOKEN"] = "your-token-here"
    result = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "run.sh"), "--corpus", str(SEEDS)],
        input="what did the ONS revise net migration to?\nquit\n",
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "answering in the terminal instead" in result.stderr
    assert "745,000" in result.stdout and "Sources:" in result.stdout
    assert "your-token-here" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("token", "status"), [(None, 1), ("", 1), ("your-token-here", 1), ("changeme", 1), ("MTA5.Gx7-real.token", 0)]
)
def test_has_token_uses_the_settings_placeholder_rules(
    token: str | None, status: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    if token is not None:
        monkeypatch.setenv("DISCORD_TOKEN", token)
    assert main(["has-token"]) == status


@pytest.mark.parametrize(
    ("args", "stdin"),
    [(["ask", "what is the bus fare?"], ""), (["chat"], "quit\n"), (["check", "the bus fare is £2"], "")],
)
def test_a_skipped_file_is_reported_once(args: list[str], stdin: str, tmp_path: Path) -> None:
    # A skipped file must not be reported twice (the loader's log warning and the command's own line).
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fares.txt").write_text("The bus fare is capped at £2 until the end of 2025.\n", encoding="utf-8")
    (corpus / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (corpus / "links.md").write_text("---\nurl: ftp://example.org\n---\nBus fares rose.\n", encoding="utf-8")
    result = _bot([*args, "--corpus", str(corpus)], tmp_path, stdin)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("broken.txt") == 1, result.stderr
    assert "warning: broken.txt: skipped: binary file" in result.stderr
    assert result.stderr.count("links.md") == 1, result.stderr
    assert "warning: links.md: url 'ftp://example.org' is not an http(s) address; ignored" in result.stderr


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    # The description comes from a module docstring: its reStructuredText markup must not reach --help.
    for command in ([], ["ask"], ["figures"], ["check"], ["chat"], ["run"], ["has-token"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = capsys.readouterr().out
        assert "usage:" in out and "`" not in out, out


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # `figures --json … | head` must not end in a BrokenPipeError traceback.
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as after `head` has had enough
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "figures", "--json", "--corpus", str(SEEDS), "migrants"],
            stdout=write_end, stderr=subprocess.PIPE, text=True, cwd=tmp_path, timeout=120, check=False,
            env={**os.environ, "SEMANTIC": "false", "STATE_DIR": str(tmp_path / "state")},
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 141  # as a process killed by SIGPIPE, so `set -o pipefail` still sees it


def test_check_json_without_a_claim_is_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A script parsing --json output must get JSON from the deployment check too, not plain text.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SEMANTIC", "false")
    assert main(["check", "--json", "--corpus", str(SEEDS)]) == 1  # no token: not deployable
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and any("DISCORD_TOKEN" in error for error in report["errors"])
    assert report["corpus"]["documents"] == 1 and report["corpus"]["version"]
    monkeypatch.setenv("DISCORD_TOKEN", "MTA5.Gx7-real.token")
    assert main(["check", "--json", "--corpus", str(SEEDS)]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


def test_json_commands_report_errors_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--corpus", str(tmp_path / "nope"), "q"]) == 2
    captured = capsys.readouterr()
    assert "no such folder" in json.loads(captured.out)["error"] and "no such folder" in captured.err
