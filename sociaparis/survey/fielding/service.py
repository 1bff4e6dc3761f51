"""Fielding operations: set-up, invitations, responses saved page by page.

Functions take the session keyword-only and never commit; the caller (the web
request, the CLI) owns the transaction, so an acknowledged page is committed
before the next page is shown. What a respondent's requests call (the notice,
starting a response, reading and saving it) also takes a bare SQLAlchemy
``Connection``, which spares them the ``Session``'s unit of work on the hottest
path: those functions use Core statements only.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sociaparis.accounts.audit import record_audit
from sociaparis.accounts.service import Account
from sociaparis.core.caches import BoundedCache
from sociaparis.core.db import utcnow
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.core.statements import DirectStatement
from sociaparis.survey.checks import FieldError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.submission import (
    FormFields,
    merge_page,
    read_page,
)
from sociaparis.survey.fielding.uploads import (
    UploadLimits,
    delete_response_files,
    sweep_response,
)
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.logic import (
    FormState,
    evaluate_after_page,
    evaluate_form,
    following_page,
    next_page,
    page_depends_on_itself,
    previous_page,
    validate_page,
)
from sociaparis.survey.models import (
    FieldingRecord,
    InstrumentRecord,
    InvitationRecord,
    InvitationUseRecord,
    PageDurationRecord,
    ResponseRecord,
)
from sociaparis.survey.records import RECORD_ENGINE, export_record
from sociaparis.survey.service import StoredInstrument, get_instrument

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
#: A page shown longer than this (an hour) is recorded as shown this long: the
#: median is what monitoring reports, and a long pause says nothing more.
MAX_PAGE_SECONDS = 3600

# What the respondent's path runs on: a Session, or (cheaper) a bare Connection.
SessionOrConnection = Session | Connection


def _connection(session: SessionOrConnection) -> Connection:
    """The Core connection under ``session``, in its transaction, with what the
    session holds flushed first (as its own queries would)."""
    if isinstance(session, Session):
        session.flush()
        return session.connection()
    return session


def _binds(table: Any, *names: str) -> dict[str, Any]:
    """A named bind parameter of each column in ``names``, typed as its column."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


_RESPONSES = ResponseRecord.__table__
_INSTRUMENT_ROWS = InstrumentRecord.__table__
_FIELDING_ROWS = FieldingRecord.__table__
_INVITATIONS = InvitationRecord.__table__
_INVITATION_USES = InvitationUseRecord.__table__
_PAGE_DURATIONS = PageDurationRecord.__table__
# The statements of the respondent pages, built once and run on the driver's
# cursor (sociaparis.core.statements): building a statement and running it
# through Connection.execute cost several times more than the query.
_FIELDING_BY_FORM = DirectStatement(
    select(_FIELDING_ROWS).where(_FIELDING_ROWS.c.form_id == bindparam("form_id"))
)
_INVITATION_BY_TOKEN = DirectStatement(
    select(
        _INVITATIONS.c.id,
        _INVITATIONS.c.form_id,
        _INVITATIONS.c.attributes,
        _INVITATIONS.c.used,
    ).where(_INVITATIONS.c.token_hash == bindparam("token_hash"))
)
# The conditional update makes "use once" hold under concurrent requests.
_MARK_INVITATION_USED = DirectStatement(
    update(_INVITATIONS)
    .where(
        _INVITATIONS.c.id == bindparam("invitation_id"), _INVITATIONS.c.used.is_(False)
    )
    .values(used=True)
)
_INSERT_INVITATION_USE = DirectStatement(
    insert(_INVITATION_USES).values(_binds(_INVITATION_USES, "tag", "form_id"))
)
_INVITATION_USE_BY_TAG = DirectStatement(
    select(_INVITATION_USES.c.tag).where(_INVITATION_USES.c.tag == bindparam("tag"))
)
_SET_USE_KEY = DirectStatement(
    update(_FIELDING_ROWS)
    .where(
        _FIELDING_ROWS.c.form_id == bindparam("form_id"),
        _FIELDING_ROWS.c.use_key_id.is_(None),
    )
    .values(use_key_id=bindparam("use_key_id"))
)
_NEWEST_VERSION = DirectStatement(
    select(_INSTRUMENT_ROWS.c.id, _INSTRUMENT_ROWS.c.content_hash)
    .where(_INSTRUMENT_ROWS.c.form_id == bindparam("form_id"))
    .order_by(_INSTRUMENT_ROWS.c.version_number.desc())
    .limit(1)
)
_INSERT_RESPONSE = DirectStatement(
    insert(_RESPONSES).values(
        _binds(
            _RESPONSES,
            "id",
            "instrument_id",
            "invitation_id",
            "resume_token_hash",
            "status",
            "answers",
            "current_page",
            "attributes",
            "revision",
            "synthetic",
            "started_on",
            "started_at",
            "updated_at",
            "completed_on",
            "record",
            "record_engine",
        )
    )
)


