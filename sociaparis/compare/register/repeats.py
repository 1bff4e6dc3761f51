"""Repeat instances as cases: one case per instance of a repeat, for any form.

A form with a repeat (the transport survey's ``tool``: one instance per tool)
answers questions about several units in one response. Here each instance
becomes a unit of its own: :func:`repeat_instances` joins, by response and
instance number (``_index``), the repeat with other repeats of the same length
(the transport survey's ``tool_detail`` asks about the same tools in the same
order) and adds the response's answers outside any repeat (the organisation's
name, type, city) as attributes of every instance. Each value keeps its
evidence: the response, the repeat (or none, for an organisation's answer), the
instance and the question.

:func:`cells_from_repeat` writes these instances into a comparison frame: one
case per instance, one dimension per question, each cell with ``source_kind``
``repeat`` (a repeat answer) or ``survey`` (an answer outside the repeats),
so the grid's drill-down finds the answer again (:func:`repeat_evidence`).

Functions take the session keyword-only and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.errors import Reason, SociaparisError

from ..matrix.service import (
    ImportResult,
    delete_cell,
    ensure_case,
    ensure_dimension,
    ensure_frame,
    require_editor,
    write_cell,
)
from ..matrix.sources import cell_source_kind
from ..matrix.values import ValueType, is_empty
from .errors import RegisterError

#: export types read as numbers in a frame
_NUMERIC = {"integer", "decimal", "flag"}


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer of an instance and where it comes from.

    Attributes
    ----------
    value
        The exported value (a select's code, a select_multiple's codes separated
        by spaces, a number, an ISO date), never empty.
    source
        ``form_id``, ``response``, ``question``, ``column`` and, for an answer in
        a repeat, ``repeat`` and ``instance``.
    value_type
        ``number`` or ``text`` (as a frame stores it).
    """

    value: Any
    source: Mapping[str, Any]
    value_type: ValueType = "text"


@dataclass(frozen=True, slots=True)
class Instance:
    """One instance of a repeat with its joined answers.

    Attributes
    ----------
    response
        The response id.
    index
        The instance number in its response (1, 2, …).
    answers
        Question name to :class:`Answer`; a question not answered is absent.
    synthetic
        Whether the response is synthetic (demo and tests).
    """

    response: str
    index: int
    answers: Mapping[str, Answer] = field(default_factory=dict)
    synthetic: bool = False

    @property
    def key(self) -> str:
        """``RESPONSE#INDEX``: unique in the form, names nothing."""
        return f"{self.response}#{self.index}"

    def value(self, question: str) -> Any:
        """The answer to ``question`` (``None`` when unanswered)."""
        found = self.answers.get(question)
        return None if found is None else found.value


@dataclass(frozen=True, slots=True)
class Variables:
    """The questions an instance can have, with their export variables (for labels)."""

    by_question: Mapping[str, Any]
    table_of: Mapping[str, str]


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _question_variables(table: Any) -> list[Any]:
    return [v for v in table.variables if v.kind == "question"]


def _repeat_table(data: Any, repeat: str) -> Any:
    from sociaparis.survey.io.tables import repeat_table_name

    try:
        table = data.table(repeat_table_name(repeat))
    except KeyError:
        known = [t.name for t in data.tables if t.is_repeat]
        raise SociaparisError(
            RegisterError.UNKNOWN_REPEAT,
            form_id=data.form_id,
            repeat=repeat,
            known=", ".join(known) or Reason(en="none", fr="aucune"),
        ) from None
    if table.parent_table:
        raise SociaparisError(
            RegisterError.NESTED_REPEAT,
            form_id=data.form_id,
            repeat=repeat,
            parent=table.parent_table,
        )
    return table


def instance_variables(data: Any, repeat: str, join: Sequence[str] = ()) -> Variables:
    """The questions of ``repeat``, of the joined repeats and outside the repeats.

    A question of the repeat wins over a joined one of the same name, which wins
    over one outside the repeats (XLSForm names are unique in a form, so this
    only matters for hand-made exports).
    """
    by_question: dict[str, Any] = {}
    table_of: dict[str, str] = {}
    tables = [_repeat_table(data, name) for name in (repeat, *join)]
    for table in [*tables, data.main][::-1]:
        for variable in _question_variables(table):
            by_question[variable.source] = variable
            table_of[variable.source] = table.name
    return Variables(by_question, table_of)


