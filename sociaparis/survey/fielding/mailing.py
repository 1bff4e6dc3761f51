"""Sending invitations and reminders by e-mail, journaled so that none goes twice.

The database never holds an address or a name: people are known here by the
links file (read in memory, never stored) and recorded by a keyed hash of their
invitation's token (:func:`recipient_key`).

Each message is journaled (``mail_log``, status ``sending``) and committed
**before** it is handed to the SMTP server, and marked ``sent`` after the server
accepted it. A crash between the two leaves the row ``sending``: that message
may or may not have gone, and it is never sent again unasked (at most once).
:func:`mailing_log` reports such rows as uncertain; ``resend_uncertain`` sends
them again, with the same ``Message-ID`` so that mail systems that keep one can
drop a duplicate.

:func:`send_mailing` owns its transactions (it commits around each message,
which is what makes it crash-safe); every other function takes the session and
never commits.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sociaparis.accounts.audit import record_audit
from sociaparis.accounts.service import Account
from sociaparis.core.db import transaction, utcnow, write_lock
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.mail import (
    KINDS,
    LostInFlight,
    MailTemplate,
    NotHandedOver,
    Recipient,
    Refused,
    SmtpSettings,
    SmtpTransport,
    check_placeholders,
    compose,
    load_template,
)
from sociaparis.survey.fielding.operations import require_fielder
from sociaparis.survey.fielding.service import (
    COMPLETED,
    fielded_version,
    get_fielding,
    hash_token,
    invitation_use_tag,
)
from sociaparis.survey.models import (
    InvitationRecord,
    InvitationUseRecord,
    MailLogRecord,
    MailOptOutRecord,
    ResponseRecord,
)

SENDING = "sending"
SENT = "sent"
FAILED = "failed"


def _mail_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"sociaparis:mail", "sha256").digest()


def recipient_key(secret: str, token: str) -> str:
    """How the mail log and the opt-outs name an invitation: an HMAC-SHA-256 of
    its token under a key derived from the server's secret key (another key than
    the anonymous use tags'), which neither the invitation row nor the links
    file alone lets anyone compute."""
    return hmac.new(_mail_key(secret), token.encode(), "sha256").hexdigest()


def message_id(secret: str, form_id: str, mailing: str, token: str, sender: str) -> str:
    """The ``Message-ID`` of one mailing's message to one invitation: the same on
    every try, so that a message sent again after a crash can be recognised."""
    digest = hmac.new(
        _mail_key(secret), f"{form_id}\0{mailing}\0{token}".encode(), hashlib.sha256
    ).hexdigest()[:40]
    domain = sender.rpartition("@")[2].strip("> ") or "sociaparis.invalid"
    return f"<{digest}@{domain}>"


def mailing_name(kind: str, round_number: int = 1) -> str:
    """``invitation``, or ``reminder-N`` for the N-th reminder."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "invitation":
        return "invitation"
    if not 1 <= round_number <= 99:
        raise ValueError(f"a reminder round is 1 to 99, got {round_number}")
    return f"reminder-{round_number}"


