"""The codebook editor and the qualitative analysis pages over real HTTP on the
real app (matrices and agreement on SQLite and PostgreSQL): every change goes
through the service functions with their role checks (403 for a coder), CSRF is
required, matrix cells lead to their segments, exports download, search hits
are coded, and blind mode hides other coders' codings until a researcher
reveals them."""

from __future__ import annotations

import csv
import io
import re

import docx
import lxml.html
import openpyxl
import pytest

from sociaparis.core.db import transaction
from sociaparis.qual.codebook_service import list_codes
from sociaparis.qual.coding_service import codings_of
from tests.web.qual_workbench import build_corpus, hidden, log_in


@pytest.fixture
def study(live_server) -> dict[str, int]:
    return build_corpus(live_server)


def _codes(server) -> dict[str, object]:
    with transaction(server.app.state.engine) as session:
        return {" > ".join(c.path): c for c in list_codes(session=session)}


def test_codebook_editing_by_a_researcher(live_server, study) -> None:
    http = log_in(live_server, "boss")
    page = http.get("/qual/codebook")
    assert page.status_code == 200
    assert 'aria-current="page">Livre de codes' in page.text
    token = hidden(page.text, "csrf_token")
    codes = _codes(live_server)
    outils = codes["Outils"].id

    assert http.post("/qual/codebook/add", data={"name": "X"}).status_code == 403
    added = http.post(
        "/qual/codebook/add",
        data={"csrf_token": token, "name": "Hallucinations",
              "parent": codes["Risques"].id, "description": "Une réponse fausse",
              "inclusion": "affirmée", "exclusion": "doute",
              "example": "« il a inventé »", "color": "#AA0000"},
    )  # fmt: skip
    assert added.status_code == 303 and "done=added" in added.headers["location"]
    new = _codes(live_server)["Risques > Hallucinations"]
    assert (new.description, new.inclusion, new.exclusion, new.example, new.color) == (
        "Une réponse fausse", "affirmée", "doute", "« il a inventé »", "#AA0000",
    )  # fmt: skip
    again = http.post(
        "/qual/codebook/add",
        data={"csrf_token": token, "name": "Hallucinations",
              "parent": codes["Risques"].id},
    )  # fmt: skip
    assert again.status_code == 422 and "QUAL_208" in again.text

    saved = http.post(
        f"/qual/codebook/{new.id}",
        data={"csrf_token": token, "name": "Inventions", "no_color": "yes"},
    )
    assert saved.status_code == 303
    renamed = _codes(live_server)["Risques > Inventions"]
    assert renamed.color is None and renamed.description == ""

    moved = http.post(
        f"/qual/codebook/{renamed.id}/move", data={"csrf_token": token, "parent": outils}
    )
    assert moved.status_code == 303
    assert "Outils > Inventions" in _codes(live_server)
    cycle = http.post(
        f"/qual/codebook/{outils}/move",
        data={"csrf_token": token, "parent": renamed.id},
    )
    assert cycle.status_code == 422 and "QUAL_102" in cycle.text

    copilot = codes["Outils > Copilot"]
    merged = http.post(
        "/qual/codebook/merge",
        data={"csrf_token": token, "source": [copilot.id], "target": codes["Risques"].id},
    )  # fmt: skip
    assert merged.status_code == 303
    after = _codes(live_server)
    assert "Outils > Copilot" not in after
    assert after["Risques"].codings == codes["Risques"].codings + copilot.codings

    with transaction(live_server.app.state.engine) as session:
        first = codings_of(session=session, code="Risques")[0].guid
    split = http.post(
        f"/qual/codebook/{after['Risques'].id}/split",
        data={"csrf_token": token, "coding": [first], "name": "Risques copiés"},
    )
    assert split.status_code == 303
    assert _codes(live_server)["Risques copiés"].codings == 1

    refused = http.post(
        f"/qual/codebook/{after['Risques'].id}/delete", data={"csrf_token": token}
    )
    assert refused.status_code == 422 and "QUAL_215" in refused.text
    deleted = http.post(
        f"/qual/codebook/{after['Risques'].id}/delete",
        data={"csrf_token": token, "with_codings": "yes"},
    )
    assert deleted.status_code == 303 and "Risques" not in _codes(live_server)


