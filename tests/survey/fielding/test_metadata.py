"""A form with ODK metadata types and a table-list, answered page by page (both databases)."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.survey.exports import load_export
from sociaparis.survey.fielding import service
from sociaparis.survey.models import ResponseRecord
from tests.factories import field_form, submit_page

pytestmark = pytest.mark.storage

NOW = datetime(2026, 11, 25, 14, 37, 12, tzinfo=UTC)
SECRET = "s" * 40
METADATA = ("started", "ended", "day", "device", "user", "phone", "mail")
FORM = """
| survey |
| | type          | name    | label | appearance |
| | start         | started |       |            |
| | end           | ended   |       |            |
| | today         | day     |       |            |
| | deviceid      | device  |       |            |
| | username      | user    |       |            |
| | phonenumber   | phone   |       |            |
| | email         | mail    |       |            |
| | audit         | audit   |       |            |
| | integer       | hours   | Hours |            |
| | begin group   | grid    | Grid  | table-list |
| | select_one yn | q1      | Q1    |            |
| | select_one yn | q2      | Q2    |            |
| | end group     |         |       |            |
| choices |
| | list_name | name | label |
| | yn        | yes  | Yes   |
| | yn        | no   | No    |
| settings |
| | form_id |
| | meta    |
"""


@pytest.mark.parametrize("anonymous", [True, False])
def test_metadata_is_never_stored_whatever_is_posted(
    session: Session, anonymous: bool
) -> None:
    form_id = field_form(session, FORM, anonymous=anonymous, attributes=())
    [invitation] = service.create_invitations(
        session=session, form_id=form_id, attributes=[{}], today=NOW.date()
    )
    resume = service.start_from_invitation(
        session=session, token=invitation.token, secret=SECRET, now=NOW
    ).resume_token
    forged = {name: ["forged"] for name in METADATA}
    pages = [("hours", {"hours": ["2"]}), ("grid", {"q1": ["yes"], "q2": ["no"]})]
    for page, fields in pages:
        view = service.open_response(session=session, resume_token=resume)
        assert view.current_page == page
        outcome = submit_page(
            session,
            resume,
            page,
            {**fields, **forged},
            view.revision,
            now=NOW,
        )
        assert outcome.accepted, outcome.errors
    assert outcome.completed
    [record] = session.scalars(select(ResponseRecord)).all()
    assert record.answers == {"hours": "2", "q1": "yes", "q2": "no"}
    assert record.started_on == NOW.date()
    assert (record.started_at is None) is anonymous
    # The export fills start, end and today from what the row keeps: in an
    # anonymous survey the date only, so no copy of the data holds a time.
    main = load_export(session=session, form_id=form_id).main.frame
    [row] = main.to_dict("records")
    stamp = "2026-11-25" if anonymous else "2026-11-25T14:37:12.000+00:00"
    assert (row["started"], row["ended"], row["day"]) == (stamp, stamp, "2026-11-25")
    assert [row[name] for name in ("device", "user", "phone", "mail")] == [None] * 4
    if anonymous:
        assert not any("14:37" in str(value) for value in row.values())
        stored = [getattr(record, c.key) for c in ResponseRecord.__table__.columns]
        assert not any(
            isinstance(value, datetime) or "14:37" in str(value) for value in stored
        )
