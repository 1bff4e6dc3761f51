"""Error catalog of the XPath evaluator (``XPATH_xxx``).

Every message says what is wrong, where (the character position in the
expression, counted from 1) and how to fix it.
"""

from __future__ import annotations

from typing import Any

from sociaparis.core.errors import ErrorCode, SociaparisError


class XPathErrorCode(ErrorCode):
    """Errors raised while parsing or evaluating an XLSForm/XPath expression."""

    SYNTAX = (
        "XPATH_001",
        "Syntax error at character {position} of `{expression}`: {detail}. "
        "Check the brackets, quotes and operators around that point.",
    )
    UNKNOWN_FUNCTION = (
        "XPATH_002",
        "Unknown function {name}() at character {position} of `{expression}`. "
        "Did you mean {suggestion}()? The supported functions are listed in "
        "docs/xpath.md.",
    )
    ARITY = (
        "XPATH_003",
        "{name}() at character {position} of `{expression}` takes {expected} "
        "argument(s) but {given} were given. Write it as {signature}.",
    )
    BAD_REGEX = (
        "XPATH_004",
        "Invalid regular expression {pattern!r} in regex() at character {position} "
        "of `{expression}`: {reason}. Fix the pattern (RE2 syntax, as in Perl or "
        "Java; it is searched anywhere in the value, use ^ and $ to match the whole "
        "value).",
    )
    NOT_A_REFERENCE = (
        "XPATH_005",
        "`{text}` at character {position} of `{expression}` is not a ${{name}} "
        "reference. Refer to questions as ${{question_name}}; XPath paths, axes, "
        "predicates, variables and bare names are not supported.",
    )
    BAD_REFERENCE = (
        "XPATH_006",
        "Malformed reference at character {position} of `{expression}`: {detail}. "
        "Write ${{name}} where name is a question name (a letter or '_' followed "
        "by letters, digits, '_', '-' or '.').",
    )
    UNTERMINATED_STRING = (
        "XPATH_007",
        "The string starting at character {position} of `{expression}` is never "
        "closed. End it with the same quote ({quote}) it starts with.",
    )
    NODESET_REQUIRED = (
        "XPATH_008",
        "Argument {index} of {name}() at character {position} of `{expression}` "
        "must be a ${{name}} reference (a node-set), not {got}. Pass the question "
        "itself, e.g. {name}(${{question_in_repeat}}).",
    )
    PARENT_OUTSIDE_POSITION = (
        "XPATH_009",
        "`..` at character {position} of `{expression}` is only supported as "
        "position(..). Refer to other questions as ${{name}}.",
    )
    NOT_IN_REPEAT = (
        "XPATH_010",
        "position(..) in `{expression}` was evaluated outside a repeat. Use it "
        "only in questions that are inside a repeat group.",
    )
    EMPTY = (
        "XPATH_011",
        "The expression is empty. Write an expression or leave the cell blank.",
    )
    BAD_CHOICE_NAME = (
        "XPATH_012",
        "The second argument of jr:choice-name() at character {position} of "
        "`{expression}` must be a quoted reference to the select question, like "
        "jr:choice-name(${{q}}, '${{q}}'); got {got}.",
    )
    TOO_DEEP = (
        "XPATH_013",
        "`{expression}` nests more than {limit} levels deep. Split it into "
        "several calculate questions.",
    )
    UNSUPPORTED_FUNCTION = (
        "XPATH_014",
        "{name}() at character {position} of `{expression}` is an ODK function that "
        "sociaparis does not evaluate ({reason}). Compute the value another way, "
        "e.g. with a calculate on plain ${{name}} references.",
    )
    UNSUPPORTED_REGEX = (
        "XPATH_015",
        "The regular expression {pattern!r} in regex() at character {position} of "
        "`{expression}` uses a construct that sociaparis does not run ({reason}): "
        "patterns run on RE2, whose time stays linear in the answer's length, so "
        "backreferences (\\1), lookahead and lookbehind ((?=, (?!, (?<=, (?<!), "
        "atomic groups, possessive quantifiers and repetition counts over 1000 are "
        "not available. Rewrite the pattern without it, for instance as several "
        "regex() tests joined with `and` or `not()`.",
    )
    TOO_LONG = (
        "XPATH_016",
        "The expression `{expression}` is {length} characters long; the limit is "
        "{limit}. Split it into several calculate questions that each compute a "
        "part, and combine their results.",
    )
    TOO_LARGE = (
        "XPATH_017",
        "The expression `{expression}` has more than {limit} values, references, "
        "operators and calls. Split it into several calculate questions (for a "
        "long sum, add the items in groups of at most a few hundred, then add the "
        "groups).",
    )
    BAD_PULLDATA = (
        "XPATH_025",
        "The first argument of pulldata() at character {position} of `{expression}` "
        "must be the quoted name of a CSV attachment without its suffix, like "
        "pulldata('fruits', 'name', 'key', ${{q}}) for media/fruits.csv; got {got}.",
    )
    STRING_TOO_LONG = (
        "XPATH_018",
        "{name}() at character {position} of `{expression}` would build a text of "
        "{length} characters; the limit is {limit}. Build shorter texts (each "
        "calculate's value is limited), for instance by not concatenating a "
        "calculation with itself.",
    )


def abbreviate(source: str, keep: int = 80) -> str:
    """``source``, or its first ``keep`` characters and an ellipsis when longer."""
    return source if len(source) <= keep else f"{source[:keep]}…"


class XPathError(SociaparisError):
    """A problem in an expression: a syntax error, an unknown function, etc.

    This is the only exception :func:`~sociaparis.survey.xpath.parse` and
    :func:`~sociaparis.survey.xpath.evaluate` raise for any input text.

    Parameters
    ----------
    error
        The catalog entry.
    **context
        Values for the entry's message template (``expression``, ``position``...).
    """

    def __init__(self, error: XPathErrorCode, **context: Any) -> None:
        super().__init__(error, **context)
