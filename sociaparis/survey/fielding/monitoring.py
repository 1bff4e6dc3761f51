"""Fielding monitoring: where respondents stop, time per page, response rate by day.

Three tables beside the counts of :mod:`sociaparis.survey.fielding.progress`,
each under the study's small-cell rule:

- **by page**: how many responses reached each page (the funnel), how many
  stopped there without completing, and the median time the page was shown;
- **by day**: completed responses to date, by stratum (the first recorded
  invitation attribute), with the response rate where it means something.

A funnel or a cumulative series publishes its differences too: two values
shown side by side give the count between them. So a value of such a series
is shown only when the difference to the values shown next to it is 0 or at
least the minimum count (:func:`publish_cumulative`); in effect the pages or
days between two shown values are merged. The ends of a series that other
tables publish (responses started and completed; a stratum's total) are kept
consistent with those tables. Counts are grouped in the database; nothing here
reads responses one by one.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sociaparis.accounts.audit import record_audit
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.analysis.disclosure import TOTAL, SuppressedTable, suppress
from sociaparis.core.errors import SociaparisError
from sociaparis.core.spreadsheets import neutralize_formula
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.progress import (
    FieldingProgress,
    ResponseGroup,
    attribute_labels,
    fielding_progress,
    in_choice_order,
    invitation_groups,
    recorded_value,
    response_groups,
)
from sociaparis.survey.fielding.service import COMPLETED, fielded_version, get_fielding
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.models import PageDurationCountRecord

#: The tables a monitoring page and ``sociaparis monitor`` publish, by name.
TABLES = ("by_page", "by_day", "invitations", "started", "completed")


# -- pure rules ----------------------------------------------------------------------


def publish_cumulative(
    values: Sequence[int], *, min_count: int, base: int = 0, end_known: bool = False
) -> tuple[bool, ...]:
    """Which values of a cumulative series may be shown.

    A value is shown when it differs from the last value shown before it (at
    first ``base``, a value the reader already knows) by 0 or by at least
    ``min_count``: any two shown values then differ by 0 or by a count that
    may be published. With ``end_known`` the last value is published elsewhere
    (a total): it is shown, and values before it are hidden again while their
    difference to it would be small.

    Parameters
    ----------
    values
        A non-decreasing series (e.g. completed responses to each day).
    min_count
        The smallest count that may be shown.
    base
        The known value before the series starts (0 for counts to date).
    end_known
        Whether the last value is public anyway.

    Returns
    -------
    tuple of bool
        For each value, whether it may be shown.

    Examples
    --------
    >>> publish_cumulative([0, 3, 12, 12, 15], min_count=10)
    (True, False, True, True, False)
    >>> publish_cumulative([0, 3, 12, 12, 15], min_count=10, end_known=True)
    (True, False, False, False, True)
    """
    if any(b < a for a, b in zip((base, *values), values, strict=False)):
        raise ValueError(f"a cumulative series never decreases: {list(values)}")
    shown = [False] * len(values)
    last = base
    for index, value in enumerate(values):
        if value - last == 0 or value - last >= min_count:
            shown[index] = True
            last = value
    if end_known and values:
        end = len(values) - 1
        shown[end] = True
        for index in range(end - 1, -1, -1):
            if not shown[index]:
                continue
            gap = values[end] - values[index]
            if gap == 0 or gap >= min_count:
                break
            shown[index] = False
    return tuple(shown)


@dataclass(frozen=True, slots=True)
class PageRow:
    """One page of the funnel, as published (None: a hidden value).

    Attributes
    ----------
    page, label, position
        The page's name, its label (of its group or question) and its place.
    reached
        Responses at this page or past it (completed ones included).
    stopped
        Responses not completed whose current page is this one.
    median_seconds
        The median of the durations the page was sent on after, in seconds,
        when at least the minimum count of them make it. How many there are
        is not published: it would count the responses that went past the
        page, a value the funnel may hide.
    """

    page: str
    label: str
    position: int
    reached: int | None
    stopped: int | None
    median_seconds: float | None


def page_funnel(
    pages: Sequence[tuple[str, str]],
    *,
    stopped: Mapping[str, int],
    completed: int,
    medians: Mapping[str, tuple[int, float | None]],
    min_count: int,
) -> tuple[PageRow, ...]:
    """The by-page table: reached, stopped here, median time, published.

    Parameters
    ----------
    pages
        (name, label) of each page, in the questionnaire's order.
    stopped
        Responses not completed, by their current page.
    completed
        Completed responses (they reached every page).
    medians
        By page, how many durations were recorded and their median.
    min_count
        The small-cell threshold.

    Notes
    -----
    ``reached`` of page *i* is ``completed`` plus every response stopped at
    page *i* or after it. Read from the last page back, it is a cumulative
    series from ``completed`` (published) to the responses started
    (published): :func:`publish_cumulative` with both ends known. A count of
    stopped responses is shown when both values it is the difference of are.
    A median is shown when at least ``min_count`` durations make it; their
    number is not published (it would count the responses past the page).
    """
    names = [name for name, _ in pages]
    backwards: list[int] = []
    total = completed
    for name in reversed(names):
        total += stopped.get(name, 0)
        backwards.append(total)
    shown_backwards = publish_cumulative(
        backwards, min_count=min_count, base=completed, end_known=True
    )
    reached = list(reversed(backwards))
    shown = list(reversed(shown_backwards))
    rows = []
    for index, (name, label) in enumerate(pages):
        after_known = shown[index + 1] if index + 1 < len(names) else True
        after = reached[index + 1] if index + 1 < len(names) else completed
        timed, median = medians.get(name, (0, None))
        rows.append(
            PageRow(
                page=name,
                label=label,
                position=index + 1,
                reached=reached[index] if shown[index] else None,
                stopped=(reached[index] - after)
                if shown[index] and after_known
                else None,
                median_seconds=median if timed >= min_count else None,
            )
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class DayTable:
    """Completed responses to each day, by stratum, as published.

    Attributes
    ----------
    attribute, attribute_label
        The stratum's attribute (e.g. ``directorate``) and its label; None for
        a form that records no attribute (one stratum: every response).
    strata, labels
        The strata's codes and labels, in the choices' order.
    days
        Every day from the first completion to the last.
    completed
        ``completed[d][s]``: responses of stratum ``s`` completed on day ``d``
        or before; None when hidden. The last column is the total.
    invitations
        Invitations sent by stratum (last: the total), None when hidden or when
        the form has no invitations.
    """

    attribute: str | None
    attribute_label: str | None
    strata: tuple[str, ...]
    labels: tuple[str, ...]
    days: tuple[date, ...]
    completed: tuple[tuple[int | None, ...], ...]
    invitations: tuple[int | None, ...]
    rates_meaningful: bool

    def rate(self, day_index: int, stratum_index: int) -> float | None:
        """Completed to that day per invitation, where both are shown."""
        if not self.rates_meaningful:
            return None
        count = self.completed[day_index][stratum_index]
        sent = self.invitations[stratum_index]
        if count is None or not sent:
            return None
        return count / sent


def day_table(
    *,
    daily: Mapping[str, Mapping[date, int]],
    strata: Sequence[str],
    totals_shown: Mapping[str, bool],
    min_count: int,
) -> tuple[tuple[date, ...], tuple[tuple[int | None, ...], ...]]:
    """Completed responses to each day by stratum, published; the total last.

    Parameters
    ----------
    daily
        By stratum, completions by day.
    strata
        The strata in the order of the columns.
    totals_shown
        Whether each stratum's total is published elsewhere (the margins of
        the completed table): its last value is then shown, else hidden.
    min_count
        The small-cell threshold.

    Notes
    -----
    Each stratum's series goes through :func:`publish_cumulative` from 0. The
    total of a day is shown only when every stratum's value of that day is:
    it is then their sum and tells nothing more.
    """
    all_days = sorted({day for counts in daily.values() for day in counts})
    if not all_days:
        return (), ()
    days = tuple(
        all_days[0] + timedelta(days=n)
        for n in range((all_days[-1] - all_days[0]).days + 1)
    )
    columns: list[list[int | None]] = []
    for stratum in strata:
        series = []
        running = 0
        for day in days:
            running += daily.get(stratum, {}).get(day, 0)
            series.append(running)
        known = totals_shown.get(stratum, False)
        shown = list(publish_cumulative(series, min_count=min_count, end_known=known))
        if not known:
            # The stratum's total is hidden elsewhere: so is its last value
            # here, and every value close enough to it to narrow it down.
            shown[-1] = False
            for index in range(len(series) - 2, -1, -1):
                if series[-1] - series[index] >= min_count:
                    break
                shown[index] = False
        columns.append(
            [value if ok else None for value, ok in zip(series, shown, strict=True)]
        )
    rows = []
    for index in range(len(days)):
        cells = [column[index] for column in columns]
        total = None if any(c is None for c in cells) else sum(c or 0 for c in cells)
        rows.append((*cells, total))
    return days, tuple(rows)


def one_way_margins(counts: Mapping[str, int], *, min_count: int) -> dict[str, bool]:
    """Which of a one-way table's counts (and ``Total``) are published."""
    if not counts:
        return {TOTAL: True}
    table = suppress(
        pd.DataFrame({"n": [counts[k] for k in counts]}, index=list(counts)),
        min_count=min_count,
    )
    hidden = table.suppressed[TOTAL]  # the mask, worked out once
    return {str(label): not bool(hidden.loc[label]) for label in table.published.index}


