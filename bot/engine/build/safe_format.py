"""The engine's cache files: a typed binary format that can hold data and nothing else.

Unpickling calls whatever a file names, so with pickle whoever could write the state folder ran code
in the bot. This reader builds only ``None``, bools, ints, floats, strings, bytes, lists,
tuples, sets, dicts, numpy arrays of numeric dtypes and records of the types registered here: a
record is made from its fields (a dataclass or NamedTuple by its constructor, a pydantic model given
its state as unpickling gives it, a plain class its registered attributes), each field's type
checked. A type's name read from a file is only looked up in that registry: nothing is imported or
called by name.

Layout, little-endian::

    header   MAGIC, FORMAT_VERSION (u16), kind and key (u8 length + ASCII each), section count
             (u16), per section its length (u64) and blake2b-128 digest; the header's own digest
    section  structure length (u64), structure digest, structure, blobs

A value is written as a *structure* (tags, counts, small scalars and data up to ``INLINE`` bytes,
depth first) and *blobs* (the bulk: array data, a column's strings as one UTF-8 text) in the order
the structure refers to them. Values of one type are stored as one column (strings, ints, floats,
bools; records one column per field), so millions of them cost a few numpy calls and one string
split, not a Python call each; equal strings of a section are stored, and read back, once.

Reading checks the header's digest and the file's size, then a section's structure digest before
parsing it (so no count or length it reads is damaged), reads each blob straight from the file into
its array (a large section is never held twice) and returns the value only once the whole section
matched its digest. Anything wrong (a flipped bit, a truncated or foreign file, an unknown tag or
type) raises ``FormatError`` (or ``OSError`` from the file): callers compute the value again.

blake2b costs ~1 s a GB here (a third of reading the figure index back); it detects any accident,
not forgery: whoever can write the folder can write a file with valid digests, but only of data,
of the registered types.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import operator
import os
import struct
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import numpy as np
from pydantic import BaseModel

MAGIC = b"\x89PBCACHE"  # a pickle starts with 0x80, text with a printable byte
FORMAT_VERSION = 1
DIGEST_SIZE = 16
MAX_DEPTH = 64  # nesting in a file: ours nest a few levels; a forged file must not exhaust the stack
STRING_CHUNK = 65_536  # strings per blob: decoding keeps one chunk's bytes and text at a time
INLINE = 4096  # bytes: data up to this size stays in the structure (a read and a digest update less)

Buffer = bytes | bytearray | memoryview


class FormatError(ValueError):
    """Not a whole, undamaged file of this format, or not what the reader asked for."""


class EncodeError(TypeError):
    """A value this format cannot hold (a type not registered, an int beyond 64 bits in an array...)."""


def _digest(*parts: Buffer) -> bytes:
    hasher = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for part in parts:
        hasher.update(part)
    return hasher.digest()


_U8, _U16, _U32, _U64 = (struct.Struct(f"<{c}") for c in "BHIQ")
_I64, _F64 = struct.Struct("<q"), struct.Struct("<d")

# Value tags.
T_NONE, T_FALSE, T_TRUE, T_INT, T_BIGINT, T_FLOAT, T_STR, T_BYTES, T_SEQ, T_DICT, T_ARRAY, T_RECORD = range(12)
# How a sequence's items are stored.
E_ANY, E_NONE, E_STR, E_INT, E_FLOAT, E_BOOL, E_MIXED, E_NESTED, E_DICTS, E_RECORD = range(10)
_CONTAINERS: tuple[type, ...] = (list, tuple, frozenset, set)
_CONTAINER_CODE = {kind: n for n, kind in enumerate(_CONTAINERS)}
# Array dtypes, by code: numbers only, never objects.
_DTYPES = tuple(np.dtype(name) for name in ("?", "<i1", "<u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f4", "<f8"))
_DTYPE_CODE = {dtype.str: n for n, dtype in enumerate(_DTYPES)}
_INT64, _FLOAT64, _BOOL, _UINT8, _UINT64 = (np.dtype(name) for name in ("<i8", "<f8", "?", "<u1", "<u8"))
_DEDUP = 1  # record flag: the records are given as distinct objects and, per item, which one
# How a string column's items are given: all new to the section, each by number, or new ones with
# the places and numbers of a few repeats.
_ALL_FRESH, _NUMBERED, _REPEATS = range(3)


# ------------------------------------------------------------------------------------ registry


@dataclass(frozen=True, slots=True)
class _RecordType:
    name: str
    cls: type
    fields: tuple[str, ...]
    allowed: tuple[tuple[type, ...], ...]  # per field, the classes it may hold: checked on reading
    values: Callable[[Any], Sequence[object]]
    model: bool  # a pydantic model: its state is set as unpickling sets it, with the fields that were set


_REGISTRY: dict[str, _RecordType] = {}
_BY_CLASS: dict[type, _RecordType] = {}


def register(cls: type, reference: object | None = None) -> None:
    """Let files hold instances of ``cls``: a pydantic model, a dataclass (every field given to its
    constructor), a NamedTuple, or a plain class whose instances hold exactly the attributes of
    ``reference`` (an instance), of the same types. Registering a class again does nothing."""
    if cls in _BY_CLASS:
        return
    name = f"{cls.__module__}.{cls.__qualname__}"
    if issubclass(cls, BaseModel):
        fields = tuple(cls.model_fields)
        allowed = tuple(_runtime_types(info.annotation) for info in cls.model_fields.values())
        record = _RecordType(name, cls, fields, allowed, _model_values(cls), True)
    elif dataclasses.is_dataclass(cls):
        if not all(f.init for f in dataclasses.fields(cls)):
            raise TypeError(f"{name}: a field not given to the constructor cannot be read back")
        fields = tuple(f.name for f in dataclasses.fields(cls))
        hints = typing.get_type_hints(cls)
        allowed = tuple(_runtime_types(hints[f]) for f in fields)
        record = _RecordType(name, cls, fields, allowed, _attribute_values(fields), False)
    elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
        fields = tuple(cls._fields)
        hints = typing.get_type_hints(cls)
        record = _RecordType(name, cls, fields, tuple(_runtime_types(hints[f]) for f in fields), tuple, False)
    elif reference is not None and type(reference) is cls:
        fields = tuple(vars(reference))
        allowed = tuple((type(value),) for value in vars(reference).values())
        record = _RecordType(name, cls, fields, allowed, _object_values(name, fields), False)
    else:
        raise TypeError(f"{name}: not a model, dataclass or NamedTuple, and no instance given")
    if not record.fields:
        raise TypeError(f"{name}: a record without fields")
    if name in _REGISTRY:
        raise TypeError(f"{name}: another class is registered under this name")
    _REGISTRY[name] = _BY_CLASS[cls] = record


def _runtime_types(hint: object) -> tuple[type, ...]:
    """The classes a value of an annotation can be: ``X | None`` → (X, NoneType), ``dict[str, int]`` → (dict,)."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return tuple({type(arg) for arg in typing.get_args(hint)})
    if origin in (typing.Union, types.UnionType):
        return tuple(t for arg in typing.get_args(hint) for t in _runtime_types(arg))
    if origin is not None and isinstance(origin, type):
        return (origin,)
    if hint is None or hint is type(None):
        return (type(None),)
    return (hint,) if isinstance(hint, type) else (object,)


