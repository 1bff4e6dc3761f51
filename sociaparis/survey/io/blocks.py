"""Response batches as Arrow columns: the export blocks kept in the database.

An export of 100,000 responses spent most of its time making one Python
object per cell: reading each response's kept record (a JSON list), decoding
it, gathering the values into columns. An *export block* keeps the columns of
a few thousand completed responses at once (:mod:`sociaparis.survey.blocks`
stores them and drops a block as soon as one of its responses changes), so
that a later export reads a few Arrow buffers instead.

This module is pure: a :class:`~sociaparis.survey.io.tables.ResponseBatch` to
bytes (:func:`batch_to_bytes`) and back (:func:`batch_from_bytes`), and the two
operations an export needs on batches read in pieces: :func:`concat_batches`
and :func:`take_batch`.

The layout, one Arrow IPC stream of one record batch (one row per response):

- ``m:<name>``: the meta columns (id, status, dates, times, synthetic);
- ``v:<question>``: a question's values (texts, dictionary-encoded);
- ``a:<attribute>``: a recorded attribute's values;
- ``r:<repeat>``: the instances of a repeat in each response, a list of
  structs (``index``, ``parent_index``, ``v:<question>``…).

A column of texts and nulls is stored as texts; any other column (a number, a
boolean among the texts: never written by the engine, but kept exact) as the
JSON text of each value, marked so in the field's metadata.

The stream is kept compressed whole with Zstandard, after 8 bytes giving its
size: about five times smaller (0.96 MB to 0.19 MB for 2,500 staff-survey
responses). An export reads every block; on PostgreSQL the bytes it reads are
work for a database process at normal priority while the job runs at a low
one, and moving them slows the log flushes the respondents' pages wait for
(measured in docs/benchmarks.md). The job worker decompresses them itself,
about a millisecond a block.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.tables import RepeatColumns, ResponseBatch, concat_cells

#: The layout's version, in the stream's metadata; a block of another version
#: is not read (:func:`batch_from_bytes` raises ``ValueError``).
BLOCK_LAYOUT = 2

#: The codec and level the stream is compressed with (see the module's docstring).
_CODEC = pa.Codec("zstd", compression_level=3)
#: The stream's size before compression, in front of the compressed bytes.
_SIZE = struct.Struct("<Q")
#: The largest stream a block may claim to hold (a block's is about 1 MB).
_LARGEST_STREAM = 1 << 30

_JSON = {b"cells": b"json"}
_META_TEXTS = ("status",)
_META_DATES = ("started_on", "submitted_on")
_META_TIMES = ("started_at", "updated_at")
#: The meta fields of a batch, beside its ids.
_META_COLUMNS = ("status", *_META_DATES, *_META_TIMES, "synthetic")


def _objects(values: Sequence[Any]) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def _cells_field(name: str, values: Sequence[Any]) -> tuple[pa.Field, pa.Array]:
    """One column of engine values: texts (dictionary-encoded) or JSON texts."""
    try:
        array = pa.array(values, type=pa.string()).dictionary_encode()
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        texts = [None if cell is None else json.dumps(cell) for cell in values]
        return pa.field(name, pa.string(), metadata=_JSON), pa.array(texts, pa.string())
    return pa.field(name, array.type), array


def _cells(field: pa.Field, array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The Python values of a column written by :func:`_cells_field`.

    Equal texts come back as one object (the dictionary's), as
    :func:`~sociaparis.survey.io.tables._shared` makes them.
    """
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if field.metadata == _JSON:
        return _objects([None if t is None else json.loads(t) for t in array.to_pylist()])
    return _by_distinct(array)


def _by_distinct(array: pa.Array) -> np.ndarray:
    """The Python values of a column made once per distinct value (None for
    nulls): equal values are one object, and a few objects are made."""
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    words = np.empty(len(array.dictionary) + 1, dtype=object)
    words[:-1] = array.dictionary.to_pylist()
    words[-1] = None
    codes = array.indices.fill_null(len(words) - 1).to_numpy(zero_copy_only=False)
    return words[codes]


def _times(values: Sequence[datetime | None]) -> pa.Array:
    """Instants in UTC (a naive time is taken as UTC, as SQLite returns them)."""
    stamps = [
        None
        if value is None
        else (value.replace(tzinfo=UTC) if value.tzinfo is None else value)
        for value in values
    ]
    return pa.array(stamps, pa.timestamp("us", tz="UTC"))


def _repeat_array(columns: RepeatColumns, size: int) -> tuple[pa.Field, pa.Array]:
    fields = [pa.field("index", pa.int64()), pa.field("parent_index", pa.int64())]
    arrays: list[pa.Array] = [
        pa.array(np.asarray(columns.index, dtype=np.int64)),
        pa.array(
            [None] * len(columns.index)
            if columns.parent_index is None
            else np.asarray(columns.parent_index, dtype=np.int64),
            pa.int64(),
        ),
    ]
    for question, values in columns.values.items():
        field, array = _cells_field(f"v:{question}", values)
        fields.append(field)
        arrays.append(array)
    instances = pa.StructArray.from_arrays(arrays, fields=fields)
    rows = np.asarray(columns.parent_row, dtype=np.int64)
    if len(rows) and np.any(np.diff(rows) < 0):
        raise ValueError("a repeat's instances are not in the order of their responses")
    offsets = np.searchsorted(rows, np.arange(size + 1), side="left").astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), instances)
    nested = {b"nested": b"1" if columns.parent_index is not None else b"0"}
    return pa.field("instances", lists.type, metadata=nested), lists