@pytest.mark.parametrize("fmt", ["qdc", "xlsx", "csv"])
def test_codebook_export_then_import_from_the_page(live_server, study, fmt) -> None:
    http = log_in(live_server, "boss")
    exported = http.get(f"/qual/codebook/export?format={fmt}")
    assert exported.status_code == 200
    assert f'filename="codebook.{fmt}"' in exported.headers["content-disposition"]
    token = hidden(http.get("/qual/codebook").text, "csrf_token")
    imported = http.post(
        "/qual/codebook/import",
        data={"csrf_token": token},
        files={"codebook": (f"livre.{fmt}", exported.content)},
    )
    assert imported.status_code == 200 and 'id="done"' in imported.text
    assert list(_codes(live_server)) == ["Outils", "Outils > Copilot", "Risques"]
    assert http.get("/qual/codebook/export?format=pdf").status_code == 400


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "fr",
            "QUAL_146 [ligne 1, colonne « Remarque »] La colonne « Remarque » n'est "
            "pas une colonne du livre de codes : elle a été ignorée.",
        ),
        (
            "en",
            "QUAL_146 [row 1, column 'Remarque'] The column 'Remarque' is not a "
            "codebook column and was ignored.",
        ),
    ],
)
def test_codebook_import_warnings_in_the_page_language(
    live_server, study, lang, shown
) -> None:
    http = log_in(live_server, "boss")
    token = hidden(http.get("/qual/codebook").text, "csrf_token")
    imported = http.post(
        f"/qual/codebook/import?lang={lang}",
        data={"csrf_token": token},
        files={"codebook": ("livre.csv", b"name,Remarque\nRessources,x\n")},
    )
    page = lxml.html.fromstring(imported.text)
    assert imported.status_code == 200, page.xpath('string(//*[@id="error-summary"])')
    assert [li.text_content() for li in page.xpath('//*[@id="warnings"]//li')] == [shown]


def test_a_coder_reads_the_codebook_but_may_not_edit_it(live_server, study) -> None:
    http = log_in(live_server, "ana")
    page = http.get("/qual/codebook")
    assert page.status_code == 200 and 'id="add-form"' not in page.text
    token = hidden(page.text, "csrf_token")
    outils = _codes(live_server)["Outils"].id
    for path, data in [
        ("/qual/codebook/add", {"name": "X"}),
        (f"/qual/codebook/{outils}", {"name": "Y"}),
        (f"/qual/codebook/{outils}/move", {}),
        (f"/qual/codebook/{outils}/delete", {}),
        ("/qual/codebook/merge", {"target": outils}),
        ("/qual/agreement/blind", {"action": "on"}),
    ]:
        assert http.post(path, data={"csrf_token": token, **data}).status_code == 403
    assert list(_codes(live_server)) == ["Outils", "Outils > Copilot", "Risques"]


def _links(html: str) -> list[tuple[str, str]]:
    cells = re.findall(r'<td class="number"><a href="([^"]+)">(\d+)', html)
    return [(href.replace("&amp;", "&"), n) for href, n in cells]


@pytest.mark.parametrize(
    ("query", "cells"),
    [
        ("", 7),  # code x case: the non-zero cells of [[2,1,1],[1,1,0],[1,2,0]]
        ("by=direction", 6),  # [[1,2],[1,1],[2,1]] (DRH, DSIN)
        ("view=cooccurrence", 4),  # Copilot-Risques, Outils-Risques, both ways
        ("view=cooccurrence&mode=turn", 6),  # each pair in 2 turns, both ways
    ],
)
def test_every_matrix_cell_leads_to_as_many_segments(
    live_server_any, query, cells
) -> None:
    live_server = live_server_any
    build_corpus(live_server)
    http = log_in(live_server, "boss")
    page = http.get(f"/qual/matrix?{query}")
    assert page.status_code == 200 and 'class="table-scroll"' in page.text
    links = _links(page.text)
    assert len(links) == cells
    for href, n in links:
        segments = http.get(href)
        assert segments.status_code == 200
        found = len(re.findall(r'<article class="segment"', segments.text))
        if "with=" not in href:  # co-occurrence counts pairs or turns, not segments
            assert found == int(n), href
        else:
            assert found >= 1, href
        assert 'href="/qual/documents/' in segments.text


