"""``sociaparis job``: queue an export and a report, list, show, cancel; the
worker command runs them; errors are messages, not tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.core.db import ensure_schema, make_engine, transaction
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.factories import field_form

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'study.db'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOCIAPARIS_USER", "ana")
    get_settings.cache_clear()
    settings = get_settings()
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=10, seed=1)
        for name, role in (("ana", Role.RESEARCHER), ("vic", Role.VIEWER)):
            create_user(
                session=session, username=name, password="a long password", role=role
            )
    engine.dispose()
    yield form_id
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_queue_list_show_cancel(study: str) -> None:
    code, out = run("job", "export", study, "--format", "sav")
    assert code == 0 and out.startswith("Job 1 queued:"), out
    assert run("job", "report", study)[1].startswith("Job 2 queued:")
    code, out = run("job", "list", "--json")
    assert [(j["id"], j["kind"], j["status"]) for j in json.loads(out)] == [
        (2, "report", "queued"),
        (1, "export", "queued"),
    ]
    assert run("job", "cancel", "2") == (0, "Job 2 cancelled.\n")
    code, out = run("job", "cancel", "2")
    assert code == 1 and "JOB_005" in out and "Traceback" not in out
    code, out = run("job", "show", "1", "--user", "vic")
    assert code == 1 and "JOB_002" in out
    code, out = run("job", "export", study, "--format", "csv", "--user", "vic")
    assert code == 1 and "JOB_003" in out
    code, out = run("job", "list", "--all")
    assert code == 1 and "JOB_003" in out


def test_the_worker_command_runs_queued_jobs(study: str, tmp_path: Path) -> None:
    assert run("job", "export", study, "--format", "csv")[0] == 0
    worker = subprocess.Popen(
        [sys.executable, "-c", "from sociaparis.cli import main; main()"]
        + ["job", "worker", "--threads"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            shown = json.loads(run("job", "show", "1", "--json")[1])
            if shown["status"] == "done":
                break
            time.sleep(0.2)
    finally:
        worker.send_signal(2)  # Ctrl+C: a graceful stop
        worker.wait(timeout=30)
    assert shown["status"] == "done", worker.stdout.read().decode()
    result = tmp_path / "data" / "jobs" / "1" / f"{study}-csv.zip"
    assert result.is_file() and shown["result_bytes"] == result.stat().st_size
    code, out = run("job", "list")
    assert code == 0 and "done" in out and f"{study}-csv.zip" in out
    assert run("job", "remove", "1") == (0, "Job 1 removed.\n")
    assert not result.exists()
    assert run("job", "list") == (0, "No job.\n")


def test_serve_runs_jobs_with_its_own_worker_which_stops_with_it(
    study: str, tmp_path: Path, free_port: int
) -> None:
    """The demo's path: `sociaparis serve` alone runs the jobs; its worker
    stops with it, even when the server is killed."""
    import os
    import signal

    from benchmarks._http_load import start_server, stop_server

    assert run("job", "export", study, "--format", "csv")[0] == 0
    server = start_server(
        [sys.executable, "-c", "from sociaparis.cli import main; main()"]
        + ["serve", "--port", str(free_port)],
        port=free_port,
        env={"SOCIAPARIS_SECRET_KEY": "x" * 40},
        log=tmp_path / "serve.log",
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if json.loads(run("job", "show", "1", "--json")[1])["status"] == "done":
                break
            time.sleep(0.2)
        assert json.loads(run("job", "show", "1", "--json")[1])["status"] == "done"
        os.kill(server.pid, signal.SIGKILL)  # the server alone, not its group
        server.wait(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(server.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the job worker outlived its server")
    finally:
        stop_server(server, signal.SIGKILL)


def test_queue_a_report_with_sections_and_themes(study: str) -> None:
    code, out = run("job", "report", study, "--section", "methods", "--lang", "en")
    assert code == 0 and out.startswith("Job 1 queued:"), out
    code, out = run("job", "themes", study, "comment", "--n-themes", "3")
    assert code == 0 and out.startswith("Job 2 queued:"), out
    shown = {
        j["id"]: j["parameters"] for j in json.loads(run("job", "list", "--json")[1])
    }
    assert shown[1] == {
        "form_id": study,
        "fmt": "html",
        "lang": "en",
        "sections": ["methods"],
        "weighting": "design",
        "study": None,
    }
    assert shown[2] == {
        "form_id": study,
        "question": "comment",
        "n_themes": 3,
        "min_count": 10,
        "lang": "fr",
    }
    for args, error in (
        (["report", study, "--weighting", "raked"], "REPORT_051"),
        (["report", study, "--section", "nope"], "REPORT_050"),
        (["themes", study, "comment", "--min-count", "4"], "ANALYSIS_010"),
    ):
        code, out = run("job", *args)
        assert code == 1 and error in out and "Traceback" not in out, out


def test_queue_the_pseudonymization_of_documents(study: str) -> None:
    from sociaparis.qual.corpus import acting_account, import_document

    engine = make_engine(get_settings())
    with transaction(engine) as session:
        ana = acting_account(session=session, username="ana")
        for name in ("e1.txt", "e2.txt"):
            import_document(
                session=session,
                actor=ana,
                data=f"Mme Durand, {name}".encode(),
                filename=name,
            )
    engine.dispose()
    code, out = run("job", "pseudonymize", "e1.txt", "2", "--no-ner")
    assert (code, out) == (0, "Job 1 queued: e1.txt (+1)\n"), out
    [shown] = json.loads(run("job", "list", "--json")[1])
    assert shown["parameters"] == {"documents": [1, 2], "use_ner": False}
    code, out = run("job", "pseudonymize", "e1.txt", "--user", "vic")
    assert code == 1 and "QUAL_200" in out and "Traceback" not in out, out
    code, out = run("job", "pseudonymize", "nope.txt")
    assert code == 1 and "QUAL_" in out and "Traceback" not in out, out
