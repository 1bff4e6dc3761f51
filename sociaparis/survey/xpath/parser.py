"""Parser and compiler: expression text to a tree, then to one Python closure.

Precedence climbing over the tokens of :mod:`.lexer` (XPath 1.0 §3.3-3.5:
``or`` < ``and`` < ``= !=`` < ``< <= > >=`` < ``+ -`` < ``* div mod`` < unary
``-``).  Chains of the same associative level (``a + b - c``, ``a and b and
c``) become one n-ary node, so long sums do not nest.  The tree is then
compiled into closures that take the context and return a value.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, NamedTuple

from sociaparis.core.errors import Reason
from sociaparis.survey.xpath.errors import XPathError, XPathErrorCode, abbreviate
from sociaparis.survey.xpath.functions import FUNCTIONS, Call
from sociaparis.survey.xpath.lexer import Token, tokenize
from sociaparis.survey.xpath.values import (
    RELATIONS,
    NodeSet,
    Value,
    divide,
    equals,
    modulo,
    not_equals,
    relate,
    to_boolean,
    to_number,
)

Fn = Callable[[Any], Value]
#: Deepest nesting of brackets, calls and operators of different levels.
MAX_DEPTH = 100
#: Longest expression text, in characters.
MAX_LENGTH = 20_000
#: Most nodes of a parse tree (values, references, operators, calls).
MAX_NODES = 5_000

_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
_ARITHMETIC = {"+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}

_SECONDARY = Reason(
    en="it reads secondary instances (choice lists, CSV files)",
    fr="elle lit des instances secondaires (listes de choix, fichiers CSV)",
)
_NODES = Reason(
    en="it needs XML node navigation, which ${name} references do not offer",
    fr="elle demande de parcourir les nœuds XML, ce que les références ${name} ne "
    "permettent pas",
)
_GEOGRAPHIC = Reason(
    en="geographic functions are not supported",
    fr="les fonctions géographiques ne sont pas prises en charge",
)
#: ODK XForms functions deliberately left out, with the reason given to the user.
UNSUPPORTED = {
    "instance": _SECONDARY,
    "randomize": _SECONDARY,
    "current": _NODES,
    "last": _NODES,
    "name": _NODES,
    "local-name": _NODES,
    "namespace-uri": _NODES,
    "lang": _NODES,
    "id": _NODES,
    "jr:itext": Reason(
        en="translations are handled by the form, not by expressions",
        fr="les traductions relèvent du formulaire, pas des expressions",
    ),
    "area": _GEOGRAPHIC,
    "distance": _GEOGRAPHIC,
    "geofence": _GEOGRAPHIC,
    "digest": Reason(
        en="hashing is not supported", fr="le hachage n'est pas pris en charge"
    ),
    "base64-decode": Reason(
        en="base64 decoding is not supported",
        fr="le décodage base64 n'est pas pris en charge",
    ),
    "extract-signed": Reason(
        en="signature checking is not supported",
        fr="la vérification des signatures n'est pas prise en charge",
    ),
}


class Node(NamedTuple):
    """A parse-tree node; ``value`` is the literal, name or operator(s)."""

    kind: str
    pos: int
    value: Any = None
    children: tuple[Node, ...] = ()
    depth: int = 1


class _Chain(NamedTuple):
    """Operands and operators of an n-ary node being gathered."""

    level: int | str
    pos: int
    children: list[Node]
    ops: list[str]


def _chain_level(op: str) -> int | str | None:
    """The chain an operator extends: an arithmetic level, 'and' or 'or'; None."""
    if op in _ARITHMETIC:
        return _ARITHMETIC[op]
    return op if op in ("and", "or") else None


def _chain_kind(level: int | str) -> str:
    return "arith" if isinstance(level, int) else level


def _node_level(node: Node) -> int | str | None:
    if node.kind == "arith":
        return _ARITHMETIC[node.value[0]]
    return node.kind if node.kind in ("and", "or") else None


_CLOSING = Reason(en="')'", fr="')'")


def _describe(token: Token) -> Reason:
    """What ``token`` is, as an error's detail names it."""
    if token.kind == "end":
        return Reason(en="the end of the expression", fr="la fin de l'expression")
    if token.kind == "str":
        return Reason(en=f"the string {token.value!r}", fr=f"la chaîne {token.value!r}")
    return Reason(en=f"{token.value!r}", fr=f"{token.value!r}")


