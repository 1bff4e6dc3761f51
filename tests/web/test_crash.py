"""The server is killed (SIGKILL) during a load run: no acknowledged page is lost.

The real server (``sociaparis serve --workers 2``; one worker after the restart)
runs as a subprocess on a fresh study, simulated respondents answer the staff
survey over HTTP, and the whole process group is killed while pages are in
flight. After a restart, every page a client saw acknowledged (a 303 after its
POST) is in the database with its revision, and no response is half-written:
each stored response is exactly its acknowledged pages, plus at most the one
page that was in flight, wholly. Then the interrupted respondents finish the
survey on the restarted server.

The comparison itself (``check_response``) is tested first on hand-made cases,
so that a checker that sees nothing cannot make the crash test pass.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from benchmarks._http_load import (
    Ack,
    Connection,
    Respondent,
    Stopped,
    Tally,
    check_response,
    free_port,
    start_server,
    stop_server,
)
from benchmarks.survey_fielding import (
    answer_pool,
    constrained_questions,
    prepare_study,
)
from sociaparis.core.config import Settings
from sociaparis.core.db import make_engine, transaction
from sociaparis.survey.fielding.service import hash_token
from sociaparis.survey.models import ResponseRecord

SECRET = "crash-test-secret-key-0123456789abcdef"
CLIENTS = 20
INVITATIONS = 60
KILL_AFTER_ACKS = 60  # acknowledged pages, all clients together, before the kill
ROOT = Path(__file__).resolve().parents[2]

PAGE_1 = Ack("profile", {"directorate": "dfa", "job_category": "A"}, 0, "next")
PAGE_2 = Ack("ai_use", {"ai_use": "weekly"}, 1, "next")
UNSURE = Ack("ai_use", {"ai_use": None}, 1, "spoiled")


def _run_async(coroutine: Any) -> Any:
    """Run ``coroutine`` on a fresh event loop in its own thread.

    The browser tests' Playwright (sync API) may keep an event loop running in
    this thread, where ``asyncio.run`` is not allowed.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.parametrize(
    ("acks", "pending", "stored", "revision", "missing", "unacknowledged"),
    [
        # everything acknowledged is there
        (
            [PAGE_1, PAGE_2],
            None,
            {"directorate": "dfa", "job_category": "A", "ai_use": "weekly"},
            2,
            0,
            0,
        ),  # noqa: E501
        # the last acknowledged page was lost (answers and revision)
        ([PAGE_1, PAGE_2], None, {"directorate": "dfa", "job_category": "A"}, 1, 1, 0),
        # a value of an acknowledged page differs
        ([PAGE_1], None, {"directorate": "dsin", "job_category": "A"}, 1, 1, 0),
        # the page in flight was saved, wholly: fine
        (
            [PAGE_1],
            PAGE_2,
            {"directorate": "dfa", "job_category": "A", "ai_use": "weekly"},
            2,
            0,
            0,
        ),  # noqa: E501
        # the page in flight was not saved: fine
        ([PAGE_1], PAGE_2, {"directorate": "dfa", "job_category": "A"}, 1, 0, 0),
        # the page in flight's answers without its revision: half-written
        (
            [PAGE_1],
            PAGE_2,
            {"directorate": "dfa", "job_category": "A", "ai_use": "weekly"},
            1,
            0,
            1,
        ),  # noqa: E501
        # an answer no page sent
        ([PAGE_1], None, {"directorate": "dfa", "job_category": "A", "x": "1"}, 1, 0, 1),
        # a revision no page explains
        ([PAGE_1], None, {"directorate": "dfa", "job_category": "A"}, 3, 0, 2),
        # a page sent invalid on purpose may be kept or not
        ([PAGE_1, UNSURE], None, {"directorate": "dfa", "job_category": "A"}, 2, 0, 0),
        # the response is not there at all
        ([PAGE_1], None, None, None, 1, 0),
        # a repeat: instance fields are name.N
        (
            [Ack("tool", {"tool_frequency.1": "daily"}, 0, "next")],
            None,
            {"tool": [{"tool_frequency": "daily"}]},
            1,
            0,
            0,
        ),  # noqa: E501
        (
            [Ack("tool", {"tool_frequency.1": "daily"}, 0, "next")],
            None,
            {"tool": [{"tool_frequency": "weekly"}]},
            1,
            1,
            0,
        ),  # noqa: E501
    ],
)
def test_the_checker_sees_lost_and_half_written_pages(
    acks, pending, stored, revision, missing, unacknowledged
) -> None:
    check = check_response(acks, pending, stored, revision)
    assert (check.missing, check.unacknowledged) == (missing, unacknowledged)


