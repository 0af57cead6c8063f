import json
import os
from pathlib import Path

import pytest

from bot.engine.corpus.documents import load_folder
from bot.engine.corpus.store import (
    CorpusStore,
    PendingAdd,
    StoreError,
    atomic_write,
    ensure_seeded,
    remove_orphan_sidecars,
    remove_stale_temporaries,
)
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


# -- adds that must be confirmed (on the audit log first), and what interrupted ones leave ----------


def test_an_add_is_marked_pending_until_finished(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    store.begin_add("fares-1.md", {"user_id": 7, "upload_sha256": "ab"})
    (pending,) = store.pending_adds()
    assert pending == PendingAdd("fares-1.md", {"user_id": 7, "upload_sha256": "ab", "document_id": "fares-1.md"})
    store.add("fares-1.md", "# Fares\n\nThe cap stays at two pounds.\n", {"title": "Fares"})
    assert [d.id for d in load_folder(tmp_path)[0]] == ["fares-1.md"]  # the marker is never a document
    store.finish_add("fares-1.md")
    assert store.pending_adds() == [] and sorted(p.name for p in tmp_path.iterdir()) == [
        "fares-1.md",
        "fares-1.md.meta.json",
    ]


def test_begin_add_refuses_a_taken_or_unsafe_name_before_writing(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    store.add("a.md", "Some text.", {})
    before = sorted(p.name for p in tmp_path.iterdir())
    for name in ("a.md", "../a.md", ".hidden.md"):
        with pytest.raises(StoreError):
            store.begin_add(name, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == before and store.pending_adds() == []


def test_abandoning_an_add_trashes_its_document_or_drops_a_lone_sidecar(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    store.begin_add("written.md", {})
    store.add("written.md", "A document that was fully written.", {"title": "Written"})
    entry = store.abandon_add("written.md")
    assert entry is not None and entry.document_id == "written.md" and entry.title == "Written"
    assert (tmp_path / ".trash" / entry.id / "written.md.meta.json").is_file()
    store.begin_add("half.md", {})
    atomic_write(tmp_path / "half.md.meta.json", json.dumps({"title": "Half", "sha256": "x"}).encode())
    assert store.abandon_add("half.md") is None  # the kill came between the sidecar and the document
    assert corpus_files_and_sidecars(tmp_path) == [] and store.pending_adds() == []


def corpus_files_and_sidecars(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_orphan_sidecars_are_cleaned_up_and_others_left_alone(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path)
    # A failed add's sidecar, written before its document never was.
    atomic_write(tmp_path / "failed.md.meta.json", json.dumps({"title": "F", "sha256": "1"}).encode())
    # An interrupted removal: the document is in the trash, its sidecar still in the corpus.
    store.add("removed.md", "A document being removed.", {"title": "Removed"})
    sidecar = (tmp_path / "removed.md.meta.json").read_bytes()
    entry = store.remove("removed.md")
    (tmp_path / ".trash" / entry.id / "removed.md.meta.json").unlink()
    (tmp_path / "removed.md.meta.json").write_bytes(sidecar)
    # Left alone: a moderator's own sidecar awaiting its document, an add still pending, a served one.
    (tmp_path / "coming.md.meta.json").write_text(json.dumps({"title": "Coming soon"}))
    store.begin_add("pending.md", {})
    atomic_write(tmp_path / "pending.md.meta.json", json.dumps({"title": "P", "sha256": "2"}).encode())
    store.add("kept.md", "A served document.", {"title": "Kept"})

    cleaned = remove_orphan_sidecars(tmp_path)
    assert sorted(p.name for p in cleaned) == ["failed.md.meta.json", "removed.md.meta.json"]
    assert corpus_files_and_sidecars(tmp_path) == [
        "coming.md.meta.json",
        "kept.md",
        "kept.md.meta.json",
        "pending.md.meta.json",
    ]
    assert (tmp_path / ".trash" / entry.id / "removed.md.meta.json").read_bytes() == sidecar
    assert store.trash_entries()[0].title == "Removed"  # its metadata came back with it
    assert remove_orphan_sidecars(tmp_path) == []
