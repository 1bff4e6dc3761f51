"""Which sections a report can hold, and the reader's choice among them (pure).

A report always starts with its summary (counts, disclosure rule, contents).
The other sections can be chosen: participation, weighting, one per group of
the questionnaire (``q-<group>``, ``q-general`` for questions outside groups),
one per top-level repeat (``q-<repeat>``), the comparisons by group and the
notes on method. The page and ``sociaparis report --section`` offer the ids
:func:`report_outline` lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sociaparis.core.errors import SociaparisError
from sociaparis.reports.errors import ReportError
from sociaparis.reports.i18n import text
from sociaparis.survey.instrument import Instrument

#: the sections every report can have, besides those of the questionnaire
PARTICIPATION, WEIGHTING, COMPARISONS, METHODS = (
    "participation",
    "weighting",
    "comparisons",
    "methods",
)
#: how a report is weighted: as designed (every respondent 1) or raked to the
#: study's population margins
WEIGHTINGS = ("design", "raked")


@dataclass(frozen=True, slots=True)
class SectionChoice:
    """A section the reader may choose: its id (``--section``) and its title."""

    id: str
    title: str


def report_outline(instrument: Instrument, lang: str = "fr") -> list[SectionChoice]:
    """The sections a report of ``instrument`` can hold, in the report's order.

    Parameters
    ----------
    instrument
        The newest version of the form.
    lang
        Language of the titles (``fr`` or ``en``).

    Returns
    -------
    list of SectionChoice
        Participation, weighting, the questionnaire's sections (groups and
        top-level repeats with a question the report shows), comparisons,
        notes on method. A questionnaire section shows in the report only when
        its questions have answers to report (a repeat needs enough
        respondents).
    """
    from sociaparis.reports.build import _plan
    from sociaparis.reports.repeats import SKIPPED_TYPES

    columns = {q.name: q.name for q in instrument.questions}
    in_form: list[tuple[int, SectionChoice]] = []
    order = {name: k for k, name in enumerate(instrument.top)}
    for section_id, title, _blocks in _plan(instrument, columns, lang):
        in_form.append(
            (
                order.get(section_id, -1),
                SectionChoice(f"q-{section_id}", title or text("general", lang)),
            )
        )
    for repeat in instrument.repeats:
        if repeat.parent is not None:
            continue
        shown = [
            q
            for q in instrument.questions
            if q.repeat == repeat.name and q.answerable and q.type not in SKIPPED_TYPES
        ]
        if shown:
            title = instrument.text(repeat.labels, lang) or repeat.name
            in_form.append(
                (order.get(repeat.name, -1), SectionChoice(f"q-{repeat.name}", title))
            )
    in_form.sort(key=lambda pair: pair[0])
    return [
        SectionChoice(PARTICIPATION, text("participation", lang)),
        SectionChoice(WEIGHTING, text("weighting", lang)),
        *(choice for _, choice in in_form),
        SectionChoice(COMPARISONS, text("comparisons", lang)),
        SectionChoice(METHODS, text("methods", lang)),
    ]


def check_sections(
    chosen: Sequence[str] | None, outline: Sequence[SectionChoice], form_id: str
) -> frozenset[str] | None:
    """The chosen section ids, checked against ``outline``; None keeps every one.

    Raises
    ------
    SociaparisError
        ``REPORT_050`` for an id not in the outline; ``REPORT_053`` when the
        choice is empty.
    """
    if chosen is None:
        return None
    known = [choice.id for choice in outline]
    for section_id in chosen:
        if section_id not in known:
            raise SociaparisError(
                ReportError.UNKNOWN_SECTION,
                section=section_id,
                form_id=form_id,
                allowed=", ".join(known),
            )
    if not chosen:
        raise SociaparisError(ReportError.NO_SECTION, form_id=form_id)
    return frozenset(chosen)


def check_weighting(weighting: str) -> str:
    """``weighting`` if it is one of :data:`WEIGHTINGS`, else ``REPORT_052``."""
    if weighting not in WEIGHTINGS:
        raise SociaparisError(
            ReportError.BAD_WEIGHTING, weighting=weighting, allowed=", ".join(WEIGHTINGS)
        )
    return weighting
