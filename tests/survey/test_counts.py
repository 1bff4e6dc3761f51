"""The counts kept by the database equal a full recount, whatever happened."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, transaction
from sociaparis.survey.fielding.monitoring import histogram_median, page_medians
from sociaparis.survey.fielding.progress import invitation_groups, response_groups
from sociaparis.survey.fielding.service import (
    COMPLETED,
    create_invitations,
    delete_response,
    start_from_invitation,
    start_open_response,
)
from sociaparis.survey.fielding.uploads import UploadLimits
from sociaparis.survey.models import (
    InstrumentRecord,
    InvitationRecord,
    PageDurationRecord,
    ResponseRecord,
)
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.factories import FIELDING_FORM_PAGES, field_form, submit_page

SECRET = "test-secret-key-0123456789"
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CELLS = [
    {"directorate": d, "job_category": j} for d in ("dfa", "dsin") for j in ("A", "B")
]


def _key(attributes: dict | None, *rest: object) -> tuple:
    return (tuple(sorted((attributes or {}).items())), *rest)


def recount_responses(session: Session, form_id: str) -> Counter:
    """The groups of every response, read row by row from the responses table."""
    ids = select(InstrumentRecord.id).where(InstrumentRecord.form_id == form_id)
    found: Counter = Counter()
    for attrs, status, synthetic, current, started, completed in session.execute(
        select(
            ResponseRecord.attributes,
            ResponseRecord.status,
            ResponseRecord.synthetic,
            ResponseRecord.current_page,
            ResponseRecord.started_on,
            ResponseRecord.completed_on,
        ).where(ResponseRecord.instrument_id.in_(ids))
    ):
        done = status == COMPLETED
        found[
            _key(
                attrs,
                status,
                bool(synthetic),
                None if done else current,
                (completed or started) if done else None,
            )
        ] += 1
    return found


def kept_responses(session: Session, form_id: str) -> Counter:
    found: Counter = Counter()
    for g in response_groups(session=session, form_id=form_id):
        found[_key(dict(g.attributes), g.status, g.synthetic, g.current_page, g.day)] += (
            g.n
        )
    return found


def assert_counts_exact(session: Session, form_id: str) -> None:
    session.flush()
    assert kept_responses(session, form_id) == recount_responses(session, form_id)
    invitations = Counter()
    for attributes, used in session.execute(
        select(InvitationRecord.attributes, InvitationRecord.used).where(
            InvitationRecord.form_id == form_id
        )
    ):
        invitations[(tuple(sorted(attributes.items())), bool(used))] += 1
    assert (
        Counter(
            {
                (tuple(sorted(a.items())), used): n
                for a, used, n in invitation_groups(session=session, form_id=form_id)
            }
        )
        == invitations
    )
    durations: dict[str, list[int]] = {}
    for page, seconds in session.execute(
        select(PageDurationRecord.page, PageDurationRecord.seconds).where(
            PageDurationRecord.form_id == form_id
        )
    ):
        durations.setdefault(page, []).append(seconds)
    expected = {}
    for page, values in durations.items():
        values.sort()
        middle = len(values) // 2
        median = (
            values[middle]
            if len(values) % 2
            else (values[middle - 1] + values[middle]) / 2
        )
        expected[page] = (len(values), float(median))
    assert page_medians(session=session, form_id=form_id) == expected


@pytest.mark.parametrize(
    ("bins", "expected"),
    [
        ([], (0, None)),
        ([(7, 1)], (1, 7.0)),
        ([(10, 1), (30, 1)], (2, 20.0)),
        ([(10, 1), (20, 2), (90, 1)], (4, 20.0)),
        ([(20, 5), (30, 5)], (10, 25.0)),
        ([(20, 6), (30, 5)], (11, 20.0)),
        ([(0, 3), (3600, 1)], (4, 0.0)),
    ],
)
def test_histogram_median(bins, expected) -> None:
    assert histogram_median(bins) == expected


@pytest.mark.storage
@pytest.mark.parametrize("seed", [1, 2])
def test_kept_counts_equal_a_recount_after_random_fielding(
    session: Session, tmp_path: Path, seed: int
) -> None:
    """Starts, pages, backs, completions, deletions, re-opened invitations and
    synthetic responses in a random order: the kept counts, the invitations'
    and the durations' medians are those of a full recount after each step."""
    rng = random.Random(seed)
    form_id = field_form(session, anonymous=False, open_link=True)
    tokens = [
        i.token
        for i in create_invitations(
            session=session,
            form_id=form_id,
            attributes=[rng.choice(CELLS) for _ in range(30)],
        )
    ]
    used: dict[str, str] = {}  # invitation token -> its response
    # resume token -> (index in FIELDING_FORM_PAGES, revision, response id)
    open_: dict[str, list] = {}
    now = START
    limits = UploadLimits(tmp_path)
    done: Counter = Counter()
    for step in range(200):
        now += timedelta(minutes=rng.randint(1, 600))
        action = rng.choices(
            ["start", "open", "page", "back", "delete", "reopen", "synthetic"],
            weights=[3, 1, 12, 1, 1, 1, 1],
        )[0]
        if action == "start" and tokens:
            token = tokens.pop()
            started = start_from_invitation(
                session=session, token=token, secret=SECRET, now=now
            )
            used[token] = started.response_id
            open_[started.resume_token] = [0, 0, started.response_id]
        elif action == "open":
            started = start_open_response(session=session, form_id=form_id, now=now)
            open_[started.resume_token] = [0, 0, started.response_id]
        elif action == "reopen" and used:
            again = start_from_invitation(
                session=session, token=rng.choice(sorted(used)), secret=SECRET, now=now
            )
            assert again.resumed
            done["reopen"] += 1
        elif action in {"page", "back"} and open_:
            resume = rng.choice(sorted(open_))
            position, revision, _ = open_[resume]
            if position >= len(FIELDING_FORM_PAGES):
                continue
            if action == "back" and position == 0:
                continue
            name, fields, instances = FIELDING_FORM_PAGES[position]
            outcome = submit_page(
                session,
                resume,
                name,
                fields,
                revision,
                instances=instances,
                action=action if action == "back" else "next",
                now=now,
                shown_at=now - timedelta(seconds=rng.choice([5, 30, 30, 90, 7200])),
            )
            assert outcome.accepted, outcome
            open_[resume][0] += -1 if action == "back" else 1
            open_[resume][1] += 1
            done["completed" if outcome.completed else action] += 1
        elif action == "delete" and open_:
            resume = rng.choice(sorted(open_))
            gone = open_.pop(resume)[2]
            delete_response(
                session=session, actor=LOCAL_ADMIN, response_id=gone, limits=limits
            )
            used = {t: r for t, r in used.items() if r != gone}
            done["delete"] += 1
        elif action == "synthetic":
            add_synthetic_responses(
                session=session,
                form_id=form_id,
                count=rng.randint(1, 3),
                seed=step,
                attribute_cells=[(cell, 10) for cell in CELLS],
                today=now.date(),
            )
        if step % 10 == 9:
            assert_counts_exact(session, form_id)
    assert_counts_exact(session, form_id)
    assert set(done) == {"page", "back", "completed", "delete", "reopen"}, done
    groups = response_groups(session=session, form_id=form_id)
    assert sum(g.n for g in groups) == session.scalar(
        select(func.count()).select_from(ResponseRecord)
    )
    assert any(g.status == COMPLETED for g in groups)


