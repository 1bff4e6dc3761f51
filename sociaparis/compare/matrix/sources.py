"""Cells built from evidence: survey responses and coded interviews; evidence lookup.

- :func:`cells_from_survey`: one response per case (the case named by the answer
  to a question, e.g. the CIO survey's ``city_name``); each mapped question gives
  a dimension, each cell keeps the response id and the question.
- :func:`cells_from_codes`: whether a code is present in the documents of the
  qualitative case linked to each case, or how many codings it has there; each
  cell keeps the GUIDs of the codings (and the documents looked at).
- :func:`cell_evidence`: from a cell back to its evidence (the answer, with its
  question and labels, or the coded segments with their context).

Functions take the session keyword-only and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import Issue, SociaparisError

from .errors import MatrixError
from .service import (
    CellInfo,
    HistoryEntry,
    ImportResult,
    case_row,
    cases_of,
    delete_cell,
    dimension_row,
    ensure_case,
    ensure_dimension,
    ensure_frame,
    frame_row,
    get_cell,
    require_editor,
    write_cell,
)
from .values import ValueType, is_empty

Measure = Literal["present", "count"]
MEASURES: tuple[Measure, ...] = ("present", "count")
_NUMERIC_EXPORT_TYPES = {"integer", "decimal", "flag"}


# ------------------------------------------------------------------ survey


def _find_variable(table: Any, form_id: str, question: str) -> Any:
    """The export variable for ``question``: a question name, an export column
    (``group/question``) or ``QUESTION/CHOICE`` for one choice of a
    select_multiple."""
    variables = table.variables
    for variable in variables:
        if variable.kind == "question" and variable.source == question:
            return variable
    for variable in variables:
        if variable.name == question:
            return variable
    name, _, choice = question.rpartition("/")
    for variable in variables:
        if (
            variable.kind == "choice"
            and variable.source == name
            and variable.choice == choice
        ):
            return variable
    raise SociaparisError(
        MatrixError.UNKNOWN_QUESTION, form_id=form_id, question=question
    )


def _plain(value: Any) -> Any:
    """An export value as a plain Python value (``None`` when missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _value_type(variable: Any) -> ValueType:
    return "number" if variable.type in _NUMERIC_EXPORT_TYPES else "text"


def cells_from_survey(
    *,
    session: Session,
    actor: Account,
    frame: str,
    form_id: str,
    case_question: str,
    mapping: Mapping[str, str],
    include_in_progress: bool = False,
    lang: str | None = None,
) -> ImportResult:
    """Fill dimensions of ``frame`` (created if new) from one response per case.

    Parameters
    ----------
    frame
        The frame's name.
    form_id
        The survey (all its versions).
    case_question
        The question whose answer names the case (matched with existing cases
        case-insensitively; a new name makes a new case).
    mapping
        Dimension name to question (a question name, an export column or
        ``QUESTION/CHOICE`` for a 0/1 choice of a select_multiple). Integer,
        decimal and 0/1 answers make ``number`` dimensions, others ``text`` (a
        select's choice code; a select_multiple's codes separated by spaces).
    include_in_progress
        Also use responses that are not completed.
    lang
        Language of the dimension labels (the question labels).

    Returns
    -------
    ImportResult
        With a ``CASES_101`` warning per response that names no case. A blank
        answer writes no cell and removes a cell that an earlier survey import
        made.

    Raises
    ------
    SociaparisError
        ``CASES_004`` when two responses name the same case (nothing is written),
        ``CASES_005`` for an unknown question, and the export's errors
        (``SURVEY_030`` unknown form, ``EXPORT_003`` no response).
    """
    from sociaparis.survey.exports import load_export

    require_editor(actor, "import survey answers into a case matrix")
    data = load_export(
        session=session, form_id=form_id, include_in_progress=include_in_progress
    )
    table = data.main
    case_var = _find_variable(table, form_id, case_question)
    variables = {dim: _find_variable(table, form_id, q) for dim, q in mapping.items()}
    rows = table.frame
    warnings: list[Issue] = []
    chosen: dict[str, tuple[str, int]] = {}
    for i, (response, name) in enumerate(
        zip(rows["_id"], rows[case_var.name], strict=True)
    ):
        name = _plain(name)
        if is_empty(name):
            warnings.append(
                Issue.of(
                    MatrixError.NO_CASE_ANSWER, response=response, question=case_question
                )
            )
            continue
        key = str(name).strip().casefold()
        if key in chosen:
            raise SociaparisError(
                MatrixError.DUPLICATE_SURVEY_CASE,
                first=chosen[key][0],
                second=response,
                form_id=form_id,
                case=str(name).strip(),
                question=case_question,
            )
        chosen[key] = (str(response), i)
    row = ensure_frame(session=session, actor=actor, name=frame)
    language = lang or data.default_language
    dims = {
        dim: ensure_dimension(
            session,
            row,
            dim,
            _value_type(variable),
            label=variable.label(language, data.default_language) or None,
            source=f"question '{variable.source}'",
        )
        for dim, variable in variables.items()
    }
    created = written = 0
    cases: list[str] = []
    changes: list[HistoryEntry] = []
    for response, i in chosen.values():
        case, new = ensure_case(session, row, str(_plain(rows[case_var.name].iloc[i])))
        created += new
        cases.append(case.name)
        for dim, variable in variables.items():
            value = _plain(rows[variable.name].iloc[i])
            if is_empty(value):
                if cell_source_kind(session, frame, case.name, dim) == "survey":
                    delete_cell(session, case, dims[dim], actor=actor,
                                reason=f"no answer in response {response}",
                                changes=changes)  # fmt: skip
                continue
            source = {
                "form_id": form_id,
                "response": response,
                "question": variable.source,
                "column": variable.name,
            }
            if variable.choice:
                source["choice"] = variable.choice
            write_cell(
                session,
                case,
                dims[dim],
                value,
                source_kind="survey",
                source=source,
                actor=actor,
                reason=f"survey '{form_id}', response {response}",
                changes=changes,
            )
            written += 1
    return ImportResult(
        row.name, "survey", tuple(cases), tuple(mapping), created, written, warnings,
        tuple(changes),
    )  # fmt: skip


def cell_source_kind(
    session: Session, frame: str, case: str, dimension: str
) -> str | None:
    """The source kind of a cell's value (``survey``, ``codes``, ``repeat``,
    ``manual``), or ``None`` when the cell is empty."""
    try:
        return get_cell(
            session=session, frame=frame, case=case, dimension=dimension
        ).source_kind
    except SociaparisError:
        return None


# ------------------------------------------------------------------ codes


def cells_from_codes(
    *,
    session: Session,
    actor: Account,
    frame: str,
    code: str,
    measure: Measure = "present",
    dimension: str | None = None,
    include_subcodes: bool = False,
    coder: str | None = None,
) -> ImportResult:
    """One dimension from a code: present (1/0) or count of its codings per case.

    Each case of the frame is looked up in the documents of its linked
    qualitative case; a case not yet linked is linked to the qualitative case of
    the same name when there is one.

    Parameters
    ----------
    frame
        An existing frame.
    code
        The code (name, path ``"A > B"`` or GUID).
    measure
        ``present`` (1 when the code has at least one coding in the case's
        documents, else 0) or ``count`` (the number of codings).
    dimension
        The dimension's name (default: the code's name).
    include_subcodes
        Count the codings of sub-codes too.
    coder
        Only the codings of this coder.

    Returns
    -------
    ImportResult
        With a ``CASES_102`` warning per case that has no qualitative case.
    """
    from sociaparis.qual.service import code_case_matrix, get_case

    require_editor(actor, "import codes into a case matrix")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    row = frame_row(session, frame)
    matrix = code_case_matrix(
        session=session, codes=[code], include_subcodes=include_subcodes, coder=coder
    )
    path = matrix.rows[0]
    name = dimension or path.split(" > ")[-1]
    dim = ensure_dimension(
        session, row, name, "number", label=f"{path} ({measure})", source=f"code {path}"
    )

    warnings: list[Issue] = []
    cases: list[str] = []
    changes: list[HistoryEntry] = []
    written = 0
    for case in cases_of(session, row):
        if case.qual_case_id is None:
            try:
                case.qual_case_id = get_case(session=session, ref=case.name).id
            except SociaparisError:
                warnings.append(
                    Issue.of(MatrixError.NOT_LINKED, case=case.name, dimension=name)
                )
                continue
        info = get_case(session=session, ref=case.qual_case_id)
        guids = list(matrix.segments.get((path, info.name), ()))
        value = len(guids) if measure == "count" else int(bool(guids))
        source = {
            "code": path,
            "measure": measure,
            "qual_case": info.name,
            "codings": guids,
            "documents": list(info.documents),
            "include_subcodes": include_subcodes,
            "coder": coder,
        }
        write_cell(
            session, case, dim, value, source_kind="codes", source=source, actor=actor,
            reason=f"code '{path}' ({measure})", changes=changes,
        )  # fmt: skip
        cases.append(case.name)
        written += 1
    return ImportResult(
        row.name, "codes", tuple(cases), (name,), 0, written, warnings, tuple(changes)
    )


# ------------------------------------------------------------------ evidence


@dataclass(frozen=True, slots=True)
class Evidence:
    """A cell and what backs it.

    Attributes
    ----------
    cell
        The cell.
    answer
        For a survey cell: ``form_id``, ``response``, ``question``, ``label`` (the
        question's text), ``answer`` (as exported now), ``answer_labels`` (the
        choice labels of a select), ``status``, and ``answers``: every answered
        question of the response (``column``, ``label``, ``answer``,
        ``answer_labels``), in the form's order; ``None`` otherwise.
    segments
        For a codes cell: the coded segments, in the order of the cell's coding
        GUIDs, each with ``document``, ``title``, ``speaker``, ``start``,
        ``end``, ``before``, ``text``, ``after``, ``coder``, ``memo``.
    warnings
        E.g. ``CASES_103`` when the response is no longer stored.
    answer_withheld
        The cell comes from a response that the viewer's role may not read (the
        roles that may not download response data): the answer is not given.
    """

    cell: CellInfo
    answer: Mapping[str, Any] | None = None
    segments: tuple[Mapping[str, Any], ...] = ()
    warnings: list[Issue] = field(default_factory=list)
    answer_withheld: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "cell": self.cell.to_dict(),
            "answer": dict(self.answer) if self.answer is not None else None,
            "segments": [dict(s) for s in self.segments],
            "warnings": [str(w) for w in self.warnings],
            "answer_withheld": self.answer_withheld,
        }