@dataclass(frozen=True, slots=True)
class Fielding:
    """How a form is fielded.

    Attributes
    ----------
    form_id, study_id
        The form, and the study it belongs to.
    anonymous
        No link between a response and its invitation is stored; dates only.
    open_link
        Anyone with the public link may answer (rate-limited); otherwise only
        personal invitations.
    opens_on, closes_on
        First and last day responses are accepted (None: no limit).
    recorded_attributes
        Invitation CSV columns copied onto the response.
    notice
        The information notice: section name to {language: text}.
    min_cell_count
        Smallest count shown in progress tables.
    use_key_id
        Which key the uses of anonymous invitations were recorded with (None
        before the first use); see :func:`invitation_use_tag`.
    closed
        Closed by a researcher (:func:`~sociaparis.survey.fielding.operations.
        set_fielding_closed`): no response starts, whatever the dates say.
    """

    form_id: str
    study_id: str = ""
    anonymous: bool = True
    open_link: bool = False
    opens_on: date | None = None
    closes_on: date | None = None
    recorded_attributes: tuple[str, ...] = ()
    notice: Mapping[str, Any] = field(default_factory=dict)
    min_cell_count: int = 10
    use_key_id: str | None = None
    closed: bool = False

    def check_open(self, today: date) -> None:
        """Raise ``FIELD_012`` when closed by a researcher, ``FIELD_002``/
        ``FIELD_003`` outside the fielding dates."""
        if self.closed:
            raise SociaparisError(FieldingError.CLOSED_BY_RESEARCHER)
        if self.opens_on is not None and today < self.opens_on:
            raise SociaparisError(FieldingError.NOT_OPEN_YET, opens=self.opens_on)
        if self.closes_on is not None and today > self.closes_on:
            raise SociaparisError(FieldingError.CLOSED, closes=self.closes_on)


def _fielding(record: Any) -> Fielding:
    # An ORM record or a row of the fieldings table: the same attribute names.
    return Fielding(
        form_id=record.form_id,
        study_id=record.study_id,
        anonymous=record.anonymous,
        open_link=record.open_link,
        opens_on=record.opens_on,
        closes_on=record.closes_on,
        recorded_attributes=tuple(record.recorded_attributes),
        notice=dict(record.notice),
        min_cell_count=record.min_cell_count,
        use_key_id=record.use_key_id,
        closed=bool(record.closed),
    )


def configure_fielding(*, session: Session, fielding: Fielding) -> None:
    """Create or replace how ``fielding.form_id`` is fielded."""
    record = session.scalar(
        select(FieldingRecord).where(FieldingRecord.form_id == fielding.form_id)
    )
    if record is None:
        record = FieldingRecord(form_id=fielding.form_id)
        session.add(record)
    record.study_id = fielding.study_id
    record.anonymous = fielding.anonymous
    record.open_link = fielding.open_link
    record.opens_on = fielding.opens_on
    record.closes_on = fielding.closes_on
    record.recorded_attributes = list(fielding.recorded_attributes)
    record.notice = dict(fielding.notice)
    record.min_cell_count = fielding.min_cell_count
    session.flush()


def get_fielding(*, session: SessionOrConnection, form_id: str) -> Fielding:
    """How ``form_id`` is fielded, or ``FIELD_001``."""
    record = _FIELDING_BY_FORM.first(_connection(session), {"form_id": form_id})
    if record is None:
        raise SociaparisError(FieldingError.NOT_FIELDED, form_id=form_id)
    return _fielding(record)


def list_fieldings(*, session: Session) -> list[Fielding]:
    """Every fielded form, by form id."""
    records = session.scalars(select(FieldingRecord).order_by(FieldingRecord.form_id))
    return [_fielding(record) for record in records]


# -- tokens ---------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The stored form of a token (tokens are 256-bit random, so SHA-256 suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _use_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"sociaparis:invitation-use", "sha256").digest()


def use_key_id(secret: str) -> str:
    """A public fingerprint of the key the invitation use tags are made with."""
    return hmac.new(_use_key(secret), b"key-id", "sha256").hexdigest()[:16]


def invitation_use_tag(secret: str, token: str) -> str:
    """The stored mark that an anonymous invitation was used.

    An HMAC-SHA-256 of the invitation's token under a key derived from the
    server's secret key. The invitations table stores the token's SHA-256 hash,
    from which the tag cannot be computed: tying a use (and the response started
    in the same transaction) to an invitation takes the database, the token
    (the researcher's links file) and the server's secret key together.

    Parameters
    ----------
    secret
        The server's secret key (``SOCIAPARIS_SECRET_KEY``).
    token
        The invitation's token, as in its link.

    Returns
    -------
    str
        64 hexadecimal characters.
    """
    return hmac.new(_use_key(secret), token.encode(), "sha256").hexdigest()


def _derived_resume_token(secret: str, invitation_token: str) -> str:
    # Non-anonymous only: re-opening the invitation finds the same response.
    digest = hmac.new(secret.encode(), f"resume:{invitation_token}".encode(), "sha256")
    return digest.hexdigest()


# -- invitations ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewInvitation:
    """A created invitation: the token (shown once, never stored) and attributes."""

    token: str
    attributes: Mapping[str, str]