def _attribute_values(fields: tuple[str, ...]) -> Callable[[Any], Sequence[object]]:
    get = operator.attrgetter(*fields)

    def values(obj: Any) -> Sequence[object]:
        row = get(obj)
        return row if len(fields) > 1 else (row,)

    return values


def _object_values(name: str, fields: tuple[str, ...]) -> Callable[[Any], Sequence[object]]:
    expected = set(fields)

    def values(obj: Any) -> Sequence[object]:
        held = vars(obj)
        if held.keys() != expected:  # an attribute added to the class: register it afresh
            raise EncodeError(f"{name}: attributes {sorted(held)} are not the registered {sorted(fields)}")
        return [held[field] for field in fields]

    return values


def _model_values(cls: type[BaseModel]) -> Callable[[Any], Sequence[object]]:
    fields = operator.itemgetter(*cls.model_fields)

    def values(obj: Any) -> Sequence[object]:
        if obj.__pydantic_extra__ or obj.__pydantic_private__:
            raise EncodeError(f"{cls.__name__}: extra or private attributes are not stored")
        row: Sequence[object] = fields(obj.__dict__)
        return row

    return values


# ------------------------------------------------------------------------------------- writing


class _Encoder:
    def __init__(self) -> None:
        self.structure = bytearray()
        self.blobs: list[Buffer] = []
        self.depth = 0
        self.seen: dict[str, int] = {}  # the strings of string columns so far, numbered

    def put(self, packer: struct.Struct, value: int | float) -> None:
        self.structure += packer.pack(value)

    def payload(self, data: Buffer) -> None:
        """Bytes whose length the structure has just given: small ones inline, others as a blob."""
        if memoryview(data).nbytes <= INLINE:
            self.structure += data
        elif memoryview(data).nbytes:
            self.blobs.append(data)

    def name(self, text: str) -> None:
        data = text.encode("ascii")
        if len(data) > 255:
            raise EncodeError(f"name too long: {text[:40]}…")
        self.put(_U8, len(data))
        self.structure += data

    def array(self, array: np.ndarray) -> None:
        code = _DTYPE_CODE.get(array.dtype.newbyteorder("<").str)
        if code is None:
            raise EncodeError(f"arrays of {array.dtype} are not stored")
        data = np.ascontiguousarray(array, dtype=_DTYPES[code])
        self.put(_U8, code)
        self.put(_U8, data.ndim)
        for size in data.shape:
            self.put(_U64, size)
        # ndarray.data is memoryview(data); numpy types __buffer__ only for Python 3.12+.
        self.payload(data.data.cast("B"))

    def value(self, value: Any) -> None:
        """One value, tagged: exact types only (a subclass of a type is not that type)."""
        kind = type(value)
        if value is None:
            self.put(_U8, T_NONE)
        elif kind is bool:
            self.put(_U8, T_TRUE if value else T_FALSE)
        elif kind is int and -(2**63) <= value < 2**63:
            self.put(_U8, T_INT)
            self.put(_I64, value)
        elif kind is int:
            data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
            self.put(_U8, T_BIGINT)
            self.put(_U32, len(data))
            self.payload(data)
        elif kind is float:
            self.put(_U8, T_FLOAT)
            self.put(_F64, value)
        elif kind is str or kind is bytes:
            data = value.encode("utf-8", "surrogatepass") if kind is str else value
            self.put(_U8, T_STR if kind is str else T_BYTES)
            self.put(_U64, len(data))
            self.payload(data)
        elif kind in _CONTAINER_CODE:
            self.put(_U8, T_SEQ)
            self.put(_U8, _CONTAINER_CODE[kind])
            self.nested(list(value))
        elif kind is dict:
            self.put(_U8, T_DICT)
            self.nested(list(value))
            self.nested(list(value.values()))
        elif kind is np.ndarray:
            self.put(_U8, T_ARRAY)
            self.array(value)
        elif isinstance(value, np.bool_ | np.integer | np.floating):
            self.value(value.item())  # a numpy scalar: stored as the Python number it equals
        elif kind in _BY_CLASS:
            self.put(_U8, T_RECORD)
            self.nested([value])
        else:
            raise EncodeError(f"{kind.__module__}.{kind.__qualname__} values are not stored")

    def nested(self, items: list[Any]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise EncodeError("values nest too deeply")
        self.sequence(items)
        self.depth -= 1

    def sequence(self, items: list[Any]) -> None:
        """``items`` as columns: one per type they hold, and one per field of records; one by one
        only what has no column layout (arrays, bytes, ints beyond 64 bits)."""
        self.put(_U64, len(items))
        kinds = dict.fromkeys(map(type, items))  # in order of first appearance
        if not items:
            self.put(_U8, E_ANY)
            return
        if len(kinds) > 1:
            if len(kinds) > 255:
                raise EncodeError("too many types in one sequence")
            code = {kind: n for n, kind in enumerate(kinds)}
            self.put(_U8, E_MIXED)
            self.put(_U8, len(kinds))
            self.array(np.fromiter((code[type(item)] for item in items), dtype=np.uint8, count=len(items)))
            for kind in kinds:
                self.nested([item for item in items if type(item) is kind])
            return
        (kind,) = kinds
        if kind is type(None):
            self.put(_U8, E_NONE)
            return
        if kind is str:
            self.strings(items)
            return
        if kind in (int, float, bool):
            try:
                column: np.ndarray = np.array(items, dtype={int: np.int64, float: np.float64, bool: np.bool_}[kind])
            except OverflowError:  # an int beyond 64 bits: stored one by one below
                pass
            else:
                self.put(_U8, {int: E_INT, float: E_FLOAT, bool: E_BOOL}[kind])
                self.array(column)
                return
        if kind in _CONTAINER_CODE or kind is dict:
            self.put(_U8, E_DICTS if kind is dict else E_NESTED)
            if kind is not dict:
                self.put(_U8, _CONTAINER_CODE[kind])
            lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
            self.array(lengths.astype(np.uint32) if lengths.max() < 2**32 else lengths)
            self.nested([item for container in items for item in container])  # of dicts, the keys
            if kind is dict:
                self.nested([value for mapping in items for value in mapping.values()])
            return
        if kind in _BY_CLASS:
            self.records(_BY_CLASS[kind], items)
            return
        self.put(_U8, E_ANY)
        for item in items:
            self.value(item)

    def strings(self, items: list[str]) -> None:
        """Strings not met before in this section as one text, then, unless that is all of them,
        each item's number among the section's strings: equal strings are read back as one object
        (a document's title in each of its citations, a term in each sentence holding it)."""
        self.put(_U8, E_STR)
        seen = self.seen
        fresh = [item for item in dict.fromkeys(items) if item not in seen]  # in order of first appearance
        seen.update(zip(fresh, range(len(seen), len(seen) + len(fresh)), strict=True))
        chunks = range(0, len(fresh), STRING_CHUNK)
        self.put(_U64, len(fresh))
        self.put(_U32, len(chunks))
        for at in chunks:
            chunk = fresh[at : at + STRING_CHUNK]
            joined = "\0".join(chunk)
            # Separated by NULs unless a string holds one; then one after the other, with their lengths.
            separated = joined.count("\0") == len(chunk) - 1
            data = (joined if separated else "".join(chunk)).encode("utf-8", "surrogatepass")
            self.put(_U64, len(chunk))
            self.put(_U8, 0 if separated else 1)
            self.put(_U64, len(data))
            self.payload(data)
            if not separated:
                self.array(np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk)))
        if len(fresh) == len(items):
            self.put(_U8, _ALL_FRESH)
            return
        numbers = np.fromiter(map(seen.__getitem__, items), dtype=np.int64, count=len(items))
        if len(fresh) < len(items) * 7 // 8:  # mostly repeats (a title in each citation): every number
            self.put(_U8, _NUMBERED)
            self.array(numbers.astype(np.uint32) if len(seen) < 2**32 else numbers)
            return
        # A few repeats among new strings (a caption repeating a sentence): where they go, and what.
        known = len(seen) - len(fresh)
        new = numbers >= known
        marked = np.where(new, numbers, known - 1)
        first = new & (marked > np.concatenate(([known - 1], np.maximum.accumulate(marked)[:-1])))
        repeats = np.flatnonzero(~first)
        self.put(_U8, _REPEATS)
        self.array(repeats)
        self.array(numbers[repeats])

    def records(self, record: _RecordType, items: list[Any]) -> None:
        """Records as one column per field; an object met several times (a citation shared by a
        passage's sentences) is stored once and stays shared."""
        self.put(_U8, E_RECORD)
        self.name(record.name)
        self.put(_U16, len(record.fields))
        seen: dict[int, int] = {}
        index = [seen.setdefault(id(item), len(seen)) for item in items]
        distinct = list({id(item): item for item in items}.values())  # first occurrences, in order
        shared = len(distinct) < len(items)
        self.put(_U8, _DEDUP if shared else 0)
        if shared:
            self.put(_U64, len(distinct))
            self.array(np.asarray(index, dtype=np.uint32 if len(distinct) < 2**32 else np.uint64))
        if record.model:
            bit = {name: 1 << n for n, name in enumerate(record.fields)}.__getitem__
            masks = [sum(map(bit, item.model_fields_set)) for item in distinct]
            self.array(np.asarray(masks, dtype=np.uint64))
        columns = zip(*map(record.values, distinct), strict=True)
        for n, (allowed, values) in enumerate(zip(record.allowed, columns, strict=True)):
            column = list(values)
            if not _holds_only(column, allowed):  # it would not be read back: better not written
                raise EncodeError(f"{record.name}.{record.fields[n]} holds a value of another type")
            self.nested(column)


