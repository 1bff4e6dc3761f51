"""Anonymity against someone who holds the stored data: the tests play the attacker.

Respondents consent and answer one after the other (the easiest case for an
attacker: no other traffic to hide in), each step committed as the respondent
pages commit it. The attacker then gets the database files (SQLite: the database
and its write-ahead log, replayed commit by commit; PostgreSQL: every table with
its system columns) and the researcher's links file (every token), but not the
server's secret key, and tries each way of tying an invitation to its response:
what changed in the same or the next commit, transaction ids equal or adjacent,
row order. The truth is known here; every attack must get no response right.
See docs/fielding.md, "Anonymity", for the threat model.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import sqlite3
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, write_lock
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.exports import export_zip, load_export
from sociaparis.survey.fielding import service
from sociaparis.survey.fielding.errors import FieldingError
from tests.factories import FIELDING_FORM_PAGES, field_form, submit_page

SECRET = "k" * 40
NOW = datetime(2026, 11, 25, 14, 37, 12, tzinfo=UTC)
RESPONDENTS = 12
LEAVING = 3  # the last respondents consent, then leave without answering
PAGES = FIELDING_FORM_PAGES  # each respondent answers every page


def _seconds(number: int) -> int:
    """How long respondent ``number`` keeps each page open: each their own, so
    that a duration would name its respondent if anything tied it to one."""
    return 7 + 13 * number


@dataclass(frozen=True)
class Fieldwork:
    """A fielded anonymous form after every respondent answered: the ground truth."""

    engine: Engine
    tokens: list[str]  # the links file, in invitation order
    truth: dict[str, str]  # response id -> token of its invitation
    order: list[str]  # response ids in the order they were started
    durations: list[int]  # page durations in the order they were written


def _commit_each_step(engine: Engine, tokens: list[str]) -> dict[str, str]:
    """Consent, then answer every page (but the last few respondents), one
    respondent after the other, each step in a transaction of its own (as the
    respondent pages do)."""
    truth: dict[str, str] = {}
    for number, token in enumerate(tokens):
        with write_lock(engine), engine.begin() as connection:
            started = service.start_from_invitation(
                session=connection, token=token, secret=SECRET, now=NOW
            )
        truth[started.response_id] = token
        for page, fields, instances in PAGES if number < len(tokens) - LEAVING else ():
            with write_lock(engine), engine.begin() as connection:
                view = service.open_response(
                    session=connection, resume_token=started.resume_token
                )
                outcome = submit_page(
                    connection,
                    started.resume_token,
                    page,
                    fields,
                    view.revision,
                    instances=instances,
                    now=NOW,
                    shown_at=NOW - timedelta(seconds=_seconds(number)),
                )
                assert outcome.accepted, (page, outcome.errors)
                assert outcome.seconds == _seconds(number)
    return truth


@pytest.fixture
def fieldwork(database_url: str) -> Iterator[Fieldwork]:
    engine = make_engine(Settings(database_url=database_url, secret_key=SECRET))
    ensure_schema(engine, Settings(database_url=database_url, secret_key=SECRET))
    with Session(engine) as session, session.begin():
        form_id = field_form(session)
        invitations = service.create_invitations(
            session=session,
            form_id=form_id,
            attributes=[{"directorate": "DFA", "job_category": "A"}] * RESPONDENTS,
            today=NOW.date(),
        )
    tokens = [invitation.token for invitation in invitations]
    if engine.dialect.name == "sqlite":
        # The log the attacker replays starts after the invitations were sent.
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    # Respondents answer in another order than the links file's.
    answering = random.Random(7).sample(tokens, len(tokens))
    truth = _commit_each_step(engine, answering)
    durations = [
        _seconds(number) for number in range(RESPONDENTS - LEAVING) for _ in PAGES
    ]
    yield Fieldwork(engine, tokens, truth, list(truth), durations)
    engine.dispose()


def _hits(guesses: dict[str, str], truth: dict[str, str]) -> int:
    """How many responses the attacker tied to the right invitation token."""
    return sum(truth.get(response) == token for response, token in guesses.items())


def _rank_attack(used_in_order: list[str], created_in_order: list[str]) -> dict[str, str]:
    """The k-th invitation seen used goes with the k-th response seen created:
    same commit, the next one, or simply the same place in the sequence."""
    return dict(zip(created_in_order, used_in_order, strict=False))


# -- SQLite: the database file and its write-ahead log ----------------------------


def _database_after_each_commit(database: bytes, wal: bytes) -> Iterator[bytes]:
    """The database as it stood after each commit in ``wal`` (SQLite's WAL format:
    a 32-byte header, then frames of a 24-byte header and one page)."""
    page_size = struct.unpack(">I", wal[8:12])[0]
    salts = wal[16:24]
    pages = {
        number: database[(number - 1) * page_size : number * page_size]
        for number in range(1, len(database) // page_size + 1)
    }
    offset = 32
    while offset + 24 + page_size <= len(wal):
        number, size_after_commit = struct.unpack(">II", wal[offset : offset + 8])
        if wal[offset + 8 : offset + 16] != salts:
            break  # a frame of an earlier generation of the log
        pages[number] = wal[offset + 24 : offset + 24 + page_size]
        offset += 24 + page_size
        if size_after_commit:
            yield b"".join(pages[n] for n in range(1, size_after_commit + 1))


def _read(image: bytes, folder: Path) -> dict[str, dict[str, tuple]]:
    path = folder / "image.db"
    path.write_bytes(image)
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as connection:
        return {
            "invitations": {
                str(row[0]): row[1:]
                for row in connection.execute("select token_hash, used from invitations")
            },
            "responses": {
                row[0]: row[1:] for row in connection.execute("select id from responses")
            },
        }


@pytest.mark.storage
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_replaying_the_sqlite_log_ties_no_response_to_its_invitation(
    fieldwork: Fieldwork, tmp_path: Path
) -> None:
    database = Path(fieldwork.engine.url.database)
    # A copy of the files as they are on disk while the server runs.
    with fieldwork.engine.connect():
        shutil.copy(database, tmp_path / "copy.db")
        shutil.copy(f"{database}-wal", tmp_path / "copy.db-wal")
    images = list(
        _database_after_each_commit(
            (tmp_path / "copy.db").read_bytes(), (tmp_path / "copy.db-wal").read_bytes()
        )
    )
    assert len(images) >= RESPONDENTS + (RESPONDENTS - LEAVING) * len(PAGES)

    by_hash = {service.hash_token(token): token for token in fieldwork.tokens}
    before = _read((tmp_path / "copy.db").read_bytes(), tmp_path)
    used_in_order: list[str] = []
    created_in_order: list[str] = []
    for image in images:
        after = _read(image, tmp_path)
        used_in_order += [
            by_hash[token_hash]
            for token_hash, row in after["invitations"].items()
            if before["invitations"].get(token_hash) != row
        ]
        created_in_order += [
            r for r in after["responses"] if r not in before["responses"]
        ]
        before = after
    assert sorted(created_in_order) == sorted(fieldwork.truth)  # the log has them all
    assert _hits(_rank_attack(used_in_order, created_in_order), fieldwork.truth) == 0
    assert used_in_order == []  # no invitation row was written to


@pytest.mark.storage
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_rows_are_not_stored_in_the_order_of_use(fieldwork: Fieldwork) -> None:
    with fieldwork.engine.connect() as connection:
        for table in ("responses", "invitation_uses", "page_durations"):
            with pytest.raises(Exception, match="no such column: rowid"):
                connection.exec_driver_sql(f"select rowid from {table}")
        # With the answers, which no index holds: the table's own order, not
        # that of an index that covers the id (by version and status).
        stored = [
            row[0]
            for row in connection.exec_driver_sql("select id, answers from responses")
        ]
        durations = connection.exec_driver_sql(
            "select id, page, seconds from page_durations"
        ).all()
    assert stored == sorted(stored)  # the order of the random ids
    assert stored != fieldwork.order
    # Durations sit in the order of their values (page, seconds, then random
    # id), not in the order they were written: each respondent's are all the
    # same here, yet the k-th group of len(PAGES) is not the k-th respondent's.
    keys = [(page, seconds, id_) for id_, page, seconds in durations]
    assert keys == sorted(keys)
    seconds = [row[2] for row in durations]
    assert sorted(seconds) == sorted(fieldwork.durations)
    assert seconds != fieldwork.durations
    groups = [seconds[k : k + len(PAGES)] for k in range(0, len(seconds), len(PAGES))]
    assert not [group for group in groups if len(set(group)) == 1]


# -- PostgreSQL: system columns -----------------------------------------------------


@pytest.mark.storage
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_system_columns_tie_no_response_to_its_invitation(
    fieldwork: Fieldwork,
) -> None:
    by_hash = {service.hash_token(token): token for token in fieldwork.tokens}
    with fieldwork.engine.connect() as connection:
        same_transaction = connection.execute(
            text(
                "select r.id, i.token_hash from invitations i"
                " join responses r on r.xmin = i.xmin"
            )
        ).all()
        invitations = connection.execute(
            text(
                "select token_hash, xmin::text::bigint, ctid from invitations"
                " order by ctid"
            )
        ).all()
        responses = connection.execute(
            text("select id, xmin::text::bigint from responses order by ctid")
        ).all()
    assert _hits({r: by_hash[h] for r, h in same_transaction}, fieldwork.truth) == 0
    with fieldwork.engine.connect() as connection:
        for table in ("invitations", "invitation_uses"):
            shared = connection.execute(
                text(
                    f"select count(*) from {table} t"
                    " join page_durations d on d.xmin = t.xmin"
                )
            ).scalar()
            assert shared == 0, table
    # Adjacent transactions: an invitation is guessed when it is the only one
    # written within two transaction ids of the response.
    adjacent: dict[str, str] = {}
    for response_id, response_xid in responses:
        near = [h for h, xid, _ in invitations if abs(xid - response_xid) <= 2]
        if len(near) == 1:
            adjacent[response_id] = by_hash[near[0]]
    assert _hits(adjacent, fieldwork.truth) == 0
    # An invitation written after it was sent has a newer transaction id (and a
    # new place in the table): none is, so there is no order of use to match.
    sent = min(xid for _, xid, _ in invitations)
    used_in_order = [by_hash[h] for h, xid, _ in invitations if xid != sent]
    created_in_order = [response_id for response_id, _ in responses]
    assert _hits(_rank_attack(used_in_order, created_in_order), fieldwork.truth) == 0
    assert used_in_order == []


# -- what every backend stores ------------------------------------------------------


@pytest.mark.storage
def test_no_time_finer_than_the_day_is_stored_for_anonymous_responses(
    fieldwork: Fieldwork,
) -> None:
    """Nothing in the respondents' tables can be lined up with a server log by
    time: no time of day, no timestamp, and durations tied to no response."""
    with fieldwork.engine.connect() as connection:
        columns = {
            row[0]
            for row in connection.execute(
                text("select * from page_durations limit 1")
            ).keys()
            for row in [(row,)]
        }
        assert columns == {"id", "form_id", "page", "seconds"}
        values = [
            (table, value)
            for table in ("responses", "invitation_uses", "page_durations")
            for row in connection.execute(text(f"select * from {table}"))
            for value in row
        ]
    epoch = NOW.timestamp()
    for table, value in values:
        assert not isinstance(value, datetime), (table, value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert abs(value - epoch) > 10**7, (table, value)  # not an epoch time
        if isinstance(value, str):
            assert NOW.strftime("%H:%M") not in value, (table, value)
        if isinstance(value, date):
            assert value == NOW.date()
    stored = [value for table, value in values if table == "page_durations"]
    response_ids = set(fieldwork.truth)
    assert not response_ids & {str(v) for v in stored}
    seconds = sorted(v for v in stored if isinstance(v, int))
    assert seconds == sorted(fieldwork.durations)


@pytest.mark.storage
def test_the_uses_cannot_be_tied_to_tokens_without_the_key(fieldwork: Fieldwork) -> None:
    """The attacker holds the links file: no stored value is one it can compute."""
    with fieldwork.engine.connect() as connection:
        tags = {
            row[0] for row in connection.execute(text("select tag from invitation_uses"))
        }
        stored = {
            str(value)
            for table in ("invitations", "responses", "fieldings")
            for row in connection.execute(text(f"select * from {table}"))
            for value in row
        }
    assert len(tags) == RESPONDENTS
    computable = {
        derived
        for token in fieldwork.tokens
        for derived in (
            token,
            service.hash_token(token),
            hashlib.sha256(service.hash_token(token).encode()).hexdigest(),
            service.invitation_use_tag("", token),
        )
    }
    # The invitations hold the token's hash; nothing else may be computable.
    elsewhere = tags | (stored - {service.hash_token(t) for t in fieldwork.tokens})
    assert not elsewhere & computable
    # With the key, the server recognises each used link (and only it).
    assert {service.invitation_use_tag(SECRET, t) for t in fieldwork.tokens} == tags


@pytest.mark.storage
def test_the_export_keeps_no_order_of_use_and_no_times(fieldwork: Fieldwork) -> None:
    with Session(fieldwork.engine) as session:
        form_id = session.scalar(text("select form_id from fieldings"))
        frame = load_export(
            session=session, form_id=form_id, include_in_progress=True
        ).main.frame
    ids = list(frame["_id"])
    assert sorted(ids) == sorted(fieldwork.truth)
    assert ids == sorted(ids) and ids != fieldwork.order
    for column in ("_started_at", "_updated_at", "_submission_time"):
        if column in frame:
            assert frame[column].isna().all(), column
    # The downloadable archive: its datapackage.json describes the columns only,
    # and no file in it holds a token, its hash or a use tag.
    with Session(fieldwork.engine) as session:
        _, payload = export_zip(
            session=session,
            actor=LOCAL_ADMIN,
            form_id=form_id,
            fmt="csv",
            include_in_progress=True,
        )
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        package = json.loads(
            next(
                archive.read(name)
                for name in archive.namelist()
                if name.endswith("datapackage.json")
            )
        )
        contents = b"".join(archive.read(name) for name in archive.namelist())
    fields = {
        field["name"]
        for resource in package["resources"]
        for field in resource["schema"]["fields"]
    }
    assert not {name for name in fields if "invitation" in name.lower()}
    secrets = [
        value
        for token in fieldwork.tokens
        for value in (
            token,
            service.hash_token(token),
            service.invitation_use_tag(SECRET, token),
        )
    ]
    assert not [value for value in secrets if value.encode() in contents]


def test_a_changed_secret_key_is_refused_rather_than_reopening_used_links(
    session: Session,
) -> None:
    form_id = field_form(session)
    first, second = (
        invitation.token
        for invitation in service.create_invitations(
            session=session, form_id=form_id, attributes=[{}, {}], today=NOW.date()
        )
    )
    service.start_from_invitation(session=session, token=first, secret=SECRET, now=NOW)
    for token in (first, second):
        with pytest.raises(SociaparisError) as caught:
            service.start_from_invitation(
                session=session, token=token, secret="another" * 6, now=NOW
            )
        assert caught.value.error is FieldingError.USE_KEY_CHANGED


def test_the_upgrade_cuts_the_links_earlier_versions_wrote(database_url: str) -> None:
    """Before migration 0006 an anonymous invitation was marked used in the
    transaction that created its response; the upgrade leaves no trace of it in
    the live tables."""
    from alembic import command

    from sociaparis.core.db import _alembic_config, upgrade

    engine = make_engine(Settings(database_url=database_url, secret_key=SECRET))
    command.upgrade(_alembic_config(engine), "0005_compare_matrix")
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into instruments (id, form_id, version, version_number,"
                " content_hash, title, model, source, source_filename, created_at)"
                " values (1, 'f', 'v1', 1, 'h', 't', '{}', :source, 'f.xlsx', :now)"
            ),
            {"source": b"", "now": NOW},
        )
        connection.execute(
            text(
                "insert into invitations (id, form_id, token_hash, attributes, used,"
                " created_on) values (:id, 'f', :hash, '{}', false, :on)"
            ),
            [{"id": n, "hash": f"{n:064d}", "on": NOW.date()} for n in range(1, 5)],
        )
    for number in range(1, 5):  # each use in its own transaction, as before
        with engine.begin() as connection:
            connection.execute(
                text("update invitations set used = true where id = :id"), {"id": number}
            )
            connection.execute(
                text(
                    "insert into responses (id, instrument_id, resume_token_hash,"
                    " status, answers, attributes, revision, synthetic, started_on)"
                    " values (:id, 1, :resume, 'in_progress', '{}', '{}', 0, false,"
                    " :on)"
                ),
                {"id": f"{number:032x}", "resume": f"r{number:063d}", "on": NOW.date()},
            )
    upgrade(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            transactions = connection.execute(
                text(
                    "select distinct xmin::text from invitations where used"
                    " union select distinct xmin::text from responses"
                )
            ).all()
            assert len(transactions) == 1  # all rewritten by the migration
        else:
            with pytest.raises(Exception, match="no such column: rowid"):
                connection.exec_driver_sql("select rowid from responses")
            stored = [
                r[0] for r in connection.exec_driver_sql("select id from responses")
            ]
            assert stored == sorted(stored)
    engine.dispose()
