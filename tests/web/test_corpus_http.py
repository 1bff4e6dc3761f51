"""The corpus pages over real HTTP on the real app, on SQLite and PostgreSQL:
several files uploaded at once with a report per file, size limits and a zip
bomb, CSRF and roles, the case table, and a pseudonymization review from the
first proposal to the release."""

from __future__ import annotations

import io
import re

import docx
import httpx
import lxml.html
import pytest

from sociaparis.accounts.roles import Role
from sociaparis.core.db import transaction
from sociaparis.jobs.runner import run_job
from sociaparis.qual import corpus, intake
from sociaparis.qual import pseudonymize_service as ps
from sociaparis.qual.corpus import acting_account, get_document, list_documents
from sociaparis.qual.pseudonymization import PseudonymizationConfig, parse_terms
from sociaparis.web.workbench import corpus as corpus_pages
from tests.web.test_fieldops_http import _hidden, _log_in

INTERVIEW = (
    "Enquêtrice : Comment utilisez-vous Copilot ?\n"
    "Agent : Surtout pour les comptes rendus, avec Mme Garnier.\n"
    "Enquêtrice : Et ensuite ?\n"
)
NOTES = "Des notes prises pendant la réunion, en un seul paragraphe."


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _token(http: httpx.Client, path: str = "/qual/corpus") -> str:
    return _hidden(http.get(path).text, "csrf_token")


def _upload(http: httpx.Client, files: list[tuple[str, bytes]], token=None, **fields):
    data = {"csrf_token": _token(http) if token is None else token, **fields}
    return http.post(
        "/qual/corpus/upload",
        data=data,
        files=[("files", (n, d, "application/octet-stream")) for n, d in files],
        timeout=120,  # the first pseudonymization loads spaCy's model
    )


def _report(html: str) -> dict[str, dict[str, str]]:
    """Per file: its state, counts, speakers and message codes, as the page shows."""
    tree = lxml.html.fromstring(html)
    out = {}
    for item in tree.xpath('//li[contains(@class, "file-report")]'):

        def text(xpath: str, node=item) -> str:
            found = node.xpath(xpath)
            return found[0].text_content().strip() if found else ""

        out[item.get("data-filename")] = {
            "ok": "file-ok" in item.get("class"),
            "turns": text('.//dd[@class="turns"]'),
            "speakers": text('.//dd[@class="speakers"]'),
            "proposed": text('.//dd[@class="proposed"]'),
            "codes": [c.text for c in item.xpath(".//code")],
        }
    return out


