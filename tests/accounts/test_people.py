"""People and access: admin-only account services, lockout, idle sessions, the
acting account of the command line, and the audit log (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.audit import AuditFilter, audit_csv, audit_page, record_audit
from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import AuditEntry
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import (
    LOCAL_ADMIN,
    LOCKOUT_DURATION,
    LOCKOUT_FAILURES,
    LOCKOUT_WINDOW,
    SESSION_IDLE,
    Account,
    add_account,
    authenticate,
    command_line_account,
    create_user,
    end_all_sessions,
    list_people,
    session_account,
    set_disabled,
    set_password,
    set_role,
    start_session,
    unlock_account,
)
from sociaparis.core.db import utcnow
from sociaparis.core.errors import SociaparisError

PASSWORD = "correct horse battery"
#: a target that a spreadsheet would run
FORMULA = '=HYPERLINK("http://x")'
DEC_2, DEC_3 = date(2026, 12, 2), date(2026, 12, 3)
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=utcnow().tzinfo)

#: every admin operation, called as ``actor`` on the account "claire"
OPERATIONS = {
    "add_account": lambda s, a: add_account(session=s, actor=a, username="new-one"),
    "set_role": lambda s, a: set_role(
        session=s, actor=a, username="claire", role=Role.VIEWER
    ),
    "disable": lambda s, a: set_disabled(
        session=s, actor=a, username="claire", disabled=True
    ),
    "set_password": lambda s, a: set_password(session=s, actor=a, username="claire"),
    "end_all_sessions": lambda s, a: end_all_sessions(
        session=s, actor=a, username="claire"
    ),
    "unlock": lambda s, a: unlock_account(session=s, actor=a, username="claire"),
    "list_people": lambda s, a: list_people(session=s, actor=a),
    "audit_page": lambda s, a: audit_page(session=s, actor=a),
    "audit_csv": lambda s, a: audit_csv(session=s, actor=a),
}


def _account(session: Session, name: str, role: Role) -> Account:
    return create_user(session=session, username=name, password=PASSWORD, role=role)


def _actions(session: Session) -> list[tuple[str, str, str]]:
    return [
        (e.actor, e.action, e.target)
        for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.RESEARCHER, False),
        (Role.CODER, False),
        (Role.VIEWER, False),
    ],
)
def test_only_an_admin_manages_accounts_and_reads_the_log(
    session: Session, operation: str, role: Role, allowed: bool
) -> None:
    _account(session, "boss", Role.ADMIN)  # so that claire is never the last admin
    _account(session, "claire", Role.RESEARCHER)
    actor = _account(session, "actor", role)
    if allowed:
        OPERATIONS[operation](session, actor)
        return
    with pytest.raises(SociaparisError) as caught:
        OPERATIONS[operation](session, actor)
    assert caught.value.error is AccountError.NOT_ADMIN
    assert caught.value.message == AccountError.NOT_ADMIN.format(
        user="actor", role=role.value, action=caught.value.context["action"]
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda s, a: set_role(
                session=s, actor=a, username="boss", role=Role.RESEARCHER
            ),
            AccountError.LAST_ADMIN,
        ),
        (
            lambda s, a: set_disabled(session=s, actor=a, username="boss", disabled=True),
            AccountError.LAST_ADMIN,
        ),
        (
            lambda s, a: set_role(session=s, actor=a, username="nobody", role=Role.ADMIN),
            AccountError.UNKNOWN_USER,
        ),
        (
            lambda s, a: set_password(
                session=s, actor=a, username="boss", password="short"
            ),
            AccountError.WEAK_PASSWORD,
        ),
    ],
)
def test_refused_changes_leave_the_account_and_the_log_alone(
    session: Session, change, error: AccountError
) -> None:
    boss = _account(session, "boss", Role.ADMIN)
    with pytest.raises(SociaparisError) as caught:
        change(session, boss)
    assert caught.value.error is error
    assert _actions(session) == []
    assert authenticate(session=session, username="boss", password=PASSWORD)


def test_the_last_admin_may_go_once_another_admin_exists(session: Session) -> None:
    boss = _account(session, "boss", Role.ADMIN)
    _account(session, "second", Role.ADMIN)
    set_role(session=session, actor=boss, username="boss", role=Role.RESEARCHER)
    with pytest.raises(SociaparisError) as caught:
        set_disabled(session=session, actor=LOCAL_ADMIN, username="second", disabled=True)
    assert caught.value.error is AccountError.LAST_ADMIN


@pytest.mark.parametrize("typed", [None, "a typed password 12"])
def test_a_password_is_generated_once_unless_typed(
    session: Session, typed: str | None
) -> None:
    issued = add_account(
        session=session, actor=LOCAL_ADMIN, username="claire", password=typed
    )
    if typed is None:
        assert len(issued.generated) == 24
        password = issued.generated
    else:
        assert issued.generated is None
        password = typed
    assert authenticate(session=session, username="claire", password=password)
    reset = set_password(session=session, actor=LOCAL_ADMIN, username="claire")
    assert reset.generated not in (None, password)
    assert not authenticate(session=session, username="claire", password=password)
    assert authenticate(session=session, username="claire", password=reset.generated)


def _fail(session: Session, times: int, now: datetime, name: str = "claire") -> None:
    for _ in range(times):
        assert (
            authenticate(session=session, username=name, password="wrong!", now=now)
            is None
        )


def _locked_until(session: Session, name: str = "claire") -> datetime | None:
    [person] = [
        p for p in list_people(session=session, actor=LOCAL_ADMIN, now=NOW)
        if p.account.username == name
    ]  # fmt: skip
    return person.locked_until


@pytest.mark.parametrize(
    ("failures", "then", "locked"),
    [
        (LOCKOUT_FAILURES - 1, timedelta(0), False),
        (LOCKOUT_FAILURES, timedelta(0), True),
        (LOCKOUT_FAILURES, LOCKOUT_DURATION - timedelta(seconds=1), True),
        (LOCKOUT_FAILURES, LOCKOUT_DURATION, False),
    ],
)
def test_repeated_failures_lock_the_account_even_for_the_right_password(
    session: Session, failures: int, then: timedelta, locked: bool
) -> None:
    _account(session, "claire", Role.RESEARCHER)
    _fail(session, failures, NOW)
    account = authenticate(
        session=session, username="claire", password=PASSWORD, now=NOW + then
    )
    assert (account is None) is locked


def test_failures_spread_beyond_the_window_do_not_lock(session: Session) -> None:
    _account(session, "claire", Role.RESEARCHER)
    _fail(session, LOCKOUT_FAILURES - 1, NOW)
    _fail(session, 1, NOW + LOCKOUT_WINDOW)  # a new window starts: count 1
    assert _locked_until(session) is None
    assert authenticate(
        session=session, username="claire", password=PASSWORD, now=NOW + LOCKOUT_WINDOW
    )


@pytest.mark.parametrize(
    "lift",
    [
        lambda s: unlock_account(session=s, actor=LOCAL_ADMIN, username="claire"),
        lambda s: set_password(
            session=s, actor=LOCAL_ADMIN, username="claire", password=PASSWORD
        ),
    ],
)
def test_an_admin_sees_and_lifts_a_lockout(session: Session, lift) -> None:
    _account(session, "claire", Role.RESEARCHER)
    _fail(session, LOCKOUT_FAILURES, NOW)
    assert _locked_until(session) == NOW + LOCKOUT_DURATION
    lift(session)
    assert _locked_until(session) is None
    assert authenticate(session=session, username="claire", password=PASSWORD, now=NOW)


def test_log_ins_are_written_to_the_audit_log(session: Session) -> None:
    _account(session, "claire", Role.RESEARCHER)
    authenticate(session=session, username="claire", password=PASSWORD, client="10.0.0.1")
    _fail(session, LOCKOUT_FAILURES, NOW)
    authenticate(session=session, username="ghost", password=PASSWORD)
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(e.actor, e.action, e.target) for e in entries] == [
        ("claire", "login.success", "claire"),
        *[("", "login.failure", "claire")] * LOCKOUT_FAILURES,
        ("", "login.locked", "claire"),
        ("", "login.failure", "ghost"),
    ]
    assert entries[0].details == {"client": "10.0.0.1"}
    assert entries[1].details == {"reason": "wrong password"}
    assert entries[-1].details == {"reason": "unknown user"}


def test_admin_changes_are_written_to_the_audit_log(session: Session) -> None:
    boss = _account(session, "boss", Role.ADMIN)
    add_account(session=session, actor=boss, username="claire", password=PASSWORD)
    set_role(session=session, actor=boss, username="claire", role=Role.CODER)
    set_disabled(session=session, actor=boss, username="claire", disabled=True)
    set_disabled(session=session, actor=boss, username="claire", disabled=False)
    set_password(session=session, actor=boss, username="claire")
    unlock_account(session=session, actor=boss, username="claire")
    end_all_sessions(session=session, actor=boss, username="claire")
    assert _actions(session) == [
        ("boss", action, "claire")
        for action in (
            "account.create",
            "account.role",
            "account.disable",
            "account.enable",
            "account.password",
            "account.unlock",
            "account.logout",
        )
    ]
    role = session.scalars(
        select(AuditEntry.details).where(AuditEntry.action == "account.role")
    ).one()
    assert role == {"before": "researcher", "role": "coder"}


def test_a_session_unused_for_the_idle_limit_ends(session: Session) -> None:
    user = _account(session, "claire", Role.RESEARCHER)
    token = start_session(session=session, user_id=user.id, now=NOW)
    # Used just before the limit: refreshed, so it holds another idle period.
    used = NOW + SESSION_IDLE - timedelta(minutes=1)
    assert session_account(session=session, token=token, now=used)
    assert session_account(session=session, token=token, now=used + SESSION_IDLE / 2)
    # Then left alone for the whole idle limit: ended.
    later = used + SESSION_IDLE / 2 + SESSION_IDLE
    assert session_account(session=session, token=token, now=later) is None


@pytest.mark.parametrize(
    ("mode", "admins", "username", "expected"),
    [
        ("single", 1, None, "(command line)"),
        ("server", 0, None, "(command line)"),
        ("server", 1, None, AccountError.ACTOR_REQUIRED),
        ("server", 1, "boss", "boss"),
        ("single", 1, "off", AccountError.ACTOR_DISABLED),
        ("single", 1, "nobody", AccountError.UNKNOWN_USER),
    ],
)
def test_the_account_a_command_acts_as(
    session: Session, mode: str, admins: int, username: str | None, expected
) -> None:
    if admins:
        _account(session, "boss", Role.ADMIN)
    _account(session, "off", Role.RESEARCHER)
    set_disabled(session=session, actor=LOCAL_ADMIN, username="off", disabled=True)
    if isinstance(expected, AccountError):
        with pytest.raises(SociaparisError) as caught:
            command_line_account(session=session, username=username, mode=mode)
        assert caught.value.error is expected
        return
    actor = command_line_account(session=session, username=username, mode=mode)
    assert actor.username == expected


def _log(session: Session) -> None:
    """Six entries over three days, by two people."""
    claire = Account(7, "claire", Role.RESEARCHER, "")
    rows = [
        (claire, "export.data", "staff", 1),
        (claire, "export.data", "cio", 2),
        (None, "login.failure", "claire", 2),
        (LOCAL_ADMIN, "account.role", "claire", 3),
        (LOCAL_ADMIN, "account.create", "bob", 3),
        (claire, "fielding.close", FORMULA, 3),
    ]
    for actor, action, target, day in rows:
        record_audit(
            session=session,
            actor=actor,
            action=action,
            target=target,
            details={"n": day},
            at=datetime(2026, 12, day, 12, tzinfo=NOW.tzinfo),
        )


@pytest.mark.parametrize(
    ("where", "targets"),
    [
        (AuditFilter(), [FORMULA, "bob", "claire", "claire", "cio", "staff"]),
        (AuditFilter(person="claire"), [FORMULA, "claire", "claire", "cio", "staff"]),
        (AuditFilter(person="bob"), ["bob"]),
        (AuditFilter(action="export.data"), ["cio", "staff"]),
        (AuditFilter(since=DEC_2, until=DEC_2), ["claire", "cio"]),
        (AuditFilter(since=DEC_3), [FORMULA, "bob", "claire"]),
        (AuditFilter(until=date(2026, 12, 1)), ["staff"]),
    ],
)  # fmt: skip
def test_the_log_is_filtered_by_person_action_and_day(
    session: Session, where: AuditFilter, targets: list[str]
) -> None:
    _log(session)
    page = audit_page(session=session, actor=LOCAL_ADMIN, where=where)
    # Same-day entries come newest first: the later insert first.
    assert sorted(row.target for row in page.rows) == sorted(targets)
    assert page.total == len(targets)
    assert [r.at for r in page.rows] == sorted((r.at for r in page.rows), reverse=True)


@pytest.mark.parametrize(
    ("page", "per_page", "shown", "pages"),
    [(1, 4, 4, 2), (2, 4, 2, 2), (9, 4, 2, 2), (1, 50, 6, 1)],
)
def test_the_log_is_paginated(
    session: Session, page: int, per_page: int, shown: int, pages: int
) -> None:
    _log(session)
    log = audit_page(session=session, actor=LOCAL_ADMIN, page=page, per_page=per_page)
    assert (len(log.rows), log.pages, log.total) == (shown, pages, 6)
    assert log.actions == (
        "account.create",
        "account.role",
        "export.data",
        "fielding.close",
        "login.failure",
    )


def test_a_period_ending_before_it_starts_is_refused(session: Session) -> None:
    with pytest.raises(SociaparisError) as caught:
        audit_page(
            session=session,
            actor=LOCAL_ADMIN,
            where=AuditFilter(since=date(2026, 12, 3), until=date(2026, 12, 1)),
        )
    assert caught.value.error is AccountError.BAD_AUDIT_PERIOD


def test_the_csv_neutralizes_formulas_and_is_itself_logged(session: Session) -> None:
    _log(session)
    data = audit_csv(session=session, actor=LOCAL_ADMIN, where=AuditFilter("claire"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["at", "actor", "action", "target", "details"]
    assert rows[1] == [
        "2026-12-03T12:00:00+00:00",
        "claire",
        "fielding.close",
        "'" + FORMULA,
        "n=3",
    ]
    assert len(rows) == 1 + 5  # claire acted or was the target in five
    assert _actions(session)[-1] == ("(command line)", "export.audit", "")
