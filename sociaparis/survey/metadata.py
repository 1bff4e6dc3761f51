"""What the server fills in ODK's metadata questions, from what a response row holds.

ODK Collect fills ``start``, ``end`` and ``today`` on the phone. sociaparis
records no value of its own for them: it gives them, in exports, what the
response row already keeps (:class:`~sociaparis.survey.models.ResponseRecord`),
so that filling them can never store more than the fielding's anonymity rules
allow (docs/fielding.md, "Anonymity"):

- in an anonymous survey the row keeps dates only, so ``start``, ``end`` and
  ``today`` are dates (``2026-11-25``);
- in a named survey ``start`` is the time the response was started and ``end``
  the time it was last saved, as ODK dateTimes in UTC
  (``2026-11-25T14:37:12.000+00:00``);
- every other metadata type (``deviceid``, ``username``, ``phonenumber``,
  ``email``, ``simserial``, ``subscriberid``, ``start-geopoint``...) stays
  empty: a browser does not give them, and the check says so (``SURVEY_W03``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sociaparis.core.caches import BoundedCache
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.xpath.dates import now_string

#: The metadata types the server fills (the others stay empty).
FILLED = frozenset({"start", "end", "today"})


def _at(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return now_string(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def metadata_values(
    instrument: Instrument,
    *,
    started_on: date | None,
    started_at: datetime | None,
    completed_on: date | None,
    updated_at: datetime | None,
) -> dict[str, str]:
    """The value of each ``start``, ``end`` and ``today`` question outside repeats.

    Parameters
    ----------
    instrument
        The questionnaire (its metadata questions, whatever their spelling).
    started_on, completed_on
        The days the response was started and sent (None: not sent yet).
    started_at, updated_at
        The times it was started and last saved: None in an anonymous survey,
        which then gets dates only.

    Examples
    --------
    >>> from sociaparis.survey.xlsform import parse_xlsform
    >>> md = "| survey |\\n| | type | name |\\n| | start | s |\\n| | end | e |\\n"
    >>> form = parse_xlsform(md.encode(), filename="f.md").instrument
    >>> metadata_values(form, started_on=date(2026, 11, 25), started_at=None,
    ...                 completed_on=date(2026, 11, 26), updated_at=None)
    {'s': '2026-11-25', 'e': '2026-11-26'}
    """
    filled = filled_questions(instrument)
    if not filled:
        return {}
    start = _at(started_at) or (started_on.isoformat() if started_on else "")
    end = _at(updated_at) or (completed_on.isoformat() if completed_on else "")
    today = started_on.isoformat() if started_on else ""
    values = {"start": start, "end": end, "today": today}
    return {name: values[kind] for name, kind in filled}


def filled_questions(instrument: Instrument) -> tuple[tuple[str, str], ...]:
    """Name and type of the ``start``, ``end`` and ``today`` questions outside
    repeats, worked out once per questionnaire (an export asks per response)."""
    return _FILLED.get(
        instrument.content_hash,
        lambda _: tuple(
            (question.name, question.type)
            for question in instrument.questions
            if question.type in FILLED and question.repeat is None
        ),
    )


_FILLED: BoundedCache[str, tuple[tuple[str, str], ...]] = BoundedCache(maxsize=64)