def test_several_files_at_once_each_with_its_report(live_server_any, zip_bomb) -> None:
    http = _log_in(live_server_any, "claire")
    bomb = zip_bomb(_docx(["Texte."]), name="word/media/bombe.xml")
    response = _upload(
        http,
        [
            ("entretien-07.txt", INTERVIEW.encode()),
            ("notes.txt", NOTES.encode()),
            ("bombe.docx", bomb),
        ],
        case="Agent 07",
        speakers="yes",
        pseudonymize="yes",
    )
    assert response.status_code == 200
    report = _report(response.text)
    assert report["entretien-07.txt"] == {
        "ok": True,
        "turns": "3",
        "speakers": "Enquêtrice, Agent",
        "proposed": "",  # not yet: a job proposes them
        "codes": [],
    }
    assert report["notes.txt"]["ok"] is True
    assert report["notes.txt"]["codes"] == ["QUAL_320"]
    # the warning in the page's language (French by default)
    assert "notes.txt : un seul paragraphe, aucun tour de parole trouvé" in response.text
    assert report["bombe.docx"]["ok"] is False
    assert report["bombe.docx"]["codes"][0] in {"CORE_013", "CORE_014"}
    assert "2 fichier(s) importé(s), 1 refusé(s)." in response.text
    engine = live_server_any.app.state.engine

    def stored() -> dict[str, tuple[str, tuple[str, ...]]]:
        with transaction(engine) as session:
            return {d.title: (d.status, d.cases) for d in list_documents(session=session)}

    assert stored() == {
        "entretien-07.txt": ("imported", ("Agent 07",)),
        "notes.txt": ("imported", ("Agent 07",)),
    }
    # One job proposes the replacements of both, outside the request (no worker
    # in this server: the test runs it as a worker would).
    [link] = lxml.html.fromstring(response.text).xpath('//p[@id="report-job"]/a')
    job = int(re.fullmatch(r"/jobs/(\d+)\?lang=fr", link.get("href"))[1])
    data_dir = live_server_any.app.state.settings.data_dir
    assert run_job(engine, data_dir, job) == "done"
    assert stored() == {
        "entretien-07.txt": ("under_review", ("Agent 07",)),
        "notes.txt": ("under_review", ("Agent 07",)),
    }
    with transaction(engine) as session:
        claire = acting_account(session=session, username="claire")
        proposed = [
            (r.kind.value, r.original)
            for r in ps.get_review(
                session=session, actor=claire, document="entretien-07.txt"
            ).replacements
        ]
    assert proposed == [("PERSONNE", "Garnier")]
    done = lxml.html.fromstring(http.get(f"/jobs/{job}").text)
    assert done.xpath('//a[@id="job-open-review"]')[0].get("href") == (
        "/qual/corpus?lang=fr"
    )
    # the corpus page lists them under their case, with their status
    page = lxml.html.fromstring(http.get("/qual/corpus").text)
    rows = page.xpath("//tr[@data-document]")
    assert [r.xpath("./th")[0].text.strip() for r in rows] == [
        "entretien-07.txt",
        "notes.txt",
    ]
    assert "remplacements proposés, à revoir" in rows[0].text_content()


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "fr",
            "[ligne 5] entretien.srt : horaire du sous-titre : le champ des heures "
            "111111111111… a 20 chiffres (15 au plus) ; cette partie a été ignorée.",
        ),
        (
            "en",
            "[row 5] entretien.srt: cue timing: the hour field 111111111111… has 20 "
            "digits (at most 15); this part was skipped.",
        ),
    ],
)
def test_the_report_shows_a_skipped_cue_in_the_page_language(
    live_server, lang, shown
) -> None:
    http = _log_in(live_server, "claire")
    srt = (
        b"1\n00:00:00,000 --> 00:00:01,000\nBonjour.\n\n2\n%s:00:00,000 --> "
        % (b"1" * 20)
        + b"00:00:02,000\nSuite.\n"
    )
    response = http.post(
        f"/qual/corpus/upload?lang={lang}",
        data={"csrf_token": _token(http), "pseudonymize": ""},
        files=[("files", ("entretien.srt", srt, "application/octet-stream"))],
    )
    assert response.status_code == 200
    assert _report(response.text)["entretien.srt"]["codes"] == ["QUAL_021"]
    [warning] = lxml.html.fromstring(response.text).xpath('//ul[@class="warnings"]/li')
    assert warning.text_content() == f"QUAL_021 {shown}"


def test_upload_needs_the_token_a_role_that_may_and_stays_within_limits(
    live_server, monkeypatch
) -> None:
    http = _log_in(live_server, "claire")
    files = [("a.txt", b"Un texte.")]
    assert _upload(http, files, token="forged").status_code == 403
    coder = _log_in(live_server, "ana", Role.CODER)
    assert _upload(coder, files).status_code == 403
    # the corpus page shows a coder no upload form
    assert 'id="upload-form"' not in coder.get("/qual/corpus").text
    monkeypatch.setattr(corpus_pages, "MAX_UPLOAD_BODY", 1_000)
    assert _upload(http, [("gros.txt", b"x" * 2_000)]).status_code == 413
    monkeypatch.setattr(corpus_pages, "MAX_UPLOAD_BODY", 100_000_000)
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 100)
    response = _upload(
        http, [("gros.txt", b"x" * 200), ("petit.txt", b"Court.")], pseudonymize=""
    )
    assert response.status_code == 200
    assert _report(response.text)["gros.txt"]["codes"] == ["QUAL_001"]
    monkeypatch.setattr(intake, "MAX_FILES", 2)
    response = _upload(http, [("1.txt", b"Un."), ("2.txt", b"Deux."), ("3.txt", b"3")])
    assert response.status_code == 400
    assert "3 fichiers ont été envoyés" in response.text  # QUAL_322, in French
    with transaction(live_server.app.state.engine) as session:
        assert [d.title for d in list_documents(session=session)] == ["petit.txt"]


TEXT = (
    "Agent : Je suis à la Direction des Finances et des Achats depuis 2019, avec "
    "Mme Garnier. Paul Vidal passe parfois."
)


