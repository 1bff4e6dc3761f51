"""Rule-based person-name detectors: titles, a list of first names, ``chez X``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from sociaparis.qual.pseudonymization.patterns import PRIORITY, Candidate
from sociaparis.qual.pseudonymization.replacements import EntityKind
from sociaparis.qual.pseudonymization.text import fold

TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

#: titles written with a capital (``M.`` needs its dot)
TITLES = frozenset(
    {
        "M",
        "MM",
        "Mr",
        "Mme",
        "Mmes",
        "Mlle",
        "Mlles",
        "Dr",
        "Pr",
        "Me",
    }
)
#: titles recognised in any case
LONG_TITLES = frozenset(
    {
        "monsieur",
        "madame",
        "mademoiselle",
        "messieurs",
        "mesdames",
        "docteur",
        "docteure",
        "professeur",
        "professeure",
        "maitre",
    }
)
_DOTTED = frozenset({"M", "MM"})
PARTICLES = frozenset(
    {"de", "du", "des", "d", "van", "von", "da", "di", "del", "le", "la"}
)
_ARTICLES = frozenset({"Le", "La", "Les", "L"})
_SENTENCE_END = frozenset('.!?…:;\n"«»—–')


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The shipped list of common first names in France, folded."""
    data = resources.files("sociaparis.qual.pseudonymization").joinpath(
        "data/first_names.txt"
    )
    lines = data.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and line[0] != "#")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the text (letters, inner hyphens)."""

    start: int
    end: int
    text: str

    @property
    def capitalised(self) -> bool:
        """True when the word starts with an upper-case letter."""
        return self.text[:1].isupper()


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` with their offsets.

    >>> [t.text for t in tokenize("Jean-Pierre d'Arnaud, 3 fois")]
    ['Jean-Pierre', 'd', 'Arnaud', 'fois']
    """
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]


class _Context:
    """The tokens of one text and the word lists the rules consult."""

    def __init__(
        self,
        text: str,
        *,
        common: frozenset[str],
        allowed: frozenset[str],
        names: frozenset[str],
    ) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.common = common
        self.allowed = allowed
        self.names = names

    def adjacent(self, left: int, right: int) -> bool:
        """Only blanks (or an elision apostrophe) between two tokens."""
        gap = self.text[self.tokens[left].end : self.tokens[right].start]
        return gap.strip(" \t\u00a0") == "" or (
            gap in {"'", "’"} and fold(self.tokens[left].text) == "d"
        )

    def adjacent_title(self, index: int) -> bool:
        """Only blanks, or a dot then blanks, between a title and the next token."""
        gap = self.text[self.tokens[index].end : self.tokens[index + 1].start]
        return gap.strip(" \t\u00a0") in {"", "."}

    def sentence_initial(self, index: int) -> bool:
        """Whether token ``index`` starts a sentence or a line."""
        position = self.tokens[index].start - 1
        while position >= 0 and self.text[position] in " \t\u00a0":
            position -= 1
        return position < 0 or self.text[position] in _SENTENCE_END

    def is_first_name(self, token: Token) -> bool:
        """Whether ``token`` is a listed first name (compounds: every part listed)."""
        key = fold(token.text)
        if key in self.names:
            return True
        parts = key.split("-")
        return len(parts) > 1 and all(part in self.names for part in parts)

    def is_unknown_word(self, token: Token) -> bool:
        """A lower-case word that is neither French nor allowed: maybe a name."""
        key = token.text.casefold()
        return (
            len(key) >= 3
            and key not in self.common
            and fold(key) not in self.allowed
            and fold(key) not in PARTICLES
        )

    def name_word(self, index: int, *, lower: bool) -> bool:
        """Whether token ``index`` can continue a name."""
        token = self.tokens[index]
        if fold(token.text) in self.allowed or _is_title(self, index):
            return False
        if token.capitalised:
            return len(token.text) > 1 or self.text[token.end : token.end + 1] == "."
        return lower and self.is_unknown_word(token)

    def extend(self, index: int, *, lower: bool, limit: int = 3) -> int:
        """Index of the last token of the name that continues after token ``index``."""
        last = index
        position = index + 1
        taken = 0
        while position < len(self.tokens) and taken < limit:
            if not self.adjacent(position - 1, position):
                break
            token = self.tokens[position]
            if fold(token.text) in PARTICLES and not token.capitalised:
                following = position + 1
                if (
                    following < len(self.tokens)
                    and self.adjacent(position, following)
                    and self.tokens[following].capitalised
                    and self.name_word(following, lower=False)
                ):
                    position = following
                    continue
                break
            if not self.name_word(position, lower=lower):
                break
            last = position
            taken += 1
            position += 1
        return last

    def candidate(self, first: int, last: int, detector: str) -> Candidate:
        end = self.tokens[last].end
        if self.text[end : end + 1] == "." and len(self.tokens[last].text) == 1:
            end += 1
        return Candidate(
            self.tokens[first].start,
            end,
            EntityKind.PERSONNE,
            detector,
            PRIORITY[detector],
        )


