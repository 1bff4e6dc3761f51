"""Variable names for SPSS and Stata, derived from ODK export names.

ODK/KoboToolbox exports name a column by its group path (``use/tools_used``); SPSS
and Stata refuse ``/`` and have their own length, character and reserved-word
rules. Question names are unique in a form (the engine requires it), so the SPSS
and Stata name starts from the question name, not the whole path; a 0/1 column of
a ``select_multiple`` choice is ``question.choice`` in SPSS and
``question_choice`` in Stata.

Rules (checked by ``tests/survey/io/test_names.py``):

* SPSS: at most 64 bytes; first character a letter; then letters, digits and
  ``_ . @ # $``; not ending with ``.``; not a reserved word (``ALL AND BY EQ GE
  GT LE LT NE NOT OR TO WITH``, any case); unique ignoring case.
* Stata: at most 32 characters; ``[A-Za-z_][A-Za-z0-9_]*``; not a reserved word
  (``_all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc
  _skip strL using with`` and ``str1`` … ``str2045``); unique ignoring case (so
  that the file also works where case is folded).

Accents are dropped (``é`` → ``e``), other characters become ``_``. A name that
would be empty, start with a digit, or be reserved gets a ``v`` prefix. A name
already taken gets the smallest free suffix ``_2``, ``_3`` … (shortening the
stem so the result keeps within the length limit); names are claimed in the
order given, so the result is deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

NameFormat = Literal["sav", "dta"]

SPSS_MAX_BYTES = 64
STATA_MAX_CHARS = 32
SPSS_RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
STATA_RESERVED = frozenset(
    {
        "_all",
        "_b",
        "byte",
        "_coef",
        "_cons",
        "double",
        "float",
        "if",
        "in",
        "int",
        "long",
        "_n",
        "_N",
        "_pi",
        "_pred",
        "_rc",
        "_skip",
        "strL",
        "using",
        "with",
    }
)
_STATA_STR = re.compile(r"str([1-9][0-9]{0,3})")
_SPSS_BAD = re.compile(r"[^A-Za-z0-9_.@#$]")
_STATA_BAD = re.compile(r"[^A-Za-z0-9_]")


def ascii_fold(text: str) -> str:
    """Drop accents and other marks: ``'Durée'`` → ``'Duree'``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_reserved(name: str, fmt: NameFormat) -> bool:
    """Whether ``name`` is a reserved word of the format."""
    if fmt == "sav":
        return name.upper() in SPSS_RESERVED
    match = _STATA_STR.fullmatch(name)
    return name in STATA_RESERVED or (match is not None and int(match[1]) <= 2045)


def is_valid(name: str, fmt: NameFormat) -> bool:
    """Whether ``name`` may be used as it is in the format (ignoring uniqueness)."""
    if fmt == "sav":
        return (
            0 < len(name.encode("utf-8")) <= SPSS_MAX_BYTES
            and name[0].isascii()
            and name[0].isalpha()
            and _SPSS_BAD.search(name) is None
            and not name.endswith(".")
            and not is_reserved(name, fmt)
        )
    return (
        0 < len(name) <= STATA_MAX_CHARS
        and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) is not None
        and not is_reserved(name, fmt)
    )


def _limit(fmt: NameFormat) -> int:
    return SPSS_MAX_BYTES if fmt == "sav" else STATA_MAX_CHARS


def clean_name(name: str, fmt: NameFormat, limit: int | None = None) -> str:
    """A valid name of the format close to ``name`` (before uniqueness).

    ``limit`` shortens the format's length limit (characters; bytes for SPSS,
    the same once accents are dropped).
    """
    limit = min(limit or _limit(fmt), _limit(fmt))
    folded = ascii_fold(name)
    if fmt == "sav":
        text = _SPSS_BAD.sub("_", folded).rstrip(".")
        if not text or not text[0].isalpha():
            text = "v" + text
    else:
        text = _STATA_BAD.sub("_", folded)
        if not text or text[0].isdigit():
            text = "v" + text
    text = text[:limit].rstrip(".")
    if is_reserved(text, fmt):
        text = ("v" + text)[:limit]
    return text


def unique_names(
    names: Sequence[str],
    fmt: NameFormat,
    *,
    taken: Iterable[str] = (),
    limits: Sequence[int | None] | None = None,
) -> list[str]:
    """Clean every name and make them unique (ignoring case), in order.

    Parameters
    ----------
    names
        Wanted names (e.g. question names), in the order they claim a name.
    fmt
        ``"sav"`` (SPSS) or ``"dta"`` (Stata).
    taken
        Names already used.
    limits
        A shorter length limit per name (None: the format's).

    Returns
    -------
    list of str
        One valid, unique name per input name.

    Examples
    --------
    >>> unique_names(["age", "AGE", "by", "2nd"], "sav")
    ['age', 'AGE_2', 'vby', 'v2nd']
    """
    used = {name.casefold() for name in taken}
    result: list[str] = []
    for position, wanted in enumerate(names):
        own = limits[position] if limits is not None else None
        limit = min(own or _limit(fmt), _limit(fmt))
        name = clean_name(wanted, fmt, limit)
        if name.casefold() in used:
            number = 2
            while True:
                suffix = f"_{number}"
                candidate = name[: limit - len(suffix)].rstrip(".") + suffix
                if candidate.casefold() not in used:
                    name = candidate
                    break
                number += 1
        used.add(name.casefold())
        result.append(name)
    return result
