"""The respondent pages over real HTTP: consent, validation, replays, CSRF, limits."""

from __future__ import annotations

import re

import httpx
import pytest
from markupsafe import escape
from sqlalchemy import select

from sociaparis.accounts.service import create_user
from sociaparis.core.db import transaction
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.models import InvitationRecord, ResponseRecord
from sociaparis.web.i18n import ERROR_MESSAGES, translate
from sociaparis.web.routes.survey import MAX_FIELDS
from sociaparis.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import HTTP_TIMEOUT
from tests.factories import (
    DEFAULTS_FORM,
    FIELDING_FORM_PAGES,
    LICENCES_FORM,
    TOOL_DETAIL_FORM,
    field_form,
    submit_page,
)


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


@pytest.fixture
def invitation(live_server) -> str:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
        [created] = create_invitations(
            session=session,
            form_id=form_id,
            attributes=[{"directorate": "DFA", "job_category": "A"}],
        )
    return created.token


def _start(http: httpx.Client, token: str) -> str:
    notice = http.get(f"/i/{token}")
    assert notice.status_code == 200
    response = http.post(
        f"/i/{token}", data={"csrf_token": _hidden(notice.text, "csrf_token")}
    )
    assert response.status_code == 303
    # A new response goes straight to its first page; the resume link is above it.
    resume, _, first_page = response.headers["location"].rpartition("/")
    assert resume.startswith("/r/") and first_page
    return resume


def _post(http: httpx.Client, page_url: str, html: str, fields: dict, action="next"):
    data = {
        "_csrf": _hidden(html, "_csrf"),
        "_revision": _hidden(html, "_revision"),
        "_action": action,
        **fields,
    }
    if 'name="_instances"' in html:
        data["_instances"] = _hidden(html, "_instances")
    return http.post(page_url, data=data)


def _current(http: httpx.Client, resume_url: str) -> tuple[str, str]:
    redirect = http.get(resume_url)
    assert redirect.status_code == 303
    page_url = redirect.headers["location"]
    page = http.get(page_url)
    assert page.status_code == 200
    return page_url, page.text


def _stored(live_server) -> ResponseRecord:
    with transaction(live_server.app.state.engine) as session:
        return session.scalars(select(ResponseRecord)).one()


def test_the_notice_is_shown_and_consent_is_needed(
    http: httpx.Client, invitation
) -> None:
    page = http.get(f"/i/{invitation}")
    assert "Responsable du traitement" in page.text and "Ville de Paris" in page.text
    assert http.post(f"/i/{invitation}", data={"csrf_token": "x"}).status_code == 403
    english = http.get(f"/i/{invitation}?lang=en")
    assert 'lang="en"' in english.text and "Data controller" in english.text


def test_a_bad_answer_comes_back_with_the_answers_kept(
    http: httpx.Client, invitation, live_server
) -> None:
    resume = _start(http, invitation)
    url, html = _current(http, resume)
    assert _post(http, url, html, {"service": "DSIN"}).status_code == 303
    url, html = _current(http, resume)
    refused = _post(http, url, html, {"hours": "75"})
    assert refused.status_code == 422
    assert 'value="75"' in refused.text
    assert 'class="error-summary"' in refused.text
    assert 'href="#q-hours"' in refused.text
    assert 'aria-describedby="q-hours-error"' in refused.text
    assert "Entre 0 et 60 heures." in refused.text
    assert _stored(live_server).answers == {"service": "DSIN"}


@pytest.fixture
def defaults_invitation(live_server) -> str:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, DEFAULTS_FORM, attributes=())
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    return created.token


def _asked(html: str, name: str) -> bool:
    """Whether the page asks ``name``: a field of that name that is not disabled
    (a question that is not relevant is on the page for live logic, hidden and
    disabled, so a browser sends nothing for it)."""
    field = rf'<(?:input|select|textarea)\b[^>]*name="{re.escape(name)}"[^>]*>'
    return any(not re.search(r"\sdisabled[\s>]", tag) for tag in re.findall(field, html))