def _survey_evidence(
    session: Session, cell: CellInfo, lang: str | None
) -> tuple[dict[str, Any] | None, list[Issue]]:
    from sociaparis.survey.exports import load_export

    source = cell.source
    lost = [Issue.of(MatrixError.NO_RESPONSE, response=source["response"])]
    try:
        data = load_export(
            session=session, form_id=source["form_id"], include_in_progress=True
        )
    except SociaparisError:  # the form, or every response to it, is gone
        return None, lost
    table = data.main
    rows = table.frame[table.frame["_id"] == source["response"]]
    if rows.empty:
        return None, lost
    variable = table.variable(source["column"])
    language = lang or data.default_language
    row = rows.iloc[0]
    status = _plain(row["_status"]) if "_status" in rows else None
    answers = [
        _answer(v, _plain(row[v.name]), language, data.default_language)
        for v in table.variables
        if v.kind == "question" and not is_empty(_plain(row[v.name]))
    ]
    this = _answer(variable, _plain(row[variable.name]), language, data.default_language)
    return {
        "form_id": source["form_id"],
        "response": source["response"],
        "question": source["question"],
        "column": variable.name,
        "label": this["label"],
        "answer": this["answer"],
        "answer_labels": this["answer_labels"],
        "status": status,
        "answers": answers,
    }, []


