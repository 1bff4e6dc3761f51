r"""The form-logic engine: relevance, values, checks and pages, with ODK semantics.

Pure functions over an :class:`~sociaparis.survey.instrument.Instrument` and the
answers so far, laid out as ODK stores them: a dict from question name to its
answer as a string (a ``select_multiple`` as space-separated choice names), and a
repeat as a list of such dicts, one per instance.

The rules (ODK Collect / JavaRosa):

- a group's non-relevance is inherited by everything inside it;
- a non-relevant value is blank (``''``) in every expression and is dropped from
  the record;
- ``required`` applies only to relevant questions, constraints are not checked on
  empty answers;
- relevance, calculations, requirements, choice filters and repeat counts are
  evaluated once, in the topological order of their dependency graph (see
  :mod:`sociaparis.survey.expressions`), which is computed once per instrument;
- a ``${name}`` read from inside the same repeat instance is the sibling in that
  instance; read from elsewhere, it is the node-set of all instances;
- an answer the form does not give yet takes the question's ``default``; an
  answer that a choice filter no longer offers is cleared.

For the web layer: :func:`validate_page` checks a submission (and carries the
state to render the page again), :func:`evaluate_form` with ``page=`` gives the
state to render a page (``is_relevant``, ``value``, ``offered``), and
:func:`next_page` / :func:`previous_page` walk the relevant pages.

Examples
--------
>>> from sociaparis.survey.xlsform import parse_xlsform
>>> md = (
...     "| survey |\n"
...     "| | type    | name | label | relevant    | constraint |\n"
...     "| | integer | age  | Age   |             | . >= 16    |\n"
...     "| | text    | job  | Job   | ${age} > 17 |            |\n"
... )
>>> form = parse_xlsform(md.encode(), filename="f.md").instrument
>>> [page.name for page in relevant_pages(form, {"age": "16"})]
['age']
>>> validate_page(form, {"age": "12"}, "age", "en").errors[0].message
'This answer is not allowed.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sociaparis.core.caches import BoundedCache
from sociaparis.core.errors import Location, SociaparisError
from sociaparis.survey.checks import (
    FieldError,
    canonical,
    default_message,
    range_bounds,
    value_problem,
)
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.expressions import (
    ALL_FIELDS,
    TEXT_REFERENCE,
    DependencyGraph,
    build_graph,
)
from sociaparis.survey.formats import FORMATTED_TYPES
from sociaparis.survey.instrument import (
    SELECT_TYPES,
    Choice,
    Group,
    Instrument,
    Page,
    Question,
)
from sociaparis.survey.xpath import (
    NodeSet,
    XPathError,
    evaluate,
    to_boolean,
    to_number,
    to_string,
)

Answers = Mapping[str, Any]
#: Where an item's value is: 0 outside repeats, the 1-based instance number in
#: a repeat, and the tuple of instance numbers from the outermost repeat in a
#: nested repeat (``(2, 3)``: the 3rd instance of the inner repeat in the 2nd
#: of the outer one).
Index = int | tuple[int, ...]
Key = tuple[str, Index]
MAX_REPEAT_INSTANCES = 1000


def child_index(parent: Index, number: int) -> Index:
    """The index of instance ``number`` of a repeat whose parent instance is
    ``parent`` (0 for a top-level repeat).

    >>> child_index(0, 2), child_index(2, 3), child_index((2, 3), 1)
    (2, (2, 3), (2, 3, 1))
    """
    if parent == 0:
        return number
    if isinstance(parent, int):
        return (parent, number)
    return (*parent, number)


def index_prefix(index: Index, depth: int) -> Index:
    """The index of the enclosing instance ``depth`` repeats deep (0: outside).

    >>> index_prefix((2, 3, 1), 2), index_prefix((2, 3), 1), index_prefix(4, 0)
    ((2, 3), 2, 0)
    """
    if depth == 0:
        return 0
    if isinstance(index, int):
        return index
    return index[0] if depth == 1 else index[:depth]


def instance_number(index: Index) -> int:
    """The instance number within its own repeat (what ``position(..)`` gives)."""
    return index if isinstance(index, int) else index[-1]


class _Step:
    """What the engine does for one item, precomputed once per instrument."""

    __slots__ = (
        "name",
        "item",
        "is_group",
        "is_repeat",
        "in_repeat",
        "chain",
        "nested",
        "parent",
        "parent_scoped",
        "relevant",
        "calculation",
        "required",
        "constraint",
        "choice_filter",
        "repeat_count",
        "answerable",
        "default",
        "choices",
        "columns",
        "numeric",
    )

    def __init__(self, instrument: Instrument, graph: DependencyGraph, name: str) -> None:
        item = instrument.item(name)
        parsed = graph.expressions[name]
        self.name = name
        self.item = item
        self.is_group = isinstance(item, Group)
        self.is_repeat = isinstance(item, Group) and item.kind == "repeat"
        self.in_repeat = item.repeat
        # the enclosing repeats, outermost first (a repeat is not its own)
        chain: list[str] = []
        outer = item.repeat
        while outer is not None:
            chain.insert(0, outer)
            outer = instrument.item(outer).repeat
        self.chain = tuple(chain)
        # inside a repeat inside a repeat (its values keyed by tuples)
        self.nested = len(chain) > 1
        self.parent = item.parent
        parent = instrument.item(item.parent) if item.parent else None
        self.parent_scoped = parent is not None and (
            parent.repeat is not None
            or (isinstance(parent, Group) and parent.kind == "repeat")
        )
        self.relevant = parsed.relevant
        self.calculation = parsed.calculation
        self.required = parsed.required
        self.constraint = parsed.constraint
        self.choice_filter = parsed.choice_filter
        self.repeat_count = parsed.repeat_count
        self.answerable = isinstance(item, Question) and item.answerable
        self.default = item.default if isinstance(item, Question) else ""
        # Answers stored in a canonical text: numbers, times, places.
        self.numeric = isinstance(item, Question) and item.type in {
            "integer",
            "decimal",
            "range",
            *FORMATTED_TYPES,
        }
        self.choices: tuple[Choice, ...] = (
            instrument.choice_list(item) if isinstance(item, Question) else ()
        )
        self.columns = frozenset(
            column for choice in self.choices for column in choice.extra
        )


class _Plan:
    """The evaluation order and steps of one instrument, and per-page subsets."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.graph = build_graph(instrument)
        self.steps = tuple(
            _Step(instrument, self.graph, name) for name in self.graph.order
        )
        self.by_name = {step.name: step for step in self.steps}
        self._chains = {
            step.name: (*step.chain, step.name) for step in self.steps if step.is_repeat
        }
        self._subsets: dict[str, tuple[_Step, ...]] = {}
        self._self_dependent: dict[str, bool] = {}
        self._after_page: dict[str, tuple[_Step, ...] | None] = {}
        self._readers: dict[str, set[str]] = {}
        self._deciding_pages: tuple[int, ...] | None = None
        for name, reads in self.graph.reads.items():
            for read in reads:
                self._readers.setdefault(read, set()).add(name)
        # Items whose value or relevance may change with no answer changing.
        self._volatile = frozenset(
            name
            for name, parsed in self.graph.expressions.items()
            if any(
                expression is not None and _VOLATILE.search(expression.source)
                for expression in (
                    parsed.relevant,
                    parsed.calculation,
                    parsed.choice_filter,
                    parsed.repeat_count,
                )
            )
        )

    def chain_of(self, repeat: str) -> tuple[str, ...]:
        """The repeats from the outermost down to ``repeat`` itself."""
        return self._chains[repeat]

    def self_dependent(self, page: Page) -> bool:
        """Whether what ``page`` shows depends on answers given on ``page`` itself."""
        answer = self._self_dependent.get(page.name)
        if answer is None:
            on_page = set(page.questions)
            answer = any(
                (self.graph.closure({name}) - {name}) & on_page for name in page.questions
            )
            self._self_dependent[page.name] = answer
        return answer

    def deciding_pages(self) -> tuple[int, ...]:
        """For each page, the index of the last other page whose answers it reads.

        What a page shows (its relevance, its repeat's instances) is decided once
        the answers of the pages it reads, directly or through calculations, are
        in; -1 for a page that reads no answer.
        """
        if self._deciding_pages is None:
            pages = self.instrument.pages()
            page_of = {
                name: index
                for index, page in enumerate(pages)
                for name in page.questions
                if isinstance(item := self.instrument.item(name), Question)
                and item.answerable
            }
            self._deciding_pages = tuple(
                max(
                    (
                        page_of[name]
                        for name in self.graph.closure({page.name, *page.questions})
                        if page_of.get(name, index) != index
                    ),
                    default=-1,
                )
                for index, page in enumerate(pages)
            )
        return self._deciding_pages

    def after_page(self, page: Page) -> tuple[_Step, ...] | None:
        """The steps to evaluate again when only the answers of ``page`` changed.

        What reads the page's questions, directly or not, and what reads the
        clock or chance (and what reads those), in evaluation order; None when a
        repeat is among them (the whole form is then evaluated again).
        """
        if page.name not in self._after_page:
            affected: set[str] = set()
            stack = [*page.questions, *self._volatile]
            while stack:
                name = stack.pop()
                if name not in affected:
                    affected.add(name)
                    stack.extend(self._readers.get(name, ()))
            steps: tuple[_Step, ...] | None = tuple(
                step for step in self.steps if step.name in affected
            )
            if page.kind == "repeat" or any(
                step.is_repeat or step.in_repeat is not None for step in steps or ()
            ):
                steps = None
            self._after_page[page.name] = steps
        return self._after_page[page.name]

    def subset(self, page: Page) -> tuple[_Step, ...]:
        """The steps needed to evaluate and check the questions of ``page``."""
        steps = self._subsets.get(page.name)
        if steps is None:
            needed = self.graph.closure(set(page.questions))
            steps = tuple(step for step in self.steps if step.name in needed)
            self._subsets[page.name] = steps
        return steps


