"""``sociaparis user``: role, password, disable/enable and log-out end the sessions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.service import (
    LOCKOUT_FAILURES,
    authenticate,
    session_account,
    start_session,
)
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


def test_a_generated_password_is_printed_once_and_works(study: Path) -> None:
    code, output = run("user", "add", "nadia", "--role", "coder", "--generate")
    assert code == 0
    created, shown = output.splitlines()
    assert created == "Created coder account 'nadia'."
    password = shown.removeprefix("One-time password (shown once): ")
    assert len(password) == 24
    engine = make_engine(get_settings())
    with transaction(engine) as session:
        assert authenticate(session=session, username="nadia", password=password)
    engine.dispose()


def test_a_locked_account_is_listed_and_unlocked(study: Path) -> None:
    engine = make_engine(get_settings())
    with transaction(engine) as session:
        for _ in range(LOCKOUT_FAILURES):
            authenticate(session=session, username="claire", password="wrong!")
    engine.dispose()
    code, listed = run("user", "list")
    assert code == 0 and "\tlocked until " in listed
    assert run("user", "unlock", "claire") == (0, "'claire' is unlocked.\n")
    assert run("user", "list") == (0, "claire\tresearcher\t\n")


def test_the_audit_log_on_the_command_line(study: Path) -> None:
    run("user", "role", "claire", "coder")
    code, output = run("user", "audit", "--person", "claire")
    assert code == 0
    lines = output.splitlines()
    assert [line.split("\t")[1:4] for line in lines[:2]] == [
        ["(command line)", "account.role", "claire"],
        ["(command line)", "account.create", "claire"],
    ]
    code, table = run("user", "audit", "--action", "account.role", "--csv")
    assert code == 0
    assert table.splitlines()[0] == "at,actor,action,target,details"
    assert table.splitlines()[1].endswith(
        ',(command line),account.role,claire,"before=researcher, role=coder"'
    )


@pytest.mark.parametrize(
    ("acting", "expected"),
    [
        (None, (1, AccountError.ACTOR_REQUIRED)),
        ("claire", (1, AccountError.NOT_ADMIN)),
        ("boss", (0, "'claire' is disabled; its sessions are ended.\n")),
    ],
)
def test_in_server_mode_a_command_says_which_admin_acts(
    study: Path, monkeypatch: pytest.MonkeyPatch, acting: str | None, expected
) -> None:
    assert run("user", "add", "boss", "--role", "admin", "--generate")[0] == 0
    monkeypatch.setenv("SOCIAPARIS_MODE", "server")
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "s" * 48)
    get_settings.cache_clear()
    args = ["user", "disable", "claire", *(["--user", acting] if acting else [])]
    code, output = run(*args)
    status, what = expected
    assert code == status
    if isinstance(what, AccountError):
        assert output.startswith(f"Error: {what.code}: ")
    else:
        assert output == what


@pytest.mark.parametrize(
    ("acting", "code", "action"),
    [(None, 0, "(command line)"), ("claire", 0, "claire"), ("cody", 1, None)],
)
def test_export_acts_as_the_given_account_or_the_local_admin(
    study: Path, acting: str | None, code: int, action: str | None
) -> None:
    from sociaparis.survey.synthetic import add_synthetic_responses
    from tests.factories import field_form

    run("user", "add", "cody", "--role", "coder", "--generate")
    engine = make_engine(get_settings())
    with transaction(engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=3, seed=2)
    engine.dispose()
    out = study / "export.csv"
    args = ["export", form_id, "--out", str(out)]
    result = run(*args, *(["--user", acting] if acting else []))
    assert result[0] == code
    if code:
        assert result[1].startswith("Error: EXPORT_007: ")
        assert not out.exists()
        return
    assert out.exists()
    audit = run("user", "audit", "--action", "export.data")[1].splitlines()
    assert audit[-1] == "1 entries; page 1 of 1."  # on standard error
    assert audit[0].split("\t")[1:4] == [action, "export.data", form_id]