def _answer(variable: Any, answer: Any, language: str, default: str) -> dict[str, Any]:
    """One answer of a response: the column, the question's text, the answer and
    the labels of the choices it names (for a select)."""
    labels: list[str] = []
    if variable.choices and isinstance(answer, str):
        by_code = dict(
            zip(
                (c.name for c in variable.choices),
                variable.choice_labels(language, default),
                strict=True,
            )
        )
        labels = [by_code.get(code, code) for code in answer.split()]
    return {
        "column": variable.name,
        "label": variable.label(language, default),
        "answer": answer,
        "answer_labels": labels,
    }


def cell_evidence(
    *,
    session: Session,
    frame: str,
    case: str,
    dimension: str,
    context: int = 80,
    lang: str | None = None,
    viewer: Account | None = None,
) -> Evidence:
    """The evidence behind one cell: the survey answer (read again from the
    response) or the coded segments with ``context`` characters around them; a
    hand-entered cell has its note only.

    With ``viewer``, what that account may see: the answer of a response only
    for the roles that may download response data (as the survey pages), and
    only the codings that account may see (blind coding).  Each segment also
    gives its ``document_id`` and ``coding_id``, for a link into the coding view.
    """
    from sociaparis.qual.retrieval import SEGMENT_COLUMNS, segments_of

    row = frame_row(session, frame)
    found = case_row(session, row, case)
    dim = dimension_row(session, row, dimension)
    cell = get_cell(session=session, frame=row.name, case=found.name, dimension=dim.name)
    if cell.source_kind == "survey":
        if viewer is not None and not Role(viewer.role).can_export():
            return Evidence(cell, None, (), [], answer_withheld=True)
        answer, warnings = _survey_evidence(session, cell, lang)
        return Evidence(cell, answer, (), warnings)
    if cell.source_kind == "codes":
        found_segments = segments_of(
            session=session,
            codings=list(cell.source.get("codings", [])),
            context=context,
            viewer=viewer,
        )
        segments = tuple(
            {
                **{k: getattr(s, k) for k in SEGMENT_COLUMNS},
                "document_id": s.document_id,
                "coding_id": s.coding_id,
            }
            for s in found_segments
        )
        return Evidence(cell, None, segments, [])
    if cell.source_kind == "repeat":
        from ..register.repeats import repeat_evidence

        answer = repeat_evidence(session, cell.source, lang)
        lost = [Issue.of(MatrixError.NO_RESPONSE, response=cell.source.get("response"))]
        return Evidence(cell, answer, (), [] if answer is not None else lost)
    return Evidence(cell)