# Functions whose result changes from one evaluation to the next.
_VOLATILE = re.compile(r"\b(?:now|today|random|uuid)\s*\(")

# Plans by the instrument's content hash.
_PLANS: BoundedCache[str, _Plan] = BoundedCache(maxsize=64)


def _plan(instrument: Instrument) -> _Plan:
    """The plan of ``instrument``, built once per content hash."""
    return _PLANS.get(instrument.content_hash, lambda _: _Plan(instrument))


def _count(counts: Mapping[Any, int], repeat: str, parent: Index) -> int:
    """How many instances ``repeat`` has in its ``parent`` instance (0: top)."""
    return counts.get(repeat if parent == 0 else (repeat, parent), 0)


class _Context:
    """The engine's side of :class:`~sociaparis.survey.xpath.EvaluationContext`."""

    __slots__ = ("state", "name", "index", "repeat", "dot", "choice", "moment", "lang")

    def __init__(self, state: FormState, moment: datetime, lang: str | None) -> None:
        self.state = state
        self.name = ""
        self.index = 0
        self.repeat: str | None = None
        self.dot = ""
        self.choice: Choice | None = None
        self.moment = moment
        self.lang = lang

    def resolve(self, name: str) -> str | Sequence[str]:
        state = self.state
        step = state.plan.by_name[name]
        if step.is_repeat:
            if not step.chain:
                return NodeSet([""] * state.counts.get(name, 0))
            return NodeSet([""] * len(self._under(step.chain, name)))
        repeat = step.in_repeat
        if repeat is None:
            return state.values.get((name, 0), "")
        if repeat == self.repeat and self.index:
            return state.values.get((name, self.index), "")
        values = state.values
        if not step.nested and self.repeat is None:
            return NodeSet(
                [
                    values.get((name, i), "")
                    for i in range(1, state.counts.get(repeat, 0) + 1)
                ]
            )
        return self._nested(name, step.chain)

    def _shared(self, chain: tuple[str, ...]) -> int:
        """How many of ``chain``'s repeats the context is inside (from the top)."""
        if self.repeat is None or not self.index:
            return 0
        own = self.state.plan.chain_of(self.repeat)
        shared = 0
        for mine, theirs in zip(own, chain, strict=False):
            if mine != theirs:
                break
            shared += 1
        return shared

    def _nested(self, name: str, chain: tuple[str, ...]) -> str | Sequence[str]:
        """``${name}`` in the repeats ``chain`` (outermost first), as ODK reads it:
        the value in the context's own instance when the context is inside all
        of them, else the node-set of its values in every instance within the
        repeats the context shares."""
        values = self.state.values
        shared = self._shared(chain)
        if shared == len(chain):
            return values.get((name, index_prefix(self.index, shared)), "")
        return NodeSet(
            [values.get((name, index), "") for index in self._under(chain, None)]
        )

    def _under(self, chain: tuple[str, ...], repeat: str | None) -> list[Index]:
        """Every instance of the repeats ``chain`` (plus ``repeat``, if given)
        within the instance the context shares with them."""
        shared = self._shared(chain)
        levels = (*chain, repeat) if repeat is not None else chain
        indexes: list[Index] = [index_prefix(self.index, shared)]
        counts = self.state.counts
        for depth in range(shared, len(levels)):
            level = levels[depth]
            indexes = [
                child_index(parent, number)
                for parent in indexes
                for number in range(1, _count(counts, level, parent) + 1)
            ]
        return indexes

    def current(self) -> str:
        return self.dot

    def choice_value(self, column: str) -> str | None:
        """Column ``column`` of the choice a choice_filter is testing.

        ``''`` for a column of the list that this choice leaves empty; None for
        a column the list does not have (an empty node-set, as in ODK).
        """
        choice = self.choice
        if choice is None:
            return ""
        if column == "name":
            return choice.name
        if column == "label":
            return self.state.instrument.text(choice.labels, self.lang)
        value = choice.extra.get(column)
        if value is not None:
            return value
        return "" if column in self.state.plan.by_name[self.name].columns else None

    def position(self) -> int:
        index = self.index
        return index if type(index) is int else index[-1]  # type: ignore[index]

    def indexed(self, name: str, repeat: str, index: int) -> str:
        state = self.state
        chain = state.plan.by_name[repeat].chain
        if not chain:
            if 1 <= index <= state.counts.get(repeat, 0):
                return state.values.get((name, index), "")
            return ""
        # a nested repeat: its instance within the context's enclosing instance
        if self._shared(chain) < len(chain):
            return ""
        parent = index_prefix(self.index, len(chain))
        if 1 <= index <= _count(state.counts, repeat, parent):
            return state.values.get((name, child_index(parent, index)), "")
        return ""

    def pulldata(self, table: str, column: str, key_column: str, key: str) -> str:
        return self.state.instrument.pulldata(table, column, key_column, key)

    def choice_label(self, question: str, value: str) -> str:
        instrument = self.state.instrument
        if not instrument.has(question):
            return ""
        item = instrument.item(question)
        if not isinstance(item, Question):
            return ""
        for choice in instrument.choice_list(item):
            if choice.name == value:
                return instrument.text(choice.labels, self.lang)
        return ""

    def now(self) -> datetime:
        return self.moment


