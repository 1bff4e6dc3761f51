"""The function library: XPath 1.0 core functions and the ODK XForms extensions.

Each entry of :data:`FUNCTIONS` knows its arity and builds, once at parse
time, a closure that evaluates the call against a context.
"""

from __future__ import annotations

import math
import random
import re
import secrets
import string
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import partial
from typing import Any, NamedTuple

import re2

from sociaparis.core.caches import memoized
from sociaparis.core.errors import Reason
from sociaparis.survey.xpath.dates import (
    DATE_RE,
    days_to_date_string,
    days_to_datetime,
    format_datetime,
    now_string,
    parse_wall_clock,
    time_to_days,
    today_string,
)
from sociaparis.survey.xpath.errors import XPathError, XPathErrorCode
from sociaparis.survey.xpath.lexer import valid_name
from sociaparis.survey.xpath.values import (
    INF,
    NAN,
    NodeSet,
    Value,
    string_to_number,
    to_boolean,
    to_number,
    to_string,
)

Fn = Callable[[Any], Value]
#: Longest text concat() and join() may build, in characters (ten answers of the
#: longest length a page accepts).
MAX_STRING_LENGTH = 100_000
_XPATH_SPACE = re.compile(r"[ \t\r\n]+")
_CHOICE_REF = re.compile(r"[ \t\r\n]*\$\{([^{}]*)\}[ \t\r\n]*")


class Call(NamedTuple):
    """What a builder knows about the call it compiles."""

    name: str
    pos: int
    source: str
    args: tuple[Any, ...]  # parser nodes, for static checks


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """Arity, human signature and closure builder of one function."""

    min_args: int
    max_args: int | None
    signature: str
    build: Callable[[Call, list[Fn]], Fn]
    summary: str
    nodeset_args: tuple[int, ...] = ()
    default_current: bool = False
    append_current: bool = False


def _eager(impl: Callable[..., Value]) -> Callable[[Call, list[Fn]], Fn]:
    """Builder for functions whose arguments are all evaluated first."""

    def build(call: Call, fns: list[Fn]) -> Fn:
        if not fns:
            return lambda ctx: impl()
        if len(fns) == 1:
            (a,) = fns
            return lambda ctx: impl(a(ctx))
        if len(fns) == 2:
            a, b = fns
            return lambda ctx: impl(a(ctx), b(ctx))
        if len(fns) == 3:
            a, b, c = fns
            return lambda ctx: impl(a(ctx), b(ctx), c(ctx))
        return lambda ctx: impl(*[f(ctx) for f in fns])

    return build


def _strings(values: Sequence[Value]) -> list[str]:
    """String values of the arguments, every node of node-sets included (ODK)."""
    out: list[str] = []
    for value in values:
        if isinstance(value, NodeSet):
            out.extend(value)
        else:
            out.append(to_string(value))
    return out


def _numbers(values: Sequence[Value]) -> list[float]:
    out: list[float] = []
    for value in values:
        if isinstance(value, NodeSet):
            out.extend(string_to_number(node) for node in value)
        else:
            out.append(to_number(value))
    return out


def _index(number: float, length: int) -> int:
    """A float index truncated towards zero and clamped to a slice range."""
    if number != number:
        return 0
    if math.isinf(number):
        return length if number > 0 else -length
    return max(-length, min(length, int(number)))


# ----------------------------------------------------------------- strings


def _substr(value: Value, start: Value, end: Value | None = None) -> str:
    text = to_string(value)
    first = _index(to_number(start), len(text))
    if end is None:
        return text[first:]
    return text[first : _index(to_number(end), len(text))]


def _xpath_round(number: float) -> float:
    return math.floor(number + 0.5) if math.isfinite(number) else number


def _substring(value: Value, start: Value, length: Value | None = None) -> str:
    text = to_string(value)
    first = _xpath_round(to_number(start))
    last = INF if length is None else first + _xpath_round(to_number(length))
    low = max(first, 1.0)
    high = min(last, len(text) + 1.0)
    if low != low or high != high or high <= low:
        return ""
    return text[int(low) - 1 : int(high) - 1]


def _before(value: Value, needle: Value) -> str:
    text, sub = to_string(value), to_string(needle)
    found = text.find(sub)
    return text[:found] if found >= 0 else ""


def _after(value: Value, needle: Value) -> str:
    text, sub = to_string(value), to_string(needle)
    found = text.find(sub)
    return text[found + len(sub) :] if found >= 0 else ""