# -- who gets a message ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MailingPlan:
    """Whom one mailing sends to, and why the others are left out.

    Attributes
    ----------
    to_send
        The recipients to send to now, in the order of their keys (not the
        order of the file).
    already_sent
        Lines already accepted by the server in this mailing.
    uncertain
        Lines left ``sending`` by an interrupted run (resent only when asked).
    completed
        Lines whose invitation is completed (skipped by reminders).
    opted_out
        Lines whose person asked for no more messages.
    """

    form_id: str
    mailing: str
    to_send: tuple[Recipient, ...]
    already_sent: tuple[int, ...] = ()
    uncertain: tuple[int, ...] = ()
    completed: tuple[int, ...] = ()
    opted_out: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Counts, for the page and ``--json``."""
        return {
            "form_id": self.form_id,
            "mailing": self.mailing,
            "to_send": len(self.to_send),
            "already_sent": len(self.already_sent),
            "uncertain": len(self.uncertain),
            "completed": len(self.completed),
            "opted_out": len(self.opted_out),
        }


def _completed_tokens(
    session: Session, form_id: str, anonymous: bool, secret: str, tokens: list[str]
) -> set[str]:
    """The tokens whose invitation is completed, as far as storage can tell.

    Named form: the invitation's response is completed. Anonymous form: the
    invitation was used (its use tag, recomputed from the token, is recorded);
    nothing tells whether that response was finished, by design.
    """
    by_hash = {hash_token(t): t for t in tokens}
    done: set[str] = set()
    for chunk in _chunks(list(by_hash), 500):
        rows = session.execute(
            select(
                InvitationRecord.token_hash, InvitationRecord.used, InvitationRecord.id
            ).where(InvitationRecord.token_hash.in_(chunk))
        ).all()
        if anonymous:
            done.update(by_hash[row.token_hash] for row in rows if row.used)
            continue
        used = {row.id: row.token_hash for row in rows if row.used}
        if used:
            finished = session.scalars(
                select(ResponseRecord.invitation_id).where(
                    ResponseRecord.invitation_id.in_(list(used)),
                    ResponseRecord.status == COMPLETED,
                )
            )
            done.update(by_hash[used[i]] for i in finished)
    if anonymous:
        tags = {invitation_use_tag(secret, t): t for t in tokens}
        for chunk in _chunks(list(tags), 500):
            found = session.scalars(
                select(InvitationUseRecord.tag).where(
                    InvitationUseRecord.form_id == form_id,
                    InvitationUseRecord.tag.in_(chunk),
                )
            )
            done.update(tags[tag] for tag in found)
    return done


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_mailing(
    *,
    session: Session,
    form_id: str,
    mailing: str,
    recipients: Sequence[Recipient],
    secret: str,
    resend_uncertain: bool = False,
) -> MailingPlan:
    """Decide whom ``mailing`` sends to: every recipient of the links file
    whose invitation is one of ``form_id``'s (``FIELD_014`` naming the line
    otherwise), less those already sent this mailing (and those uncertain,
    unless ``resend_uncertain``), those who opted out, and for a reminder those
    whose invitation is completed. A message refused by the server is tried again.
    """
    fielding = get_fielding(session=session, form_id=form_id)
    hashes = {hash_token(r.token): r for r in recipients}
    known: set[str] = set()
    for chunk in _chunks(list(hashes), 500):
        known.update(
            session.scalars(
                select(InvitationRecord.token_hash).where(
                    InvitationRecord.token_hash.in_(chunk),
                    InvitationRecord.form_id == form_id,
                )
            )
        )
    for token_hash, recipient in hashes.items():
        if token_hash not in known:
            raise SociaparisError(
                FieldingError.BAD_LINKS_FILE,
                path=Reason(en="links file", fr="fichier des liens"),
                reason=Reason(
                    en=f"line {recipient.line}: the link is not an invitation to "
                    f"'{form_id}'",
                    fr=f"ligne {recipient.line} : le lien n'est pas une invitation à "
                    f"« {form_id} »",
                ),
            )
    keys = {recipient_key(secret, r.token): r for r in recipients}
    logged: dict[str, str] = {}
    opted: set[str] = set()
    for chunk in _chunks(list(keys), 500):
        rows = session.execute(
            select(MailLogRecord.recipient_key, MailLogRecord.status).where(
                MailLogRecord.form_id == form_id,
                MailLogRecord.mailing == mailing,
                MailLogRecord.recipient_key.in_(chunk),
            )
        )
        logged.update((key, status) for key, status in rows)
        opted.update(
            session.scalars(
                select(MailOptOutRecord.recipient_key).where(
                    MailOptOutRecord.recipient_key.in_(chunk)
                )
            )
        )
    completed = (
        _completed_tokens(
            session, form_id, fielding.anonymous, secret, [r.token for r in recipients]
        )
        if mailing != "invitation"
        else set()
    )
    plan: dict[str, list[Any]] = {
        "send": [],
        "sent": [],
        "uncertain": [],
        "completed": [],
        "opted": [],
    }
    for key in sorted(keys):
        recipient = keys[key]
        status = logged.get(key)
        if status == SENT:
            plan["sent"].append(recipient.line)
        elif key in opted:
            plan["opted"].append(recipient.line)
        elif recipient.token in completed:
            plan["completed"].append(recipient.line)
        elif status == SENDING and not resend_uncertain:
            plan["uncertain"].append(recipient.line)
        else:
            plan["send"].append(recipient)
    return MailingPlan(
        form_id=form_id,
        mailing=mailing,
        to_send=tuple(plan["send"]),
        already_sent=tuple(plan["sent"]),
        uncertain=tuple(plan["uncertain"]),
        completed=tuple(plan["completed"]),
        opted_out=tuple(plan["opted"]),
    )


# -- sending --------------------------------------------------------------------------


@dataclass(slots=True)
class MailingReport:
    """What a run of :func:`send_mailing` did (updated as it goes)."""

    plan: MailingPlan
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    stopped: str = ""
    failures: list[tuple[int, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        """Messages dealt with so far in this run."""
        return self.sent + self.failed

    def to_dict(self) -> dict[str, Any]:
        """The plan's counts and this run's."""
        return {
            **self.plan.to_dict(),
            "sent": self.sent,
            "failed": self.failed,
            "lost_in_flight": self.uncertain,
            "stopped": self.stopped,
        }


@contextmanager
def _committed(engine: Engine) -> Iterator[Session]:
    """One short transaction, committed at the end (queued on SQLite's write lock)."""
    with write_lock(engine), transaction(engine) as session:
        yield session


def optout_link(recipient: Recipient) -> str:
    """The opt-out page of a recipient, at the same address as their link."""
    base = recipient.link.rpartition("/i/")[0]
    return f"{base}/optout/{recipient.token}"


def _journal(
    session: Session,
    *,
    form_id: str,
    mailing: str,
    key: str,
    msg_id: str,
    now: datetime,
) -> str:
    row = session.scalar(
        select(MailLogRecord).where(
            MailLogRecord.form_id == form_id,
            MailLogRecord.mailing == mailing,
            MailLogRecord.recipient_key == key,
        )
    )
    if row is None:
        row = MailLogRecord(
            id=uuid.uuid4().hex,
            form_id=form_id,
            mailing=mailing,
            recipient_key=key,
        )
        session.add(row)
    row.status = SENDING
    row.message_id = msg_id
    row.attempted_at = now
    row.sent_at = None
    row.error = ""
    session.flush()
    return row.id


def _mark(session: Session, row_id: str, status: str, error: str = "") -> None:
    row = session.get(MailLogRecord, row_id)
    row.status = status
    row.error = error[:500]
    if status == SENT:
        row.sent_at = utcnow()


def _forget(session: Session, row_id: str) -> None:
    row = session.get(MailLogRecord, row_id)
    session.delete(row)


def send_mailing(
    *,
    engine: Engine,
    actor: Account,
    form_id: str,
    kind: str,
    recipients: Sequence[Recipient],
    smtp: SmtpSettings,
    secret: str,
    round_number: int = 1,
    template_folder: Path | None = None,
    resend_uncertain: bool = False,
    transport: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    report: Callable[[MailingReport], None] | None = None,
) -> MailingReport:
    """Send one mailing (the invitation, or reminder ``round_number``) of ``form_id``.

    Parameters
    ----------
    engine
        The study's database: each message is journaled and committed before it
        is handed over, and marked after (see the module's docstring).
    actor
        Who sends (``FIELD_013`` unless researcher or admin).
    recipients
        The links file's people (:func:`~.mail.read_links_file`).
    smtp, transport
        The server's settings, and what hands messages over (default: an
        :class:`~sociaparis.survey.fielding.mail.SmtpTransport`).
    template_folder
        A researcher's templates replacing the built-in ones.
    sleep, report
        Waits between messages (the rate limit); called after each message with
        the report so far.

    Returns
    -------
    MailingReport
        What was sent, refused, left out; ``stopped`` says why a run ended
        early (the SMTP server could not be reached).
    """
    require_fielder(actor, "send invitation e-mails")
    mailing = mailing_name(kind, round_number)
    templates: dict[str, MailTemplate] = {}
    columns = sorted({c for r in recipients for c in r.columns})
    for lang in sorted({r.lang for r in recipients}):
        templates[lang] = load_template(kind, lang, folder=template_folder)
        check_placeholders(templates[lang], columns)
    with transaction(engine) as session:
        plan = plan_mailing(
            session=session,
            form_id=form_id,
            mailing=mailing,
            recipients=recipients,
            secret=secret,
            resend_uncertain=resend_uncertain,
        )
        title = fielded_version(session=session, form_id=form_id).instrument.title
    outcome = MailingReport(plan)
    transport = transport or SmtpTransport(smtp)
    for index, recipient in enumerate(plan.to_send):
        if index:
            sleep(smtp.interval)
        key = recipient_key(secret, recipient.token)
        msg_id = message_id(secret, form_id, mailing, recipient.token, smtp.sender)
        message = compose(
            templates[recipient.lang],
            recipient=recipient,
            sender=smtp.sender,
            title=title,
            optout_link=optout_link(recipient),
            message_id=msg_id,
        )
        with _committed(engine) as session:
            row_id = _journal(
                session,
                form_id=form_id,
                mailing=mailing,
                key=key,
                msg_id=msg_id,
                now=utcnow(),
            )
        # Committed: from here a crash leaves the message uncertain, never resent.
        try:
            transport.send(message)
        except NotHandedOver as error:
            # Certainly not sent: the journal entry goes, and so does the run.
            with _committed(engine) as session:
                _forget(session, row_id)
            outcome.stopped = str(error)
            break
        except LostInFlight as error:
            # Perhaps accepted: left ``sending`` (uncertain), and the run stops.
            outcome.stopped = str(error)
            outcome.uncertain += 1
            break
        except Refused as error:
            with _committed(engine) as session:
                _mark(session, row_id, FAILED, str(error))
            outcome.failed += 1
            outcome.failures.append((recipient.line, str(error)))
        else:
            with _committed(engine) as session:
                _mark(session, row_id, SENT)
            outcome.sent += 1
        if report is not None:
            report(outcome)
    with _committed(engine) as session:
        record_audit(
            session=session,
            actor=actor,
            action="mailing.send",
            target=form_id,
            details={"mailing": mailing, "sent": outcome.sent, "failed": outcome.failed},
        )
    return outcome


# -- opt-out and log ------------------------------------------------------------------


def record_optout(
    *, session: Session, token: str, secret: str, now: datetime | None = None
) -> str:
    """Record that the person of invitation ``token`` wants no more e-mails
    (``FIELD_004`` for an unknown token); returns the form id. Recording twice
    changes nothing."""
    form_id = session.scalar(
        select(InvitationRecord.form_id).where(
            InvitationRecord.token_hash == hash_token(token)
        )
    )
    if form_id is None:
        raise SociaparisError(FieldingError.UNKNOWN_INVITATION)
    key = recipient_key(secret, token)
    if session.get(MailOptOutRecord, key) is None:
        session.add(
            MailOptOutRecord(
                recipient_key=key,
                form_id=form_id,
                created_on=(now or utcnow()).date(),
            )
        )
        session.flush()
    return form_id


@dataclass(frozen=True, slots=True)
class MailingLog:
    """The send log of a form: per mailing, messages by status, and opt-outs.

    ``uncertain`` counts rows left ``sending`` (in flight now, or interrupted),
    with their ``Message-ID`` so that they can be looked up in the server's
    logs.
    """

    form_id: str
    mailings: dict[str, dict[str, int]]
    uncertain: tuple[tuple[str, str, datetime], ...]
    opted_out: int
    last_sent: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """The log as plain data (the ``.json`` twin and ``--json``)."""
        return {
            "form_id": self.form_id,
            "mailings": self.mailings,
            "uncertain": [
                {"mailing": m, "message_id": i, "attempted_at": t.isoformat()}
                for m, i, t in self.uncertain
            ],
            "opted_out": self.opted_out,
            "last_sent": self.last_sent.isoformat() if self.last_sent else None,
        }


def mailing_log(*, session: Session, form_id: str) -> MailingLog:
    """The send log of ``form_id`` (counts only: the log holds no address)."""
    get_fielding(session=session, form_id=form_id)
    counts: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(MailLogRecord.mailing, MailLogRecord.status, func.count())
        .where(MailLogRecord.form_id == form_id)
        .group_by(MailLogRecord.mailing, MailLogRecord.status)
    )
    for mailing, status, count in rows:
        counts.setdefault(mailing, {SENT: 0, FAILED: 0, SENDING: 0})[status] = count
    uncertain = tuple(
        (row[0], row[1], row[2])
        for row in session.execute(
            select(
                MailLogRecord.mailing,
                MailLogRecord.message_id,
                MailLogRecord.attempted_at,
            )
            .where(MailLogRecord.form_id == form_id, MailLogRecord.status == SENDING)
            .order_by(MailLogRecord.attempted_at)
        )
    )
    opted = session.scalar(
        select(func.count())
        .select_from(MailOptOutRecord)
        .where(MailOptOutRecord.form_id == form_id)
    )
    last = session.scalar(
        select(func.max(MailLogRecord.sent_at)).where(MailLogRecord.form_id == form_id)
    )
    ordered = dict(sorted(counts.items(), key=lambda item: _mailing_order(item[0])))
    return MailingLog(form_id, ordered, uncertain, int(opted or 0), last)


def _mailing_order(name: str) -> tuple[int, int]:
    if name == "invitation":
        return (0, 0)
    number = name.rpartition("-")[2]
    return (1, int(number) if number.isdigit() else 0)