class FormState:
    """Relevance and values of every evaluated item for one set of answers.

    Use :func:`evaluate_form` to build one. Keys are ``(name, instance)``, with
    ``instance`` 1-based inside repeats and 0 elsewhere.
    """

    __slots__ = (
        "instrument",
        "plan",
        "answers",
        "values",
        "relevant",
        "counts",
        "options",
        "submitted",
        "lang",
        "evaluated",
        "_context",
    )

    def __init__(self, instrument: Instrument, plan: _Plan, answers: Answers) -> None:
        self.instrument = instrument
        self.plan = plan
        self.answers = answers
        self.values: dict[Key, str] = {}
        self.relevant: dict[Key, bool] = {}
        self.counts: dict[str, int] = {}
        self.options: dict[Key, tuple[str, ...]] = {}
        self.submitted: dict[Key, str] = {}
        self.lang: str | None = None
        self.evaluated: tuple[_Step, ...] = ()

    # -- reading the state -------------------------------------------------------
    def value(self, name: str, instance: Index = 0) -> str:
        """The value of ``name`` (``''`` when empty or not relevant)."""
        return self.values.get((name, instance), "")

    def is_relevant(self, name: str, instance: Index = 0) -> bool:
        """Whether ``name`` (in repeat ``instance``) is relevant."""
        return self.relevant.get((name, instance), False)

    def instances(self, repeat: str, parent: Index = 0) -> int:
        """How many instances the repeat has (0 when it is not relevant); for a
        nested repeat, in the instance ``parent`` of its enclosing repeat."""
        return _count(self.counts, repeat, parent)

    def indexes(self, repeat: str) -> list[Index]:
        """The index of every instance of ``repeat`` (nested: in every parent)."""
        chain = self.plan.chain_of(repeat)
        if len(chain) == 1:
            return list(range(1, self.counts.get(repeat, 0) + 1))
        indexes: list[Index] = [0]
        for level in chain:
            indexes = [
                child_index(parent, number)
                for parent in indexes
                for number in range(1, _count(self.counts, level, parent) + 1)
            ]
        return indexes

    def offered(self, name: str, instance: Index = 0) -> tuple[Choice, ...]:
        """The choices a select offers, after its choice filter."""
        step = self.plan.by_name[name]
        allowed = self.options.get((name, instance))
        if allowed is None:
            return step.choices
        return tuple(choice for choice in step.choices if choice.name in allowed)

    def _scope(self, step: _Step) -> Sequence[Index]:
        if step.in_repeat is None:
            return range(1)
        if step.nested:
            return self.indexes(step.in_repeat)
        return range(1, self.counts.get(step.in_repeat, 0) + 1)

    def record(self) -> dict[str, Any]:
        """The record as it would be submitted: relevant questions and calculations.

        Values are strings in XPath ``string()`` form; a repeat is a list of
        objects, one per instance; groups are flattened; non-relevant items are
        absent (a non-relevant repeat too).
        """
        result: dict[str, Any] = {}
        # the record's object of each repeat instance, by (repeat, index)
        objects: dict[tuple[str, Index], dict[str, Any]] = {}
        for item in self.instrument.items:
            if isinstance(item, Group):
                if item.kind != "repeat":
                    continue
                if item.repeat is None:
                    if self.relevant.get((item.name, 0)):
                        rows = [{} for _ in range(self.counts.get(item.name, 0))]
                        result[item.name] = rows
                        for number, row in enumerate(rows, start=1):
                            objects[(item.name, number)] = row
                    continue
                for parent in self.indexes(item.repeat):
                    holder = objects[(item.repeat, parent)]
                    if not self.relevant.get((item.name, parent)):
                        continue
                    rows = [{} for _ in range(self.instances(item.name, parent))]
                    holder[item.name] = rows
                    for number, row in enumerate(rows, start=1):
                        objects[(item.name, child_index(parent, number))] = row
                continue
            if item.repeat is None:
                if self.relevant.get((item.name, 0)):
                    result[item.name] = self.values.get((item.name, 0), "")
                continue
            for index in self._scope(self.plan.by_name[item.name]):
                holder = objects.get((item.repeat, index))
                if holder is not None and self.relevant.get((item.name, index)):
                    holder[item.name] = self.values.get((item.name, index), "")
        return result

    def page_relevant(self, page: Page) -> bool:
        """Whether ``page`` is shown: one of its questions is relevant.

        A repeat page without ``repeat_count`` is shown whenever the repeat is
        relevant, so that instances can be added.
        """
        if page.kind == "repeat":
            if not self.relevant.get((page.name, 0)):
                return False
            repeat = self.instrument.item(page.name)
            if isinstance(repeat, Group) and not repeat.repeat_count:
                return True
        return bool(self.page_questions(page))

    def page_questions(self, page: Page) -> tuple[str, ...]:
        """The relevant questions of ``page`` (in any instance, for a repeat)."""
        # Runs for every page on every page view (progress): kept loop-only.
        relevant, steps, counts = self.relevant, self.plan.by_name, self.counts
        shown = []
        for name in page.questions:
            repeat = steps[name].in_repeat
            if repeat is None:
                if relevant.get((name, 0)):
                    shown.append(name)
                continue
            indexes = (
                self.indexes(repeat)
                if steps[name].nested
                else range(1, counts.get(repeat, 0) + 1)
            )
            for index in indexes:
                if relevant.get((name, index)):
                    shown.append(name)
                    break
        return tuple(shown)

    def pages(self) -> tuple[Page, ...]:
        """The relevant pages, in order (needs a full evaluation)."""
        return tuple(page for page in self.instrument.pages() if self.page_relevant(page))

    def progress(self, page: Page) -> tuple[int, int]:
        """Where ``page`` stands for the progress bar: ``(position, total)``.

        The total counts the pages that are relevant and, after ``page``, those
        still depending on answers not given yet (on ``page`` or later): a page
        is dropped from it only once the answers that rule it out are in. So the
        first page shows every page the respondent may reach, the total never
        grows on the way forward and never falls below the position. Needs a
        full evaluation.
        """
        deciding = self.plan.deciding_pages()
        current = self.instrument.pages().index(page)
        position = total = 0
        for index, other in enumerate(self.instrument.pages()):
            if (
                index == current
                or (index > current and deciding[index] >= current)
                or self.page_relevant(other)
            ):
                total += 1
                if index < current:
                    position += 1
        return position + 1, total

    def text(self, name: str, field: str = "labels", instance: int = 0) -> str:
        """A text of item ``name`` in the state's language, its ``${...}`` filled in.

        Parameters
        ----------
        name
            The question, group or repeat.
        field
            ``labels``, ``hints``, ``constraint_messages`` or ``required_messages``.
        instance
            The repeat instance whose values fill the text (0 outside repeats).
        """
        item = self.instrument.item(name)
        text = self.instrument.text(getattr(item, field, {}), self.lang)
        return self.fill(text, name, instance)

    def fill(self, text: str, name: str, instance: int = 0) -> str:
        """Replace each ``${ref}`` in ``text`` by its value, as seen from ``name``.

        A reference to a question in a repeat, seen from outside it, shows the
        first instance's value (XPath ``string()`` of a node-set).
        """
        if "${" not in text:
            return text
        context = self._context
        item = self.instrument.item(name)
        context.name, context.index, context.repeat = name, instance, item.repeat

        def value(match: re.Match[str]) -> str:
            ref = match.group(1)
            if not self.instrument.has(ref):
                return match.group(0)
            return to_string(context.resolve(ref))  # type: ignore[arg-type]

        return TEXT_REFERENCE.sub(value, text)

    # -- checking ----------------------------------------------------------------
    def errors(self, questions: Iterable[str] | None = None) -> list[FieldError]:
        """Every violated requirement, constraint, type or choice, in form order.

        Parameters
        ----------
        questions
            Only these questions (all evaluated ones when None).
        """
        wanted = None if questions is None else set(questions)
        found: list[FieldError] = []
        context = self._context
        with _located(self.instrument, context):
            for step in self.evaluated:
                if step.is_group or (wanted is not None and step.name not in wanted):
                    continue
                for index in self._scope(step):
                    key = (step.name, index)
                    if not self.relevant.get(key):
                        continue
                    error = self._check(step, index, key, context)
                    if error is not None:
                        found.append(error)
        order = {item.name: n for n, item in enumerate(self.instrument.items)}
        items = self.instrument

        def place(error: FieldError) -> tuple[int, int, int]:
            anchor = items.item(error.question).repeat or error.question
            return (order[anchor], error.instance or 0, order[error.question])

        found.sort(key=place)
        return found

    def _check(
        self, step: _Step, index: int, key: Key, context: _Context
    ) -> FieldError | None:
        question = step.item
        if not isinstance(question, Question) or not step.answerable:
            return None  # notes and computed values are never "missing" or "wrong"
        instance = index or None
        raw = self.submitted.get(key, "")
        value = self.values.get(key, "")
        lang = self.lang
        if raw:
            problem = value_problem(question, raw)
            if problem is not None:
                kind = question.type
                if kind == "range":
                    start, end, step_size = range_bounds(question)
                    message = default_message(
                        "range",
                        lang,
                        start=f"{start:g}",
                        end=f"{end:g}",
                        step=f"{step_size:g}",
                    )
                else:
                    message = default_message(kind, lang)
                return FieldError(question.name, "type", message, instance)
            if question.type in SELECT_TYPES:
                offered = {choice.name for choice in self.offered(question.name, index)}
                tokens = raw.split() if question.type == "select_multiple" else [raw]
                if any(token not in offered for token in tokens):
                    return FieldError(
                        question.name, "choice", default_message("choice", lang), instance
                    )
            if question.type == "rank":
                offered = [choice.name for choice in self.offered(question.name, index)]
                if sorted(raw.split()) != sorted(offered):
                    return FieldError(
                        question.name, "choice", default_message("rank", lang), instance
                    )
        context.name, context.index, context.repeat = step.name, index, step.in_repeat
        context.dot = value
        if value == "" and step.required is not None:
            if to_boolean(evaluate(step.required, context)):
                message = self.text(question.name, "required_messages", index)
                return FieldError(
                    question.name,
                    "required",
                    message or default_message("required", lang),
                    instance,
                )
        if value != "" and step.constraint is not None:
            if not to_boolean(evaluate(step.constraint, context)):
                message = self.text(question.name, "constraint_messages", index)
                return FieldError(
                    question.name,
                    "constraint",
                    message or default_message("constraint", lang),
                    instance,
                )
        return None


