"""Storing and loading instruments; functions take the session and never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sociaparis.core.caches import BoundedCache
from sociaparis.core.errors import Issue, SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.models import InstrumentRecord
from sociaparis.survey.xlsform import XLSFormResult

# Instrument models by content hash.
_MODELS: BoundedCache[str, Instrument] = BoundedCache(maxsize=64)


@dataclass(frozen=True, slots=True)
class StoredInstrument:
    """One stored version of an instrument.

    Attributes
    ----------
    id
        Primary key; responses refer to it.
    form_id, version, version_number
        The form's id, its version label (the settings ``version``, or the number),
        and its place among the versions of the form (1, 2, ...).
    content_hash
        SHA-256 of the model (see :attr:`Instrument.content_hash`).
    title, source_filename, created_at
        For listing.
    instrument
        The parsed model.
    """

    id: int
    form_id: str
    version: str
    version_number: int
    content_hash: str
    title: str
    source_filename: str
    created_at: datetime
    instrument: Instrument = field(repr=False)

    def to_dict(self) -> dict[str, object]:
        """The listing fields as JSON-ready data (without the model)."""
        return {
            "id": self.id,
            "form_id": self.form_id,
            "version": self.version,
            "version_number": self.version_number,
            "content_hash": self.content_hash,
            "title": self.title,
            "source_filename": self.source_filename,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class AddResult:
    """What :func:`add_instrument` did: the stored version, whether new, warnings."""

    stored: StoredInstrument
    created: bool
    warnings: list[Issue] = field(default_factory=list)


def _model(record: InstrumentRecord) -> Instrument:
    """The instrument of a row, rebuilt once per content hash."""
    return _MODELS.get(record.content_hash, lambda _: Instrument.from_dict(record.model))


def _stored(record: InstrumentRecord) -> StoredInstrument:
    return StoredInstrument(
        id=record.id,
        form_id=record.form_id,
        version=record.version,
        version_number=record.version_number,
        content_hash=record.content_hash,
        title=record.title,
        source_filename=record.source_filename,
        created_at=record.created_at,
        instrument=_model(record),
    )


def add_instrument(*, session: Session, form: XLSFormResult) -> AddResult:
    """Store a checked form as a new version, or return the version it already is.

    The same content (same :attr:`~Instrument.content_hash`) under the same
    ``form_id`` is the same version. A changed form gets the next version number;
    its version label is the settings ``version`` if the form gives one (which must
    not be taken by another version of the form), else the number.

    Raises
    ------
    SociaparisError
        ``SURVEY_031`` when the settings ``version`` is already used by a version
        with other content.
    """
    instrument = form.instrument
    digest = instrument.content_hash
    existing = session.scalar(
        select(InstrumentRecord).where(
            InstrumentRecord.form_id == instrument.form_id,
            InstrumentRecord.content_hash == digest,
        )
    )
    if existing is not None:
        return AddResult(_stored(existing), created=False, warnings=list(form.warnings))
    taken = set(
        session.scalars(
            select(InstrumentRecord.version).where(
                InstrumentRecord.form_id == instrument.form_id
            )
        )
    )
    last = session.scalar(
        select(func.max(InstrumentRecord.version_number)).where(
            InstrumentRecord.form_id == instrument.form_id
        )
    )
    number = (last or 0) + 1
    if instrument.version:
        if instrument.version in taken:
            raise SociaparisError(
                SurveyError.VERSION_TAKEN,
                form_id=instrument.form_id,
                version=instrument.version,
            )
        label = instrument.version
    else:
        label = str(number)
        while label in taken:
            number += 1
            label = str(number)
    record = InstrumentRecord(
        form_id=instrument.form_id,
        version=label,
        version_number=number,
        content_hash=digest,
        title=instrument.title,
        model=instrument.to_dict(),
        source=form.source,
        source_filename=form.filename,
    )
    session.add(record)
    session.flush()
    return AddResult(_stored(record), created=True, warnings=list(form.warnings))


def list_instruments(
    *, session: Session, form_id: str | None = None
) -> list[StoredInstrument]:
    """Every stored version (of ``form_id`` if given), by form_id then version number."""
    query = select(InstrumentRecord).order_by(
        InstrumentRecord.form_id, InstrumentRecord.version_number
    )
    if form_id is not None:
        query = query.where(InstrumentRecord.form_id == form_id)
    return [_stored(record) for record in session.scalars(query)]


def get_instrument(*, session: Session, instrument_id: int) -> StoredInstrument:
    """The stored version with primary key ``instrument_id`` (``SURVEY_030`` if none)."""
    record = session.get(InstrumentRecord, instrument_id)
    if record is None:
        raise SociaparisError(SurveyError.INSTRUMENT_NOT_FOUND, key=instrument_id)
    return _stored(record)


def latest_instrument(*, session: Session, form_id: str) -> StoredInstrument:
    """The newest version of ``form_id`` (``SURVEY_030`` if the form was never added)."""
    record = session.scalar(
        select(InstrumentRecord)
        .where(InstrumentRecord.form_id == form_id)
        .order_by(InstrumentRecord.version_number.desc())
        .limit(1)
    )
    if record is None:
        raise SociaparisError(SurveyError.INSTRUMENT_NOT_FOUND, key=form_id)
    return _stored(record)


def instrument_source(*, session: Session, instrument_id: int) -> tuple[str, bytes]:
    """The original file name and bytes of a stored version."""
    record = session.get(InstrumentRecord, instrument_id)
    if record is None:
        raise SociaparisError(SurveyError.INSTRUMENT_NOT_FOUND, key=instrument_id)
    return record.source_filename, record.source
