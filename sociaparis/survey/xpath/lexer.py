"""Tokenizer for XLSForm expressions (XPath 1.0 §3.7 plus ``${name}``)."""

from __future__ import annotations

from typing import NamedTuple

from sociaparis.survey.xpath.errors import XPathError, XPathErrorCode

WHITESPACE = " \t\r\n"
OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
# Token kinds after which "*" and "and/or/div/mod" are operators (XPath 1.0 §3.7).
OPERAND_END = frozenset({"num", "str", "ref", "dot", "dotdot", ")", "]"})
_TWO_CHAR = ("!=", "<=", ">=", "::", "//")
_ONE_CHAR = "()[],@|/=<>+-*"
_TYPOGRAPHIC_QUOTE = (
    "typographic quote {0!r} (U+{1:04X}), often added by a spreadsheet's \
autocorrect; use a straight quote ' or \""
)
_HINTS = {
    **{
        q: _TYPOGRAPHIC_QUOTE.format(q, ord(q))
        for q in "\u2018\u2019\u201c\u201d\u00ab\u00bb"
    },
    "\u00a0": "non-breaking space (U+00A0); replace it with an ordinary space",
    "\u202f": "narrow non-breaking space (U+202F); replace it with an ordinary space",
    "\u2260": "'\u2260' is not an operator; write !=",
    "\u2264": "'\u2264' is not an operator; write <=",
    "\u2265": "'\u2265' is not an operator; write >=",
    "\u2212": "typographic minus sign (U+2212); write -",
}


class Token(NamedTuple):
    """One token: its kind, its value and its 0-based start in the source."""

    kind: str
    value: str
    pos: int


def _is_name_start(char: str) -> bool:
    return char.isalpha() or char == "_"


def _is_name_char(char: str) -> bool:
    # "~" joins the group path of a name used in several groups (an item key,
    # never written in a form: XLSForm names cannot hold it)
    return char.isalnum() or char in "_-.~"


def valid_name(name: str) -> bool:
    """Whether ``name`` can be a question name inside ``${...}``."""
    return (
        bool(name)
        and _is_name_start(name[0])
        and all(_is_name_char(char) for char in name[1:])
    )


def _read_name(source: str, start: int) -> int:
    """End of the (possibly prefixed) name starting at ``start``."""
    end = start + 1
    length = len(source)
    while end < length and _is_name_char(source[end]):
        end += 1
    if (
        end + 1 < length
        and source[end] == ":"
        and source[end + 1] != ":"
        and _is_name_start(source[end + 1])
    ):
        end += 2
        while end < length and _is_name_char(source[end]):
            end += 1
    return end


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens, ending with an ``end`` token.

    Raises
    ------
    XPathError
        On an unterminated string, a malformed ``${...}`` or a character that
        cannot start a token.
    """
    tokens: list[Token] = []
    pos = 0
    length = len(source)
    while pos < length:
        char = source[pos]
        if char in WHITESPACE:
            pos += 1
            continue
        previous = tokens[-1].kind if tokens else ""
        if char == "$":
            if source.startswith("${", pos):
                close = source.find("}", pos + 2)
                if close < 0:
                    raise XPathError(
                        XPathErrorCode.BAD_REFERENCE,
                        expression=source,
                        position=pos + 1,
                        detail="'${' is never closed with '}'",
                    )
                name = source[pos + 2 : close]
                if not valid_name(name):
                    raise XPathError(
                        XPathErrorCode.BAD_REFERENCE,
                        expression=source,
                        position=pos + 1,
                        detail=f"{name!r} is not a question name",
                    )
                tokens.append(Token("ref", name, pos))
                pos = close + 1
                continue
            end = _read_name(source, pos + 1) if pos + 1 < length else pos + 1
            raise XPathError(
                XPathErrorCode.NOT_A_REFERENCE,
                expression=source,
                position=pos + 1,
                text=source[pos:end],
            )
        if (
            char.isdigit()
            and char.isascii()
            or (char == "." and pos + 1 < length and "0" <= source[pos + 1] <= "9")
        ):
            end = pos
            while end < length and "0" <= source[end] <= "9":
                end += 1
            if end < length and source[end] == ".":
                end += 1
                while end < length and "0" <= source[end] <= "9":
                    end += 1
            if (
                end + 1 < length
                and source[end] in "eE"
                and (source[end + 1].isdigit() or source[end + 1] in "+-")
            ):
                raise XPathError(
                    XPathErrorCode.SYNTAX,
                    expression=source,
                    position=end + 1,
                    detail="XPath has no exponent notation; write the number in full "
                    "(100000, not 1e5)",
                )
            tokens.append(Token("num", source[pos:end], pos))
            pos = end
            continue
        if char == ".":
            if source.startswith("..", pos):
                tokens.append(Token("dotdot", "..", pos))
                pos += 2
            else:
                tokens.append(Token("dot", ".", pos))
                pos += 1
            continue
        if char in "'\"":
            close = source.find(char, pos + 1)
            if close < 0:
                raise XPathError(
                    XPathErrorCode.UNTERMINATED_STRING,
                    expression=source,
                    position=pos + 1,
                    quote=char,
                )
            tokens.append(Token("str", source[pos + 1 : close], pos))
            pos = close + 1
            continue
        pair = source[pos : pos + 2]
        if pair in _TWO_CHAR:
            tokens.append(Token(pair if pair in ("::", "//") else "op", pair, pos))
            pos += 2
            continue
        if char in _ONE_CHAR:
            if char in "=<>+-":
                tokens.append(Token("op", char, pos))
            elif char == "*":
                kind = "op" if previous in OPERAND_END else "name"
                tokens.append(Token(kind, char, pos))
            else:
                tokens.append(Token(char, char, pos))
            pos += 1
            continue
        if _is_name_start(char):
            end = _read_name(source, pos)
            name = source[pos:end]
            if name in OPERATOR_NAMES and previous in OPERAND_END:
                tokens.append(Token("op", name, pos))
            else:
                after = end
                while after < length and source[after] in WHITESPACE:
                    after += 1
                is_call = after < length and source[after] == "("
                tokens.append(Token("func" if is_call else "name", name, pos))
            pos = end
            continue
        raise XPathError(
            XPathErrorCode.SYNTAX,
            expression=source,
            position=pos + 1,
            detail=_HINTS.get(char, f"unexpected character {char!r} (U+{ord(char):04X})"),
        )
    tokens.append(Token("end", "", length))
    return tokens