def _instance_answers(
    answers: Answers, chain: tuple[str, ...], index: Index
) -> Mapping[str, Any] | None:
    """The answers object of instance ``index`` of the repeats ``chain``."""
    numbers = (index,) if isinstance(index, int) else index
    level: Any = answers
    for repeat, number in zip(chain, numbers, strict=True):
        rows = level.get(repeat) if isinstance(level, Mapping) else None
        if not isinstance(rows, list) or not 1 <= number <= len(rows):
            return None
        level = rows[number - 1]
    return level if isinstance(level, Mapping) else None


def _answer(answers: Answers, step: _Step, index: Index) -> str | None:
    if step.in_repeat is None:
        value = answers.get(step.name)
    elif step.nested:
        instance = _instance_answers(answers, step.chain, index)
        value = instance.get(step.name) if instance is not None else None
    else:
        instances = answers.get(step.in_repeat)
        if not isinstance(instances, list) or index > len(instances):  # type: ignore[operator]
            return None
        instance = instances[index - 1]  # type: ignore[operator]
        value = instance.get(step.name) if isinstance(instance, Mapping) else None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return to_string(float(value))
    return None  # lists, objects, booleans: not an answer (simulate refuses them)


def _run(state: FormState, steps: tuple[_Step, ...], context: _Context) -> None:
    """Evaluate ``steps`` (in dependency order) into ``state``."""
    values, relevant, counts = state.values, state.relevant, state.counts
    answers = state.answers
    for step in steps:
        name = step.name
        if step.is_repeat:
            if step.chain:
                _run_nested_repeat(state, step, context)
                continue
            ok = relevant.get((step.parent, 0), True) if step.parent else True
            if ok and step.relevant is not None:
                context.name, context.index, context.repeat = name, 0, None
                ok = to_boolean(evaluate(step.relevant, context))
            relevant[(name, 0)] = ok
            if not ok:
                count = 0
            elif step.repeat_count is not None:
                context.name, context.index, context.repeat = name, 0, None
                number = to_number(evaluate(step.repeat_count, context))
                count = int(number) if number == number and number > 0 else 0
                count = min(count, MAX_REPEAT_INSTANCES)
            else:
                given = answers.get(name)
                count = (
                    min(len(given), MAX_REPEAT_INSTANCES)
                    if isinstance(given, list)
                    else 0
                )
            counts[name] = count
            for index in range(1, count + 1):
                relevant[(name, index)] = True
            continue
        repeat = step.in_repeat
        if repeat is None:
            indexes: Sequence[Index] = _OUTSIDE
        elif step.nested:
            indexes = state.indexes(repeat)
        else:
            indexes = range(1, counts.get(repeat, 0) + 1)
        parent = step.parent
        for index in indexes:
            key = (name, index)
            if parent is None:
                ok = True
            else:
                ok = relevant.get((parent, index if step.parent_scoped else 0), False)
            # The context is set only for an expression to read (most items have
            # none); "." keeps the value the last relevance check gave it.
            if ok and step.relevant is not None:
                context.name, context.index, context.repeat = name, index, repeat
                context.dot = values.get(key, "")
                ok = to_boolean(evaluate(step.relevant, context))
            relevant[key] = ok
            if step.is_group:
                continue
            raw = _answer(answers, step, index) if step.answerable else None
            if raw is not None:
                state.submitted[key] = raw
            if not ok:
                values[key] = ""
                continue
            if step.calculation is not None:
                context.name, context.index, context.repeat = name, index, repeat
                value = to_string(evaluate(step.calculation, context))
            elif raw is not None:
                value = (
                    canonical(step.item.type, raw, context.moment)  # type: ignore[union-attr]
                    if step.numeric
                    else raw
                )
            else:
                value = step.default
            if step.choice_filter is not None:
                context.name, context.index, context.repeat = name, index, repeat
                value = _filter_choices(state, step, key, value, context)
            values[key] = value