def encode_file(kind: str, key: str, sections: Sequence[object]) -> list[Buffer]:
    """A file holding ``sections``, under ``kind`` and ``key``, as buffers to write one after the other."""
    heads: list[bytes] = []
    parts: list[Buffer] = []
    for section in sections:
        encoder = _Encoder()
        encoder.value(section)
        structure = bytes(encoder.structure)
        body = [_U64.pack(len(structure)) + _digest(structure), structure, *encoder.blobs]
        heads.append(_U64.pack(sum(memoryview(part).nbytes for part in body)) + _digest(*body))
        parts.extend(body)
    header = bytearray(MAGIC)
    header += _U16.pack(FORMAT_VERSION)
    for text in (kind, key):
        data = text.encode("ascii")
        if len(data) > 255:
            raise EncodeError("kind or key too long")
        header += _U8.pack(len(data)) + data
    header += _U16.pack(len(heads))
    for head in heads:
        header += head
    header += _digest(header)
    return [bytes(header), *parts]


# ------------------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class Section:
    offset: int
    length: int
    digest: bytes


def _read_exact(file: IO[bytes], size: int) -> bytes:
    data = file.read(size)
    if len(data) != size:
        raise FormatError("truncated")
    return data


def read_header(file: IO[bytes], kind: str, key: str) -> tuple[Section, ...]:
    """The sections of the file open in ``file``, which must be a whole file of ``kind`` and ``key``."""
    file.seek(0)
    start = _read_exact(file, len(MAGIC) + _U16.size)
    if start[: len(MAGIC)] != MAGIC:
        raise FormatError("not a cache file of this format (an older version's?)")
    if _U16.unpack_from(start, len(MAGIC))[0] != FORMAT_VERSION:
        raise FormatError("a cache file of another version")
    header = bytearray(start)
    names = []
    for _ in range(2):
        size = _read_exact(file, 1)
        data = _read_exact(file, size[0])
        header += size + data
        names.append(data)
    count_data = _read_exact(file, _U16.size)
    count = _U16.unpack(count_data)[0]
    table = _read_exact(file, count * (_U64.size + DIGEST_SIZE))
    header += count_data + table
    if _read_exact(file, DIGEST_SIZE) != _digest(header):
        raise FormatError("header checksum mismatch")
    if names != [kind.encode("ascii"), key.encode("ascii")]:
        raise FormatError(f"holds {names[0]!r} {names[1]!r}, not {kind} {key}")
    sections = []
    offset = len(header) + DIGEST_SIZE
    for n in range(count):
        at = n * (_U64.size + DIGEST_SIZE)
        length = _U64.unpack_from(table, at)[0]
        sections.append(Section(offset, length, table[at + _U64.size : at + _U64.size + DIGEST_SIZE]))
        offset += length
    if os.fstat(file.fileno()).st_size != offset:
        raise FormatError("truncated, or longer than written")
    return tuple(sections)


