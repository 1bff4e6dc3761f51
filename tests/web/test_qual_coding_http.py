"""The coding view's pages and JSON endpoints over real HTTP, on SQLite and
PostgreSQL: CSRF, roles, bad offsets and bodies refused with the catalog's code,
changes, undo, memos."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.core.db import transaction
from sociaparis.qual import codebook_service, corpus
from sociaparis.qual.corpus import acting_account
from tests.conftest import HTTP_TIMEOUT

PASSWORD = "a long enough password"
TEXT = "Enquêtrice : Vous utilisez 🤖 Albert ?\n\nAgent : Oui, pour résumer des notes."


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _log_in(server: Any, username: str, role: Role) -> httpx.Client:
    with transaction(server.app.state.engine) as session:
        create_user(session=session, username=username, password=PASSWORD, role=role)
    http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=HTTP_TIMEOUT)
    login = http.get("/login")
    token = _hidden(login.text, "csrf_token")
    reply = http.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert reply.status_code == 303
    return http


@pytest.fixture
def study(live_server_any: Any) -> Iterator[dict[str, Any]]:
    server = live_server_any
    boss = _log_in(server, "boss", Role.RESEARCHER)
    with transaction(server.app.state.engine) as session:
        actor = acting_account(session=session, username="boss")
        doc = corpus.import_document(
            session=session, actor=actor, data=TEXT.encode(), filename="e1.txt",
            detect_speakers=True, case="Agent A", needs_pseudonymization=False,
        ).id  # fmt: skip
        held = corpus.import_document(
            session=session, actor=actor, data=b"Mme Durand parle.", filename="e2.txt"
        ).id
        codes = {
            name: codebook_service.add_code(session=session, actor=actor, name=name).guid
            for name in ("Outils", "Confiance")
        }
    people = {"boss": boss, "ana": _log_in(server, "ana", Role.CODER),
              "ben": _log_in(server, "ben", Role.CODER),
              "vic": _log_in(server, "vic", Role.VIEWER)}  # fmt: skip
    tokens = {
        name: _hidden(http.get(f"/qual/documents/{doc}").text, "csrf_token")
        for name, http in people.items()
    }
    yield {"server": server, "doc": doc, "held": held, "codes": codes,
           "people": people, "tokens": tokens}  # fmt: skip
    for http in people.values():
        http.close()


def _send(
    study: dict, who: str, method: str, path: str, body: Any = None, **headers: str
) -> httpx.Response:
    http = study["people"][who]
    sent = {"x-csrf-token": study["tokens"][who], "content-type": "application/json"}
    sent.update(headers)
    content = body if isinstance(body, str | bytes) else json.dumps(body or {})
    return http.request(method, path, content=content, headers=sent)


def _apply(study: dict, who: str, start: int, end: int, *codes: str) -> httpx.Response:
    body = {
        "codes": [study["codes"].get(c, c) for c in codes],
        "start": start,
        "end": end,
    }
    return _send(study, who, "POST", f"/qual/documents/{study['doc']}/codings", body)


def test_the_page_lays_out_turns_and_a_data_island(study: dict) -> None:
    _apply(study, "ana", 13, 37, "Outils")
    page = study["people"]["ana"].get(f"/qual/documents/{study['doc']}")
    assert page.status_code == 200
    turns = re.findall(r'<p class="turn" data-s="(\d+)" data-e="(\d+)">', page.text)
    assert turns == [("0", "37"), ("39", "75")]
    assert '<span class="speaker" data-s="0">Enquêtrice : </span>' in page.text
    island = re.search(
        r'<script type="application/json" id="coding-data">(.*?)</script>', page.text
    ).group(1)
    data = json.loads(island)
    assert [row[1:5] for row in data["codings"]] == [
        [study["codes"]["Outils"], 13, 37, "ana"]
    ]
    assert data["recent"] == [study["codes"]["Outils"]]
    assert data["can_code"] is True
    assert 'src="/static/coding.js"' in page.text
    assert 'id="coding-apply"' in page.text
    assert 'href="/qual/documents?lang=fr" aria-current="page"' in page.text


@pytest.mark.parametrize(
    ("who", "path", "status", "marker"),
    [
        ("vic", "{doc}", 200, "qual_read_only"),
        ("vic", "", 200, "e2.txt"),
        ("boss", "{held}", 409, "QUAL_205"),
        ("boss", "999", 404, None),
    ],
)
def test_pages_by_role_and_status(
    study: dict, who: str, path: str, status: int, marker: str | None
) -> None:
    url = "/qual/documents" + ("/" + path.format(**study) if path else "")
    page = study["people"][who].get(url)
    assert page.status_code == status
    if marker == "qual_read_only":
        assert 'id="coding-apply"' not in page.text
        assert "Votre rôle permet de lire les codages" in page.text
    elif marker == "QUAL_205":
        assert "ne peut pas encore être codé" in page.text
    elif marker:
        assert marker in page.text


@pytest.mark.parametrize(
    ("who", "body", "headers", "status", "code"),
    [
        ("ana", {"codes": ["Outils"], "start": 13, "end": 37}, {}, 201, None),
        ("ana", {"codes": ["Outils", "Confiance"], "start": 0, "end": 75}, {}, 201, None),
        ("ana", {"codes": ["Outils"], "start": 13, "end": 37}, {"x-csrf-token": ""},
         403, "QUAL_306"),
        ("ana", {"codes": ["Outils"], "start": 13, "end": 37},
         {"x-csrf-token": "forged"}, 403, "QUAL_306"),
        ("ana", {"codes": ["Outils"], "start": 13, "end": 37},
         {"origin": "https://evil.example"}, 403, "QUAL_306"),
        ("ana", {"codes": ["Outils"], "start": 37, "end": 37}, {}, 422, "QUAL_206"),
        ("ana", {"codes": ["Outils"], "start": 50, "end": 76}, {}, 422, "QUAL_206"),
        ("ana", {"codes": ["Outils"], "start": -1, "end": 5}, {}, 422, "QUAL_206"),
        ("ana", {"codes": ["Outils"], "start": "13", "end": 37}, {}, 400, "QUAL_304"),
        ("ana", {"codes": ["Outils"], "start": True, "end": 37}, {}, 400, "QUAL_304"),
        ("ana", {"codes": "Outils", "start": 13, "end": 37}, {}, 400, "QUAL_304"),
        ("ana", "{not json", {}, 400, "QUAL_304"),
        ("ana", {"codes": [], "start": 13, "end": 37}, {}, 422, "QUAL_305"),
        ("ana", {"codes": ["Outils", "Nope"], "start": 13, "end": 37}, {}, 404,
         "QUAL_204"),
        ("vic", {"codes": ["Outils"], "start": 13, "end": 37}, {}, 403, "QUAL_200"),
    ],
)  # fmt: skip
def test_applying_codes(
    study: dict, who: str, body: Any, headers: dict, status: int, code: str | None
) -> None:
    if isinstance(body, dict):
        body = {**body, "codes": (
            [study["codes"].get(c, c) for c in body["codes"]]
            if isinstance(body["codes"], list) else body["codes"])}  # fmt: skip
    reply = _send(study, who, "POST", f"/qual/documents/{study['doc']}/codings", body,
                  **headers)  # fmt: skip
    assert reply.status_code == status, reply.text
    answer = reply.json()
    listed = study["people"]["boss"].get(f"/qual/documents/{study['doc']}/codings")
    if code is None:
        assert len(answer["created"]) == len(body["codes"])
        assert answer["codings"] == listed.json()["codings"]
        assert {tuple(row[2:5]) for row in answer["codings"]} == {
            (body["start"], body["end"], "ana")
        }
    else:
        assert answer["error"] == code
        assert answer["message"]
        assert listed.json()["codings"] == []  # nothing half-written


def test_a_document_under_review_cannot_be_coded(study: dict) -> None:
    body = {"codes": [study["codes"]["Outils"]], "start": 0, "end": 3}
    reply = _send(study, "boss", "POST", f"/qual/documents/{study['held']}/codings", body)
    assert (reply.status_code, reply.json()["error"]) == (409, "QUAL_205")


def test_change_remove_and_undo_by_author_and_roles(study: dict) -> None:
    doc = study["doc"]
    guid = _apply(study, "ana", 13, 37, "Outils").json()["created"][0][0]
    path = f"/qual/documents/{doc}/codings/{guid}"
    table = [
        ("ben", "PATCH", path, {"end": 20}, 403, "QUAL_200"),
        ("vic", "DELETE", path, {}, 403, "QUAL_200"),
        ("ana", "PATCH", path, {"end": 99}, 422, "QUAL_206"),
        ("ana", "PATCH", path, {"end": "20"}, 400, "QUAL_304"),
        ("ana", "PATCH", path, {}, 422, "QUAL_302"),
        ("ana", "PATCH", f"/qual/documents/{study['held']}/codings/{guid}", {"end": 20},
         422, "QUAL_303"),
        ("ana", "PATCH", f"/qual/documents/{doc}/codings/NOPE", {"end": 20}, 404,
         "QUAL_209"),
        ("ana", "PATCH", path, {"start": 27, "code": study["codes"]["Confiance"],
                                "memo": "emoji compris"}, 200, None),
    ]  # fmt: skip
    for who, method, url, body, status, code in table:
        reply = _send(study, who, method, url, body)
        assert (reply.status_code, reply.json().get("error")) == (status, code), url
    rows = reply.json()["codings"]
    assert [r[1:4] + [r[6]] for r in rows] == [
        [study["codes"]["Confiance"], 27, 37, "emoji compris"]
    ]
    assert _send(study, "ana", "DELETE", path).json()["codings"] == []
    undone = _send(study, "ana", "POST", f"/qual/documents/{doc}/undo")
    assert undone.status_code == 200
    assert undone.json()["undone"]["undone"] == "remove"
    assert [r[2:4] for r in undone.json()["codings"]] == [[27, 37]]
    for kind in ("recode", "apply"):
        assert (
            _send(study, "ana", "POST", f"/qual/documents/{doc}/undo").json()["undone"][
                "undone"
            ]
            == kind
        )
    nothing = _send(study, "ana", "POST", f"/qual/documents/{doc}/undo")
    assert (nothing.status_code, nothing.json()["error"]) == (409, "QUAL_300")
    forged = _send(study, "ana", "POST", f"/qual/documents/{doc}/undo",
                   **{"x-csrf-token": "x"})  # fmt: skip
    assert (forged.status_code, forged.json()["error"]) == (403, "QUAL_306")


def test_memos_on_the_document_a_case_and_a_code(study: dict) -> None:
    doc = study["doc"]
    http = study["people"]["ana"]
    for target, text in [("document", "Premier mémo <b>"), ("case:Agent A", "Cas"),
                         (f"code:{study['codes']['Outils']}", "Code")]:  # fmt: skip
        form = {"csrf_token": study["tokens"]["ana"], "target": target, "text": text}
        reply = http.post(f"/qual/documents/{doc}/memos", data=form)
        assert reply.status_code == 303
    page = http.get(f"/qual/documents/{doc}").text
    assert "<p>Premier mémo &lt;b&gt;</p>" in page
    form = {"csrf_token": "x", "target": "document", "text": "y"}
    forged = http.post(f"/qual/documents/{doc}/memos", data=form)
    assert forged.status_code == 403
    form = {"csrf_token": study["tokens"]["vic"], "target": "document", "text": "y"}
    viewer = study["people"]["vic"].post(f"/qual/documents/{doc}/memos", data=form)
    assert viewer.status_code == 403
    with transaction(study["server"].app.state.engine) as session:
        from sociaparis.qual.coding_service import memos_on

        assert memos_on(session=session, on="case", target="Agent A") == ["Cas"]
        assert memos_on(session=session, on="code", target="Outils") == ["Code"]


def test_a_memo_cannot_break_out_of_the_data_island(study: dict) -> None:
    memo = "</script><script>alert(1)</script><!--"
    body = {"codes": [study["codes"]["Outils"]], "start": 0, "end": 5, "memo": memo}
    reply = _send(study, "ana", "POST", f"/qual/documents/{study['doc']}/codings", body)
    assert reply.status_code == 201
    page = study["people"]["ana"].get(f"/qual/documents/{study['doc']}").text
    assert "alert(1)</script>" not in page
    island = re.search(
        r'<script type="application/json" id="coding-data">(.*?)</script>', page
    ).group(1)
    assert json.loads(island)["codings"][0][6] == memo
