"""Fielding progress for researchers: invitations, started and completed responses.

Counts by two recorded attributes (e.g. directorate x job category) go through
the disclosure rule of :func:`sociaparis.analysis.disclosure.suppress`, so a small
group is never shown, even to the research team's dashboard. The tables keep the
recorded codes; where the form has a question named as an attribute, its label
and its choices' labels name the breakdown and its values for display.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sociaparis.analysis.disclosure import SuppressedTable, suppress
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.service import COMPLETED, fielded_version, get_fielding
from sociaparis.survey.instrument import Instrument, Question
from sociaparis.survey.models import (
    InstrumentRecord,
    InvitationRecord,
    InvitationUseRecord,
    ResponseRecord,
)


@dataclass(frozen=True, slots=True)
class FieldingProgress:
    """Where fielding of one form stands.

    Attributes
    ----------
    form_id, title, anonymous, open_link
        The form and how it is fielded.
    invitations, used_invitations, started, completed, synthetic
        Totals (``started`` counts every response, completed or not;
        ``synthetic`` how many of them are demonstration data). For an anonymous
        form ``used_invitations`` counts the recorded uses, which no invitation
        row is tied to.
    breakdown
        Row and column attributes of the tables, e.g. ("directorate", "job_category"),
        or None when the responses do not record two attributes.
    tables
        ``invitations``, ``started`` and ``completed`` counts by the breakdown,
        suppressed for publication.
    min_cell_count
        The study's threshold.
    breakdown_labels
        The labels of the questions named as the breakdown's attributes (the
        attribute's name where the form has no such question).
    value_labels
        For each attribute, its codes' labels (the choices of its question).
    """

    form_id: str
    title: str
    anonymous: bool
    open_link: bool
    invitations: int
    used_invitations: int
    started: int
    completed: int
    synthetic: int
    breakdown: tuple[str, str] | None
    tables: dict[str, SuppressedTable]
    min_cell_count: int
    breakdown_labels: tuple[str, str] | None = None
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def value_label(self, attribute: str, code: str) -> str:
        """The label of ``code`` of ``attribute``, else the code itself."""
        return self.value_labels.get(attribute, {}).get(code, code)

    @property
    def response_rate(self) -> float | None:
        """Completed responses per invitation sent.

        None when it would not mean that: no invitations, an open link, or
        synthetic (demonstration) responses, which no invitation was sent for.
        """
        if not self.invitations or self.open_link or self.synthetic:
            return None
        return self.completed / self.invitations


def _table(
    pairs: Mapping[tuple[str, str], int], rows: list[str], cols: list[str]
) -> pd.DataFrame:
    return pd.DataFrame(
        [[pairs.get((r, c), 0) for c in cols] for r in rows], index=rows, columns=cols
    )


def attribute(column: Any, name: str) -> Any:
    """The recorded attribute ``name`` of a JSON ``attributes`` column, as text.

    ``json_extract`` on SQLite, ``->>`` on PostgreSQL: counts by attribute are
    grouped in the database, not in Python.
    """
    return column[name].as_string()


def recorded_value(value: str | None) -> str:
    """The code a count is grouped under: ``?`` when the attribute is missing."""
    return value or "?"


def attribute_labels(
    instrument: Instrument | None, attribute: str, lang: str | None
) -> tuple[str, dict[str, str]]:
    """The label of the question named ``attribute`` and its choices' labels."""
    if instrument is None or not instrument.has(attribute):
        return attribute, {}
    question = instrument.item(attribute)
    if not isinstance(question, Question):
        return attribute, {}
    choices = {
        choice.name: instrument.text(choice.labels, lang) or choice.name
        for choice in instrument.choice_list(question)
    }
    return instrument.text(question.labels, lang) or attribute, choices


def in_choice_order(codes: set[str], labels: Mapping[str, str]) -> list[str]:
    """``codes`` in the order of their choices list, the others after, by code."""
    order = {code: position for position, code in enumerate(labels)}
    return sorted(codes, key=lambda code: (order.get(code, len(order)), code))