def read_section(file: IO[bytes], section: Section) -> object:
    """The value of one section of the file open in ``file`` (its ``read_header``), checked whole."""
    file.seek(section.offset)
    hasher = hashlib.blake2b(digest_size=DIGEST_SIZE)
    head = _read_exact(file, _U64.size + DIGEST_SIZE)
    hasher.update(head)
    size = _U64.unpack_from(head)[0]
    if size > section.length - len(head):
        raise FormatError("structure longer than its section")
    structure = _read_exact(file, size)
    if _digest(structure) != head[_U64.size :]:
        raise FormatError("structure checksum mismatch")
    hasher.update(structure)
    blobs = _Blobs(file, section.length - len(head) - size, hasher)
    decoder = _Decoder(structure, blobs, section.length)
    try:
        value = decoder.value()
    except FormatError:
        raise
    except Exception as error:  # damaged data (a blob is checked only once read) or a forged file
        raise FormatError(f"cannot be read back: {error!r}") from error
    if decoder.at != len(structure) or blobs.left:
        raise FormatError("section not read to its end")
    if hasher.digest() != section.digest:
        raise FormatError("checksum mismatch")
    return value


class _Blobs:
    """The section's blobs, read in order from the file and added to its digest."""

    def __init__(self, file: IO[bytes], left: int, hasher: Any) -> None:
        self.file, self.left, self.hasher = file, left, hasher

    def take(self, size: int) -> bytes:
        if size > self.left:
            raise FormatError("blob beyond its section")
        data = _read_exact(self.file, size)
        self.left -= size
        self.hasher.update(data)
        return data

    def fill(self, array: np.ndarray) -> None:
        view = array.data.cast("B")  # memoryview(array), typed for Python 3.11 too
        if view.nbytes > self.left:
            raise FormatError("array beyond its section")
        done = 0
        while done < view.nbytes:
            got = self.file.readinto(view[done:])  # type: ignore[attr-defined]
            if not got:
                raise FormatError("truncated")
            done += got
        self.left -= view.nbytes
        self.hasher.update(view)


