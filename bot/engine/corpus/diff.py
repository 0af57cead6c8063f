"""What changed between two versions of the corpus: documents, passages and figures. No Discord here.

A refresh builds a new engine beside the one serving; this module compares the two so a moderator
sees what their edit did: documents added, changed (same id, new bytes or metadata) and removed,
passage counts before and after, and figures whose values changed.

Figures are matched within a document by what they measure — their label, kind, unit, period and
role in the sentence (a previous value, a new one, a change) — never by position, which shifts
with every edit. A figure counts as changed when the same measure holds other values than before
(the salary threshold was £38,700 and is now £40,000). Figures of added or removed documents come
and go with their document and are not listed one by one.

The comparison works on plain snapshots (``CorpusSnapshot``) so it can be tested, stored or logged
without building engines; ``snapshot(engine)`` takes one from an engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from bot.engine.models import Frozen

if TYPE_CHECKING:
    from bot.engine.engine import Engine

__all__ = [
    "CorpusDiff",
    "CorpusSnapshot",
    "DocumentChange",
    "DocumentState",
    "DocumentSummary",
    "FigureChange",
    "FigureKey",
    "FigureReading",
    "diff",
    "diff_engines",
    "snapshot",
]

# (label, kind, unit, per, role): what a figure measures, whatever its value.
FigureKey = tuple[str, str, str, str, str]


class FigureReading(Frozen):
    """One figure as written (``text``), its value, and the paragraph it stands in."""

    text: str
    value: float
    paragraph: int


class DocumentState(Frozen):
    """What the diff needs to know of one document."""

    id: str
    title: str
    sha256: str
    passages: int
    figures: Mapping[FigureKey, tuple[FigureReading, ...]] = {}


class CorpusSnapshot(Frozen):
    version: str
    documents: Mapping[str, DocumentState]
    figure_count: int | None = None  # when only some documents' figures were read

    @property
    def passages(self) -> int:
        return sum(d.passages for d in self.documents.values())

    @property
    def figures(self) -> int:
        if self.figure_count is not None:
            return self.figure_count
        return sum(len(readings) for d in self.documents.values() for readings in d.figures.values())


class DocumentSummary(Frozen):
    id: str
    title: str
    passages: int


class DocumentChange(Frozen):
    id: str
    title: str
    old_title: str
    passages_before: int
    passages_after: int


class FigureChange(Frozen):
    """A measure whose values differ: ``before``/``after`` as written, in reading order."""

    document: str
    title: str
    label: str
    kind: str
    role: str  # "from", "to", "change" or "" (see ``figures_parse.Role``)
    before: tuple[FigureReading, ...]
    after: tuple[FigureReading, ...]


class CorpusDiff(Frozen):
    old_version: str
    new_version: str
    added: tuple[DocumentSummary, ...] = ()
    changed: tuple[DocumentChange, ...] = ()
    removed: tuple[DocumentSummary, ...] = ()
    unchanged: int = 0
    passages_before: int = 0
    passages_after: int = 0
    figures_before: int = 0
    figures_after: int = 0
    figures_changed: tuple[FigureChange, ...] = ()

    @property
    def any_change(self) -> bool:
        return bool(self.added or self.changed or self.removed) or self.old_version != self.new_version


# -- snapshots -----------------------------------------------------------------------------------


def snapshot(engine: Engine, figures_of: Collection[str] | None = None) -> CorpusSnapshot:
    """The documents of ``engine`` with their passage counts and figures, as plain data.

    Only the documents in ``figures_of`` (all when None) get their figures: the diff compares the
    figures of changed documents only, and reading those never needs the corpus's figure index.
    """
    passages = engine.passage_counts()
    wanted = {d.id for d in engine.documents} if figures_of is None else set(figures_of)
    figures: dict[str, dict[FigureKey, list[FigureReading]]] = defaultdict(lambda: defaultdict(list))
    for document_id in sorted(wanted):
        for item in engine.document_figures(document_id):
            figure = item.figure
            key: FigureKey = (figure.label, figure.kind, figure.unit or "", figure.per or "", figure.role or "")
            reading = FigureReading(text=figure.text, value=figure.value, paragraph=item.citation.paragraph)
            figures[document_id][key].append(reading)
    documents = {
        d.id: DocumentState(
            id=d.id,
            title=d.meta.title,
            sha256=d.sha256,
            passages=passages.get(d.id, 0),
            figures={key: tuple(readings) for key, readings in figures.get(d.id, {}).items()},
        )
        for d in engine.documents
    }
    return CorpusSnapshot(version=engine.version, documents=documents, figure_count=engine.figure_count)


# -- comparing -----------------------------------------------------------------------------------


def diff_engines(old: Engine, new: Engine) -> CorpusDiff:
    changed = [d.id for d in new.documents if (before := old.document(d.id)) is not None and before.sha256 != d.sha256]
    return diff(snapshot(old, changed), snapshot(new, changed))


def diff(old: CorpusSnapshot, new: CorpusSnapshot) -> CorpusDiff:
    """What changed from ``old`` to ``new``; documents in id order, figures in document order."""
    added, changed, removed = [], [], []
    figure_changes: list[FigureChange] = []
    unchanged = 0
    for doc_id in sorted(old.documents.keys() | new.documents.keys()):
        before, after = old.documents.get(doc_id), new.documents.get(doc_id)
        if before is None and after is not None:
            added.append(DocumentSummary(id=doc_id, title=after.title, passages=after.passages))
        elif after is None and before is not None:
            removed.append(DocumentSummary(id=doc_id, title=before.title, passages=before.passages))
        elif before is not None and after is not None:
            if before.sha256 == after.sha256:
                unchanged += 1
                continue
            changed.append(
                DocumentChange(
                    id=doc_id,
                    title=after.title,
                    old_title=before.title,
                    passages_before=before.passages,
                    passages_after=after.passages,
                )
            )
            figure_changes.extend(_figure_changes(before, after))
    return CorpusDiff(
        old_version=old.version,
        new_version=new.version,
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        unchanged=unchanged,
        passages_before=old.passages,
        passages_after=new.passages,
        figures_before=old.figures,
        figures_after=new.figures,
        figures_changed=tuple(figure_changes),
    )


def _figure_changes(before: DocumentState, after: DocumentState) -> Iterable[FigureChange]:
    """Measures present in both versions of a document whose values are not the same."""
    changes = []
    for key in before.figures.keys() & after.figures.keys():
        old, new = before.figures[key], after.figures[key]
        # Values as a set: a figure repeated or moved to another paragraph is not a change of value.
        if {r.value for r in old} == {r.value for r in new}:
            continue
        label, kind, _, _, role = key
        changes.append(
            FigureChange(
                document=after.id,
                title=after.title,
                label=label,
                kind=kind,
                role=role,
                before=_distinct(old),
                after=_distinct(new),
            )
        )
    # Reading order: where the new value first appears, then the label (stable for ties).
    return sorted(changes, key=lambda c: (c.after[0].paragraph, c.label, c.kind, c.role))


def _distinct(readings: Iterable[FigureReading]) -> tuple[FigureReading, ...]:
    """Each value once (its first mention), in paragraph order."""
    seen: set[float] = set()
    out = []
    for reading in sorted(readings, key=lambda r: r.paragraph):
        if reading.value not in seen:
            seen.add(reading.value)
            out.append(reading)
    return tuple(out)