class _Parser:
    """Recursive precedence climbing with nesting and depth limits."""

    def __init__(self, source: str, choice_filter: bool = False) -> None:
        self.source = source
        self.choice_filter = choice_filter
        self.tokens = tokenize(source)
        self.index = 0
        self.nesting = 0
        self.size = 0

    # -- helpers
    def _error(self, code: XPathErrorCode, pos: int, **context: Any) -> XPathError:
        return XPathError(code, expression=self.source, position=pos + 1, **context)

    def _syntax(self, token: Token, detail: Reason) -> XPathError:
        return self._error(XPathErrorCode.SYNTAX, token.pos, detail=detail)

    def _node(
        self, kind: str, pos: int, value: Any = None, children: tuple[Node, ...] = ()
    ) -> Node:
        self.size += 1
        if self.size > MAX_NODES:
            raise XPathError(
                XPathErrorCode.TOO_LARGE,
                expression=abbreviate(self.source),
                limit=MAX_NODES,
            )
        depth = 1 + max((child.depth for child in children), default=0)
        if depth > MAX_DEPTH:
            raise XPathError(
                XPathErrorCode.TOO_DEEP,
                expression=abbreviate(self.source),
                limit=MAX_DEPTH,
            )
        return Node(kind, pos, value, children, depth)

    def _expect(self, kind: str, what: Reason) -> Token:
        token = self.tokens[self.index]
        if token.kind != kind:
            found = _describe(token)
            raise self._syntax(
                token,
                Reason(
                    en=f"expected {what.en} but found {found.en}",
                    fr=f"il faut {what.fr} ici, et non {found.fr}",
                ),
            )
        self.index += 1
        return token

    # -- grammar
    def parse(self) -> Node:
        if self.tokens[0].kind == "end":
            raise XPathError(XPathErrorCode.EMPTY, expression=self.source)
        node = self.expression(1)
        token = self.tokens[self.index]
        if token.kind != "end":
            if token.kind == "|":
                raise self._syntax(
                    token,
                    Reason(
                        en="the union operator | is not supported",
                        fr="l'opérateur d'union | n'est pas pris en charge",
                    ),
                )
            found = _describe(token)
            raise self._syntax(
                token,
                Reason(
                    en=f"unexpected {found.en} after a complete expression",
                    fr=f"{found.fr} vient après une expression déjà complète",
                ),
            )
        return node

    def expression(self, min_precedence: int) -> Node:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise XPathError(
                XPathErrorCode.TOO_DEEP,
                expression=abbreviate(self.source),
                limit=MAX_DEPTH,
            )
        left = self.unary()
        # A chain of one associative level (a + b - c, a and b and c) is gathered
        # in lists and becomes one n-ary node at its end: building a node per
        # operator would copy the children each time (quadratic in the length).
        chain: _Chain | None = None
        while True:
            token = self.tokens[self.index]
            if token.kind != "op":
                break
            precedence = _PRECEDENCE[token.value]
            if precedence < min_precedence:
                break
            self.index += 1
            right = self.expression(precedence + 1)
            op = token.value
            level = _chain_level(op)
            if chain is not None and chain.level == level:
                chain.children.append(right)
                chain.ops.append(op)
                continue
            if chain is not None:
                left = self._close(chain)
                chain = None
            if level is None:
                kind = "eq" if op in ("=", "!=") else "rel"
                left = self._node(kind, token.pos, op, (left, right))
            elif _node_level(left) == level:
                ops = list(left.value) if left.kind == "arith" else []
                chain = _Chain(level, left.pos, [*left.children, right], [*ops, op])
            else:
                chain = _Chain(level, token.pos, [left, right], [op])
        if chain is not None:
            left = self._close(chain)
        self.nesting -= 1
        return left

    def _close(self, chain: _Chain) -> Node:
        self.size += len(chain.ops) - 1  # the node counts one operator, not all
        kind = _chain_kind(chain.level)
        value = tuple(chain.ops) if kind == "arith" else None
        return self._node(kind, chain.pos, value, tuple(chain.children))

    def unary(self) -> Node:
        minus = 0
        start = self.tokens[self.index]
        while (
            self.tokens[self.index].kind == "op" and self.tokens[self.index].value == "-"
        ):
            minus += 1
            self.index += 1
        node = self.primary()
        if minus:
            kind = "neg" if minus % 2 else "tonum"
            node = self._node(kind, start.pos, None, (node,))
        return node

    def primary(self) -> Node:
        token = self.tokens[self.index]
        kind = token.kind
        self.index += 1
        if kind == "num":
            node = self._node("num", token.pos, float(token.value))
        elif kind == "str":
            node = self._node("str", token.pos, token.value)
        elif kind == "ref":
            node = self._node("ref", token.pos, token.value)
        elif kind == "dot":
            node = self._node("cur", token.pos)
        elif kind == "(":
            inner = self.expression(1)
            self._expect(")", _CLOSING)
            node = inner
        elif kind == "func":
            node = self.call(token)
        elif kind == "dotdot":
            raise self._error(XPathErrorCode.PARENT_OUTSIDE_POSITION, token.pos)
        elif kind == "name" and self.choice_filter and token.value != "*":
            node = self._node("col", token.pos, token.value)
        elif kind in ("name", "/", "//", "@", "::"):
            raise self._not_a_reference(token)
        elif kind == "end":
            raise self._syntax(
                token,
                Reason(
                    en="the expression ends where a value is expected",
                    fr="l'expression s'arrête là où une valeur est attendue",
                ),
            )
        else:
            found = _describe(token)
            raise self._syntax(
                token,
                Reason(
                    en=f"expected a value but found {found.en}",
                    fr=f"une valeur est attendue ici, et non {found.fr}",
                ),
            )
        follow = self.tokens[self.index]
        if follow.kind in ("/", "//", "[", "::"):
            raise self._not_a_reference(token)
        return node

    def _not_a_reference(self, token: Token) -> XPathError:
        end = token.pos + max(len(token.value), 1)
        stop = " \t\r\n=<>!,()+"
        while end < len(self.source) and self.source[end] not in stop:
            end += 1
        text = self.source[token.pos : end]
        return self._error(XPathErrorCode.NOT_A_REFERENCE, token.pos, text=text)

    def call(self, token: Token) -> Node:
        name = token.value
        spec = FUNCTIONS.get(name)
        if spec is None and name in UNSUPPORTED:
            raise self._error(
                XPathErrorCode.UNSUPPORTED_FUNCTION,
                token.pos,
                name=name,
                reason=UNSUPPORTED[name],
            )
        if spec is None:
            suggestion = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0)
            raise self._error(
                XPathErrorCode.UNKNOWN_FUNCTION,
                token.pos,
                name=name,
                suggestion=suggestion[0] if suggestion else "concat",
            )
        self._expect("(", Reason(en="'('", fr="'('"))
        args: list[Node] = []
        if (
            name == "position"
            and self.tokens[self.index].kind == "dotdot"
            and self.tokens[self.index + 1].kind == ")"
        ):
            args.append(self._node("parent", self.tokens[self.index].pos))
            self.index += 1
        elif self.tokens[self.index].kind != ")":
            args.append(self.expression(1))
            while self.tokens[self.index].kind == ",":
                self.index += 1
                args.append(self.expression(1))
        self._expect(
            ")",
            Reason(
                en=f"',' or ')' to close the arguments of {name}()",
                fr=f"',' ou ')' pour fermer les arguments de {name}()",
            ),
        )
        given = len(args)
        if given < spec.min_args or (spec.max_args is not None and given > spec.max_args):
            # the French template names the arguments in ``expected``
            if spec.max_args is None:
                expected = Reason(
                    en=f"at least {spec.min_args}",
                    fr=f"au moins {spec.min_args} argument(s)",
                )
            elif spec.min_args == spec.max_args:
                expected = Reason(
                    en=str(spec.min_args), fr=f"{spec.min_args} argument(s)"
                )
            else:
                expected = Reason(
                    en=f"{spec.min_args} to {spec.max_args}",
                    fr=f"de {spec.min_args} à {spec.max_args} arguments",
                )
            raise self._error(
                XPathErrorCode.ARITY,
                token.pos,
                name=name,
                expected=expected,
                given=given,
                signature=spec.signature,
            )
        if (not args and spec.default_current) or spec.append_current:
            args.append(self._node("cur", token.pos))
        for index in spec.nodeset_args:
            if args[index].kind not in ("ref", "cur"):
                raise self._error(
                    XPathErrorCode.NODESET_REQUIRED,
                    token.pos,
                    name=name,
                    index=index + 1,
                    got=_static_description(args[index]),
                )
        return self._node("call", token.pos, name, tuple(args))


