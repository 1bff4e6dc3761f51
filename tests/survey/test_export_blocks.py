"""Export blocks (both databases): made by an export, read by the next, and
dropped by the database as soon as one of their responses changes."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import sociaparis.survey.exports as exports
from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, transaction, utcnow
from sociaparis.survey.block_cache import BLOCK_DATA
from sociaparis.survey.exports import keep_export_blocks, load_export
from sociaparis.survey.fielding.service import (
    Fielding,
    configure_fielding,
    delete_response,
)
from sociaparis.survey.fielding.uploads import UploadLimits
from sociaparis.survey.io.tables import ExportData
from sociaparis.survey.models import (
    ExportBlockMemberRecord,
    ExportBlockRecord,
    ResponseRecord,
)
from sociaparis.survey.service import add_instrument
from sociaparis.survey.synthetic import add_synthetic_responses
from sociaparis.survey.xlsform import parse_xlsform
from tests.survey.io.test_blocks import TOOLS, assert_same_export

pytestmark = pytest.mark.storage

RESPONSES = 11
BLOCK = 4  # responses a block holds here: 2 blocks, 3 responses left in rows


def _study(settings: Settings) -> Engine:
    """A database of 11 completed responses to a form with nested repeats."""
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        form = parse_xlsform(TOOLS.encode(), filename="tools.md")
        add_instrument(session=session, form=form)
        configure_fielding(
            session=session,
            fielding=Fielding(form_id="tools", recorded_attributes=("directorate",)),
        )
        add_synthetic_responses(
            session=session,
            form_id="tools",
            count=RESPONSES,
            seed=7,
            attribute_cells=[({"directorate": "dsin"}, 1)],
        )
    return engine


@pytest.fixture
def study(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Engine, Settings]]:
    """The study of :func:`_study` on each database, blocks of 4 responses."""
    monkeypatch.setattr(exports, "BLOCK_RESPONSES", BLOCK)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key-0123456789",
    )
    engine = _study(settings)
    yield engine, settings
    engine.dispose()


def _load(engine: Engine, keep_blocks: bool) -> ExportData:
    with transaction(engine) as session:
        return load_export(session=session, form_id="tools", keep_blocks=keep_blocks)


def _blocks(engine: Engine) -> list[tuple[int, int, bool]]:
    """(id, responses, filled) of each block."""
    with transaction(engine) as session:
        rows = session.execute(
            select(
                ExportBlockRecord.id,
                ExportBlockRecord.responses,
                ExportBlockRecord.data.is_not(None),
            ).order_by(ExportBlockRecord.id)
        )
        return [(a, b, bool(c)) for a, b, c in rows]


def _members(engine: Engine, block_id: int) -> list[str]:
    with transaction(engine) as session:
        return list(
            session.scalars(
                select(ExportBlockMemberRecord.response_id).where(
                    ExportBlockMemberRecord.block_id == block_id
                )
            )
        )


def _change(engine: Engine, response_id: str, **values: Any) -> None:
    """Update one response's columns, in a transaction of its own."""
    with transaction(engine) as session:
        session.execute(
            update(ResponseRecord)
            .where(ResponseRecord.id == response_id)
            .values(**values)
        )


def _ids(data: ExportData) -> list[str]:
    return data.main.frame["_id"].tolist()


def test_an_export_makes_blocks_and_the_next_reads_them(study) -> None:
    engine, _ = study
    from_rows = _load(engine, keep_blocks=False)
    assert _blocks(engine) == []
    making = _load(engine, keep_blocks=True)
    assert [(n, filled) for _, n, filled in _blocks(engine)] == [(4, True), (4, True)]
    reading = _load(engine, keep_blocks=False)
    assert len(_ids(reading)) == RESPONSES
    assert_same_export(from_rows, making)
    assert_same_export(from_rows, reading)
    # A second export makes no more: 3 responses fill no block.
    _load(engine, keep_blocks=True)
    assert len(_blocks(engine)) == 2


def test_blocks_kept_ahead_are_those_an_export_would_make(study) -> None:
    engine, _ = study
    from_rows = _load(engine, keep_blocks=False)
    assert keep_export_blocks(engine=engine) == 2 * BLOCK
    assert keep_export_blocks(engine=engine) == 0
    assert [(n, filled) for _, n, filled in _blocks(engine)] == [(4, True), (4, True)]
    assert_same_export(from_rows, _load(engine, keep_blocks=False))


