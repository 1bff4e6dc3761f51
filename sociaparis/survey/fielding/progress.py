"""Fielding progress for researchers: invitations, started and completed responses.

Counts by two recorded attributes (e.g. directorate x job category) go through
the disclosure rule of :func:`sociaparis.analysis.disclosure.suppress`, so a small
group is never shown, even to the research team's dashboard. The tables keep the
recorded codes; where the form has a question named as an attribute, its label
and its choices' labels name the breakdown and its values for display.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sociaparis.analysis.disclosure import SuppressedTable, suppress
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.service import COMPLETED, fielded_version, get_fielding
from sociaparis.survey.instrument import Instrument, Question
from sociaparis.survey.models import (
    InstrumentRecord,
    InvitationCountRecord,
    InvitationUseRecord,
    ResponseCountRecord,
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


def recorded_value(value: str | None) -> str:
    """The code a count is grouped under: ``?`` when the attribute is missing."""
    return value or "?"


@dataclass(frozen=True, slots=True)
class ResponseGroup:
    """Responses alike in everything monitoring counts, and how many they are.

    ``current_page`` is given for responses not completed, ``day`` (completion
    day) for completed ones; the other is None.
    """

    attributes: Mapping[str, str]
    status: str
    synthetic: bool
    current_page: str | None
    day: date | None
    n: int


def _parsed(text_value: str | None, cache: dict[str | None, dict[str, str]]) -> dict:
    if text_value not in cache:
        loaded = json.loads(text_value) if text_value else {}
        cache[text_value] = loaded if isinstance(loaded, dict) else {}
    return cache[text_value]


def response_groups(*, session: Session, form_id: str) -> list[ResponseGroup]:
    """Every response of ``form_id`` (all versions), counted.

    Read from the counts the database keeps as responses are written
    (:mod:`sociaparis.survey.counts`): a few hundred rows, whatever the number
    of responses. The recorded attributes are grouped as stored (their JSON
    text) and parsed once per distinct value here.
    """
    counts = ResponseCountRecord
    instrument_ids = select(InstrumentRecord.id).where(
        InstrumentRecord.form_id == form_id
    )
    cache: dict[str | None, dict[str, str]] = {}
    total = func.sum(counts.n)
    return [
        ResponseGroup(
            _parsed(attrs, cache),
            status,
            bool(synthetic),
            page or None,
            date.fromisoformat(day) if day else None,
            int(n),
        )
        for attrs, status, synthetic, page, day, n in session.execute(
            select(
                counts.attributes,
                counts.status,
                counts.synthetic,
                counts.page,
                counts.day,
                total,
            )
            .where(counts.instrument_id.in_(instrument_ids))
            .group_by(
                counts.attributes,
                counts.status,
                counts.synthetic,
                counts.page,
                counts.day,
            )
            .having(total != 0)
        )
    ]


def invitation_groups(
    *, session: Session, form_id: str
) -> list[tuple[Mapping[str, str], bool, int]]:
    """Invitations of ``form_id`` by their attributes and ``used``: (attributes,
    used, how many), read from the counts kept as :func:`response_groups`'."""
    counts = InvitationCountRecord
    cache: dict[str | None, dict[str, str]] = {}
    total = func.sum(counts.n)
    return [
        (_parsed(attrs, cache), bool(used), int(n))
        for attrs, used, n in session.execute(
            select(counts.attributes, counts.used, total)
            .where(counts.form_id == form_id)
            .group_by(counts.attributes, counts.used)
            .having(total != 0)
        )
    ]


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
    *,
    session: Session,
    form_id: str,
    lang: str | None = None,
    responses: list[ResponseGroup] | None = None,
    invitations: list[tuple[Mapping[str, str], bool, int]] | None = None,
) -> FieldingProgress:
    """Count invitations and responses of ``form_id``, with suppressed breakdowns.

    ``lang``: the language of the labels (the form's default language if None);
    ``responses``, ``invitations``: the form's :func:`response_groups` and
    :func:`invitation_groups`, if already counted.
    """
    fielding = get_fielding(session=session, form_id=form_id)
    title = session.scalar(
        select(InstrumentRecord.title)
        .where(InstrumentRecord.form_id == form_id)
        .order_by(InstrumentRecord.version_number.desc())
        .limit(1)
    )
    breakdown = (
        (fielding.recorded_attributes[0], fielding.recorded_attributes[1])
        if len(fielding.recorded_attributes) >= 2
        else None
    )
    if responses is None:
        responses = response_groups(session=session, form_id=form_id)
    if invitations is None:
        invitations = invitation_groups(session=session, form_id=form_id)
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

        def key(attributes: Mapping[str, str]) -> tuple[str, str]:
            return (
                recorded_value(attributes.get(row_name)),
                recorded_value(attributes.get(col_name)),
            )

        counts: dict[str, Counter[tuple[str, str]]] = {
            "invitations": Counter(),
            "started": Counter(),
            "completed": Counter(),
        }
        for attributes, _, n in invitations:
            counts["invitations"][key(attributes)] += n
        for group in responses:
            counts["started"][key(group.attributes)] += group.n
            if group.status == COMPLETED:
                counts["completed"][key(group.attributes)] += group.n
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
        invitations=sum(n for _, _, n in invitations),
        used_invitations=sum(n for _, used, n in invitations if used) + (uses or 0),
        started=sum(group.n for group in responses),
        completed=sum(g.n for g in responses if g.status == COMPLETED),
        synthetic=sum(g.n for g in responses if g.synthetic),
        breakdown=breakdown,
        tables=tables,
        min_cell_count=fielding.min_cell_count,
        breakdown_labels=breakdown_labels,
        value_labels=value_labels,
    )
