import json
from pathlib import Path

import pytest

from bot.engine.corpus.documents import DocumentError, decode_text, load_folder, parse_front_matter


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_front_matter_fields_and_body_offset() -> None:
    text = '---\ntitle: "Energy cap"\nsource: Ofgem\nurl: https://example.org/cap\ndate: 2024-04-01\n---\nBody.\n'
    fields, body_start = parse_front_matter(text)
    assert fields["title"] == "Energy cap" and fields["source"] == "Ofgem"
    assert text[body_start:] == "Body.\n"


def test_unclosed_front_matter_is_text() -> None:
    assert parse_front_matter("---\nnot closed\n") == ({}, 0)


def test_decode_rejects_binary_invalid_and_empty() -> None:
    with pytest.raises(DocumentError, match="binary"):
        decode_text(b"\x89PNG\r\n\x00\x00")
    with pytest.raises(DocumentError, match="UTF-8"):
        decode_text("café".encode("latin-1"))
    with pytest.raises(DocumentError, match="empty"):
        decode_text(b"  \n ")


def test_decode_strips_bom_normalises_newlines_and_unicode() -> None:
    assert decode_text(b"\xef\xbb\xbfcafe\xcc\x81\r\nx") == "café\nx"


def test_load_folder_metadata_sources_and_skips(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: A title\ndate: 2024-01-02\nurl: javascript:alert(1)\n---\nText of a.\n")
    write(tmp_path, "b.txt", "# Heading title\nText of b.\n")
    write(tmp_path, "c.txt", "Text of c, as delivered.")
    write(tmp_path, "c.txt.meta.json", json.dumps({"title": "Sidecar title", "url": "https://example.org/c"}))
    write(tmp_path, "bad.txt", b"b\x00a\x00d\x00")  # NUL bytes without a byte-order mark
    write(tmp_path, "empty.md", "")
    write(tmp_path, ".trash/old.txt", "Removed document.")
    write(tmp_path, "notes.json", "{}")
    documents, problems = load_folder(tmp_path)
    by_id = {d.id: d for d in documents}
    assert sorted(by_id) == ["a.md", "b.txt", "c.txt"]
    assert by_id["a.md"].meta.title == "A title" and by_id["a.md"].meta.date == "2024-01-02"
    assert by_id["a.md"].meta.url is None  # only http(s) links are kept
    assert by_id["b.txt"].meta.title == "Heading title"
    assert by_id["c.txt"].meta.title == "Sidecar title" and by_id["c.txt"].meta.url == "https://example.org/c"
    assert by_id["c.txt"].text == "Text of c, as delivered."
    reasons = {p.path: p.reason for p in problems}
    assert "binary" in reasons["bad.txt"] and "empty" in reasons["empty.md"]
    assert "not an http(s) address" in reasons["a.md"]


def test_changed_sidecar_changes_the_hash(tmp_path: Path) -> None:
    write(tmp_path, "c.txt", "Text.")
    before = load_folder(tmp_path)[0][0].sha256
    write(tmp_path, "c.txt.meta.json", '{"title": "T"}')
    assert load_folder(tmp_path)[0][0].sha256 != before


def test_missing_folder_is_an_empty_corpus(tmp_path: Path) -> None:
    assert load_folder(tmp_path / "nope") == ([], [])