# -- the service -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldingMonitoring:
    """Monitoring of one form: its progress and the by-page and by-day tables."""

    progress: FieldingProgress
    pages: tuple[PageRow, ...]
    days: DayTable

    @property
    def min_cell_count(self) -> int:
        """The study's small-cell threshold."""
        return self.progress.min_cell_count


def _page_label(instrument: Instrument, name: str, lang: str | None) -> str:
    item = instrument.item(name) if instrument.has(name) else None
    labels = getattr(item, "labels", None) or {}
    return instrument.text(labels, lang) or name


def fielding_monitoring(
    *, session: Session, form_id: str, lang: str | None = None
) -> FieldingMonitoring:
    """Count where responses of ``form_id`` stop, how long pages take, and
    completions by stratum and day, all under the small-cell rule.

    Parameters
    ----------
    session
        The study's database session (nothing is written).
    form_id
        A fielded form (``FIELD_001`` otherwise).
    lang
        The language of the labels (the form's default if None).

    Returns
    -------
    FieldingMonitoring
        ``progress`` (:func:`~sociaparis.survey.fielding.progress.fielding_progress`),
        ``pages`` (:func:`page_funnel`) and ``days`` (:class:`DayTable`).
    """
    groups = response_groups(session=session, form_id=form_id)
    invitations = invitation_groups(session=session, form_id=form_id)
    progress = fielding_progress(
        session=session,
        form_id=form_id,
        lang=lang,
        responses=groups,
        invitations=invitations,
    )
    instrument = fielded_version(session=session, form_id=form_id).instrument
    stopped: Counter[str] = Counter()
    for group in groups:
        if group.status != COMPLETED and group.current_page is not None:
            stopped[group.current_page] += group.n
    pages = [
        (page.name, _page_label(instrument, page.name, lang))
        for page in instrument.pages()
    ]
    known = {name for name, _ in pages}
    # Pages of earlier versions (renamed or removed since) come last, by name.
    pages += [(name, name) for name in sorted(set(stopped) - known)]
    funnel = page_funnel(
        pages,
        stopped=stopped,
        completed=progress.completed,
        medians=page_medians(session=session, form_id=form_id),
        min_count=progress.min_cell_count,
    )
    return FieldingMonitoring(
        progress=progress,
        pages=funnel,
        days=_days(session, progress, instrument, groups, invitations, lang),
    )


