"""Settings from the environment and ``.env`` (every field is documented in ``.env.example``).

Built in ``main()``, never at import, so tests construct ``Settings(_env_file=None)`` freely.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.engine.search.backends import IndexOptions

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Values people leave in a copied .env.example; starting with one would fail at login anyway.
_PLACEHOLDER_TOKENS = {"", "changeme", "change-me", "your-token-here", "your_token_here", "token", "xxx"}


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the variable, never a secret's value."""


class Settings(BaseSettings):
    # An empty value means "not set": the unedited .env.example (DEV_GUILD_ID= ...) behaves like no .env.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    discord_token: SecretStr | None = None
    dev_guild_id: int | None = None
    force_sync: bool = False
    corpus_dir: Path = Path("corpus")
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    state_dir: Path = Path("state")
    moderator_role_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    log_channel_id: int | None = None
    answer_sentences: int = Field(default=3, ge=1, le=3)
    cooldown_questions: int = Field(default=5, ge=1)
    cooldown_seconds: float = Field(default=30.0, gt=0)
    log_level: str = "INFO"
    index_backend: Literal["auto", "rank_bm25", "tantivy"] = "auto"
    index_auto_threshold: int = Field(default=50_000, ge=1)
    semantic: bool = True
    reader: bool = True

    @field_validator("moderator_role_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        return level

    def require_token(self) -> str:
        token = self.discord_token.get_secret_value().strip() if self.discord_token else ""
        lowered = token.lower()
        if lowered in _PLACEHOLDER_TOKENS or lowered.startswith(("your", "<")) or set(lowered) <= {"x", "-"}:
            raise ConfigError(
                "DISCORD_TOKEN is not set (or is still the placeholder from .env.example): put the bot "
                "token from the Discord developer portal in the environment or in .env"
            )
        return token

    @property
    def database_path(self) -> Path:
        return self.state_dir / "bot.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.state_dir / "index"

    def index_options(self) -> IndexOptions:
        return IndexOptions(self.index_backend, self.index_dir, self.index_auto_threshold, self.state_dir / "analysis")
