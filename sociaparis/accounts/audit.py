"""The audit log: who did what, when (log-ins, account changes, exports, fielding).

Every package records through :func:`record_audit` in the caller's
transaction, so that an entry is kept exactly when the change it tells about
is. Only an admin reads the log (:func:`audit_page`, :func:`audit_csv`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import AuditEntry
from sociaparis.accounts.service import Account, require_admin
from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula

#: Entries per page of the audit log.
PER_PAGE = 50
_TARGET_LENGTH = 200


def record_audit(
    *,
    session: Session,
    actor: Account | None,
    action: str,
    target: str = "",
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add one entry to the audit log (never commits).

    Parameters
    ----------
    session
        The caller's session: the entry is kept only if its transaction is.
    actor
        The account that acted; None for someone not logged in (a failed
        log-in: the name typed is the ``target``).
    action
        What was done, as ``area.verb`` (``login.failure``, ``export.data``).
    target
        What it was done to: a user name, a form id.
    details
        Small JSON-able facts (format, new role, client address).
    at
        When (default: now).
    """
    entry = AuditEntry(
        actor_id=actor.id if actor is not None and actor.id > 0 else None,
        actor=actor.username if actor is not None else "",
        action=action,
        target=target[:_TARGET_LENGTH],
        details=dict(details or {}),
    )
    if at is not None:
        entry.at = at
    session.add(entry)


def recent_details(
    *, session: Session, actor: Account, action: str, target: str, limit: int
) -> list[dict[str, Any]]:
    """The details of ``actor``'s last ``limit`` entries ``action`` on ``target``,
    oldest first (e.g. the tables a viewer was shown, for the explorer's audit)."""
    if actor.id <= 0:
        return []
    details = session.scalars(
        select(AuditEntry.details)
        .where(
            AuditEntry.actor_id == actor.id,
            AuditEntry.action == action,
            AuditEntry.target == target[:_TARGET_LENGTH],
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return [dict(d or {}) for d in reversed(details)]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to show; every part optional.

    Attributes
    ----------
    person
        A user name: entries where it acted or was the target.
    action
        One action (``login.failure``).
    since, until
        First and last day (UTC), both included.
    """

    person: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One entry of the log, as shown."""

    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]

    def details_text(self) -> str:
        """The details as ``key=value`` pairs, by key."""
        return ", ".join(f"{k}={v}" for k, v in sorted(self.details.items()))


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of the log, newest first.

    Attributes
    ----------
    rows
        The entries of the page.
    total
        Entries matching the filter, all pages.
    page, pages
        This page's number (from 1) and how many there are (at least 1).
    actions
        Every action in the log, for the filter's choices.
    """

    rows: tuple[AuditRow, ...]
    total: int
    page: int
    pages: int
    actions: tuple[str, ...]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _filtered(query: Select[Any], where: AuditFilter) -> Select[Any]:
    if where.since and where.until and where.until < where.since:
        raise SociaparisError(
            AccountError.BAD_AUDIT_PERIOD,
            since=where.since.isoformat(),
            until=where.until.isoformat(),
        )
    if where.person:
        query = query.where(
            or_(AuditEntry.actor == where.person, AuditEntry.target == where.person)
        )
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.since:
        query = query.where(AuditEntry.at >= datetime.combine(where.since, time(), UTC))
    if where.until:
        end = datetime.combine(where.until + timedelta(days=1), time(), UTC)
        query = query.where(AuditEntry.at < end)
    return query


def _row(entry: AuditEntry) -> AuditRow:
    return AuditRow(
        _utc(entry.at), entry.actor, entry.action, entry.target, dict(entry.details)
    )


def audit_page(
    *,
    session: Session,
    actor: Account,
    where: AuditFilter | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """One page of the audit log, newest first (admins only).

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` for an account that is not an admin, ``ACCOUNT_014``
        for a period that ends before it starts.
    """
    require_admin(actor, "read the audit log")
    where = where or AuditFilter()
    total = session.scalar(_filtered(select(func.count(AuditEntry.id)), where)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    entries = session.scalars(
        _filtered(select(AuditEntry), where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    actions = session.scalars(
        select(AuditEntry.action).distinct().order_by(AuditEntry.action)
    )
    return AuditPage(tuple(_row(e) for e in entries), total, page, pages, tuple(actions))


AUDIT_COLUMNS = ("at", "actor", "action", "target", "details")


def audit_csv(
    *, session: Session, actor: Account, where: AuditFilter | None = None
) -> bytes:
    """The entries matching ``where`` as UTF-8 CSV, newest first (admins only).

    Every text cell that a spreadsheet could run as a formula is neutralized
    (:func:`~sociaparis.core.spreadsheets.neutralize_formula`): user names
    typed at the log-in form end up in the log. The download is itself
    recorded (``export.audit``).

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` for an account that is not an admin, ``ACCOUNT_014``
        for a period that ends before it starts.
    """
    require_admin(actor, "download the audit log")
    where = where or AuditFilter()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_COLUMNS)
    entries = session.scalars(
        _filtered(select(AuditEntry), where).order_by(
            AuditEntry.at.desc(), AuditEntry.id.desc()
        )
    )
    for entry in entries:
        row = _row(entry)
        writer.writerow(
            [
                row.at.isoformat(timespec="seconds"),
                *(
                    neutralize_formula(text)
                    for text in (row.actor, row.action, row.target, row.details_text())
                ),
            ]
        )
    record_audit(
        session=session,
        actor=actor,
        action="export.audit",
        details={
            k: str(v)
            for k, v in (
                ("person", where.person),
                ("action", where.action),
                ("since", where.since or ""),
                ("until", where.until or ""),
            )
            if v
        },
    )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
