"""`db` and `serve` with a database they cannot use: a message, no traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.errors import CoreError

BAD_URLS = [
    ("postgresql://::::", CoreError.DB_BAD_URL, "it is not a valid URL"),
    ("not a url", CoreError.DB_BAD_URL, "it is not a valid URL"),
    (
        "mysql://u:secret@localhost/x",
        CoreError.DB_BAD_URL,
        "'mysql' databases are not supported, only SQLite and PostgreSQL",
    ),
    (
        "postgresql+psycopg2://u@localhost/x",
        CoreError.DB_BAD_URL,
        "its database driver is not installed",
    ),
    # nothing listens on port 1: refused at once, no timeout
    ("postgresql://u:secret@127.0.0.1:1/x", CoreError.DB_UNREACHABLE, "port 1 failed"),
]


@pytest.fixture
def database_url_is(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def set_url(url: str) -> None:
        monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", url)
        get_settings.cache_clear()

    yield set_url
    get_settings.cache_clear()


@pytest.mark.parametrize("command", [["db", "status"], ["serve"], ["db", "upgrade"]])
@pytest.mark.parametrize(("url", "error", "reason"), BAD_URLS)
def test_an_unusable_database_url_is_one_message(
    database_url_is,
    free_port: int,
    command: list[str],
    url: str,
    error: CoreError,
    reason: str,
) -> None:
    database_url_is(url)
    port = ["--port", str(free_port)] if command == ["serve"] else []
    result = CliRunner().invoke(cli, [*command, *port])
    assert result.exit_code == 1
    assert f"Error: {error.code}: " in result.output
    assert reason in result.output
    assert "secret" not in result.output
    assert isinstance(result.exception, SystemExit)  # not a traceback


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SOCIAPARIS_LOCK_TIMEOUT", "0", "SOCIAPARIS_LOCK_TIMEOUT=0.0: give a number"),
        ("SOCIAPARIS_MODE", "bogus", "SOCIAPARIS_MODE: Input should be 'single'"),
        ("SOCIAPARIS_TRUSTED_PROXIES", "proxy.local", "SOCIAPARIS_TRUSTED_PROXIES: "),
        ("SOCIAPARIS_BASE_URL", "enquetes.paris.fr", "is not an http(s) address"),
    ],
)
def test_a_refused_setting_is_one_line_not_a_traceback(
    tmp_path, variable: str, value: str, message: str
) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "SOCIAPARIS_DATA_DIR": str(tmp_path), variable: value}
    done = subprocess.run(
        [sys.executable, "-c", "from sociaparis.cli import main; main()", "db", "status"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ") and message in done.stderr
    assert "Traceback" not in done.stderr
