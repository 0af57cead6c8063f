"""The terminal chat, as a first-time user meets it: line editing, history, and words that are commands."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.engine.engine import Engine
from bot.terminal import CHAT_HELP, ChatSession
from tests.conftest import SEEDS

QUESTION = "what did the ONS revise net migration to?"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_folder(SEEDS, semantic=False)


def test_command_words_are_not_asked(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    session = ChatSession(engine, 3)
    asked: list[str] = []
    real_ask = engine.ask
    monkeypatch.setattr(engine, "ask", lambda q, n=3: asked.append(q) or real_ask(q, n))
    assert session.respond("help") == CHAT_HELP and session.respond("?") == CHAT_HELP
    assert "Ask a question first" in (session.respond("more") or "")
    sources = session.respond("Sources") or ""
    assert "1 document:" in sources and engine.documents[0].meta.title in sources
    assert all(session.respond(word) is None for word in ("quit", "exit", "QUIT", "quit!"))
    assert asked == []
    session.respond("more money for councils?")  # a question that starts with a command word is a question
    assert asked == ["more money for councils?"]


def test_more_shows_the_next_sentences_of_the_last_answer(engine: Engine) -> None:
    session = ChatSession(engine, 1)
    first = session.respond(QUESTION) or ""
    answer = session.last
    assert answer is not None and answer.answered and answer.more and "[1] “" in first
    more = session.respond("more") or ""
    assert more.startswith("[2] “") and f"[{len(answer.more) + 1}] “" in more and "Sources:" in more
    for sentence in answer.more:
        assert sentence.text[:40] in " ".join(more.split())
    assert "nothing more" in (session.respond("more") or "")
    session.respond("who won the football world cup in 1966?")
    assert "did not answer" in (session.respond("more") or "")


def test_piped_chat_takes_commands(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--corpus", str(SEEDS)],
        input=f"help\n{QUESTION}\nmore\nsources\nexit\nnever asked?\n",
        capture_output=True, text=True, cwd=tmp_path, timeout=120, check=True,
        env={**os.environ, "SEMANTIC": "false", "STATE_DIR": str(tmp_path / "state")},
    )  # fmt: skip
    out = result.stdout
    assert CHAT_HELP in out and "745,000" in out and "1 document:" in out
    assert "no words to search for" not in out and "do not answer" not in out
    assert not (tmp_path / "state" / "chat_history").exists()  # no terminal, no history


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 60.0) -> None:
    """Read the terminal's output into ``seen`` until ``wanted`` occurs in it (after what was read before)."""
    start = len(seen)
    deadline = time.monotonic() + timeout
    while wanted not in seen[start:]:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {wanted!r} in {bytes(seen[start:])!r}"
        if select.select([fd], [], [], remaining)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child has closed the terminal
                chunk = b""
            assert chunk, f"the chat ended before {wanted!r}: {bytes(seen[start:])!r}"
            seen += chunk


def test_arrow_keys_edit_and_recall_questions_in_a_terminal(tmp_path: Path) -> None:
    # Without readline, the up arrow arrived as the question "\x1b[A" and the terminal echoed "^[[A".
    controller, terminal = pty.openpty()
    state = tmp_path / "state"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--corpus", str(SEEDS)],
        stdin=terminal, stdout=terminal, stderr=terminal, cwd=tmp_path, close_fds=True,
        env={**os.environ, "SEMANTIC": "false", "STATE_DIR": str(state), "TERM": "xterm"},
    )  # fmt: skip
    os.close(terminal)
    seen = bytearray()
    try:
        _read_until(controller, b"ask> ", seen)
        os.write(controller, QUESTION.replace("revise", "revize").encode() + b"\r")
        _read_until(controller, b"ask> ", seen)
        # Up arrow recalls the question; Left arrows and Backspace reach the typo, which is retyped.
        mark = len(seen)
        after_typo = len(QUESTION) - QUESTION.index("revise") - len("revis")
        os.write(controller, b"\x1b[A" + b"\x1b[D" * after_typo + b"\x7fs\r")
        _read_until(controller, b"ask> ", seen)
        assert b"745,000" in seen[mark:] and b"^[[A" not in seen
        os.write(controller, b"quit\r")
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    history = (state / "chat_history").read_text(encoding="utf-8").splitlines()
    assert QUESTION in history and QUESTION.replace("revise", "revize") in history