def _shown(html: str) -> dict[str, str]:
    """The value each field of a page shows: typed, selected or ticked."""
    shown: dict[str, list[str]] = {}
    for tag in re.findall(r'<input type="(?!hidden)[^>]*>', html):
        if re.search(r"\sdisabled[\s>]", tag):
            continue
        name = re.search(r'name="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="radio"' in tag or 'type="checkbox"' in tag:
            shown.setdefault(name, [])
            if " checked" in tag:
                shown[name].append(value.group(1))
        elif not name.startswith("_") and value:
            shown.setdefault(name, []).append(value.group(1))
    for name, options in re.findall(
        r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        selected = re.findall(r'<option value="([^"]*)" selected>', options)
        shown[name] = selected
    return {
        name: " ".join(values) for name, values in shown.items() if name != "csrf_token"
    }


#: What the first page of DEFAULTS_FORM shows before it is answered.
DEFAULTS_SHOWN = {
    "directorate": "",
    "job_category": "B",
    "pays": "france",
    "ville": "Paris",
    "agents": "12",
    "heures": "2.5",
    "transports": "velo metro",
    "debut": "2024-09-01",
}


def test_defaults_prefill_unanswered_questions_and_never_an_answer(
    http: httpx.Client, defaults_invitation, live_server
) -> None:
    resume = _start(http, defaults_invitation)
    url, html = _current(http, resume)
    assert _shown(html) == DEFAULTS_SHOWN
    # Refused (too many staff), with the transports unticked and the city erased:
    # the page comes back as sent, the defaults not ticked or typed again.
    # A browser sends nothing for unticked boxes, but the page's empty hidden
    # field of the same name: an empty answer, not a missing one.
    assert '<input type="hidden" name="transports" value="">' in html
    sent = {**DEFAULTS_SHOWN, "agents": "500", "ville": "", "transports": ""}
    refused = _post(http, url, html, sent)
    assert refused.status_code == 422
    assert _shown(refused.text) == {
        **DEFAULTS_SHOWN,
        "agents": "500",
        "ville": "",
        "transports": "",
    }
    sent = {**sent, "agents": "40", "pays": "italie", "directorate": "DSIN"}
    assert _post(http, url, refused.text, sent).status_code == 303
    assert _stored(live_server).answers == {
        **DEFAULTS_SHOWN,
        "agents": "40",
        "pays": "italie",
        "directorate": "DSIN",
        "ville": "",
        "transports": "",
    }
    # The repeat's new instance shows its question's default.
    url, html = _current(http, resume)
    assert _shown(html) == {"outil_freq.1": "weekly"}
    # Back on the first page: the answers given, the cleared defaults still cleared.
    back = _post(http, url, html, {"outil_freq.1": "daily"}, action="back")
    assert back.status_code == 303
    url, html = _current(http, resume)
    assert url.endswith("/profil")
    assert _shown(html) == {
        **DEFAULTS_SHOWN,
        "agents": "40",
        "pays": "italie",
        "directorate": "DSIN",
        "ville": "",
        "transports": "",
    }


@pytest.mark.storage
def test_the_invitation_attributes_prefill_their_questions(live_server_any) -> None:
    with transaction(live_server_any.app.state.engine) as session:
        form_id = field_form(session, DEFAULTS_FORM)  # anonymous, two attributes
        [created] = create_invitations(
            session=session,
            form_id=form_id,
            attributes=[{"directorate": "DSIN", "job_category": "A"}],
        )
    with httpx.Client(base_url=live_server_any.url, timeout=HTTP_TIMEOUT) as http:
        resume = _start(http, created.token)
        url, html = _current(http, resume)
        # The attribute is shown in place of the form's default (B); the
        # respondent may change it, and what they send is stored.
        shown = _shown(html)
        assert (shown["directorate"], shown["job_category"]) == ("DSIN", "A")
        sent = {**shown, "directorate": "DFA"}
        assert _post(http, url, html, sent).status_code == 303
    with transaction(live_server_any.app.state.engine) as session:
        response = session.scalars(select(ResponseRecord)).one()
        assert response.answers["directorate"] == "DFA"
        assert response.answers["job_category"] == "A"
        assert response.invitation_id is None


@pytest.fixture
def licences_invitation(live_server) -> str:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, LICENCES_FORM, attributes=())
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    return created.token


def test_a_french_number_on_a_page_with_a_follow_up_is_kept(
    http: httpx.Client, licences_invitation, live_server
) -> None:
    resume = _start(http, licences_invitation)
    url, html = _current(http, resume)
    assert not _asked(html, "which")
    # The follow-up appears with the number kept, as ODK stores it.
    assert _post(http, url, html, {"licences": "1\u202f200"}).status_code == 303
    url, html = _current(http, resume)
    assert url.endswith("/page") and _asked(html, "which")
    assert 'value="1200"' in html
    assert _stored(live_server).answers == {"licences": "1200"}
    # A number that cannot be read comes back as typed, with its message.
    refused = _post(http, url, html, {"licences": "1,200", "which": "Albert"})
    assert refused.status_code == 422
    assert 'value="1,200"' in refused.text and 'value="Albert"' in refused.text
    assert 'href="#q-licences"' in refused.text
    assert "Saisissez un nombre entier." in refused.text
    assert _stored(live_server).answers == {"licences": "1200"}


def test_a_bad_answer_revealing_a_follow_up_is_not_dropped(
    http: httpx.Client, licences_invitation, live_server
) -> None:
    resume = _start(http, licences_invitation)
    url, html = _current(http, resume)
    refused = _post(http, url, html, {"licences": "douze"})
    assert refused.status_code == 422
    assert 'value="douze"' in refused.text
    assert "Saisissez un nombre entier." in refused.text
    assert _stored(live_server).answers == {}


def test_a_page_answered_with_live_logic_is_checked_not_shown_again(
    http: httpx.Client, licences_invitation, live_server
) -> None:
    resume = _start(http, licences_invitation)
    url, html = _current(http, resume)
    # The page carries live logic: the follow-up waits on it, hidden and disabled.
    assert 'id="live-form"' in html and 'src="/static/live.js"' in html
    assert re.search(r'<div class="field" data-field="which" hidden>', html)
    # With live logic the follow-up was shown as it was called for: a required
    # one left empty is refused at once, nothing saved.
    live = {"licences": "3", "_live": "1"}
    refused = _post(http, url, html, live)
    assert refused.status_code == 422
    assert 'href="#q-which"' in refused.text
    assert _stored(live_server).answers == {}
    accepted = _post(http, url, refused.text, {**live, "which": "Albert"})
    assert accepted.status_code == 303
    assert _stored(live_server).answers == {"licences": "3", "which": "Albert"}


def test_unknown_hidden_and_other_pages_fields_are_never_stored(
    http: httpx.Client, invitation, live_server
) -> None:
    resume = _start(http, invitation)
    url, html = _current(http, resume)
    evil = {"service": "DSIN", "hours": "3", "admin": "1", "_revision": "0"}
    assert _post(http, url, html, evil).status_code == 303
    assert _stored(live_server).answers == {"service": "DSIN"}


def test_an_oversized_answer_is_refused(
    http: httpx.Client, invitation, live_server
) -> None:
    resume = _start(http, invitation)
    url, html = _current(http, resume)
    assert _post(http, url, html, {"service": "x" * 10_001}).status_code == 422
    assert _stored(live_server).answers == {}


def _chunks(size: int):
    # A body sent in chunks, with no Content-Length to check up front.
    yield b"service="
    for _ in range(size // 65_536 + 1):
        yield b"x" * 65_536


@pytest.mark.parametrize(
    ("headers", "content", "status"),
    [
        ({"content-type": "application/x-www-form-urlencoded"}, b"x" * 2_000_001, 413),
        ({"content-type": "application/x-www-form-urlencoded"}, _chunks(2_100_000), 413),
        # read (a page with a file question sends it): no CSRF token in it
        ({"content-type": "multipart/form-data; boundary=b"}, b"--b--", 403),
        ({"content-type": "text/plain"}, b"service=DSIN", 415),
        ({"content-type": "application/x-www-form-urlencoded"}, b"service=%ff", 400),
        (
            {"content-type": "application/x-www-form-urlencoded"},
            "&".join(f"f{i}=1" for i in range(2001)).encode(),
            400,
        ),
    ],
    ids=["too-big", "too-big-chunked", "multipart", "text", "bad-utf8", "too-many"],
)
def test_a_hostile_page_body_is_refused_before_it_is_read(
    http: httpx.Client, invitation, live_server, headers, content, status
) -> None:
    resume = _start(http, invitation)
    url, _html = _current(http, resume)
    refused = http.post(url, headers=headers, content=content)
    assert refused.status_code == status
    assert refused.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert _stored(live_server).revision == 0


def test_a_page_with_too_many_fields_names_the_limit(
    http: httpx.Client, invitation, live_server
) -> None:
    resume = _start(http, invitation)
    url, _html = _current(http, resume)
    content = "&".join(f"f{i}=1" for i in range(MAX_FIELDS + 1)).encode()
    headers = {"content-type": "application/x-www-form-urlencoded"}
    refused = http.post(url, headers=headers, content=content)
    assert refused.status_code == 400
    sent = MAX_FIELDS + 1
    message = ERROR_MESSAGES["fr"]["FIELD_010"].format(count=sent, limit=MAX_FIELDS)
    assert escape(message) in refused.text
    assert _stored(live_server).revision == 0


def test_replaying_a_page_or_a_used_invitation_changes_nothing(
    http: httpx.Client, invitation, live_server
) -> None:
    resume = _start(http, invitation)
    url, html = _current(http, resume)
    assert _post(http, url, html, {"service": "DSIN"}).status_code == 303
    replay = _post(http, url, html, {"service": "changed"})
    assert replay.status_code == 303  # back to where the response really is
    assert _stored(live_server).answers == {"service": "DSIN"}
    again = http.post(f"/i/{invitation}", data={"csrf_token": "x"})
    assert again.status_code in {403, 409}
    with transaction(live_server.app.state.engine) as session:
        assert len(session.scalars(select(ResponseRecord)).all()) == 1


def test_a_page_post_without_the_response_csrf_is_refused(
    http: httpx.Client, invitation
) -> None:
    resume = _start(http, invitation)
    url, html = _current(http, resume)
    forged = http.post(url, data={"_csrf": "0" * 64, "_revision": "0", "service": "x"})
    assert forged.status_code == 403


def test_only_the_current_page_can_be_shown(http: httpx.Client, invitation) -> None:
    resume = _start(http, invitation)
    skipped = http.get(f"{resume}/comment")
    assert skipped.status_code == 303
    assert skipped.headers["location"].endswith(f"{resume.split('/r/')[1]}/service")


def test_token_pages_never_leak_through_the_referer(
    http: httpx.Client, invitation
) -> None:
    assert http.get(f"/i/{invitation}").headers["referrer-policy"] == "no-referrer"


def test_researcher_progress_hides_small_cells(
    http: httpx.Client, invitation, live_server
) -> None:
    with transaction(live_server.app.state.engine) as session:
        create_user(session=session, username="claire", password="a long enough password")
    login = http.get("/login")
    http.post(
        "/login",
        data={
            "username": "claire",
            "password": "a long enough password",
            "csrf_token": _hidden(login.text, "csrf_token"),
        },
    )
    _start(http, invitation)
    page = http.get("/fielding/ai_use_test")
    assert page.status_code == 200
    assert re.search(r'id="total-started">1<', page.text)
    # one started response in DFA x A: shown as "< 10", never as 1
    started = page.text.split('id="table-started"')[1].split("</table>")[0]
    assert "&lt; 10" in started
    assert re.search(r'<td class="number">1</td>', started) is None


@pytest.mark.storage
def test_researcher_progress_names_the_breakdown_with_the_form_labels(
    live_server_any,
) -> None:
    with transaction(live_server_any.app.state.engine) as session:
        create_user(session=session, username="claire", password="a long enough password")
        form_id = field_form(session, DEFAULTS_FORM)
        created = create_invitations(
            session=session,
            form_id=form_id,
            attributes=[{"directorate": "DFA", "job_category": "A"}] * 12
            + [{"directorate": "DSIN", "job_category": "B"}],
        )
    with httpx.Client(base_url=live_server_any.url, timeout=HTTP_TIMEOUT) as http:
        _start(http, created[0].token)
        login = http.get("/login")
        http.post(
            "/login",
            data={
                "username": "claire",
                "password": "a long enough password",
                "csrf_token": _hidden(login.text, "csrf_token"),
            },
        )
        french = http.get(f"/fielding/{form_id}").text
        english = http.get(f"/fielding/{form_id}?lang=en").text
    invited = french.split('id="table-invitations"')[1].split("</table>")[0]
    assert "Invitations — Direction × Catégorie</caption>" in invited
    # Rows and columns in the order of the choices, by their labels, never codes.
    assert re.findall(r'<th scope="row">([^<]*)</th>', invited) == [
        "Finances",
        "Numérique",
        "Total",
    ]
    assert re.findall(r'<th scope="col" class="number">([^<]*)</th>', invited) == [
        "Catégorie A",
        "Catégorie B",
        "Total",
    ]
    assert ">DFA<" not in french and "job_category" not in french
    assert "Directorate × Category</caption>" in english
    assert '<th scope="row">Finance</th>' in english


def _login(http: httpx.Client, live_server, role: str) -> None:
    from sociaparis.accounts.roles import Role

    with transaction(live_server.app.state.engine) as session:
        create_user(
            session=session,
            username=role,
            password="a long enough password",
            role=Role(role),
        )
    login = http.get("/login")
    http.post(
        "/login",
        data={
            "username": role,
            "password": "a long enough password",
            "csrf_token": _hidden(login.text, "csrf_token"),
        },
    )


@pytest.mark.parametrize(("role", "status"), [("researcher", 200), ("coder", 403)])
def test_export_downloads_follow_the_role(
    http: httpx.Client, live_server, role: str, status: int
) -> None:
    import io
    import zipfile

    from sociaparis.survey.synthetic import add_synthetic_responses

    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session)
        add_synthetic_responses(session=session, form_id=form_id, count=3, seed=1)
    _login(http, live_server, role)
    download = http.get(f"/fielding/{form_id}/export/csv")
    assert download.status_code == status
    if status == 200:
        assert download.headers["content-type"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
        assert any(name.endswith(".csv") for name in names)
        assert "datapackage.json" in {name.rsplit("/", 1)[-1] for name in names}


@pytest.mark.parametrize(("open_link", "status"), [(True, 200), (False, 404)])
def test_the_open_link_starts_a_response_only_when_the_form_has_one(
    http: httpx.Client, live_server, open_link: bool, status: int
) -> None:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, open_link=open_link)
    notice = http.get(f"/o/{form_id}")
    assert notice.status_code == status
    if open_link:
        started = http.post(
            f"/o/{form_id}", data={"csrf_token": _hidden(notice.text, "csrf_token")}
        )
        assert started.status_code == 303
        assert started.headers["location"].startswith("/r/")
        with transaction(live_server.app.state.engine) as session:
            assert session.scalars(select(ResponseRecord)).one().invitation_id is None


def test_a_refused_consent_leaves_the_invitation_unused(
    http: httpx.Client, live_server
) -> None:
    # A fielding whose form has no stored version: the start is refused after
    # the invitation was marked used, and that mark must be rolled back.
    from sociaparis.survey.fielding.service import (
        Fielding,
        configure_fielding,
        hash_token,
    )
    from sociaparis.web.security import make_csrf_token

    with transaction(live_server.app.state.engine) as session:
        configure_fielding(session=session, fielding=Fielding(form_id="ghost"))
        [created] = create_invitations(session=session, form_id="ghost", attributes=[{}])
    token = created.token
    csrf = make_csrf_token(
        live_server.app.state.settings.secret_key, f"consent:{hash_token(token)}"
    )
    refused = http.post(f"/i/{token}", data={"csrf_token": csrf})
    assert refused.status_code == 404
    with transaction(live_server.app.state.engine) as session:
        invitation = session.scalars(
            select(InvitationRecord).where(InvitationRecord.form_id == "ghost")
        ).one()
        assert invitation.used is False
        assert session.scalars(select(ResponseRecord)).all() == []


def test_a_page_shown_before_another_process_saved_the_response_saves_nothing(
    http: httpx.Client, invitation, live_server
) -> None:
    # The server keeps the response it read to show a page, for that page's
    # submission; if another worker process saves the response meanwhile, the
    # submission must be refused by the revision check, not merged into it.

    resume = _start(http, invitation)
    url, html = _current(http, resume)
    token = resume.rsplit("/", 1)[-1]
    with transaction(live_server.app.state.engine) as session:  # another worker
        saved = submit_page(
            session=session,
            resume_token=token,
            page_name="service",
            fields={"service": ["DFA"]},
            revision=0,
        )
        assert saved.accepted
    stale = _post(http, url, html, {"service": "DSIN"})
    assert stale.status_code == 303
    assert stale.headers["location"] == resume
    stored = _stored(live_server)
    assert (stored.answers, stored.revision) == ({"service": "DFA"}, 1)


#: A form whose pages are called ``done`` (the thanks page's old address) and
#: ``more.json`` (the JSON twin's suffix).
DONE_PAGE_FORM = """
| survey |  |  |  |  |
|  | type | name | label | appearance |
|  | begin group | intro | Introduction | field-list |
|  | text | first | First |  |
|  | end group |  |  |  |
|  | begin group | done | Done? | field-list |
|  | text | last | Last |  |
|  | end group |  |  |  |
|  | text | more.json | More |  |
| settings |  |  |
|  | form_title | form_id |
|  | Done page | done_page |
"""


def test_a_page_named_done_is_shown_and_the_thanks_page_follows(
    http: httpx.Client, live_server
) -> None:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, DONE_PAGE_FORM, attributes=())
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    resume = _start(http, created.token)
    url, html = _current(http, resume)
    sent = _post(http, url, html, {"first": "a"})
    assert sent.status_code == 303 and sent.headers["location"] == f"{resume}/done"
    done_page = http.get(f"{resume}/done")
    assert done_page.status_code == 200 and 'name="last"' in done_page.text
    sent = _post(http, f"{resume}/done", done_page.text, {"last": "b"})
    assert sent.headers["location"] == f"{resume}/more.json"
    more = http.get(f"{resume}/more.json")
    assert more.headers["content-type"].startswith("text/html")
    assert 'name="more.json"' in more.text
    finished = _post(http, f"{resume}/more.json", more.text, {"more.json": "c"})
    assert finished.status_code == 303 and finished.headers["location"] == resume
    thanks = http.get(resume)
    assert thanks.status_code == 200 and "Merci" in thanks.text
    assert thanks.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # The page's address, once the response is sent, leads to the thanks page.
    assert http.get(f"{resume}/done").headers["location"].partition("?")[0] == resume
    assert _stored(live_server).answers == {"first": "a", "last": "b", "more.json": "c"}