def repeat_instances(data: Any, repeat: str, join: Sequence[str] = ()) -> list[Instance]:
    """One :class:`Instance` per instance of ``repeat``, joined and with the
    response's answers outside the repeats.

    Parameters
    ----------
    data
        An :class:`~sociaparis.survey.io.tables.ExportData` (``load_export``).
    repeat
        The repeat whose instances are the cases.
    join
        Other top-level repeats joined by response and instance number; an
        instance they lack only lacks their answers.

    Returns
    -------
    list of Instance
        In the export's order (responses, then instance numbers).

    Raises
    ------
    SociaparisError
        ``REGISTER_001`` unknown repeat, ``REGISTER_002`` nested repeat.
    """
    base = _repeat_table(data, repeat)
    joined = [(name, _repeat_table(data, name)) for name in join]
    main = data.main.frame.set_index("_id", drop=False)
    main_vars = _question_variables(data.main)
    synthetic = main["_synthetic"] if "_synthetic" in main else None

    def answers_of(
        row: Mapping[str, Any],
        variables: Sequence[Any],
        response: str,
        extra: Mapping[str, Any],
    ) -> dict[str, Answer]:
        out: dict[str, Answer] = {}
        for variable in variables:
            value = _plain(row[variable.name])
            if is_empty(value):
                continue
            source = {
                "form_id": data.form_id,
                "response": response,
                "question": variable.source,
                "column": variable.name,
                **extra,
            }
            kind: ValueType = "number" if variable.type in _NUMERIC else "text"
            out[variable.source] = Answer(value, source, kind)
        return out

    lookups = []
    for name, table in joined:
        frame = table.frame
        keyed = {
            (str(p), int(i)): row
            for p, i, row in zip(
                frame["_parent_id"],
                frame["_index"],
                frame.to_dict("records"),
                strict=True,
            )
        }
        lookups.append((name, _question_variables(table), keyed))
    base_vars = _question_variables(base)
    instances: list[Instance] = []
    for row in base.frame.to_dict("records"):
        response, index = str(row["_parent_id"]), int(row["_index"])
        answers: dict[str, Answer] = {}
        if response in main.index:
            top = main.loc[response].to_dict()
            answers.update(answers_of(top, main_vars, response, {}))
        for name, variables, keyed in reversed(lookups):
            other = keyed.get((response, index))
            if other is not None:
                answers.update(
                    answers_of(
                        other, variables, response, {"repeat": name, "instance": index}
                    )
                )
        extra = {"repeat": repeat, "instance": index}
        answers.update(answers_of(row, base_vars, response, extra))
        flag = bool(synthetic.get(response, False)) if synthetic is not None else False
        instances.append(Instance(response, index, answers, flag))
    return instances


def write_instances(
    *,
    session: Session,
    actor: Account,
    frame: str,
    instances: Sequence[Instance],
    variables: Variables,
    questions: Sequence[str],
    lang: str | None,
    default_language: str,
    derived: Mapping[str, tuple[str, Any]] | None = None,
    description: str | None = None,
) -> ImportResult:
    """Write ``instances`` into ``frame``: one case per instance (named by its
    :attr:`Instance.key`), one dimension per question of ``questions``.

    ``derived`` adds 0/1 dimensions: name to ``(question, test)`` where ``test``
    takes the answer (``None`` when unanswered) and returns 1, 0 or ``None``
    (no cell); their cells keep the evidence of the answer they read, with the
    ``derived`` dimension's rule in ``source["derived"]``.
    """
    require_editor(actor, "build a case matrix from repeat instances")
    row = ensure_frame(session=session, actor=actor, name=frame, description=description)
    kinds: dict[str, ValueType] = {}
    for question in questions:
        found = [
            i.answers[question].value_type for i in instances if question in i.answers
        ]
        kinds[question] = "number" if found and set(found) == {"number"} else "text"
        variable = variables.by_question.get(question)
        if variable is not None and variable.type in _NUMERIC:
            kinds[question] = "number"
    dims = {}
    for question in questions:
        variable = variables.by_question[question]
        dims[question] = ensure_dimension(
            session,
            row,
            question,
            kinds[question],
            label=variable.label(lang, default_language) or None,
            source=f"question '{question}'",
        )
    derived = derived or {}
    for name, (question, _test) in derived.items():
        dims[name] = ensure_dimension(
            session, row, name, "number", label=name, source=f"question '{question}'"
        )
    created = written = 0
    cases: list[str] = []
    for instance in instances:
        case, new = ensure_case(session, row, instance.key)
        created += new
        cases.append(case.name)
        cells: dict[str, tuple[Any, Answer | None, str]] = {}
        for question in questions:
            answer = instance.answers.get(question)
            cells[question] = (None if answer is None else answer.value, answer, "")
        for name, (question, test) in derived.items():
            answer = instance.answers.get(question)
            value = test(None if answer is None else answer.value)
            cells[name] = (value, answer, getattr(test, "rule", name))
        for name, (value, answer, rule) in cells.items():
            if is_empty(value):
                kind = cell_source_kind(session, row.name, case.name, name)
                if kind in {"repeat", "survey"}:
                    delete_cell(session, case, dims[name])
                continue
            if answer is not None:
                source = dict(answer.source)
            else:
                source = {"form_id": None, "response": instance.response}
            if rule:
                source["derived"] = rule
            kind = "repeat" if "repeat" in source else "survey"
            write_cell(
                session, case, dims[name], value, source_kind=kind, source=source,
                actor=actor,
            )  # fmt: skip
            written += 1
    return ImportResult(
        row.name,
        "repeat",
        tuple(cases),
        (*questions, *derived),
        created,
        written,
        [],
    )


