"""The cache file format: data only (a planted file cannot run code), read back equal, and any damage
refused."""

from __future__ import annotations

import dataclasses
import pickle
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest

from bot.engine.build import safe_format
from bot.engine.build.cache_files import write_whole
from bot.engine.build.safe_format import EncodeError, FormatError, encode_file, read_header, read_section, register
from bot.engine.figures.parse import Figure
from bot.engine.models import Citation
from tests.engine.build.test_cache_format_engine import Exploit, same


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    label: str | None
    tags: frozenset[str]


class Pair(NamedTuple):
    left: float
    right: tuple[int, ...]


class Box:
    def __init__(self, items: list[int], name: str) -> None:
        self.items = items
        self.name = name


register(Point)
register(Pair)
register(Box, Box([], ""))
register(Citation)
register(Figure)


def store(tmp_path: Path, sections: list[Any], kind: str = "test", key: str = "k1") -> Path:
    path = tmp_path / "entry.cache"
    write_whole(path, encode_file(kind, key, sections))
    return path


def load(path: Path, kind: str = "test", key: str = "k1") -> list[object]:
    with path.open("rb") as file:
        return [read_section(file, section) for section in read_header(file, kind, key)]


CITATION = Citation(document="a.md", title="A", date="2024-01-02", paragraph=3, passage_id="a.md#p3")
VALUES: list[Any] = [
    None,
    True,
    0,
    -(2**63),
    2**63 - 1,
    2**200,
    -(3**90),
    1.5,
    float("inf"),
    -0.0,
    "",
    "plain",
    "nul \0 inside",
    "lone surrogate \udcff and émoji 🙂",
    b"\x00\xff bytes",
    [],
    (),
    frozenset(),
    ["a", "", "b"],
    ("\0", "x\0y", ""),
    [1, 2, 2**70],
    [0.5, float("nan"), -1e300],
    [True, False, True],
    [None, None],
    [None, "a", 3, 2.5, True, b"x", ("t",)],
    frozenset({"stem", "term"}),
    {"a": 1, "b": 2},
    {1: "one", None: [1.5], "k": {"nested": ()}},
    [{"kind": "money", "unit": None, "weak_label": False}, {}, {"kind": "count"}],
    [(1, 2), (3,), ()],
    [frozenset({"x"}), frozenset()],
    np.arange(10, dtype=np.uint32),
    np.zeros((2, 3), dtype=np.float32),
    np.array([], dtype=np.int64),
    np.array([True, False]),
    {"by kind": {"money": np.array([3, 1], dtype=np.uint32)}},
    np.int64(7),
    Point(1, None, frozenset({"a", "b"})),
    [Point(n, str(n) if n % 2 else None, frozenset({"t"} if n % 3 else ())) for n in range(7)],
    Pair(2.5, (1, 2)),
    Box([1, 2, 3], "box"),
    CITATION,
    Figure(text="£5", start=0, end=2, value=5.0, kind="money", unit="GBP", label="grant"),
    Figure(text="5", start=1, end=2, value=5.0, kind="count", label="people", weak_label=False),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_come_back_equal_and_of_the_same_types(tmp_path: Path, value: Any) -> None:
    expected = value.item() if isinstance(value, np.generic) else value  # numpy scalars as Python numbers
    (back,) = load(store(tmp_path, [value]))
    same(expected, back)


def test_large_columns_are_read_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_format, "STRING_CHUNK", 1000)  # several chunks of strings
    rng = random.Random(7)
    words = ["".join(rng.choice("abcé\0 ") for _ in range(rng.randrange(12))) for _ in range(5000)]
    value = {
        "strings": words,
        "counts": dict(zip(words, range(len(words)), strict=False)),
        "array": np.arange(100_000, dtype=np.int64),
        "floats": [rng.random() for _ in range(3000)],
        "sets": [frozenset(rng.sample(words, 3)) for _ in range(2000)],
        # New strings with a few repeats (of their own and of earlier columns'), and mostly repeats.
        "few repeats": ["s0", "s1", "s0", *(f"s{n}" for n in range(2, 60)), words[3], "s59", "s2", words[7], "end"],
        "mostly repeats": [words[n % 5] for n in range(300)],
    }
    (back,) = load(store(tmp_path, [value]))
    same(value, back)


def test_several_sections_read_one_at_a_time(tmp_path: Path) -> None:
    path = store(tmp_path, ["first", np.arange(5000), {"third": 3}])
    with path.open("rb") as file:
        sections = read_header(file, "test", "k1")
        assert read_section(file, sections[2]) == {"third": 3}
        assert read_section(file, sections[0]) == "first"


