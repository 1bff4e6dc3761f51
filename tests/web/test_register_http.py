"""The register of image-recognition systems over real HTTP: who sees what,
unnamed organisations never named (page, filters, every download), small counts
hidden, the frame built by researchers only, CSRF."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.compare.matrix.service import matrix_frame
from sociaparis.compare.register.examples import TRANSPORT_FORM_ID, add_example_responses
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import Fielding, configure_fielding
from sociaparis.survey.service import add_instrument
from sociaparis.survey.xlsform import parse_xlsform
from tests.conftest import HTTP_TIMEOUT

FORM = (
    Path(__file__).resolve().parents[2]
    / "studies"
    / "sociaparis"
    / "transport_vision_survey.xlsx"
)
PASSWORD = "a long enough password"
USERS = {"ana": Role.RESEARCHER, "cody": Role.CODER, "vic": Role.VIEWER}
#: names of organisations and tools that did not agree (examples.py)
UNNAMED = [
    "Service de la voirie B",
    "Lecture de plaques",
    "Comptage des véhicules",
    "Opérateur D",
    "Recherche de personnes",
]
NAMED = ["Régie métropolitaine A", "Autorité des mobilités C", "Couloirs de bus"]


@pytest.fixture
def server(live_server_with):  # noqa: ANN001, ANN201 - the conftest's server
    server = live_server_with(min_cell_count=5)
    with transaction(server.app.state.engine) as session:
        form = parse_xlsform(FORM.read_bytes(), filename=FORM.name)
        add_instrument(session=session, form=form)
        configure_fielding(session=session, fielding=Fielding(form_id=TRANSPORT_FORM_ID))
        add_example_responses(session=session)
        for name, role in USERS.items():
            create_user(session=session, username=name, password=PASSWORD, role=role)
    return server


@contextmanager
def _client(server, username: str) -> Iterator[httpx.Client]:  # noqa: ANN001
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]
        reply = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token},
        )
        assert reply.status_code == 303
        yield client


def _token(page: httpx.Response) -> str:
    return re.search(r'name="csrf_token" value="([^"]*)"', page.text)[1]


def test_anonymous_visitors_are_sent_to_the_login(server) -> None:  # noqa: ANN001
    with httpx.Client(
        base_url=server.url, follow_redirects=False, timeout=HTTP_TIMEOUT
    ) as client:
        for path in ("/register", "/register/export/csv"):
            reply = client.get(path)
            assert reply.status_code in (302, 303, 401), path
            assert "Lecture de plaques" not in reply.text


@pytest.mark.parametrize("username", ["vic", "cody", "ana"])
def test_every_role_reads_the_register_and_no_unnamed_organisation(
    server, username: str,  # noqa: ANN001
) -> None:  # fmt: skip
    queries = ["", "?biometric=yes", "?mode=parking", "?verdict=high_risk&lang=en"]
    with _client(server, username) as client:
        for query in queries:
            page = client.get(f"/register{query}")
            assert page.status_code == 200
            assert "pas un avis juridique" in page.text or "not legal advice" in page.text
            for hidden in UNNAMED:
                assert hidden not in page.text, (query, hidden)
        page = client.get("/register")
        for shown in NAMED:
            assert shown in page.text
        assert 'id="register-counted">8 systèmes comptés, dont 3 ' in page.text
        for fmt in ("csv", "xlsx", "json", "atrs", "annex-viii", "etalab"):
            reply = client.get(f"/register/export/{fmt}?lang=en")
            assert reply.status_code == 200, fmt
            assert "attachment" in reply.headers["content-disposition"]
            if fmt != "xlsx":
                for hidden in UNNAMED:
                    assert hidden not in reply.content.decode("utf-8-sig"), (fmt, hidden)
        assert client.get("/register/export/pdf").status_code == 404


def test_filters_reach_the_downloads_and_small_counts_are_hidden(server) -> None:  # noqa: ANN001
    with _client(server, "vic") as client:
        page = client.get("/register?mode=metro&lang=en")
        assert 'id="register-counted">3 systems counted, 0 of them' in page.text
        assert "/register/export/csv?mode=metro&amp;lang=en" in page.text
        rows = list(csv.reader(io.StringIO(
            client.get("/register/export/csv?mode=metro&lang=en").content.decode("utf-8-sig")
        )))  # fmt: skip
        assert len(rows) == 4
        data = json.loads(client.get("/register/export/json").content)
        # 8 systems in 3 cities: only the grand total reaches 5
        table = data["counts"]["city_by_operator_type"]
        total = next(r for r in table["rows"] if r["row"] == "Total")
        assert total["cells"]["Total"] == 8
        assert all(
            v in (None, 0) for r in table["rows"] if r["row"] != "Total"
            for c, v in r["cells"].items() if c != "Total"
        )  # fmt: skip
        unknown = client.get("/register?colour=red")
        assert unknown.status_code == 200  # a parameter that is no filter is ignored


def test_only_researchers_build_the_systems_frame(server) -> None:  # noqa: ANN001
    for username in ("vic", "cody"):
        with _client(server, username) as client:
            page = client.get("/register")
            assert 'id="frame-form"' not in page.text
            reply = client.post("/register/frame", data={"csrf_token": _token(page)})
            assert reply.status_code == 403
    with _client(server, "ana") as client:
        page = client.get("/register")
        assert client.post("/register/frame", data={"csrf_token": "x"}).status_code == 403
        reply = client.post("/register/frame?lang=fr", data={"csrf_token": _token(page)})
        assert reply.status_code == 303
        done = client.get(reply.headers["location"])
        assert "Cadre « transport_systems » : 8 cas" in done.text
    with transaction(server.app.state.engine) as session:
        data = matrix_frame(session=session, frame="transport_systems")
    assert len(data) == 8 and data["public_information"].sum() == 6
    assert "org_name" not in data.columns