def _serve(port: int, settings: Settings, log: Path, workers: int):
    command = [
        sys.executable,
        "-c",
        "from sociaparis.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    env = {
        "SOCIAPARIS_DATA_DIR": str(settings.data_dir),
        "SOCIAPARIS_DATABASE_URL": settings.database_url,
        "SOCIAPARIS_SECRET_KEY": SECRET,
    }
    return start_server(command, port=port, env=env, log=log, cwd=ROOT)


async def _load_then_kill(port: int, respondents: list[Respondent], server) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + 20

    async def client(respondent: Respondent) -> None:
        connection = Connection(port, timeout=10)
        try:
            await respondent.run(tally, connection, deadline)
        except (ConnectionError, TimeoutError, Stopped):
            return  # the server was killed under this client: expected
        finally:
            await connection.close()

    async def killer() -> None:
        while time.monotonic() < deadline:
            if sum(len(r.acks) for r in respondents) >= KILL_AFTER_ACKS:
                break
            await asyncio.sleep(0.002)
        stop_server(server, signal.SIGKILL)

    await asyncio.gather(killer(), *(client(r) for r in respondents))
    return tally


async def _finish(port: int, respondents: list[Respondent]) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + 20

    async def client(respondent: Respondent) -> None:
        connection = Connection(port, timeout=10)
        try:
            await respondent.resume_run(tally, connection, deadline)
        finally:
            await connection.close()

    await asyncio.gather(*(client(r) for r in respondents))
    return tally


def _stored(settings: Settings) -> dict[str, tuple[dict, int, str]]:
    engine = make_engine(settings)
    try:
        with transaction(engine) as session:
            return {
                row.resume_token_hash: (row.answers, row.revision, row.status)
                for row in session.scalars(select(ResponseRecord))
            }
    finally:
        engine.dispose()


def _key(respondent: Respondent) -> str:
    return hash_token(respondent.resume.rsplit("/", 1)[-1])


@pytest.mark.slow
def test_a_killed_server_loses_no_acknowledged_page(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key=SECRET
    )
    prepared = prepare_study(settings, INVITATIONS, seed=7)
    pool = answer_pool(prepared.instrument, CLIENTS, seed=7)
    constrained = constrained_questions(prepared.instrument)
    respondents = [
        Respondent(
            token,
            pool[index],
            random.Random(index),
            back_rate=0.1,
            error_rate=0.1,
            constrained=constrained,
        )
        for index, token in enumerate(prepared.tokens[:CLIENTS])
    ]
    log = tmp_path / "server.log"
    port = free_port()
    server = _serve(port, settings, log, workers=2)
    try:
        tally = _run_async(_load_then_kill(port, respondents, server))
    finally:
        stop_server(server, signal.SIGKILL)
    assert tally.errors == []
    acknowledged = sum(len(r.acks) for r in respondents)
    in_flight = sum(r.pending is not None for r in respondents)
    assert acknowledged >= KILL_AFTER_ACKS, "the load ended before the kill"
    interrupted = [r for r in respondents if r.resume and not r.completed]
    assert interrupted, "the kill came too late: every respondent had finished"

    # Restart on the same database (one worker starts faster than two).
    server = _serve(port, settings, log, workers=1)
    try:
        stored = _stored(settings)
        known = {_key(r) for r in respondents if r.resume}
        problems = []
        for respondent in respondents:
            if not respondent.resume:
                continue
            answers, revision, _ = stored.get(_key(respondent), (None, None, None))
            check = check_response(respondent.acks, respondent.pending, answers, revision)
            if check.missing or check.unacknowledged:
                problems.append((respondent.resume, check.details))
        assert problems == []
        # A consent acknowledged by nobody (killed before its 303) started an
        # empty response, and nothing more.
        for key, (answers, revision, _) in stored.items():
            if key not in known:
                assert (answers, revision) == ({}, 0)
        assert in_flight + acknowledged > 0

        # The interrupted respondents finish the survey on the restarted server.
        for respondent in respondents:
            if respondent.resume:
                respondent.settle(stored[_key(respondent)][1])
        finished = _run_async(_finish(port, interrupted))
        assert finished.errors == []
        assert all(r.completed for r in interrupted)
        assert sum(r.revision_mismatches for r in interrupted) == 0
        final = _stored(settings)
        for respondent in (r for r in respondents if r.resume):
            answers, revision, status = final[_key(respondent)]
            check = check_response(respondent.acks, None, answers, revision)
            assert (check.missing, check.unacknowledged, status) == (0, 0, "completed")
    finally:
        stop_server(server, signal.SIGKILL)  # everything is checked: no need to wait