def batch_to_bytes(batch: ResponseBatch) -> bytes:
    """The Arrow IPC stream of a batch (:func:`batch_from_bytes` reads it back).

    Parameters
    ----------
    batch
        Responses to one version. Its meta columns must be given (status,
        dates, times, synthetic), as the database gives them.

    Returns
    -------
    bytes
        One record batch, one row per response.
    """
    size = len(batch)
    fields: list[pa.Field] = []
    arrays: list[pa.Array] = []

    def add(field: pa.Field, array: pa.Array) -> None:
        fields.append(field)
        arrays.append(array)

    add(pa.field("m:ids", pa.string()), pa.array(list(batch.ids), pa.string()))
    for name in _META_TEXTS:
        add(pa.field(f"m:{name}", pa.string()), pa.array(getattr(batch, name)))
    for name in _META_DATES:
        add(
            pa.field(f"m:{name}", pa.date32()),
            pa.array(getattr(batch, name), pa.date32()),
        )
    for name in _META_TIMES:
        add(
            pa.field(f"m:{name}", pa.timestamp("us", tz="UTC")),
            _times(getattr(batch, name)),
        )
    add(pa.field("m:synthetic", pa.bool_()), pa.array(batch.synthetic, pa.bool_()))
    for question, values in batch.values.items():
        add(*_cells_field(f"v:{question}", values))
    for attribute, values in batch.attributes.items():
        add(*_cells_field(f"a:{attribute}", values))
    for repeat, columns in batch.repeats.items():
        field, array = _repeat_array(columns, size)
        add(field.with_name(f"r:{repeat}"), array)
    schema = pa.schema(
        fields,
        metadata={"layout": str(BLOCK_LAYOUT), "version": batch.version},
    )
    record = pa.RecordBatch.from_arrays(arrays, schema=schema)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_batch(record)
    stream = sink.getvalue()
    return _SIZE.pack(stream.size) + _CODEC.compress(stream, asbytes=True)


def _stream(data: bytes) -> pa.Buffer:
    """The Arrow stream :func:`batch_to_bytes` compressed into ``data``."""
    if len(data) < _SIZE.size:
        raise ValueError(f"not an export block: {len(data)} bytes")
    (size,) = _SIZE.unpack_from(data)
    if size > _LARGEST_STREAM:
        raise ValueError(f"not an export block: a stream of {size} bytes")
    try:
        return _CODEC.decompress(memoryview(data)[_SIZE.size :], decompressed_size=size)
    except OSError as exc:
        raise ValueError(f"not an export block: {exc}") from exc


def batch_from_bytes(instrument: Instrument, data: bytes) -> ResponseBatch:
    """The batch :func:`batch_to_bytes` wrote, for ``instrument``'s responses.

    Raises
    ------
    ValueError
        When ``data`` is not a block of :data:`BLOCK_LAYOUT`.
    """
    stream = _stream(data)
    try:
        table = pa.ipc.open_stream(stream).read_all()
    except pa.ArrowInvalid as exc:
        raise ValueError(f"not an export block: {exc}") from exc
    metadata = table.schema.metadata or {}
    if metadata.get(b"layout") != str(BLOCK_LAYOUT).encode():
        raise ValueError(f"an export block of another layout: {metadata.get(b'layout')}")
    columns = {field.name: (field, table.column(field.name)) for field in table.schema}
    size = table.num_rows

    def meta(name: str) -> np.ndarray:
        return _meta_values(table.column(f"m:{name}").combine_chunks())

    values: dict[str, np.ndarray] = {}
    attributes: dict[str, np.ndarray] = {}
    repeats: dict[str, RepeatColumns] = {}
    for name, (field, array) in columns.items():
        kind, _, key = name.partition(":")
        if kind == "v":
            values[key] = _cells(field, array)
        elif kind == "a":
            attributes[key] = _cells(field, array)
        elif kind == "r":
            repeats[key] = _repeat_columns(field, array, size)
    return ResponseBatch(
        instrument,
        metadata.get(b"version", b"").decode(),
        table.column("m:ids").to_pylist(),
        values,
        repeats,
        **{name: meta(name) for name in _META_COLUMNS},
        attributes=attributes,
    )


def _meta_values(array: pa.Array) -> np.ndarray:
    """The Python values of a meta column (None for nulls).

    Instants through pandas (ten times faster than ``to_pylist``, which makes
    each time zone again); the rest through the column's distinct values (a
    few days, statuses, flags), each one object.
    """
    if pa.types.is_timestamp(array.type):
        stamps = pd.DatetimeIndex(array.to_pandas()).to_pydatetime()
        stamps[np.asarray(array.is_null())] = None
        return stamps
    return _by_distinct(array)