def page_medians(
    *, session: Session, form_id: str
) -> dict[str, tuple[int, float | None]]:
    """By page of ``form_id``: how many durations are recorded, and their median.

    Read from the durations' histogram the database keeps (durations by page
    and whole second, :mod:`sociaparis.survey.counts`), in the database: a
    running count along each page's seconds finds the one or two bins that
    hold the middle values, and only those come back (two rows a page at
    most, whatever the number of durations).
    """
    counts = PageDurationCountRecord
    bins = (
        select(counts.page, counts.seconds, func.sum(counts.n).label("n"))
        .where(counts.form_id == form_id)
        .group_by(counts.page, counts.seconds)
        .having(func.sum(counts.n) > 0)
        .subquery()
    )
    upto = func.sum(bins.c.n).over(partition_by=bins.c.page, order_by=bins.c.seconds)
    total = func.sum(bins.c.n).over(partition_by=bins.c.page)
    running = select(
        bins.c.page, bins.c.seconds, bins.c.n, upto.label("upto"), total.label("total")
    ).subquery()
    # A bin holds the positions upto - n .. upto - 1 (from 0); the middle ones
    # are (total - 1) // 2 and total // 2.
    middle = select(
        running.c.page, running.c.seconds, running.c.n, running.c.upto, running.c.total
    ).where(
        running.c.upto - running.c.n <= running.c.total / 2,
        running.c.upto > (running.c.total - 1) / 2,
    )
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    totals: dict[str, int] = {}
    for page, seconds, n, up_to, total_n in session.execute(
        middle.order_by(running.c.page, running.c.seconds)
    ):
        total_n = int(total_n)
        totals[page] = total_n
        first = int(up_to) - int(n)
        found[page].append((first, int(seconds)))
    medians: dict[str, tuple[int, float | None]] = {}
    for page, starts in found.items():
        n = totals[page]
        wanted = [(n - 1) // 2] if n % 2 else [n // 2 - 1, n // 2]
        values = [
            next(value for first, value in reversed(starts) if first <= position)
            for position in wanted
        ]
        medians[page] = (n, sum(values) / len(values))
    return medians


def histogram_median(bins: Sequence[tuple[int, int]]) -> tuple[int, float | None]:
    """How many values a histogram holds, and their median.

    Parameters
    ----------
    bins
        (value, how many) in increasing order of value.

    Examples
    --------
    >>> histogram_median([(3, 1), (5, 2), (9, 1)])
    (4, 5.0)
    >>> histogram_median([(3, 1), (9, 1)])
    (2, 6.0)
    >>> histogram_median([])
    (0, None)
    """
    n = sum(count for _, count in bins)
    if not n:
        return 0, None
    wanted = [(n - 1) // 2] if n % 2 else [n // 2 - 1, n // 2]
    middle: list[int] = []
    seen = 0
    for value, count in bins:
        while wanted and wanted[0] < seen + count:
            middle.append(value)
            wanted.pop(0)
        seen += count
    return n, sum(middle) / len(middle)


def _days(
    session: Session,
    progress: FieldingProgress,
    instrument: Instrument,
    groups: Sequence[ResponseGroup],
    invitations: Sequence[tuple[Mapping[str, str], bool, int]],
    lang: str | None,
) -> DayTable:
    """Completions by stratum and day, and invitations by stratum."""
    fielding = get_fielding(session=session, form_id=progress.form_id)
    name = fielding.recorded_attributes[0] if fielding.recorded_attributes else None

    def stratum(attributes: Mapping[str, str]) -> str:
        return recorded_value(attributes.get(name)) if name else TOTAL

    daily: dict[str, Counter[date]] = defaultdict(Counter)
    for group in groups:
        if group.status == COMPLETED and group.day is not None:
            daily[stratum(group.attributes)][group.day] += group.n
    sent: Counter[str] = Counter()
    for attributes, _, n in invitations:
        sent[stratum(attributes)] += n
    label, value_labels = attribute_labels(instrument, name, lang) if name else (None, {})
    strata = in_choice_order(set(daily) | set(sent), value_labels) if name else [TOTAL]
    completed_totals = {s: sum(daily[s].values()) for s in strata}
    completed_shown = _margins_shown(progress, "completed", name, completed_totals)
    sent_shown = _margins_shown(
        progress, "invitations", name, {s: sent[s] for s in strata}
    )
    days, rows = day_table(
        daily=daily,
        strata=strata,
        totals_shown=completed_shown,
        min_count=progress.min_cell_count,
    )
    invitations_shown = tuple(
        sent[s] if sent_shown.get(s, False) else None for s in strata
    ) + ((sum(sent.values()) if sent else None),)
    return DayTable(
        attribute=name,
        attribute_label=label,
        strata=tuple(strata) if name else (),
        labels=tuple(value_labels.get(s, s) for s in strata) if name else (),
        days=days,
        completed=tuple(row if name else (row[-1],) for row in rows),
        invitations=invitations_shown if name else invitations_shown[-1:],
        rates_meaningful=progress.response_rate is not None,
    )


def _margins_shown(
    progress: FieldingProgress,
    table: str,
    name: str | None,
    counts: Mapping[str, int],
) -> dict[str, bool]:
    """Whether each stratum's total is published, as the progress tables publish
    it: the row margins of the breakdown's table when the stratum is its row
    attribute, else a one-way table suppressed on its own."""
    if name is None:
        return {TOTAL: True}
    if (
        progress.breakdown is not None
        and progress.breakdown[0] == name
        and table in progress.tables
    ):
        published: SuppressedTable = progress.tables[table]
        hidden = published.suppressed[TOTAL]  # the mask, worked out once
        return {
            str(label): not bool(hidden.loc[label])
            for label in published.published.index
            if label != TOTAL
        }
    return one_way_margins(dict(counts), min_count=progress.min_cell_count)


# -- CSV -------------------------------------------------------------------------------


def require_monitoring_export(role: Role) -> None:
    """``FIELD_018`` unless ``role`` may download tables (``can_export``)."""
    if not role.can_export():
        raise SociaparisError(FieldingError.DOWNLOAD_NOT_ALLOWED, role=role.value)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize_formula(str(cell)) for cell in header])
    for row in rows:
        writer.writerow(
            ["" if cell is None else neutralize_formula(cell) for cell in row]
        )
    return buffer.getvalue().encode("utf-8-sig")


