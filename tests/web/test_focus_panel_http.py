"""The speaker panel of a focus group over real HTTP, on SQLite and PostgreSQL:
the list (turns and words counted by hand in tests/qual/test_participants.py),
rename, merge, moderator and link forms, CSRF, roles, refusals shown again."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sociaparis.accounts.roles import Role
from sociaparis.core.db import transaction
from sociaparis.qual import corpus
from sociaparis.qual.corpus import acting_account
from tests.qual.focus_group_data import TEXT
from tests.web.test_qual_coding_http import _hidden, _log_in

SPEAKERS = [
    ("Animatrice", 2, 11),
    ("SPEAKER_01", 2, 9),
    ("SPEAKER_02", 1, 5),
    ("SPEAKER_03", 2, 7),
    ("SPEAKER_04", 1, 4),
    ("SPEAKER_05", 1, 3),
    ("SPEAKER_06", 1, 3),
    ("SPEAKER_07", 1, 6),
]
ROW = re.compile(
    r'<tr>\s*<th scope="row">([^<]*)</th>\s*<td class="number">(\d+)</td>\s*'
    r'<td class="number">(\d+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>'
)


@pytest.fixture
def group(live_server_any: Any) -> Iterator[dict[str, Any]]:
    server = live_server_any
    people = {"boss": _log_in(server, "boss", Role.RESEARCHER)}
    with transaction(server.app.state.engine) as session:
        actor = acting_account(session=session, username="boss")
        doc = corpus.import_document(
            session=session, actor=actor, data=TEXT.encode(), filename="focus.txt",
            detect_speakers=True, case="Focus group 1", needs_pseudonymization=False,
        ).id  # fmt: skip
        corpus.ensure_case(session=session, actor=actor, name="P1", kind="participant")
    people["ana"] = _log_in(server, "ana", Role.CODER)
    people["vic"] = _log_in(server, "vic", Role.VIEWER)
    url = f"/qual/documents/{doc}/speakers"
    tokens = {
        name: _hidden(http.get(url).text, "csrf_token")
        for name, http in people.items()
        if name == "boss"
    }
    # a coder or viewer page has no form: take the token from the coding view's
    for name in ("ana", "vic"):
        page = people[name].get(f"/qual/documents/{doc}").text
        tokens[name] = re.search(r'"csrf":"([^"]+)"', page).group(1)
    yield {"doc": doc, "url": url, "people": people, "tokens": tokens}
    for http in people.values():
        http.close()


def _rows(group: dict, who: str = "boss") -> list[tuple[str, int, int, str, str]]:
    page = group["people"][who].get(group["url"])
    assert page.status_code == 200
    return [(s, int(t), int(w), r, c) for s, t, w, r, c in ROW.findall(page.text)]


def _post(group: dict, who: str, action: str, **form: str) -> httpx.Response:
    data = {"csrf_token": group["tokens"][who], **form}
    return group["people"][who].post(f"{group['url']}/{action}?lang=fr", data=data)


def test_the_panel_lists_speakers_and_is_linked_from_the_coding_view(
    group: dict,
) -> None:
    assert _rows(group) == [(s, t, w, "Participant", "–") for s, t, w in SPEAKERS]
    coding = group["people"]["boss"].get(f"/qual/documents/{group['doc']}")
    assert f'href="{group["url"]}?lang=fr" id="speakers-link">Intervenants</a>' in (
        coding.text
    )
    english = group["people"]["boss"].get(group["url"] + "?lang=en").text
    assert "<h1>Speakers – focus.txt</h1>" in english
    for who in ("ana", "vic"):
        assert [r[:3] for r in _rows(group, who)] == SPEAKERS
        page = group["people"][who].get(group["url"]).text
        assert "/speakers/merge" not in page
        assert "réservé aux chercheurs" in page


@pytest.mark.parametrize(
    ("action", "form", "expected"),
    [
        ("rename", {"speaker": "SPEAKER_05", "name": "Participant E"},
         [("Participant E", 1, 3, "Participant", "–")]),
        ("merge", {"speaker": "SPEAKER_07", "into": "SPEAKER_06"},
         [("SPEAKER_06", 2, 9, "Participant", "–")]),
        ("moderator", {"speaker": "Animatrice", "moderator": "1"},
         [("Animatrice", 2, 11, "Animateur", "–")]),
        ("link", {"speaker": "SPEAKER_01", "case": "P1", "new_case": ""},
         [("SPEAKER_01", 2, 9, "Participant", "P1")]),
        ("link", {"speaker": "SPEAKER_02", "case": "P1", "new_case": " P2 "},
         [("SPEAKER_02", 1, 5, "Participant", "P2")]),
    ],
)  # fmt: skip
def test_a_change_redirects_to_the_panel_which_shows_it(
    group: dict, action: str, form: dict, expected: list
) -> None:
    reply = _post(group, "boss", action, **form)
    assert reply.status_code == 303
    assert reply.headers["location"] == group["url"] + "?lang=fr"
    rows = _rows(group)
    for row in expected:
        assert row in rows
    gone = {"rename": "SPEAKER_05", "merge": "SPEAKER_07"}.get(action)
    assert gone is None or gone not in [r[0] for r in rows]
    assert len(rows) == (7 if action == "merge" else 8)


def test_unmark_and_unlink(group: dict) -> None:
    _post(group, "boss", "moderator", speaker="Animatrice", moderator="1")
    _post(group, "boss", "link", speaker="Animatrice", case="P1")
    assert _rows(group)[0] == ("Animatrice", 2, 11, "Animateur", "P1")
    _post(group, "boss", "moderator", speaker="Animatrice", moderator="0")
    reply = _post(group, "boss", "link", speaker="Animatrice", case="", new_case="")
    assert reply.status_code == 303
    assert _rows(group)[0] == ("Animatrice", 2, 11, "Participant", "–")


@pytest.mark.parametrize(
    ("action", "form", "message"),
    [
        ("rename", {"speaker": "SPEAKER_01", "name": "SPEAKER_02"},
         "a déjà un intervenant « SPEAKER_02 »"),
        ("rename", {"speaker": "SPEAKER_01", "name": "   "},
         "ne peut pas être un nom d'intervenant"),
        ("rename", {"speaker": "Nobody", "name": "X"},
         "n'a pas d'intervenant « Nobody »"),
        ("merge", {"speaker": "SPEAKER_01", "into": "SPEAKER_01"},
         "ne peut pas être fusionné avec lui-même"),
        ("link", {"speaker": "SPEAKER_01", "new_case": "x" * 201},
         "ne peut pas être un nom d'intervenant"),
    ],
)  # fmt: skip
def test_a_refused_change_shows_the_panel_again_with_its_message(
    group: dict, action: str, form: dict, message: str
) -> None:
    reply = _post(group, "boss", action, **form)
    assert reply.status_code == 422
    assert 'role="alert" id="speaker-error"' in reply.text
    assert message in html.unescape(reply.text)
    assert 'id="speaker-table"' in reply.text
    # nothing was written, not even the participant row a link starts with
    assert _rows(group) == [(s, t, w, "Participant", "–") for s, t, w in SPEAKERS]


@pytest.mark.parametrize("who", ["ana", "vic"])
@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("rename", {"speaker": "SPEAKER_05", "name": "E"}),
        ("merge", {"speaker": "SPEAKER_07", "into": "SPEAKER_06"}),
        ("moderator", {"speaker": "Animatrice", "moderator": "1"}),
        ("link", {"speaker": "SPEAKER_01", "new_case": "P9"}),
    ],
)
def test_coder_and_viewer_are_refused(
    group: dict, who: str, action: str, form: dict
) -> None:
    assert _post(group, who, action, **form).status_code == 403
    assert _rows(group) == [(s, t, w, "Participant", "–") for s, t, w in SPEAKERS]


@pytest.mark.parametrize("token", ["", "forged"])
def test_a_form_without_this_sessions_token_is_refused(group: dict, token: str) -> None:
    http = group["people"]["boss"]
    reply = http.post(
        group["url"] + "/rename",
        data={"csrf_token": token, "speaker": "SPEAKER_05", "name": "E"},
    )
    assert reply.status_code == 403
    assert [r[0] for r in _rows(group)][5] == "SPEAKER_05"


def test_unknown_document_is_not_found(group: dict) -> None:
    http = group["people"]["boss"]
    assert http.get("/qual/documents/999/speakers").status_code == 404
    token = group["tokens"]["boss"]
    reply = http.post(
        "/qual/documents/999/speakers/rename",
        data={"csrf_token": token, "speaker": "A", "name": "B"},
    )
    assert reply.status_code == 404