#: A form whose last page holds only notes (a "thank you" and one that depends on
#: an answer).
CLOSING_NOTE_FORM = """
| survey |  |  |  |  |  |  |
|  | type | name | label::Français (fr) | label::English (en) | relevant | appearance |
|  | text | city | Ville | City |  |  |
|  | begin group | end | Fin | End | | field-list |
|  | note | thanks | Merci pour votre participation. | Thank you for taking part. |  |  |
|  | note | paris | Bonjour Paris. | Hello Paris. | ${city} = 'Paris' |  |
|  | end group |  |  |  |  |  |
| settings |  |  |
|  | form_title | form_id |
|  | Closing note | closing_note |
"""


@pytest.mark.parametrize(
    ("lang", "city", "shown", "hidden"),
    [
        ("fr", "Paris", ["Merci pour votre participation.", "Bonjour Paris."], []),
        ("en", "Lyon", ["Thank you for taking part."], ["Hello Paris."]),
    ],
)
def test_closing_notes_are_shown_only_once_the_answers_are_sent(
    http: httpx.Client, live_server, lang, city, shown, hidden
) -> None:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, CLOSING_NOTE_FORM, attributes=())
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    resume = _start(http, created.token)
    first = f"{resume}/city?lang={lang}"
    html = http.get(first).text
    last = _post(http, first, html, {"city": city}).headers["location"]
    closing = http.get(last)
    assert closing.status_code == 200
    for text in shown + hidden:
        assert text not in closing.text
    ready = escape(translate("ready_to_send", lang))
    assert f'<p class="closing">{ready}</p>' in closing.text
    sent = _post(http, last, closing.text, {})
    assert sent.status_code == 303 and _stored(live_server).status == "completed"
    thanks = http.get(sent.headers["location"])
    assert thanks.status_code == 200
    for text in shown:
        assert text in thanks.text
    for text in hidden:
        assert text not in thanks.text


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_a_question_page_title_names_the_page_and_the_form_once(
    http: httpx.Client, invitation
) -> None:
    resume = _start(http, invitation)
    _url, html = _current(http, resume)
    title = _title(html).replace("&#39;", "'")
    assert re.fullmatch(r"Page 1 sur \d+ – Usages de l'IA – sociaparis", title)