def _under_review(server) -> int:
    config = PseudonymizationConfig(use_ner=False).with_terms(
        parse_terms("Direction des Finances\n")
    )
    with transaction(server.app.state.engine) as session:
        claire = acting_account(session=session, username="claire")
        report = intake.import_files(
            session=session,
            actor=claire,
            files=[("t.txt", TEXT.encode())],
            case="Agent 01",
            config=config,
        )
    return report.files[0].document.id


def _decide(http: httpx.Client, doc: int, **fields) -> httpx.Response:
    token = _token(http, f"/qual/corpus/{doc}/review")
    return http.post(f"/qual/corpus/{doc}/review", data={"csrf_token": token, **fields})


def test_review_accept_reject_widen_add_then_release(live_server_any) -> None:
    http = _log_in(live_server_any, "claire")
    doc = _under_review(live_server_any)
    page = http.get(f"/qual/corpus/{doc}/review")
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.text)
    marks = tree.xpath('//div[@id="review-text"]/a')
    assert [(m.get("class"), m.text_content()) for m in marks] == [
        (
            "pseudo kind-terme status-proposed",
            "Direction des Finances[TERME-1] (proposé)",
        ),
        ("pseudo kind-personne status-proposed", "Garnier[PERSONNE-1] (proposé)"),
        ("pseudo kind-personne status-proposed", "Paul Vidal[PERSONNE-2] (proposé)"),
    ]
    # widen by the word-step buttons: "et", "des", "Achats"
    for _ in range(3):
        tree = lxml.html.fromstring(http.get(f"/qual/corpus/{doc}/review").text)
        [button] = tree.xpath(
            '//li[@id="r-0"]//button[contains(@class, "step-widen_right")]'
        )
        response = _decide(http, doc, index="0", do=button.get("value"))
        assert response.status_code == 303
        assert response.headers["location"].endswith("#r-0")
    assert _decide(http, doc, index="2", do="reject").status_code == 303
    # the release is refused while Garnier is only proposed
    token = _token(http, f"/qual/corpus/{doc}/review")
    refused = http.post(f"/qual/corpus/{doc}/release", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "QUAL_058" in refused.text
    assert _decide(http, doc, index="1", do="accept").status_code == 303
    start = TEXT.index("2019")
    added = _decide(
        http, doc, do="add", start=str(start), end=str(start + 4), kind="TERME"
    )
    assert added.status_code == 303
    overlap = _decide(
        http, doc, do="add", start=str(start), end=str(start + 2), kind="LIEU"
    )
    assert overlap.status_code == 422
    assert "QUAL_057" in overlap.text
    token = _token(http, f"/qual/corpus/{doc}/review")
    released = http.post(f"/qual/corpus/{doc}/release", data={"csrf_token": token})
    assert released.status_code == 303
    with transaction(live_server_any.app.state.engine) as session:
        assert get_document(session=session, ref=doc).status == "released"
        claire = acting_account(session=session, username="claire")
        from sociaparis.qual.corpus import document_text

        text = document_text(session=session, actor=claire, ref=doc)
    assert text == (
        "Agent : Je suis à la [TERME-1] depuis [TERME-2], avec Mme [PERSONNE-1]. "
        "Paul Vidal passe parfois."
    )


def test_proposing_replacements_runs_as_a_job_that_leads_to_the_review(
    live_server_any,
) -> None:
    server = live_server_any
    http = _log_in(server, "claire")
    with transaction(server.app.state.engine) as session:
        doc = corpus.import_document(
            session=session,
            actor=acting_account(session=session, username="claire"),
            data=TEXT.encode(),
            filename="t.txt",
        ).id
    page = http.get("/qual/corpus?lang=en")
    form = f'action="/qual/corpus/{doc}/pseudonymize?lang=en"'
    assert form in page.text
    coder = _log_in(server, "ana", Role.CODER)
    started = coder.post(
        f"/qual/corpus/{doc}/pseudonymize", data={"csrf_token": _token(coder)}
    )
    assert started.status_code == 403
    assert http.post(f"/qual/corpus/{doc}/pseudonymize", data={}).status_code == 403
    started = http.post(
        f"/qual/corpus/{doc}/pseudonymize?lang=en", data={"csrf_token": _token(http)}
    )
    assert started.status_code == 303
    job = int(re.fullmatch(r"/jobs/(\d+)\?lang=en", started.headers["location"])[1])
    # While it runs, the corpus offers its page rather than a second search;
    # another researcher sees that it runs, without its page.
    page = http.get("/qual/corpus?lang=en").text
    assert form not in page and f'href="/jobs/{job}?lang=en"' in page
    other = _log_in(server, "odile").get("/qual/corpus?lang=en").text
    assert form not in other and "Replacements being proposed" in other
    assert f"/jobs/{job}" not in other
    # No worker in this server: the test runs the job as a worker would.
    settings = server.app.state.settings
    assert run_job(server.app.state.engine, settings.data_dir, job) == "done"
    done = lxml.html.fromstring(http.get(f"/jobs/{job}?lang=en").text)
    [link] = done.xpath('//a[@id="job-open-review"]')
    assert link.get("href") == f"/qual/corpus/{doc}/review?lang=en"
    assert link.text_content() == "Review the proposed replacements"
    review = http.get(link.get("href"))
    assert review.status_code == 200 and "Garnier" in review.text


def test_review_roles_and_csrf(live_server) -> None:
    http = _log_in(live_server, "claire")
    doc = _under_review(live_server)
    coder = _log_in(live_server, "ana", Role.CODER)
    assert coder.get(f"/qual/corpus/{doc}/review").status_code == 403
    forged = http.post(
        f"/qual/corpus/{doc}/review", data={"csrf_token": "x", "do": "accept_all"}
    )
    assert forged.status_code == 403
    token = _token(coder)
    assert (
        coder.post(f"/qual/corpus/{doc}/release", data={"csrf_token": token}).status_code
        == 403
    )
    with transaction(live_server.app.state.engine) as session:
        assert get_document(session=session, ref=doc).status == "under_review"


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMIN, 200), (Role.RESEARCHER, 403), (Role.CODER, 403), (Role.VIEWER, 403)],
)
def test_the_reidentification_table_is_for_admins(live_server, role, status) -> None:
    _log_in(live_server, "claire")
    doc = _under_review(live_server)
    with transaction(live_server.app.state.engine) as session:
        claire = acting_account(session=session, username="claire")
        ps.release_document(
            session=session, actor=claire, document=doc, accept_pending=True
        )
    http = _log_in(live_server, f"user-{role.value}", role)
    response = http.get("/qual/corpus/reidentification")
    assert response.status_code == status
    if status == 200:
        cells = lxml.html.fromstring(response.text).xpath('//table[@id="reid-table"]//td')
        assert [c.text_content() for c in cells] == [
            "Garnier",
            "Paul Vidal",
            "Direction des Finances",
        ]