def create_invitations(
    *,
    session: Session,
    form_id: str,
    attributes: Iterable[Mapping[str, str]],
    today: date | None = None,
) -> list[NewInvitation]:
    """Create one single-use invitation per row of ``attributes``.

    Only the columns the fielding records (``recorded_attributes``) are kept;
    other columns are refused with ``FIELD_009`` so that nothing is stored by
    mistake (names, e-mail addresses...). Tokens are returned once and stored
    only as hashes.
    """
    fielding = get_fielding(session=session, form_id=form_id)
    allowed = set(fielding.recorded_attributes)
    created: list[NewInvitation] = []
    day = today or utcnow().date()
    for row in attributes:
        extra = sorted(set(row) - allowed)
        if extra:
            raise SociaparisError(
                FieldingError.ATTRIBUTE_NOT_ALLOWED,
                column=extra[0],
                form_id=form_id,
                allowed=", ".join(sorted(allowed))
                or Reason(en="none", fr="aucune colonne"),
            )
        token = _new_token()
        kept = {key: str(value) for key, value in row.items()}
        session.add(
            InvitationRecord(
                form_id=form_id,
                token_hash=hash_token(token),
                attributes=kept,
                used=False,
                created_on=day,
            )
        )
        created.append(NewInvitation(token, kept))
    session.flush()
    return created


# -- responses ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartedResponse:
    """A response that was started (or found again): its private resume token,
    and for a new one the page it starts on (None: found again, or no page)."""

    resume_token: str
    response_id: str
    resumed: bool = False
    page: str | None = None


def _new_response(
    *,
    session: SessionOrConnection,
    stored: StoredInstrument,
    fielding: Fielding,
    resume_token: str,
    attributes: Mapping[str, str],
    invitation_id: int | None,
    now: datetime,
) -> StartedResponse:
    """Insert a new, empty response at its first page.

    A form with no page to show (only calculations and hidden values, as
    pyxform allows) has nothing to answer: its response is completed at once.
    """
    response_id = uuid.uuid4().hex
    first = next_page(stored.instrument, {}, None)
    nothing_to_answer = not stored.instrument.pages()
    record = (
        export_record(
            stored.instrument,
            {},
            started_on=now.date(),
            completed_on=now.date(),
            updated_at=None if fielding.anonymous else now,
        )
        if nothing_to_answer
        else None
    )
    _INSERT_RESPONSE.rowcount(
        _connection(session),
        {
            "id": response_id,
            "instrument_id": stored.id,
            "invitation_id": None if fielding.anonymous else invitation_id,
            "resume_token_hash": hash_token(resume_token),
            "status": COMPLETED if nothing_to_answer else IN_PROGRESS,
            "answers": {},
            "current_page": first,
            "attributes": {
                k: attributes[k] for k in fielding.recorded_attributes if k in attributes
            },
            "revision": 0,
            "synthetic": False,
            "started_on": now.date(),
            "started_at": None if fielding.anonymous else now,
            "updated_at": None if fielding.anonymous else now,
            "completed_on": now.date() if nothing_to_answer else None,
            "record": record,
            "record_engine": None if record is None else RECORD_ENGINE,
        },
    )
    return StartedResponse(resume_token, response_id, page=first)


def start_from_invitation(
    *,
    session: SessionOrConnection,
    token: str,
    secret: str,
    now: datetime | None = None,
) -> StartedResponse:
    """Use an invitation (once) and start its response.

    For a named form the invitation is marked used and the response keeps its
    id; opening a used invitation again finds the response. For an anonymous
    form the invitation row is not written to at all: the use is recorded as an
    unlinkable tag (:func:`invitation_use_tag`) and a second use is refused
    (``FIELD_005``). ``FIELD_011`` if the server's secret key changed since the
    form's first use (used invitations could not be recognised).
    """
    now = now or utcnow()
    connection = _connection(session)
    invitation = _INVITATION_BY_TOKEN.first(connection, {"token_hash": hash_token(token)})
    if invitation is None:
        raise SociaparisError(FieldingError.UNKNOWN_INVITATION)
    fielding = get_fielding(session=session, form_id=invitation.form_id)
    if fielding.anonymous:
        return _start_anonymous(
            connection, fielding, invitation, token=token, secret=secret, now=now
        )
    resume_token = _derived_resume_token(secret, token)
    if invitation.used:
        response_id = session.scalar(
            select(_RESPONSES.c.id).where(_RESPONSES.c.invitation_id == invitation.id)
        )
        if response_id is None:
            raise SociaparisError(FieldingError.INVITATION_USED)
        return StartedResponse(resume_token, response_id, resumed=True)
    fielding.check_open(now.date())
    marked = _MARK_INVITATION_USED.rowcount(connection, {"invitation_id": invitation.id})
    if marked != 1:
        raise SociaparisError(FieldingError.INVITATION_USED)
    return _new_response(
        session=connection,
        stored=fielded_version(session=connection, form_id=invitation.form_id),
        fielding=fielding,
        resume_token=resume_token,
        attributes=invitation.attributes,
        invitation_id=invitation.id,
        now=now,
    )


