"""The JSON API under /api/v1 over real HTTP, on SQLite and PostgreSQL: every
endpoint, every class of error, tokens, roles, and nothing half-written."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.accounts.token_service import create_token, list_tokens, revoke_token
from sociaparis.core.db import transaction
from sociaparis.qual import pseudonymize_service
from sociaparis.qual.coding_service import apply_coding
from sociaparis.qual.corpus import acting_account, history
from sociaparis.qual.provenance import tool_coder
from tests.conftest import HTTP_TIMEOUT
from tests.factories import job_workers

PASSWORD = "a long enough password"
# Code points, not bytes or UTF-16 units: é, an emoji and a combining accent.
TEXT = (
    "Enquêtrice : Vous utilisez l'assistant ?\n\n"
    "Mme Durand : Oui 👍, pour les courriers ; c'est pratique.\n\n"
    "Enquêtrice : Et les erreurs ?\n\n"
    "Mme Durand : Parfois, il faut relire."
)


@dataclass
class Study:
    url: str
    engine: object
    tokens: dict[str, str]

    def client(self, who: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture
def study(live_server_any) -> Study:
    tokens = {}
    with transaction(live_server_any.app.state.engine) as session:
        for name, role in (
            ("lea", Role.RESEARCHER),
            ("marc", Role.CODER),
            ("nina", Role.CODER),
            ("vera", Role.VIEWER),
        ):
            create_user(session=session, username=name, password=PASSWORD, role=role)
            tokens[name] = create_token(session=session, username=name)[1]
    return Study(live_server_any.url, live_server_any.app.state.engine, tokens)


def _upload(client: httpx.Client, text: str, case: str, name: str, **fields) -> dict:
    reply = client.post(
        "/api/v1/documents",
        files={"file": (name, text.encode())},
        data={"case": case, **{k: str(v).lower() for k, v in fields.items()}},
    )
    assert reply.status_code == 201, reply.text
    return reply.json()


def _released(client: httpx.Client, text: str, case: str, name: str) -> int:
    return _upload(client, text, case, name, pseudonymize=False)["id"]


def _json_error(reply: httpx.Response) -> str:
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert set(body) == {"error", "message"} and body["message"]
    return body["error"]


# -- the workflow of a script --------------------------------------------------------


def test_a_script_codes_an_interview_from_upload_to_matrix(study: Study) -> None:
    lea = study.client("lea")
    parent = lea.post("/api/v1/codes", json={"name": "Usages", "definition": "Ce que"})
    assert parent.status_code == 201
    usages = parent.json()
    assert usages == {"id": usages["id"], "name": "Usages", "parent_id": None,
                      "color": None, "definition": "Ce que"}  # fmt: skip
    child = lea.post(
        "/api/v1/codes",
        json={"name": "Courriers", "parent_id": usages["id"], "color": "#aa3300"},
    ).json()
    assert (child["parent_id"], child["color"]) == (usages["id"], "#aa3300")
    errors = lea.post("/api/v1/codes", json={"name": "Erreurs"}).json()
    assert lea.get("/api/v1/codes").json() == [usages, child, errors]

    created = _upload(lea, TEXT, "Paris", "entretien.txt", speakers=True)
    assert (created["status"], created["turns"]) == ("imported", 4)
    document = created["id"]
    not_yet = lea.get(f"/api/v1/documents/{document}")
    assert (not_yet.status_code, _json_error(not_yet)) == (409, "QUAL_205")

    released = lea.post(f"/api/v1/documents/{document}/release?ner=false")
    assert released.status_code == 200, released.text
    body = released.json()
    assert (body["id"], body["case"], body["status"]) == (document, "Paris", "released")
    assert "Durand" not in body["text"] and "[PERSONNE-1]" in body["text"]
    assert lea.get(f"/api/v1/documents/{document}").json() == body

    text = body["text"]
    start = text.index("pour les courriers")
    end = start + len("pour les courriers")
    marc = study.client("marc")
    coded = marc.post(
        f"/api/v1/documents/{document}/codings",
        json={"code_id": child["id"], "start": start, "end": end, "memo": "net"},
    )
    assert coded.status_code == 201, coded.text
    coding = coded.json()
    assert coding == {"id": coding["id"], "code_id": child["id"], "start": start,
                      "end": end, "coder": "marc", "memo": "net",
                      "origin": "human", "model": "", "accepted_by": ""}  # fmt: skip
    # the last code point of the text, end exclusive
    last = marc.post(
        f"/api/v1/documents/{document}/codings",
        json={"code_id": errors["id"], "start": len(text) - 1, "end": len(text)},
    )
    assert last.status_code == 201
    assert [
        c["id"] for c in marc.get(f"/api/v1/documents/{document}/codings").json()
    ] == [
        coding["id"],
        last.json()["id"],
    ]

    other = _released(lea, "Rien à signaler.", "Lyon", "lyon.txt")
    lea.post(
        f"/api/v1/documents/{other}/codings",
        json={"code_id": errors["id"], "start": 0, "end": 4},
    )
    matrix = study.client("vera").get("/api/v1/matrix?rows=codes&cols=cases").json()
    assert (matrix["rows"], matrix["cols"]) == (
        ["Usages", "Usages > Courriers", "Erreurs"],
        ["Paris", "Lyon"],
    )
    assert matrix["counts"] == [[0, 0], [1, 0], [1, 1]]
    with_subcodes = study.client("vera").get("/api/v1/matrix?subcodes=true").json()
    assert with_subcodes["counts"] == [[1, 0], [1, 0], [1, 1]]

    removed = marc.delete(f"/api/v1/codings/{coding['id']}")
    assert (removed.status_code, removed.content) == (204, b"")
    assert [c["id"] for c in lea.get(f"/api/v1/documents/{document}/codings").json()] == [
        last.json()["id"]
    ]
    with transaction(study.engine) as session:
        kinds = [e.kind for e in history(session=session, actor="marc")]
    assert kinds == ["apply", "apply", "remove"]


def test_a_document_imported_without_pseudonymization_is_ready_at_once(
    study: Study,
) -> None:
    lea = study.client("lea")
    created = _upload(lea, "Un texte.", "Lille", "a.txt", pseudonymize=False)
    assert (created["status"], created["turns"]) == ("released", 0)
    shown = lea.get(f"/api/v1/documents/{created['id']}").json()
    assert (shown["text"], shown["case"]) == ("Un texte.", "Lille")


# -- jobs ---------------------------------------------------------------------------

INTERVIEW = "Mme Durand travaille à la DSIN. Écrire à claire.durand@paris.fr."


def _until_over(client: httpx.Client, job_id: int) -> dict:
    deadline = time.monotonic() + HTTP_TIMEOUT
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {HTTP_TIMEOUT} s")


def _pseudonymize(documents: object) -> dict:
    return {"kind": "pseudonymize", "parameters": {"documents": documents}}


def _no_second_search(**_: object) -> None:
    raise AssertionError("the release searched the document again")


def test_a_script_pseudonymizes_in_a_job_then_releases(
    study: Study, live_server_any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lea = study.client("lea")
    ids = [_upload(lea, f"{INTERVIEW} ({n})", "Lille", f"{n}.txt")["id"] for n in (1, 2)]
    started = lea.post(
        "/api/v1/jobs",
        json={"kind": "pseudonymize", "parameters": {"documents": ids, "use_ner": False}},
    )
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == f"/api/v1/jobs/{job['id']}"
    assert (job["status"], job["owner"], job["result_url"]) == ("queued", "lea", None)
    assert job["parameters"] == {"documents": ids, "use_ner": False}
    assert lea.get(f"/api/v1/jobs/{job['id']}/result").json()["error"] == "JOB_006"
    assert lea.delete(f"/api/v1/jobs/{job['id']}").json()["error"] == "JOB_014"
    with job_workers(live_server_any):
        done = _until_over(lea, job["id"])
    assert (done["status"], done["percent"], done["error"]) == ("done", 100, None)
    summary = lea.get(done["result_url"])
    assert summary.headers["content-type"] == "application/json"
    proposed = [d["proposed"] for d in summary.json()["documents"]]
    assert proposed == [{"PERSONNE": 1, "EMAIL": 1}] * 2  # "Mme Durand", the address
    # The release keeps the job's proposals: no second search in the request.
    monkeypatch.setattr(pseudonymize_service, "start_review", _no_second_search)
    released = lea.post(f"/api/v1/documents/{ids[0]}/release").json()
    assert "Durand" not in released["text"] and "DSIN" in released["text"]
    assert [j["id"] for j in lea.get("/api/v1/jobs").json()] == [job["id"]]
    assert lea.post(f"/api/v1/jobs/{job['id']}/cancel").json()["error"] == "JOB_005"
    assert lea.delete(f"/api/v1/jobs/{job['id']}").status_code == 204
    assert lea.get(f"/api/v1/jobs/{job['id']}").status_code == 404


def test_a_queued_job_is_cancelled_and_another_account_sees_none(study: Study) -> None:
    lea, vera = study.client("lea"), study.client("vera")
    [document] = [_upload(lea, INTERVIEW, "Lille", "1.txt")["id"]]
    job = lea.post(
        "/api/v1/jobs",
        json={"kind": "pseudonymize", "parameters": {"documents": [document]}},
    ).json()
    for reply in (
        vera.get(f"/api/v1/jobs/{job['id']}"),
        vera.post(f"/api/v1/jobs/{job['id']}/cancel"),
        vera.get(f"/api/v1/jobs/{job['id']}/result"),
    ):
        assert (reply.status_code, _json_error(reply)) == (404, "JOB_002")
    assert vera.get("/api/v1/jobs").json() == []
    everyone = vera.get("/api/v1/jobs", params={"everyone": "true"})
    assert (everyone.status_code, _json_error(everyone)) == (403, "JOB_003")
    cancelled = lea.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 202
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["error"]["error"] == "JOB_008"


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("lea", {"kind": "bake", "parameters": {}}, 422, "JOB_001"),
        ("lea", _pseudonymize([]), 422, "JOB_004"),
        ("lea", _pseudonymize([999]), 404, "QUAL_202"),
        ("marc", _pseudonymize([1]), 403, "QUAL_200"),
        (
            "lea",
            {"kind": "export", "parameters": {"form_id": "x", "fmt": "csv"}},
            422,
            "SURVEY_030",
        ),
        ("lea", {"parameters": {}}, 422, "QUAL_390"),
        (None, {"kind": "export", "parameters": {}}, 401, "ACCOUNT_032"),
    ],
)
def test_a_job_refused_is_json_with_its_code_and_queues_nothing(
    study: Study, who, body, status: int, code: str
) -> None:
    reply = study.client(who).post("/api/v1/jobs", json=body)
    assert (reply.status_code, _json_error(reply)) == (status, code), reply.text
    assert study.client("lea").get("/api/v1/jobs").json() == []


def test_a_matrix_by_case_attribute(study: Study) -> None:
    from sociaparis.qual.corpus import set_case_attributes

    lea = study.client("lea")
    code = lea.post("/api/v1/codes", json={"name": "Usages"}).json()["id"]
    for city, size in (("Paris", "grande"), ("Lyon", "grande"), ("Niort", "petite")):
        doc = _released(lea, f"Texte de {city}.", city, f"{city}.txt")
        lea.post(f"/api/v1/documents/{doc}/codings",
                 json={"code_id": code, "start": 0, "end": 5})  # fmt: skip
        with transaction(study.engine) as session:
            from sociaparis.accounts.service import find_account

            actor = find_account(session=session, username="lea")
            set_case_attributes(
                session=session, actor=actor, case=city, attributes={"taille": size}
            )
    matrix = lea.get("/api/v1/matrix?cols=taille").json()
    assert (matrix["cols"], matrix["counts"]) == (["grande", "petite"], [[2, 1]])


# -- errors -------------------------------------------------------------------------


@pytest.fixture
def coded(study: Study) -> dict[str, int]:
    """A released document of 20 code points, a code, and a coding by marc."""
    lea = study.client("lea")
    code = lea.post("/api/v1/codes", json={"name": "Usages"}).json()["id"]
    released = _released(lea, "Vingt caractères ici", "Paris", "r.txt")
    pending = _upload(lea, "Mme Durand parle.", "Paris", "p.txt")["id"]
    coding = study.client("marc").post(
        f"/api/v1/documents/{released}/codings",
        json={"code_id": code, "start": 0, "end": 5},
    )
    return {"code": code, "released": released, "pending": pending,
            "coding": coding.json()["id"]}  # fmt: skip


def test_codings_say_whether_a_model_proposed_them_and_who_accepted(
    study: Study, coded: dict[str, int]
) -> None:
    with transaction(study.engine) as session:
        lea = acting_account(session=session, username="lea")
        model = tool_coder(session=session, name="ai:mistral-small")
        accepted = apply_coding(
            session=session, actor=lea, document=coded["released"],
            code=coded["code"], start=6, end=15, as_coder=model,
        ).id  # fmt: skip
    codings = study.client("vera").get(f"/api/v1/documents/{coded['released']}/codings")
    assert codings.status_code == 200
    origins = {
        c["id"]: (c["coder"], c["origin"], c["model"], c["accepted_by"])
        for c in codings.json()
    }
    assert origins == {
        coded["coding"]: ("marc", "human", "", ""),
        accepted: ("ai:mistral-small", "model", "ai:mistral-small", "lea"),
    }


def _coding(doc: str, code: int | str = "code", start: int = 0, end: int = 5):
    return ("POST", f"/api/v1/documents/{{{doc}}}/codings",
            {"code_id": code, "start": start, "end": end})  # fmt: skip


ERRORS = [
    # who, (method, path, json), status, code
    (None, ("GET", "/api/v1/codes", None), 401, "ACCOUNT_032"),
    ("forged", ("GET", "/api/v1/codes", None), 401, "ACCOUNT_033"),
    (None, _coding("released"), 401, "ACCOUNT_032"),
    ("forged", ("DELETE", "/api/v1/codings/{coding}", None), 401, "ACCOUNT_033"),
    ("vera", _coding("released"), 403, "QUAL_200"),
    ("vera", ("POST", "/api/v1/codes", {"name": "X"}), 403, "QUAL_200"),
    ("marc", ("POST", "/api/v1/codes", {"name": "X"}), 403, "QUAL_200"),
    ("marc", ("POST", "/api/v1/documents/{pending}/release", None), 403, "QUAL_200"),
    ("nina", ("DELETE", "/api/v1/codings/{coding}", None), 403, "QUAL_200"),
    ("marc", _coding("released", code=999_999), 422, "QUAL_204"),
    ("marc", _coding("released", start=5, end=5), 422, "QUAL_206"),
    ("marc", _coding("released", start=6, end=5), 422, "QUAL_206"),
    ("marc", _coding("released", start=-1, end=5), 422, "QUAL_206"),
    ("marc", _coding("released", start=0, end=21), 422, "QUAL_206"),
    ("marc", _coding("pending"), 409, "QUAL_205"),
    ("marc", ("GET", "/api/v1/documents/{pending}", None), 409, "QUAL_205"),
    ("lea", ("POST", "/api/v1/documents/{released}/release", None), 409, "QUAL_210"),
    ("lea", ("POST", "/api/v1/codes", {"name": "Usages"}), 409, "QUAL_208"),
    ("marc", ("GET", "/api/v1/documents/999999", None), 404, "QUAL_202"),
    ("marc", ("POST", "/api/v1/documents/999999/codings",
              {"code_id": 1, "start": 0, "end": 1}), 404, "QUAL_202"),
    ("marc", ("DELETE", "/api/v1/codings/999999", None), 404, "QUAL_209"),
    ("marc", ("POST", "/api/v1/documents/{released}/codings", {"start": 0}), 422,
     "QUAL_390"),
    ("marc", ("GET", "/api/v1/documents/abc", None), 422, "QUAL_390"),
    ("marc", ("GET", "/api/v1/matrix?rows=cases", None), 422, "QUAL_390"),
    ("marc", ("GET", "/api/v1/matrix?cols=nothing", None), 422, "QUAL_211"),
    ("marc", ("GET", "/api/v1/nowhere", None), 404, "QUAL_391"),
    ("marc", ("PUT", "/api/v1/codes", None), 405, "QUAL_392"),
]  # fmt: skip


@pytest.mark.parametrize(("who", "request_", "status", "code"), ERRORS)
def test_every_refusal_is_json_with_its_code_and_writes_nothing(
    study: Study, coded: dict[str, int], who, request_, status: int, code: str
) -> None:
    method, path, body = request_
    path = path.format(**coded)
    if isinstance(body, dict) and body.get("code_id") == "code":
        body = {**body, "code_id": coded["code"]}
    if who == "forged":
        client = httpx.Client(base_url=study.url, timeout=60,
                              headers={"Authorization": "Bearer spt_forged"})  # fmt: skip
    else:
        client = study.client(who)
    with transaction(study.engine) as session:
        before = len(history(session=session))
    reply = client.request(method, path, json=body)
    assert reply.status_code == status, reply.text
    assert _json_error(reply) == code
    if status == 401:
        assert reply.headers["www-authenticate"] == "Bearer"
    with transaction(study.engine) as session:
        assert len(history(session=session)) == before


def test_a_revoked_token_is_refused_at_once(study: Study) -> None:
    vera = study.client("vera")
    assert vera.get("/api/v1/codes").status_code == 200
    with transaction(study.engine) as session:
        (token,) = list_tokens(session=session, username="vera")
        assert token.last_used_at is not None
        revoke_token(session=session, token_id=token.id)
    refused = vera.get("/api/v1/codes")
    assert (refused.status_code, _json_error(refused)) == (401, "ACCOUNT_033")


def test_a_browser_session_cookie_is_not_an_api_credential(study: Study) -> None:
    browser = httpx.Client(base_url=study.url, timeout=60)
    login = browser.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', login.text).group(1)
    browser.post("/login", data={"username": "lea", "password": PASSWORD,
                                 "csrf_token": csrf})  # fmt: skip
    assert browser.get("/").status_code == 200  # logged in
    reply = browser.post("/api/v1/codes", json={"name": "Par cookie"})
    assert (reply.status_code, _json_error(reply)) == (401, "ACCOUNT_032")


def test_concurrent_codings_good_and_bad_each_stand_alone(
    study: Study, coded: dict[str, int]
) -> None:
    """Requests that share a transaction (group commit): each refused one is
    rolled back alone, each acknowledged one is stored, with its history."""
    marc = study.client("marc")
    path = f"/api/v1/documents/{coded['released']}/codings"
    bodies = [
        {
            "code_id": coded["code"],
            "start": i % 15,
            "end": (i % 15) + (5 if i % 3 else 50),
        }
        for i in range(60)
    ]
    with ThreadPoolExecutor(12) as pool:
        replies = list(pool.map(lambda b: marc.post(path, json=b), bodies))
    good = [r.json()["id"] for r in replies if r.status_code == 201]
    bad = [r for r in replies if r.status_code != 201]
    assert len(good) == 40 and len(bad) == 20
    assert {_json_error(r) for r in bad} == {"QUAL_206"}
    stored = {c["id"] for c in marc.get(path).json()}
    assert stored == {*good, coded["coding"]}
    with transaction(study.engine) as session:
        applied = history(session=session, kind="apply")
    assert len(applied) == 41


# -- description --------------------------------------------------------------------

ENDPOINTS = {
    ("get", "/api/v1/codes"),
    ("post", "/api/v1/codes"),
    ("post", "/api/v1/documents"),
    ("get", "/api/v1/documents/{document_id}"),
    ("post", "/api/v1/documents/{document_id}/release"),
    ("get", "/api/v1/documents/{document_id}/codings"),
    ("post", "/api/v1/documents/{document_id}/codings"),
    ("delete", "/api/v1/codings/{coding_id}"),
    ("get", "/api/v1/matrix"),
    ("get", "/api/v1/jobs"),
    ("post", "/api/v1/jobs"),
    ("get", "/api/v1/jobs/{job_id}"),
    ("delete", "/api/v1/jobs/{job_id}"),
    ("post", "/api/v1/jobs/{job_id}/cancel"),
    ("get", "/api/v1/jobs/{job_id}/result"),
}


def test_openapi_is_served_and_lists_every_endpoint(study: Study) -> None:
    spec = httpx.get(f"{study.url}/api/v1/openapi.json").json()
    listed = {(m, p) for p, methods in spec["paths"].items() for m in methods}
    assert listed == ENDPOINTS
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    coding = spec["components"]["schemas"]["CodingOut"]["properties"]
    assert set(coding) == {"id", "code_id", "start", "end", "coder", "memo",
                           "origin", "model", "accepted_by"}  # fmt: skip


def test_the_docs_page_lists_every_endpoint_without_any_script(study: Study) -> None:
    page = httpx.get(f"{study.url}/api/v1/docs")
    assert page.status_code == 200
    assert "<script" not in page.text and "http" not in page.text.split("</head>")[0]
    for method, path in ENDPOINTS:
        assert f"{method.upper()} {path}" in page.text


def test_an_unexpected_error_is_json_with_a_reference(
    live_server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from sociaparis.web.api import v1

    with transaction(live_server.app.state.engine) as session:
        create_user(session=session, username="lea", password=PASSWORD)
        token = create_token(session=session, username="lea")[1]

    def broken(**_kwargs: object) -> list:
        raise RuntimeError("a bug")

    monkeypatch.setattr(v1, "list_codes", broken)
    reply = httpx.get(f"{live_server.url}/api/v1/codes",
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert reply.status_code == 500
    assert _json_error(reply) == "QUAL_394"
    reference = re.search(r"reference ([0-9a-f]{8})", reply.json()["message"]).group(1)
    assert any(reference in r.getMessage() for r in caplog.records)
