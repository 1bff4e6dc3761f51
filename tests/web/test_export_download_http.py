"""The browser's export download over real HTTP: the CLI's files, streamed from
disk, built in a worker process while respondents are answered, by role."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import httpx
import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.db import transaction
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.exports import export_archive
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.synthetic import add_synthetic_responses
from sociaparis.web.routes import admin as admin_routes
from tests.factories import add_role_accounts, field_form

PASSWORD = "a long enough password"


def _study(server, responses: int = 6) -> tuple[str, str]:
    """A fielded form with synthetic responses; its id and an invitation token."""
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=responses, seed=3)
        [invitation] = create_invitations(
            session=session,
            form_id=form_id,
            attributes=[{"directorate": "DFA", "job_category": "A"}],
        )
        add_role_accounts(session, PASSWORD)
    return form_id, invitation.token


@contextmanager
def _client(server, role: str) -> Iterator[httpx.Client]:
    """An HTTP client logged in as the account of ``role``."""
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]
        reply = client.post(
            "/login", data={"username": role, "password": PASSWORD, "csrf_token": token}
        )
        assert reply.status_code == 303
        yield client


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sav"])
def test_the_download_holds_the_files_the_cli_writes(
    live_server_any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    form_id, _token = _study(live_server_any)
    settings = live_server_any.app.state.settings
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    out = tmp_path / "cli"
    try:
        result = CliRunner().invoke(
            cli, ["export", form_id, "--format", fmt, "--lang", "fr", "--out", str(out)]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    with _client(live_server_any, "researcher") as client:
        reply = client.get(f"/fielding/{form_id}/export/{fmt}?lang=fr")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/zip"
    assert reply.headers["content-disposition"] == (
        f'attachment; filename="{form_id}-{fmt}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(reply.content))
    written = sorted(p.name for p in out.iterdir())
    assert sorted(archive.namelist()) == written
    assert f"{form_id}.{fmt}" in written and "datapackage.json" in written
    for name in written:
        member = archive.read(name)
        if name.endswith(".sav"):
            # The SPSS header holds the time it was written: compare the content.
            path = tmp_path / "downloaded.sav"
            path.write_bytes(member)
            got, got_meta = pyreadstat.read_sav(str(path))
            want, want_meta = pyreadstat.read_sav(str(out / name))
            pd.testing.assert_frame_equal(got, want)
            assert got_meta.column_names_to_labels == want_meta.column_names_to_labels
            assert got_meta.variable_value_labels == want_meta.variable_value_labels
        else:
            assert member == (out / name).read_bytes(), name
    if fmt == "csv":
        main = archive.read(f"{form_id}.csv")
        assert main.startswith(b"\xef\xbb\xbf_id,")
        assert len(pd.read_csv(io.BytesIO(main), encoding="utf-8-sig")) == 6


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("researcher", 200), ("coder", 403), ("viewer", 403)],
)
def test_only_roles_that_export_download(live_server, role: str, status: int) -> None:
    form_id, _token = _study(live_server, responses=2)
    with _client(live_server, role) as client:
        reply = client.get(f"/fielding/{form_id}/export/parquet")
    assert reply.status_code == status
    assert (reply.headers["content-type"] == "application/zip") == (status == 200)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.RESEARCHER, True),
        (Role.CODER, False),
        (Role.VIEWER, False),
    ],
)
def test_the_service_checks_the_role(
    live_server, tmp_path: Path, role: Role, allowed: bool
) -> None:
    form_id, _token = _study(live_server, responses=2)
    out = tmp_path / "out"
    with transaction(live_server.app.state.engine) as session:
        if allowed:
            path = export_archive(
                session=session,
                form_id=form_id,
                fmt="csv",
                actor=Account(0, "tester", role, ""),
                out=out,
            )
            assert path == out / f"{form_id}-csv.zip"
            # Only the archive is left: the intermediate files are removed.
            assert list(out.iterdir()) == [path]
            return
        with pytest.raises(SociaparisError) as info:
            export_archive(
                session=session,
                form_id=form_id,
                fmt="csv",
                actor=Account(0, "tester", role, ""),
                out=out,
            )
    assert info.value.error is ExportError.NOT_ALLOWED
    assert not out.exists()


def test_the_download_is_streamed_from_a_file_removed_after(
    live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    form_id, _token = _study(live_server)
    # The server runs in this process: its temporary folders go to tmp_path.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # A small archive is sent whole before this test reads the headers, and the
    # server's clean-up would race the look at the folder: it waits for the look.
    looked = threading.Event()

    def rmtree_after_the_look(path: Path, **options: object) -> None:
        looked.wait(timeout=30)
        shutil.rmtree(path, **options)

    monkeypatch.setattr(
        admin_routes, "shutil", SimpleNamespace(rmtree=rmtree_after_the_look)
    )
    with _client(live_server, "researcher") as client:
        with client.stream("GET", f"/fielding/{form_id}/export/csv") as reply:
            assert reply.status_code == 200
            [folder] = tmp_path.glob("sociaparis-download-*")
            [archive] = folder.iterdir()
            assert archive.name == f"{form_id}-csv.zip"
            # Sent from the file on disk, whose size the server announced.
            assert int(reply.headers["content-length"]) == archive.stat().st_size
            # Personal data: kept by no cache on the way.
            assert reply.headers["cache-control"] == "no-store"
            body = b"".join(reply.iter_bytes())
            looked.set()
        assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
    deadline = time.monotonic() + 5
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not folder.exists()


def test_a_respondent_page_is_answered_while_an_export_is_built_and_sent(
    live_server,
) -> None:
    form_id, token = _study(live_server, responses=300)
    done = threading.Event()
    finished: list[float] = []

    def slow_download() -> None:
        with _client(live_server, "researcher") as client:
            with client.stream("GET", f"/fielding/{form_id}/export/sav") as reply:
                assert reply.status_code == 200
                for _chunk in reply.iter_bytes(chunk_size=1024):
                    time.sleep(0.001)  # a slow consumer
        finished.append(time.monotonic())
        done.set()

    downloader = threading.Thread(target=slow_download)
    downloader.start()
    answered: list[float] = []
    with httpx.Client(base_url=live_server.url, timeout=10) as respondent:
        while not done.is_set() and len(answered) < 20:
            started = time.monotonic()
            reply = respondent.get(f"/i/{token}")
            assert reply.status_code == 200
            answered.append(time.monotonic())
            assert answered[-1] - started < 1.0
    downloader.join(timeout=60)
    assert finished, "the download did not finish"
    assert len(answered) >= 5 and answered[4] < finished[0]
