"""ODK's text for time, dateTime, geopoint, geotrace and geoshape answers (pure).

ODK stores every answer as text. This module reads what a respondent typed (or
what a browser's ``<input type="time">`` and ``datetime-local`` send) and writes
it as ODK Collect and Enketo store it:

========== ============================== =====================================
type       accepted                       stored
========== ============================== =====================================
time       ``14:30``, ``14h30``,          ``14:30:00.000+01:00`` (the offset of
           ``14:30:15``, with an offset   the server's clock when none is given)
dateTime   ``2026-03-05T14:30``, a space  ``2026-03-05T14:30:00.000+01:00`` (the
           for the ``T``, seconds,        offset of the clock's time zone on that
           an offset                      day when none is given)
geopoint   ``lat lon [alt [acc]]``, a     ``48.8566 2.3522 35 5``: latitude and
           comma decimal mark allowed     longitude in degrees, altitude and
                                          accuracy in metres (0 when not given)
geotrace   points separated by ``;`` or   points as above joined by ``;``, at
           line breaks                    least 2
geoshape   as geotrace                    closed (the first point repeated at the
                                          end), at least 3 distinct points
========== ============================== =====================================

Each ``*_text`` function returns the stored text, or raises ``ValueError`` with
the reason (in English, for ``simulate``'s messages) when the text is not one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from sociaparis.core.errors import Reason
from sociaparis.survey.xpath import to_string

_TIME = re.compile(
    r"(?P<hour>[0-9]{1,2})\s*[:hH]\s*(?P<minute>[0-9]{2})?"
    r"(?::(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]{1,6}))?)?"
    r"(?P<offset>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_DATETIME = re.compile(r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<time>.+)")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")

#: Kinds of answer this module writes.
FORMATTED_TYPES = frozenset({"time", "dateTime", "geopoint", "geotrace", "geoshape"})


def offset_text(offset: timedelta | None) -> str:
    """An offset from UTC as ODK writes it (``+01:00``), empty for None."""
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _read_time(raw: str) -> tuple[time, str | None]:
    match = _TIME.fullmatch(raw.strip())
    if match is None:
        raise _refused("not a time written HH:MM", "ce n'est pas une heure écrite HH:MM")
    hour = int(match.group("hour"))
    minute = int(match.group("minute") or 0)
    second = int(match.group("second") or 0)
    micro = int(((match.group("fraction") or "") + "000000")[:6])
    if hour > 23 or minute > 59 or second > 59:
        raise _refused(
            "not a time of the day (00:00 to 23:59)",
            "ce n'est pas une heure de la journée (de 00:00 à 23:59)",
        )
    offset = match.group("offset")
    if offset is not None and offset != "Z":
        digits = offset[1:].replace(":", "")
        if int(digits[:2]) > 14 or (len(digits) > 2 and int(digits[2:4]) > 59):
            raise _refused(
                "its offset from UTC is not one",
                "son décalage par rapport à UTC n'en est pas un",
            )
        offset = f"{offset[0]}{digits[:2]}:{digits[2:4] or '00'}"
    return time(hour, minute, second, micro), offset


def _clock(moment: time) -> str:
    milliseconds = moment.microsecond // 1000
    return f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{milliseconds:03d}"


def time_text(raw: str, *, offset: timedelta | None = None) -> str:
    """ODK's time text of ``raw``; ``offset`` is written when ``raw`` has none.

    >>> time_text("14h30", offset=timedelta(hours=1))
    '14:30:00.000+01:00'
    >>> time_text("08:05:09.5Z")
    '08:05:09.500Z'
    """
    moment, written = _read_time(raw)
    return _clock(moment) + (written if written is not None else offset_text(offset))


def datetime_text(raw: str, *, zone: tzinfo | None = None) -> str:
    """ODK's dateTime text of ``raw``; without an offset, ``zone``'s on that day.

    >>> from datetime import timezone
    >>> datetime_text("2026-03-05 14:30", zone=timezone(timedelta(hours=1)))
    '2026-03-05T14:30:00.000+01:00'
    """
    match = _DATETIME.fullmatch(raw.strip())
    if match is None:
        raise _refused(
            "not a date and time written YYYY-MM-DD HH:MM",
            "ce n'est pas une date et une heure écrites AAAA-MM-JJ HH:MM",
        )
    try:
        day = date.fromisoformat(match.group("date"))
    except ValueError:
        raise _refused(
            "not a date of the calendar", "cette date n'existe pas dans le calendrier"
        ) from None
    moment, written = _read_time(match.group("time"))
    if written is None and zone is not None:
        written = offset_text(datetime.combine(day, moment, zone).utcoffset())
    return f"{day.isoformat()}T{_clock(moment)}{written or ''}"


def wall_clock(kind: str, stored: str) -> str:
    """What a ``time`` or ``datetime-local`` input shows of a stored answer.

    ``'14:30:00.000+01:00'`` -> ``'14:30'``; seconds are kept when not zero.
    Text that is not a well-formed answer is shown as it is (the respondent
    typed it and is told what is wrong).
    """
    try:
        if kind == "time":
            moment, _ = _read_time(stored)
            prefix = ""
        else:
            match = _DATETIME.fullmatch(stored.strip())
            if match is None:
                return stored
            moment, _ = _read_time(match.group("time"))
            prefix = match.group("date") + "T"
    except ValueError:
        return stored
    shown = f"{moment.hour:02d}:{moment.minute:02d}"
    if moment.second:
        shown += f":{moment.second:02d}"
    return prefix + shown


#: the parts of a point, in French, for the messages
_PARTS_FR = {
    "latitude": "la latitude",
    "longitude": "la longitude",
    "altitude": "l'altitude",
    "accuracy": "la précision",
}


def _refused(en: str, fr: str) -> ValueError:
    """The ``ValueError`` of a malformed answer; its argument, a
    :class:`~sociaparis.core.errors.Reason`, reads as the English."""
    return ValueError(Reason(en=en, fr=fr))


def _number(token: str, what: str) -> float:
    if not _NUMBER.fullmatch(token):
        raise _refused(
            f"the {what} '{token}' is not a number",
            f"{_PARTS_FR[what]} « {token} » n'est pas un nombre",
        )
    return float(token.replace(",", "."))


def _point(text: str) -> tuple[float, float, float, float]:
    tokens = text.split()
    if len(tokens) < 2:
        raise _refused(
            "a point needs a latitude and a longitude",
            "un point demande une latitude et une longitude",
        )
    if len(tokens) > 4:
        raise _refused(
            "a point is latitude, longitude, altitude and accuracy",
            "un point s'écrit latitude, longitude, altitude et précision",
        )
    latitude = _number(tokens[0], "latitude")
    longitude = _number(tokens[1], "longitude")
    altitude = _number(tokens[2], "altitude") if len(tokens) > 2 else 0.0
    accuracy = _number(tokens[3], "accuracy") if len(tokens) > 3 else 0.0
    if not -90 <= latitude <= 90:
        raise _refused(
            f"the latitude {tokens[0]} is not between -90 and 90",
            f"la latitude {tokens[0]} n'est pas comprise entre -90 et 90",
        )
    if not -180 <= longitude <= 180:
        raise _refused(
            f"the longitude {tokens[1]} is not between -180 and 180",
            f"la longitude {tokens[1]} n'est pas comprise entre -180 et 180",
        )
    if accuracy < 0:
        raise _refused(
            f"the accuracy {tokens[3]} is negative",
            f"la précision {tokens[3]} est négative",
        )
    return latitude, longitude, altitude, accuracy


def _point_text(point: tuple[float, float, float, float]) -> str:
    return " ".join(to_string(value) for value in point)


def geopoint_text(raw: str) -> str:
    """ODK's geopoint text: ``'lat lon alt acc'`` in degrees and metres.

    >>> geopoint_text("48,8566 2,3522")
    '48.8566 2.3522 0 0'
    """
    return _point_text(_point(raw))


def geopoint_parts(stored: str) -> tuple[str, str, str, str]:
    """Latitude, longitude, altitude and accuracy as the inputs show them.

    A stored answer's altitude and accuracy of 0 (not given) show as empty, and
    so does the ``?`` the page submission puts for a part left empty.
    """
    parts = (stored.split(" ") + ["", "", "", ""])[:4]
    return (
        "" if parts[0] == "?" else parts[0],
        "" if parts[1] == "?" else parts[1],
        "" if parts[2] == "0" else parts[2],
        "" if parts[3] == "0" else parts[3],
    )


def _points(raw: str) -> list[tuple[float, float, float, float]]:
    texts = [part.strip() for part in re.split(r"[;\n]", raw) if part.strip()]
    points = []
    for number, text in enumerate(texts, start=1):
        try:
            points.append(_point(text))
        except ValueError as exc:
            inner = problem_reason(exc)
            raise _refused(
                f"point {number}: {inner.en}", f"point {number} : {inner.fr}"
            ) from None
    return points


def geotrace_text(raw: str) -> str:
    """ODK's geotrace text: at least two points joined by ``;``.

    >>> geotrace_text("48.85 2.35\\n48.86 2.36 10 3")
    '48.85 2.35 0 0;48.86 2.36 10 3'
    """
    points = _points(raw)
    if len(points) < 2:
        raise _refused(
            "a line needs at least 2 points", "une ligne demande au moins 2 points"
        )
    return ";".join(_point_text(point) for point in points)


def geoshape_text(raw: str) -> str:
    """ODK's geoshape text: a closed line of at least three distinct points.

    The first point is repeated at the end when it is not already there, as
    ODK Collect closes a shape.

    >>> geoshape_text("0 0; 0 1; 1 1")
    '0 0 0 0;0 1 0 0;1 1 0 0;0 0 0 0'
    """
    points = _points(raw)
    if points and points[0][:2] != points[-1][:2]:
        points.append(points[0])
    distinct = {point[:2] for point in points}
    if len(distinct) < 3:
        raise _refused(
            "a shape needs at least 3 different points",
            "une forme demande au moins 3 points différents",
        )
    return ";".join(_point_text(point) for point in points)


class _SystemZone(tzinfo):
    """The rules of the system's local time zone (summer time included)."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        return dt.replace(tzinfo=None).astimezone().utcoffset()

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