_OUTSIDE = (0,)  # the one instance of an item outside repeats


def _run_nested_repeat(state: FormState, step: _Step, context: _Context) -> None:
    """Relevance and instance count of a repeat inside a repeat, in each
    instance of the repeat that encloses it."""
    name, relevant, counts = step.name, state.relevant, state.counts
    outer = step.in_repeat
    for parent in state.indexes(outer):  # type: ignore[arg-type]
        ok = relevant.get((step.parent, parent), False)
        if ok and step.relevant is not None:
            context.name, context.index, context.repeat = name, parent, outer
            context.dot = ""
            ok = to_boolean(evaluate(step.relevant, context))
        relevant[(name, parent)] = ok
        if not ok:
            count = 0
        elif step.repeat_count is not None:
            context.name, context.index, context.repeat = name, parent, outer
            number = to_number(evaluate(step.repeat_count, context))
            count = int(number) if number == number and number > 0 else 0
            count = min(count, MAX_REPEAT_INSTANCES)
        else:
            instance = _instance_answers(state.answers, step.chain, parent)
            given = instance.get(name) if instance is not None else None
            count = (
                min(len(given), MAX_REPEAT_INSTANCES) if isinstance(given, list) else 0
            )
        counts[(name, parent)] = count
        for number in range(1, count + 1):
            relevant[(name, child_index(parent, number))] = True


