"""Shared fixtures: a clean environment, the project's corpora, and built engines."""

from __future__ import annotations

import os

# As in bot/__main__.py: one BLAS thread for the sentence encoder (set before numpy is imported).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import shutil
from pathlib import Path

import pytest

from bot.engine.engine import Engine

pytest_plugins = ["tests.fake_discord.plugin"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS_B = ROOT / "tests" / "quality" / "corpus_b"
SEED_FILE = SEEDS / "000_bcbaab6fdc511440.txt"

_SETTINGS_VARS = (
    "DISCORD_TOKEN", "DEV_GUILD_ID", "FORCE_SYNC", "CORPUS_DIR", "SEEDS_DIR", "STATE_DIR",
    "MODERATOR_ROLE_IDS", "LOG_CHANNEL_ID", "ANSWER_SENTENCES", "COOLDOWN_QUESTIONS",
    "COOLDOWN_SECONDS", "LOG_LEVEL", "INDEX_BACKEND", "INDEX_AUTO_THRESHOLD", "SEMANTIC", "READER",
)  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's settings (or token)."""
    for name in _SETTINGS_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def seed_engine() -> Engine:
    return Engine.from_folder(SEEDS)


@pytest.fixture(scope="session")
def corpus_b_engine() -> Engine:
    return Engine.from_folder(CORPUS_B)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target