def _cases_token(http: httpx.Client) -> str:
    return _token(http, "/qual/cases")


def test_case_table_add_a_column_edit_cells_and_filter(live_server_any) -> None:
    http = _log_in(live_server_any, "claire")
    _upload(http, [("a.txt", b"Premier."), ("b.txt", b"Second.")], case="Agent 01")
    _upload(http, [("c.txt", b"Autre.")], case="Agent 02")
    added = http.post(
        "/qual/cases/attributes",
        data={"csrf_token": _cases_token(http), "name": "âge", "type": "Integer"},
    )
    assert added.status_code == 303
    page = lxml.html.fromstring(http.get("/qual/cases").text)
    [form] = page.xpath('//tr[@data-case="Agent 01"]//form')
    action = form.get("action").split("?")[0]
    saved = http.post(action, data={"csrf_token": _cases_token(http), "cell:âge": "41"})
    assert saved.status_code == 303
    bad = http.post(action, data={"csrf_token": _cases_token(http), "cell:âge": "vieux"})
    assert bad.status_code == 422
    assert "QUAL_323" in bad.text
    table = lxml.html.fromstring(http.get("/qual/cases").text)
    values = [i.get("value") for i in table.xpath('//input[@name="cell:âge"]')]
    assert values == ["41", ""]
    listed = lxml.html.fromstring(
        http.get("/qual/corpus", params={"attribute": "âge", "value": "41"}).text
    )
    assert [
        r.xpath("./th")[0].text.strip() for r in listed.xpath("//tr[@data-document]")
    ] == [
        "a.txt",
        "b.txt",
    ]
    assert re.search(r"2 document\(s\)", listed.text_content())
    coder = _log_in(live_server_any, "ana", Role.CODER)
    assert (
        coder.post(
            "/qual/cases/attributes",
            data={"csrf_token": _cases_token(coder), "name": "ville"},
        ).status_code
        == 403
    )
