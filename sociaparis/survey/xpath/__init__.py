"""XPath 1.0 expressions as written in XLSForms (``${name}`` references, ODK functions).

Compile once with :func:`parse` (cached by source text), evaluate many times
with :func:`evaluate` against an :class:`EvaluationContext` that supplies the
values of ``${name}`` references.  The rules, the function list and the
differences from Enketo are in ``docs/xpath.md``.

Examples
--------
>>> class Answers:
...     def resolve(self, name):
...         return {"age": "34", "tools": "chatgpt copilot"}[name]
>>> expr = parse("${age} >= 18 and selected(${tools}, 'copilot')")
>>> sorted(expr.references), expr.uses_current
(['age', 'tools'], False)
>>> evaluate(expr, Answers())
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sociaparis.core.caches import memoized
from sociaparis.survey.xpath.errors import XPathError, XPathErrorCode, abbreviate
from sociaparis.survey.xpath.functions import FUNCTIONS
from sociaparis.survey.xpath.parser import MAX_DEPTH, collect, compile_node, parse_tree
from sociaparis.survey.xpath.values import (
    NodeSet,
    Value,
    to_boolean,
    to_number,
    to_string,
)

__all__ = [
    "FUNCTIONS",
    "ChoiceFilterContext",
    "EvaluationContext",
    "Expression",
    "NodeSet",
    "Value",
    "XPathError",
    "XPathErrorCode",
    "evaluate",
    "parse",
    "to_boolean",
    "to_number",
    "to_string",
]


class EvaluationContext(Protocol):
    """What an expression needs from the form-logic engine."""

    def resolve(self, name: str) -> str | Sequence[str]:
        """Value of ``${name}``: a str for one node ('' when empty or non-relevant),
        or a sequence of str for a node-set (all instances of a question in a repeat)."""
        ...

    def current(self) -> str:
        """Value of ``.`` (the question being evaluated)."""
        ...

    def position(self) -> int:
        """1-based index of the current repeat instance, for ``position(..)``."""
        ...

    def indexed(self, name: str, repeat: str, index: int) -> str:
        """Value for ``indexed-repeat(${name}, ${repeat}, index)``; '' out of range."""
        ...

    def choice_label(self, question: str, value: str) -> str:
        """Label of choice ``value`` of select ``question``, for jr:choice-name()."""
        ...

    def now(self) -> datetime:
        """The current moment, for ``today()`` and ``now()``."""
        ...

    def pulldata(self, table: str, column: str, key_column: str, key: str) -> str:
        """For ``pulldata()``: ``column`` of the first row of the attachment
        ``table.csv`` whose ``key_column`` is ``key``; '' if none."""
        ...


class ChoiceFilterContext(EvaluationContext, Protocol):
    """A context for expressions parsed with ``choice_filter=True``."""

    def choice_value(self, column: str) -> str | None:
        """Column ``column`` of the choice being filtered; None when the list has
        no such column (ODK reads a path to no node: an empty node-set)."""
        ...


@dataclass(frozen=True, slots=True, eq=False)
class Expression:
    """A compiled expression.

    Attributes
    ----------
    source
        The expression text as given.
    references
        Every ``${name}`` it uses (names only), for the dependency graph.
    uses_current
        Whether ``.`` occurs (explicitly, or implicitly as in ``string-length()``).
    choice_columns
        The bare names of a choice_filter (columns of the choices sheet);
        always empty for other expressions.
    """

    source: str
    references: frozenset[str]
    uses_current: bool
    _fn: Callable[[Any], Value] = field(repr=False)
    choice_columns: frozenset[str] = frozenset()

    def evaluate(self, context: EvaluationContext) -> Value:
        """Evaluate against ``context``; same as :func:`evaluate`."""
        return evaluate(self, context)


@memoized(maxsize=16384)
def parse(source: str, *, choice_filter: bool = False) -> Expression:
    """Compile an expression; the result is cached by source text.

    Parameters
    ----------
    source
        The expression, e.g. ``"${age} >= 18"``.
    choice_filter
        Parse an XLSForm ``choice_filter``: bare names (``country = ${country}``)
        are then columns of the choice being filtered, read with
        ``context.choice_value(column)`` and listed in ``choice_columns``.

        .. versionadded:: 0.1.0

    Returns
    -------
    Expression
        With ``source``, ``references``, ``uses_current`` and a compiled body.

    Raises
    ------
    XPathError
        For any problem in the text (syntax, unknown function, arity, bad
        regex literal, something that is not a ``${name}`` reference...).

    Examples
    --------
    >>> parse("concat(${first}, ' ', ${last})").references == {"first", "last"}
    True
    >>> parse("1 +")
    Traceback (most recent call last):
    ...
    sociaparis.survey.xpath.errors.XPathError: XPATH_001: Syntax error at character 4 \
of `1 +`: the expression ends where a value is expected. Check the brackets, quotes \
and operators around that point.
    """
    if not isinstance(source, str):
        raise TypeError(f"an expression must be a str, not {type(source).__name__}")
    try:
        tree = parse_tree(source, choice_filter=choice_filter)
        references: set[str] = set()
        columns: set[str] = set()
        uses_current = collect(tree, references, columns)
        fn = compile_node(tree, source)
    except RecursionError:
        raise XPathError(
            XPathErrorCode.TOO_DEEP, expression=abbreviate(source), limit=MAX_DEPTH
        ) from None
    return Expression(source, frozenset(references), uses_current, fn, frozenset(columns))


def evaluate(expression: Expression | str, context: EvaluationContext) -> Value:
    """Evaluate an expression against a context.

    Parameters
    ----------
    expression
        A compiled :class:`Expression`, or its text (parsed through the cache).
    context
        Supplies ``${name}`` values, ``.``, the repeat position, choice labels
        and the clock.

    Returns
    -------
    bool | float | str | NodeSet
        The XPath value; convert it with :func:`to_string`, :func:`to_number`
        or :func:`to_boolean`.

    Raises
    ------
    XPathError
        For a problem in the expression; data never make evaluation fail
        (``1 div 0`` is Infinity, ``'' + 1`` is NaN).
    """
    if isinstance(expression, str):
        expression = parse(expression)
    try:
        return expression._fn(context)
    except RecursionError:
        raise XPathError(
            XPathErrorCode.TOO_DEEP,
            expression=abbreviate(expression.source),
            limit=MAX_DEPTH,
        ) from None