def _filter_choices(
    state: FormState, step: _Step, key: Key, value: str, context: _Context
) -> str:
    allowed = []
    expression = step.choice_filter
    for choice in step.choices:
        context.choice = choice
        if to_boolean(evaluate(expression, context)):  # type: ignore[arg-type]
            allowed.append(choice.name)
    context.choice = None
    state.options[key] = tuple(allowed)
    if not value:
        return value
    if step.item.type in {"select_multiple", "rank"}:  # type: ignore[union-attr]
        return " ".join(token for token in value.split() if token in allowed)
    return value if value in allowed else ""


def evaluate_form(
    instrument: Instrument,
    answers: Answers,
    *,
    lang: str | None = None,
    now: datetime | None = None,
    page: str | None = None,
) -> FormState:
    """Compute relevance and values for ``answers``.

    Parameters
    ----------
    instrument
        The questionnaire.
    answers
        Question name to answer string; a repeat name to a list of such dicts.
    lang
        Language for choice labels in expressions and for messages.
    now
        The moment ``today()`` and ``now()`` see (default: the current time).
    page
        Evaluate only what this page's questions need (faster); None for all.

    Returns
    -------
    FormState
        Relevance and values; ``.errors()`` checks them.
    """
    plan = _plan(instrument)
    steps = plan.steps if page is None else plan.subset(_page(instrument, page))
    state = FormState(instrument, plan, answers)
    state.lang = lang
    context = _Context(state, now or datetime.now().astimezone(), lang)
    state._context = context
    with _located(instrument, context):
        _run(state, steps, context)
    state.evaluated = steps
    return state


