"""Time, dateTime, geopoint, geotrace and rank answers saved page by page on both
databases, and exported with their types to every format."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.survey.exports import export_form, load_export
from sociaparis.survey.fielding import service
from sociaparis.survey.models import ResponseRecord
from tests.factories import field_form, submit_page

pytestmark = pytest.mark.storage

NOW = datetime(2026, 11, 25, 14, 37, 12, tzinfo=UTC)
SECRET = "t" * 40
FORM = """
| survey |
| | type        | name    | label   | appearance |
| | begin group | visit   | Visit   | field-list |
| | time        | arrival | Arrival |            |
| | dateTime    | meeting | Meeting |            |
| | geopoint    | place   | Place   |            |
| | rank tools  | ranking | Rank    |            |
| | end group   |         |         |            |
| | geoshape    | zone    | Zone    |            |
| choices |
| | list_name | name  | label |
| | tools     | chat  | Chat  |
| | tools     | mail  | Mail  |
| | tools     | visio | Video |
| settings |
| | form_id |
| | types   |
"""
PAGES = [
    (
        "visit",
        {
            "arrival": ["8h05"],
            "meeting": ["2026-03-05T09:15"],
            "place:lat": ["-33,8688"],
            "place:lon": ["151.2093"],
            "place:alt": [""],
            "place:acc": ["12.5"],
            "ranking:1": ["visio"],
            "ranking:2": ["chat"],
            "ranking:3": ["mail"],
        },
    ),
    ("zone", {"zone": ["0 0\n0 1\n1 1"]}),
]
STORED = {
    "arrival": "08:05:00.000+00:00",
    "meeting": "2026-03-05T09:15:00.000+00:00",
    "place": "-33.8688 151.2093 0 12.5",
    "ranking": "visio chat mail",
    "zone": "0 0 0 0;0 1 0 0;1 1 0 0;0 0 0 0",
}


def _answer(session: Session) -> None:
    form_id = field_form(session, FORM, attributes=())
    [invitation] = service.create_invitations(
        session=session, form_id=form_id, attributes=[{}], today=NOW.date()
    )
    resume = service.start_from_invitation(
        session=session, token=invitation.token, secret=SECRET, now=NOW
    ).resume_token
    for page, fields in PAGES:
        view = service.open_response(session=session, resume_token=resume)
        outcome = submit_page(session, resume, page, fields, view.revision, now=NOW)
        assert outcome.accepted, outcome.errors
    assert outcome.completed


def test_answers_are_stored_in_odk_text_and_exported_typed(session: Session) -> None:
    _answer(session)
    [record] = session.scalars(select(ResponseRecord)).all()
    assert record.answers == STORED
    table = load_export(session=session, form_id="types").main
    [row] = table.frame.to_dict("records")
    assert row["visit/arrival"] == time(8, 5)
    assert row["visit/meeting"] == pd.Timestamp("2026-03-05T09:15:00Z")
    assert row["visit/place"] == STORED["place"]
    parts = [
        row[f"visit/place-{p}"] for p in ("Latitude", "Longitude", "Altitude", "Accuracy")
    ]
    assert parts == [-33.8688, 151.2093, 0.0, 12.5]
    assert row["visit/ranking"] == "visio chat mail"
    assert row["zone"] == STORED["zone"]
    types = {v.name: v.type for v in table.variables}
    assert (types["visit/arrival"], types["visit/meeting"]) == ("time", "datetime")
    assert types["visit/place-Latitude"] == "decimal"


@pytest.mark.parametrize(
    ("suffix", "reader", "names"),
    [
        (
            ".sav",
            pyreadstat.read_sav,
            ("arrival", "meeting", "place.Latitude", "place.Accuracy"),
        ),
        (
            ".dta",
            pyreadstat.read_dta,
            ("arrival", "meeting", "place_Latitude", "place_Accuracy"),
        ),
    ],
)
def test_spss_and_stata_keep_times_and_coordinates(
    session: Session, tmp_path: Path, suffix: str, reader, names: tuple[str, ...]
) -> None:
    _answer(session)
    out = tmp_path / f"types{suffix}"
    export_form(session=session, actor=LOCAL_ADMIN, form_id="types", out=out)
    frame, meta = reader(str(out))
    arrival, meeting, latitude, accuracy = names
    assert frame[arrival][0] == time(8, 5)
    assert frame[meeting][0] == datetime(2026, 3, 5, 9, 15)
    assert (frame[latitude][0], frame[accuracy][0]) == (-33.8688, 12.5)
    assert meta.column_names_to_labels[latitude] == "Place (latitude)"


HIDDEN_ONLY = """
| survey |
| | type      | name  | label | calculation |
| | hidden    | code  |       |             |
| | calculate | two   |       | 1 + 1       |
| settings |
| | form_id |
| | nothing |
"""


@pytest.mark.parametrize("anonymous", [True, False])
def test_a_form_with_no_page_is_completed_when_started(
    session: Session, anonymous: bool
) -> None:
    form_id = field_form(session, HIDDEN_ONLY, anonymous=anonymous, attributes=())
    [invitation] = service.create_invitations(
        session=session, form_id=form_id, attributes=[{}], today=NOW.date()
    )
    started = service.start_from_invitation(
        session=session, token=invitation.token, secret=SECRET, now=NOW
    )
    assert started.page is None
    view = service.open_response(session=session, resume_token=started.resume_token)
    assert view.completed
    [record] = session.scalars(select(ResponseRecord)).all()
    assert (record.status, record.completed_on) == ("completed", NOW.date())
    [row] = load_export(session=session, form_id="nothing").main.frame.to_dict("records")
    assert row["two"] == 2