def test_shared_records_stay_shared(tmp_path: Path) -> None:
    other = CITATION.model_copy(update={"paragraph": 4})
    citations = [CITATION, CITATION, other, CITATION, other]
    (back,) = load(store(tmp_path, [citations]))
    same(citations, back)
    assert back[0] is back[1] is back[3] and back[2] is back[4] and back[0] is not back[2]


def test_fields_set_are_kept(tmp_path: Path) -> None:
    figure = Figure(text="5", start=0, end=1, value=5.0, kind="count", label="x")
    borrowed = figure.model_copy(update={"label": "people", "weak_label": False})
    (back,) = load(store(tmp_path, [[figure, borrowed]]))
    assert [f.model_fields_set for f in back] == [figure.model_fields_set, borrowed.model_fields_set]


def test_the_kind_and_key_must_match(tmp_path: Path) -> None:
    path = store(tmp_path, [1], kind="df", key="abc")
    assert load(path, "df", "abc") == [1]
    for kind, key in [("figures", "abc"), ("df", "abd")]:
        with pytest.raises(FormatError):
            load(path, kind, key)


def test_what_the_format_cannot_hold_is_refused_when_writing() -> None:
    class Unknown:
        pass

    for value in [Unknown(), [Unknown()], np.array(["text"]), np.array([object()]), {"a": {1, 2j}}]:
        with pytest.raises(EncodeError):
            encode_file("test", "k", [value])
    box = Box([1], "b")
    box.extra = 1  # type: ignore[attr-defined]  # an attribute the registration does not know
    with pytest.raises(EncodeError):
        encode_file("test", "k", [box])
    with pytest.raises(EncodeError):
        encode_file("test", "k", [Point(1, "a", ["not", "a", "frozenset"])])  # type: ignore[arg-type]


def test_a_pickle_is_refused_unopened(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = tmp_path / "entry.cache"
    path.write_bytes(pickle.dumps(Exploit(marker)))
    with pytest.raises(FormatError):
        load(path)
    assert not marker.exists()


def test_every_flipped_bit_and_every_truncation_is_refused(tmp_path: Path) -> None:
    value = [Point(1, "a", frozenset({"t"})), {"n": np.arange(3, dtype=np.int32)}, "text", 2.5, None]
    path = store(tmp_path, [value, ("x", 1)])
    good = path.read_bytes()
    same(load(path), [value, ("x", 1)])
    with path.open("r+b", buffering=0) as file:
        for bit in range(len(good) * 8):
            file.seek(bit // 8)
            file.write(bytes([good[bit // 8] ^ 1 << bit % 8]))
            with pytest.raises(FormatError):
                load(path)
            file.seek(bit // 8)
            file.write(good[bit // 8 : bit // 8 + 1])
    for size in range(len(good)):
        path.write_bytes(good[:size])
        with pytest.raises(FormatError):
            load(path)
    path.write_bytes(good + b"\0")
    with pytest.raises(FormatError):
        load(path)


def forge(tmp_path: Path, value: Any) -> Path:
    """A file with valid checksums, as anyone able to write the folder could make it."""
    return store(tmp_path, [value])


def test_a_forged_file_builds_only_registered_types_of_the_registered_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A record type the reader does not know: its name is looked up, never imported.
    path = forge(tmp_path, Box([1], "registered when written"))
    monkeypatch.delitem(safe_format._REGISTRY, f"{Box.__module__}.{Box.__qualname__}")
    with pytest.raises(FormatError, match="unknown record type"):
        load(path)
    monkeypatch.undo()

    # A field of another type than its class declares.
    loose = dataclasses.replace(safe_format._BY_CLASS[Point], allowed=((object,),) * 3)
    monkeypatch.setitem(safe_format._BY_CLASS, Point, loose)
    path = forge(tmp_path, Point("not an int", None, frozenset()))  # type: ignore[arg-type]
    monkeypatch.undo()
    with pytest.raises(FormatError, match="wrong type"):
        load(path)


def test_a_sample_of_random_bytes_never_decodes(tmp_path: Path) -> None:
    rng = random.Random(16)
    path = tmp_path / "entry.cache"
    for _ in range(200):
        path.write_bytes(safe_format.MAGIC + bytes(rng.randrange(256) for _ in range(rng.randrange(200))))
        with pytest.raises(FormatError):
            load(path)