def evaluate_after_page(
    previous: FormState,
    answers: Answers,
    page_name: str,
    *,
    lang: str | None = None,
    now: datetime | None = None,
) -> FormState:
    """The whole-form evaluation of ``answers`` after a page, made from the last one.

    ``answers`` must differ from ``previous.answers`` only in the questions of
    page ``page_name`` (what a page submission changes). Only what depends on
    those questions is evaluated again, and what reads the clock or chance; the
    rest is taken from ``previous``. The result is the same as
    ``evaluate_form(previous.instrument, answers, lang=lang, now=now)``, which
    is what runs when ``previous`` is not a whole-form evaluation in ``lang`` or
    a repeat would have to be evaluated again.
    """
    instrument = previous.instrument
    plan = previous.plan
    steps = plan.after_page(_page(instrument, page_name))
    if steps is None or previous.evaluated is not plan.steps or previous.lang != lang:
        return evaluate_form(instrument, answers, lang=lang, now=now)
    state = FormState(instrument, plan, answers)
    state.lang = lang
    state.values = dict(previous.values)
    state.relevant = dict(previous.relevant)
    state.counts = dict(previous.counts)
    state.options = dict(previous.options)
    state.submitted = dict(previous.submitted)
    for step in steps:  # evaluated afresh, as by evaluate_form
        key = (step.name, 0)
        for kept in (state.values, state.relevant, state.options, state.submitted):
            kept.pop(key, None)
    context = _Context(state, now or datetime.now().astimezone(), lang)
    state._context = context
    with _located(instrument, context):
        _run(state, steps, context)
    state.evaluated = plan.steps
    return state


@contextmanager
def _located(instrument: Instrument, context: _Context) -> Iterator[None]:
    """Turn an expression's evaluation error into one naming its cell.

    ``context.name`` is the item whose expression was being evaluated; the
    column is the one holding the expression the error quotes.
    """
    try:
        yield
    except XPathError as error:
        name = context.name
        if not instrument.has(name):
            raise
        item = instrument.item(name)
        quoted = error.context.get("expression")
        column = next(
            (
                column
                for field_name, column in ALL_FIELDS.items()
                if getattr(item, field_name, "") == quoted
            ),
            None,
        )
        raise SociaparisError(
            SurveyError.EVALUATION_FAILED,
            location=Location("survey", item.row, column),
            name=name,
            reason=error,  # quoted by its code, in the page's language on a page
        ) from error


def _page(instrument: Instrument, name: str) -> Page:
    page = instrument.page(name)
    if page is None:
        raise SociaparisError(
            SurveyError.UNKNOWN_PAGE,
            form_id=instrument.form_id,
            page=name,
            pages=", ".join(p.name for p in instrument.pages()),
        )
    return page


