"""Parsed expressions of an instrument and the dependency graph between its items.

Relevance, calculation, requirement, choice filter and repeat count form one graph
(an edge from every ``${name}`` an expression reads, and from each enclosing
group, to the item it belongs to). The engine evaluates items in the
graph's topological order; a cycle is an error when the form is read.
Constraints are checked once every value is final, as in ODK (JavaRosa keeps
them out of its graph of "triggerables"): ``. <= ${total}`` where ``total`` sums
this very answer is a valid form, not a cycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sociaparis.core.errors import Location, Reason, SociaparisError
from sociaparis.survey.checks import MAX_ANSWER_LENGTH
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.instrument import Instrument, Item, Question
from sociaparis.survey.xpath import Expression, XPathError, parse
from sociaparis.survey.xpath.bounds import expression_text_bound
from sociaparis.survey.xpath.errors import abbreviate
from sociaparis.survey.xpath.functions import MAX_STRING_LENGTH

#: Expression columns that take part in the dependency graph, and their XLSForm names.
GRAPH_FIELDS = {
    "relevant": "relevant",
    "calculation": "calculation",
    "required": "required",
    "choice_filter": "choice_filter",
    "repeat_count": "repeat_count",
}
ALL_FIELDS = {**GRAPH_FIELDS, "constraint": "constraint"}

_SEGMENTS = re.compile(r"('[^']*'|\"[^\"]*\"|\$\{[^}]*\})")
#: Translated texts that may show values, as ``${name}``.
TEXT_FIELDS = ("labels", "hints", "constraint_messages", "required_messages")
TEXT_REFERENCE = re.compile(r"\$\{([A-Za-z_][\w.-]*)\}")
_POSITION = re.compile(r"position\s*\(\s*\.\.\s*\)")
Locate = Callable[[str, str, str | None], Location]


def choice_columns(instrument: Instrument, question: Question) -> frozenset[str]:
    """Names a choice filter on ``question`` may use bare: ``name``, ``label``, extras."""
    columns = {"name", "label"}
    for choice in instrument.choice_list(question):
        columns.update(choice.extra)
    return frozenset(columns)


def text_references(item: Item) -> set[str]:
    """Names referred to as ``${name}`` in an item's labels, hints and messages."""
    found: set[str] = set()
    for field in TEXT_FIELDS:
        for text in getattr(item, field, {}).values():
            found.update(TEXT_REFERENCE.findall(text))
    return found


def unknown_choice_columns(instrument: Instrument) -> list[tuple[str, str, str]]:
    """``(question, column, known columns)`` for each bare name a choice filter
    reads that its list has no column for.

    ODK reads such a name as a path to no node: an empty node-set, so that
    ``pastel=yes`` (``yes`` unquoted) never holds. It is legal, and most often
    a forgotten quote: the form's check warns about it.
    """
    found = []
    for question in instrument.questions:
        if not question.choice_filter:
            continue
        try:
            expression = parse(question.choice_filter, choice_filter=True)
        except XPathError:
            continue  # refused with its location by check_expressions
        known = choice_columns(instrument, question)
        found.extend(
            (question.name, column, ", ".join(sorted(known)))
            for column in sorted(expression.choice_columns - known)
        )
    return found


@dataclass(frozen=True, slots=True)
class ItemExpressions:
    """The parsed expressions of one item (None where the cell is empty)."""

    relevant: Expression | None = None
    calculation: Expression | None = None
    required: Expression | None = None
    constraint: Expression | None = None
    choice_filter: Expression | None = None
    repeat_count: Expression | None = None


def parse_item(
    instrument: Instrument, name: str, locate: Locate | None = None
) -> ItemExpressions:
    """Parse every expression of item ``name``, checking its ``${...}`` references.

    Raises
    ------
    SociaparisError
        ``SURVEY_006`` for a syntax error or unknown function, ``SURVEY_005`` for a
        reference to a name the form does not have.
    """
    item = instrument.item(name)
    parsed: dict[str, Expression | None] = {}
    for field, column in ALL_FIELDS.items():
        source = getattr(item, field, "")
        if not source:
            continue
        text = source
        where = (
            locate(name, column, source)
            if locate
            else Location("survey", item.row, column)
        )
        try:
            expression = parse(text, choice_filter=field == "choice_filter")
        except XPathError as exc:
            raise SociaparisError(
                SurveyError.BAD_EXPRESSION,
                location=where,
                expression=abbreviate(source, 200),
                reason=exc,  # quoted by its code, in the page's language on a page
            ) from exc
        outside_strings = "".join(_SEGMENTS.split(text)[::2])
        if _POSITION.search(outside_strings) and item.repeat is None:
            raise SociaparisError(
                SurveyError.BAD_EXPRESSION,
                location=where,
                expression=source,
                reason=Reason(
                    en="position(..) gives the repeat instance number, and "
                    f"'{name}' is not inside a repeat.",
                    fr="position(..) donne le numéro de l'occurrence de la "
                    f"répétition, et « {name} » n'est dans aucune répétition.",
                ),
            )
        for reference in sorted(expression.references):
            if not instrument.has(reference):
                raise SociaparisError(
                    SurveyError.UNKNOWN_REFERENCE,
                    location=where,
                    expression=source,
                    reference=reference,
                )
        parsed[field] = expression
    return ItemExpressions(**parsed)


