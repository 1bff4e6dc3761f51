"""Time, dateTime, geopoint, rank and geotrace answered over HTTP and in Chromium, then
exported with their types."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.core.db import transaction
from sociaparis.survey.checks import DEFAULT_MESSAGES
from sociaparis.survey.exports import export_form
from sociaparis.survey.fielding.service import create_invitations
from sociaparis.survey.models import ResponseRecord
from tests.factories import field_form

FORM = """
| survey |
| | type        | name     | label::Français (fr) | label::English (en) | appearance | required |
| | begin group | visit    | La visite            | The visit           | field-list |          |
| | time        | arrival  | Heure d'arrivée      | Arrival time        |            | yes      |
| | dateTime    | meeting  | Rendez-vous          | Meeting             |            |          |
| | geopoint    | place    | Lieu                 | Place               |            |          |
| | rank tools  | ranking  | Classez les outils   | Rank the tools      |            |          |
| | end group   |          |                      |                     |            |          |
| | geotrace    | route    | Trajet               | Route               |            |          |
| choices |
| | list_name | name | label::Français (fr) | label::English (en) |
| | tools     | chat | Messagerie           | Chat                |
| | tools     | mail | Courriel             | E-mail              |
| | tools     | visio | Visioconférence     | Video call          |
| settings |
| | form_id | default_language |
| | visit   | Français (fr)    |
"""
GOOD = {
    "arrival": "14h30",
    "meeting": "2026-03-05T09:15",
    "place:lat": "48,8566",
    "place:lon": "2.3522",
    "place:alt": "35",
    "place:acc": "",
    "ranking:1": "mail",
    "ranking:2": "chat",
    "ranking:3": "visio",
}


@pytest.fixture
def invitation(live_server) -> str:
    with transaction(live_server.app.state.engine) as session:
        form_id = field_form(session, FORM, attributes=())
        [created] = create_invitations(session=session, form_id=form_id, attributes=[{}])
    return created.token


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _page(http: httpx.Client, url: str) -> tuple[str, str]:
    while (response := http.get(url)).status_code == 303:
        url = response.headers["location"]
    assert response.status_code == 200
    return url, response.text


def _post(http: httpx.Client, url: str, html: str, fields: dict) -> httpx.Response:
    data = {"_csrf": _hidden(html, "_csrf"), "_revision": _hidden(html, "_revision")}
    return http.post(url, data={**data, "_action": "next", **fields})


def test_the_new_types_are_answered_checked_stored_and_exported(
    http: httpx.Client, invitation: str, live_server, tmp_path: Path
) -> None:
    notice = http.get(f"/i/{invitation}")
    started = http.post(
        f"/i/{invitation}", data={"csrf_token": _hidden(notice.text, "csrf_token")}
    )
    url, html = _page(http, started.headers["location"])
    resume = url.rpartition("/")[0]
    for tag in (
        'type="time" id="q-arrival" name="arrival"',
        'type="datetime-local" id="q-meeting" name="meeting"',
        "<legend>Lieu</legend>",
        'for="q-place-lat">Latitude',
        'name="place:acc"',
        'for="q-ranking-3">Rang 3</label><select id="q-ranking-3" name="ranking:3"',
    ):
        assert tag in html
    # A latitude out of range and a choice ranked twice: refused, typed values kept.
    refused = _post(http, url, html, {**GOOD, "place:lat": "95", "ranking:2": "mail"})
    assert refused.status_code == 422
    assert DEFAULT_MESSAGES["geopoint"]["fr"].split(" (")[0] in refused.text
    assert DEFAULT_MESSAGES["rank"]["fr"] in refused.text
    assert 'name="place:lat" value="95"' in refused.text
    assert 'value="14:30"' in refused.text  # the time as the input shows it
    sent = _post(http, url, refused.text, GOOD)
    assert sent.status_code == 303
    url, html = _page(http, sent.headers["location"])
    assert "Un point par ligne" in html
    done = _post(http, url, html, {"route": "48.85 2.35\n48.86 2.36 10 5"})
    assert done.status_code == 303 and done.headers["location"] == resume
    assert "Merci" in http.get(resume).text
    with transaction(live_server.app.state.engine) as session:
        record = session.scalars(select(ResponseRecord)).one()
        answers = dict(record.answers)
        export_form(
            session=session, actor=LOCAL_ADMIN, form_id="visit", out=tmp_path, fmt="csv"
        )
    assert answers["arrival"].startswith("14:30:00.000")
    assert answers["meeting"].startswith("2026-03-05T09:15:00.000")
    assert answers["place"] == "48.8566 2.3522 35 0"
    assert answers["ranking"] == "mail chat visio"
    assert answers["route"] == "48.85 2.35 0 0;48.86 2.36 10 5"
    with (tmp_path / "visit.csv").open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["visit/arrival"] == "14:30:00"
    assert row["visit/place"] == "48.8566 2.3522 35 0"
    assert (row["visit/place-Latitude"], row["visit/place-Longitude"]) == (
        "48.8566",
        "2.3522",
    )
    assert (row["visit/place-Altitude"], row["visit/place-Accuracy"]) == ("35.0", "0.0")
    assert row["visit/ranking"] == "mail chat visio"
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    types = {f["name"]: f["type"] for f in package["resources"][0]["schema"]["fields"]}
    assert types["visit/arrival"] == "time"
    assert types["visit/meeting"] == "datetime"
    assert types["visit/place-Latitude"] == "number"
    assert types["route"] == "string"


@pytest.mark.parametrize("width", [375, 1280])
def test_the_new_inputs_are_filled_in_chromium_and_pass_axe(
    live_server, invitation, axe_page, axe_violations, width, tmp_path
) -> None:
    page = axe_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/i/{invitation}")
    page.get_by_role("button", name="J'ai lu ces informations").click()
    assert axe_violations(page) == [], f"new inputs at {width} px"
    page.get_by_label("Heure d'arrivée").fill("14:30")
    page.get_by_label("Rendez-vous").fill("2026-03-05T09:15")
    page.get_by_label("Latitude").fill("95")
    page.get_by_label("Longitude").fill("2.3522")
    for position, value in enumerate(("mail", "chat", "visio"), start=1):
        page.get_by_label(f"Rang {position}").select_option(value)
    page.get_by_role("button", name="Suivant").click()
    assert page.locator("#error-summary").count() == 1
    assert axe_violations(page) == [], f"errors on the new inputs at {width} px"
    page.get_by_label("Latitude").fill("48.8566")
    page.get_by_role("button", name="Suivant").click()
    page.get_by_label("Trajet").fill("48.85 2.35\n48.86 2.36")
    assert axe_violations(page) == [], f"geotrace at {width} px"
    page.screenshot(path=str(tmp_path / f"types-{width}.png"), full_page=True)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert page.locator("h1").inner_text() == "Merci !"