def _start_anonymous(
    connection: Connection,
    fielding: Fielding,
    invitation: Any,
    *,
    token: str,
    secret: str,
    now: datetime,
) -> StartedResponse:
    """Record the use as a tag and start a response that nothing ties to it."""
    key_id = use_key_id(secret)
    if fielding.use_key_id not in (None, key_id):
        raise SociaparisError(FieldingError.USE_KEY_CHANGED, form_id=fielding.form_id)
    tag = invitation_use_tag(secret, token)
    # ``used`` is set only by versions that wrote it for anonymous forms too.
    if invitation.used or _INVITATION_USE_BY_TAG.first(connection, {"tag": tag}):
        raise SociaparisError(FieldingError.INVITATION_USED)
    fielding.check_open(now.date())
    if fielding.use_key_id is None:
        _SET_USE_KEY.rowcount(
            connection, {"form_id": fielding.form_id, "use_key_id": key_id}
        )
    try:
        _INSERT_INVITATION_USE.rowcount(
            connection, {"tag": tag, "form_id": fielding.form_id}
        )
    except IntegrityError as error:  # the same link, used at the same moment
        raise SociaparisError(FieldingError.INVITATION_USED) from error
    return _new_response(
        session=connection,
        stored=fielded_version(session=connection, form_id=fielding.form_id),
        fielding=fielding,
        resume_token=_new_token(),
        attributes=invitation.attributes,
        invitation_id=None,
        now=now,
    )


def start_open_response(
    *, session: SessionOrConnection, form_id: str, now: datetime | None = None
) -> StartedResponse:
    """Start a response through the form's public link (``FIELD_007`` if none)."""
    now = now or utcnow()
    fielding = get_fielding(session=session, form_id=form_id)
    if not fielding.open_link:
        raise SociaparisError(FieldingError.NO_OPEN_LINK, form_id=form_id)
    fielding.check_open(now.date())
    stored = fielded_version(session=session, form_id=form_id)
    resume_token = _new_token()
    return _new_response(
        session=session,
        stored=stored,
        fielding=fielding,
        resume_token=resume_token,
        attributes={},
        invitation_id=None,
        now=now,
    )


@dataclass(frozen=True, slots=True)
class ResponseView:
    """A response as the respondent's pages need it."""

    id: str
    status: str
    answers: Mapping[str, Any]
    current_page: str | None
    revision: int
    instrument: Instrument
    instrument_id: int
    form_id: str
    anonymous: bool
    # Started under an anonymous fielding: no times are ever stored, dates only.
    dated_only: bool = False
    # The attributes copied from the invitation when the response was started.
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def completed(self) -> bool:
        """Whether the respondent has submitted the last page."""
        return self.status == COMPLETED


# Stored instrument versions by id and content hash.
_INSTRUMENTS: BoundedCache[tuple[int, str], StoredInstrument] = BoundedCache(maxsize=256)


def _instrument(
    session: SessionOrConnection, instrument_id: int, content_hash: str | None = None
) -> StoredInstrument:
    # Instrument versions are immutable, so a process may keep them; the key
    # includes the content hash in case a database was rebuilt under the process.
    if content_hash is None:
        content_hash = session.scalar(
            select(InstrumentRecord.content_hash).where(
                InstrumentRecord.id == instrument_id
            )
        )

    def load(_key: tuple[int, str]) -> StoredInstrument:
        if isinstance(session, Session):
            return get_instrument(session=session, instrument_id=instrument_id)
        with Session(bind=session) as orm:
            return get_instrument(session=orm, instrument_id=instrument_id)

    return _INSTRUMENTS.get((instrument_id, content_hash or ""), load)


def fielded_version(*, session: SessionOrConnection, form_id: str) -> StoredInstrument:
    """The newest version of ``form_id``, which new responses are answered on.

    Reads only its id and content hash; the model comes from the process cache.
    """
    row = _NEWEST_VERSION.first(_connection(session), {"form_id": form_id})
    if row is None:
        raise SociaparisError(SurveyError.INSTRUMENT_NOT_FOUND, key=form_id)
    return _instrument(session, row.id, row.content_hash)


