"""What the commands write is private to its owner, and the commands say when
an existing data folder is open to other accounts."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import sociaparis.cli
from sociaparis.cli import cli
from sociaparis.core.config import get_settings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The study's data folder (not created yet), under the usual umask."""
    previous = os.umask(0o022)
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SOCIAPARIS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _warning(folder: Path, opened: str) -> str:
    return (
        "Warning: other accounts on this machine can open the data folder's "
        f"content: {opened}. It holds every answer and the re-identification "
        f"table. Make it private with: chmod -R go-rwx {folder}\n"
    )


def test_invite_writes_the_links_file_for_its_owner_only(
    data: Path, tmp_path: Path
) -> None:
    loaded = CliRunner().invoke(cli, ["study", "load", str(REPO / "studies/sociaparis")])
    assert loaded.exit_code == 0, loaded.output
    (tmp_path / "staff.csv").write_text(
        "name,directorate,job_category\nA. Durand,DFA,A\n", encoding="utf-8"
    )
    links = data / "links.csv"
    result = CliRunner().invoke(
        cli,
        [
            "invite",
            "sociaparis_staff_llm",
            "--csv",
            str(tmp_path / "staff.csv"),
            "--out",
            str(links),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output  # the folder it created is private
    assert (_mode(data), _mode(data / "sociaparis.db"), _mode(links)) == (
        0o700,
        0o600,
        0o600,
    )


def test_a_command_on_an_open_data_folder_says_how_to_close_it(data: Path) -> None:
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "sociaparis.db").touch(mode=0o644)
    os.chmod(data / "sociaparis.db", 0o644)
    result = CliRunner().invoke(cli, ["qual", "documents"])
    assert result.exit_code == 0, result.output
    assert result.stderr == _warning(data, f"{data} (0755), {data}/sociaparis.db (0644)")


def test_serve_warns_about_an_open_data_folder(
    data: Path, monkeypatch: pytest.MonkeyPatch, free_port: int
) -> None:
    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: served.append(args))
    data.mkdir()
    os.chmod(data, 0o711)
    result = CliRunner().invoke(cli, ["serve", "--port", str(free_port)])
    assert result.exit_code == 0, result.output
    assert served
    assert result.stderr == _warning(data, f"{data} (0711)")


def test_the_command_runs_with_a_private_umask(monkeypatch: pytest.MonkeyPatch) -> None:
    umasks = []

    def command(**_kwargs: object) -> None:
        umask = os.umask(0o022)
        umasks.append(umask)
        os.umask(umask)

    previous = os.umask(0o022)
    monkeypatch.setattr(sociaparis.cli, "cli", command)
    try:
        sociaparis.cli.main()
    finally:
        os.umask(previous)
    assert umasks == [0o077]


@pytest.mark.parametrize("command", [["db", "status"], ["db", "upgrade"]])
def test_the_db_commands_warn_about_an_open_data_folder(
    data: Path, command: list[str]
) -> None:
    data.mkdir()
    os.chmod(data, 0o750)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 0, result.output
    assert result.stderr == _warning(data, f"{data} (0750)")
