"""The engine's record of a response as exports write it, kept when it is saved.

An export writes, for each response, the engine's record of its answers on
the version it was answered on (:meth:`~sociaparis.survey.logic.FormState.record`:
relevance applied, calculations filled), evaluated at the moment the response
was last saved. Evaluating 100,000 responses again at each export took two
thirds of its time, so the record is computed once, when the response is
completed, and kept as an export row (``responses.record``: a JSON list, one
value per column of the export, which the export turns into columns at once);
the export evaluates only the responses that have none kept (in progress, or
stored before rows were kept). Pure functions: the callers store and read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.tables import export_row
from sociaparis.survey.logic import evaluate_form

#: The version of the engine's semantics and of the row layout a kept record
#: was made by. Bump it when a change of the engine changes records, or of
#: :func:`~sociaparis.survey.io.tables.export_row` changes rows: the kept ones
#: are then evaluated again by the exports (never served stale) and by
#: :func:`~sociaparis.survey.exports.keep_records`.
RECORD_ENGINE = 1


def saved_moment(
    *, started_on: date | None, completed_on: date | None, updated_at: datetime | None
) -> datetime | None:
    """The moment ``today()`` and ``now()`` saw when the response was last saved.

    Its last save's time where times are kept, else noon UTC of the day it was
    completed (or started): an anonymous response keeps dates only.
    """
    if updated_at is not None:
        return (
            updated_at
            if updated_at.tzinfo is not None
            else updated_at.replace(tzinfo=UTC)
        )
    on = completed_on or started_on
    if on is not None:
        return datetime.combine(on, time(12), UTC)
    return None


def export_record(
    instrument: Instrument,
    answers: Mapping[str, Any],
    *,
    started_on: date | None,
    completed_on: date | None,
    updated_at: datetime | None,
) -> list[Any]:
    """The row an export writes for ``answers`` saved with these dates.

    Parameters
    ----------
    instrument
        The version the response was answered on.
    answers
        The stored answers.
    started_on, completed_on, updated_at
        The response's columns as stored (:func:`saved_moment`).

    Returns
    -------
    list
        The engine's record as an export row
        (:func:`~sociaparis.survey.io.tables.export_row`: the values of the
        questions and calculations outside repeats, strings or None, then the
        outer repeats' instances): JSON as it is, so that a kept row reads
        back equal.
    """
    moment = saved_moment(
        started_on=started_on, completed_on=completed_on, updated_at=updated_at
    )
    return export_row(instrument, evaluate_form(instrument, answers, now=moment).record())