def _repeat_columns(field: pa.Field, array: pa.ChunkedArray, size: int) -> RepeatColumns:
    lists = array.combine_chunks()
    offsets = lists.offsets.to_numpy()
    rows = np.repeat(np.arange(size, dtype=np.int64), np.diff(offsets))
    start, end = int(offsets[0]), int(offsets[-1])
    instances = lists.values.slice(start, end - start)
    index = instances.field("index").to_numpy(zero_copy_only=False).astype(np.int64)
    parent_index = None
    if (field.metadata or {}).get(b"nested") == b"1":
        parent = instances.field("parent_index").fill_null(0)
        parent_index = parent.to_numpy(zero_copy_only=False).astype(np.int64)
    values = {
        field.name[2:]: _cells(field, instances.field(n))
        for n, field in enumerate(instances.type)
        if field.name.startswith("v:")
    }
    return RepeatColumns(rows, index, values, parent_index)


def concat_batches(pieces: Sequence[ResponseBatch]) -> ResponseBatch:
    """One batch of the responses of ``pieces`` (of one version), in order.

    The pieces must have their meta columns (as the database gives them). A
    column missing from a piece (a block of an attribute no response of it
    had) holds ``None`` there.
    """
    if not pieces:
        raise ValueError("no batch to concatenate")
    if len(pieces) == 1:
        return pieces[0]
    first = pieces[0]
    sizes = [len(piece) for piece in pieces]

    def keys(mappings: Sequence[Any]) -> list[str]:
        return list(dict.fromkeys(k for mapping in mappings for k in mapping))

    values = {
        key: concat_cells([p.values.get(key) for p in pieces], sizes)
        for key in keys([p.values for p in pieces])
    }
    attributes = {
        key: concat_cells([p.attributes.get(key) for p in pieces], sizes)
        for key in keys([p.attributes for p in pieces])
    }
    starts = np.cumsum([0, *sizes[:-1]])
    repeats: dict[str, RepeatColumns] = {}
    for name in keys([p.repeats for p in pieces]):
        found = [p.repeats.get(name) for p in pieces]
        counts = [0 if r is None else len(r.parent_row) for r in found]
        rows = [
            np.asarray(r.parent_row, dtype=np.int64) + start
            for r, start in zip(found, starts, strict=True)
            if r is not None
        ]
        present = [r for r in found if r is not None]
        nested = any(r.parent_index is not None for r in present)
        questions = keys([r.values for r in present])
        repeats[name] = RepeatColumns(
            np.concatenate(rows),
            np.concatenate([np.asarray(r.index, dtype=np.int64) for r in present]),
            {
                q: concat_cells(
                    [None if r is None else r.values.get(q) for r in found], counts
                )
                for q in questions
            },
            np.concatenate([_parent_index(r) for r in present]) if nested else None,
        )

    def meta(name: str) -> np.ndarray:
        return concat_cells([getattr(p, name) for p in pieces], sizes)

    return ResponseBatch(
        first.instrument,
        first.version,
        meta("ids"),
        values,
        repeats,
        **{name: meta(name) for name in _META_COLUMNS},
        attributes=attributes,
    )


def _parent_index(columns: RepeatColumns) -> np.ndarray:
    if columns.parent_index is None:
        return np.zeros(len(columns.index), dtype=np.int64)
    return np.asarray(columns.parent_index, dtype=np.int64)


def take_batch(batch: ResponseBatch, order: Sequence[int]) -> ResponseBatch:
    """The responses of ``batch`` at the positions ``order`` (each at most
    once), with their repeats' instances (in their order within a response).
    """
    positions = np.asarray(order, dtype=np.int64)
    if len(set(positions.tolist())) != len(positions):
        raise ValueError("a response taken twice")
    new_row = np.full(len(batch), -1, dtype=np.int64)
    new_row[positions] = np.arange(len(positions), dtype=np.int64)
    repeats: dict[str, RepeatColumns] = {}
    for name, columns in batch.repeats.items():
        rows = new_row[np.asarray(columns.parent_row, dtype=np.int64)]
        kept = np.flatnonzero(rows >= 0)
        moved = kept[np.argsort(rows[kept], kind="stable")]
        repeats[name] = RepeatColumns(
            rows[moved],
            np.asarray(columns.index, dtype=np.int64)[moved],
            {q: _objects(v)[moved] for q, v in columns.values.items()},
            None
            if columns.parent_index is None
            else np.asarray(columns.parent_index, dtype=np.int64)[moved],
        )

    def meta(name: str) -> np.ndarray | None:
        column = getattr(batch, name)
        return None if column is None else _objects(column)[positions]

    return ResponseBatch(
        batch.instrument,
        batch.version,
        [batch.ids[n] for n in positions],
        {key: _objects(v)[positions] for key, v in batch.values.items()},
        repeats,
        **{name: meta(name) for name in _META_COLUMNS},
        attributes={key: _objects(v)[positions] for key, v in batch.attributes.items()},
    )
