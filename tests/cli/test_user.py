"""``sociaparis user``: role, password, disable/enable and log-out end the sessions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.service import session_account, start_session
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.db import make_engine, transaction


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'study.db'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    assert (
        run("user", "add", "claire", "--password-stdin", input="a-long-password-1\n")[0]
        == 0
    )
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.output


def _open_session() -> str:
    engine = make_engine(get_settings())
    with transaction(engine) as session:
        token = start_session(session=session, user_id=1)
    engine.dispose()
    return token


def _still_logged_in(token: str) -> bool:
    engine = make_engine(get_settings())
    with transaction(engine) as session:
        account = session_account(session=session, token=token)
    engine.dispose()
    return account is not None


@pytest.mark.parametrize(
    ("args", "stdin", "output"),
    [
        (("role", "claire", "viewer"), None,
         "'claire' is now viewer; its sessions are ended.\n"),
        (("password", "claire", "--password-stdin"), "another-password-2\n",
         "New password for 'claire'; its sessions are ended.\n"),
        (("disable", "claire"), None, "'claire' is disabled; its sessions are ended.\n"),
        (("logout", "claire"), None, "Ended 1 session(s) of 'claire'.\n"),
    ],
)  # fmt: skip
def test_account_changes_end_the_sessions(
    study: Path, args: tuple[str, ...], stdin: str | None, output: str
) -> None:
    token = _open_session()
    assert run("user", *args, input=stdin) == (0, output)
    assert not _still_logged_in(token)


def test_a_disabled_account_is_listed_as_such_and_can_be_enabled(study: Path) -> None:
    run("user", "disable", "claire")
    assert run("user", "list") == (0, "claire\tresearcher\t\tdisabled\n")
    assert run("user", "enable", "claire") == (0, "'claire' can log in again.\n")
    assert run("user", "list") == (0, "claire\tresearcher\t\n")


def test_an_unknown_account_is_refused_with_the_catalog_message(study: Path) -> None:
    message = AccountError.UNKNOWN_USER.format(username="nobody")
    assert run("user", "disable", "nobody") == (
        1,
        f"Error: {AccountError.UNKNOWN_USER.code}: {message}\n",
    )
