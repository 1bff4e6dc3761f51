"""Upper bounds on the length of the text an expression can produce.

Used when a form is checked, to refuse calculations that could build texts
longer than :data:`~sociaparis.survey.xpath.functions.MAX_STRING_LENGTH` by
concatenating other values (a chain of calculations that each concatenate the
previous one twice doubles at every step).  A node-set counts as one value
here: a ``join()`` over the instances of a repeat is bounded when it is
evaluated.
"""

from __future__ import annotations

from collections.abc import Callable

from sociaparis.survey.xpath.parser import Node, parse_tree

#: Longest string() of a number: 1e308 or 5e-324 written without exponent.
NUMBER_TEXT = 400
#: Functions whose value is a number or a boolean.
_NUMERIC = frozenset(
    "abs acos asin atan atan2 boolean boolean-from-string ceiling checklist contains "
    "cos count count-non-empty count-selected decimal-date-time ends-with exp exp10 "
    "false floor int log log10 max min not number pi position pow random regex "
    "round selected sin sqrt starts-with string-length sum tan true "
    "weighted-checklist".split()
)
#: Functions whose value is at most as long as their first argument.
_FIRST = frozenset(
    "indexed-repeat normalize-space selected-at string substr substring "
    "substring-after substring-before translate".split()
)
#: Longest value of the date functions (an ISO dateTime with offset).
_DATE_TEXT = 40
#: How much longer format-date() makes its format (``%b`` -> ``Jan``).
_FORMAT_GROWTH = 5


def text_bound(node: Node, bound_of: Callable[[str | None], int]) -> int:
    """The longest text ``node`` can evaluate to.

    Parameters
    ----------
    node
        A parse tree (:func:`~sociaparis.survey.xpath.parser.parse_tree`).
    bound_of
        The longest value of ``${name}`` (of ``.`` when given None); used for
        references, ``.`` and for what an expression cannot bound itself
        (choice labels, choice columns).
    """
    kind = node.kind
    if kind == "str":
        return len(node.value)
    if kind == "ref":
        return bound_of(node.value)
    if kind in ("cur", "col"):
        return bound_of(None)
    if kind != "call":
        return NUMBER_TEXT  # numbers, arithmetic, comparisons, and/or, parent
    name = node.value
    args = node.children
    bounds = [text_bound(child, bound_of) for child in args]
    if name in _NUMERIC:
        return NUMBER_TEXT
    if name == "concat":
        return sum(bounds)
    if name == "join":
        return sum(bounds[1:]) + bounds[0] * max(len(bounds) - 2, 0)
    if name in _FIRST:
        return bounds[0]
    if name == "if":
        return max(bounds[1:])
    if name in ("coalesce", "once"):
        return max(bounds)
    if name in ("date", "today", "now"):
        return _DATE_TEXT
    if name in ("format-date", "format-date-time"):
        return bounds[1] * _FORMAT_GROWTH
    return bound_of(None)  # jr:choice-name() (a label), uuid()


def expression_text_bound(source: str, bound_of: Callable[[str | None], int]) -> int:
    """:func:`text_bound` of an expression given as text (already checked)."""
    return text_bound(parse_tree(source), bound_of)