def test_exports_of_segments_and_matrices(live_server, study) -> None:
    http = log_in(live_server, "boss")
    base = "/qual/segments/export?code=Risques&case=Agent+B"
    rows = list(
        csv.reader(io.StringIO(http.get(f"{base}&format=csv").text.lstrip("\ufeff")))
    )
    assert [r[9] for r in rows[1:]] == ["Albert hallucine", "hallucine."]
    html = http.get(f"{base}&format=html")
    assert html.headers["content-type"].startswith("text/html")
    assert "<mark>Albert hallucine</mark>" in html.text
    word = docx.Document(io.BytesIO(http.get(f"{base}&format=docx").content))
    assert any("hallucine." in p.text for p in word.paragraphs)
    assert http.get(f"{base}&format=exe").status_code == 400
    matrix = http.get("/qual/matrix/export?format=csv&measure=documents")
    assert matrix.text.lstrip("\ufeff").splitlines()[1] == "Outils,2,1,1"
    book = openpyxl.load_workbook(
        io.BytesIO(http.get("/qual/matrix/export?format=xlsx").content)
    )
    assert [c.value for c in book["codings"][4]] == ["Risques", 1, 2, 0]


def test_search_hits_are_coded_after_review(live_server, study) -> None:
    http = log_in(live_server, "ana")
    page = http.get("/qual/search?q=hallucine")
    assert page.text.count("<mark>hallucine</mark>") == 2
    hits = re.findall(r'name="hit" value="([^"]+)"', page.text)
    token = hidden(page.text, "csrf_token")
    risques = _codes(live_server)["Risques"]
    none = http.post(
        "/qual/search/code",
        data={"csrf_token": token, "q": "hallucine", "code": risques.id},
    )
    assert none.status_code == 422 and "QUAL_342" in none.text
    coded = http.post(
        "/qual/search/code",
        data={"csrf_token": token, "q": "hallucine", "code": risques.id,
              "hit": hits[:1]},
    )  # fmt: skip
    assert coded.status_code == 303 and "coded=1" in coded.headers["location"]
    assert _codes(live_server)["Risques"].codings == risques.codings + 1
    assert "1 codages enregistrés" in http.get(coded.headers["location"]).text


def test_agreement_report_and_blind_mode(live_server_any) -> None:
    live_server = live_server_any
    build_corpus(live_server)
    boss = log_in(live_server, "boss")
    report = boss.get("/qual/agreement?run=true&coder=ana&coder=ben")
    assert report.status_code == 200
    assert re.search(r"Risques</th><td class=\"number\">0.750</td>", report.text)
    assert "6 désaccords" in report.text
    assert report.text.count('class="disagreement"') == 6
    one = boss.get("/qual/agreement?run=true&coder=ana")
    assert one.status_code == 422 and "QUAL_344" in one.text

    token = hidden(boss.get("/qual/agreement").text, "csrf_token")
    assert boss.post("/qual/agreement/blind", data={"action": "on"}).status_code == 403
    on = boss.post("/qual/agreement/blind", data={"csrf_token": token, "action": "on"})
    assert on.status_code == 303
    ana = log_in(live_server, "ana")
    assert "QUAL_340" in ana.get("/qual/agreement?run=true&coder=ana&coder=ben").text
    seen = ana.get("/qual/segments?code=Risques")
    assert seen.text.count('class="segment"') == 1  # ana's one Risques coding
    assert "codeur ben" not in seen.text
    matrix = ana.get("/qual/matrix")
    assert sum(int(n) for _, n in _links(matrix.text)) == 6  # ana's 5, d3 twice
    boss.post("/qual/agreement/blind", data={"csrf_token": token, "action": "reveal"})
    assert ana.get("/qual/segments?code=Risques").text.count('class="segment"') == 3
    assert "6 désaccords" in ana.get("/qual/agreement?run=true&coder=ana&coder=ben").text
