"""Background jobs over real HTTP, on SQLite and PostgreSQL: start from the
fielding page's form, follow the JSON progress, download, cancel, a failure
with its error (in the page's language), and what other accounts may see."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import lxml.html
import pytest
from sqlalchemy import update

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import (
    LOCAL_ADMIN,
    create_user,
    find_account,
    set_role,
)
from sociaparis.core.db import transaction
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.jobs.models import JobRecord
from sociaparis.jobs.service import claim_job, finish_job, start_job
from sociaparis.survey.synthetic import add_synthetic_responses
from tests.factories import field_form, job_workers

PASSWORD = "a long enough password"
USERS = {
    "ana": Role.RESEARCHER,
    "bob": Role.RESEARCHER,
    "root": Role.ADMIN,
    "vic": Role.VIEWER,
}


def _study(server) -> str:
    with transaction(server.app.state.engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=15, seed=4)
        for name, role in USERS.items():
            create_user(session=session, username=name, password=PASSWORD, role=role)
    return form_id


@contextmanager
def _client(server, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]
        reply = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
        )
        assert reply.status_code == 303
        yield client


def _csrf(client: httpx.Client, form_id: str) -> str:
    page = client.get(f"/fielding/{form_id}")
    return re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]


def _start(client: httpx.Client, form_id: str, **fields: str) -> httpx.Response:
    data = {"kind": "export", "form_id": form_id, "fmt": "csv", **fields}
    data.setdefault("csrf_token", _csrf(client, form_id))
    return client.post("/jobs?lang=fr", data=data)


def _job_id(reply: httpx.Response) -> int:
    assert reply.status_code == 303, reply.text
    return int(re.fullmatch(r"/jobs/(\d+)\?lang=fr", reply.headers["location"])[1])


def _until_over(client: httpx.Client, job_id: int) -> list[dict]:
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}/status").json()
        seen.append(status)
        if not status["active"]:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end: {seen[-1]}")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_job_from_the_fielding_page(live_server_any, fmt: str) -> None:
    server = live_server_any
    form_id = _study(server)
    with _client(server, "ana") as client:
        page = client.get(f"/fielding/{form_id}")
        assert f'id="start-export-{fmt}"' in page.text
        assert 'id="start-report-html"' in page.text
        job_id = _job_id(_start(client, form_id, fmt=fmt))
        queued = client.get(f"/jobs/{job_id}/status").json()
        assert (queued["status"], queued["percent"], queued["step"]) == (
            "queued",
            0,
            "queued",
        )
        assert queued["status_label"] == "En attente"
        page = client.get(f"/jobs/{job_id}?lang=fr")
        assert '<progress id="job-progress" max="100" value="0">' in page.text
        assert 'id="job-cancel"' in page.text
        with job_workers(server):
            seen = _until_over(client, job_id)
        done = seen[-1]
        assert (done["status"], done["percent"], done["step"]) == ("done", 100, "done")
        assert done["download_url"] == f"/jobs/{job_id}/download"
        assert done["result_name"] == f"{form_id}-{fmt}.zip"
        percents = [s["percent"] for s in seen]
        assert percents == sorted(percents)
        page = client.get(f"/jobs/{job_id}?lang=fr")
        assert 'id="job-download"' in page.text and 'id="job-cancel"' not in page.text
        got = client.get(done["download_url"])
        direct = client.get(f"/fielding/{form_id}/export/{fmt}?lang=fr")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/zip"
    assert f'filename="{form_id}-{fmt}.zip"' in got.headers["content-disposition"]
    job_zip = zipfile.ZipFile(io.BytesIO(got.content))
    direct_zip = zipfile.ZipFile(io.BytesIO(direct.content))
    assert sorted(job_zip.namelist()) == sorted(direct_zip.namelist())
    for name in direct_zip.namelist():
        assert job_zip.read(name) == direct_zip.read(name), name


def test_report_job(live_server_any) -> None:
    server = live_server_any
    form_id = _study(server)
    with _client(server, "ana") as client:
        job_id = _job_id(_start(client, form_id, kind="report", fmt="html"))
        with job_workers(server):
            done = _until_over(client, job_id)[-1]
        assert done["status"] == "done", done
        reply = client.get(done["download_url"])
    assert reply.headers["content-type"].startswith("text/html")
    assert f"{form_id}-report.html" in reply.headers["content-disposition"]


def test_refusals_and_other_accounts(live_server_any) -> None:
    server = live_server_any
    form_id = _study(server)
    with _client(server, "ana") as ana:
        assert _start(ana, form_id, csrf_token="forged").status_code == 403
        bad = _start(ana, form_id, fmt="docx")
        assert bad.status_code == 400 and "ne peut pas valoir" in bad.text
        job_id = _job_id(_start(ana, form_id))
        with job_workers(server):
            _until_over(ana, job_id)
        listed = ana.get("/jobs?lang=fr").text
        assert f'href="/jobs/{job_id}?lang=fr"' in listed
    with _client(server, "vic") as vic:
        assert _start(vic, form_id).status_code == 403
    with _client(server, "bob") as bob:
        for path in (
            f"/jobs/{job_id}",
            f"/jobs/{job_id}/status",
            f"/jobs/{job_id}/download",
        ):
            assert bob.get(path).status_code == 404, path
        token = _csrf(bob, form_id)
        cancel = bob.post(f"/jobs/{job_id}/cancel", data={"csrf_token": token})
        assert cancel.status_code == 404
        assert f"/jobs/{job_id}?" not in bob.get("/jobs").text
    with _client(server, "root") as root:
        listed = root.get("/jobs?lang=fr").text
        assert f'href="/jobs/{job_id}?lang=fr"' in listed and "<td>ana</td>" in listed
        assert root.get(f"/jobs/{job_id}/download").status_code == 200
    with transaction(server.app.state.engine) as session:
        set_role(session=session, actor=LOCAL_ADMIN, username="ana", role=Role.VIEWER)
    with _client(server, "ana") as ana:  # the role is checked again at download
        assert ana.get(f"/jobs/{job_id}").status_code == 200
        assert ana.get(f"/jobs/{job_id}/download").status_code == 403


def test_cancel_a_queued_job_and_a_failure_with_its_error(live_server_any) -> None:
    server = live_server_any
    form_id = _study(server)
    with _client(server, "ana") as ana:
        queued = _job_id(_start(ana, form_id))
        failing = _job_id(_start(ana, form_id, fmt="xlsx"))
        token = _csrf(ana, form_id)
        assert ana.post(f"/jobs/{queued}/cancel").status_code == 403  # no CSRF token
        reply = ana.post(f"/jobs/{queued}/cancel?lang=fr", data={"csrf_token": token})
        assert reply.status_code == 303
        assert ana.get(f"/jobs/{queued}/status").json()["status"] == "cancelled"
        again = ana.post(f"/jobs/{queued}/cancel?lang=fr", data={"csrf_token": token})
        assert again.status_code == 400 and "seule une tâche en attente" in again.text
    with transaction(server.app.state.engine) as session:
        set_role(session=session, actor=LOCAL_ADMIN, username="ana", role=Role.CODER)
    with job_workers(server), _client(server, "ana") as ana:
        failed = _until_over(ana, failing)[-1]
        assert (failed["status"], failed["error_code"]) == ("failed", "EXPORT_007")
        page = ana.get(f"/jobs/{failing}?lang=fr").text
        assert "La tâche a échoué" in page and "EXPORT_007" in page
        assert "coder" in failed["error_message"]
        assert ana.get(f"/jobs/{failing}/download").status_code == 403
        assert ana.get(f"/jobs/{queued}/status").json()["status"] == "cancelled"
        token = _csrf(ana, form_id)
        removed = ana.post(f"/jobs/{failing}/remove?lang=fr", data={"csrf_token": token})
        assert (
            removed.status_code == 303 and removed.headers["location"] == "/jobs?lang=fr"
        )
        assert ana.get(f"/jobs/{failing}").status_code == 404


def _failed_job(server, form_id: str, error: SociaparisError) -> int:
    """A job of ana's that failed with ``error`` (recorded as a worker does)."""
    with transaction(server.app.state.engine) as session:
        ana = find_account(session=session, username="ana")
        job = start_job(
            session=session,
            actor=ana,
            kind="export",
            parameters={"form_id": form_id, "fmt": "csv"},
            queue=None,
        )
    with transaction(server.app.state.engine) as session:
        assert claim_job(session=session, job_id=job.id)
        finish_job(session=session, job_id=job.id, status="failed", error=error)
    return job.id


