"""Field operations in the browser, over real HTTP on the real app: forms
(upload, check, store, preview, simulate, open and close), invitations from a
staff list, e-mail through a local SMTP server, the opt-out page. CSRF and
roles are enforced; hostile uploads are refused with a message."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import func, select

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.mailing import mailing_log
from sociaparis.survey.models import (
    InstrumentRecord,
    InvitationRecord,
    MailOptOutRecord,
    ResponseRecord,
)
from sociaparis.web.i18n import ERROR_MESSAGES
from tests.conftest import HTTP_TIMEOUT
from tests.factories import FIELDING_FORM, field_form

PASSWORD = "a long enough password"
STAFF = (
    "name;email;directorate;job_category\n"
    "Alice Martin;alice@example.org;DFA;A\n"
    '=HYPERLINK("http://evil");bob@example.org;DRH;B\n'
)


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _log_in(server, username: str, role: Role = Role.RESEARCHER) -> httpx.Client:
    with transaction(server.app.state.engine) as session:
        create_user(session=session, username=username, password=PASSWORD, role=role)
    http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=HTTP_TIMEOUT)
    login = http.get("/login")
    response = http.post(
        "/login",
        data={
            "username": username,
            "password": PASSWORD,
            "csrf_token": _hidden(login.text, "csrf_token"),
        },
    )
    assert response.status_code == 303
    return http


def _csrf(http: httpx.Client, path: str = "/forms") -> str:
    return _hidden(http.get(path).text, "csrf_token")


def _fielded(server, **options) -> str:
    with transaction(server.app.state.engine) as session:
        return field_form(session, **options)


def _upload(
    http, action: str, name: str, data: bytes, token: str | None = None, lang: str = "fr"
):
    return http.post(
        f"/forms/upload?lang={lang}",
        data={
            "csrf_token": token if token is not None else _csrf(http),
            "action": action,
        },
        files={"form": (name, data, "application/octet-stream")},
    )


def _stored_versions(server) -> int:
    with transaction(server.app.state.engine) as session:
        return session.scalar(select(func.count()).select_from(InstrumentRecord))


# -- forms ----------------------------------------------------------------------------


def test_the_home_page_links_the_field_operations(live_server) -> None:
    http = _log_in(live_server, "claire")
    assert 'href="/forms?lang=fr"' in http.get("/").text
    assert "Déposer un XLSForm" in http.get("/forms").text


def test_checking_stores_nothing_and_storing_makes_a_new_version(live_server) -> None:
    http = _log_in(live_server, "claire")
    checked = _upload(http, "check", "usage.md", FIELDING_FORM.encode())
    assert checked.status_code == 200
    assert "Le questionnaire peut être utilisé." in checked.text
    assert "<dd>ai_use_test</dd>" in checked.text
    # the warnings in the page's language (the command line prints the English)
    warned = FIELDING_FORM.replace("multiline", "numbers  ").encode()
    french = _upload(http, "check", "usage.md", warned).text
    assert str(escape("L'apparence « numbers » (employée d'abord sur « comment »)")) in (
        french
    )
    assert "pyxform signale (en anglais) : This form uses or_other" in french
    english = _upload(http, "check", "usage.md", warned, lang="en").text
    assert str(escape("The appearance 'numbers' (first on 'comment')")) in english
    assert _stored_versions(live_server) == 0
    added = _upload(http, "add", "usage.md", FIELDING_FORM.encode())
    assert "Enregistré : ai_use_test, version 1." in added.text
    again = _upload(http, "add", "usage.md", FIELDING_FORM.encode())
    assert "Inchangé" in again.text
    changed = FIELDING_FORM.replace("Un commentaire ?", "Un dernier mot ?")
    assert "version 2" in _upload(http, "add", "usage.md", changed.encode()).text
    assert _stored_versions(live_server) == 2
    page = http.get("/forms/ai_use_test")
    assert page.status_code == 200 and page.text.count('<th scope="row">') >= 2


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        # An unknown list on the survey sheet: the error names where it is.
        (
            "broken.md",
            FIELDING_FORM.replace("select_one freq", "select_one frequency").encode(),
            "frequency",
        ),
        ("fake.xlsx", b"PK\x03\x04 not really a workbook", "SURVEY_001"),
        ("form.exe", b"MZ", "SURVEY_001"),
        ("huge.md", b"x" * 5_000_001, "5 MB"),
    ],
)
def test_a_hostile_or_broken_form_is_refused_with_its_reason(
    live_server, name: str, data: bytes, expected: str
) -> None:
    http = _log_in(live_server, "claire")
    refused = _upload(http, "add", name, data)
    assert refused.status_code == (413 if name == "huge.md" else 422)
    if refused.status_code == 413:
        assert "trop volumineux" in refused.text
    else:
        assert "Le questionnaire ne peut pas être utilisé" in refused.text
        assert expected in refused.text
        assert "<script" not in refused.text.split("</head>")[1]
    assert _stored_versions(live_server) == 0


def test_a_refused_form_names_the_row_of_the_problem(live_server) -> None:
    http = _log_in(live_server, "claire")
    bad = FIELDING_FORM.replace(". >= 0 and . <= 60", ". >= 0 and and")
    refused = _upload(http, "check", "bad.md", bad.encode())
    assert refused.status_code == 422
    # in the page's language, as the refusals of the other pages
    assert re.search(r"\[feuille « survey », ligne \d+", refused.text)
    english = _upload(http, "check", "bad.md", bad.encode(), lang="en")
    assert re.search(r"\[sheet &#39;survey&#39;, row \d+", english.text)


def test_posts_need_the_session_csrf_token_and_the_same_site(live_server) -> None:
    http = _log_in(live_server, "claire")
    form_id = _fielded(live_server)
    assert (
        _upload(http, "add", "f.md", FIELDING_FORM.encode(), "forged").status_code == 403
    )
    assert http.post(f"/forms/{form_id}/close", data={}).status_code == 403
    cross = http.post(
        f"/forms/{form_id}/close",
        data={"csrf_token": _csrf(http)},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert cross.status_code == 403
    assert "Ouverte" in http.get(f"/forms/{form_id}").text


def test_viewers_see_the_pages_but_cannot_change_anything(live_server) -> None:
    form_id = _fielded(live_server)
    http = _log_in(live_server, "victor", Role.VIEWER)
    assert 'name="form"' not in http.get("/forms").text
    page = http.get(f"/forms/{form_id}")
    assert page.status_code == 200 and "Clore la collecte" not in page.text
    token = _csrf(http)
    assert _upload(http, "add", "f.md", FIELDING_FORM.encode(), token).status_code == 403
    closing = http.post(f"/forms/{form_id}/close", data={"csrf_token": token})
    assert closing.status_code == 403
    staff = http.post(
        f"/forms/{form_id}/invitations",
        data={"csrf_token": token},
        files={"staff": ("staff.csv", STAFF.encode(), "text/csv")},
    )
    assert staff.status_code == 403
    assert _stored_versions(live_server) == 1  # the fielded form only
    anonymous = httpx.get(f"{live_server.url}/forms", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_closing_makes_the_links_answer_a_french_closed_page(live_server_any) -> None:
    server = live_server_any
    form_id = _fielded(server, open_link=True)
    http = _log_in(server, "claire")
    token = _csrf(http)
    assert (
        http.post(f"/forms/{form_id}/close", data={"csrf_token": token}).status_code
        == 303
    )
    assert "Close :" in http.get(f"/forms/{form_id}").text
    closed = httpx.get(f"{server.url}/o/{form_id}")
    assert closed.status_code == 410
    assert str(escape(ERROR_MESSAGES["fr"]["FIELD_012"])) in closed.text
    assert '<html lang="fr">' in closed.text
    assert (
        http.post(f"/forms/{form_id}/open", data={"csrf_token": token}).status_code == 303
    )
    assert httpx.get(f"{server.url}/o/{form_id}").status_code == 200


# -- simulate and preview -------------------------------------------------------------


def test_simulating_shows_pages_values_and_errors(live_server) -> None:
    form_id = _fielded(live_server)
    http = _log_in(live_server, "claire")
    token = _csrf(http)
    result = http.post(
        f"/forms/{form_id}/simulate",
        data={"csrf_token": token, "answers": '{"service": "DFA", "hours": "75"}'},
    )
    assert result.status_code == 200
    assert "Entre 0 et 60 heures." in result.text
    assert "&#34;hours&#34;: &#34;75&#34;" in result.text  # the JSON, escaped
    bad = http.post(
        f"/forms/{form_id}/simulate",
        data={"csrf_token": token},
        files={"answers_file": ("a.json", b"{not json", "application/json")},
    )
    assert bad.status_code == 422 and "SURVEY_020" in bad.text


def test_the_preview_goes_through_the_pages_and_stores_nothing(live_server) -> None:
    form_id = _fielded(live_server)
    http = _log_in(live_server, "claire")
    first = http.get(f"/forms/{form_id}/preview")
    assert first.status_code == 200
    assert "Aperçu" in first.text and "rien n&#39;est enregistré" in first.text
    action = re.search(r'action="(/forms/[^"]+/preview/[^"?]+)', first.text).group(1)
    refused = http.post(
        action,
        data={"_csrf": _hidden(first.text, "_csrf"), "_answers": "{}", "_action": "next"},
    )
    assert refused.status_code == 422 and "error-summary" in refused.text
    token = _hidden(first.text, "_csrf")

    def step(html: str, **fields: str) -> httpx.Response:
        url = re.search(r'action="(/forms/[^"]+/preview/[^"]+)"', html).group(1)
        answers = _hidden(html, "_answers").replace("&#34;", '"')
        return http.post(
            url.replace("&amp;", "&"),
            data={"_csrf": token, "_answers": answers, **fields},
        )

    hours = step(first.text, service="DFA")
    assert hours.status_code == 200 and "Heures d&#39;IA par semaine" in hours.text
    too_many = step(hours.text, hours="75")
    assert too_many.status_code == 422 and "Entre 0 et 60 heures." in too_many.text
    tools = step(too_many.text, hours="2")
    assert tools.status_code == 200 and "Outils utilisés" in tools.text
    # The answers so far travel with the page, not in the database.
    assert "&#34;service&#34;: &#34;DFA&#34;" in tools.text
    assert "&#34;hours&#34;: &#34;2&#34;" in tools.text
    forged = http.post(action, data={"_csrf": "x", "_answers": "{}", "service": "A"})
    assert forged.status_code == 403
    with transaction(live_server.app.state.engine) as session:
        assert session.scalar(select(func.count()).select_from(ResponseRecord)) == 0


# -- invitations and e-mail -----------------------------------------------------------


def test_a_staff_list_gives_the_links_file_once_and_stores_only_attributes(
    live_server_any,
) -> None:
    server = live_server_any
    form_id = _fielded(server)
    http = _log_in(server, "claire")
    token = _csrf(http, f"/forms/{form_id}/invitations")
    answer = http.post(
        f"/forms/{form_id}/invitations",
        data={"csrf_token": token},
        files={"staff": ("staff.csv", STAFF.encode(), "text/csv")},
    )
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["email"] for r in rows] == ["alice@example.org", "bob@example.org"]
    assert rows[1]["name"].startswith("'=")  # no formula in a spreadsheet
    assert all(re.fullmatch(rf"{server.url}/i/[\w-]+", r["link"]) for r in rows)
    with transaction(server.app.state.engine) as session:
        stored = session.scalars(select(InvitationRecord)).all()
    assert [i.attributes for i in stored] == [
        {"directorate": "DFA", "job_category": "A"},
        {"directorate": "DRH", "job_category": "B"},
    ]
    data_dir = server.app.state.settings.data_dir
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"alice@example.org" not in path.read_bytes(), path
    assert httpx.get(rows[0]["link"]).status_code == 200


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"name;email\nA;a@x.org;extra\n", "3 cellules pour 2 colonnes"),
        (b"name\n\x81\x8d\n", "ni UTF-8 ni Windows-1252"),
        (b"", "le fichier est vide"),
    ],
)
def test_a_hostile_staff_list_is_refused_with_a_message(live_server, data, expected):
    form_id = _fielded(live_server)
    http = _log_in(live_server, "claire")
    refused = http.post(
        f"/forms/{form_id}/invitations",
        data={"csrf_token": _csrf(http)},
        files={"staff": ("staff.csv", data, "text/csv")},
    )
    assert refused.status_code == 400
    assert expected in refused.text


def test_invitations_and_reminders_by_email_from_the_browser(
    live_server_with, smtp_sink
) -> None:
    server = live_server_with(
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_security="none",
        smtp_sender="enquete@ville.example.org",
        smtp_rate=6000,
    )
    form_id = _fielded(server)
    http = _log_in(server, "claire")
    page = http.get(f"/forms/{form_id}/invitations")
    token = _hidden(page.text, "csrf_token")
    links = http.post(
        f"/forms/{form_id}/invitations",
        data={"csrf_token": token},
        files={"staff": ("staff.csv", STAFF.encode(), "text/csv")},
    ).content

    def send(kind: str) -> None:
        started = http.post(
            f"/forms/{form_id}/mailings",
            data={"csrf_token": token, "kind": kind, "round": "1", "lang": "fr"},
            files={"links": ("links.csv", links, "text/csv")},
        )
        assert started.status_code == 303
        server.app.state.mailings.wait(form_id)

    send("invitation")
    assert sorted(m["To"] for m in smtp_sink.messages) == [
        "alice@example.org",
        "bob@example.org",
    ]
    shown = http.get(f"/forms/{form_id}/invitations").text
    assert "2 envoyés sur 2" in shown and "alice@" not in shown
    send("invitation")  # again: nothing twice
    assert len(smtp_sink.messages) == 2

    [alice] = smtp_sink.to("alice@example.org")
    text = alice.get_body(("plain",)).get_content()
    link = re.search(r"http://\S+/i/\S+", text).group(0)
    optout = re.search(r"http://\S+/optout/\S+", text).group(0)
    assert httpx.get(link).status_code == 200  # the link works
    # Bob opts out: opening the page records nothing, the button does.
    [bob] = smtp_sink.to("bob@example.org")
    bob_optout = re.search(
        r"http://\S+/optout/\S+", bob.get_body(("plain",)).get_content()
    ).group(0)
    notice = httpx.get(bob_optout)
    assert notice.status_code == 200 and "Confirmer" in notice.text
    with transaction(server.app.state.engine) as session:
        assert session.scalar(select(func.count()).select_from(MailOptOutRecord)) == 0
    assert httpx.post(bob_optout, data={"csrf_token": "forged"}).status_code == 403
    done = httpx.post(bob_optout, data={"csrf_token": _hidden(notice.text, "csrf_token")})
    assert done.status_code == 200 and "C&#39;est noté" in done.text
    assert httpx.get(optout).status_code == 200  # Alice's page, untouched
    assert httpx.get(optout.replace("/optout/", "/optout/x")).status_code == 404

    send("reminder")  # Bob opted out: Alice only
    assert [m["To"] for m in smtp_sink.messages[2:]] == ["alice@example.org"]
    assert "Rappel" in smtp_sink.messages[2]["Subject"]
    with transaction(server.app.state.engine) as session:
        log = mailing_log(session=session, form_id=form_id)
    assert log.opted_out == 1
    assert log.mailings["reminder-1"]["sent"] == 1
    # Nothing of the links file was written: not in the database, its log, anywhere.
    for path in server.app.state.settings.data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"alice@example.org" not in content, path
            assert b"Alice Martin" not in content, path


def test_sending_without_an_smtp_server_says_what_to_set(live_server) -> None:
    form_id = _fielded(live_server)
    http = _log_in(live_server, "claire")
    page = http.get(f"/forms/{form_id}/invitations")
    assert "SOCIAPARIS_SMTP_HOST" in page.text
    refused = http.post(
        f"/forms/{form_id}/mailings",
        data={"csrf_token": _hidden(page.text, "csrf_token"), "kind": "invitation"},
        files={"links": ("links.csv", b"email,link\n", "text/csv")},
    )
    assert refused.status_code == 400
    assert "SOCIAPARIS_SMTP_HOST" in refused.text


def test_an_oversize_staff_list_or_links_file_is_413(live_server, monkeypatch) -> None:
    import sociaparis.web.workbench.survey_forms as pages

    monkeypatch.setattr(pages, "MAX_CSV_BYTES", 1_000)
    form_id = _fielded(live_server)
    http = _log_in(live_server, "claire")
    token = _csrf(http)
    big = ("name;email;directorate;job_category\n" + "A;a@x.org;DFA;A\n" * 200).encode()
    for path, field in (("invitations", "staff"), ("mailings", "links")):
        refused = http.post(
            f"/forms/{form_id}/{path}",
            data={"csrf_token": token, "kind": "invitation"},
            files={field: ("big.csv", big, "text/csv")},
        )
        assert refused.status_code == 413 and "trop volumineux" in refused.text
    with transaction(live_server.app.state.engine) as session:
        assert session.scalar(select(func.count()).select_from(InvitationRecord)) == 0
