"""Questions asked once per instance of a repeat (e.g. for each tool used).

The unit is the instance (a tool mentioned); each instance carries the final
weight of its respondent, and respondents are the clusters of the variance
(instances of one respondent are not independent). Disclosure control counts
distinct respondents, never instances.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from sociaparis.analysis.design import svydesign
from sociaparis.reports.content import Section
from sociaparis.reports.context import ReportContext, question_columns
from sociaparis.reports.questions import block_for
from sociaparis.survey.instrument import Group
from sociaparis.survey.io.tables import ExportTable

#: Answers a report does not summarise: acknowledgements, dates and times, places,
#: rankings (no block reads them yet; they are in the exports).
SKIPPED_TYPES = {
    "acknowledge",
    "date",
    "time",
    "dateTime",
    "geopoint",
    "geotrace",
    "geoshape",
    "rank",
}


def repeat_section(
    ctx: ReportContext, repeat: Group, table: ExportTable
) -> Section | None:
    """The section of one repeat, or None when nothing of it can be reported.

    Parameters
    ----------
    ctx
        The respondents' context (its data has ``_id`` and the final weights).
    repeat
        The repeat group.
    table
        Its export table (``_parent_id`` links an instance to its response).
    """
    instrument = ctx.instrument
    columns, choices = question_columns(table)
    questions = [
        q
        for q in instrument.questions
        if q.repeat == repeat.name
        and q.answerable
        and q.type not in SKIPPED_TYPES
        and q.name in columns
    ]
    if not questions or "_id" not in ctx.data.columns:
        return None
    weight_of = dict(zip(ctx.data["_id"], ctx.design.weights, strict=True))
    frame = table.frame
    frame = frame[frame["_parent_id"].isin(weight_of)].reset_index(drop=True)
    if frame["_parent_id"].nunique() < max(2, ctx.min_count):
        return None
    frame = frame.assign(
        _report_w=np.array([weight_of[p] for p in frame["_parent_id"]], dtype=float)
    )
    design = svydesign(frame, ids="_parent_id", weights="_report_w")
    inner = dataclasses.replace(
        ctx,
        design=design,
        columns=columns,
        choices=choices,
        units=pd.factorize(frame["_parent_id"])[0],
    )
    blocks = tuple(block_for(inner, ("question", q), ()) for q in questions)
    n_instances = len(frame)
    n_people = int(frame["_parent_id"].nunique())
    paragraph = ctx.t("repeat_text", k=n_instances, n=n_people, label=_label(ctx, repeat))
    return Section(
        id=f"q-{repeat.name}",
        title=_label(ctx, repeat),
        paragraphs=(paragraph,),
        questions=blocks,
    )


def _label(ctx: ReportContext, group: Group) -> str:
    return ctx.instrument.text(group.labels, ctx.lang) or group.name