def test_the_favicon_is_linked_and_served(http: httpx.Client, invitation) -> None:
    notice = http.get(f"/i/{invitation}")
    assert '<link rel="icon" href="/static/favicon.svg"' in notice.text
    icon = http.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


def test_the_error_summary_of_a_repeat_names_the_instance(
    http: httpx.Client, invitation
) -> None:
    resume = _start(http, invitation)
    for page, fields, _instances in FIELDING_FORM_PAGES[:4]:
        url, html = _current(http, resume)
        assert url.startswith(f"{resume}/{page}")
        assert _post(http, url, html, fields).status_code == 303
    url, html = _current(http, resume)
    assert _post(http, url, html, {}, action="add").status_code == 303
    url, html = _current(http, resume)
    assert 'id="instance-2"' in html
    refused = _post(http, url, html, {"tool_name.1": "Copilot", "tool_name.2": ""})
    assert refused.status_code == 422, refused.text
    summary = re.search(r'<div class="error-summary".*?</div>', refused.text, re.S)
    items = re.findall(r"<li><a [^>]*>(.*?)</a></li>", summary.group(0))
    assert items == [
        "Chaque outil n° 2 – Nom de l&#39;outil : Cette question est obligatoire."
    ]


@pytest.fixture
def tool_detail(live_server_any) -> tuple[httpx.Client, str, object]:
    with transaction(live_server_any.app.state.engine) as session:
        form_id = field_form(session, TOOL_DETAIL_FORM, attributes=())
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    with httpx.Client(base_url=live_server_any.url, timeout=HTTP_TIMEOUT) as client:
        yield client, created.token, live_server_any


