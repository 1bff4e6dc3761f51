"""A small, safe condition language for screening rules, read and evaluated here.

Grammar (keywords in lower case; strings in single quotes)::

    condition  := or
    or         := and ('or' and)*
    and        := not ('and' not)*
    not        := 'not' not | atom
    atom       := '(' condition ')'
                | NAME ('=' | '!=') VALUE
                | NAME ('<' | '<=' | '>' | '>=') NUMBER
                | NAME 'in' '(' VALUE (',' VALUE)* ')'
                | 'selected' '(' NAME ',' STRING ')'
                | 'answered' '(' NAME ')'
    VALUE      := STRING | NUMBER

``NAME`` is a question name. A comparison with a question left unanswered is
false (so ``not (dpia = 'done')`` is true when the DPIA question was not asked);
``answered(q)`` tests for an answer; ``selected(q, 'x')`` tests one choice of a
select_multiple (its answer holds codes separated by spaces). Nothing else is
accepted: no function call, no attribute access, no Python. A condition is parsed
once into a tree of tuples (:func:`parse_condition`) and evaluated over a
mapping of answers (:func:`evaluate`), which also returns the questions it read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sociaparis.core.errors import Reason, SociaparisError

from .errors import RegisterError

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<op><=|>=|!=|=|<|>|\(|\)|,)|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*))"
)
_KEYWORDS = {"and", "or", "not", "in", "selected", "answered"}
#: the kinds of token a condition expects, as the French messages name them
_KINDS_FR = {
    "string": "un 'texte entre apostrophes'",
    "number": "un nombre",
    "op": "un opérateur",
    "name": "un nom de question",
    "keyword": "un mot-clé",
}
_COMPARE = {"=", "!=", "<", "<=", ">", ">="}


@dataclass(frozen=True, slots=True)
class Token:
    """A token: its kind (``string``, ``number``, ``op``, ``name``, ``keyword``,
    ``end``), its text and its position in the condition."""

    kind: str
    text: str
    position: int


def tokenize(text: str, rule: str = "?") -> list[Token]:
    """The tokens of ``text``; ``REGISTER_012`` on a character no token starts with."""
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            where = len(text) - len(text[position:].lstrip())
            raise SociaparisError(
                RegisterError.BAD_CONDITION,
                rule=rule,
                position=where,
                reason=Reason(
                    en=f"unexpected '{text[position:].strip()[:1]}'",
                    fr=f"« {text[position:].strip()[:1]} » inattendu",
                ),
            )
        kind = match.lastgroup or "name"
        value = match.group(kind)
        start = match.start(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "keyword"
        if kind == "string":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append(Token(kind, value, start))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str, rule: str) -> None:
        self.tokens = tokenize(text, rule)
        self.at = 0
        self.rule = rule

    def fail(self, en: str, fr: str) -> SociaparisError:
        """``REGISTER_012`` at the current token, its reason in English and French."""
        token = self.tokens[self.at]
        return SociaparisError(
            RegisterError.BAD_CONDITION,
            rule=self.rule,
            position=token.position,
            reason=Reason(en=en, fr=fr),
        )

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self, kind: str, text: str | None = None) -> Token:
        token = self.peek()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = f"'{text}'" if text else kind
            found = token.text or "the end"
            wanted_fr = f"« {text} »" if text else _KINDS_FR[kind]
            found_fr = f"« {token.text} »" if token.text else "la fin de la condition"
            raise self.fail(
                f"expected {wanted}, found '{found}'",
                f"on attendait {wanted_fr}, on trouve {found_fr}",
            )
        self.at += 1
        return token

    def accept(self, kind: str, text: str) -> bool:
        token = self.peek()
        if token.kind == kind and token.text == text:
            self.at += 1
            return True
        return False

    def condition(self) -> tuple:
        tree = self.or_()
        if self.peek().kind != "end":
            raise self.fail(
                f"unexpected '{self.peek().text}'", f"« {self.peek().text} » inattendu"
            )
        return tree

    def or_(self) -> tuple:
        parts = [self.and_()]
        while self.accept("keyword", "or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else ("or", *parts)

    def and_(self) -> tuple:
        parts = [self.not_()]
        while self.accept("keyword", "and"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else ("and", *parts)

    def not_(self) -> tuple:
        if self.accept("keyword", "not"):
            return ("not", self.not_())
        return self.atom()

    def value(self) -> str | float:
        token = self.peek()
        if token.kind == "string":
            self.at += 1
            return token.text
        if token.kind == "number":
            self.at += 1
            return float(token.text)
        raise self.fail(
            f"expected a 'quoted text' or a number, found '{token.text}'",
            f"on attendait un 'texte entre apostrophes' ou un nombre, on trouve "
            f"« {token.text} »",
        )

    def atom(self) -> tuple:
        if self.accept("op", "("):
            tree = self.or_()
            self.take("op", ")")
            return tree
        if self.accept("keyword", "selected"):
            self.take("op", "(")
            name = self.take("name").text
            self.take("op", ",")
            choice = self.take("string").text
            self.take("op", ")")
            return ("selected", name, choice)
        if self.accept("keyword", "answered"):
            self.take("op", "(")
            name = self.take("name").text
            self.take("op", ")")
            return ("answered", name)
        name = self.take("name").text
        if self.accept("keyword", "in"):
            self.take("op", "(")
            values = [self.value()]
            while self.accept("op", ","):
                values.append(self.value())
            self.take("op", ")")
            return ("in", name, tuple(values))
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARE:
            self.at += 1
            if token.text not in {"=", "!="} and self.peek().kind != "number":
                raise self.fail(
                    f"'{token.text}' compares numbers only",
                    f"« {token.text} » ne compare que des nombres",
                )
            value = self.value()
            return (token.text, name, value)
        raise self.fail(
            f"expected a comparison after '{name}'",
            f"on attendait une comparaison après « {name} »",
        )


def parse_condition(text: str, rule: str = "?") -> tuple:
    """The tree of ``text`` (``REGISTER_012`` when it does not follow the grammar)."""
    return _Parser(text, rule).condition()


def questions_of(tree: tuple) -> set[str]:
    """Every question a condition tree reads."""
    head = tree[0]
    if head in {"and", "or"}:
        return set().union(*(questions_of(part) for part in tree[1:]))
    if head == "not":
        return questions_of(tree[1])
    return {tree[1]}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equal(answer: Any, value: str | float) -> bool:
    if isinstance(value, float):
        number = _number(answer)
        return number is not None and number == value
    return str(answer) == value


def _empty(answer: Any) -> bool:
    return answer is None or (isinstance(answer, str) and answer.strip() == "")


def evaluate(tree: tuple, answers: Mapping[str, Any]) -> bool:
    """Whether ``answers`` (question to answer; absent or ``None``: unanswered)
    satisfy the condition ``tree``."""
    head = tree[0]
    if head == "and":
        return all(evaluate(part, answers) for part in tree[1:])
    if head == "or":
        return any(evaluate(part, answers) for part in tree[1:])
    if head == "not":
        return not evaluate(tree[1], answers)
    answer = answers.get(tree[1])
    if head == "answered":
        return not _empty(answer)
    if _empty(answer):
        return False
    if head == "selected":
        return tree[2] in str(answer).split()
    if head == "in":
        return any(_equal(answer, value) for value in tree[2])
    if head == "=":
        return _equal(answer, tree[2])
    if head == "!=":
        return not _equal(answer, tree[2])
    number = _number(answer)
    if number is None:
        return False
    limit = tree[2]
    return {
        "<": number < limit,
        "<=": number <= limit,
        ">": number > limit,
        ">=": number >= limit,
    }[head]