def _static_description(node: Node) -> str:
    if node.kind == "str":
        return f"the string {node.value!r}"
    if node.kind == "num":
        return "a number"
    if node.kind == "call":
        return f"the result of {node.value}()"
    return "a computed value"


# ---------------------------------------------------------------- compiler


def _compile_reference(name: str) -> Fn:
    def resolve(ctx: Any) -> Value:
        value = ctx.resolve(name)
        return NodeSet((value,)) if isinstance(value, str) else NodeSet(value)

    return resolve


def _compile_arith(ops: tuple[str, ...], fns: list[Fn]) -> Fn:
    if len(fns) == 2:
        a, b = fns
        op = ops[0]
        if op == "+":
            return lambda ctx: to_number(a(ctx)) + to_number(b(ctx))
        if op == "-":
            return lambda ctx: to_number(a(ctx)) - to_number(b(ctx))
        if op == "*":
            return lambda ctx: to_number(a(ctx)) * to_number(b(ctx))
        if op == "div":
            return lambda ctx: divide(to_number(a(ctx)), to_number(b(ctx)))
        return lambda ctx: modulo(to_number(a(ctx)), to_number(b(ctx)))
    first, rest = fns[0], list(zip(ops, fns[1:], strict=True))

    def chain(ctx: Any) -> float:
        total = to_number(first(ctx))
        for op, fn in rest:
            number = to_number(fn(ctx))
            if op == "+":
                total += number
            elif op == "-":
                total -= number
            elif op == "*":
                total *= number
            elif op == "div":
                total = divide(total, number)
            else:
                total = modulo(total, number)
        return total

    return chain