_SYSTEM_ZONE = _SystemZone()


def _zone(moment: datetime | None) -> tzinfo | None:
    """The zone a dateTime typed without an offset is read in.

    The moment's own; but the server's clock (``datetime.now().astimezone()``)
    carries only today's fixed offset, so a moment whose offset is the
    system's at that instant stands for the system's zone, whose rules give a
    summer date its summer offset.
    """
    if moment is None or moment.tzinfo is None:
        return None
    if isinstance(moment.tzinfo, timezone) and (
        moment.utcoffset() == moment.astimezone().utcoffset()
    ):
        return _SYSTEM_ZONE
    return moment.tzinfo


#: The years :func:`zone_offsets` follows a zone's changes over; a dateTime out
#: of them takes the offset of the nearest year in them.
ZONE_YEARS = (1850, 2150)


def _offset_minutes(zone: tzinfo, wall: datetime) -> int:
    offset = wall.replace(tzinfo=zone).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


@lru_cache(maxsize=8)
def _zone_offsets(zone: tzinfo) -> tuple[tuple[int, int], ...]:
    first, last = ZONE_YEARS
    day = datetime(first, 1, 1)
    end = datetime(last + 1, 1, 1)
    epoch = datetime(1970, 1, 1)
    current = _offset_minutes(zone, day)
    changes = [(-(2**53), current)]
    one_day = timedelta(days=1)
    while day < end:
        following = day + one_day
        offset = _offset_minutes(zone, following)
        if offset != current:
            # The first minute of the day that has the new offset.
            low, high = 0, 1440
            while high - low > 1:
                middle = (low + high) // 2
                if _offset_minutes(zone, day + timedelta(minutes=middle)) == offset:
                    high = middle
                else:
                    low = middle
            start = day + timedelta(minutes=high)
            changes.append((int((start - epoch).total_seconds() // 60), offset))
            current = offset
        day = following
    return tuple(changes)


def zone_offsets(moment: datetime | None) -> tuple[tuple[int, int], ...] | None:
    """The offsets a dateTime typed without one takes, as :func:`formatted` gives
    them with the clock ``moment``: ``(first wall-clock minute since 1970-01-01,
    offset in minutes)`` pairs in order, each holding until the next (the
    first from the start of time); None when such a dateTime gets no offset.

    A fixed offset is one pair; a zone with rules (summer time) has a pair per
    change over the years :data:`ZONE_YEARS`, found day by day, then to the
    minute.
    """
    zone = _zone(moment)
    if zone is None:
        return None
    if isinstance(zone, timezone):
        return ((-(2**53), _offset_minutes(zone, datetime(2000, 1, 1))),)
    return _zone_offsets(zone)


def formatted(kind: str, raw: str, *, moment: datetime | None = None) -> str:
    """``raw`` as ODK stores an answer of ``kind`` (``ValueError`` if it is not one).

    ``moment`` (an aware datetime, the evaluation's clock) gives the offset of a
    time, and the time zone of a dateTime, typed without one (the system's
    rules when ``moment`` is the server's clock: see :func:`_zone`).
    """
    if kind == "time":
        return time_text(raw, offset=moment.utcoffset() if moment else None)
    if kind == "dateTime":
        return datetime_text(raw, zone=_zone(moment))
    if kind == "geopoint":
        return geopoint_text(raw)
    if kind == "geotrace":
        return geotrace_text(raw)
    if kind == "geoshape":
        return geoshape_text(raw)
    raise _refused(
        f"no ODK text format for the type {kind}",
        f"aucun format de texte ODK pour le type {kind}",
    )


def problem_reason(exc: ValueError) -> Reason:
    """Why an answer was refused, in both languages: the reason of a
    ``ValueError`` of this module, another's message as it is."""
    return Reason.of(exc.args[0] if len(exc.args) == 1 else str(exc))


def format_problem(kind: str, raw: str) -> Reason | None:
    """Why ``raw`` is not an answer of ``kind`` (English and French), None when
    it is one."""
    try:
        formatted(kind, raw)
    except ValueError as exc:
        return problem_reason(exc)
    return None