def cells_from_repeat(
    *,
    session: Session,
    actor: Account,
    frame: str,
    form_id: str,
    repeat: str,
    join: Sequence[str] = (),
    questions: Sequence[str] | None = None,
    include_in_progress: bool = False,
    lang: str | None = None,
) -> ImportResult:
    """Fill ``frame`` (created if new) with one case per instance of ``repeat``.

    Parameters
    ----------
    frame
        The frame's name.
    form_id
        The survey (all its versions).
    repeat
        The repeat whose instances are the cases (e.g. ``tool``).
    join
        Repeats joined by instance number (e.g. ``tool_detail``).
    questions
        The dimensions, as question names of the repeats or outside them
        (default: every question of the repeat, the joined repeats and the
        response).
    include_in_progress
        Also use responses that are not completed.
    lang
        Language of the dimension labels.

    Returns
    -------
    ImportResult
        ``source_kind`` ``repeat``; a case per instance named ``RESPONSE#INDEX``.

    Raises
    ------
    SociaparisError
        ``REGISTER_001``/``002``/``003``, ``CASES_008`` (role) and the export's
        errors (``SURVEY_030`` unknown form, ``EXPORT_003`` no response).
    """
    from sociaparis.survey.exports import load_export

    require_editor(actor, "build a case matrix from repeat instances")
    data = load_export(
        session=session, form_id=form_id, include_in_progress=include_in_progress
    )
    variables = instance_variables(data, repeat, join)
    chosen = list(questions) if questions else list(variables.by_question)
    for question in chosen:
        if question not in variables.by_question:
            raise SociaparisError(
                RegisterError.UNKNOWN_QUESTION,
                question=question,
                repeat=repeat,
                joined=", ".join(join) or Reason(en="none", fr="aucune"),
                form_id=form_id,
            )
    instances = repeat_instances(data, repeat, join)
    return write_instances(
        session=session,
        actor=actor,
        frame=frame,
        instances=instances,
        variables=variables,
        questions=chosen,
        lang=lang or data.default_language,
        default_language=data.default_language,
    )


def repeat_evidence(
    session: Session, source: Mapping[str, Any], lang: str | None
) -> dict[str, Any] | None:
    """The answer behind a ``repeat`` cell, read again from the response's
    instance (``None`` when the response or the instance is gone)."""
    from sociaparis.survey.exports import load_export
    from sociaparis.survey.io.tables import repeat_table_name

    try:
        data = load_export(
            session=session, form_id=source["form_id"], include_in_progress=True
        )
        table = data.table(repeat_table_name(source["repeat"]))
        variable = table.variable(source["column"])
    except (SociaparisError, KeyError):
        return None
    frame = table.frame
    rows = frame[
        (frame["_parent_id"] == source["response"])
        & (frame["_index"] == int(source["instance"]))
    ]
    if rows.empty:
        return None
    answer = _plain(rows[variable.name].iloc[0])
    language = lang or data.default_language
    labels: list[str] = []
    if variable.choices and isinstance(answer, str):
        by_code = dict(
            zip(
                (c.name for c in variable.choices),
                variable.choice_labels(language, data.default_language),
                strict=True,
            )
        )
        labels = [by_code.get(code, code) for code in answer.split()]
    return {
        "form_id": source["form_id"],
        "response": source["response"],
        "repeat": source["repeat"],
        "instance": int(source["instance"]),
        "question": source["question"],
        "column": variable.name,
        "label": variable.label(language, data.default_language),
        "answer": answer,
        "answer_labels": labels,
        "derived": source.get("derived"),
    }


__all__ = [
    "Answer",
    "Instance",
    "cells_from_repeat",
    "instance_variables",
    "repeat_evidence",
    "repeat_instances",
    "write_instances",
]