@pytest.mark.storage
def test_counts_roll_back_with_their_transaction(session: Session) -> None:
    form_id = field_form(session, anonymous=True, open_link=True)
    start_open_response(session=session, form_id=form_id, now=START)
    session.flush()
    savepoint = session.begin_nested()
    for _ in range(3):
        start_open_response(session=session, form_id=form_id, now=START)
    session.flush()
    assert sum(g.n for g in response_groups(session=session, form_id=form_id)) == 4
    savepoint.rollback()
    assert sum(g.n for g in response_groups(session=session, form_id=form_id)) == 1


@pytest.mark.storage
def test_concurrent_respondents_lose_no_increment(
    database_url: str, tmp_path: Path
) -> None:
    """Two threads start and answer responses at once, each in its own
    transactions: the kept counts equal the recount (no lost update)."""
    settings = Settings(database_url=database_url, secret_key=SECRET)
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        form_id = field_form(session, anonymous=True, open_link=True, attributes=())
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def respondent(number: int) -> None:
        try:
            barrier.wait()
            for _ in range(15):
                with transaction(engine) as session:
                    started = start_open_response(
                        session=session, form_id=form_id, now=START
                    )
                for revision, (name, fields, instances) in enumerate(
                    FIELDING_FORM_PAGES[:3]
                ):
                    with transaction(engine) as session:
                        outcome = submit_page(
                            session,
                            started.resume_token,
                            name,
                            fields,
                            revision,
                            instances=instances,
                            now=START + timedelta(seconds=revision + 1),
                            shown_at=START,
                        )
                        assert outcome.accepted
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=respondent, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with transaction(engine) as session:
        assert_counts_exact(session, form_id)
        groups = response_groups(session=session, form_id=form_id)
        assert {g.current_page: g.n for g in groups} == {"effects": 30}
        assert page_medians(session=session, form_id=form_id) == {
            "service": (30, 1.0),
            "hours": (30, 2.0),
            "tools": (30, 3.0),
        }
    engine.dispose()


