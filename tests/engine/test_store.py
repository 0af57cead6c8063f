import json
import os
from pathlib import Path

import pytest

from bot.engine.documents import load_folder
from bot.engine.store import CorpusStore, StoreError, atomic_write, ensure_seeded, remove_stale_temporaries
from tests.conftest import SEEDS


def test_add_remove_restore_round_trip(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    name = store.add("fares-1a2b3c4d.md", "# Fares\n\nThe cap stays at two pounds per journey.\n", {"title": "Fares"})
    documents, _ = load_folder(tmp_path)
    assert [d.id for d in documents] == [name] and documents[0].meta.title == "Fares"
    assert store.read_meta(name)["sha256"]

    entry = store.remove(name)
    assert load_folder(tmp_path)[0] == []
    assert [e.id for e in store.trash_entries()] == [entry.id]
    assert entry.title == "Fares" and entry.document_id == name

    assert store.restore(entry.id) == name
    documents, _ = load_folder(tmp_path)
    assert documents[0].meta.title == "Fares"
    assert store.trash_entries() == []


@pytest.mark.parametrize("name", ["../../x.txt", ".hidden.md", "a/b.txt", "x.pdf", "", "CON.txt"])
def test_add_refuses_unsafe_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(StoreError):
        CorpusStore(tmp_path).add(name, "text", {})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("document_id", ["../outside.txt", "/etc/passwd", ".trash/x/old.txt", "notes.json"])
def test_remove_refuses_paths_outside_the_corpus(tmp_path: Path, document_id: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (tmp_path / "outside.txt").write_text("keep me")
    with pytest.raises(StoreError):
        CorpusStore(corpus).remove(document_id)
    assert (tmp_path / "outside.txt").read_text() == "keep me"


def test_restore_never_overwrites(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    store.add("a.md", "First version of the text.", {"title": "A"})
    entry = store.remove("a.md")
    store.add("a.md", "Second version of the text.", {"title": "A2"})
    with pytest.raises(StoreError, match="exists again"):
        store.restore(entry.id)
    assert (tmp_path / "a.md").read_text() == "Second version of the text."
    with pytest.raises(StoreError):
        store.restore("../..")


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "doc.txt"
    target.write_text("old")

    def fail(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["doc.txt"]


def test_stale_temporaries_are_cleaned(tmp_path: Path) -> None:
    (tmp_path / ".tmp-abc").write_text("half")
    assert remove_stale_temporaries(tmp_path) == [tmp_path / ".tmp-abc"]


def test_seeding_copies_documents_and_sidecars(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    assert ensure_seeded(corpus, SEEDS) == ["000_bcbaab6fdc511440.txt"]
    meta = json.loads((corpus / "000_bcbaab6fdc511440.txt.meta.json").read_text())
    assert meta["date"] == "2023-12-05"
    assert ensure_seeded(corpus, SEEDS) == []