def _translate(value: Value, source: Value, target: Value) -> str:
    text, src, dst = to_string(value), to_string(source), to_string(target)
    table: dict[int, int | None] = {}
    for i, char in enumerate(src):
        if ord(char) not in table:
            table[ord(char)] = ord(dst[i]) if i < len(dst) else None
    return text.translate(table)


def _normalize_space(value: Value) -> str:
    return _XPATH_SPACE.sub(" ", to_string(value)).strip(" ")


def _coalesce(first: Value, second: Value) -> str:
    text = to_string(first)
    return text if text else to_string(second)


def _joined(call: Call, separator: str, parts: list[str]) -> str:
    """``parts`` joined by ``separator``, refused beyond :data:`MAX_STRING_LENGTH`."""
    length = sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)
    if length > MAX_STRING_LENGTH:
        raise XPathError(
            XPathErrorCode.STRING_TOO_LONG,
            name=call.name,
            expression=call.source,
            position=call.pos + 1,
            length=length,
            limit=MAX_STRING_LENGTH,
        )
    return separator.join(parts)


def _build_concat(call: Call, fns: list[Fn]) -> Fn:
    return lambda ctx: _joined(call, "", _strings([fn(ctx) for fn in fns]))


def _build_join(call: Call, fns: list[Fn]) -> Fn:
    separator, *values = fns

    def evaluate(ctx: Any) -> Value:
        return _joined(
            call, to_string(separator(ctx)), _strings([fn(ctx) for fn in values])
        )

    return evaluate


# ----------------------------------------------------------------- selects


def _selected(values: Value, value: Value) -> bool:
    return to_string(value).strip() in to_string(values).split()


def _count_selected(values: Value) -> float:
    return float(len(to_string(values).split()))


def _selected_at(values: Value, index: Value) -> str:
    items = to_string(values).split()
    number = to_number(index)
    if not math.isfinite(number):
        return ""
    position = int(number)
    return items[position] if 0 <= position < len(items) else ""


# ----------------------------------------------------------------- numbers


def _int(value: Value) -> float:
    number = to_number(value)
    return float(math.trunc(number)) if math.isfinite(number) else number


def _round(value: Value, digits: Value | None = None) -> float:
    """ODK round: half away from zero, on the number's shortest decimal form."""
    number = to_number(value)
    places = 0.0 if digits is None else to_number(digits)
    if not math.isfinite(number) or places != places:
        return number if places == places else NAN
    places = max(-400.0, min(400.0, places))
    exponent = Decimal(1).scaleb(-int(places))
    with localcontext() as context:
        context.prec = 1000
        rounded = Decimal(repr(number)).quantize(exponent, rounding=ROUND_HALF_UP)
    return float(rounded)


def _safe(function: Callable[..., float]) -> Callable[..., float]:
    """Wrap a math function so that domain errors give NaN and overflow ±Infinity."""

    def impl(*values: Value) -> float:
        numbers = [to_number(value) for value in values]
        try:
            return float(function(*numbers))
        except OverflowError:
            return INF
        except (ValueError, ZeroDivisionError):
            return NAN

    return impl


def _pow(base: float, power: float) -> float:
    if base == 0.0 and power < 0:
        odd = power == int(power) and int(power) % 2 == 1
        return math.copysign(INF, base) if odd else INF
    try:
        return math.pow(base, power)
    except OverflowError:
        odd = math.isfinite(power) and power == int(power) and int(power) % 2 == 1
        return -INF if base < 0 and odd else INF


def _floor(number: float) -> float:
    return float(math.floor(number)) if math.isfinite(number) else number


def _ceiling(number: float) -> float:
    return float(math.ceil(number)) if math.isfinite(number) else number


def _log(base_log: Callable[[float], float]) -> Callable[[float], float]:
    def impl(number: float) -> float:
        if number == 0.0:
            return -INF
        return base_log(number) if number > 0 or number != number else NAN

    return impl


def _extreme(pick: Callable[[list[float]], float]) -> Callable[..., float]:
    def impl(*values: Value) -> float:
        numbers = _numbers(values)
        if not numbers or any(number != number for number in numbers):
            return NAN
        return pick(numbers)

    return impl


# ----------------------------------------------------------------- dates


def _decimal_time(value: Value) -> float:
    """ODK ``decimal-time()``: the wall-clock fraction of the day of a time or
    dateTime string (its offset ignored), NaN for anything else."""
    text = to_string(value)
    days = time_to_days(text)
    if days is not None:
        return days
    parsed = parse_wall_clock(text)
    if parsed is None or DATE_RE.fullmatch(text):
        return NAN
    moment = parsed[0]
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return (moment - midnight).total_seconds() / 86400.0