@pytest.mark.storage
def test_migration_fills_the_counts_of_existing_rows(database_url: str) -> None:
    """Rows stored before the counts existed are counted by the migration."""
    from alembic import command

    from sociaparis.core.db import _alembic_config
    from sociaparis.core.db import upgrade as run_upgrade

    settings = Settings(database_url=database_url, secret_key=SECRET)
    engine = make_engine(settings)
    run_upgrade(engine)
    command.downgrade(_alembic_config(engine), "0010_codebook_blind_mode")
    insert = [
        "INSERT INTO instruments (id, form_id, version, version_number, "
        "content_hash, title, model, source, source_filename, created_at) VALUES "
        "(7, 'f', '1', 1, 'h', 'F', '{}', :source, 'f.xlsx', :now)",
        "INSERT INTO responses (id, instrument_id, resume_token_hash, status, "
        "answers, current_page, attributes, revision, synthetic, started_on) VALUES "
        "('r1', 7, 'h1', 'in_progress', '{}', 'p2', '{\"d\": \"x\"}', 1, :no, :day), "
        "('r2', 7, 'h2', 'in_progress', '{}', 'p2', '{\"d\": \"x\"}', 1, :no, :day), "
        "('r3', 7, 'h3', 'in_progress', '{}', 'p1', '{}', 0, :yes, :day)",
        "INSERT INTO invitations (form_id, token_hash, attributes, used, created_on) "
        "VALUES ('f', 't1', '{\"d\": \"x\"}', :yes, :day), "
        "('f', 't2', '{\"d\": \"x\"}', :no, :day), ('f', 't3', '{}', :no, :day)",
        "INSERT INTO page_durations (form_id, page, seconds, id) VALUES "
        "('f', 'p', 5, 'a'), ('f', 'p', 9, 'b'), ('f', 'p', 9, 'c')",
    ]
    values = {
        "source": b"x",
        "now": START,
        "day": START.date(),
        "yes": True,
        "no": False,
    }
    with engine.begin() as connection:
        for statement in insert:
            connection.execute(text(statement), values)
    command.upgrade(_alembic_config(engine), "head")
    with transaction(engine) as session:
        assert page_medians(session=session, form_id="f") == {"p": (3, 9.0)}
        assert sorted(
            (sorted(g.attributes.items()), g.current_page, g.synthetic, g.n)
            for g in response_groups(session=session, form_id="f")
        ) == [([], "p1", True, 1), ([("d", "x")], "p2", False, 2)]
        assert sorted(
            (sorted(a.items()), used, n)
            for a, used, n in invitation_groups(session=session, form_id="f")
        ) == [([], False, 1), ([("d", "x")], False, 1), ([("d", "x")], True, 1)]
        session.add(PageDurationRecord(form_id="f", page="p", seconds=1, id="d"))
        session.execute(text("DELETE FROM responses WHERE id = 'r3'"))
        session.execute(text("UPDATE responses SET current_page = 'p3' WHERE id = 'r1'"))
        session.flush()
        assert page_medians(session=session, form_id="f") == {"p": (4, 7.0)}
        assert sorted(
            (sorted(g.attributes.items()), g.current_page, g.n)
            for g in response_groups(session=session, form_id="f")
        ) == [([("d", "x")], "p2", 1), ([("d", "x")], "p3", 1)]
    engine.dispose()


@pytest.mark.parametrize("made_by", ["create_all", "migrations"])
def test_counts_tables_keep_room_for_updates_on_postgresql(postgres, made_by) -> None:
    from sociaparis.core.db import upgrade
    from sociaparis.survey.models import COUNTS_STORAGE
    from tests.conftest import _require

    _require(postgres)
    settings = Settings(database_url=postgres.create_database(), secret_key="x" * 32)
    engine = make_engine(settings)
    (ensure_schema(engine, settings) if made_by == "create_all" else upgrade(engine))
    with engine.connect() as connection:
        options = dict(
            connection.execute(
                text(
                    "SELECT relname, reloptions FROM pg_class WHERE relname IN "
                    "('response_counts', 'invitation_counts', 'page_duration_counts')"
                )
            ).all()
        )
    engine.dispose()
    expected = sorted(f"{key}={value}" for key, value in COUNTS_STORAGE.items())
    assert {name: sorted(found) for name, found in options.items()} == dict.fromkeys(
        ("response_counts", "invitation_counts", "page_duration_counts"), expected
    )