def test_a_deleted_response_takes_its_block_with_it(study) -> None:
    engine, settings = study
    _load(engine, keep_blocks=True)
    (first, _, _), (second, _, _) = _blocks(engine)
    erased = _members(engine, first)[0]
    with transaction(engine) as session:
        delete_response(
            session=session,
            actor=LOCAL_ADMIN,
            response_id=erased,
            limits=UploadLimits.from_settings(settings),
        )
    assert [block for block, *_ in _blocks(engine)] == [second]
    assert _members(engine, first) == []
    data = _load(engine, keep_blocks=False)
    assert erased not in _ids(data)
    assert len(_ids(data)) == RESPONSES - 1
    assert erased not in data.table("tool").frame["_parent_id"].tolist()


def test_a_changed_response_is_exported_as_it_is_now(study) -> None:
    engine, _ = study
    _load(engine, keep_blocks=True)
    (first, _, _), (second, _, _) = _blocks(engine)
    changed = _members(engine, second)[1]
    _change(engine, changed, attributes={"directorate": "dfa"})
    assert [block for block, *_ in _blocks(engine)] == [first]
    frame = _load(engine, keep_blocks=False).main.frame.set_index("_id")
    assert frame.loc[changed, "_attr_directorate"] == "dfa"
    assert (frame.drop(index=changed)["_attr_directorate"] == "dsin").all()