def _date(value: Value) -> str:
    if isinstance(value, NodeSet | str):
        text = to_string(value)
        parsed = parse_wall_clock(text)
        if parsed is not None:
            return parsed[0].date().isoformat()
        return days_to_date_string(string_to_number(text))
    return days_to_date_string(to_number(value))


def _format_date(value: Value, pattern: Value) -> str:
    parsed = None
    if isinstance(value, NodeSet | str):
        wall = parse_wall_clock(to_string(value))
        parsed = wall[0] if wall is not None else None
    if parsed is None:
        parsed = days_to_datetime(to_number(value))
    return "" if parsed is None else format_datetime(parsed, to_string(pattern))


# ----------------------------------------------------------------- special builders


def _build_if(call: Call, fns: list[Fn]) -> Fn:
    condition, then, otherwise = fns
    return lambda ctx: then(ctx) if to_boolean(condition(ctx)) else otherwise(ctx)


#: what ``got`` names when an argument that must be a quoted string is not one
_AN_EXPRESSION = Reason(en="an expression", fr="une expression")


def _build_today(call: Call, fns: list[Fn]) -> Fn:
    return lambda ctx: today_string(ctx.now())


def _build_now(call: Call, fns: list[Fn]) -> Fn:
    return lambda ctx: now_string(ctx.now())


def _build_position(call: Call, fns: list[Fn]) -> Fn:
    if call.args[0].kind != "parent":
        raise XPathError(
            XPathErrorCode.SYNTAX,
            expression=call.source,
            position=call.pos + 1,
            detail=Reason(
                en="position() only supports the argument `..`, as in position(..)",
                fr="position() n'accepte que l'argument `..`, comme dans position(..)",
            ),
        )
    return lambda ctx: float(ctx.position())


def _build_indexed_repeat(call: Call, fns: list[Fn]) -> Fn:
    name, repeat = call.args[0].value, call.args[1].value
    index = fns[2]

    def evaluate(ctx: Any) -> Value:
        number = to_number(index(ctx))
        if not math.isfinite(number):
            return ""
        return ctx.indexed(name, repeat, int(number))

    return evaluate


def _build_choice_name(call: Call, fns: list[Fn]) -> Fn:
    node = call.args[1]
    question = None
    if node.kind == "str":
        match = _CHOICE_REF.fullmatch(node.value)
        candidate = match.group(1) if match else node.value.strip(" \t\r\n")
        question = candidate if valid_name(candidate) else None
    if question is None:
        raise XPathError(
            XPathErrorCode.BAD_CHOICE_NAME,
            expression=call.source,
            position=call.pos + 1,
            got=repr(node.value) if node.kind == "str" else _AN_EXPRESSION,
        )
    value = fns[0]
    return lambda ctx: ctx.choice_label(question, to_string(value(ctx)))


def _build_pulldata(call: Call, fns: list[Fn]) -> Fn:
    """``pulldata('table', column, key_column, key)`` over the form's ``table.csv``."""
    node = call.args[0]
    table = node.value.strip() if node.kind == "str" else ""
    if not table or "/" in table or "\\" in table:
        raise XPathError(
            XPathErrorCode.BAD_PULLDATA,
            expression=call.source,
            position=call.pos + 1,
            got=repr(node.value) if node.kind == "str" else _AN_EXPRESSION,
        )
    column, key_column, key = fns[1], fns[2], fns[3]
    return lambda ctx: ctx.pulldata(
        table, to_string(column(ctx)), to_string(key_column(ctx)), to_string(key(ctx))
    )


def _regex_error(call: Call, pattern: str, problem: _RegexProblem) -> XPathError:
    return XPathError(
        problem.code,
        expression=call.source,
        position=call.pos + 1,
        pattern=pattern,
        reason=problem.reason,
    )


class _RegexProblem(NamedTuple):
    """Why a pattern cannot be run: the catalog entry and RE2's reason."""

    code: XPathErrorCode
    reason: Reason | str


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the reason goes into the catalog error instead
#: Memory RE2 may use for one compiled pattern (program and matching cache).
_RE2_OPTIONS.max_mem = 1 << 20


