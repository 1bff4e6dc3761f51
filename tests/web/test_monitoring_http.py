"""The fielding monitoring page and its CSV downloads over real HTTP."""

from __future__ import annotations

import csv
import io
import re
import time

import httpx
import pytest
from sqlalchemy import text

from sociaparis.core.db import transaction
from sociaparis.survey.fielding.monitoring import TABLES
from sociaparis.survey.fielding.service import create_invitations
from tests.conftest import HTTP_TIMEOUT
from tests.factories import FIELDING_FORM_PAGES, field_form
from tests.web.test_fielding_http import _current, _hidden, _login, _post, _start


def _invite(live_server, attributes: list[dict[str, str]]) -> tuple[str, list[str]]:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
        created = create_invitations(
            session=session, form_id=form_id, attributes=attributes
        )
    return form_id, [c.token for c in created]


def _durations(live_server) -> list[tuple[str, int]]:
    with transaction(live_server.app.state.engine) as session:
        return [
            tuple(row)
            for row in session.execute(text("select page, seconds from page_durations"))
        ]


def test_a_page_sent_on_records_how_long_it_was_shown(
    http: httpx.Client, live_server
) -> None:
    _, [token] = _invite(live_server, [{"directorate": "DFA", "job_category": "A"}])
    resume = _start(http, token)
    url, html = _current(http, resume)
    shown = int(_hidden(html, "_shown"))
    assert abs(shown - time.time()) < 60
    # Shown 25 s ago (as the page said); a refused page keeps that time.
    earlier = str(shown - 25)
    refused = http.post(
        url,
        data={
            "_csrf": _hidden(html, "_csrf"),
            "_revision": "0",
            "_shown": earlier,
            "service": "",
        },
    )
    assert refused.status_code == 422
    assert _hidden(refused.text, "_shown") == earlier
    sent = http.post(
        url,
        data={
            "_csrf": _hidden(html, "_csrf"),
            "_revision": "0",
            "_shown": earlier,
            "service": "DSIN",
        },
    )
    assert sent.status_code == 303
    [(page, seconds)] = _durations(live_server)
    assert page == "service" and 25 <= seconds < 60


@pytest.mark.parametrize("forged", ["", "soon", "99999999999999", str(2**41)])
def test_a_missing_or_forged_shown_time_records_nothing(
    http: httpx.Client, live_server, forged: str
) -> None:
    _, [token] = _invite(live_server, [{}])
    resume = _start(http, token)
    url, html = _current(http, resume)
    data = {"_csrf": _hidden(html, "_csrf"), "_revision": "0", "service": "DSIN"}
    if forged:
        data["_shown"] = forged
    assert http.post(url, data=data).status_code == 303
    assert _durations(live_server) == []


def _answer_all(http: httpx.Client, token: str) -> None:
    resume = _start(http, token)
    for _page, fields, _instances in FIELDING_FORM_PAGES:
        url, html = _current(http, resume)
        response = _post(http, url, html, {k: v[0] for k, v in fields.items()})
        assert response.status_code == 303, response.text[:500]


@pytest.mark.parametrize(
    ("role", "csv_status"), [("researcher", 200), ("viewer", 403), ("coder", 403)]
)
def test_every_role_reads_the_page_and_exporting_roles_download_each_table(
    http: httpx.Client, live_server, role: str, csv_status: int
) -> None:
    form_id, tokens = _invite(
        live_server, [{"directorate": "DFA", "job_category": "A"}] * 12
    )
    for token in tokens:
        with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as respondent:
            _answer_all(respondent, token)
    _login(http, live_server, role)
    page = http.get(f"/fielding/{form_id}")
    assert page.status_code == 200
    links = re.findall(rf'href="/fielding/{form_id}/csv/(\w+)\?lang=fr"', page.text)
    assert links == (list(TABLES) if csv_status == 200 else [])
    for table in TABLES:
        download = http.get(f"/fielding/{form_id}/csv/{table}")
        assert download.status_code == csv_status, table
        if csv_status == 200:
            assert download.headers["content-type"] == "text/csv; charset=utf-8"
            assert download.headers["content-disposition"] == (
                f'attachment; filename="{form_id}-{table}.csv"'
            )
            assert download.headers["cache-control"] == "no-store"
    assert http.get(f"/fielding/{form_id}/csv/secrets").status_code in {403, 404}
    assert http.get("/fielding/nope/csv/by_page").status_code in {403, 404}