def _instance_fields(html: str) -> set[str]:
    """The fields of repeat instances the page asks (see :func:`_asked`)."""
    return {
        name for name in re.findall(r'name="([a-z_]+\.\d+)"', html) if _asked(html, name)
    }


def test_follow_ups_inside_a_repeat_instance_are_asked(tool_detail) -> None:
    http, token, server = tool_detail
    resume = _start(http, token)
    url, html = _current(http, resume)
    assert _post(http, url, html, {"n_tools": "2"}).status_code == 303
    url, html = _current(http, resume)
    assert url.endswith("/tool_detail")
    # No follow-up is shown before its question is answered, "specify other"
    # included.
    assert _instance_fields(html) == {
        f"{name}.{n}"
        for name in ("use_case", "legal_basis", "eval_metrics", "tasks")
        for n in (1, 2)
    }
    first = {
        "use_case.1": "other",
        "legal_basis.1": "other",
        "eval_metrics.1": "false_alarms",
        "tasks.1": "other",
        "use_case.2": "counting",
        "legal_basis.2": "public_task",
        "eval_metrics.2": "accuracy",
    }
    assert _post(http, url, html, first).status_code == 303
    # The page comes back with the follow-ups of the first instance only.
    url, html = _current(http, resume)
    assert url.endswith("/tool_detail")
    follow_ups = {"use_case_other", "legal_basis_other", "false_alarm_pct", "tasks_other"}
    assert {f"{name}.1" for name in follow_ups} <= _instance_fields(html)
    assert not {f"{name}.2" for name in follow_ups} & _instance_fields(html)
    assert 'value="other" checked' in html  # the answers are kept
    answers = {
        **first,
        "use_case_other.1": "Lecture de plaques",
        "legal_basis_other.1": "Arrêté",
        "false_alarm_pct.1": "4,5",
        "tasks_other.1": "Tri",
    }
    assert _post(http, url, html, answers).status_code == 303
    url, html = _current(http, resume)
    assert url.endswith("/last")
    [row_1, row_2] = _stored(server).answers["tool_detail"]
    assert row_1["use_case_other"] == "Lecture de plaques"
    assert row_1["false_alarm_pct"] == "4.5"
    assert row_1["tasks_other"] == "Tri"
    assert not follow_ups & set(row_2)
