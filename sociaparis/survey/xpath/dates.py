"""ODK date, dateTime and time strings: parsing, days since the epoch, formatting.

Dates are plain strings in XForms (``YYYY-MM-DD`` and
``YYYY-MM-DDTHH:MM:SS.sss+HH:MM``).  In a numeric context they become the
number of days since 1970-01-01 UTC (the ODK XForms ``number()`` extension).
A date without a time is midnight UTC; a dateTime without an offset is read as
UTC, because a server has no "device time zone" (see docs/xpath.md). A time
(``HH:MM:SS.sss+HH:MM``) becomes the fraction of the day its wall-clock time
is, whatever its offset (:func:`time_to_days`).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1)
_SECONDS_PER_DAY = 86400.0

DATE_RE = re.compile(r"[ \t\r\n]*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ \t\r\n]*")
DATETIME_RE = re.compile(
    r"[ \t\r\n]*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})T([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]+))?)?(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?[ \t\r\n]*"
)
#: An ODK time: ``HH:MM``, ``HH:MM:SS`` or ``HH:MM:SS.sss``, with an optional offset.
TIME_RE = re.compile(
    r"[ \t\r\n]*([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?[ \t\r\n]*"
)

_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FORMAT_RE = re.compile(r"%([YymnbdeaHhMS3])")


def _offset_minutes(text: str | None) -> int:
    """Minutes east of UTC for ``Z``, ``+HH``, ``+HHMM`` or ``+HH:MM``."""
    if text is None or text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return sign * minutes


def parse_wall_clock(text: str) -> tuple[datetime, int] | None:
    """Parse a date or dateTime string into (wall-clock datetime, offset minutes).

    Returns None when ``text`` is not a valid date or dateTime.
    """
    match = DATE_RE.fullmatch(text)
    try:
        if match is not None:
            year, month, day = (int(g) for g in match.groups())
            return datetime(year, month, day), 0
        match = DATETIME_RE.fullmatch(text)
        if match is None:
            return None
        year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
        second = int(match.group(6) or 0)
        fraction = match.group(7) or ""
        micro = int((fraction + "000000")[:6])
        if hour == 24 and minute == 0 and second == 0 and micro == 0:
            moment = datetime(year, month, day) + timedelta(days=1)
        else:
            moment = datetime(year, month, day, hour, minute, second, micro)
        return moment, _offset_minutes(match.group(8))
    except (ValueError, OverflowError):
        return None


def string_to_days(text: str) -> float | None:
    """Days since 1970-01-01 UTC for a date/dateTime string (the fraction of the
    day for a time), else None."""
    match = DATE_RE.fullmatch(text)
    if match is not None:
        try:
            year, month, day = (int(g) for g in match.groups())
            return float(date(year, month, day).toordinal() - _EPOCH_ORDINAL)
        except ValueError:
            return None
    parsed = parse_wall_clock(text)
    if parsed is None:
        return time_to_days(text)
    moment, offset = parsed
    delta = moment - _EPOCH
    seconds = delta.days * _SECONDS_PER_DAY + delta.seconds + delta.microseconds / 1e6
    return (seconds - offset * 60) / _SECONDS_PER_DAY


def time_to_days(text: str) -> float | None:
    """The fraction of the day of an ODK time string, as written; None if not a time.

    ``'06:00:00.000-07:00'`` is ``0.25``, as ODK's ``decimal-time()`` gives: the
    wall-clock time the respondent saw, whatever the offset (a server has no
    device time zone, and a time alone has no day on which to convert it).
    """
    match = TIME_RE.fullmatch(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    fraction = float("0." + match.group(4)) if match.group(4) else 0.0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return (hour * 3600 + minute * 60 + second + fraction) / _SECONDS_PER_DAY


def days_to_datetime(days: float) -> datetime | None:
    """The UTC wall-clock moment ``days`` after the epoch, or None if out of range."""
    if math.isnan(days) or math.isinf(days):
        return None
    try:
        return _EPOCH + timedelta(days=days)
    except OverflowError:
        return None


def days_to_date_string(days: float) -> str:
    """``YYYY-MM-DD`` of the day containing ``days`` since the epoch, or ''."""
    if math.isnan(days) or math.isinf(days) or abs(days) > 3_000_000:
        return ""
    ordinal = _EPOCH_ORDINAL + math.floor(days)
    if not 1 <= ordinal <= date.max.toordinal():
        return ""
    return date.fromordinal(ordinal).isoformat()


def format_datetime(moment: datetime, pattern: str) -> str:
    """Apply the ODK ``format-date-time`` identifiers to ``moment``."""

    def field(match: re.Match[str]) -> str:
        code = match.group(1)
        if code == "Y":
            return f"{moment.year:04d}"
        if code == "y":
            return f"{moment.year % 100:02d}"
        if code == "m":
            return f"{moment.month:02d}"
        if code == "n":
            return str(moment.month)
        if code == "b":
            return _MONTHS[moment.month - 1]
        if code == "d":
            return f"{moment.day:02d}"
        if code == "e":
            return str(moment.day)
        if code == "a":
            return _DAYS[moment.weekday()]
        if code == "H":
            return f"{moment.hour:02d}"
        if code == "h":
            return str(moment.hour)
        if code == "M":
            return f"{moment.minute:02d}"
        if code == "S":
            return f"{moment.second:02d}"
        return f"{moment.microsecond // 1000:03d}"

    return _FORMAT_RE.sub(field, pattern)


def now_string(moment: datetime) -> str:
    """ODK dateTime text for ``moment``: local time with its offset (UTC if naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    stamp = format_datetime(moment, "%Y-%m-%dT%H:%M:%S.%3")
    return f"{stamp}{sign}{hours:02d}:{mins:02d}"


def today_string(moment: datetime) -> str:
    """ODK date text of the local day of ``moment``."""
    return moment.date().isoformat()