@dataclass(frozen=True, slots=True)
class DependencyGraph:
    """Items in evaluation order, with what each one reads.

    Attributes
    ----------
    order
        Every item name, each after everything its graph expressions read.
    expressions
        Item name to its parsed expressions.
    reads
        Item name to the names it depends on directly (graph fields, constraint and
        enclosing groups), used to find what a page needs.
    """

    order: tuple[str, ...]
    expressions: Mapping[str, ItemExpressions]
    reads: Mapping[str, frozenset[str]]

    def closure(self, names: set[str] | frozenset[str]) -> frozenset[str]:
        """``names`` and every item they depend on, directly or not."""
        seen = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            stack.extend(self.reads.get(name, ()))
        return frozenset(seen)


def build_graph(instrument: Instrument, locate: Locate | None = None) -> DependencyGraph:
    """Parse every expression and order the items; raise ``SURVEY_009`` on a cycle."""
    expressions = {
        item.name: parse_item(instrument, item.name, locate) for item in instrument.items
    }
    edges: dict[str, set[str]] = {}
    reads: dict[str, frozenset[str]] = {}
    position = {item.name: index for index, item in enumerate(instrument.items)}
    for item in instrument.items:
        parsed = expressions[item.name]
        graph_reads: set[str] = set()
        if item.parent is not None:
            graph_reads.add(item.parent)
        if isinstance(item, Question) and item.repeat is not None:
            graph_reads.add(item.repeat)
        for field in GRAPH_FIELDS:
            expression = getattr(parsed, field)
            if expression is None:
                continue
            graph_reads.update(expression.references)
            if expression.uses_current and field != "choice_filter":
                graph_reads.add(item.name)
        edges[item.name] = graph_reads
        all_reads = set(graph_reads)
        if parsed.constraint is not None:
            all_reads.update(parsed.constraint.references)
        all_reads.update(ref for ref in text_references(item) if instrument.has(ref))
        all_reads.discard(item.name)
        reads[item.name] = frozenset(all_reads)
    order = _topological(edges, position, instrument, locate)
    _check_text_bounds(instrument, order, locate)
    return DependencyGraph(tuple(order), expressions, reads)


def _check_text_bounds(
    instrument: Instrument, order: list[str], locate: Locate | None
) -> None:
    """Refuse a calculation whose text could grow past ``MAX_STRING_LENGTH``.

    Answers count at :data:`MAX_ANSWER_LENGTH`; items are bounded in
    evaluation order, so a calculation reading another uses its bound.
    """
    bounds: dict[str, int] = {}

    def bound_of(name: str | None) -> int:
        return MAX_ANSWER_LENGTH if name is None else bounds.get(name, MAX_ANSWER_LENGTH)

    for name in order:
        item = instrument.item(name)
        source = getattr(item, "calculation", "")
        if not source:
            answerable = isinstance(item, Question) and item.answerable
            bounds[name] = (
                MAX_ANSWER_LENGTH if answerable else len(getattr(item, "default", ""))
            )
            continue
        bound = expression_text_bound(source, bound_of)
        if bound > MAX_STRING_LENGTH:
            raise SociaparisError(
                SurveyError.TEXT_TOO_LONG,
                location=(
                    locate(name, "calculation", source)
                    if locate
                    else Location("survey", item.row, "calculation")
                ),
                name=name,
                bound=bound,
                limit=MAX_STRING_LENGTH,
                answer_limit=MAX_ANSWER_LENGTH,
            )
        bounds[name] = bound


def _topological(
    edges: Mapping[str, set[str]],
    position: Mapping[str, int],
    instrument: Instrument,
    locate: Locate | None,
) -> list[str]:
    """Depth-first order, children after what they read; document order on ties."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in sorted(edges, key=position.__getitem__):
        if state.get(start) == 2:
            continue
        stack: list[tuple[str, list[str]]] = [
            (start, sorted(edges[start], key=position.__getitem__))
        ]
        path = [start]
        state[start] = 1
        while stack:
            name, pending = stack[-1]
            if pending:
                nxt = pending.pop(0)
                if state.get(nxt) == 1:
                    cycle = path[path.index(nxt) :] + [nxt]
                    _raise_cycle(cycle, instrument, locate)
                if state.get(nxt) is None:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, sorted(edges[nxt], key=position.__getitem__)))
            else:
                stack.pop()
                path.pop()
                state[name] = 2
                order.append(name)
    return order


def _raise_cycle(cycle: list[str], instrument: Instrument, locate: Locate | None) -> None:
    """Report ``cycle`` ([a, b, ..., a]: a reads b...) at the first cell that reads on."""
    where: Location | None = None
    for name, read in zip(cycle, cycle[1:], strict=False):
        item = instrument.item(name)
        for field, column in GRAPH_FIELDS.items():
            source = getattr(item, field, "")
            if source and (f"${{{read}}}" in source or (read == name and "." in source)):
                where = (
                    locate(name, column, source)
                    if locate
                    else Location("survey", item.row, column)
                )
                break
        if where is not None:
            break
    if where is None:
        where = Location("survey", instrument.item(cycle[0]).row)
    raise SociaparisError(
        SurveyError.DEPENDENCY_CYCLE,
        location=where,
        cycle=" needs ".join(f"${{{name}}}" for name in cycle),
    )


def check_expressions(instrument: Instrument, *, locate: Locate | None = None) -> None:
    """Parse every expression, check every reference, and look for cycles.

    Raises
    ------
    SociaparisError
        ``SURVEY_005``, ``SURVEY_006`` or ``SURVEY_009``.
    """
    build_graph(instrument, locate)


__all__ = [
    "DependencyGraph",
    "ItemExpressions",
    "build_graph",
    "check_expressions",
    "choice_columns",
    "parse_item",
]
