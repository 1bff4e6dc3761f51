"""``sociaparis monitor``: the monitoring tables from the command line, the same
service function as the researcher page (SQLite study folder)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.db import ensure_schema, make_engine, transaction
from sociaparis.survey.fielding import service
from sociaparis.survey.fielding.monitoring import TABLES
from tests.factories import FIELDING_FORM_PAGES, field_form, submit_page
from tests.survey.fielding.test_monitoring import NOW


@pytest.fixture
def form_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A study where 12 of 14 invited (DFA x A) completed, each page in 20 s;
    the other 2 stopped on the first page."""
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'study.db'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    settings = get_settings()
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        form = field_form(session)
        invitations = service.create_invitations(
            session=session,
            form_id=form,
            attributes=[{"directorate": "=DFA", "job_category": "A"}] * 14,
            today=NOW.date(),
        )
        for number, created in enumerate(invitations):
            started = service.start_from_invitation(
                session=session, token=created.token, secret=settings.secret_key, now=NOW
            )
            for revision, (page, fields, instances) in enumerate(
                FIELDING_FORM_PAGES if number < 12 else []
            ):
                outcome = submit_page(
                    session,
                    started.resume_token,
                    page,
                    fields,
                    revision,
                    instances=instances,
                    now=NOW,
                    shown_at=NOW - timedelta(seconds=20),
                )
                assert outcome.accepted
    engine.dispose()
    yield form
    get_settings.cache_clear()


def test_monitor_prints_the_published_tables(form_id: str) -> None:
    result = CliRunner().invoke(cli, ["monitor", form_id, "--table", "by_page"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "== by_page"
    assert lines[1].split() == [
        "position", "page", "label", "reached", "stopped_here", "median_seconds",
    ]  # fmt: skip
    # 14 reached the first page (public: started); 12 every other, but showing
    # 12 would say the 2 stopped on page 1: hidden (x).
    assert lines[2].split()[:2] == ["1", "service"]
    # The median of page 1 (20 s) is shown; how many sent it on (12) is not.
    assert lines[2].split()[-3:] == ["14", "x", "20"]
    assert lines[-1].startswith("Counts below 10")


def test_monitor_writes_each_table_as_the_page_downloads_it(
    form_id: str, tmp_path: Path
) -> None:
    out = tmp_path / "tables"
    result = CliRunner().invoke(cli, ["monitor", form_id, "--csv", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in out.iterdir())
    assert written == sorted(f"{form_id}-{t}.csv" for t in TABLES)
    assert all(path.stat().st_mode & 0o077 == 0 for path in out.iterdir())
    completed = list(
        csv.reader(io.StringIO((out / f"{form_id}-completed.csv").read_text("utf-8-sig")))
    )
    assert completed[1] == ["'=DFA", "'=DFA", "12", "12"]


def test_monitor_refuses_an_unknown_table(form_id: str) -> None:
    result = CliRunner().invoke(cli, ["monitor", form_id, "--table", "secrets"])
    assert result.exit_code == 2
    assert "Invalid value for '--table'" in result.output
