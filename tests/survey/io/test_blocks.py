"""Response batches as Arrow columns (export blocks): round trip, reorder, concatenate."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.blocks import (
    batch_from_bytes,
    batch_to_bytes,
    concat_batches,
    take_batch,
)
from sociaparis.survey.io.tables import (
    ExportData,
    RepeatColumns,
    ResponseBatch,
    batch_from_records,
    build_export,
)
from sociaparis.survey.logic import evaluate_form
from tests.survey.io.helpers import NOW, read_form

TOOLS = """
| survey |
| | type         | name      | label::Français (fr) | calculation         |
| | text         | who       | Qui                  |                     |
| | begin repeat | tool      | Outil                |                     |
| | text         | tool_name | Nom                  |                     |
| | begin repeat | use       | Usage                |                     |
| | text         | task      | Tâche                |                     |
| | end repeat   |           |                      |                     |
| | end repeat   |           |                      |                     |
| | integer      | age       | Âge                  |                     |
| | calculate    | older     |                      | ${age} > 40         |
| settings |
| | form_id | form_title | default_language | version |
| | tools   | Outils     | Français (fr)    | v1      |
"""

ANSWERS: list[dict[str, Any]] = [
    {
        "who": "Ana",
        "age": "52",
        "tool": [{"tool_name": "Albert", "use": [{"task": "mails"}, {"task": "notes"}]}],
    },
    {"who": "Bo", "age": "31", "tool": []},
    {
        "who": "Céline",
        "tool": [
            {"tool_name": "Copilot", "use": []},
            {"tool_name": "Mistral", "use": [{"task": "code"}]},
        ],
    },
    {"who": "Ana", "age": "44"},
]


@pytest.fixture
def tools() -> Instrument:
    return read_form(TOOLS)


def _batch(
    form: Instrument, answers: list[dict[str, Any]], ids: list[str]
) -> ResponseBatch:
    records = [evaluate_form(form, a, now=NOW).record() for a in answers]
    n = len(answers)
    return batch_from_records(
        form,
        "v1",
        ids,
        records,
        status=["completed"] * n,
        started_on=[date(2026, 3, 10) + timedelta(days=k % 2) for k in range(n)],
        submitted_on=[date(2026, 3, 12)] * n,
        # As SQLite gives them (naive, UTC) and as PostgreSQL does (aware).
        started_at=[datetime(2026, 3, 10, 9, k) for k in range(n)],
        updated_at=[
            datetime(2026, 3, 12, 10, k, tzinfo=timezone(timedelta(hours=1)))
            for k in range(n)
        ],
        synthetic=[k == 1 for k in range(n)],
        attributes={"directorate": ["dsin", None, "dsin", "dfa"][:n]},
    )


IDS = ["r1", "r2", "r3", "r4"]


def assert_same_export(left: ExportData, right: ExportData) -> None:
    assert [t.name for t in left.tables] == [t.name for t in right.tables]
    for a, b in zip(left.tables, right.tables, strict=True):
        assert a.variables == b.variables, a.name
        assert a.parent_table == b.parent_table, a.name
        pd.testing.assert_frame_equal(a.frame, b.frame, obj=a.name)


def test_a_batch_reads_back_as_the_same_export(tools: Instrument) -> None:
    batch = _batch(tools, ANSWERS, IDS)
    back = batch_from_bytes(tools, batch_to_bytes(batch))
    assert list(back.ids) == IDS
    assert back.values["who"].tolist() == ["Ana", "Bo", "Céline", "Ana"]
    # Equal texts are one object, as the rows' columns share them.
    assert back.values["who"][0] is back.values["who"][3]
    assert back.started_at[0] == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert back.updated_at[0] == datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    assert list(back.synthetic) == [False, True, False, False]
    assert back.repeats["use"].parent_index.tolist() == [1, 1, 2]
    assert_same_export(build_export([batch]), build_export([back]))


def test_values_other_than_texts_keep_their_type(tools: Instrument) -> None:
    batch = _batch(tools, ANSWERS, IDS)
    mixed = [3, None, "trois", True]
    values = {**batch.values, "age": mixed}
    back = batch_from_bytes(
        tools, batch_to_bytes(ResponseBatch(**{**_fields(batch), "values": values}))
    )
    assert [type(v) for v in back.values["age"]] == [int, type(None), str, bool]
    assert back.values["age"].tolist() == mixed


def test_a_nested_repeat_without_instances_stays_nested(tools: Instrument) -> None:
    batch = _batch(tools, [ANSWERS[1], ANSWERS[3]], ["r2", "r4"])
    back = batch_from_bytes(tools, batch_to_bytes(batch))
    assert back.repeats["use"].parent_index is not None
    table = build_export([back]).table("use")
    assert table.parent_table == "tool"
    assert "_parent_index" in table.frame.columns
    assert_same_export(build_export([batch]), build_export([back]))


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([3, 2, 1, 0], [3, 2, 1, 0]),
        ([2, 0], [2, 0]),
        ([1], [1]),
    ],
)
def test_take_moves_each_response_with_its_instances(
    tools: Instrument, order: list[int], expected: list[int]
) -> None:
    taken = take_batch(_batch(tools, ANSWERS, IDS), order)
    made = _batch(tools, [ANSWERS[k] for k in expected], [IDS[k] for k in expected])
    # The meta columns follow the responses taken.
    made = ResponseBatch(
        **{
            **_fields(made),
            **{
                name: [getattr(_batch(tools, ANSWERS, IDS), name)[k] for k in expected]
                for name in ("started_on", "started_at", "updated_at", "synthetic")
            },
            "attributes": {
                "directorate": [["dsin", None, "dsin", "dfa"][k] for k in expected]
            },
        }
    )
    assert_same_export(build_export([made]), build_export([taken]))


def test_take_refuses_a_response_twice(tools: Instrument) -> None:
    with pytest.raises(ValueError, match="twice"):
        take_batch(_batch(tools, ANSWERS, IDS), [0, 0])


def test_concatenated_pieces_are_the_batch_of_all(tools: Instrument) -> None:
    whole = _batch(tools, ANSWERS, IDS)
    first = take_batch(whole, [0, 1])
    second = batch_from_bytes(tools, batch_to_bytes(take_batch(whole, [2, 3])))
    joined = concat_batches([first, second])
    assert joined.repeats["tool"].parent_row.tolist() == [0, 2, 2]
    assert_same_export(build_export([whole]), build_export([joined]))


def test_a_piece_without_an_attribute_gets_none_there(tools: Instrument) -> None:
    whole = _batch(tools, ANSWERS, IDS)
    bare = ResponseBatch(**{**_fields(take_batch(whole, [2, 3])), "attributes": {}})
    joined = concat_batches([take_batch(whole, [0, 1]), bare])
    assert joined.attributes["directorate"].tolist() == ["dsin", None, None, None]


def _plain_stream(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _kept(stream: bytes, size: int | None = None) -> bytes:
    """``stream`` as a block keeps it: its size (8 bytes, little-endian), then
    the stream compressed with Zstandard."""
    packed = struct.pack("<Q", len(stream) if size is None else size)
    return packed + pa.Codec("zstd").compress(stream, asbytes=True)


def test_a_block_is_its_stream_compressed_after_its_size(tools: Instrument) -> None:
    batch = concat_batches(
        [_batch(tools, ANSWERS, [f"{k}-{i}" for i in IDS]) for k in range(50)]
    )
    data = batch_to_bytes(batch)
    (size,) = struct.unpack_from("<Q", data)
    stream = pa.Codec("zstd").decompress(data[8:], decompressed_size=size, asbytes=True)
    assert len(stream) == size
    assert pa.ipc.open_stream(stream).read_all().num_rows == 200
    assert len(data) < size / 4


_OTHER_LAYOUT = pa.table({"m:ids": ["r1"]}).replace_schema_metadata({"layout": "1"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not an export block"),
        (b"not arrow at all", "not an export block"),
        # a block of layout 1: the stream uncompressed
        (_plain_stream(_OTHER_LAYOUT), "not an export block"),
        (_kept(b"not arrow at all"), "not an export block"),
        (_kept(_plain_stream(_OTHER_LAYOUT))[:-4], "not an export block"),
        (_kept(_plain_stream(_OTHER_LAYOUT), size=10), "not an export block"),
        (_kept(_plain_stream(_OTHER_LAYOUT), size=1 << 40), "not an export block"),
        (_kept(_plain_stream(_OTHER_LAYOUT)), "another layout"),
    ],
)
def test_what_is_not_a_block_of_this_layout_is_refused(
    tools: Instrument, data: bytes, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        batch_from_bytes(tools, data)


def _fields(batch: ResponseBatch) -> dict[str, Any]:
    return {name: getattr(batch, name) for name in ResponseBatch.__slots__}


# -- any batch ---------------------------------------------------------------------------

_CELLS = st.one_of(
    st.none(),
    st.sampled_from(["oui", "non", "", "1", "=1+1"]),
    st.text(max_size=8),
)
_ODD_CELLS = st.one_of(
    _CELLS, st.integers(-5, 5), st.floats(allow_nan=False), st.booleans()
)


@st.composite
def batches(draw: st.DrawFn) -> ResponseBatch:
    """A batch of 0 to 12 responses: text columns, one column that may hold
    numbers and booleans, an attribute, and a repeat with a nested one."""
    n = draw(st.integers(0, 12))

    def column(cells: st.SearchStrategy[Any]) -> list[Any]:
        return draw(st.lists(cells, min_size=n, max_size=n))

    def instances(rows: int, nested: bool) -> RepeatColumns:
        counts = draw(st.lists(st.integers(0, 3), min_size=rows, max_size=rows))
        parent_row = [row for row, k in enumerate(counts) for _ in range(k)]
        size = len(parent_row)
        return RepeatColumns(
            parent_row,
            [k + 1 for k in range(size)],
            {"tool_name": draw(st.lists(_CELLS, min_size=size, max_size=size))},
            draw(st.lists(st.integers(1, 4), min_size=size, max_size=size))
            if nested
            else None,
        )

    day = st.dates(date(2026, 1, 1), date(2026, 12, 31))
    moment = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31)).map(
        lambda t: t.replace(tzinfo=UTC, microsecond=0)
    )
    return ResponseBatch(
        read_form(TOOLS),
        "v1",
        [f"r{k}" for k in range(n)],
        {"who": column(_CELLS), "age": column(_ODD_CELLS)},
        {"tool": instances(n, nested=False), "use": instances(n, nested=True)},
        status=column(st.sampled_from(["completed", "in_progress"])),
        started_on=column(day),
        submitted_on=column(st.one_of(st.none(), day)),
        started_at=column(st.one_of(st.none(), moment)),
        updated_at=column(st.one_of(st.none(), moment)),
        synthetic=column(st.booleans()),
        attributes={"directorate": column(st.one_of(st.none(), st.text(max_size=4)))},
    )


def _plain(batch: ResponseBatch) -> dict[str, Any]:
    """A batch's fields as lists, each cell with its type (``1`` is not ``True``)."""

    def cells(values: Any) -> list[tuple[type, Any]] | None:
        return None if values is None else [(type(v), v) for v in list(values)]

    fields = {name: cells(getattr(batch, name)) for name in _META + ("ids",)}
    fields["values"] = {k: cells(v) for k, v in batch.values.items()}
    fields["attributes"] = {k: cells(v) for k, v in batch.attributes.items()}
    fields["repeats"] = {
        name: (
            list(map(int, r.parent_row)),
            list(map(int, r.index)),
            None if r.parent_index is None else list(map(int, r.parent_index)),
            {q: cells(v) for q, v in r.values.items()},
        )
        for name, r in batch.repeats.items()
    }
    return fields


_META = ("status", "started_on", "submitted_on", "started_at", "updated_at", "synthetic")


@settings(max_examples=60, deadline=None)
@given(batches())
def test_any_batch_reads_back_as_it_was(batch: ResponseBatch) -> None:
    assert _plain(batch_from_bytes(batch.instrument, batch_to_bytes(batch))) == _plain(
        batch
    )


@settings(max_examples=60, deadline=None)
@given(batches(), st.data())
def test_any_batch_cut_in_two_and_joined_again_is_the_batch(
    batch: ResponseBatch, data: st.DataObject
) -> None:
    cut = data.draw(st.integers(0, len(batch)))
    first = take_batch(batch, list(range(cut)))
    second = batch_from_bytes(
        batch.instrument, batch_to_bytes(take_batch(batch, list(range(cut, len(batch)))))
    )
    pieces = [piece for piece in (first, second) if len(piece)] or [first]
    assert _plain(concat_batches(pieces)) == _plain(batch)