def test_blocks_read_again_come_from_memory_until_a_response_changes(study) -> None:
    engine, _ = study
    data_reads: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def watch(_conn, _cursor, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT export_blocks.id, export_blocks.data"):
            data_reads.append(statement)

    from_rows = _load(engine, keep_blocks=False)
    _load(engine, keep_blocks=True)
    (first, _, _), (second, _, _) = _blocks(engine)
    data_reads.clear()
    first_reading = _load(engine, keep_blocks=False)
    assert len(data_reads) == 1  # both blocks' data, once
    second_reading = _load(engine, keep_blocks=False)
    assert len(data_reads) == 1  # read from memory
    assert_same_export(from_rows, first_reading)
    assert_same_export(from_rows, second_reading)

    changed = _members(engine, second)[0]
    _change(engine, changed, attributes={"directorate": "dfa"})
    kept_before = len(BLOCK_DATA)
    frame = _load(engine, keep_blocks=False).main.frame.set_index("_id")
    assert frame.loc[changed, "_attr_directorate"] == "dfa"
    assert len(frame) == RESPONSES
    assert len(BLOCK_DATA) == kept_before - 1  # the dropped block is forgotten
    assert len(data_reads) == 1  # the first block still from memory


def test_only_a_change_of_a_response_that_was_completed_drops_its_block(
    study,
) -> None:
    # A response in progress is in no filled block, so a page's save runs no
    # trigger. One is planted in a block here to see the trigger keep still.
    engine, _ = study
    _load(engine, keep_blocks=True)
    (first, _, _), (second, _, _) = _blocks(engine)
    reopened = _members(engine, first)[0]
    _change(engine, reopened, status="in_progress", completed_on=None)
    assert [block for block, *_ in _blocks(engine)] == [second]
    with transaction(engine) as session:
        session.add(ExportBlockMemberRecord(response_id=reopened, block_id=second))
    _change(engine, reopened, revision=99, current_page="p2")
    assert [block for block, *_ in _blocks(engine)] == [second]


def test_a_response_changed_while_its_block_is_made_leaves_it_unfilled(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = study
    encode = exports.batch_to_bytes
    changed: list[str] = []

    def change_one_then_encode(batch: Any) -> bytes:
        if not changed:  # between the block's reading and its filling
            changed.append(batch.ids[0])
            _change(engine, changed[0], attributes={"directorate": "late"})
        return encode(batch)

    monkeypatch.setattr(exports, "batch_to_bytes", change_one_then_encode)
    data = _load(engine, keep_blocks=True)
    # The first block was dropped by the change: only the second was kept.
    assert [(n, filled) for _, n, filled in _blocks(engine)] == [(4, True)]
    frame = data.main.frame.set_index("_id")
    assert frame.loc[changed[0], "_attr_directorate"] == "late"
    assert len(frame) == RESPONSES
    assert (
        _load(engine, keep_blocks=False)
        .main.frame.set_index("_id")
        .loc[changed[0], "_attr_directorate"]
        == "late"
    )


def test_a_response_deleted_before_its_claim_is_in_no_block(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, settings = study
    claim = exports._claim_block
    deleted: list[str] = []

    def delete_one_then_claim(
        engine: Engine, instrument: Any, candidates: list[str]
    ) -> Any:
        if not deleted:  # after the candidates were read, before the trigger guards them
            deleted.append(candidates[0])
            with transaction(engine) as session:
                delete_response(
                    session=session,
                    actor=LOCAL_ADMIN,
                    response_id=candidates[0],
                    limits=UploadLimits.from_settings(settings),
                )
        return claim(engine, instrument, candidates)

    monkeypatch.setattr(exports, "_claim_block", delete_one_then_claim)
    data = _load(engine, keep_blocks=True)
    assert deleted[0] not in _ids(data)
    assert len(_ids(data)) == RESPONSES - 1
    # The block it was claimed in was dropped when read; the other was kept.
    blocks = _blocks(engine)
    assert [(n, filled) for _, n, filled in blocks] == [(4, True)]
    assert deleted[0] not in _members(engine, blocks[0][0])
    assert len(_ids(_load(engine, keep_blocks=True))) == RESPONSES - 1
    assert len(_blocks(engine)) == 2


def test_blocks_of_another_layout_or_left_unfilled_are_not_read_and_are_replaced(
    study,
) -> None:
    engine, _ = study
    from_rows = _load(engine, keep_blocks=False)
    _load(engine, keep_blocks=True)
    (first, _, _), (second, _, _) = _blocks(engine)
    with transaction(engine) as session:
        session.execute(
            update(ExportBlockRecord)
            .where(ExportBlockRecord.id == first)
            .values(layout=0)
        )
        # A claim whose maker died long ago.
        session.execute(
            update(ExportBlockRecord)
            .where(ExportBlockRecord.id == second)
            .values(data=None, claimed_at=utcnow() - timedelta(hours=1))
        )
    assert_same_export(from_rows, _load(engine, keep_blocks=False))
    assert_same_export(from_rows, _load(engine, keep_blocks=True))
    blocks = _blocks(engine)
    assert [(n, filled) for _, n, filled in blocks] == [(4, True), (4, True)]
    assert {block for block, *_ in blocks}.isdisjoint({first, second})


def test_in_progress_responses_are_read_beside_the_blocks(study) -> None:
    engine, _ = study
    _load(engine, keep_blocks=True)
    (first, _, _), (second, _, _) = _blocks(engine)
    ongoing = _members(engine, first)[0]
    _change(engine, ongoing, status="in_progress", completed_on=None)
    with transaction(engine) as session:
        everything = load_export(
            session=session, form_id="tools", include_in_progress=True, keep_blocks=True
        )
        blocked = session.scalar(
            select(func.count()).select_from(ExportBlockMemberRecord)
        )
    status = everything.main.frame.set_index("_id")["_status"]
    assert len(status) == RESPONSES
    assert status[ongoing] == "in_progress"
    # Its block was dropped; the export made a new one of 4 of the 6
    # completed responses then in none (2 are left in rows).
    assert blocked == 4 + 4
    assert [block for block, *_ in _blocks(engine)][0] == second
    assert ongoing not in _members(engine, second)


def test_nothing_is_made_in_a_session_on_a_connection(session: Session) -> None:
    form = parse_xlsform(TOOLS.encode(), filename="tools.md")
    add_instrument(session=session, form=form)
    configure_fielding(session=session, fielding=Fielding(form_id="tools"))
    add_synthetic_responses(session=session, form_id="tools", count=5, seed=1)
    data = load_export(session=session, form_id="tools", keep_blocks=True)
    assert len(_ids(data)) == 5
    assert session.scalar(select(func.count()).select_from(ExportBlockRecord)) == 0


def test_nothing_is_made_while_the_session_holds_sqlites_write_lock(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "BLOCK_RESPONSES", BLOCK)
    engine = _study(settings)

    def refuse(*_: Any) -> None:
        raise AssertionError("a claim would wait for the session's own lock")

    monkeypatch.setattr(exports, "_claim_block", refuse)
    with transaction(engine) as session:
        session.execute(
            update(ResponseRecord)
            .where(ResponseRecord.id == session.scalar(select(ResponseRecord.id)))
            .values(current_page=None)
        )
        data = load_export(session=session, form_id="tools", keep_blocks=True)
    assert len(_ids(data)) == RESPONSES
    assert _blocks(engine) == []


def _rows_read_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the responses this thread's exports read from their rows."""
    read: list[str] = []
    rows_batch = exports._rows_batch
    here = threading.get_ident()

    def recording(*args: Any, **kwargs: Any) -> Any:
        batch = rows_batch(*args, **kwargs)
        if batch is not None and threading.get_ident() == here:
            read.extend(batch.ids)
        return batch

    monkeypatch.setattr(exports, "_rows_batch", recording)
    return read


def test_exports_at_once_share_the_making_and_read_each_others_blocks(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another export claims the block this one reaches for first, and fills it
    # while this one makes the other block: this one reads the first from its
    # block, not from rows.
    engine, _ = study
    from_rows = _load(engine, keep_blocks=False)
    claim = exports._claim_block
    theirs: list[int] = []

    def claimed_first_by_another(
        engine: Engine, instrument: Any, candidates: list[str]
    ) -> Any:
        if not theirs:
            theirs.append(claim(engine, instrument, candidates))
            threading.Timer(
                0.3, exports._fill_block, (engine, instrument, theirs[0], BLOCK, None)
            ).start()
        return claim(engine, instrument, candidates)

    monkeypatch.setattr(exports, "_claim_block", claimed_first_by_another)
    read = _rows_read_here(monkeypatch)
    shared = _load(engine, keep_blocks=True)
    assert_same_export(from_rows, shared)
    blocks = _blocks(engine)
    assert [(n, filled) for _, n, filled in blocks] == [(4, True), (4, True)]
    # Its own block's 4 and the 3 in no block; none of the other's.
    assert len(read) == len(set(read)) == 2 * BLOCK - 1
    assert set(read).isdisjoint(_members(engine, theirs[0]))


def test_an_export_waits_for_a_claim_left_unfilled_only_so_long(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = study
    from_rows = _load(engine, keep_blocks=False)
    monkeypatch.setattr(exports, "CLAIM_PATIENCE", timedelta(seconds=0.4))
    claim = exports._claim_block
    theirs: list[int] = []

    def claimed_by_a_maker_that_stops(
        engine: Engine, instrument: Any, candidates: list[str]
    ) -> Any:
        if not theirs:
            theirs.append(claim(engine, instrument, candidates))
        return claim(engine, instrument, candidates)

    monkeypatch.setattr(exports, "_claim_block", claimed_by_a_maker_that_stops)
    started = time.monotonic()
    assert_same_export(from_rows, _load(engine, keep_blocks=True))
    assert time.monotonic() - started >= 0.4
    # The claim is left to its maker, or to the next maker once stale.
    assert (theirs[0], 4, False) in _blocks(engine)


def test_an_export_stopped_while_making_a_block_leaves_no_claim(study) -> None:
    engine, _ = study

    def stop(_responses: int) -> None:
        raise RuntimeError("cancelled")  # as a cancelled job's progress does

    with pytest.raises(RuntimeError, match="cancelled"), transaction(engine) as session:
        load_export(session=session, form_id="tools", keep_blocks=True, tick=stop)
    assert _blocks(engine) == []


def test_an_export_locked_out_of_its_blocks_waits_for_no_claim(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another program holds SQLite's write lock past the timeout: the block
    # claimed cannot be filled nor removed, and waiting for it would be vain.
    engine, _ = study
    from_rows = _load(engine, keep_blocks=False)
    locked = OperationalError(
        "UPDATE", {}, sqlite3.OperationalError("database is locked")
    )

    def locked_out(*_: Any) -> None:
        raise locked

    waited: list[object] = []
    monkeypatch.setattr(exports, "_fill_block", locked_out)
    monkeypatch.setattr(exports, "_drop_block", locked_out)
    monkeypatch.setattr(exports, "_wait_for_claims", lambda *a: waited.append(a))
    assert_same_export(from_rows, _load(engine, keep_blocks=True))
    assert waited == []
    assert [(n, filled) for _, n, filled in _blocks(engine)] == [(4, False)]


def test_a_claim_of_another_layout_is_not_waited_for(
    study, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another version of sociaparis, making blocks this code never reads.
    engine, _ = study
    with transaction(engine) as session:
        [instrument] = exports._versions(session, "tools", None)
        some = list(session.scalars(select(ResponseRecord.id).limit(BLOCK)))
    block_id = exports._claim_block(engine, instrument, some)
    with transaction(engine) as session:
        session.execute(
            update(ExportBlockRecord)
            .where(ExportBlockRecord.id == block_id)
            .values(layout=0)
        )

    def no_sleep(_seconds: float) -> None:
        raise AssertionError("waited for a block it will never read")

    monkeypatch.setattr(
        exports, "time", SimpleNamespace(monotonic=time.monotonic, sleep=no_sleep)
    )
    made: dict = {}
    exports._wait_for_claims(engine, instrument, None, made)
    assert made == {}
