"""XPath 1.0 values and their conversions (XPath 1.0 §3.4, §4.2-4.4).

A value is a ``bool``, a ``float`` (every number, NaN and infinities
included), a ``str`` or a :class:`NodeSet` (the string values of the nodes a
``${name}`` reference selects, in document order).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from decimal import Decimal

from sociaparis.core.caches import memoized
from sociaparis.survey.xpath.dates import string_to_days

NAN = float("nan")
INF = float("inf")

_NUMBER_RE = re.compile(r"[ \t\r\n]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\r\n]*")


class NodeSet(tuple[str, ...]):
    """The string values of the nodes selected by a reference, in document order."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"NodeSet({list(self)!r})"


Value = bool | float | str | NodeSet


def number_to_string(number: float) -> str:
    """XPath 1.0 ``string()`` of a number: no exponent, no trailing ``.0``."""
    if number != number:
        return "NaN"
    if number == INF:
        return "Infinity"
    if number == -INF:
        return "-Infinity"
    if number == int(number) and abs(number) < 1e16:
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def string_to_number(text: str) -> float:
    """XPath 1.0 ``number()`` of a string, extended to ODK date/dateTime strings.

    Optional whitespace, an optional minus sign and decimal digits with an
    optional point; anything else (exponents, '+', '') is NaN.  A date or
    dateTime string gives the days since 1970-01-01 UTC.  Short strings (all
    answers that can be numbers or dates) are memoized.
    """
    if len(text) <= 40:
        return _cached_string_to_number(text)
    return _string_to_number(text)


def _string_to_number(text: str) -> float:
    match = _NUMBER_RE.fullmatch(text)
    if match is not None:
        return float(match.group(1))
    days = string_to_days(text)
    return NAN if days is None else days


_cached_string_to_number = memoized(maxsize=8192)(_string_to_number)


def to_string(value: Value) -> str:
    """Convert a value with XPath 1.0 ``string()``.

    Parameters
    ----------
    value
        Any XPath value.

    Returns
    -------
    str
        ``"true"``/``"false"`` for booleans, numbers without exponent (``"3"``,
        ``"2.5"``, ``"NaN"``, ``"Infinity"``), the first node of a node-set or ``""``.

    Examples
    --------
    >>> to_string(2.0), to_string(-0.5), to_string(True), to_string(NodeSet(()))
    ('2', '-0.5', 'true', '')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, NodeSet):
        return value[0] if value else ""
    return number_to_string(value)


def to_number(value: Value) -> float:
    """Convert a value with XPath 1.0 ``number()`` (plus ODK dates).

    Parameters
    ----------
    value
        Any XPath value.

    Returns
    -------
    float
        1/0 for booleans; for strings and node-sets (first node) the decimal
        number they spell, days since 1970-01-01 for date strings, else NaN.

    Examples
    --------
    >>> to_number(" 12.5 "), to_number("1970-01-11"), to_number("")
    (12.5, 10.0, nan)
    """
    if isinstance(value, str):
        return string_to_number(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, NodeSet):
        return string_to_number(value[0]) if value else NAN
    return float(value)


def to_boolean(value: Value) -> bool:
    """Convert a value with XPath 1.0 ``boolean()``.

    Parameters
    ----------
    value
        Any XPath value.

    Returns
    -------
    bool
        False for 0, NaN, ``""`` and the empty node-set; True otherwise (a
        node-set holding one empty node is True).

    Examples
    --------
    >>> to_boolean(0.0), to_boolean("false"), to_boolean(NodeSet(("",)))
    (False, True, True)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or value != value)
    return len(value) > 0


def equals(left: Value, right: Value) -> bool:
    """XPath 1.0 ``=`` (§3.4), with node-sets compared existentially."""
    if isinstance(left, NodeSet):
        if isinstance(right, NodeSet):
            return not set(left).isdisjoint(right)
        if isinstance(right, bool):
            return (len(left) > 0) == right
        if isinstance(right, float):
            return any(string_to_number(node) == right for node in left)
        return right in left
    if isinstance(right, NodeSet):
        return equals(right, left)
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return to_number(left) == to_number(right)
    return left == right


def not_equals(left: Value, right: Value) -> bool:
    """XPath 1.0 ``!=`` (§3.4): true if some pair of values differs."""
    if isinstance(left, NodeSet):
        if isinstance(right, NodeSet):
            return bool(left) and bool(right) and len(set(left) | set(right)) > 1
        if isinstance(right, bool):
            return (len(left) > 0) != right
        if isinstance(right, float):
            return any(string_to_number(node) != right for node in left)
        return any(node != right for node in left)
    if isinstance(right, NodeSet):
        return not_equals(right, left)
    return not equals(left, right)


Relation = Callable[[float, float], bool]
RELATIONS: dict[str, Relation] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def relate(relation: Relation, left: Value, right: Value) -> bool:
    """XPath 1.0 ``<``, ``<=``, ``>``, ``>=`` (§3.4): compare as numbers."""
    if isinstance(left, NodeSet):
        if isinstance(right, NodeSet):
            rights = [string_to_number(node) for node in right]
            return any(
                relation(string_to_number(node), r) for node in left for r in rights
            )
        if isinstance(right, bool):
            return relation(float(len(left) > 0), float(right))
        number = to_number(right)
        return any(relation(string_to_number(node), number) for node in left)
    if isinstance(right, NodeSet):
        if isinstance(left, bool):
            return relation(float(left), float(len(right) > 0))
        number = to_number(left)
        return any(relation(number, string_to_number(node)) for node in right)
    return relation(to_number(left), to_number(right))


def divide(left: float, right: float) -> float:
    """IEEE 754 division: x div 0 is ±Infinity, 0 div 0 is NaN."""
    if right == 0.0:
        if left == 0.0 or left != left:
            return NAN
        return math.copysign(INF, left) * math.copysign(1.0, right)
    return left / right


def modulo(left: float, right: float) -> float:
    """XPath ``mod``: remainder of truncating division (sign of the dividend)."""
    if right == 0.0 or right != right or left != left or math.isinf(left):
        return NAN
    if math.isinf(right):
        return left
    return math.fmod(left, right)