def fielding_progress(
    *, session: Session, form_id: str, lang: str | None = None
) -> FieldingProgress:
    """Count invitations and responses of ``form_id``, with suppressed breakdowns.

    ``lang``: the language of the labels (the form's default language if None).
    """
    fielding = get_fielding(session=session, form_id=form_id)
    title = session.scalar(
        select(InstrumentRecord.title)
        .where(InstrumentRecord.form_id == form_id)
        .order_by(InstrumentRecord.version_number.desc())
        .limit(1)
    )
    instrument_ids = select(InstrumentRecord.id).where(
        InstrumentRecord.form_id == form_id
    )
    breakdown = (
        (fielding.recorded_attributes[0], fielding.recorded_attributes[1])
        if len(fielding.recorded_attributes) >= 2
        else None
    )
    # Counts are grouped in the database (by the breakdown's two attributes
    # when there is one): a form fielded to 50,000 people is never read row by row.
    keys = (
        [
            attribute(ResponseRecord.attributes, breakdown[0]),
            attribute(ResponseRecord.attributes, breakdown[1]),
        ]
        if breakdown
        else []
    )
    response_counts = session.execute(
        select(*keys, ResponseRecord.status, ResponseRecord.synthetic, func.count())
        .where(ResponseRecord.instrument_id.in_(instrument_ids))
        .group_by(*keys, ResponseRecord.status, ResponseRecord.synthetic)
    ).all()
    invitation_keys = (
        [
            attribute(InvitationRecord.attributes, breakdown[0]),
            attribute(InvitationRecord.attributes, breakdown[1]),
        ]
        if breakdown
        else []
    )
    invitation_counts = session.execute(
        select(*invitation_keys, InvitationRecord.used, func.count())
        .where(InvitationRecord.form_id == form_id)
        .group_by(*invitation_keys, InvitationRecord.used)
    ).all()
    tables: dict[str, SuppressedTable] = {}
    breakdown_labels = None
    value_labels: dict[str, dict[str, str]] = {}
    if breakdown is not None:
        row_name, col_name = breakdown
        try:
            instrument: Instrument | None = fielded_version(
                session=session, form_id=form_id
            ).instrument
        except SociaparisError:
            instrument = None
        row_label, value_labels[row_name] = attribute_labels(instrument, row_name, lang)
        col_label, value_labels[col_name] = attribute_labels(instrument, col_name, lang)
        breakdown_labels = (row_label, col_label)

        counts: dict[str, Counter[tuple[str, str]]] = {
            "invitations": Counter(),
            "started": Counter(),
            "completed": Counter(),
        }
        for row, col, _, n in invitation_counts:
            counts["invitations"][recorded_value(row), recorded_value(col)] += n
        for row, col, status, _, n in response_counts:
            key = (recorded_value(row), recorded_value(col))
            counts["started"][key] += n
            if status == COMPLETED:
                counts["completed"][key] += n
        cells = set().union(*counts.values())
        rows = in_choice_order({r for r, _ in cells}, value_labels[row_name])
        cols = in_choice_order({c for _, c in cells}, value_labels[col_name])
        if rows and cols:
            tables = {
                name: suppress(
                    _table(pairs, rows, cols), min_count=fielding.min_cell_count
                )
                for name, pairs in counts.items()
                if pairs or name != "invitations"
            }
    uses = session.scalar(
        select(func.count())
        .select_from(InvitationUseRecord)
        .where(InvitationUseRecord.form_id == form_id)
    )
    return FieldingProgress(
        form_id=form_id,
        title=title or form_id,
        anonymous=fielding.anonymous,
        open_link=fielding.open_link,
        invitations=sum(row[-1] for row in invitation_counts),
        used_invitations=sum(row[-1] for row in invitation_counts if row[-2])
        + (uses or 0),
        started=sum(row[-1] for row in response_counts),
        completed=sum(row[-1] for row in response_counts if row[-3] == COMPLETED),
        synthetic=sum(row[-1] for row in response_counts if row[-2]),
        breakdown=breakdown,
        tables=tables,
        min_cell_count=fielding.min_cell_count,
        breakdown_labels=breakdown_labels,
        value_labels=value_labels,
    )