def monitoring_rows(
    monitoring: FieldingMonitoring, table: str
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of one published table (None: a hidden cell).

    Labels stand beside codes; hidden cells are empty, never their value.
    """
    progress = monitoring.progress
    if table == "by_page":
        return (
            [
                "position",
                "page",
                "label",
                "reached",
                "stopped_here",
                "median_seconds",
            ],
            [
                [
                    r.position,
                    r.page,
                    r.label,
                    r.reached,
                    r.stopped,
                    r.median_seconds,
                ]
                for r in monitoring.pages
            ],
        )
    if table == "by_day":
        days = monitoring.days
        strata = list(zip(days.strata, days.labels, strict=True)) or []
        columns = [*strata, (TOTAL, TOTAL)]
        rows = []
        for d, day in enumerate(days.days):
            for s, (code, label) in enumerate(columns):
                rate = days.rate(d, s)
                rows.append(
                    [
                        day.isoformat(),
                        code,
                        label,
                        days.completed[d][s],
                        days.invitations[s] if days.rates_meaningful else None,
                        None if rate is None else round(rate, 4),
                    ]
                )
        header = [
            "day",
            "stratum",
            "label",
            "completed_to_date",
            "invitations",
            "response_rate",
        ]
        return header, rows
    if table in progress.tables and progress.breakdown is not None:
        published = progress.tables[table].published
        row_name, col_name = progress.breakdown
        header = [
            row_name,
            "label",
            *[progress.value_label(col_name, str(c)) for c in published.columns],
        ]
        rows = [
            [
                str(label),
                progress.value_label(row_name, str(label)),
                *[None if pd.isna(v) else int(v) for v in row],
            ]
            for label, row in published.iterrows()
        ]
        return header, rows
    raise SociaparisError(
        FieldingError.NO_SUCH_TABLE,
        table=table,
        tables=", ".join(available_tables(monitoring)),
    )


def available_tables(monitoring: FieldingMonitoring) -> tuple[str, ...]:
    """The tables this form has: the breakdowns need two recorded attributes."""
    return tuple(
        t for t in TABLES if t in {"by_page", "by_day"} or t in monitoring.progress.tables
    )


def table_csv(monitoring: FieldingMonitoring, table: str) -> bytes:
    """One published table of ``monitoring`` as CSV (UTF-8 with BOM).

    Hidden cells are empty; texts that a spreadsheet could run as formulas are
    neutralized (:func:`~sociaparis.core.spreadsheets.neutralize_formula`).
    ``FIELD_019`` for a table the form does not have.
    """
    header, rows = monitoring_rows(monitoring, table)
    return _csv(header, rows)


def csv_name(form_id: str, table: str) -> str:
    """The file name of a table's CSV: ``FORM-TABLE.csv``, safe in a header."""
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', form_id)}-{table}.csv"


def monitoring_csv(
    *,
    session: Session,
    form_id: str,
    table: str,
    actor: Account,
    lang: str | None = None,
) -> tuple[str, bytes]:
    """One monitoring table as CSV, for ``actor``: its file name and bytes
    (:func:`table_csv`); the download is written to the audit log.

    ``FIELD_018`` unless ``actor``'s role may export; ``FIELD_019`` for a table
    the form does not have.
    """
    require_monitoring_export(Role(actor.role))
    if table not in TABLES:
        raise SociaparisError(
            FieldingError.NO_SUCH_TABLE, table=table, tables=", ".join(TABLES)
        )
    monitoring = fielding_monitoring(session=session, form_id=form_id, lang=lang)
    data = table_csv(monitoring, table)
    record_audit(
        session=session,
        actor=actor,
        action="export.table",
        target=form_id,
        details={"table": table},
    )
    return csv_name(form_id, table), data