def _compile_equality(op: str, left: Node, right: Node, a: Fn, b: Fn) -> Fn:
    # Fast path for the most common relevance test: ${q} = 'literal'.
    if op == "=" and left.kind == "ref" and right.kind == "str":
        name, literal = left.value, right.value

        def ref_equals(ctx: Any) -> bool:
            value = ctx.resolve(name)
            return value == literal if isinstance(value, str) else literal in value

        return ref_equals
    test = equals if op == "=" else not_equals
    return lambda ctx: test(a(ctx), b(ctx))


def compile_node(node: Node, source: str) -> Fn:
    """Compile a parse tree into a closure ``context -> value``."""
    kind = node.kind
    if kind in ("num", "str"):
        constant = node.value
        return lambda ctx: constant
    if kind == "ref":
        return _compile_reference(node.value)
    if kind == "cur":
        return lambda ctx: NodeSet((ctx.current(),))
    if kind == "col":
        column = node.value

        def choice_column(ctx: Any) -> NodeSet:
            value = ctx.choice_value(column)
            return NodeSet(()) if value is None else NodeSet((value,))

        return choice_column
    if kind == "parent":
        return lambda ctx: NodeSet(())
    fns = [compile_node(child, source) for child in node.children]
    if kind == "neg":
        (a,) = fns
        return lambda ctx: -to_number(a(ctx))
    if kind == "tonum":
        (a,) = fns
        return lambda ctx: to_number(a(ctx))
    if kind == "arith":
        return _compile_arith(node.value, fns)
    if kind in ("and", "or"):
        if len(fns) == 2:
            a, b = fns
            if kind == "and":
                return lambda ctx: to_boolean(a(ctx)) and to_boolean(b(ctx))
            return lambda ctx: to_boolean(a(ctx)) or to_boolean(b(ctx))
        if kind == "and":
            return lambda ctx: all(to_boolean(fn(ctx)) for fn in fns)
        return lambda ctx: any(to_boolean(fn(ctx)) for fn in fns)
    if kind == "eq":
        return _compile_equality(node.value, *node.children, *fns)
    if kind == "rel":
        relation = RELATIONS[node.value]
        a, b = fns
        return lambda ctx: relate(relation, a(ctx), b(ctx))
    spec = FUNCTIONS[node.value]
    call = Call(node.value, node.pos, source, node.children)
    return spec.build(call, fns)


def collect(node: Node, references: set[str], columns: set[str]) -> bool:
    """Add the ``${name}`` references and choice columns under ``node``.

    Returns whether '.' occurs.
    """
    uses_current = node.kind == "cur"
    if node.kind == "ref":
        references.add(node.value)
    elif node.kind == "col":
        columns.add(node.value)
    for child in node.children:
        uses_current = collect(child, references, columns) or uses_current
    return uses_current


def parse_tree(source: str, *, choice_filter: bool = False) -> Node:
    """Parse ``source`` into a tree (raises :class:`XPathError`).

    With ``choice_filter``, bare names are columns of the choice being filtered.
    A text over :data:`MAX_LENGTH` characters is refused before it is read.
    """
    if len(source) > MAX_LENGTH:
        raise XPathError(
            XPathErrorCode.TOO_LONG,
            expression=abbreviate(source),
            length=len(source),
            limit=MAX_LENGTH,
        )
    return _Parser(source, choice_filter).parse()
