"""Group commit of the API's small writes, on SQLite and PostgreSQL: requests
share a transaction, a refused one is rolled back alone, an answer comes only
after the commit."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from sociaparis.accounts.models import User
from sociaparis.accounts.service import create_user
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, make_session_factory
from sociaparis.web.api.commits import GroupCommit


@pytest.fixture
def fresh_engine(tmp_path: Path, database_url: str) -> Iterator[Engine]:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key="k" * 32
    )
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    yield engine
    engine.dispose()


def _users(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.scalars(select(User.username).order_by(User.username)))


def test_a_refused_unit_is_rolled_back_alone_in_a_shared_transaction(
    fresh_engine: Engine,
) -> None:
    commits = GroupCommit(make_session_factory(fresh_engine), threads=1)
    gate = threading.Event()
    batches: list[int] = []

    def held(session) -> str:
        gate.wait(10)  # the others queue meanwhile: they form the next batch
        return create_user(session=session, username="first", password="p" * 12).username

    def add(name: str, fail: bool = False):
        def unit(session) -> str:
            batches.append(id(session))
            create_user(session=session, username=name, password="p" * 12)
            if fail:
                raise ValueError(f"{name} refused after writing")
            return name

        return unit

    async def scenario() -> list[object]:
        first = asyncio.ensure_future(commits.run(held))
        await asyncio.sleep(0.05)
        rest = [
            asyncio.ensure_future(commits.run(add(name, fail=name == "bad")))
            for name in ("anna", "bad", "carl")
        ]
        await asyncio.sleep(0.05)
        gate.set()
        return await asyncio.gather(first, *rest, return_exceptions=True)

    results = asyncio.run(scenario())
    assert results[0] == "first"
    assert results[1] == "anna" and results[3] == "carl"
    assert isinstance(results[2], ValueError)
    assert len(set(batches)) == 1  # the three shared one session (transaction)
    assert _users(fresh_engine) == ["anna", "carl", "first"]


def test_an_answer_comes_after_the_commit(fresh_engine: Engine) -> None:
    commits = GroupCommit(make_session_factory(fresh_engine))

    async def scenario() -> int:
        await commits.run(
            lambda s: create_user(session=s, username="zoe", password="p" * 12)
        )
        # another connection sees it as soon as the answer is back
        with fresh_engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(User))

    assert asyncio.run(scenario()) == 1
