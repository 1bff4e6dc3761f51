"""Scale-out (docs/deployment.md): two app processes (real ``sociaparis serve``
subprocesses on free ports, no job worker of their own) and one ``sociaparis
job worker`` process, on one PostgreSQL database and one data folder. A job
started through one app server is seen, run once and downloaded through the
other."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
from sqlalchemy import Engine, text

from benchmarks._http_load import free_port, start_server, stop_server
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, transaction
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.conftest import _require
from tests.factories import field_form

ROOT = Path(__file__).resolve().parents[2]
SECRET = "scale-out-test-secret-key-0123456789abcdef"
PASSWORD = "a long enough password"
CLI = [sys.executable, "-c", "from sociaparis.cli import main; main()"]


def _log_in(client: httpx.Client) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]
    reply = client.post(
        "/login", data={"username": "ana", "password": PASSWORD, "csrf_token": token}
    )
    assert reply.status_code == 303


def _queue_empties(engine: Engine, within: float) -> bool:
    deadline = time.monotonic() + within
    while True:
        with engine.connect() as connection:
            if not connection.scalar(text("SELECT count(*) FROM sociaparis_queue.task")):
                return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def test_two_app_servers_and_one_worker_share_jobs(tmp_path: Path, postgres) -> None:
    _require(postgres)
    settings = Settings(
        data_dir=tmp_path / "shared-data",
        database_url=postgres.create_database(),
        secret_key=SECRET,
    )
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=20, seed=9)
        create_user(
            session=session, username="ana", password=PASSWORD, role=Role.RESEARCHER
        )
    env = {
        "SOCIAPARIS_DATA_DIR": str(settings.data_dir),
        "SOCIAPARIS_DATABASE_URL": settings.database_url,
        "SOCIAPARIS_SECRET_KEY": SECRET,
        # single-user mode: server mode's cookies are HTTPS-only (no proxy here)
        "SOCIAPARIS_JOBS_WORKERS": "0",
    }
    ports = [free_port(), free_port()]
    servers, worker = [], None
    try:
        for n, port in enumerate(ports):
            command = [*CLI, "serve", "--port", str(port)]
            log = tmp_path / f"server-{n}.log"
            servers.append(start_server(command, port=port, env=env, log=log, cwd=ROOT))
        with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=30) as one:
            _log_in(one)
            token = re.search(
                r'name="csrf_token" value="([^"]*)"', one.get(f"/fielding/{form_id}").text
            )[1]
            reply = one.post(
                "/jobs",
                data={
                    "csrf_token": token,
                    "kind": "export",
                    "form_id": form_id,
                    "fmt": "csv",
                },
            )
            assert reply.status_code == 303
            job_id = int(re.match(r"/jobs/(\d+)", reply.headers["location"])[1])
            cookies = one.cookies
        with httpx.Client(
            base_url=f"http://127.0.0.1:{ports[1]}", timeout=30, cookies=cookies
        ) as other:
            # Seen through the other server, queued: no worker is running yet.
            status = other.get(f"/jobs/{job_id}/status").json()
            assert status["status"] == "queued"
            with (tmp_path / "worker.log").open("ab") as log:
                worker = subprocess.Popen(
                    [*CLI, "job", "worker", "--workers", "1"],
                    cwd=ROOT,
                    env={**os.environ, **env},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            deadline = time.monotonic() + 90
            while status["active"] and time.monotonic() < deadline:
                time.sleep(0.2)
                status = other.get(f"/jobs/{job_id}/status").json()
            assert status["status"] == "done", (tmp_path / "worker.log").read_text()
            download = other.get(status["download_url"])
        assert download.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(download.content))
        assert f"{form_id}.csv" in archive.namelist()
        data = archive.read(f"{form_id}.csv").decode("utf-8").splitlines()
        assert len(data) == 21  # header and the 20 responses
        with engine.connect() as connection:
            started = connection.execute(
                text("SELECT count(*), min(started_at) FROM jobs WHERE status = 'done'")
            ).one()
        assert started[0] == 1 and started[1] is not None
        # The queue empties: nothing is left for a worker. A task may still be
        # in it for a moment (the minute's sweep, which huey's scheduler puts
        # in the queue, or the same job queued again by it: claimed once).
        assert _queue_empties(engine, within=30), "tasks left in the queue"
        # The result and its last progress; no intermediate file is left.
        folder = settings.data_dir / "jobs" / str(job_id)
        assert sorted(p.name for p in folder.iterdir()) == [
            f"{form_id}-csv.zip",
            "progress.json",
        ]
    finally:
        if worker is not None:
            stop_server(worker)
        for server in servers:
            stop_server(server)
        engine.dispose()