# Read on every page, and saved on every page submitted (see _FIELDING_BY_FORM).
_RESPONSE_BY_TOKEN = DirectStatement(
    select(
        _RESPONSES.c.id,
        _RESPONSES.c.status,
        _RESPONSES.c.answers,
        _RESPONSES.c.current_page,
        _RESPONSES.c.revision,
        _RESPONSES.c.instrument_id,
        _RESPONSES.c.started_at,
        _RESPONSES.c.attributes,
        _INSTRUMENT_ROWS.c.content_hash,
        _FIELDING_ROWS.c.anonymous,
    )
    .select_from(
        _RESPONSES.join(
            _INSTRUMENT_ROWS, _INSTRUMENT_ROWS.c.id == _RESPONSES.c.instrument_id
        ).join(_FIELDING_ROWS, _FIELDING_ROWS.c.form_id == _INSTRUMENT_ROWS.c.form_id)
    )
    .where(_RESPONSES.c.resume_token_hash == bindparam("token_hash"))
)
_INSERT_PAGE_DURATION = DirectStatement(
    insert(_PAGE_DURATIONS).values(
        _binds(_PAGE_DURATIONS, "id", "form_id", "page", "seconds")
    )
)
# Optimistic concurrency: only the revision the page was shown at may be saved.
_UPDATE_RESPONSE = (
    update(_RESPONSES)
    .where(
        _RESPONSES.c.id == bindparam("response_id"),
        _RESPONSES.c.revision == bindparam("shown_revision"),
    )
    .values(
        answers=bindparam("answers", type_=_RESPONSES.c.answers.type),
        current_page=bindparam("current_page"),
        revision=bindparam("new_revision"),
        updated_at=bindparam("updated_at", type_=_RESPONSES.c.updated_at.type),
        status=bindparam("status"),
        completed_on=bindparam("completed_on", type_=_RESPONSES.c.completed_on.type),
        record=bindparam("record", type_=_RESPONSES.c.record.type),
        record_engine=bindparam("record_engine"),
    )
)
_SAVE_RESPONSE = DirectStatement(_UPDATE_RESPONSE)
# On PostgreSQL, the save and its page's duration in one statement, so that on
# an autocommit connection it is a transaction of its own in one round trip
# instead of four (BEGIN, UPDATE, INSERT, COMMIT). The duration is inserted only
# if the response was (FROM saved), and only if the page was timed; the result
# is how many responses were saved (0 or 1).
_SAVED = _UPDATE_RESPONSE.returning(_RESPONSES.c.id).cte("saved")
_DURATION_SECONDS = bindparam("seconds", type_=_PAGE_DURATIONS.c.seconds.type)
_SAVE_RESPONSE_AND_DURATION = DirectStatement(
    select(func.count().label("saved"))
    .select_from(_SAVED)
    .add_cte(
        insert(_PAGE_DURATIONS)
        .from_select(
            ["id", "form_id", "page", "seconds"],
            select(
                bindparam("duration_id", type_=_PAGE_DURATIONS.c.id.type),
                bindparam("form_id", type_=_PAGE_DURATIONS.c.form_id.type),
                bindparam("page", type_=_PAGE_DURATIONS.c.page.type),
                _DURATION_SECONDS,
            )
            .select_from(_SAVED)
            .where(_DURATION_SECONDS.is_not(None)),
        )
        .cte("timed")
    )
)


def _load(
    session: SessionOrConnection, resume_token: str
) -> tuple[Any, StoredInstrument, bool]:
    """The response's columns, its instrument version and its anonymity, in one query.

    Plain columns, not an ORM object: this runs on every respondent request.
    """
    row = _RESPONSE_BY_TOKEN.first(
        _connection(session), {"token_hash": hash_token(resume_token)}
    )
    if row is None:
        raise SociaparisError(FieldingError.UNKNOWN_RESPONSE)
    stored = _instrument(session, row.instrument_id, row.content_hash)
    return row, stored, row.anonymous


def _view(response: Any, stored: StoredInstrument, anonymous: bool) -> ResponseView:
    return ResponseView(
        id=response.id,
        status=response.status,
        answers=dict(response.answers),
        current_page=response.current_page,
        revision=response.revision,
        instrument=stored.instrument,
        instrument_id=stored.id,
        form_id=stored.form_id,
        anonymous=anonymous,
        dated_only=response.started_at is None,
        attributes=response.attributes or {},
    )


