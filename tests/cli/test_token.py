"""``sociaparis token``: create prints the token once, list and revoke."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.accounts.token_service import TOKEN_PREFIX, token_account
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.db import make_engine, transaction


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'study.db'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    added = run("user", "add", "claire", "--role", "coder", "--password-stdin",
                input="a-long-password-1\n")  # fmt: skip
    assert added.exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def _acts_as(token: str) -> str | None:
    engine = make_engine(get_settings())
    with transaction(engine) as session:
        account = token_account(session=session, token=token)
    engine.dispose()
    return account.username if account else None


def test_create_prints_the_token_alone_on_stdout_and_it_works(study: Path) -> None:
    created = run("token", "create", "claire", "--name", "notebook")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith(TOKEN_PREFIX) and "\n" not in token
    assert "not shown again" in created.stderr
    assert _acts_as(token) == "claire"
    listed = run("token", "list", "claire")
    assert listed.stdout.startswith("1\tclaire\tnotebook\tlast used ")
    assert "active" in listed.stdout
    assert token not in listed.stdout


def test_revoke_stops_the_token(study: Path) -> None:
    token = run("token", "create", "claire").stdout.strip()
    revoked = run("token", "revoke", "1")
    assert revoked.exit_code == 0
    assert revoked.stdout == "Token 1 of 'claire' is revoked.\n"
    assert _acts_as(token) is None
    assert "revoked" in run("token", "list").stdout
    again = run("token", "revoke", "1")
    assert again.exit_code == 1
    assert "ACCOUNT_031" in again.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("token", "create", "nobody"), "ACCOUNT_005"),
        (("token", "revoke", "42"), "ACCOUNT_030"),
        (("token", "list", "nobody"), "ACCOUNT_005"),
    ],
)
def test_refusals_give_the_code(study: Path, args: tuple[str, ...], code: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert code in result.output


def test_list_as_json(study: Path) -> None:
    run("token", "create", "claire", "--name", "ci")
    import json

    rows = json.loads(run("token", "list", "--json").stdout)
    assert [(r["id"], r["username"], r["name"], r["revoked_at"]) for r in rows] == [
        (1, "claire", "ci", None)
    ]
