"""Error pages over real HTTP: the respondent's refusals and unknown URLs, in the
page's language, as HTML with the security headers."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from sqlalchemy import update

from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.models import FieldingRecord
from sociaparis.web.i18n import ERROR_MESSAGES
from sociaparis.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import HTTP_TIMEOUT
from tests.factories import field_form


@pytest.fixture
def served(live_server_any) -> object:
    """The app on each backend (the refusals read invitations, dates and keys)."""
    return live_server_any


@pytest.fixture
def client(served) -> httpx.Client:
    with httpx.Client(
        base_url=served.url, follow_redirects=False, timeout=HTTP_TIMEOUT
    ) as http:
        yield http


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _message(html: str) -> str:
    found = re.search(r'<p class="error-message" role="alert">(.*?)</p>', html, re.S)
    return found.group(1).strip().replace("&#39;", "'")


def _consent(http: httpx.Client, url: str, lang: str) -> httpx.Response:
    notice = http.get(f"{url}?lang={lang}")
    assert notice.status_code == 200, notice.text
    return http.post(
        f"{url}?lang={lang}", data={"csrf_token": _hidden(notice.text, "csrf_token")}
    )


def _unknown_invitation(http, live_server, lang):
    return http.get(f"/i/bogus?lang={lang}"), {}


def _used_invitation(http, live_server, lang):
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    assert _consent(http, f"/i/{created.token}", lang).status_code == 303
    return _consent(http, f"/i/{created.token}", lang), {}


def _unknown_response(http, live_server, lang):
    return http.get(f"/r/bogus?lang={lang}"), {}


def _no_open_link(http, live_server, lang):
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
    return http.get(f"/o/{form_id}?lang={lang}"), {}


def _not_open_yet(http, live_server, lang):
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, open_link=True, opens_on=date(2999, 1, 1))
    return _consent(http, f"/o/{form_id}", lang), {"opens": date(2999, 1, 1)}


def _closed(http, live_server, lang):
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, open_link=True, closes_on=date(2001, 1, 1))
    return _consent(http, f"/o/{form_id}", lang), {"closes": date(2001, 1, 1)}


def _use_key_changed(http, live_server, lang):
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
        session.execute(
            update(FieldingRecord)
            .where(FieldingRecord.form_id == form_id)
            .values(use_key_id="another-key")
        )
    return _consent(http, f"/i/{created.token}", lang), {}


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    ("code", "status", "refuse"),
    [
        ("FIELD_004", 404, _unknown_invitation),
        ("FIELD_005", 409, _used_invitation),
        ("FIELD_006", 404, _unknown_response),
        ("FIELD_007", 404, _no_open_link),
        ("FIELD_002", 404, _not_open_yet),
        ("FIELD_003", 404, _closed),
        ("FIELD_011", 503, _use_key_changed),
    ],
)
def test_a_refusal_is_told_in_the_page_language(
    client: httpx.Client, served, lang: str, code: str, status: int, refuse
) -> None:
    page, context = refuse(client, served, lang)
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in page.text
    assert _message(page.text) == ERROR_MESSAGES[lang][code].format(**context)
    assert ("Erreur" if lang == "fr" else "Error") in page.text


def test_a_changed_key_is_logged_for_the_operator(
    http: httpx.Client, live_server, caplog
) -> None:
    with caplog.at_level("ERROR", logger="sociaparis.web.routes.survey"):
        page, _context = _use_key_changed(http, live_server, "fr")
    assert page.status_code == 503
    assert "FIELD_011" in caplog.text and "SOCIAPARIS_SECRET_KEY" in caplog.text


def test_every_respondent_message_exists_in_both_languages() -> None:
    assert ERROR_MESSAGES["fr"].keys() == ERROR_MESSAGES["en"].keys()
    assert ERROR_MESSAGES["fr"]["FIELD_005"] != ERROR_MESSAGES["en"]["FIELD_005"]


@pytest.mark.parametrize(
    ("path", "lang", "text"),
    [
        ("/no/such/page", "fr", "Page introuvable."),
        ("/no/such/page?lang=en", "en", "Page not found."),
        ("/favicon.png", "fr", "Page introuvable."),
    ],
)
def test_an_unknown_url_answers_an_html_page(
    http: httpx.Client, path: str, lang: str, text: str
) -> None:
    page = http.get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert f'<html lang="{lang}">' in page.text
    assert _message(page.text) == text
    assert '<link rel="stylesheet" href="/static/sociaparis.css">' in page.text