def _search(search: Callable[[str], object], text: str) -> object:
    """``search(text)``; RE2 reads UTF-8, so a lone surrogate becomes U+FFFD."""
    try:
        return search(text)
    except UnicodeEncodeError:
        return search(text.encode("utf-8", "replace").decode("utf-8"))


# Few entries: a computed pattern may come from answers, and each compiled
# pattern may hold up to max_mem.
@memoized(maxsize=64)
def _compile_regex(pattern: str) -> Callable[[str], object] | _RegexProblem:
    """The pattern's ``search`` function, or why it cannot be run.

    Patterns run on RE2, whose matching time is linear in the length of the
    value whatever the pattern. A pattern that Python's backtracking ``re``
    accepts but RE2 refuses uses a construct RE2 lacks (backreference,
    lookaround, atomic group, possessive quantifier, repetition over 1000).
    """
    try:
        search = re2.compile(pattern, _RE2_OPTIONS).search
    except re2.error as error:
        detail = error.args[0] if error.args else b""
        reason = (
            detail.decode("utf-8", "replace") if isinstance(detail, bytes) else detail
        )
    except UnicodeEncodeError:
        return _RegexProblem(
            XPathErrorCode.BAD_REGEX,
            Reason(
                en="it holds a lone surrogate",
                fr="il contient un caractère de substitution (surrogate) isolé",
            ),
        )
    else:
        return partial(_search, search)
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError, ValueError):
        return _RegexProblem(
            XPathErrorCode.BAD_REGEX,
            reason or Reason(en="invalid pattern", fr="motif invalide"),
        )
    return _RegexProblem(
        XPathErrorCode.UNSUPPORTED_REGEX,
        reason or Reason(en="unsupported", fr="construction non prise en charge"),
    )


def _build_regex(call: Call, fns: list[Fn]) -> Fn:
    value, pattern_fn = fns
    if call.args[1].kind == "str":
        compiled = _compile_regex(call.args[1].value)
        if isinstance(compiled, _RegexProblem):
            raise _regex_error(call, call.args[1].value, compiled)
        search = compiled
        return lambda ctx: search(to_string(value(ctx))) is not None

    def evaluate(ctx: Any) -> Value:
        pattern = to_string(pattern_fn(ctx))
        dynamic = _compile_regex(pattern)
        if isinstance(dynamic, _RegexProblem):
            raise _regex_error(call, pattern, dynamic)
        return dynamic(to_string(value(ctx))) is not None

    return evaluate


def _build_nodeset(impl: Callable[[NodeSet], Value]) -> Callable[[Call, list[Fn]], Fn]:
    def build(call: Call, fns: list[Fn]) -> Fn:
        (a,) = fns
        return lambda ctx: impl(a(ctx))

    return build


def _build_once(call: Call, fns: list[Fn]) -> Fn:
    value, current = fns

    def evaluate(ctx: Any) -> Value:
        existing = to_string(current(ctx))
        return existing if existing else value(ctx)

    return evaluate


def _truths(values: Sequence[Value]) -> list[bool]:
    """One truth per answer: a node counts when it is non-empty (ODK checklist)."""
    out: list[bool] = []
    for value in values:
        if isinstance(value, NodeSet):
            out.extend(node != "" for node in value)
        else:
            out.append(to_boolean(value))
    return out


def _within(total: float, low: Value, high: Value) -> bool:
    minimum, maximum = to_number(low), to_number(high)
    return (minimum == -1 or total >= minimum) and (maximum == -1 or total <= maximum)


def _checklist(low: Value, high: Value, *values: Value) -> bool:
    return _within(float(sum(_truths(values))), low, high)


def _build_weighted_checklist(call: Call, fns: list[Fn]) -> Fn:
    if len(fns) % 2:
        raise XPathError(
            XPathErrorCode.ARITY,
            expression=call.source,
            position=call.pos + 1,
            name=call.name,
            expected=Reason(en="an even number of", fr="un nombre pair d'arguments"),
            given=len(fns),
            signature=FUNCTIONS[call.name].signature,
        )
    low, high, *rest = fns

    def evaluate(ctx: Any) -> Value:
        total = 0.0
        for i in range(0, len(rest), 2):
            if to_boolean(rest[i](ctx)):
                total += to_number(rest[i + 1](ctx))
        return _within(total, low(ctx), high(ctx))

    return evaluate


_ALPHANUMERIC = string.ascii_letters + string.digits


def _uuid(length: Value | None = None) -> str:
    if length is None:
        return str(uuid.uuid4())
    number = to_number(length)
    count = int(number) if math.isfinite(number) else 0
    return "".join(
        secrets.choice(_ALPHANUMERIC) for _ in range(max(0, min(count, 10_000)))
    )


