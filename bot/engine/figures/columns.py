"""How the figure index keeps millions of figures compactly: columns, shapes, postings and a vocabulary.

A corpus of a million passages has millions of figures, so the index keeps no object per figure:
figures are columns of numpy arrays (sentence, offsets, value, label number, "shape" number), and
what repeats is stored once and numbered. A figure's ``Shape`` is the fields that take few distinct
values (kind, unit, role...); ``Postings`` is an inverted index in two arrays; ``Vocabulary`` is the
index's terms in one string, found by bisection. The array helpers here serve the build and the
lookup (``figures.index``).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, TypedDict

import numpy as np

from bot.engine.figures.parse import Figure, Kind, Role

# A figure is stored as its own fields (per-figure columns) and a "shape": the fields that take few
# distinct values, kept once per distinct combination. A field added to Figure must go in one of them.
OWN_FIELDS = ("text", "start", "end", "value", "label")
SHAPE_FIELDS = ("kind", "unit", "per", "qualifier", "role", "iso", "weak_label")
if set(Figure.model_fields) != {*OWN_FIELDS, *SHAPE_FIELDS}:
    raise RuntimeError(f"figures: Figure fields changed, update OWN_FIELDS/SHAPE_FIELDS: {sorted(Figure.model_fields)}")


class ShapeArguments(TypedDict, total=False):
    """``Figure``'s keyword arguments for a shape's fields: only those the original set explicitly."""

    kind: Kind
    unit: str | None
    per: str | None
    qualifier: str | None
    role: Role | None
    iso: str | None
    weak_label: bool


if tuple(ShapeArguments.__annotations__) != SHAPE_FIELDS:
    raise RuntimeError("figures: ShapeArguments and SHAPE_FIELDS must list the same fields")


class Shape(NamedTuple):
    """A figure's fields that take few distinct values, kept once per distinct combination."""

    kind: Kind
    unit: str | None
    per: str | None
    qualifier: str | None
    role: Role | None
    iso: str | None
    weak_label: bool
    fields_set: frozenset[str]  # a figure made again has the same fields explicitly set as the original

    def arguments(self) -> ShapeArguments:
        """The shape's fields that were set explicitly: re-creating a figure with these (and its own
        fields) gives back the same ``__dict__`` and the same ``model_fields_set``."""
        # Field by field (in SHAPE_FIELDS order) so that each value keeps its type for ``Figure(**...)``.
        given = self.fields_set
        arguments: ShapeArguments = {}
        if "kind" in given:
            arguments["kind"] = self.kind
        if "unit" in given:
            arguments["unit"] = self.unit
        if "per" in given:
            arguments["per"] = self.per
        if "qualifier" in given:
            arguments["qualifier"] = self.qualifier
        if "role" in given:
            arguments["role"] = self.role
        if "iso" in given:
            arguments["iso"] = self.iso
        if "weak_label" in given:
            arguments["weak_label"] = self.weak_label
        return arguments


class ScoreClass(NamedTuple):
    """What scoring needs of a figure's shape."""

    kind: str
    role: str | None
    weak_label: bool


def shape_of(figure: Figure) -> Shape:
    return Shape(
        figure.kind, figure.unit, figure.per, figure.qualifier, figure.role, figure.iso, figure.weak_label,
        frozenset(figure.model_fields_set),
    )  # fmt: skip


def u32(values: array | list[int] | np.ndarray) -> np.ndarray:
    """As unsigned 32-bit numbers, the width of the index's figure, sentence and term numbers."""
    return np.asarray(values, dtype=np.uint32)


def run_offsets(counts: array | list[int] | np.ndarray) -> np.ndarray:
    """Where each run starts, and a last end: ``run n`` is ``[offsets[n], offsets[n + 1])``."""
    ends = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ends[1:])
    return ends.astype(np.uint32) if ends[-1] < 2**32 else ends  # 32 bits suffice below 4 billion


@dataclass(slots=True)
class Postings:
    """An inverted index in two arrays: the ids under term ``t`` are ``ids[offsets[t]:offsets[t + 1]]``,
    ascending; ``extra`` holds a value per id (a distance) or is empty."""

    offsets: np.ndarray
    ids: np.ndarray
    extra: np.ndarray

    @classmethod
    def of(cls, terms: np.ndarray, ids: np.ndarray, size: int, extra: np.ndarray | None = None) -> Postings:
        order = np.argsort(terms, kind="stable")  # stable: ids stay ascending under each term
        offsets = run_offsets(np.bincount(terms, minlength=size))
        return cls(offsets, ids[order], np.empty(0, np.uint8) if extra is None else extra[order])

    def ids_of(self, term: int) -> np.ndarray:
        return self.ids[self.offsets[term] : self.offsets[term + 1]]

    def extra_of(self, term: int) -> np.ndarray:
        return self.extra[self.offsets[term] : self.offsets[term + 1]]


class Vocabulary:
    """The index's terms, sorted, in one string, found by bisection.

    A dict of a corpus's few hundred thousand terms costs ~130 bytes a term (key, number, slot);
    this costs the term's characters and 4 bytes. Terms are looked up only a few per topic."""

    def __init__(self, terms: list[str]) -> None:  # sorted
        self._text = "".join(terms)
        self._ends = run_offsets([len(term) for term in terms])

    def __len__(self) -> int:
        return len(self._ends) - 1

    def number(self, term: str) -> int | None:
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self._term(middle) < term:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self) and self._term(low) == term else None

    def _term(self, n: int) -> str:
        return self._text[self._ends[n] : self._ends[n + 1]]


def concat_ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of ``range(s, e)`` for each pair, as one array."""
    starts, ends = starts.astype(np.int64), ends.astype(np.int64)
    counts = ends - starts
    if not counts.size:
        return np.empty(0, np.int64)
    shift = starts - (np.cumsum(counts) - counts)
    return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(shift, counts)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique takes a hashing path that is many times slower here)."""
    ordered = np.sort(values)
    new = np.ones(ordered.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    return ordered[new]


def first_positions(values: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct value, ascending."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.ones(ordered.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    return np.sort(order[new])


def per_distinct_row(columns: list[np.ndarray], bits: int, value: Callable[[list[int]], float]) -> np.ndarray:
    """``value(row)`` for each row of a matrix of small numbers (below ``2**bits``), given by columns,
    computed once per distinct row: the rows of a lookup's candidates repeat a few patterns."""
    width = len(columns)
    if bits * width <= 16:  # each row as one small number: a table finds the distinct ones
        keys = np.zeros(columns[0].size if columns else 0, dtype=np.int64)
        for j, column in enumerate(columns):
            keys |= column.astype(np.int64) << (bits * j)
        seen = np.zeros(1 << (bits * width), dtype=bool)
        seen[keys] = True
        distinct = np.flatnonzero(seen)
        number = np.zeros(seen.size, dtype=np.int64)
        number[distinct] = np.arange(distinct.size)
        mask = (1 << bits) - 1
        rows = [[(key >> (bits * j)) & mask for j in range(width)] for key in distinct.tolist()]
        inverse = number[keys]
    else:  # rows as a few 64-bit words, sorted
        matrix = np.stack(columns, axis=1)
        n = matrix.shape[0]
        padded = np.zeros((n, -(-width // 8) * 8), dtype=np.uint8)
        padded[:, :width] = matrix
        words = padded.view(np.uint64)
        order = np.lexsort(words.T[::-1])
        ordered = words[order]
        new = np.ones(n, dtype=bool)
        new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
        rows = matrix[order[new]].tolist()
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.cumsum(new) - 1
    return np.asarray([value(row) for row in rows], dtype=np.float64)[inverse]
