"""Fielding progress for researchers: invitations, started and completed responses.

Counts by two recorded attributes (e.g. directorate x job category) go through
the disclosure rule of :func:`sociaparis.analysis.disclosure.suppress`, so a small
group is never shown, even to the research team's dashboard.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sociaparis.analysis.disclosure import SuppressedTable, suppress
from sociaparis.survey.fielding.service import COMPLETED, get_fielding
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
    pairs: Counter[tuple[str, str]], rows: list[str], cols: list[str]
) -> pd.DataFrame:
    return pd.DataFrame(
        [[pairs.get((r, c), 0) for c in cols] for r in rows], index=rows, columns=cols
    )


def fielding_progress(*, session: Session, form_id: str) -> FieldingProgress:
    """Count invitations and responses of ``form_id``, with suppressed breakdowns."""
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
    responses = session.execute(
        select(
            ResponseRecord.status, ResponseRecord.attributes, ResponseRecord.synthetic
        ).where(ResponseRecord.instrument_id.in_(instrument_ids))
    ).all()
    invitations = session.execute(
        select(InvitationRecord.attributes, InvitationRecord.used).where(
            InvitationRecord.form_id == form_id
        )
    ).all()
    breakdown = (
        (fielding.recorded_attributes[0], fielding.recorded_attributes[1])
        if len(fielding.recorded_attributes) >= 2
        else None
    )
    tables: dict[str, SuppressedTable] = {}
    if breakdown is not None:
        row_name, col_name = breakdown

        def key(attributes: dict) -> tuple[str, str]:
            return (attributes.get(row_name) or "?", attributes.get(col_name) or "?")

        counts = {
            "invitations": Counter(key(a) for a, _ in invitations),
            "started": Counter(key(a) for _, a, _ in responses),
            "completed": Counter(key(a) for s, a, _ in responses if s == COMPLETED),
        }
        cells = set().union(*counts.values())
        rows = sorted({r for r, _ in cells})
        cols = sorted({c for _, c in cells})
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
        invitations=len(invitations),
        used_invitations=sum(1 for _, used in invitations if used) + (uses or 0),
        started=len(responses),
        completed=sum(1 for status, _, _ in responses if status == COMPLETED),
        synthetic=sum(1 for _, _, synthetic in responses if synthetic),
        breakdown=breakdown,
        tables=tables,
        min_cell_count=fielding.min_cell_count,
    )
