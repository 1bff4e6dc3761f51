"""Exporting the responses of a form: load them, run the engine, write the files.

Functions take the session keyword-only and never commit. The tables and
writers are pure (:mod:`sociaparis.survey.io`); this module only reads the
responses and takes each one's record from the form-logic engine on the
version it was answered on (kept when it was completed, else evaluated here:
:mod:`sociaparis.survey.records`), so that calculations and relevance are
exactly those of fielding.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    Integer,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from sociaparis.accounts.audit import record_audit
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.bulk import collector_paused
from sociaparis.core.config import Settings
from sociaparis.core.db import (
    is_lock_timeout,
    make_engine,
    sqlite_file,
    transaction,
    utcnow,
    write_lock,
)
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.block_cache import BLOCK_DATA, read_blocks
from sociaparis.survey.blocks import BLOCK_RESPONSES, CLAIM_PATIENCE, STALE_CLAIM
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.fielding.service import COMPLETED, get_fielding
from sociaparis.survey.fielding.uploads import UploadLimits, response_folder
from sociaparis.survey.instrument import FILE_TYPES
from sociaparis.survey.io.blocks import (
    BLOCK_LAYOUT,
    batch_from_bytes,
    batch_to_bytes,
    concat_batches,
    take_batch,
)
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.io.tables import (
    MEDIA_FOLDER,
    ExportData,
    ResponseBatch,
    RowColumns,
    batch_from_columns,
    build_export,
)
from sociaparis.survey.io.writers import (
    FORMATS,
    ExportResult,
    resolve_output,
    write_export,
)
from sociaparis.survey.metadata import filled_questions, metadata_values
from sociaparis.survey.models import (
    ExportBlockMemberRecord,
    ExportBlockRecord,
    InstrumentRecord,
    ResponseCountRecord,
    ResponseRecord,
)
from sociaparis.survey.records import RECORD_ENGINE, export_record
from sociaparis.survey.service import (
    StoredInstrument,
    get_instrument,
    list_instruments,
)

logger = logging.getLogger(__name__)

Tick = Callable[[int], None]
_CHUNK = 1000
_BY_ID = 5000  # responses read by id in one statement (SQLite: 32,766 at most)
_COLUMNS = (
    ResponseRecord.id,
    ResponseRecord.status,
    # The answers only where no record is kept: decoding them costs as much.
    type_coerce(
        case(
            (ResponseRecord.record_engine == RECORD_ENGINE, None),
            else_=ResponseRecord.answers,
        ),
        JSON,
    ).label("answers"),
    # As text, decoded here: the JSON type's result processor costs as much
    # again as the decoding at 100,000 responses.
    cast(ResponseRecord.record, Text).label("record"),
    ResponseRecord.record_engine,
    # Parsed once per distinct value: a few cells, whatever the responses.
    cast(ResponseRecord.attributes, Text).label("attributes"),
    ResponseRecord.synthetic,
    ResponseRecord.started_on,
    ResponseRecord.completed_on,
    ResponseRecord.started_at,
    ResponseRecord.updated_at,
)


def _versions(
    session: Session, form_id: str, version: str | None
) -> list[StoredInstrument]:
    stored = list_instruments(session=session, form_id=form_id)
    if not stored:
        raise SociaparisError(SurveyError.INSTRUMENT_NOT_FOUND, key=form_id)
    if version is None:
        return stored
    chosen = [s for s in stored if s.version == version]
    if not chosen:
        raise SociaparisError(
            ExportError.UNKNOWN_VERSION,
            form_id=form_id,
            version=version,
            versions=", ".join(s.version for s in stored),
        )
    return chosen


def _query(ids: list[int], include_in_progress: bool) -> Select[Any]:
    query = select(ResponseRecord).where(ResponseRecord.instrument_id.in_(ids))
    if not include_in_progress:
        query = query.where(ResponseRecord.status == COMPLETED)
    return query


def count_responses(
    *,
    session: Session,
    form_id: str,
    version: str | None = None,
    include_in_progress: bool = False,
) -> int:
    """How many responses :func:`load_export` would export.

    Read from the counts kept as responses are written
    (:mod:`sociaparis.survey.counts`), a few hundred rows whatever the number
    of responses, not by counting the responses: the page that starts an
    export asks.

    Raises
    ------
    SociaparisError
        ``SURVEY_030`` (unknown form), ``EXPORT_005`` (unknown version).
    """
    ids = [s.id for s in _versions(session, form_id, version)]
    return _kept_count(session, ids, include_in_progress)


def _kept_count(
    session: Session, instrument_ids: list[int], include_in_progress: bool
) -> int:
    """How many responses of these versions there are (only the completed
    ones unless ``include_in_progress``), from ``response_counts``."""
    counts = ResponseCountRecord
    query = select(func.sum(counts.n)).where(counts.instrument_id.in_(instrument_ids))
    if not include_in_progress:
        query = query.where(counts.status == COMPLETED)
    return int(session.execute(query).scalar_one() or 0)


def keep_records(*, session: Session, chunk: int = _CHUNK) -> int:
    """Keep the record of every completed response that has none kept.

    For responses stored before records were kept on completion (the
    migration that added them runs this), or whose record an older engine
    computed (:data:`~sociaparis.survey.records.RECORD_ENGINE`). Responses in
    progress keep none: their answers still change.

    Parameters
    ----------
    session
        Open session (written to, not committed).
    chunk
        Responses read and written at a time.

    Returns
    -------
    int
        How many records were computed.
    """
    stale = or_(
        ResponseRecord.record_engine.is_(None),
        ResponseRecord.record_engine != RECORD_ENGINE,
    )
    versions = session.scalars(
        select(ResponseRecord.instrument_id)
        .where(ResponseRecord.status == COMPLETED, stale)
        .distinct()
    ).all()
    table = ResponseRecord.__table__
    update_record = (
        update(table)
        .where(table.c.id == bindparam("response_id"))
        .values(
            record=bindparam("record", type_=table.c.record.type),
            record_engine=RECORD_ENGINE,
        )
    )
    kept = 0
    for instrument_id in versions:
        instrument = get_instrument(
            session=session, instrument_id=instrument_id
        ).instrument
        after = ""
        while True:
            rows = session.execute(
                select(
                    ResponseRecord.id,
                    ResponseRecord.answers,
                    ResponseRecord.started_on,
                    ResponseRecord.completed_on,
                    ResponseRecord.updated_at,
                )
                .where(
                    ResponseRecord.instrument_id == instrument_id,
                    ResponseRecord.status == COMPLETED,
                    stale,
                    ResponseRecord.id > after,
                )
                .order_by(ResponseRecord.id)
                .limit(chunk)
            ).all()
            if not rows:
                break
            session.execute(
                update_record,
                [
                    {
                        "response_id": row.id,
                        "record": export_record(
                            instrument,
                            row.answers or {},
                            started_on=row.started_on,
                            completed_on=row.completed_on,
                            updated_at=row.updated_at,
                        ),
                    }
                    for row in rows
                ],
            )
            kept += len(rows)
            after = rows[-1].id
    return kept


def load_export(
    *,
    session: Session,
    form_id: str,
    version: str | None = None,
    include_in_progress: bool = False,
    tick: Tick | None = None,
    keep_blocks: bool = False,
) -> ExportData:
    """The export tables of a form's responses.

    Parameters
    ----------
    session
        Open session.
    form_id
        The form (all its stored versions, or only ``version``).
    version
        A version label, or None for every version.
    include_in_progress
        Also export responses that are not completed (``_status`` says which).
    tick
        Called with a number of responses each time a chunk is evaluated.
    keep_blocks
        Also put the completed responses in no export block into new blocks
        (:mod:`sociaparis.survey.blocks`), in short write transactions of
        their own, so that the next reading is faster: for a job or a
        command, not a page (nothing is made on a database in memory).

    Returns
    -------
    ExportData
        The main table and one table per repeat.

    Raises
    ------
    SociaparisError
        ``SURVEY_030`` (unknown form), ``EXPORT_005`` (unknown version),
        ``EXPORT_003`` (no completed response to export), ``EXPORT_008`` (none
        at all, with ``include_in_progress``).
    """
    stored = _versions(session, form_id, version)
    try:
        attributes = get_fielding(session=session, form_id=form_id).recorded_attributes
    except SociaparisError:
        attributes = ()
    # Millions of decoded cells and no cycle among them: the collector's walks
    # over them would add up to a third to the reading (reports and pages
    # read them too, not only the export files).
    with collector_paused():
        batches = [
            batch
            for instrument in stored
            if (
                batch := _version_batch(
                    session, instrument, include_in_progress, tick, keep_blocks
                )
            )
            is not None
        ]
        if not batches:
            raise SociaparisError(
                ExportError.NO_RESPONSE
                if include_in_progress
                else ExportError.NOTHING_TO_EXPORT,
                form_id=form_id,
                versions=", ".join(s.version for s in stored),
            )
        newest = stored[-1]
        if batches[-1].instrument is not newest.instrument:
            # The newest version gives the column order and texts, even without
            # responses.
            batches.append(ResponseBatch(newest.instrument, newest.version, [], {}))
        observed = [k for b in batches for k in b.attributes]
        named = list(dict.fromkeys([*attributes, *observed]))
        return build_export(batches, attributes=named)


def _version_batch(
    session: Session,
    instrument: StoredInstrument,
    include_in_progress: bool,
    tick: Tick | None,
    keep_blocks: bool,
) -> ResponseBatch | None:
    """The responses to one stored version as a batch (None if it has none):
    its export blocks, the rows of the responses in none, and, with
    ``keep_blocks``, the blocks made now (:mod:`sociaparis.survey.blocks`)."""
    engine = _blocks_engine(session) if keep_blocks else None
    made: dict[int, ResponseBatch] = {}
    if engine is not None:
        _make_blocks_unless_locked(engine, instrument, tick, made, wait_for_others=True)
    kept = _read_blocks(session, instrument, skip=set(made))
    if tick is not None:
        for batch in kept.values():
            tick(len(batch))
    query = _query([instrument.id], include_in_progress)
    queries = [query]
    if kept or made:
        # The others by id: their ids are read from the status index, which
        # holds them. A condition on the blocks (an anti-join with the
        # members) sends fewer bytes but costs the database more, and its
        # work slowed the respondents' commits more (docs/benchmarks.md).
        blocked = {i for piece in (*kept.values(), *made.values()) for i in piece.ids}
        found = session.connection().execute(query.with_only_columns(ResponseRecord.id))
        rest = [
            response_id for response_id in found.scalars() if response_id not in blocked
        ]
        queries = [
            query.where(ResponseRecord.id.in_(rest[start : start + _BY_ID]))
            for start in range(0, len(rest), _BY_ID)
        ]
    rows = _rows_batch(session, instrument, queries, tick)
    pieces = [piece for piece in (rows, *made.values(), *kept.values()) if piece]
    if not pieces:
        return None
    batch = concat_batches(_each_response_once(pieces))
    # Ordered here rather than by the query: the database would sort whole
    # rows, records included (0.65 s of 1.5 s at 100,000 on SQLite).
    started_on = np.asarray(batch.started_on, dtype=object)
    return take_batch(
        batch, np.lexsort((np.asarray(batch.ids, dtype=object), started_on))
    )


def _each_response_once(pieces: list[ResponseBatch]) -> list[ResponseBatch]:
    """The pieces without a response met in an earlier piece.

    A response is in two pieces only when a block was dropped or made while
    the export read (PostgreSQL reads each statement as committed when it
    starts; a block made now is read after the export's snapshot on SQLite):
    the earlier piece (the rows, then the blocks made now) is kept.
    """
    seen: set[str] = set()
    unique: list[ResponseBatch] = []
    for piece in pieces:
        keep = [n for n, response_id in enumerate(piece.ids) if response_id not in seen]
        if len(keep) < len(piece):
            piece = take_batch(piece, keep)
        if len(piece):
            unique.append(piece)
        seen.update(piece.ids)
    return unique


def _rows_batch(
    session: Session,
    instrument: StoredInstrument,
    queries: Sequence[Select[Any]],
    tick: Tick | None,
) -> ResponseBatch | None:
    """The responses ``queries`` select, from their rows, in the order read
    (None if they select none)."""
    ids: list[str] = []
    columns = RowColumns(instrument.instrument)
    records: list[list[Any]] = []
    rows_meta: list[tuple[Any, ...]] = []
    found_attributes: list[dict[str, str]] = []
    parsed: dict[str | None, dict[str, str]] = {}
    positions = {name: n for n, name in enumerate(columns.names)}
    filled = [
        (name, positions[name])
        for name, _ in filled_questions(instrument.instrument)
        if name in positions
    ]
    # Plain rows on the session's connection: the ORM's rows cost more
    # than the query itself at 100,000 responses.
    rows = (
        row
        for query in queries
        for row in session.connection().execute(
            query.with_only_columns(*_COLUMNS).execution_options(yield_per=_CHUNK)
        )
    )
    loads = json.loads
    for row in rows:
        (
            response_id,
            status,
            answers,
            kept,
            kept_by,
            attributes_text,
            synthetic,
            started_on,
            completed_on,
            started_at,
            updated_at,
        ) = row
        record = loads(kept) if kept_by == RECORD_ENGINE and kept else None
        if record is None:
            record = export_record(
                instrument.instrument,
                answers,
                started_on=started_on,
                completed_on=completed_on,
                updated_at=updated_at,
            )
        if filled:
            values = metadata_values(
                instrument.instrument,
                started_on=started_on,
                started_at=started_at,
                completed_on=completed_on,
                updated_at=updated_at,
            )
            for name, position in filled:
                record[position] = values[name]
        records.append(record)
        ids.append(response_id)
        rows_meta.append(
            (status, started_on, completed_on, started_at, updated_at, synthetic)
        )
        found = parsed.get(attributes_text)
        if found is None:
            loaded = loads(attributes_text) if attributes_text else None
            found = parsed[attributes_text] = loaded if isinstance(loaded, dict) else {}
        found_attributes.append(found)
        if len(records) == _CHUNK:
            # Into columns now, so that the decoded rows are dropped as read.
            columns.add(records)
            records.clear()
            if tick is not None:
                tick(_CHUNK)
    columns.add(records)
    if tick is not None and records:
        tick(len(records))
    if not ids:
        return None
    status, started_on, submitted_on, started_at, updated_at, synthetic = (
        list(column) for column in zip(*rows_meta, strict=True)
    )
    keys = list(dict.fromkeys(k for found in found_attributes for k in found))
    return batch_from_columns(
        instrument.version,
        ids,
        columns,
        attributes={k: [found.get(k) for found in found_attributes] for k in keys},
        status=status,
        started_on=started_on,
        submitted_on=submitted_on,
        started_at=started_at,
        updated_at=updated_at,
        synthetic=[bool(flag) for flag in synthetic],
    )


# -- export blocks (sociaparis.survey.blocks) ------------------------------------------


def _blocks_engine(session: Session) -> Engine | None:
    """The engine blocks can be made through: a database file or server the
    session reads from, in transactions of their own (None in memory, or
    when the session has written to a SQLite file)."""
    bind = session.get_bind()
    if not isinstance(bind, Engine) or not _keeps_blocks(bind):
        return None
    if bind.dialect.name == "sqlite":
        # A session that has written holds SQLite's write lock until it
        # commits: a claim, on a connection of its own, would wait for it.
        driver = session.connection().connection.driver_connection
        return None if getattr(driver, "in_transaction", True) else bind
    return bind


def _keeps_blocks(engine: Engine) -> bool:
    """Whether blocks are made on ``engine``'s database: a SQLite file or
    PostgreSQL, where other connections see them."""
    return engine.dialect.name == "postgresql" or sqlite_file(engine) is not None


def _read_blocks(
    session: Session,
    instrument: StoredInstrument,
    skip: set[int],
    among: set[int] | None = None,
) -> dict[int, ResponseBatch]:
    """The filled export blocks of a version, by block id, as batches.

    Only blocks this code reads (:func:`_readable_blocks`); their responses
    are read from their rows otherwise. ``skip``: ids of blocks not to read;
    ``among``: only these blocks (None: all).
    """
    filled = and_(_readable_blocks(instrument), ExportBlockRecord.data.is_not(None))
    listing = select(ExportBlockRecord.id, ExportBlockRecord.claimed_at).where(filled)
    if among is not None:
        listing = listing.where(ExportBlockRecord.id.in_(among))
    listed: dict[int, datetime] = dict(session.execute(listing).all())

    def fetch(block_ids: list[int]) -> dict[int, bytes]:
        query = select(ExportBlockRecord.id, ExportBlockRecord.data).where(
            filled, ExportBlockRecord.id.in_(block_ids)
        )
        return {block_id: data for block_id, data in session.execute(query) if data}

    stored = read_blocks(
        BLOCK_DATA,
        _database_name(session),
        instrument.id,
        {block_id: at for block_id, at in listed.items() if block_id not in skip},
        fetch,
        complete=among is None and not skip,
    )
    return {
        block_id: batch_from_bytes(instrument.instrument, data)
        for block_id, data in stored.items()
    }


def _database_name(session: Session) -> str:
    """The address of the session's database (without its password)."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _readable_blocks(instrument: StoredInstrument) -> ColumnElement[bool]:
    """The blocks of a version made with this code's layout and engine
    (:data:`~sociaparis.survey.io.blocks.BLOCK_LAYOUT`,
    :data:`~sociaparis.survey.records.RECORD_ENGINE`), filled or claimed."""
    return and_(
        ExportBlockRecord.instrument_id == instrument.id,
        ExportBlockRecord.layout == BLOCK_LAYOUT,
        ExportBlockRecord.record_engine == RECORD_ENGINE,
    )


def keep_export_blocks(*, engine: Engine) -> int:
    """Put the completed responses of every form that are in no export block
    into new blocks (:mod:`sociaparis.survey.blocks`), as an export does.

    Run by the job workers every five minutes, so that the first export after
    a wave of responses finds their blocks made. Each version costs two counts
    when it has fewer than :data:`~sociaparis.survey.blocks.BLOCK_RESPONSES`
    responses in no block; nothing is made on a database in memory.

    Returns
    -------
    int
        How many responses were put in blocks.
    """
    if not _keeps_blocks(engine):
        return 0
    with transaction(engine) as session:
        versions = [
            get_instrument(session=session, instrument_id=instrument_id)
            for instrument_id in session.scalars(
                select(ResponseRecord.instrument_id)
                .where(ResponseRecord.status == COMPLETED)
                .distinct()
            )
        ]
    return sum(
        _make_blocks_unless_locked(engine, instrument, None, None)
        for instrument in versions
    )


def _make_blocks_unless_locked(
    engine: Engine,
    instrument: StoredInstrument,
    tick: Tick | None,
    made: dict[int, ResponseBatch] | None,
    *,
    wait_for_others: bool = False,
) -> int:
    """:func:`_make_blocks`, then with ``wait_for_others``
    :func:`_wait_for_claims` (into ``made``); or 0 when another program held
    SQLite's write lock all along: the responses it could not put in blocks
    are read from their rows, and no claim is waited for (filling it takes
    that lock too, and the export's own claim may be the one left)."""
    try:
        kept = _make_blocks(engine, instrument, tick, made)
    except DBAPIError as exc:
        if not is_lock_timeout(exc):
            raise
        logger.warning("export blocks of %s not made: %s", instrument.version, exc)
        return 0
    if wait_for_others and made is not None:
        _wait_for_claims(engine, instrument, tick, made)
    return kept


def _make_blocks(
    engine: Engine,
    instrument: StoredInstrument,
    tick: Tick | None,
    made: dict[int, ResponseBatch] | None,
) -> int:
    """Make the blocks of the responses of a version in none
    (:mod:`sociaparis.survey.blocks`: claim, read, fill); add the batches made
    to ``made`` (by block id) as they are kept, unless None; return how many
    responses were put in blocks."""
    kept = 0
    _drop_stale_blocks(engine, instrument)
    with transaction(engine) as session:
        # Plain rows on the connection: the ORM's cost more than the query.
        read = session.connection().execute
        in_blocks = _in_blocks(instrument)
        completed_ids = select(ResponseRecord.id).where(
            ResponseRecord.instrument_id == instrument.id,
            ResponseRecord.status == COMPLETED,
        )
        # Counted first, from the kept counts and the blocks' sizes: most
        # exports find no new block to make, and these read a few rows where
        # the ids are one index entry a response.
        blocks_size = select(
            func.coalesce(func.sum(ExportBlockRecord.responses), 0)
        ).where(ExportBlockRecord.instrument_id == instrument.id)
        outside = _kept_count(session, [instrument.id], False) - int(
            read(blocks_size).scalar_one()
        )
        if outside < BLOCK_RESPONSES:
            return kept
        completed = read(completed_ids).scalars()
        blocked = set(read(in_blocks).scalars())
        candidates = sorted(set(completed) - blocked)
    while len(candidates) >= BLOCK_RESPONSES:
        # A whole block of the candidates, drawn at random so that exports
        # making blocks at the same time seldom reach for the same ones.
        start = random.randrange(len(candidates) // BLOCK_RESPONSES) * BLOCK_RESPONSES
        claimed = candidates[start : start + BLOCK_RESPONSES]
        block_id = _claim_block(engine, instrument, claimed)
        if block_id is None:
            # Another export claimed some of them first: leave it all it claimed.
            taken = _claimed_ids(engine, instrument)
            if taken.isdisjoint(claimed):
                break  # and dropped its claim since: read the rest from rows
            candidates = [c for c in candidates if c not in taken]
            continue
        del candidates[start : start + BLOCK_RESPONSES]
        try:
            batch = _fill_block(engine, instrument, block_id, len(claimed), tick)
        except BaseException:
            # Stopped (a job cancelled): no claim left behind. If the database
            # is what failed, the claim goes stale instead.
            with contextlib.suppress(DBAPIError):
                _drop_block(engine, block_id)
            raise
        if batch is None:
            continue
        kept += len(batch)
        if made is not None:
            made[block_id] = batch
    return kept


def _fill_block(
    engine: Engine,
    instrument: StoredInstrument,
    block_id: int,
    members: int,
    tick: Tick | None,
) -> ResponseBatch | None:
    """Read the responses of a claimed block and keep them in it; the batch
    kept, or None if the block was dropped instead."""
    with transaction(engine) as session:
        member_ids = select(ExportBlockMemberRecord.response_id).where(
            ExportBlockMemberRecord.block_id == block_id
        )
        batch = _rows_batch(
            session,
            instrument,
            [select(ResponseRecord).where(ResponseRecord.id.in_(member_ids))],
            tick,
        )
    if batch is None or not _holds(batch, members):
        # One was deleted or is no longer completed since the candidates were
        # read (before the claim, so the trigger did not see it).
        _drop_block(engine, block_id)
        return None
    data = batch_to_bytes(batch)
    with write_lock(engine), transaction(engine) as session:
        filled = session.execute(
            update(ExportBlockRecord)
            .where(ExportBlockRecord.id == block_id, ExportBlockRecord.data.is_(None))
            .values(data=data, responses=len(batch))
        ).rowcount
    # Not filled: one of its responses changed since the claim and the trigger
    # dropped the block; its responses are read from their rows.
    return batch if filled else None


def _drop_block(engine: Engine, block_id: int) -> None:
    """Delete a block and, by its foreign key, its members."""
    with write_lock(engine), transaction(engine) as session:
        session.execute(delete(ExportBlockRecord).where(ExportBlockRecord.id == block_id))


def _in_blocks(instrument: StoredInstrument) -> Select[Any]:
    """The ids of the responses of a version that are in a block, filled or
    claimed."""
    return (
        select(ExportBlockMemberRecord.response_id)
        .join(ExportBlockRecord)
        .where(ExportBlockRecord.instrument_id == instrument.id)
    )


def _claimed_ids(engine: Engine, instrument: StoredInstrument) -> set[str]:
    """The responses of a version that are in a block, filled or claimed, now."""
    with transaction(engine) as session:
        return set(session.connection().execute(_in_blocks(instrument)).scalars())


#: Seconds between two looks at the blocks other exports are filling.
_CLAIM_POLL_S = 0.05


def _wait_for_claims(
    engine: Engine,
    instrument: StoredInstrument,
    tick: Tick | None,
    made: dict[int, ResponseBatch],
) -> None:
    """Wait for the blocks of a version that other exports claimed and have
    not filled yet, and add each to ``made`` once filled, so that their
    responses are not read from rows (:mod:`sociaparis.survey.blocks`).

    Gives up on those still unfilled when none was filled or dropped for
    :data:`~sociaparis.survey.blocks.CLAIM_PATIENCE`: their maker may have
    stopped without removing its claim. Claims of another layout or engine
    (another version of sociaparis making blocks) are not waited for: their
    blocks are never read.
    """
    patience = CLAIM_PATIENCE.total_seconds()
    unfilled = select(ExportBlockRecord.id).where(
        _readable_blocks(instrument),
        ExportBlockRecord.data.is_(None),
        ExportBlockRecord.claimed_at >= utcnow() - STALE_CLAIM,
    )
    with transaction(engine) as session:
        waiting = set(session.scalars(unfilled))
    last_change = time.monotonic()
    while waiting and time.monotonic() - last_change < patience:
        time.sleep(_CLAIM_POLL_S)
        with transaction(engine) as session:
            now_unfilled = set(session.scalars(unfilled))
            filled = _read_blocks(
                session, instrument, skip=set(made), among=waiting - now_unfilled
            )
        made.update(filled)
        if tick is not None:
            for batch in filled.values():
                tick(len(batch))
        if now_unfilled != waiting:
            last_change = time.monotonic()
        # Claims made meanwhile are waited for too.
        waiting = now_unfilled


def _holds(batch: ResponseBatch, members: int) -> bool:
    """Whether a block's batch holds all its members, each completed."""
    status = batch.status
    return (
        len(batch) == members
        and status is not None
        and all(value == COMPLETED for value in status)
    )


def _drop_stale_blocks(engine: Engine, instrument: StoredInstrument) -> None:
    """Delete the blocks of a version that are of another layout or engine
    (never read), or claims left without data for :data:`STALE_CLAIM`
    (their maker is gone), so that their responses go into new blocks."""
    stale = select(ExportBlockRecord.id).where(
        ExportBlockRecord.instrument_id == instrument.id,
        or_(
            ExportBlockRecord.layout != BLOCK_LAYOUT,
            ExportBlockRecord.record_engine != RECORD_ENGINE,
            and_(
                ExportBlockRecord.data.is_(None),
                ExportBlockRecord.claimed_at < utcnow() - STALE_CLAIM,
            ),
        ),
    )
    with transaction(engine) as session:
        found = session.scalars(stale).all()
    if found:  # read first: most exports find none, and take no write lock
        with write_lock(engine), transaction(engine) as session:
            session.execute(
                delete(ExportBlockRecord).where(ExportBlockRecord.id.in_(found))
            )


def _members_insert(engine: Engine, block_id: int, ids: list[str]) -> tuple[Any, ...]:
    """The statement and parameters that write a block's members.

    On PostgreSQL one statement for the whole block (the ids as one array):
    2,500 statements of one row cost its server process, which runs at normal
    priority beside the respondents' pages while the export job runs niced,
    about 0.1 s more for 20,000 responses (docs/benchmarks.md). On SQLite the
    rows are written in the export's own process: many rows in one statement
    only add the statement's compilation.
    """
    if engine.dialect.name == "postgresql":
        return (
            insert(ExportBlockMemberRecord).from_select(
                ["response_id", "block_id"],
                select(
                    func.unnest(bindparam("ids", type_=ARRAY(String))),
                    literal(block_id, Integer),
                ),
            ),
            {"ids": ids},
        )
    return (
        insert(ExportBlockMemberRecord),
        [{"response_id": i, "block_id": block_id} for i in ids],
    )


def _claim_block(
    engine: Engine, instrument: StoredInstrument, candidates: list[str]
) -> int | None:
    """Claim ``candidates`` as a new block's members; its id (None if another
    export claimed one of them first).

    Only the members' keys are written: checking each response's row here
    would hold the write lock while 2,500 rows are read. What the block holds
    is checked when it is read (:func:`_make_blocks`).
    """
    try:
        with write_lock(engine), transaction(engine) as session:
            block = ExportBlockRecord(
                instrument_id=instrument.id,
                layout=BLOCK_LAYOUT,
                record_engine=RECORD_ENGINE,
                responses=len(candidates),
                claimed_at=utcnow(),
            )
            session.add(block)
            session.flush()
            session.connection().execute(*_members_insert(engine, block.id, candidates))
            return block.id
    except IntegrityError:
        return None  # another export claimed some of them since they were read


def export_form(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    out: Path,
    fmt: str | None = None,
    lang: str | None = None,
    version: str | None = None,
    include_in_progress: bool = False,
    evaluated: Tick | None = None,
    written: Tick | None = None,
    data_dir: Path | None = None,
) -> ExportResult:
    """Export a form's responses to ``out`` (files: :func:`~.io.write_export`).

    ``evaluated`` and ``written`` are progress callbacks (responses evaluated,
    rows written). With ``data_dir`` (the data folder), the files of file
    questions are copied into ``out``'s ``media/`` folder. ``EXPORT_007``
    unless ``actor``'s role may export; the export is written to the audit log.
    """
    require_export(Role(actor.role))
    resolve_output(Path(out), fmt, form_id)  # refuse a bad format before the work
    with collector_paused():
        data = load_export(
            session=session,
            form_id=form_id,
            version=version,
            include_in_progress=include_in_progress,
            tick=evaluated,
            keep_blocks=True,
        )
        media = media_files(data, data_dir) if data_dir is not None else {}
        result = write_export(
            data, out=Path(out), fmt=fmt, lang=lang, tick=written, media=media
        )
    _record_export(session, actor, form_id, result.format, version, include_in_progress)
    return result


def _record_export(
    session: Session,
    actor: Account,
    form_id: str,
    fmt: str,
    version: str | None,
    include_in_progress: bool,
) -> None:
    # Written after the files: on SQLite the write lock is then held for a
    # moment, not for the whole export.
    details: dict[str, Any] = {"format": fmt}
    if version:
        details["version"] = version
    if include_in_progress:
        details["in_progress"] = True
    record_audit(
        session=session,
        actor=actor,
        action="export.data",
        target=form_id,
        details=details,
    )


def media_files(data: ExportData, data_dir: Path) -> dict[str, Path]:
    """The files the file questions of an export name: path in the export to
    the stored file (in the response's folder of the data folder's uploads).
    """
    limits = UploadLimits(Path(data_dir))
    found: dict[str, Path] = {}
    for table in data.tables:
        columns = [
            v.name
            for v in table.variables
            if v.kind == "question" and v.question_type in FILE_TYPES
        ]
        if not columns:
            continue
        owner = table.frame["_parent_id" if table.is_repeat else "_id"]
        for column in columns:
            for response_id, path in zip(owner, table.frame[column], strict=True):
                if isinstance(path, str) and path.startswith(f"{MEDIA_FOLDER}/"):
                    name = path.removeprefix(f"{MEDIA_FOLDER}/")
                    folder = response_folder(limits, str(response_id))
                    found[path] = folder / name
    return found


#: Deflate level of the archive: level 1 compresses a CSV nearly as well as the
#: default (6) in a fraction of the time; the big files are already written.
_ZIP_LEVEL = 1
#: Data files that are compressed archives themselves, stored as they are:
#: deflating an XLSX workbook again takes time and gains a few per cent.
_STORED_SUFFIXES = frozenset({".xlsx"})


def _write_archive(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    fmt: str,
    out: Path,
    lang: str | None,
    version: str | None,
    include_in_progress: bool,
    data_dir: Path | None,
    evaluated: Tick | None = None,
    written: Tick | None = None,
) -> Path:
    if fmt not in FORMATS:
        raise SociaparisError(
            ExportError.BAD_FORMAT, format=fmt, formats=", ".join(FORMATS)
        )
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{form_id}-{fmt}.zip"
    with tempfile.TemporaryDirectory(prefix="sociaparis-export-", dir=out) as folder:
        result = export_form(
            session=session,
            actor=actor,
            form_id=form_id,
            out=Path(folder),
            fmt=fmt,
            lang=lang,
            version=version,
            include_in_progress=include_in_progress,
            evaluated=evaluated,
            written=written,
            data_dir=data_dir,
        )
        with zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL
        ) as archive:
            for member in (*result.files, *result.dictionary):
                stored = member.suffix in _STORED_SUFFIXES
                archive.write(
                    member,
                    arcname=member.name,
                    compress_type=zipfile.ZIP_STORED if stored else None,
                )
            for member in result.media:
                archive.write(member, arcname=f"{MEDIA_FOLDER}/{member.name}")
    return path


def responses_version(*, session: Session, form_id: str) -> tuple[str, ...]:
    """What changes when the completed responses of a form change (for caches):
    its newest version, and the number, revisions and last change of its
    completed responses."""
    row = session.execute(
        select(
            func.max(InstrumentRecord.id),
            func.count(ResponseRecord.id),
            func.sum(ResponseRecord.revision),
            func.max(ResponseRecord.updated_at),
        )
        .select_from(ResponseRecord)
        .join(InstrumentRecord, ResponseRecord.instrument_id == InstrumentRecord.id)
        .where(InstrumentRecord.form_id == form_id, ResponseRecord.status == COMPLETED)
    ).one()
    return tuple(str(value) for value in row)


def require_export(role: Role) -> None:
    """``EXPORT_007`` unless ``role`` may download response data (``can_export``)."""
    if not role.can_export():
        raise SociaparisError(ExportError.NOT_ALLOWED, role=role.value)


def export_archive(
    *,
    session: Session,
    form_id: str,
    fmt: str,
    actor: Account,
    out: Path,
    lang: str | None = None,
    version: str | None = None,
    include_in_progress: bool = False,
    data_dir: Path | None = None,
    evaluated: Tick | None = None,
    written: Tick | None = None,
) -> Path:
    """Write the export of a form as one ZIP archive in the folder ``out``.

    What the researcher pages' download button serves (and
    ``benchmarks/export.py`` measures): the files of :func:`export_form` (data,
    dictionary in CSV and Markdown, ``datapackage.json`` and, with
    ``data_dir``, the files of file questions in ``media/``) in
    ``out/FORM_ID-FORMAT.zip``, written member by member from files on disk,
    never held in memory.

    Parameters
    ----------
    session
        Open session (only read).
    form_id, fmt, lang, version, include_in_progress, data_dir
        As :func:`export_form`; ``fmt`` is required.
    actor
        The person exporting (their role must allow it); written to the
        audit log.
    out
        The folder of the archive (created if needed); the intermediate files
        are written in a temporary folder inside it and removed.
    evaluated, written
        Progress callbacks, as :func:`export_form`.

    Returns
    -------
    Path
        The archive.

    Raises
    ------
    SociaparisError
        ``EXPORT_007`` (the role may not export), ``EXPORT_001`` (unknown
        format), ``SURVEY_030`` (unknown form), ``EXPORT_003`` (no response).
    """
    require_export(Role(actor.role))
    return _write_archive(
        session=session,
        actor=actor,
        form_id=form_id,
        fmt=fmt,
        out=out,
        lang=lang,
        version=version,
        include_in_progress=include_in_progress,
        data_dir=data_dir,
        evaluated=evaluated,
        written=written,
    )


def export_archive_apart(
    settings: Settings,
    *,
    form_id: str,
    fmt: str,
    actor: Account,
    out: Path,
    lang: str | None = None,
) -> Path:
    """:func:`export_archive` on a database connection of its own.

    For a process other than the web server's (the web route runs it in a
    worker process, so that the export's CPU work does not take the server's
    interpreter from the respondents' pages): opens the study's database from
    ``settings``, reads in one transaction, closes it.
    """
    engine = make_engine(settings)
    try:
        with transaction(engine) as session:
            return export_archive(
                session=session,
                form_id=form_id,
                fmt=fmt,
                actor=actor,
                out=out,
                lang=lang,
                data_dir=settings.data_dir,
            )
    finally:
        engine.dispose()


def export_zip(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    fmt: str,
    lang: str | None = None,
    version: str | None = None,
    include_in_progress: bool = False,
    data_dir: Path | None = None,
) -> tuple[str, bytes]:
    """The export of a form as one ZIP archive, in memory (small exports, Python).

    Returns
    -------
    tuple of (str, bytes)
        The archive's file name (``FORM_ID-FORMAT.zip``) and its bytes: the
        archive :func:`export_archive` writes (``EXPORT_007`` unless ``actor``'s
        role may export).
    """
    with tempfile.TemporaryDirectory(prefix="sociaparis-export-") as folder:
        path = export_archive(
            session=session,
            actor=actor,
            form_id=form_id,
            fmt=fmt,
            out=Path(folder),
            lang=lang,
            version=version,
            include_in_progress=include_in_progress,
            data_dir=data_dir,
        )
        return path.name, path.read_bytes()
