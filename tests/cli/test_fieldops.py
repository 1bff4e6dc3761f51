"""``sociaparis instrument open/close``, ``invite`` and ``mail send/remind/log``:
the command-line twins of the field operations pages, on the bundled study."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.accounts.roles import Role
from sociaparis.cli import cli
from sociaparis.core.config import get_settings

REPO = Path(__file__).resolve().parents[2]
FORM = "sociaparis_staff_llm"


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The bundled study loaded in a fresh data folder, with a researcher and a
    viewer account, and a staff list invited (the links file's path)."""
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    monkeypatch.delenv("SOCIAPARIS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    assert run("study", "load", str(REPO / "studies/sociaparis"))[0] == 0
    for name, role in (("claire", Role.RESEARCHER), ("victor", Role.VIEWER)):
        code, output = run(
            "user", "add", name, "--role", role.value, input="a-long-password-1\n" * 2
        )
        assert code == 0, output
    (tmp_path / "staff.csv").write_text(
        "name,email,directorate,job_category\nA. Durand,a.durand@example.org,DFA,A\n",
        encoding="utf-8",
    )
    links = tmp_path / "links.csv"
    code, output = run(
        "invite", FORM, "--csv", str(tmp_path / "staff.csv"), "--out", str(links)
    )
    assert code == 0 and "Created 1 invitations" in output
    yield links
    get_settings.cache_clear()


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    return result.exit_code, result.output


def test_close_and_open_need_a_fielding_role(study: Path) -> None:
    code, output = run("instrument", "close", FORM, "--user", "victor")
    assert code == 1 and "FIELD_013" in output
    code, output = run("instrument", "close", FORM, "--user", "claire")
    assert code == 0 and output == f"{FORM} is closed: no new response starts.\n"
    code, output = run("instrument", "open", FORM, "--user", "claire")
    assert code == 0
    assert output.startswith(f"{FORM} is open (the study's dates still apply: ")
    code, output = run("instrument", "close", "nothing", "--user", "claire")
    assert code == 1 and "FIELD_001" in output


def test_mail_send_without_smtp_says_what_to_set(study: Path) -> None:
    code, output = run("mail", "send", FORM, "--links", str(study), "--user", "claire")
    assert code == 1 and "FIELD_016" in output and "SOCIAPARIS_SMTP_HOST" in output


def test_mail_send_and_log(study: Path, smtp_sink, monkeypatch) -> None:
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(smtp_sink.port),
        "SECURITY": "none",
        "SENDER": "enquete@ville.example.org",
        "RATE": "6000",
        "PASSWORD": "never-shown-secret",
    }.items():
        monkeypatch.setenv(f"SOCIAPARIS_SMTP_{name}", value)
    get_settings.cache_clear()
    code, output = run("mail", "send", FORM, "--links", str(study), "--user", "claire")
    assert code == 0, output
    assert f"invitation of {FORM}: 1 sent, 0 refused by the server" in output
    assert "never-shown-secret" not in output
    assert [m["To"] for m in smtp_sink.messages] == ["a.durand@example.org"]
    code, output = run("mail", "remind", FORM, "--links", str(study), "--user", "claire")
    assert code == 0 and "reminder-1 of" in output and len(smtp_sink.messages) == 2
    code, output = run("mail", "log", FORM, "--json")
    log = json.loads(output)
    assert log["mailings"] == {
        "invitation": {"sent": 1, "failed": 0, "sending": 0},
        "reminder-1": {"sent": 1, "failed": 0, "sending": 0},
    }
    code, output = run("mail", "log", FORM)
    assert output.splitlines()[0] == "invitation\tsent 1\trefused 0\tuncertain 0"