def _sum(nodes: NodeSet) -> float:
    return sum((string_to_number(node) for node in nodes), 0.0)


def _spec(
    min_args: int,
    max_args: int | None,
    signature: str,
    build: Callable[[Call, list[Fn]], Fn],
    summary: str,
    **options: Any,
) -> FunctionSpec:
    return FunctionSpec(min_args, max_args, signature, build, summary, **options)


_e = _eager
_m = _safe

FUNCTIONS: dict[str, FunctionSpec] = {
    # boolean
    "true": _spec(0, 0, "true()", _e(lambda: True), "the boolean true"),
    "false": _spec(0, 0, "false()", _e(lambda: False), "the boolean false"),
    "not": _spec(1, 1, "not(x)", _e(lambda x: not to_boolean(x)), "negation"),
    "boolean": _spec(1, 1, "boolean(x)", _e(to_boolean), "XPath boolean()"),
    "boolean-from-string": _spec(
        1,
        1,
        "boolean-from-string(s)",
        _e(lambda s: to_string(s).strip(" \t\r\n").lower() in ("true", "1")),
        "true for 'true' or '1', false for anything else",
    ),
    "if": _spec(3, 3, "if(condition, then, else)", _build_if, "then if condition"),
    "coalesce": _spec(2, 2, "coalesce(a, b)", _e(_coalesce), "a unless empty, else b"),
    "regex": _spec(2, 2, "regex(value, 'pattern')", _build_regex, "pattern found"),
    "once": _spec(
        1, 1, "once(x)", _build_once, "current value if set, else x", append_current=True
    ),
    "checklist": _spec(
        2,
        None,
        "checklist(min, max, a, b, ...)",
        _e(_checklist),
        "count of true in range",
    ),
    "weighted-checklist": _spec(
        2,
        None,
        "weighted-checklist(min, max, a, weight_a, b, weight_b, ...)",
        _build_weighted_checklist,
        "sum of weights of true in range",
    ),
    # strings
    "string": _spec(
        0, 1, "string(x)", _e(to_string), "XPath string()", default_current=True
    ),
    "concat": _spec(0, None, "concat(a, b, ...)", _build_concat, "joined"),
    "join": _spec(1, None, "join(', ', ${q})", _build_join, "values joined by separator"),
    "string-length": _spec(
        0,
        1,
        "string-length(s)",
        _e(lambda s: float(len(to_string(s)))),
        "number of characters",
        default_current=True,
    ),
    "normalize-space": _spec(
        0,
        1,
        "normalize-space(s)",
        _e(_normalize_space),
        "whitespace trimmed and collapsed",
        default_current=True,
    ),
    "contains": _spec(
        2, 2, "contains(s, t)", _e(lambda s, t: to_string(t) in to_string(s)), "t in s"
    ),
    "starts-with": _spec(
        2,
        2,
        "starts-with(s, t)",
        _e(lambda s, t: to_string(s).startswith(to_string(t))),
        "s starts with t",
    ),
    "ends-with": _spec(
        2,
        2,
        "ends-with(s, t)",
        _e(lambda s, t: to_string(s).endswith(to_string(t))),
        "s ends with t",
    ),
    "substr": _spec(2, 3, "substr(s, start, end)", _e(_substr), "0-based slice"),
    "substring": _spec(
        2, 3, "substring(s, start, length)", _e(_substring), "XPath 1-based substring"
    ),
    "substring-before": _spec(
        2, 2, "substring-before(s, t)", _e(_before), "part before first t"
    ),
    "substring-after": _spec(
        2, 2, "substring-after(s, t)", _e(_after), "part after first t"
    ),
    "translate": _spec(3, 3, "translate(s, from, to)", _e(_translate), "map chars"),
    "uuid": _spec(0, 1, "uuid()", _e(_uuid), "random UUID (or n random characters)"),
    # selects
    "selected": _spec(2, 2, "selected(${q}, 'a')", _e(_selected), "a is chosen"),
    "count-selected": _spec(
        1, 1, "count-selected(${q})", _e(_count_selected), "number chosen"
    ),
    "selected-at": _spec(
        2, 2, "selected-at(${q}, 0)", _e(_selected_at), "0-based chosen item"
    ),
    "jr:choice-name": _spec(
        2, 2, "jr:choice-name(${q}, '${q}')", _build_choice_name, "choice label"
    ),
    # attachments
    "pulldata": _spec(
        4,
        4,
        "pulldata('table', 'column', 'key_column', key)",
        _build_pulldata,
        "column of table.csv's first row whose key_column is key",
    ),
    # numbers
    "number": _spec(
        0, 1, "number(x)", _e(to_number), "XPath number()", default_current=True
    ),
    "int": _spec(1, 1, "int(x)", _e(_int), "truncated towards zero"),
    "round": _spec(1, 2, "round(x, digits)", _e(_round), "half away from zero"),
    "floor": _spec(1, 1, "floor(x)", _e(_m(_floor)), "largest integer <= x"),
    "ceiling": _spec(1, 1, "ceiling(x)", _e(_m(_ceiling)), "smallest integer >= x"),
    "abs": _spec(1, 1, "abs(x)", _e(_m(abs)), "absolute value"),
    "pow": _spec(2, 2, "pow(x, y)", _e(_m(_pow)), "x to the power y"),
    "sqrt": _spec(1, 1, "sqrt(x)", _e(_m(math.sqrt)), "square root"),
    "exp": _spec(1, 1, "exp(x)", _e(_m(math.exp)), "e to the power x"),
    "exp10": _spec(1, 1, "exp10(x)", _e(_m(lambda x: _pow(10.0, x))), "10 ** x"),
    "log": _spec(1, 1, "log(x)", _e(_m(_log(math.log))), "natural logarithm"),
    "log10": _spec(1, 1, "log10(x)", _e(_m(_log(math.log10))), "base-10 logarithm"),
    "pi": _spec(0, 0, "pi()", _e(lambda: math.pi), "the number pi"),
    "sin": _spec(1, 1, "sin(x)", _e(_m(math.sin)), "sine (radians)"),
    "cos": _spec(1, 1, "cos(x)", _e(_m(math.cos)), "cosine (radians)"),
    "tan": _spec(1, 1, "tan(x)", _e(_m(math.tan)), "tangent (radians)"),
    "asin": _spec(1, 1, "asin(x)", _e(_m(math.asin)), "arc sine"),
    "acos": _spec(1, 1, "acos(x)", _e(_m(math.acos)), "arc cosine"),
    "atan": _spec(1, 1, "atan(x)", _e(_m(math.atan)), "arc tangent"),
    "atan2": _spec(2, 2, "atan2(y, x)", _e(_m(math.atan2)), "arc tangent of y/x"),
    "random": _spec(0, 0, "random()", _e(random.random), "uniform in [0, 1)"),
    "sum": _spec(
        1, 1, "sum(${q})", _build_nodeset(_sum), "sum of values", nodeset_args=(0,)
    ),
    "count": _spec(
        1,
        1,
        "count(${q})",
        _build_nodeset(lambda nodes: float(len(nodes))),
        "number of nodes",
        nodeset_args=(0,),
    ),
    "count-non-empty": _spec(
        1,
        1,
        "count-non-empty(${q})",
        _build_nodeset(lambda nodes: float(sum(1 for node in nodes if node))),
        "number of non-empty nodes",
        nodeset_args=(0,),
    ),
    "min": _spec(1, None, "min(${q})", _e(_extreme(min)), "smallest value"),
    "max": _spec(1, None, "max(${q})", _e(_extreme(max)), "largest value"),
    # repeats
    "position": _spec(1, 1, "position(..)", _build_position, "repeat instance number"),
    "indexed-repeat": _spec(
        3,
        3,
        "indexed-repeat(${q}, ${repeat}, 1)",
        _build_indexed_repeat,
        "value of q in the given repeat instance",
        nodeset_args=(0, 1),
    ),
    # dates
    "today": _spec(0, 0, "today()", _build_today, "today's date"),
    "now": _spec(0, 0, "now()", _build_now, "current date and time"),
    "date": _spec(1, 1, "date(x)", _e(_date), "as a YYYY-MM-DD date"),
    "decimal-date-time": _spec(
        1, 1, "decimal-date-time(x)", _e(to_number), "days since 1970-01-01"
    ),
    "decimal-time": _spec(
        1, 1, "decimal-time(${time})", _e(_decimal_time), "fraction of the day"
    ),
    "format-date": _spec(
        2, 2, "format-date(d, '%Y-%m-%d')", _e(_format_date), "formatted date"
    ),
    "format-date-time": _spec(
        2, 2, "format-date-time(d, '%H:%M')", _e(_format_date), "formatted dateTime"
    ),
}
