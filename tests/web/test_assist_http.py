"""The suggestions panel over real HTTP, on SQLite and PostgreSQL: listed apart
from the codings, filtered by confidence, accepted and rejected with plain
forms (CSRF, roles), a code's page, and a run started as a job."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from sociaparis.accounts.roles import Role
from sociaparis.assist.service import start_run
from sociaparis.core.db import transaction
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import corpus
from sociaparis.qual.corpus import acting_account
from tests.assist.test_service import TEXT, Double
from tests.web.test_qual_coding_http import _hidden, _log_in

ITEM = re.compile(r'<li class="assist-item assist-(\w+)" id="s-(\d+)"')


@pytest.fixture
def study(live_server_any: Any) -> Iterator[dict[str, Any]]:
    server = live_server_any
    boss = _log_in(server, "boss", Role.RESEARCHER)
    vic = _log_in(server, "vic", Role.VIEWER)
    with transaction(server.app.state.engine) as session:
        actor = acting_account(session=session, username="boss")
        doc = corpus.import_document(
            session=session, actor=actor, data=TEXT.encode(), filename="e1.txt",
            detect_speakers=True, needs_pseudonymization=False,
        ).id  # fmt: skip
        codes = [cb.add_code(session=session, actor=actor, name=n).id
                 for n in ("Outils", "Erreurs")]  # fmt: skip
        start_run(session, actor, Double(), documents=[doc], codes=codes)
    yield {"boss": boss, "vic": vic, "doc": doc, "codes": codes}
    boss.close()
    vic.close()


def test_the_panel_lists_suggestions_apart_from_codings_and_filters(study: dict) -> None:
    page = study["boss"].get(f"/qual/documents/{study['doc']}?lang=fr").text
    assert [s for s, _ in ITEM.findall(page)] == ["proposed"] * 3
    assert 'id="coding-count">0<' in page and '"codings":[]' in page
    assert "<mark>Albert aide beaucoup</mark>" in page and "ai:test-model" in page
    page = study["boss"].get(f"/qual/documents/{study['doc']}?min_confidence=0.5").text
    assert len(ITEM.findall(page)) == 1
    page = study["boss"].get(f"/qual/documents/{study['doc']}?min_confidence=7").text
    assert "ASSIST_038" in page and len(ITEM.findall(page)) == 3
    codebook = study["boss"].get(f"/qual/codebook/{study['codes'][1]}?lang=fr").text
    assert f'href="/qual/codes/{study["codes"][1]}/suggestions?lang=fr"' in codebook
    code_page = study["boss"].get(f"/qual/codes/{study['codes'][1]}/suggestions")
    assert code_page.status_code == 200 and len(ITEM.findall(code_page.text)) == 2


def test_accept_and_reject_with_forms(study: dict) -> None:
    boss, url = study["boss"], f"/qual/documents/{study['doc']}"
    page = boss.get(url).text
    token = _hidden(page, "csrf_token")
    ids = [int(i) for _, i in ITEM.findall(page)]
    form = {"csrf_token": token, "next": url, "following": str(ids[1])}
    forged = {**form, "csrf_token": "x"}
    assert (
        boss.post(f"/assist/suggestions/{ids[0]}/accept", data=forged).status_code == 403
    )
    reply = boss.post(f"/assist/suggestions/{ids[0]}/accept?lang=fr", data=form)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"{url}?lang=fr&done=accepted#s-{ids[1]}"
    # the viewer may read but not decide
    viewer_page = study["vic"].get(url).text
    assert len(ITEM.findall(viewer_page)) == 2 and "assist-accept" not in viewer_page
    vic_token = re.search(r'"csrf":"([^"]+)"', viewer_page).group(1)
    refused = study["vic"].post(f"/assist/suggestions/{ids[1]}/reject",
                                data={"csrf_token": vic_token, "next": url})  # fmt: skip
    assert refused.status_code == 403
    reply = boss.post(f"/assist/suggestions/{ids[1]}/reject", data=form)
    assert reply.status_code == 303 and "done=rejected" in reply.headers["location"]
    again = boss.post(f"/assist/suggestions/{ids[1]}/accept", data=form)
    assert "error=ASSIST_036" in again.headers["location"]
    page = boss.get(url).text
    assert 'id="coding-count">1<' in page and [i for _, i in ITEM.findall(page)] == [
        str(ids[2])
    ]
    accepted = boss.get(f"{url}?status=accepted").text
    assert [s for s, _ in ITEM.findall(accepted)] == ["accepted"]
    elsewhere = boss.post(f"/assist/suggestions/{ids[2]}/accept",
                          data={**form, "next": "https://evil.example/"})  # fmt: skip
    assert elsewhere.headers["location"].startswith("/qual/documents?")


def test_a_run_is_started_as_a_job(study: dict) -> None:
    url = f"/qual/documents/{study['doc']}"
    token = _hidden(study["boss"].get(url).text, "csrf_token")
    offline = {"csrf_token": token, "suggester": "offline"}
    reply = study["boss"].post(f"{url}/suggestions/run?lang=fr", data=offline)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/jobs/")
    cloud = {"csrf_token": token, "suggester": "cloud"}
    bad = study["boss"].post(f"{url}/suggestions/run", data=cloud)
    assert "error=ASSIST_037" in bad.headers["location"]


def test_edit_then_accept_with_the_form(study: dict) -> None:
    boss, url = study["boss"], f"/qual/documents/{study['doc']}"
    page = boss.get(url).text
    token = _hidden(page, "csrf_token")
    last = int(ITEM.findall(page)[2][1])  # "invente des sources", for Erreurs
    start = TEXT.index("des sources")
    end = start + len("des sources")
    form = {"csrf_token": token, "next": url, "start": str(start), "end": str(end),
            "code": str(study["codes"][0])}  # fmt: skip
    bad = boss.post(f"/assist/suggestions/{last}/accept", data={**form, "end": "0"})
    assert bad.headers["location"].endswith(f"error=ASSIST_040#s-{last}")
    assert boss.post(f"/assist/suggestions/{last}/accept", data=form).status_code == 303
    accepted = boss.get(f"{url}?status=accepted").text
    assert (
        "<mark>des sources</mark>" in accepted and "<strong>Outils</strong>" in accepted
    )
    segments = boss.get("/qual/segments?code=Outils&lang=en").text
    assert "proposed by ai:test-model, accepted by boss" in segments


def test_every_text_of_the_panel_is_in_french_and_english() -> None:
    from pathlib import Path

    from sociaparis.assist.run_errors import AssistRunError
    from sociaparis.web.i18n_assist import ASSIST_MESSAGES

    folder = Path(__file__).resolve().parents[2] / "sociaparis" / "web" / "templates"
    used = set()
    for name in ("_panel.html", "code.html", "runs.html"):
        name = f"workbench/assist/{name}"
        used |= set(re.findall(r"t\('(assist_\w+)'\)", (folder / name).read_text()))
    assert set(ASSIST_MESSAGES["fr"]) == set(ASSIST_MESSAGES["en"])
    assert used - {"assist_done_", "assist_error_", "assist_status_"} <= set(
        ASSIST_MESSAGES["fr"]
    )
    errors = {
        k.removeprefix("assist_error_")
        for k in ASSIST_MESSAGES["fr"]
        if k.startswith("assist_error_")
    }
    catalog = {e.code for e in AssistRunError} | {"QUAL_204", "QUAL_206", "JOB_013"}
    assert {"ASSIST_036", "ASSIST_040"} <= errors <= catalog


def test_the_runs_page_shows_tokens_and_the_energy_estimate(study: dict) -> None:
    page = study["vic"].get("/assist/runs?lang=en").text
    # 20 generated tokens x 0.0060132 Wh (docs/assist-review.md): 0.12 Wh
    assert "1. ai:test-model" in page and "100 + 20" in page
    assert "≈ 0.12 Wh (estimate, from 0.06–0.24)" in page
    assert "3 proposed, 0 accepted, 0 rejected" in page
    assert "1 not_in_text, 1 unknown_code" in page


def test_batch_decisions_with_the_form(study: dict) -> None:
    boss, url = study["boss"], f"/qual/documents/{study['doc']}"
    page = boss.get(f"{url}?min_confidence=0.3").text
    ids = [i for _, i in ITEM.findall(page)]
    assert len(ids) == 2  # the one without a confidence is not shown
    form = {"csrf_token": _hidden(page, "csrf_token"), "next": url, "ids": ids,
            "decision": "accept"}  # fmt: skip
    reply = boss.post("/assist/suggestions?lang=fr", data=form)
    assert reply.headers["location"] == f"{url}?lang=fr&done=batch_accept#suggestions"
    page = boss.get(url).text
    assert 'id="coding-count">2<' in page and len(ITEM.findall(page)) == 1