def _is_title(context: _Context, index: int) -> bool:
    token = context.tokens[index]
    if fold(token.text) in LONG_TITLES:
        return True
    if token.text not in TITLES:
        return False
    after = context.text[token.end : token.end + 1]
    return after == "." or token.text not in _DOTTED


def find_person_names(
    text: str,
    *,
    common: frozenset[str],
    allowed: frozenset[str],
    names: frozenset[str] | None = None,
) -> Iterator[Candidate]:
    """People's names found by rules, complementing the statistical model.

    - a title (``M.``, ``Mme``, ``Madame``, ``Dr``…) followed by a capitalised word
      (or, in a lower-case transcript, a word that is not French): the title is
      kept, the name after it is returned;
    - a listed first name, capitalised, with the capitalised words after it
      (``Jean-Pierre Martin``, ``Claire DURAND``); alone at the start of a
      sentence, also a French word and followed by a lower-case word
      (``Rose ou pas rose``), it is marked ``needs_confirmation``; written in
      lower case, only
      when it is not also a French word (``sophie`` yes, ``claire`` no) or when
      an unknown word follows it (``claire durand``);
    - ``chez`` followed by capitalised words.

    Parameters
    ----------
    text
        The text to search.
    common
        Lower-case French words (see :func:`~.ner.common_words`).
    allowed
        Folded single words that are never part of a name (the allow-list).
    names
        Folded first names; the shipped list by default, empty to switch off.

    Examples
    --------
    >>> text = "J'ai vu Mme Lefèvre puis Jean-Pierre Martin chez Durand."
    >>> found = find_person_names(text, common=frozenset(), allowed=frozenset())
    >>> [(text[c.start:c.end], c.detector) for c in found]
    [('Lefèvre', 'title'), ('Jean-Pierre Martin', 'first_name'), ('Durand', 'chez')]
    """
    context = _Context(
        text,
        common=common,
        allowed=allowed,
        names=first_names() if names is None else names,
    )
    tokens = context.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        nxt = index + 1
        if (
            _is_title(context, index)
            and nxt < len(tokens)
            and context.adjacent_title(index)
        ):
            lower = not token.capitalised or fold(token.text) in LONG_TITLES
            if tokens[nxt].text in _ARTICLES:
                index = nxt
                continue
            if context.name_word(nxt, lower=lower):
                last = context.extend(nxt, lower=lower)
                yield context.candidate(nxt, last, "title")
                index = last + 1
                continue
        if context.is_first_name(token) and token.capitalised:
            last = context.extend(index, lower=False)
            if last > index or fold(token.text) not in context.allowed:
                candidate = context.candidate(index, last, "first_name")
                if (
                    last == index
                    and token.text.casefold() in context.common
                    and context.sentence_initial(index)
                    and nxt < len(tokens)
                    and context.adjacent(index, nxt)
                    and not tokens[nxt].capitalised
                ):
                    candidate = replace(candidate, needs_confirmation=True)
                yield candidate
                index = last + 1
                continue
        if context.is_first_name(token) and fold(token.text) not in context.allowed:
            if context.is_unknown_word(token):
                last = context.extend(index, lower=True, limit=2)
                yield context.candidate(index, last, "first_name")
                index = last + 1
                continue
            if (
                nxt < len(tokens)
                and context.adjacent(index, nxt)
                and context.is_unknown_word(tokens[nxt])
            ):
                last = context.extend(index, lower=True, limit=2)
                yield context.candidate(index, last, "first_name")
                index = last + 1
                continue
        if (
            token.text.casefold() == "chez"
            and nxt < len(tokens)
            and context.adjacent(index, nxt)
            and tokens[nxt].capitalised
            and context.name_word(nxt, lower=False)
        ):
            last = context.extend(nxt, lower=False)
            yield context.candidate(nxt, last, "chez")
            index = last + 1
            continue
        index += 1
