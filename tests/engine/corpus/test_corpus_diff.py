"""What changed between two corpus versions: documents, passages, figures whose values changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.corpus.diff import (
    CorpusSnapshot,
    DocumentState,
    FigureKey,
    FigureReading,
    diff,
    diff_engines,
    snapshot,
)
from bot.engine.engine import Engine
from tests.conftest import SEED_FILE, SEEDS

SEED_ID = SEED_FILE.name
THRESHOLD: FigureKey = ("salary threshold", "money", "GBP", "", "to")


@pytest.fixture(scope="module")
def seeds() -> Engine:
    return Engine.from_folder(SEEDS, semantic=False)


def _edited_copy(tmp_path: Path, **replacements: str) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    path = folder / SEED_ID
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return folder


def _doc(doc_id: str, sha: str, passages: int = 1, **figures: tuple[FigureReading, ...]) -> DocumentState:
    keys = {(label, "money", "GBP", "", "to"): readings for label, readings in figures.items()}
    return DocumentState(id=doc_id, title=doc_id.title(), sha256=sha, passages=passages, figures=keys)


def _snap(version: str, *documents: DocumentState) -> CorpusSnapshot:
    return CorpusSnapshot(version=version, documents={d.id: d for d in documents})


def _reading(text: str, value: float, paragraph: int = 1) -> FigureReading:
    return FigureReading(text=text, value=value, paragraph=paragraph)


# -- on plain snapshots ----------------------------------------------------------------------------


def test_identical_snapshots_have_no_change() -> None:
    one = _snap("v1", _doc("a.md", "x", 3), _doc("b.md", "y", 2))
    result = diff(one, one)
    assert not result.any_change
    assert (result.unchanged, result.passages_before, result.passages_after) == (2, 5, 5)
    assert result.added == result.changed == result.removed == result.figures_changed == ()


def test_added_changed_and_removed_documents_in_id_order() -> None:
    old = _snap("v1", _doc("a.md", "1", 2), _doc("c.md", "3", 4), _doc("d.md", "4", 1))
    new = _snap("v2", _doc("a.md", "1", 2), _doc("b.md", "2", 5), _doc("c.md", "3*", 6))
    result = diff(old, new)
    assert [(d.id, d.passages) for d in result.added] == [("b.md", 5)]
    assert [(d.id, d.passages_before, d.passages_after) for d in result.changed] == [("c.md", 4, 6)]
    assert [(d.id, d.passages) for d in result.removed] == [("d.md", 1)]
    assert (result.unchanged, result.passages_before, result.passages_after) == (1, 7, 13)
    assert result.any_change and (result.old_version, result.new_version) == ("v1", "v2")


def test_a_figure_whose_value_changed_is_listed_with_both_values() -> None:
    old = _snap("v1", _doc("a.md", "1", **{"salary threshold": (_reading("£38,700", 38700, 4),)}))
    new = _snap("v2", _doc("a.md", "2", **{"salary threshold": (_reading("£40,000", 40000, 5),)}))
    (change,) = diff(old, new).figures_changed
    assert (change.document, change.label, change.kind, change.role) == ("a.md", "salary threshold", "money", "to")
    assert [r.text for r in change.before] == ["£38,700"] and [r.text for r in change.after] == ["£40,000"]
    assert change.after[0].paragraph == 5


def test_moved_repeated_or_new_figures_are_not_value_changes() -> None:
    old = _snap("v1", _doc("a.md", "1", fee=(_reading("£5", 5, 1),), fare=(_reading("£2", 2, 1),)))
    new = _snap(
        "v2",
        _doc(
            "a.md",
            "2",
            fee=(_reading("£5", 5, 3), _reading("five pounds", 5, 7)),  # moved and repeated: same value
            cap=(_reading("£3", 3, 2),),  # a new measure: not a change of value
        ),
    )
    result = diff(old, new)
    assert result.figures_changed == ()
    assert (result.figures_before, result.figures_after) == (2, 3)


def test_figures_of_added_and_removed_documents_are_not_listed_one_by_one() -> None:
    old = _snap("v1", _doc("gone.md", "1", fee=(_reading("£5", 5),)))
    new = _snap("v2", _doc("new.md", "2", fee=(_reading("£6", 6),)))
    result = diff(old, new)
    assert result.figures_changed == () and [d.id for d in result.added] == ["new.md"]


def test_a_metadata_only_change_is_a_changed_document() -> None:
    old = _snap("v1", _doc("a.md", "1", 3))
    new = _snap("v2", DocumentState(id="a.md", title="Renamed", sha256="2", passages=3))
    (change,) = diff(old, new).changed
    assert (change.old_title, change.title) == ("A.Md", "Renamed")


# -- on real engines -------------------------------------------------------------------------------


def test_an_engine_against_itself_is_unchanged(seeds: Engine) -> None:
    result = diff_engines(seeds, seeds)
    assert not result.any_change and result.unchanged == 1
    assert result.passages_before == result.passages_after == len(seeds.passages)
    assert result.figures_before == len(seeds.figures)


def test_snapshot_counts_match_the_engine(seeds: Engine) -> None:
    taken = snapshot(seeds)
    assert taken.version == seeds.version and set(taken.documents) == {SEED_ID}
    assert taken.passages == len(seeds.passages) and taken.figures == len(seeds.figures)


@pytest.mark.parametrize("folder", [SEEDS, SEEDS.parent / "tests" / "quality" / "corpus_b"], ids=["seeds", "corpus_b"])
def test_a_documents_figures_are_those_of_the_corpus_index(folder: Path) -> None:
    engine = Engine.from_folder(folder, semantic=False)
    whole = engine.figures.figures
    assert engine.figure_count == len(whole) > 0
    for document in engine.documents:
        alone = engine.document_figures(document.id)
        held = [item for item in whole if item.citation.document == document.id]
        # The same figures, labels (borrowed within the document), sentences and citations; only the
        # group number, which is the corpus index's, differs.
        assert [i.model_copy(update={"group": -1}) for i in alone] == [i.model_copy(update={"group": -1}) for i in held]
    assert engine.document_figures("no-such-document.md") == []


def test_editing_a_figure_on_disk_shows_old_and_new_value(seeds: Engine, tmp_path: Path) -> None:
    folder = _edited_copy(tmp_path, **{"£38,700": "£39,900"})
    (folder / "fares.md").write_text("# Bus fares\n\nThe bus fare cap stays at £2 per journey.\n", encoding="utf-8")
    edited = Engine.from_folder(folder, semantic=False)
    result = diff_engines(seeds, edited)
    assert not edited.figures_ready  # the diff read the changed document's figures, not the corpus's index
    assert result.figures_after == len(edited.figures)
    assert [d.id for d in result.added] == ["fares.md"] and [d.id for d in result.changed] == [SEED_ID]
    assert result.removed == () and result.passages_after == result.passages_before + 1
    (change,) = result.figures_changed
    assert change.label == "salary threshold for a work visa" and change.document == SEED_ID
    assert ([r.text for r in change.before], [r.text for r in change.after]) == (["£38,700"], ["£39,900"])
    assert change.after[0].paragraph == 67


def test_removing_every_document(seeds: Engine, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = diff_engines(seeds, Engine.from_folder(empty, semantic=False))
    assert [d.id for d in result.removed] == [SEED_ID]
    assert (result.passages_after, result.figures_after) == (0, 0)