def _shown_error(client: httpx.Client, job_id: int, lang: str) -> str:
    page = client.get(f"/jobs/{job_id}?lang={lang}")
    assert page.status_code == 200
    return lxml.html.fromstring(page.text).get_element_by_id("job-error").text_content()


def test_a_failed_job_is_told_in_the_page_language(live_server_any) -> None:
    server = live_server_any
    form_id = _study(server)
    error = SociaparisError(
        JobError.BAD_PARAMETER,
        name="fmt",
        value="spss",
        reason=Reason(en="choose one of csv, xlsx", fr="choisissez parmi csv, xlsx"),
    )
    job_id = _failed_job(server, form_id, error)
    old = _failed_job(server, form_id, error)
    with transaction(server.app.state.engine) as session:  # a row from before 0023
        session.execute(
            update(JobRecord).where(JobRecord.id == old).values(error_context=None)
        )
    with _client(server, "ana") as ana:
        assert " ".join(_shown_error(ana, job_id, "fr").split()) == (
            "La tâche a échoué : JOB_004 Le paramètre « fmt » ne peut pas valoir "
            "« spss » : choisissez parmi csv, xlsx."
        )
        assert " ".join(_shown_error(ana, job_id, "en").split()) == (
            f"The job failed: JOB_004 {error.message}"
        )
        assert error.message in _shown_error(ana, old, "fr")
        status = ana.get(f"/jobs/{job_id}/status?lang=fr").json()
        assert status["error_message"] == error.message
        assert status["error_context"]["reason"] == {
            "en": "choose one of csv, xlsx",
            "fr": "choisissez parmi csv, xlsx",
        }
        assert status["error_label"].endswith(": choisissez parmi csv, xlsx.")
        english = ana.get(f"/jobs/{job_id}/status?lang=en").json()
        assert english["error_label"] == error.message
