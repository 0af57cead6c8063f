"""A document's sidecar ``<file>.meta.json``: its citation metadata and, for an upload, its provenance.

A sidecar holds the metadata of a file whose bytes must stay exactly as delivered (the seed
article's), or of a document added from Discord (the store writes it, with the ``sha256`` of the
stored text and who added it). One model serves the loader, which cites from it, and the store,
which writes it and lists from it, so both accept the same sidecars and refuse a bad one with the
same words: ``"<name>: <why>; ignored"``.

Keys beyond the model's are kept (a moderator may add their own); the citation fields are text, and
a number there is read as its text, as the loader always did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

SIDECAR_SUFFIX = ".meta.json"
CITATION_KEYS = ("title", "source", "url", "date")

_PROBLEMS = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "model_type": "must be a JSON object",
    "missing": "is missing",
}


class SidecarError(ValueError):
    """A sidecar that cannot be used; the message names the file and says why."""


class Uploader(BaseModel):
    """Who added a document from Discord (their id as text: JSON numbers lose precision past 2**53)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    name: str


class Sidecar(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")

    # What citations show.
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None  # ISO 8601 or free text ("December 2023"); the loader normalises it
    # Written by the store: the hash of the stored text, and the upload's provenance.
    sha256: str | None = None
    added_by: Uploader | None = None
    added_at: str | None = None
    original_filename: str | None = None
    format: str | None = None
    upload_sha256: str | None = None
    upload_bytes: int | None = None

    # The JSON object as read or given: the corpus version hashes it, and the store writes it as is.
    _data: dict[str, Any] = PrivateAttr(default_factory=dict)

    @field_validator(*CITATION_KEYS, mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value

    @classmethod
    def from_object(cls, data: object, name: str) -> Sidecar:
        """Validate a decoded JSON value; ``name`` (the sidecar's file name) starts any error message."""
        if not isinstance(data, Mapping):
            raise SidecarError(f"{name}: metadata must be a JSON object; ignored")
        try:
            sidecar = cls.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(part) for part in error["loc"])
            problem = _PROBLEMS.get(error["type"], error["msg"].lower())
            raise SidecarError(f"{name}: metadata field {field!r} {problem}; ignored") from None
        sidecar._data = dict(data)
        return sidecar

    def citation_fields(self) -> dict[str, str | None]:
        """The citation fields the sidecar sets (a ``null`` too: it overrides the front matter's)."""
        return {key: getattr(self, key) for key in CITATION_KEYS if key in self.model_fields_set}

    def as_dict(self) -> dict[str, Any]:
        """The JSON object, as read or given."""
        return dict(self._data)

    def fingerprint(self) -> bytes:
        """What the document's hash takes from its sidecar: the object, independent of key order and layout."""
        return json.dumps(self._data, sort_keys=True).encode()

    def to_bytes(self) -> bytes:
        return json.dumps(self._data, ensure_ascii=False, indent=2).encode("utf-8")


def sidecar_path(document: Path) -> Path:
    return document.with_name(document.name + SIDECAR_SUFFIX)


def load_sidecar(path: Path) -> Sidecar:
    """The sidecar file at ``path``; raises ``SidecarError`` when it cannot be used."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad UTF-8 or bad JSON
        raise SidecarError(f"{path.name}: unreadable metadata ({exc}); ignored") from None
    except RecursionError:  # "[[[[…": the JSON parser recurses once per level
        raise SidecarError(f"{path.name}: unreadable metadata (nested too deeply); ignored") from None
    return Sidecar.from_object(data, path.name)


def read_sidecar(document: Path) -> Sidecar | None:
    """The sidecar of the document at ``document``, None if it has none; raises ``SidecarError``."""
    path = sidecar_path(document)
    return load_sidecar(path) if path.is_file() else None
