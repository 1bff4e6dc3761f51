"""Tokenizer for XLSForm expressions (XPath 1.0 §3.7 plus ``${name}``)."""

from __future__ import annotations

from typing import NamedTuple

from sociaparis.core.errors import Reason
from sociaparis.survey.xpath.errors import XPathError, XPathErrorCode

WHITESPACE = " \t\r\n"
OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
# Token kinds after which "*" and "and/or/div/mod" are operators (XPath 1.0 §3.7).
OPERAND_END = frozenset({"num", "str", "ref", "dot", "dotdot", ")", "]"})
_TWO_CHAR = ("!=", "<=", ">=", "::", "//")
_ONE_CHAR = "()[],@|/=<>+-*"
_TYPOGRAPHIC_QUOTE = Reason(
    en="typographic quote {0!r} (U+{1:04X}), often added by a spreadsheet's "
    "autocorrect; use a straight quote ' or \"",
    fr="guillemet typographique {0!r} (U+{1:04X}), souvent ajouté par la correction "
    "automatique d'un tableur ; utilisez un guillemet droit ' ou \"",
)
_ORDINARY_SPACE = Reason(
    en="{0} (U+{1:04X}); replace it with an ordinary space",
    fr="{0} (U+{1:04X}) ; remplacez-la par une espace ordinaire",
)
_NOT_AN_OPERATOR = Reason(
    en="{0!r} is not an operator; write {1}",
    fr="{0!r} n'est pas un opérateur ; écrivez {1}",
)


def _hint(template: Reason, *args: object, fr: tuple[object, ...] = ()) -> Reason:
    """``template`` formatted with ``args`` (in French with ``fr``, if given)."""
    return Reason(en=template.en.format(*args), fr=template.fr.format(*(fr or args)))


#: why a character that cannot start a token is there, and what to write instead
_HINTS: dict[str, Reason] = {
    **{
        q: _hint(_TYPOGRAPHIC_QUOTE, q, ord(q))
        for q in "\u2018\u2019\u201c\u201d\u00ab\u00bb"
    },
    "\u00a0": _hint(
        _ORDINARY_SPACE,
        "non-breaking space",
        0xA0,
        fr=("espace insécable", 0xA0),
    ),
    "\u202f": _hint(
        _ORDINARY_SPACE,
        "narrow non-breaking space",
        0x202F,
        fr=("espace fine insécable", 0x202F),
    ),
    "\u2260": _hint(_NOT_AN_OPERATOR, "\u2260", "!="),
    "\u2264": _hint(_NOT_AN_OPERATOR, "\u2264", "<="),
    "\u2265": _hint(_NOT_AN_OPERATOR, "\u2265", ">="),
    "\u2212": Reason(
        en="typographic minus sign (U+2212); write -",
        fr="signe moins typographique (U+2212) ; écrivez -",
    ),
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
                        detail=Reason(
                            en="'${' is never closed with '}'",
                            fr="'${' n'est jamais fermé par '}'",
                        ),
                    )
                name = source[pos + 2 : close]
                if not valid_name(name):
                    raise XPathError(
                        XPathErrorCode.BAD_REFERENCE,
                        expression=source,
                        position=pos + 1,
                        detail=Reason(
                            en=f"{name!r} is not a question name",
                            fr=f"{name!r} n'est pas un nom de question",
                        ),
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
                    detail=Reason(
                        en="XPath has no exponent notation; write the number in "
                        "full (100000, not 1e5)",
                        fr="XPath n'a pas de notation exponentielle ; écrivez le "
                        "nombre en entier (100000, et non 1e5)",
                    ),
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
            detail=_HINTS.get(char)
            or Reason(
                en=f"unexpected character {char!r} (U+{ord(char):04X})",
                fr=f"caractère inattendu {char!r} (U+{ord(char):04X})",
            ),
        )
    tokens.append(Token("end", "", length))
    return tokens
