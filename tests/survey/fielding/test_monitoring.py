"""Fielding monitoring: the published funnel, medians and days, derived by hand."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding import service
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.monitoring import (
    PageRow,
    day_table,
    fielding_monitoring,
    monitoring_csv,
    page_funnel,
    page_medians,
    publish_cumulative,
)
from sociaparis.survey.models import PageDurationRecord
from tests.factories import FIELDING_FORM_PAGES, field_form, submit_page

NOW = datetime(2026, 11, 25, 14, 37, 12, tzinfo=UTC)
T, F = True, False


@pytest.mark.parametrize(
    ("values", "base", "end_known", "shown"),
    [
        # forward: a value is shown when 0 or >= 10 from the last one shown
        ([0, 3, 12, 12, 15], 0, F, (T, F, T, T, F)),
        # the end is public: 15 - 12 = 3 would give away 3, so 12s are hidden
        ([0, 3, 12, 12, 15], 0, T, (T, F, F, F, T)),
        ([10, 20, 29, 40], 0, F, (T, T, F, T)),
        ([10, 20, 29, 40], 0, T, (T, T, F, T)),
        # base known (the completed responses of a funnel read backwards)
        ([51, 51, 54, 66], 40, T, (T, T, F, T)),
        ([42, 45], 40, T, (F, T)),  # 5 dropped out in all: nothing in between
        ([], 0, T, ()),
        ([5], 0, F, (F,)),
        ([5], 0, T, (T,)),  # a public total stays public
    ],
)
def test_publish_cumulative(values, base, end_known, shown) -> None:
    assert (
        publish_cumulative(values, min_count=10, base=base, end_known=end_known) == shown
    )


def test_publish_cumulative_refuses_a_falling_series() -> None:
    with pytest.raises(ValueError, match="never decreases"):
        publish_cumulative([3, 2], min_count=10)


@pytest.mark.storage
@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        ([], {}),
        ([7], {"p": (1, 7.0)}),
        ([30, 10], {"p": (2, 20.0)}),
        ([90, 20, 10, 20], {"p": (4, 20.0)}),
        ([30] * 5 + [20] * 5, {"p": (10, 25.0)}),
        ([30] * 5 + [20] * 6, {"p": (11, 20.0)}),
    ],
)
def test_page_medians(session: Session, seconds, expected) -> None:
    for value in seconds:
        session.add(
            PageDurationRecord(
                id=secrets.token_hex(16), form_id="f", page="p", seconds=value
            )
        )
    session.add(
        PageDurationRecord(id=secrets.token_hex(16), form_id="g", page="p", seconds=1)
    )
    session.flush()
    assert page_medians(session=session, form_id="f") == expected


def test_page_funnel_by_hand() -> None:
    """Stopped 12, 3, 0, 11 on four pages, 40 completed (min 10).

    Reached, from the last page back: 51, 51, 54, 66. From 40 (public): 51 is
    11 more (shown), 51 the same (shown), 54 only 3 more (hidden), 66 is 15
    more than 51 (shown; it is the responses started anyway). So the 3 who
    stopped on page 2 and the 12 on page 1 are published only as 15 together.
    """
    rows = page_funnel(
        [("p1", "One"), ("p2", "Two"), ("p3", "Three"), ("p4", "Four")],
        stopped={"p1": 12, "p2": 3, "p3": 0, "p4": 11},
        completed=40,
        medians={"p1": (10, 25.0), "p2": (9, 40.0)},
        min_count=10,
    )
    assert rows == (
        PageRow("p1", "One", 1, 66, None, 25.0),
        PageRow("p2", "Two", 2, None, None, None),
        PageRow("p3", "Three", 3, 51, 0, None),
        PageRow("p4", "Four", 4, 51, 11, None),
    )


def test_page_funnel_with_few_drop_outs_shows_only_the_public_ends() -> None:
    rows = page_funnel(
        [("a", "A"), ("b", "B"), ("c", "C")],
        stopped={"a": 2, "c": 3},
        completed=30,
        medians={},
        min_count=10,
    )
    assert [(r.reached, r.stopped) for r in rows] == [
        (35, None),
        (None, None),
        (None, None),
    ]


D1 = date(2026, 11, 23)


def _days(n: int) -> list[date]:
    return [D1 + timedelta(days=k) for k in range(n)]


@pytest.mark.parametrize(
    ("daily", "totals_shown", "expected"),
    [
        # A: 10, 12, 12, 21 to date; B: 0, 4, 4, 4 and its total hidden elsewhere.
        (
            {"A": {D1: 10, _days(2)[1]: 2, _days(4)[3]: 9}, "B": {_days(2)[1]: 4}},
            {"A": True, "B": False},
            [(10, None, None), (None, None, None), (None, None, None), (21, None, None)],
        ),
        # Both public totals: the day's total is shown where both values are.
        (
            {"A": {D1: 10, _days(3)[2]: 10}, "B": {D1: 0, _days(3)[2]: 15}},
            {"A": True, "B": True},
            [(10, 0, 10), (10, 0, 10), (20, 15, 35)],
        ),
        # A total published elsewhere but only 12 in 3 days: only the end is shown.
        (
            {"A": {D1: 5, _days(3)[2]: 7}},
            {"A": True},
            [(None, None), (None, None), (12, 12)],
        ),
    ],
    ids=["hidden-total", "both-public", "only-the-end"],
)
def test_day_table_by_hand(daily, totals_shown, expected) -> None:
    days, rows = day_table(
        daily=daily, strata=list(daily), totals_shown=totals_shown, min_count=10
    )
    assert days == tuple(_days(len(expected)))
    assert [tuple(row) for row in rows] == expected


# -- stored: page durations and the service, on both databases --------------------


def _respondent(session: Session, token: str, pages: int, seconds: int) -> str:
    started = service.start_from_invitation(
        session=session, token=token, secret="k" * 40, now=NOW
    )
    for page, fields, instances in FIELDING_FORM_PAGES[:pages]:
        view = service.open_response(session=session, resume_token=started.resume_token)
        outcome = submit_page(
            session,
            started.resume_token,
            page,
            fields,
            view.revision,
            instances=instances,
            now=NOW,
            shown_at=NOW - timedelta(seconds=seconds),
        )
        assert outcome.accepted, outcome.errors
    return started.resume_token


@pytest.mark.storage
def test_page_durations_are_stored_bare_and_summarised(session: Session) -> None:
    """35 invited in DFA x A: 12 answer every page in 30 s a page; 3 stop on
    "effects" after three pages of 50 s; 10 stop on "tools" after two pages of
    8,000 s (stored as 3,600); 10 stop on "hours" after one page of 40 s."""
    form_id = field_form(session)
    tokens = [
        i.token
        for i in service.create_invitations(
            session=session,
            form_id=form_id,
            attributes=[{"directorate": "DFA", "job_category": "A"}] * 35,
            today=NOW.date(),
        )
    ]
    for token in tokens[:12]:
        _respondent(session, token, len(FIELDING_FORM_PAGES), 30)
    for token in tokens[12:15]:
        _respondent(session, token, 3, 50)
    for token in tokens[15:25]:
        _respondent(session, token, 2, 8000)
    for token in tokens[25:]:
        _respondent(session, token, 1, 40)
    stored = session.execute(
        text("select seconds from page_durations where form_id = :f"), {"f": form_id}
    ).scalars()
    assert sorted(stored) == sorted(
        [30] * 12 * len(FIELDING_FORM_PAGES) + [50] * 9 + [3600] * 20 + [40] * 10
    )
    monitoring = fielding_monitoring(session=session, form_id=form_id, lang="en")
    # Reached, from the last page back: 12, 12, 15, 15, 25, 35, 35; from 12
    # (completed), 15 is only 3 more: hidden; 25 is 13 more, 35 ten more.
    assert [(r.page, r.reached, r.stopped) for r in monitoring.pages] == [
        ("service", 35, 0),
        ("hours", 35, 10),
        ("tools", 25, None),
        ("tools_other", None, None),
        ("effects", None, None),
        ("tool", 12, 0),
        ("comment", 12, 0),
    ]
    # service: 12 x 30, 10 x 40, 3 x 50, 10 x 3600: the 18th of 35 is 40 s;
    # hours: the 13th of 12 x 30, 3 x 50, 10 x 3600 is 50 s.
    assert [r.median_seconds for r in monitoring.pages] == [
        40,
        50,
        30,
        None,  # never shown: no duration
        30,
        30,
        30,
    ]
    assert monitoring.pages[0].label == "Your department"
    # by day: 12 completed in DFA, whose total is published.
    assert monitoring.days.days == (NOW.date(),)
    assert monitoring.days.completed == ((12, 12),)
    assert monitoring.days.rate(0, 0) == pytest.approx(12 / 35)


def test_a_page_sent_back_or_shown_again_records_no_duration(session: Session) -> None:
    form_id = field_form(session)
    [created] = service.create_invitations(
        session=session, form_id=form_id, attributes=[{}], today=NOW.date()
    )
    started = service.start_from_invitation(
        session=session, token=created.token, secret="k" * 40, now=NOW
    )
    shown_at = NOW - timedelta(seconds=12)
    outcomes = [
        submit_page(session, started.resume_token, "service", {}, 0, shown_at=shown_at),
        submit_page(
            session,
            started.resume_token,
            "service",
            {"service": ["DSIN"]},
            0,
            shown_at=shown_at,
            now=NOW,
        ),
        submit_page(
            session,
            started.resume_token,
            "hours",
            {"hours": ["2"]},
            1,
            action="back",
            shown_at=shown_at,
            now=NOW,
        ),
        submit_page(session, started.resume_token, "service", {"service": ["DSIN"]}, 2),
    ]
    assert [(o.timed_page, o.seconds) for o in outcomes] == [
        (None, None),  # refused
        ("service", 12),
        (None, None),  # back
        (None, None),  # no time it was shown
    ]
    assert session.execute(
        text("select page, seconds from page_durations where form_id = :f"),
        {"f": form_id},
    ).all() == [("service", 12)]


@pytest.mark.parametrize(
    ("role", "error"),
    [
        (Role.VIEWER, FieldingError.DOWNLOAD_NOT_ALLOWED),
        (Role.CODER, FieldingError.DOWNLOAD_NOT_ALLOWED),
    ],
)
def test_only_exporting_roles_download_tables(session: Session, role, error) -> None:
    form_id = field_form(session)
    with pytest.raises(SociaparisError) as caught:
        monitoring_csv(
            session=session,
            form_id=form_id,
            table="by_page",
            actor=Account(0, "tester", role, ""),
        )
    assert caught.value.error is error


def test_an_unknown_table_is_refused(session: Session) -> None:
    form_id = field_form(session)
    with pytest.raises(SociaparisError) as caught:
        monitoring_csv(
            session=session,
            form_id=form_id,
            table="x",
            actor=Account(0, "tester", Role.ADMIN, ""),
        )
    assert caught.value.error is FieldingError.NO_SUCH_TABLE


def test_csv_cells_cannot_run_as_formulas_nor_show_hidden_counts(
    session: Session,
) -> None:
    form_id = field_form(session)
    invitations = service.create_invitations(
        session=session,
        form_id=form_id,
        attributes=[{"directorate": "=HYPERLINK(1)", "job_category": "A"}] * 3
        + [{"directorate": "DFA", "job_category": "A"}] * 20,
        today=NOW.date(),
    )
    # 3 complete in "=HYPERLINK(1)", 13 in DFA: the 3 are hidden, and the 13
    # with them (a lone hidden margin would be the grand total minus the other).
    for created in invitations[:16]:
        _respondent(session, created.token, len(FIELDING_FORM_PAGES), 20)
    _, data = monitoring_csv(
        session=session,
        form_id=form_id,
        table="invitations",
        actor=Account(0, "tester", Role.RESEARCHER, ""),
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["directorate", "label"]
    formula = next(row for row in rows if row[0].endswith("HYPERLINK(1)"))
    assert formula[:2] == ["'=HYPERLINK(1)", "'=HYPERLINK(1)"]
    assert formula[2:] == ["", ""]  # 3 invitations: hidden, and so is its total
    _, by_day = monitoring_csv(
        session=session,
        form_id=form_id,
        table="by_day",
        actor=Account(0, "tester", Role.RESEARCHER, ""),
    )
    day_rows = list(csv.reader(io.StringIO(by_day.decode("utf-8-sig"))))
    # The 3 of "=HYPERLINK(1)" never appear; their stratum's cells are empty.
    hyper = [row for row in day_rows if row[1].endswith("HYPERLINK(1)")]
    assert hyper and all(row[3] == "" for row in hyper)
    assert not [row for row in day_rows[1:] if "3" in (row[3], row[4])]


def test_a_form_without_recorded_attributes_has_one_stratum(session: Session) -> None:
    """An open link records nothing: the by-day table is the total alone, and
    the tables by attribute do not exist (``FIELD_019``, naming those that do)."""
    form_id = field_form(session, open_link=True, attributes=())
    for _ in range(10):
        started = service.start_open_response(session=session, form_id=form_id, now=NOW)
        for revision, (page, fields, instances) in enumerate(FIELDING_FORM_PAGES):
            assert submit_page(
                session,
                started.resume_token,
                page,
                fields,
                revision,
                instances=instances,
                now=NOW,
            ).accepted
    monitoring = fielding_monitoring(session=session, form_id=form_id)
    assert monitoring.days.strata == () and monitoring.days.attribute is None
    assert monitoring.days.completed == ((10,),)
    assert monitoring.days.rate(0, 0) is None  # an open link has no response rate
    _, data = monitoring_csv(
        session=session,
        form_id=form_id,
        table="by_day",
        actor=Account(0, "tester", Role.RESEARCHER, ""),
    )
    assert data.decode("utf-8-sig").splitlines()[1] == f"{NOW.date()},Total,Total,10,,"
    with pytest.raises(SociaparisError) as caught:
        monitoring_csv(
            session=session,
            form_id=form_id,
            table="started",
            actor=Account(0, "tester", Role.RESEARCHER, ""),
        )
    assert caught.value.error is FieldingError.NO_SUCH_TABLE
    assert caught.value.context["tables"] == "by_page, by_day"