def test_the_tables_need_a_log_in(http: httpx.Client, live_server) -> None:
    form_id, _ = _invite(live_server, [{}])
    for url in (f"/fielding/{form_id}", f"/fielding/{form_id}/csv/by_page"):
        response = http.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


def test_the_page_draws_labelled_charts_of_published_values_only(
    http: httpx.Client, live_server
) -> None:
    # 12 complete in DFA; 3 more stop on the first page. 15 started and 12
    # completed are public, but showing 12 on any later page would tell on
    # which page the 3 stopped: only the first page's 15 is drawn.
    form_id, tokens = _invite(
        live_server, [{"directorate": "DFA", "job_category": "A"}] * 15
    )
    for token in tokens[:12]:
        with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as respondent:
            _answer_all(respondent, token)
    for token in tokens[12:]:
        with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as respondent:
            _start(respondent, token)
    _login(http, live_server, "researcher")
    page = http.get(f"/fielding/{form_id}?lang=en").text
    funnel = page.split('<svg class="chart funnel"')[1].split("</svg>")[0]
    assert 'role="img"' in funnel
    assert 'aria-labelledby="funnel-title funnel-desc"' in funnel
    assert '<title id="funnel-title">Responses that reached each page</title>' in funnel
    assert re.findall(r'class="chart-value"[^>]*>(\d+)<', funnel) == ["15"]
    assert funnel.count("<rect") == 1 and funnel.count(">hidden<") == 6
    by_page = page.split('id="table-by_page"')[1].split("</table>")[0]
    assert "1. Your department" in by_page
    assert ">12<" not in by_page and ">3<" not in by_page
    csv_text = http.get(f"/fielding/{form_id}/csv/by_page").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [row["reached"] for row in rows] == ["15", "", "", "", "", "", ""]
    assert {row["stopped_here"] for row in rows} == {""}
    # Asking for another threshold changes nothing.
    again = http.get(f"/fielding/{form_id}/csv/by_page?min_count=1&min_cell_count=1")
    assert again.content.decode("utf-8-sig") == csv_text
    # The by-day chart: one day only, so the table alone (12 completed, 12 of
    # 15 invitations = 80.0 %).
    by_day = page.split('id="table-by_day"')[1].split("</table>")[0]
    assert "12 (80.0 %)" in by_day


def test_recorded_codes_are_escaped_on_the_page(http: httpx.Client, live_server) -> None:
    form_id, tokens = _invite(
        live_server,
        [{"directorate": "<script>alert(1)</script>", "job_category": "A"}] * 12,
    )
    for token in tokens:
        with httpx.Client(base_url=live_server.url, timeout=HTTP_TIMEOUT) as respondent:
            _answer_all(respondent, token)
    _login(http, live_server, "researcher")
    page = http.get(f"/fielding/{form_id}").text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_monitoring_shows_the_form_labels_never_the_codes(
    http: httpx.Client, live_server
) -> None:
    from sociaparis.survey.synthetic import add_synthetic_responses
    from tests.factories import DEFAULTS_FORM

    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, DEFAULTS_FORM)
        add_synthetic_responses(
            session=session,
            form_id=form_id,
            count=60,
            seed=3,
            attribute_cells=[
                ({"directorate": "DFA", "job_category": "A"}, 50),
                ({"directorate": "DSIN", "job_category": "B"}, 50),
            ],
        )
    _login(http, live_server, "researcher")
    page = http.get(f"/fielding/{form_id}").text
    by_day = page.split('id="table-by_day"')[1].split("</table>")[0]
    assert "Réponses terminées cumulées par Direction</caption>" in by_day
    assert re.findall(r'<th scope="col" class="number">([^<]*)</th>', by_day) == [
        "Finances",
        "Numérique",
        "Total",
    ]
    legend = re.findall(r"</span>([^<]*)</li>", page)
    assert legend == ["Finances", "Numérique", "Total"]
    assert ">DFA<" not in page and ">DSIN<" not in page
    # Synthetic responses: counts, never a response rate.
    assert " %)" not in by_day
    rows = list(
        csv.DictReader(
            io.StringIO(
                http.get(f"/fielding/{form_id}/csv/by_day").content.decode("utf-8-sig")
            )
        )
    )
    assert {(row["stratum"], row["label"]) for row in rows} == {
        ("DFA", "Finances"),
        ("DSIN", "Numérique"),
        ("Total", "Total"),
    }
    assert {row["response_rate"] for row in rows} == {""}