class _Decoder:
    """Parses a structure (already checked against its digest), reading blobs as it goes."""

    def __init__(self, structure: bytes, blobs: _Blobs, limit: int) -> None:
        self.data = structure
        self.at = 0
        self.blobs = blobs
        self.limit = limit  # no sequence is longer than its section: a forged count fails fast
        self.depth = 0
        self.strings_read: list[str] = []  # the strings of string columns so far (``_Encoder.strings``)

    def get(self, unpacker: struct.Struct) -> Any:
        try:
            (value,) = unpacker.unpack_from(self.data, self.at)
        except struct.error:
            raise FormatError("structure ends early") from None
        self.at += unpacker.size
        return value

    def count(self) -> int:
        count: int = self.get(_U64)
        if count > self.limit:
            raise FormatError("count beyond its section")
        return count

    def payload(self, size: int) -> bytes:
        """Bytes whose length the structure has just given (``_Encoder.payload``)."""
        if size > INLINE:
            return self.blobs.take(size)
        data = self.data[self.at : self.at + size]
        if len(data) != size:
            raise FormatError("structure ends early")
        self.at += size
        return data

    def name(self) -> str:
        size = self.get(_U8)
        data = self.data[self.at : self.at + size]
        self.at += size
        return data.decode("ascii")

    def array(self) -> np.ndarray:
        code = self.get(_U8)
        if code >= len(_DTYPES):
            raise FormatError(f"unknown array type {code}")
        dtype = _DTYPES[code]
        shape = tuple(self.count() for _ in range(self.get(_U8)))
        size = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
        if size <= INLINE:
            return np.frombuffer(self.payload(size), dtype=dtype).reshape(shape).copy()  # writable, as it was
        if size > self.blobs.left:
            raise FormatError("array beyond its section")
        array = np.empty(shape, dtype=dtype)
        self.blobs.fill(array)
        return array

    def column(self, count: int, dtype: np.dtype) -> np.ndarray:
        array = self.array()
        if array.dtype != dtype or array.shape != (count,):
            raise FormatError("column of the wrong type or length")
        return array

    def value(self) -> object:
        tag = self.get(_U8)
        if tag == T_NONE:
            return None
        if tag in (T_FALSE, T_TRUE):
            return tag == T_TRUE
        if tag == T_INT:
            return self.get(_I64)
        if tag == T_BIGINT:
            return int.from_bytes(self.payload(self.get(_U32)), "little", signed=True)
        if tag == T_FLOAT:
            return self.get(_F64)
        if tag == T_STR:
            return self.payload(self.count()).decode("utf-8", "surrogatepass")
        if tag == T_BYTES:
            return self.payload(self.count())
        if tag == T_SEQ:
            container = self.get(_U8)
            if container >= len(_CONTAINERS):
                raise FormatError(f"unknown container {container}")
            items = self.nested()
            return items if _CONTAINERS[container] is list else _CONTAINERS[container](items)
        if tag == T_DICT:
            keys, values = self.nested(), self.nested()
            mapping = dict(zip(keys, values, strict=True))
            if len(mapping) != len(keys):
                raise FormatError("a key repeated")
            return mapping
        if tag == T_ARRAY:
            return self.array()
        if tag == T_RECORD:
            records = self.nested()
            if len(records) != 1:
                raise FormatError("not one record")
            return records[0]
        raise FormatError(f"unknown tag {tag}")

    def nested(self) -> list[Any]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormatError("values nest too deeply")
        items = self.sequence()
        self.depth -= 1
        return items

    def sequence(self) -> list[Any]:
        count = self.count()
        how = self.get(_U8)
        if how == E_ANY:
            return [self.value() for _ in range(count)]
        if how == E_STR:
            return self.strings(count)
        if how in (E_INT, E_FLOAT, E_BOOL):
            items: list[Any] = self.column(count, {E_INT: _INT64, E_FLOAT: _FLOAT64, E_BOOL: _BOOL}[how]).tolist()
            return items
        if how == E_NONE:
            return [None] * count
        if how == E_MIXED:
            kinds = self.get(_U8)
            codes = self.column(count, _UINT8)
            columns = [self.nested() for _ in range(kinds)]
            if np.bincount(codes, minlength=kinds).tolist() != [len(column) for column in columns]:
                raise FormatError("mixed values do not match their types")
            pulls = [iter(column).__next__ for column in columns]
            return [pulls[code]() for code in codes.tolist()]
        if how in (E_NESTED, E_DICTS):
            container = self.get(_U8) if how == E_NESTED else -1
            if container >= len(_CONTAINERS):
                raise FormatError(f"unknown container {container}")
            lengths = self.array()
            if lengths.dtype.kind not in "iu" or lengths.shape != (count,) or (lengths < 0).any():
                raise FormatError("bad lengths")
            flat = self.nested()
            values = self.nested() if how == E_DICTS else flat
            ends = np.cumsum(lengths, dtype=np.int64).tolist()
            if (ends[-1] if ends else 0) != len(flat) or len(values) != len(flat):
                raise FormatError("lengths do not match their items")
            spans = zip([0, *ends], ends, strict=False)
            if how == E_DICTS:
                return [dict(zip(flat[a:b], values[a:b], strict=True)) for a, b in spans]
            make: Callable[[list[Any]], Any] = _CONTAINERS[container]
            return [make(flat[a:b]) for a, b in spans]
        if how == E_RECORD:
            return self.records(count)
        raise FormatError(f"unknown sequence layout {how}")

    def strings(self, count: int) -> list[str]:
        fresh_count = self.count()
        items: list[str] = []
        for _ in range(self.get(_U32)):
            size, separated, length = self.count(), self.get(_U8), self.count()
            text = self.payload(length).decode("utf-8", "surrogatepass")
            if separated == 0:
                chunk = text.split("\0") if size else []
                if text and not size:
                    raise FormatError("text for no strings")
            elif separated == 1:
                ends = list(itertools.accumulate(self.column(size, _INT64).tolist()))
                if (ends[-1] if ends else 0) != len(text):
                    raise FormatError("string lengths do not match their text")
                chunk = [text[a:b] for a, b in zip([0, *ends], ends, strict=False)]
            else:
                raise FormatError("unknown string layout")
            if len(chunk) != size:
                raise FormatError("string count mismatch")
            items.extend(chunk)
        if len(items) != fresh_count:
            raise FormatError("string count mismatch")
        table = self.strings_read
        table.extend(items)
        layout = self.get(_U8)
        if layout == _NUMBERED:
            numbers = self.array()
            if numbers.dtype.kind not in "iu" or numbers.shape != (count,):
                raise FormatError("bad string numbers")
            items = list(map(table.__getitem__, numbers.tolist()))  # out of range: IndexError
        elif layout == _REPEATS:
            at, numbers = self.array(), self.array()
            if at.dtype.kind not in "iu" or numbers.dtype.kind not in "iu" or at.shape != numbers.shape:
                raise FormatError("bad string repeats")
            if len(at) + len(items) != count or (len(at) and (at[-1] >= count or (np.diff(at) <= 0).any())):
                raise FormatError("bad string repeats")
            fresh, items, taken, place = items, [], 0, 0
            for position, number in zip(at.tolist(), numbers.tolist(), strict=True):
                items.extend(fresh[taken : taken + position - place])
                taken += position - place
                items.append(table[number])
                place = position + 1
            items.extend(fresh[taken:])
        elif layout != _ALL_FRESH:
            raise FormatError("unknown string layout")
        if len(items) != count:
            raise FormatError("string count mismatch")
        return items

    def records(self, count: int) -> list[Any]:
        name = self.name()
        record = _REGISTRY.get(name)
        if record is None:
            raise FormatError(f"unknown record type {name!r}")
        if self.get(_U16) != len(record.fields):
            raise FormatError(f"{name}: fields changed")
        flags = self.get(_U8)
        if flags & ~_DEDUP:
            raise FormatError("unknown record flags")
        distinct = self.count() if flags & _DEDUP else count
        index = self.array() if flags & _DEDUP else None
        if index is not None and (index.dtype.kind != "u" or index.shape != (count,)):
            raise FormatError("bad record index")
        masks = self.column(distinct, _UINT64).tolist() if record.model else None
        columns = [self.nested() for _ in record.fields]
        if any(len(column) != distinct for column in columns):
            raise FormatError(f"{name}: columns of unequal length")
        for column, allowed in zip(columns, record.allowed, strict=True):
            if not _holds_only(column, allowed):
                raise FormatError(f"{name}: a field of the wrong type")
        objects = _build(record, columns, masks)
        if index is None:
            return objects
        if index.size and int(index.max()) >= distinct:
            raise FormatError("record index out of range")
        return [objects[i] for i in index.tolist()]


