"""Fielding on SQLite and PostgreSQL: invitations, anonymity, saving page by page."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding import service
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.models import InvitationRecord, ResponseRecord
from tests.factories import (
    FIELDING_FORM_PAGES,
    LICENCES_FORM,
    field_form,
    submit_page,
)

NOW = datetime(2026, 11, 25, 14, 37, 12, tzinfo=UTC)
SECRET = "s" * 40


def _invite(session: Session, form_id: str, rows: list[dict]) -> list[str]:
    created = service.create_invitations(
        session=session, form_id=form_id, attributes=rows, today=NOW.date()
    )
    return [invitation.token for invitation in created]


def _resume(session: Session, form_id: str) -> str:
    """Invite one person and start their response; return the resume token."""
    [token] = _invite(session, form_id, [{}])
    started = service.start_from_invitation(session=session, token=token, secret=SECRET)
    return started.resume_token


def _started(session: Session) -> tuple[str, service.ResponseView]:
    """A response just started on the test form: its resume token, and as read."""
    resume = _resume(session, field_form(session))
    return resume, service.open_response(session=session, resume_token=resume)


def _submit(
    session: Session, resume: str, page: str, fields: dict, revision: int, **options
) -> service.PageOutcome:
    return submit_page(
        session=session,
        resume_token=resume,
        page_name=page,
        fields=fields,
        revision=revision,
        **options,
    )


def _answer_all(session: Session, resume: str) -> service.PageOutcome:
    outcome = None
    for page, fields, instances in FIELDING_FORM_PAGES:
        view = service.open_response(session=session, resume_token=resume)
        outcome = submit_page(
            session=session,
            resume_token=resume,
            page_name=page,
            fields=fields,
            revision=view.revision,
            instances=instances,
            now=NOW,
        )
        assert outcome.accepted, (page, outcome.errors)
    return outcome


def test_tokens_are_stored_only_as_hashes(session: Session) -> None:
    form_id = field_form(session)
    [token] = _invite(session, form_id, [{"directorate": "DFA"}])
    stored = session.scalar(select(InvitationRecord.token_hash))
    assert stored == service.hash_token(token)
    assert token not in stored


def test_an_invitation_column_the_study_does_not_allow_is_refused(
    session: Session,
) -> None:
    form_id = field_form(session)
    with pytest.raises(SociaparisError) as caught:
        _invite(session, form_id, [{"directorate": "DFA", "email": "a@b.fr"}])
    assert caught.value.error is FieldingError.ATTRIBUTE_NOT_ALLOWED
    assert "email" in caught.value.message


def test_an_invitation_is_single_use(session: Session) -> None:
    form_id = field_form(session)
    [token] = _invite(session, form_id, [{}])
    service.start_from_invitation(session=session, token=token, secret=SECRET, now=NOW)
    with pytest.raises(SociaparisError) as caught:
        service.start_from_invitation(
            session=session, token=token, secret=SECRET, now=NOW
        )
    assert caught.value.error is FieldingError.INVITATION_USED
    assert session.scalar(select(text("count(*)")).select_from(ResponseRecord)) == 1


def test_a_named_invitation_finds_its_response_again(session: Session) -> None:
    form_id = field_form(session, anonymous=False)
    [token] = _invite(session, form_id, [{"directorate": "DFA"}])
    first = service.start_from_invitation(session=session, token=token, secret=SECRET)
    again = service.start_from_invitation(session=session, token=token, secret=SECRET)
    assert (again.resumed, again.response_id, again.resume_token) == (
        True,
        first.response_id,
        first.resume_token,
    )
    # Only a new response knows its page without reading it.
    assert (first.page, again.page) == (
        service.open_response(session=session, resume_token=first.resume_token)
        .instrument.pages()[0]
        .name,
        None,
    )


@pytest.mark.parametrize(
    ("opens_on", "closes_on", "error"),
    [
        (date(2026, 12, 1), None, FieldingError.NOT_OPEN_YET),
        (None, date(2026, 11, 24), FieldingError.CLOSED),
    ],
)
def test_fielding_dates(
    session: Session, opens_on: date | None, closes_on: date | None, error: FieldingError
) -> None:
    form_id = field_form(session, opens_on=opens_on, closes_on=closes_on)
    [token] = _invite(session, form_id, [{}])
    with pytest.raises(SociaparisError) as caught:
        service.start_from_invitation(
            session=session, token=token, secret=SECRET, now=NOW
        )
    assert caught.value.error is error


def test_unknown_tokens(session: Session) -> None:
    field_form(session)
    for call, error in [
        (
            lambda: service.start_from_invitation(
                session=session, token="nope", secret=SECRET
            ),
            FieldingError.UNKNOWN_INVITATION,
        ),
        (
            lambda: service.open_response(session=session, resume_token="nope"),
            FieldingError.UNKNOWN_RESPONSE,
        ),
    ]:
        with pytest.raises(SociaparisError) as caught:
            call()
        assert caught.value.error is error


def test_anonymous_response_rows_cannot_be_joined_to_invitations(
    session: Session,
) -> None:
    """Read every column of every table: nothing ties the response to its invitation."""
    form_id = field_form(session, anonymous=True)
    tokens = _invite(
        session,
        form_id,
        [{"directorate": "DFA", "job_category": "A"}, {"directorate": "DU"}],
    )
    started = service.start_from_invitation(
        session=session, token=tokens[0], secret=SECRET, now=NOW
    )
    _answer_all(session, started.resume_token)
    session.flush()

    response = session.get(ResponseRecord, started.response_id)
    assert response.invitation_id is None
    assert response.started_at is None and response.updated_at is None
    assert response.started_on == NOW.date() and response.completed_on == NOW.date()
    assert response.attributes == {"directorate": "DFA", "job_category": "A"}

    bind = session.get_bind()
    # The only way from a response to an invitation is the invitation_id key...
    links = [
        fk
        for table in inspect(bind).get_table_names()
        for fk in inspect(bind).get_foreign_keys(table)
        if {table, fk["referred_table"]} == {"responses", "invitations"}
    ]
    assert [fk["constrained_columns"] for fk in links] == [["invitation_id"]]
    # ...and it is empty for every anonymous response,
    rows = session.execute(text("select invitation_id from responses")).all()
    assert rows == [(None,)]
    # while the invitation table has no column that could point at a response.
    invitation_columns = {c["name"] for c in inspect(bind).get_columns("invitations")}
    assert invitation_columns == {
        "id",
        "form_id",
        "token_hash",
        "attributes",
        "used",
        "created_on",
    }
    # No value of the used invitation (its id, its token or anything derived from
    # the token) is stored in the response row.
    invitation = session.scalar(
        select(InvitationRecord).where(
            InvitationRecord.token_hash == service.hash_token(tokens[0])
        )
    )
    row = (
        session.execute(
            text("select * from responses where id = :id"), {"id": started.response_id}
        )
        .mappings()
        .one()
    )
    secrets_of_invitation = {
        invitation.token_hash,
        service.hash_token(service._derived_resume_token(SECRET, tokens[0])),
        tokens[0],
    }
    assert not secrets_of_invitation & {str(value) for value in row.values()}
    # Which of the two invitations was used cannot be read from the invitations
    # (neither is written to), nor from their dates.
    assert not session.scalar(select(InvitationRecord.id).where(InvitationRecord.used))
    assert {i.created_on for i in session.scalars(select(InvitationRecord))} == {
        NOW.date()
    }


def test_a_named_response_keeps_its_invitation_and_times(session: Session) -> None:
    form_id = field_form(session, anonymous=False)
    [token] = _invite(session, form_id, [{"directorate": "DFA"}])
    started = service.start_from_invitation(
        session=session, token=token, secret=SECRET, now=NOW
    )
    response = session.get(ResponseRecord, started.response_id)
    invitation = session.scalar(select(InvitationRecord))
    assert response.invitation_id == invitation.id
    assert response.started_at is not None


def test_a_whole_response_is_saved_with_exactly_its_answers(session: Session) -> None:
    form_id = field_form(session)
    started = (
        service.start_open_response(session=session, form_id=form_id) if False else None
    )
    [token] = _invite(session, form_id, [{"directorate": "DFA"}])
    started = service.start_from_invitation(
        session=session, token=token, secret=SECRET, now=NOW
    )
    outcome = _answer_all(session, started.resume_token)
    assert outcome.completed
    response = session.get(ResponseRecord, started.response_id)
    session.refresh(response)
    assert response.status == "completed"
    assert response.answers == {
        "service": "DSIN",
        "hours": "2",
        "tools": "copilot",
        "quality": "3",
        "speed": "4",
        "tool": [{"tool_name": "Copilot", "tool_freq": "daily"}],
        "comment": "Rien",
    }


def test_a_refused_page_saves_nothing_and_returns_the_answers(session: Session) -> None:
    form_id = field_form(session)
    resume = _resume(session, form_id)
    _submit(session, resume, "service", {"service": ["DSIN"]}, 0)
    outcome = _submit(session, resume, "hours", {"hours": ["75"]}, 1)
    assert not outcome.accepted
    assert [(e.question, e.kind, e.message) for e in outcome.errors] == [
        ("hours", "constraint", "Entre 0 et 60 heures.")
    ]
    assert outcome.answers["hours"] == "75"
    view = service.open_response(session=session, resume_token=resume)
    assert view.answers == {"service": "DSIN"} and view.revision == 1


def test_double_submit_and_replayed_pages_change_nothing(session: Session) -> None:
    form_id = field_form(session)
    resume = _resume(session, form_id)
    first = _submit(session, resume, "service", {"service": ["DSIN"]}, 0)
    replay = _submit(session, resume, "service", {"service": ["other"]}, 0)
    assert first.accepted and not replay.accepted and replay.conflict
    assert replay.next_page == "hours"
    view = service.open_response(session=session, resume_token=resume)
    assert (view.answers, view.revision) == ({"service": "DSIN"}, 1)


def test_a_planned_page_is_not_saved_once_the_response_has_moved_on(
    session: Session,
) -> None:
    # Two tabs read the same revision; both plans are valid, only the first
    # saves, and only its page's duration is kept.
    resume, read = _started(session)
    now = datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC)
    plans = [
        service.plan_submission(
            read,
            page_name="service",
            fields={"service": [value]},
            revision=0,
            now=now,
            shown_at=now.replace(second=30 - seconds),
        )
        for value, seconds in (("DSIN", 12), ("DFA", 25))
    ]
    assert all(plan.accepted and plan.next_page == "hours" for plan in plans)
    saved = [service.save_submission(session=session, outcome=p) for p in plans]
    assert saved == [True, False]
    view = service.open_response(session=session, resume_token=resume)
    assert (view.answers, view.revision) == ({"service": "DSIN"}, 1)
    durations = session.execute(
        text("SELECT page, seconds FROM page_durations WHERE form_id = :form"),
        {"form": read.form_id},
    ).all()
    assert durations == [("service", 12)]


def test_a_bare_connection_reads_and_saves_like_a_session(session: Session) -> None:
    form_id = field_form(session)
    resume = _resume(session, form_id)
    service._INSTRUMENTS.clear()  # the instrument too is read through the connection
    connection = session.connection()
    view = service.open_response(session=connection, resume_token=resume)
    assert (view.current_page, view.revision, view.form_id) == ("service", 0, form_id)
    plan = service.plan_submission(
        view, page_name="service", fields={"service": ["DSIN"]}, revision=0
    )
    assert service.save_submission(session=connection, outcome=plan)
    stored = service.open_response(session=session, resume_token=resume)
    assert (stored.answers, stored.revision) == ({"service": "DSIN"}, 1)


def test_only_an_accepted_plan_can_be_saved(session: Session) -> None:
    _, read = _started(session)
    stale = service.plan_submission(
        read, page_name="service", fields={"service": ["DSIN"]}, revision=7
    )
    assert stale.conflict and not stale.accepted
    with pytest.raises(ValueError, match="accepted outcome"):
        service.save_submission(session=session, outcome=stale)


def test_back_keeps_valid_answers_and_drops_invalid_ones(session: Session) -> None:
    form_id = field_form(session)
    resume = _resume(session, form_id)
    _submit(session, resume, "service", {"service": ["DSIN"]}, 0)
    outcome = _submit(session, resume, "hours", {"hours": ["99"]}, 1, action="back")
    assert (outcome.accepted, outcome.next_page) == (True, "service")
    view = service.open_response(session=session, resume_token=resume)
    assert view.answers == {"service": "DSIN"}
    assert view.current_page == "service"


def test_repeat_instances_are_added_and_removed(session: Session) -> None:
    form_id = field_form(session)
    resume = _resume(session, form_id)
    for page, fields in [
        ("service", {"service": ["x"]}),
        ("hours", {"hours": ["1"]}),
        ("tools", {}),
        ("effects", {}),
    ]:
        view = service.open_response(session=session, resume_token=resume)
        assert submit_page(
            session=session,
            resume_token=resume,
            page_name=page,
            fields=fields,
            revision=view.revision,
        ).accepted
    fields = {"tool_name.1": ["A"]}
    for action, instances, expected in [
        ("add", 1, [{"tool_name": "A"}, {}]),
        ("remove:1", 2, [{}]),
    ]:
        view = service.open_response(session=session, resume_token=resume)
        outcome = submit_page(
            session=session,
            resume_token=resume,
            page_name="tool",
            fields=fields,
            revision=view.revision,
            action=action,
            instances=instances,
        )
        assert (outcome.accepted, outcome.next_page) == (True, "tool")
        assert (
            service.open_response(session=session, resume_token=resume).answers["tool"]
            == expected
        )
        fields = {}


def test_open_link_needs_an_open_fielding(session: Session) -> None:
    closed = field_form(session, open_link=False)
    with pytest.raises(SociaparisError) as caught:
        service.start_open_response(session=session, form_id=closed)
    assert caught.value.error is FieldingError.NO_OPEN_LINK


FOLLOW_UP_FORM = """
| survey |  |  |  |  |  |
|  | type | name | label | appearance | relevant |
|  | begin group | page | Page | field-list |  |
|  | select_one yn | uses | Do you use AI? |  |  |
|  | text | which | Which one? |  | ${uses} = 'yes' |
|  | end group |  |  |  |  |
|  | text | last | Last |  |  |
| choices |  |  |  |
|  | list_name | name | label |
|  | yn | yes | Yes |
|  | yn | no | No |
| settings |  |  |
|  | form_title | form_id |
|  | Follow-up | follow_up |
"""


def test_a_follow_up_revealed_on_the_same_page_is_shown_before_moving_on(
    session: Session,
) -> None:
    form_id = field_form(session, FOLLOW_UP_FORM)
    resume = _resume(session, form_id)
    shown_again = _submit(session, resume, "page", {"uses": ["yes"]}, 0)
    assert (shown_again.accepted, shown_again.next_page) == (True, "page")
    moved_on = _submit(
        session, resume, "page", {"uses": ["yes"], "which": ["Copilot"]}, 1
    )
    assert moved_on.next_page == "last"
    no_follow_up = _submit(session, resume, "last", {"last": ["x"]}, 2, action="back")
    assert no_follow_up.next_page == "page"
    answered_no = _submit(
        session, resume, "page", {"uses": ["no"], "which": ["Copilot"]}, 3
    )
    assert answered_no.next_page == "last"
    answers = service.open_response(session=session, resume_token=resume).answers
    assert answers == {"uses": "no", "last": "x"}


@pytest.mark.parametrize(
    ("invitations", "completed", "open_link", "synthetic", "rate"),
    [
        (10, 4, False, 0, 0.4),
        (0, 4, False, 0, None),
        (10, 4, True, 0, None),
        (1, 300, False, 300, None),
    ],
)
def test_response_rate_is_given_only_when_it_means_something(
    invitations: int, completed: int, open_link: bool, synthetic: int, rate
) -> None:
    from sociaparis.survey.fielding.progress import FieldingProgress

    progress = FieldingProgress(
        form_id="f",
        title="t",
        anonymous=True,
        open_link=open_link,
        invitations=invitations,
        used_invitations=0,
        started=completed,
        completed=completed,
        synthetic=synthetic,
        breakdown=None,
        tables={},
        min_cell_count=10,
    )
    assert progress.response_rate == rate


def test_a_page_going_on_carries_the_evaluation_of_what_it_saves(
    session: Session,
) -> None:
    _, read = _started(session)
    plan = service.plan_submission(
        read, page_name="service", fields={"service": ["DSIN"]}, revision=0, lang="en"
    )
    assert plan.evaluation is not None
    assert (plan.evaluation.answers, plan.evaluation.lang) == (plan.answers, "en")
    refused = service.plan_submission(read, page_name="service", fields={}, revision=0)
    assert refused.errors and refused.evaluation is None


def test_a_page_shown_from_an_evaluation_is_judged_the_same_from_it(
    session: Session,
) -> None:
    _, read = _started(session)
    shown_from = evaluate_form(read.instrument, read.answers, lang="en", now=NOW)
    of_other_answers = evaluate_form(
        read.instrument, {"service": "DFA"}, lang="en", now=NOW
    )
    plans = [
        service.plan_submission(
            read,
            page_name="service",
            fields={"service": ["DSIN"]},
            revision=0,
            lang="en",
            now=NOW,
            previous=previous,
        )
        for previous in (None, shown_from, of_other_answers)
    ]
    assert len({(p.next_page, tuple(p.answers.items())) for p in plans}) == 1
    whole = plans[0].evaluation
    for plan in plans[1:]:
        assert plan.evaluation is not None and whole is not None
        assert (plan.evaluation.values, plan.evaluation.relevant) == (
            whole.values,
            whole.relevant,
        )
        assert [p.name for p in plan.evaluation.pages()] == [
            p.name for p in whole.pages()
        ]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1 200", "1200"), ("1\u202f200", "1200"), ("1\u00a0200", "1200"), ("12", "12")],
)
def test_a_number_that_reveals_a_follow_up_is_kept(
    session: Session, typed: str, stored: str
) -> None:
    form_id = field_form(session, LICENCES_FORM)
    resume = _resume(session, form_id)
    shown_again = _submit(session, resume, "page", {"licences": [typed]}, 0, now=NOW)
    # The follow-up appears; its own requirement waits until it has been seen.
    assert (shown_again.accepted, shown_again.next_page, shown_again.errors) == (
        True,
        "page",
        (),
    )
    answers = service.open_response(session=session, resume_token=resume).answers
    assert answers == {"licences": stored}


@pytest.mark.parametrize("typed", ["douze", "1,200", "3,5"])
def test_a_bad_answer_that_reveals_a_follow_up_comes_back_with_its_message(
    session: Session, typed: str
) -> None:
    form_id = field_form(session, LICENCES_FORM)
    resume = _resume(session, form_id)
    outcome = _submit(
        session, resume, "page", {"licences": [typed]}, 0, lang="fr", now=NOW
    )
    assert (outcome.accepted, outcome.next_page) == (False, "page")
    assert [(e.question, e.kind, e.message) for e in outcome.errors] == [
        ("licences", "type", "Saisissez un nombre entier.")
    ]
    assert outcome.answers["licences"] == typed  # as typed, to correct it
    assert service.open_response(session=session, resume_token=resume).answers == {}
    # Corrected, and the follow-up answered: the page goes on.
    fixed = _submit(
        session, resume, "page", {"licences": ["1 200"], "which": ["Albert"]}, 0
    )
    assert (fixed.accepted, fixed.next_page) == (True, "last")
    answers = service.open_response(session=session, resume_token=resume).answers
    assert answers == {"licences": "1200", "which": "Albert"}