@dataclass(frozen=True, slots=True)
class PageValidation:
    """The server-side check of one page submission.

    Attributes
    ----------
    page
        The page's name.
    errors
        The problems with the page's answers (empty when the page is accepted).
    record
        Values of the page's relevant questions (repeats: a list per instance),
        which is what may be stored for this page; non-relevant ones are absent.
    state
        The evaluation behind it, to render the page again (relevance, values,
        the choices each select offers).
    """

    page: str
    errors: tuple[FieldError, ...]
    record: dict[str, Any]
    state: FormState = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the page can be accepted."""
        return not self.errors


def validate_page(
    instrument: Instrument,
    answers: Answers,
    page_name: str,
    lang: str | None = None,
    *,
    now: datetime | None = None,
) -> PageValidation:
    """Check one page of answers, as the server does on every submission.

    ``answers`` holds the whole response so far with this page's submission
    merged in; only what the page's questions depend on is evaluated.
    """
    page = _page(instrument, page_name)
    state = evaluate_form(instrument, answers, lang=lang, now=now, page=page_name)
    errors = tuple(state.errors(page.questions))
    record: dict[str, Any] = {}
    if page.kind == "repeat":
        if state.is_relevant(page.name):
            record[page.name] = _page_rows(state, set(page.questions), page.name, 0)
    else:
        for name in page.questions:
            if state.is_relevant(name) and _stored(instrument, name):
                record[name] = state.value(name)
    return PageValidation(page_name, errors, record, state)


def _page_rows(
    state: FormState, on_page: set[str], repeat: str, parent: Index
) -> list[dict[str, Any]]:
    """The instances of ``repeat`` in ``parent`` as a repeat page stores them:
    the page's relevant answers, and the instances of the repeats inside."""
    instrument = state.instrument
    rows = []
    for number in range(1, state.instances(repeat, parent) + 1):
        index = child_index(parent, number)
        row: dict[str, Any] = {}
        for item in instrument.level(repeat):
            name = item.name
            if isinstance(item, Group):
                if state.is_relevant(name, index):
                    row[name] = _page_rows(state, on_page, name, index)
            elif (
                name in on_page
                and state.is_relevant(name, index)
                and _stored(instrument, name)
            ):
                row[name] = state.value(name, index)
        rows.append(row)
    return rows


def _stored(instrument: Instrument, name: str) -> bool:
    item = instrument.item(name)
    return isinstance(item, Question) and item.type != "note"


def page_steps(instrument: Instrument, page_name: str) -> tuple[_Step, ...]:
    """What :func:`validate_page` evaluates for ``page_name``, in evaluation order.

    Each step has the item's ``name``, ``item``, kind flags (``is_group``,
    ``is_repeat``), its repeat (``in_repeat``), ``parent``, whether the parent's
    relevance is read per instance (``parent_scoped``), its parsed expressions
    (``relevant``, ``calculation``, ``required``, ``constraint``,
    ``choice_filter``, ``repeat_count``), ``answerable``, ``default``,
    ``numeric`` and ``choices``: what the browser's evaluator needs
    (:mod:`sociaparis.survey.fielding.live`).
    """
    return _plan(instrument).subset(_page(instrument, page_name))


def page_depends_on_itself(instrument: Instrument, page: Page) -> bool:
    """Whether a question of ``page`` reads (directly or not) another one on it.

    Such a page may show a new question once its answers are in, which a form
    without JavaScript can only do by coming back after a submit.
    """
    return _plan(instrument).self_dependent(page)


def relevant_pages(
    instrument: Instrument, answers: Answers, *, now: datetime | None = None
) -> tuple[Page, ...]:
    """The pages to show for ``answers``, in order."""
    return evaluate_form(instrument, answers, now=now).pages()


def next_page(
    instrument: Instrument,
    answers: Answers,
    current: str | None,
    *,
    now: datetime | None = None,
) -> str | None:
    """The first relevant page after ``current`` (the first page when None)."""
    return _step_page(instrument, answers, current, forward=True, now=now)


def previous_page(
    instrument: Instrument,
    answers: Answers,
    current: str,
    *,
    now: datetime | None = None,
) -> str | None:
    """The last relevant page before ``current`` (None on the first page)."""
    return _step_page(instrument, answers, current, forward=False, now=now)


def _step_page(
    instrument: Instrument,
    answers: Answers,
    current: str | None,
    *,
    forward: bool,
    now: datetime | None,
) -> str | None:
    state = evaluate_form(instrument, answers, now=now)
    return following_page(state, current, forward=forward)


def following_page(
    state: FormState, current: str | None, *, forward: bool = True
) -> str | None:
    """The first relevant page after ``current`` (before it if not ``forward``) in
    a whole-form evaluation; the first (last) page when ``current`` is None."""
    pages = list(state.instrument.pages())
    if current is None:
        start = -1 if forward else len(pages)
    else:
        start = pages.index(_page(state.instrument, current))
    candidates = pages[start + 1 :] if forward else reversed(pages[:start])
    return next((page.name for page in candidates if state.page_relevant(page)), None)