def _holds_only(column: list[Any], allowed: tuple[type, ...]) -> bool:
    return allowed == (object,) or all(issubclass(kind, allowed) for kind in set(map(type, column)))


def _build(record: _RecordType, columns: list[list[Any]], masks: list[int] | None) -> list[Any]:
    cls = record.cls
    rows = zip(*columns, strict=False)  # lengths checked by the caller
    if masks is not None:
        # As unpickling does (``BaseModel.__setstate__``), without validating again: 2.5 times
        # faster, and the columns' types were checked.
        fields = record.fields
        fields_set: dict[int, frozenset[str]] = {}
        new, set_attribute = object.__new__, object.__setattr__
        out = []
        for mask, row in zip(masks, rows, strict=False):  # lengths checked by the caller
            names = fields_set.get(mask)
            if names is None:
                if mask >> len(fields):
                    raise FormatError(f"{record.name}: unknown fields set")
                names = fields_set[mask] = frozenset(f for n, f in enumerate(fields) if mask >> n & 1)
            obj: object = new(cls)
            set_attribute(obj, "__dict__", dict(zip(fields, row, strict=False)))
            set_attribute(obj, "__pydantic_fields_set__", set(names))
            set_attribute(obj, "__pydantic_extra__", None)
            set_attribute(obj, "__pydantic_private__", None)
            out.append(obj)
        return out
    if issubclass(cls, tuple):
        return [cls(*row) for row in rows]
    if dataclasses.is_dataclass(cls):
        return [cls(*row) for row in rows]
    # A plain class: an instance with exactly the registered attributes, its __init__ not called.
    out = []
    for row in rows:
        obj = cls.__new__(cls)
        vars(obj).update(zip(record.fields, row, strict=True))
        out.append(obj)
    return out
