"""`ask`, `chat` and `run` say how far a slow corpus build is (a silent minute looks like a hang), on
stderr only (stdout stays the answer, for pipes)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapter.runner import _load_engine, refresh_engine
from bot.config import Settings
from tests.conftest import ROOT
from tests.engine.test_progress import write_corpus

QUESTION = "how much did the bus fare rise in 2005?"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("progress_cli") / "corpus")


def bot(*args: str, state: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` with stderr a pipe (not a terminal), as in a service or CI log."""
    env = {**os.environ, "STATE_DIR": str(state), "SEMANTIC": "false"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=True,
    )  # fmt: skip


def test_a_slow_build_logs_progress_to_stderr_and_nothing_to_stdout(corpus: Path, tmp_path: Path) -> None:
    # A threshold of 0 s stands for a build slower than the default 2 s (a 40 s corpus would be too slow a test).
    result = bot("ask", "--json", "--corpus", str(corpus), "--progress-after", "0", QUESTION, state=tmp_path)
    answer = json.loads(result.stdout)  # stdout is the answer, whole: one JSON object
    assert answer["question"] == QUESTION
    lines = result.stderr.splitlines()
    assert lines and all(" INFO bot.progress: " in line for line in lines)
    said = [line.split(" INFO bot.progress: ", 1)[1] for line in lines]
    assert said[:3] == ["reading the documents", "read 300 documents", "analysing 300 documents"]
    assert "analysed 300 documents: 1,200 passages" in said
    assert said[-2:] == ["search index built: 1,200 passages", said[-1]]
    assert said[-1].startswith("corpus ready in ") and said[-1].endswith(": 300 documents, 1,200 passages")


def test_chat_shows_progress_on_stderr_too(corpus: Path, tmp_path: Path) -> None:
    result = bot("chat", "--corpus", str(corpus), "--progress-after", "0", state=tmp_path, stdin="quit\n")
    assert "bot.progress" not in result.stdout and "search index built" not in result.stdout
    assert "search index built: 1,200 passages" in result.stderr


def test_a_quick_build_prints_nothing_but_the_answer(tmp_path: Path) -> None:
    small = write_corpus(tmp_path / "small", documents=3)
    result = bot("ask", "--json", "--corpus", str(small), QUESTION, state=tmp_path / "state")
    assert result.stderr == ""
    assert json.loads(result.stdout)["question"] == QUESTION


def settings_for(corpus: Path, state: Path) -> Settings:
    return Settings(corpus_dir=corpus, state_dir=state, semantic=False, _env_file=None)  # type: ignore[call-arg]


def test_run_logs_the_first_build_and_a_refresh(corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.progress")
    settings = settings_for(corpus, tmp_path / "state")
    engine = _load_engine(settings, progress_after=0)
    said = [r.getMessage() for r in caplog.records if r.name == "bot.progress"]
    assert "analysed 300 documents: 1,200 passages" in said and said[-1].startswith("corpus ready in ")
    caplog.clear()
    refreshed = refresh_engine(settings, corpus, progress_after=0)
    assert refreshed.version == engine.version
    said = [r.getMessage() for r in caplog.records if r.name == "bot.progress"]
    assert "read 300 documents" in said and said[-1].startswith("corpus ready in ")


def test_run_says_nothing_of_a_quick_build(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.progress")
    small = write_corpus(tmp_path / "small", documents=3)
    _load_engine(settings_for(small, tmp_path / "state"))
    assert [r for r in caplog.records if r.name == "bot.progress"] == []