def open_response(*, session: SessionOrConnection, resume_token: str) -> ResponseView:
    """The response behind a private resume link (``FIELD_006`` if none).

    ``session`` may be a bare ``Connection`` (what the web pages use).
    """
    return _view(*_load(session, resume_token))


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What a page submission does.

    Attributes
    ----------
    accepted
        The answers are to be saved (with :func:`save_submission`).
    next_page
        The page to show now, stored as the response's current page (None: the
        questionnaire is complete).
    errors
        Why the page was refused (the answers come back with them).
    answers
        The response's answers with this page's submission merged in: what is
        saved, or what a refused page shows again.
    conflict
        The page was not the current state of the response (double submit,
        another tab, an old page replayed): nothing was saved.
    completed
        The response is complete (now, or already was).
    view
        The response as it was read (for re-showing a refused page).
    evaluation
        The engine's evaluation of ``answers`` when they go on to a next page,
        which may show that page without evaluating them again.
    timed_page, seconds
        The page sent on to another (or to the end) and how long it was shown,
        in whole seconds capped at ``MAX_PAGE_SECONDS`` (:func:`page_seconds`);
        None when the submission does not leave the page or the time it was
        shown is not known. Saved as a bare duration (docs/fielding.md).
    """

    accepted: bool
    next_page: str | None
    errors: tuple[FieldError, ...] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)
    conflict: bool = False
    completed: bool = False
    view: ResponseView | None = None
    evaluation: FormState | None = field(default=None, repr=False, compare=False)
    timed_page: str | None = None
    seconds: int | None = None


def page_seconds(shown_at: datetime | None, now: datetime) -> int | None:
    """How long a page shown at ``shown_at`` was shown until ``now``.

    Whole seconds, at most :data:`MAX_PAGE_SECONDS`; None when the time it was
    shown is unknown or after ``now`` (a clock moved back, or a forged value).

    >>> from datetime import UTC, datetime, timedelta
    >>> now = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    >>> [page_seconds(now - timedelta(seconds=s), now) for s in (0, 41.9, 7200, -1)]
    [0, 41, 3600, None]
    """
    if shown_at is None:
        return None
    elapsed = (now - shown_at).total_seconds()
    if elapsed < 0:
        return None
    return min(int(elapsed), MAX_PAGE_SECONDS)


def plan_submission(
    view: ResponseView,
    *,
    page_name: str,
    fields: FormFields,
    revision: int,
    action: str = "next",
    instances: int = 0,
    lang: str | None = None,
    messages: Mapping[str, str] | None = None,
    now: datetime | None = None,
    previous: FormState | None = None,
    shown_at: datetime | None = None,
    upload_errors: Sequence[FieldError] = (),
    live: bool = False,
) -> PageOutcome:
    """Validate one page against the response as read and decide what to save.

    Pure: nothing is read or written. An accepted outcome must then be saved
    with :func:`save_submission`, which refuses it if the response has moved on
    since ``view`` was read; validation thus runs outside the write transaction.

    Parameters
    ----------
    view
        The response as read (:func:`open_response`).
    page_name, fields
        The page that was shown and the fields the browser sent.
    revision
        The response revision the page was shown at; a stale one is a conflict
        (nothing saved), which makes double submits and replays harmless.
    action
        ``next``, ``back``, ``add`` (a repeat instance) or ``remove:N``.
    instances
        For a repeat page: how many instances the page showed.
    lang, messages
        Language of messages; ``messages["too_long"]`` for over-long answers.
    previous
        The whole-form evaluation the page was shown from, if at hand: when it
        is of ``view``'s answers, only what depends on the page is evaluated
        again for the next page (:func:`~sociaparis.survey.logic.evaluate_after_page`).
    shown_at
        When the page was first shown (the page carries it; never stored): an
        outcome that sends the respondent on carries how long it was shown.
    upload_errors
        Files of the page refused when they were stored
        (:func:`~sociaparis.survey.fielding.uploads.receive_page_files`): the
        page is refused with them.
    live
        Whether the page ran live logic in the browser (its ``_live`` field):
        the follow-ups the answers call for were then shown as they were
        answered, so the page is not shown again for them; it is checked all
        the same.
    """
    now = now or utcnow()
    instrument = view.instrument
    if view.completed:
        return PageOutcome(False, None, conflict=True, completed=True)
    page = instrument.page(page_name)
    if page is None or revision != view.revision:
        return PageOutcome(False, view.current_page, conflict=True)
    submission = read_page(
        instrument,
        page,
        fields,
        instances=instances,
        too_long_message=(messages or {}).get("too_long", ""),
    )
    answers = merge_page(view.answers, page, submission.answers)
    if page.kind == "repeat" and (action == "add" or action.startswith(_EDITS)):
        answers[page.name] = edit_instances(
            instrument, page.name, answers.get(page.name, []), action
        )
        return PageOutcome(True, page.name, answers=answers, view=view)
    validation = validate_page(instrument, answers, page.name, lang, now=now)
    refused = {(error.question, error.instance) for error in upload_errors}
    errors = (
        tuple(upload_errors)
        + submission.errors
        + tuple(e for e in validation.errors if (e.question, e.instance) not in refused)
    )
    if action == "back":
        # Going back keeps every valid answer of this page and drops the rest.
        invalid = {error.question for error in errors}
        kept = merge_page(
            view.answers,
            page,
            _without(validation.record, invalid, page.kind == "repeat", page.name),
        )
        target = previous_page(instrument, kept, page.name, now=now) or page.name
        return PageOutcome(True, target, answers=kept, view=view)
    # Without JavaScript a follow-up on the same page can only appear after a
    # submit (one that was answered has been seen: a refused page shows it).
    revealed = (
        _revealed_questions(instrument, view.answers, answers, page)
        - _answered(submission.answers, page)
        if action == "next" and not live
        else frozenset()
    )
    if revealed:
        # Show the page again with the follow-ups. Their own problems (a required
        # one left empty) wait for the next submit; a problem with an answer the
        # respondent gave refuses the page with its message and the answer as
        # typed, never dropping it silently.
        shown = [e for e in errors if (e.question, e.instance) not in revealed]
        if shown:
            return PageOutcome(
                False, page.name, errors=tuple(shown), answers=answers, view=view
            )
        invalid = {error.question for error in errors}
        kept = merge_page(
            view.answers,
            page,
            _without(validation.record, invalid, page.kind == "repeat", page.name),
        )
        return PageOutcome(True, page.name, answers=kept, view=view)
    if errors:
        return PageOutcome(False, page.name, errors=errors, answers=answers, view=view)
    saved = merge_page(view.answers, page, validation.record)
    if (
        previous is not None
        and previous.instrument == instrument
        and previous.answers == view.answers
    ):
        evaluation = evaluate_after_page(previous, saved, page.name, lang=lang, now=now)
    else:
        evaluation = evaluate_form(instrument, saved, lang=lang, now=now)
    following = following_page(evaluation, page.name)
    seconds = page_seconds(shown_at, now) if following != page.name else None
    return PageOutcome(
        True,
        following,
        answers=saved,
        completed=following is None,
        view=view,
        evaluation=evaluation,
        timed_page=None if seconds is None else page.name,
        seconds=seconds,
    )


_EDITS = ("add:", "remove:")


def edit_instances(
    instrument: Instrument, repeat: str, rows: Any, action: str
) -> list[Any]:
    """The instances of the repeat page ``repeat`` after an add or remove button.

    ``add`` and ``remove:N`` act on the page's own repeat; ``add:NESTED:P`` adds
    an instance of the repeat ``NESTED`` inside instance ``P`` (``2``, ``2.1``:
    the instance numbers from the page's repeat down), ``remove:NESTED:P.N``
    removes its instance ``N``. Anything else changes nothing.
    """
    rows = copy.deepcopy(list(rows) if isinstance(rows, list) else [])
    if action == "add":
        return [*rows, {}]
    verb, _, target = action.partition(":")
    nested, _, where = target.rpartition(":")
    numbers = [int(n) for n in (where or target).split(".") if n.isdigit()]
    if not nested:
        if verb == "remove" and len(numbers) == 1 and 1 <= numbers[0] <= len(rows):
            del rows[numbers[0] - 1]
        return rows
    if not instrument.has(nested) or nested == repeat:
        return rows
    chain = [g.name for g in reversed(instrument.ancestors(nested)) if g.kind == "repeat"]
    if not chain or chain[0] != repeat:
        return rows
    parents = numbers if verb == "add" else numbers[:-1]
    if len(parents) != len(chain):
        return rows
    level: Any = {repeat: rows}
    for name, number in zip(chain, parents, strict=True):
        instances = level.get(name) if isinstance(level, dict) else None
        if not isinstance(instances, list) or not 1 <= number <= len(instances):
            return rows
        level = instances[number - 1]
    if not isinstance(level, dict):
        return rows
    instances = level.get(nested)
    instances = instances if isinstance(instances, list) else []
    if verb == "add":
        level[nested] = [*instances, {}]
    elif numbers and 1 <= numbers[-1] <= len(instances):
        level[nested] = instances[: numbers[-1] - 1] + instances[numbers[-1] :]
    return rows


def save_submission(
    *, session: SessionOrConnection, outcome: PageOutcome, now: datetime | None = None
) -> bool:
    """Save an accepted :func:`plan_submission` outcome; False on a conflict.

    The update only applies to the revision the outcome was planned from
    (optimistic concurrency): if another request saved the response meanwhile,
    nothing is written and the caller sends the respondent to where the
    response really is. ``session`` may be a bare ``Connection``.

    A page sent on with a known duration also adds that duration to
    ``page_durations``, tied to the form and page only, in the same
    transaction. On PostgreSQL both are one statement, which an autocommit
    connection runs as a transaction of its own
    (:meth:`sociaparis.web.database.DatabaseRunner.write` with
    ``one_statement``).
    """
    view = outcome.view
    if not outcome.accepted or view is None:
        raise ValueError("only an accepted outcome of plan_submission can be saved")
    now = now or utcnow()
    connection = _connection(session)
    updated_at = None if view.dated_only else now
    completed_on = now.date() if outcome.completed else None
    # A completed response is not changed again: its record is kept for the
    # exports (sociaparis.survey.records); a response in progress keeps none.
    record = (
        export_record(
            view.instrument,
            outcome.answers,
            started_on=None,
            completed_on=completed_on,
            updated_at=updated_at,
        )
        if outcome.completed
        else None
    )
    save = {
        "response_id": view.id,
        "shown_revision": view.revision,
        "answers": outcome.answers,
        "current_page": outcome.next_page,
        "new_revision": view.revision + 1,
        "updated_at": updated_at,
        "status": COMPLETED if outcome.completed else IN_PROGRESS,
        "completed_on": completed_on,
        "record": record,
        "record_engine": None if record is None else RECORD_ENGINE,
    }
    timed = outcome.seconds is not None and outcome.timed_page is not None
    duration = {
        "form_id": view.form_id,
        "page": outcome.timed_page,
        "seconds": outcome.seconds if timed else None,
    }
    if connection.dialect.name == "postgresql":
        row = _SAVE_RESPONSE_AND_DURATION.first(
            connection, {**save, **duration, "duration_id": secrets.token_hex(16)}
        )
        return row is not None and row.saved == 1
    if _SAVE_RESPONSE.rowcount(connection, save) != 1:
        return False
    if timed:
        _INSERT_PAGE_DURATION.rowcount(
            connection, {**duration, "id": secrets.token_hex(16)}
        )
    return True


def _revealed_questions(
    instrument: Instrument,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    page: Any,
) -> frozenset[tuple[str, int | None]]:
    """Questions of ``page`` that the submitted answers make relevant and were not.

    Each is ``(name, instance)``: the 1-based repeat instance on a repeat page,
    where a follow-up is revealed in the instance whose answers call for it,
    None elsewhere.
    """
    if not page_depends_on_itself(instrument, page):
        return frozenset()
    if page.kind != "repeat":
        was = evaluate_form(instrument, before, page=page.name)
        shown = set(was.page_questions(page))
        now = evaluate_form(instrument, after, page=page.name)
        return frozenset(
            (name, None) for name in now.page_questions(page) if name not in shown
        )
    # The instances as the page showed them: those not saved yet were empty.
    rows = list(before.get(page.name, []))
    submitted = len(after.get(page.name, []))
    was = evaluate_form(
        instrument,
        {**before, page.name: rows + [{}] * (submitted - len(rows))},
        page=page.name,
    )
    now = evaluate_form(instrument, after, page=page.name)
    return frozenset(
        (name, index)
        for name in page.questions
        for index in now.indexes(str(instrument.item(name).repeat))
        if now.is_relevant(name, index) and not was.is_relevant(name, index)
    )


def _answered(
    page_answers: Mapping[str, Any], page: Any
) -> frozenset[tuple[str, int | None]]:
    """The ``(name, instance)`` of each question given a value in a submission."""
    if page.kind != "repeat":
        return frozenset((name, None) for name, value in page_answers.items() if value)
    found: set[tuple[str, Any]] = set()

    def walk(rows: Any, parent: tuple[int, ...]) -> None:
        for number, row in enumerate(rows if isinstance(rows, list) else [], start=1):
            numbers = (*parent, number)
            index = numbers[0] if len(numbers) == 1 else numbers
            for name, value in row.items():
                if isinstance(value, list):
                    walk(value, numbers)
                elif value:
                    found.add((name, index))

    walk(page_answers.get(page.name, []), ())
    return frozenset(found)


def _without(
    record: Mapping[str, Any], invalid: set[str], repeat: bool, name: str
) -> dict[str, Any]:
    if repeat:

        def valid(row: Mapping[str, Any]) -> dict[str, Any]:
            return {
                k: [valid(r) for r in v] if isinstance(v, list) else v
                for k, v in row.items()
                if k not in invalid
            }

        return {name: [valid(row) for row in record.get(name, [])]}
    return {k: v for k, v in record.items() if k not in invalid}


def invitation_form(*, session: SessionOrConnection, token: str) -> str:
    """The form an invitation token is for (``FIELD_004`` if unknown)."""
    invitation = _INVITATION_BY_TOKEN.first(
        _connection(session), {"token_hash": hash_token(token)}
    )
    if invitation is None:
        raise SociaparisError(FieldingError.UNKNOWN_INVITATION)
    return invitation.form_id


def first_page(view: ResponseView) -> str:
    """The first relevant page of a response's questionnaire."""
    first = next_page(view.instrument, view.answers, None)
    return first or view.instrument.pages()[0].name


def delete_response(
    *, session: Session, actor: Account, response_id: str, limits: UploadLimits
) -> DeletedResponse:
    """Delete a response and the files of its file questions (``FIELD_022`` if none).

    The row is deleted first (the caller commits); the files go once the
    delete has run, so that a refused delete leaves them in place.

    Parameters
    ----------
    session
        Open session (not committed here).
    actor
        Who deletes (``FIELD_013`` unless researcher or admin); written to
        the audit log.
    response_id
        The response's id (the ``_id`` column of exports).
    limits
        Where the uploads are (:meth:`UploadLimits.from_settings`).
    """
    # operations imports this module: its check is imported here.
    from sociaparis.survey.fielding.operations import require_fielder

    require_fielder(actor, "delete responses")
    row = session.execute(
        select(_RESPONSES.c.id, _RESPONSES.c.instrument_id).where(
            _RESPONSES.c.id == response_id
        )
    ).first()
    if row is None:
        raise SociaparisError(FieldingError.RESPONSE_NOT_FOUND, response_id=response_id)
    session.execute(delete(_RESPONSES).where(_RESPONSES.c.id == response_id))
    record_audit(
        session=session, actor=actor, action="response.delete", target=response_id
    )
    files = delete_response_files(limits, response_id)
    return DeletedResponse(response_id, files)


@dataclass(frozen=True, slots=True)
class DeletedResponse:
    """A response deleted: its id and how many files of it were removed."""

    response_id: str
    files: int


@dataclass(frozen=True, slots=True)
class SweptUploads:
    """What :func:`sweep_uploads` removed: files of responses, folders of none."""

    files: int
    folders: int


def sweep_uploads(*, session: Session, limits: UploadLimits) -> SweptUploads:
    """Remove every uploaded file no saved answer names.

    A folder whose response no longer exists goes whole; in the others, the
    files their response's answers do not name (sent on a page that was then
    refused and left) go. Pages do this for their own response when saved;
    this is for responses left on a refused page, and after a restore.
    """
    root = limits.root
    if not root.is_dir():
        return SweptUploads(0, 0)
    files = folders = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        row = session.execute(
            select(_RESPONSES.c.instrument_id, _RESPONSES.c.answers).where(
                _RESPONSES.c.id == folder.name
            )
        ).first()
        if row is None:
            files += delete_response_files(limits, folder.name)
            folders += 1
            continue
        instrument = _instrument(session, row.instrument_id).instrument
        files += sweep_response(
            limits,
            instrument=instrument,
            response_id=folder.name,
            answers=row.answers or {},
        )
    return SweptUploads(files, folders)
