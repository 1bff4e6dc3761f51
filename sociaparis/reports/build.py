"""Build a :class:`~sociaparis.reports.content.Report` from responses (pure).

Input: the main export table of a form's responses (one row per response,
ODK-style columns, as :func:`sociaparis.survey.exports.load_export` gives), the
newest instrument, and optionally the study's population margins (directorate x
job category) and its minimum cell count. Output: plain data, every published
count through disclosure control.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from sociaparis.analysis.design import SurveyDesign, svydesign
from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT, check_min_count
from sociaparis.analysis.weights import rake
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.comparisons import crosstab_table
from sociaparis.reports.content import Report, Section
from sociaparis.reports.context import ReportContext, question_columns
from sociaparis.reports.errors import ReportError
from sociaparis.reports.i18n import LANGUAGES, breakdown_label, text
from sociaparis.reports.participation import participation_section, weighting_section
from sociaparis.reports.questions import block_for
from sociaparis.reports.repeats import SKIPPED_TYPES, repeat_section
from sociaparis.reports.sections import (
    COMPARISONS,
    METHODS,
    check_sections,
    report_outline,
)
from sociaparis.survey.instrument import Instrument, Question
from sociaparis.survey.io.tables import ATTRIBUTE_PREFIX, ExportTable
from sociaparis.survey.study.definition import PopulationMargins

Progress = Callable[[int, int, str], None]
#: Breakdowns compared besides the weighting dimensions, when the form has them.
EXTRA_BREAKDOWNS = ("age_band",)


def _plan(
    instrument: Instrument, columns: dict[str, str], lang: str
) -> list[tuple[str, str, list]]:
    """Sections of questions: (id, title, blocks) with blocks still to compute.

    A block is ``("question", Question)`` or ``("likert", name, title, [Question])``.
    Consecutive likert-appearance select_one questions of one group sharing a
    choice list (two or more) form a battery. Questions outside groups join the
    section before them (the first ones make a ``general`` section).
    """
    sections: list[tuple[str, str, list]] = []
    loose: list[Question] = []
    for name in instrument.top:
        item = instrument.item(name)
        if isinstance(item, Question):
            if _usable(item, columns):
                loose.append(item)
            continue
        if item.kind == "repeat":
            continue
        if loose:
            _add_loose(sections, loose, instrument)
            loose = []
        section = _group_section(instrument, name, columns, lang)
        if section is not None:
            sections.append(section)
    if loose:
        _add_loose(sections, loose, instrument)
    return sections


def _usable(q: Question, columns: dict[str, str]) -> bool:
    """Whether ``q`` gets a block: answerable, outside repeats, with a column, and
    not of a type reports skip (acknowledgements, dates, times, places, ranks)."""
    return (
        q.repeat is None
        and q.answerable
        and q.type not in SKIPPED_TYPES
        and q.name in columns
    )


def _group_section(
    instrument: Instrument, name: str, columns: dict[str, str], lang: str
) -> tuple[str, str, list] | None:
    """The section of the top-level group ``name``; None if it has no usable question.

    Its batteries are titled by the group's first note (without Markdown
    emphasis) unless that note is empty or computed (``${...}``), else by the
    group's label.
    """
    inside = [
        q
        for q in instrument.descendants(name)
        if isinstance(q, Question) and _usable(q, columns)
    ]
    if not inside:
        return None
    title = instrument.text(instrument.item(name).labels, lang) or name
    intro = next(
        (
            q
            for q in instrument.descendants(name)
            if isinstance(q, Question) and q.type == "note"
        ),
        None,
    )
    lead = instrument.text(intro.labels, lang) if intro is not None else ""
    lead = lead.replace("**", "").replace("*", "").strip()
    battery_title = lead if "${" not in lead and lead else title
    return name, title, _blocks_of(inside, name, battery_title)


def _blocks_of(questions: list[Question], group_name: str, group_title: str) -> list:
    """The blocks of a group's questions: runs of likert questions become batteries."""
    out: list = []
    k = 0
    while k < len(questions):
        q = questions[k]
        run = [q]
        if _is_likert(q):
            while (
                k + len(run) < len(questions)
                and _is_likert(questions[k + len(run)])
                and questions[k + len(run)].list_name == q.list_name
            ):
                run.append(questions[k + len(run)])
        if len(run) >= 2:
            out.append(("likert", f"{group_name}:{q.name}", group_title, run))
        else:
            out.append(("question", q))
        k += len(run)
    return out


def _is_likert(q: Question) -> bool:
    return q.type == "select_one" and "likert" in q.appearance.split()


def _add_loose(sections: list, loose: list[Question], instrument: Instrument) -> None:
    blocks = [("question", q) for q in loose]
    if sections:
        sections[-1][2].extend(blocks)
    else:
        sections.append(("general", "", blocks))


def default_key_questions(instrument: Instrument, columns: dict[str, str]) -> list[str]:
    """The first select_one outside groups and asked of everyone, else the first one."""
    candidates = [
        q
        for q in instrument.questions
        if q.type == "select_one" and q.repeat is None and q.name in columns
    ]
    for q in candidates:
        if q.parent is None and not q.relevant:
            return [q.name]
    return [candidates[0].name] if candidates else []


def build_report(
    table: ExportTable,
    *,
    instrument: Instrument,
    margins: PopulationMargins | None = None,
    min_cell_count: int = DEFAULT_MIN_COUNT,
    lang: str = "fr",
    key_questions: Sequence[str] | None = None,
    repeats: Mapping[str, ExportTable] | None = None,
    ci_level: float = 0.95,
    today: date | None = None,
    progress: Progress | None = None,
    sections: Collection[str] | None = None,
) -> Report:
    """Build the report of a form's responses.

    Parameters
    ----------
    table
        The main export table (``ExportData.main``): one row per response.
        Only completed responses (``_status``) are analysed.
    instrument
        The newest version of the form (labels, choices, groups).
    margins
        Population counts by directorate x job category (the study's
        ``[population]``); None: no response rates, no weighting.
    min_cell_count
        Smallest respondent count that may be published (at least 5).
    lang
        ``"fr"`` or ``"en"``.
    key_questions
        Questions compared by directorate, job category and age band; default:
        :func:`default_key_questions`.
    repeats
        The export tables of the repeats (``ExportData.tables[1:]``) by name: their
        questions get a section each (the unit is the instance); None leaves them
        out (the notes on method list them).
    ci_level
        Level of every confidence interval.
    today
        Date printed on the report (default: today).
    progress
        Called as ``progress(done, total, what)`` after each step.
    sections
        The ids of the sections to keep (:func:`.sections.report_outline`);
        None keeps them all. Sections left out are not computed, except the
        participation table, whose hidden groups every other section hides too.

    Returns
    -------
    Report

    Raises
    ------
    SociaparisError
        ``REPORT_002`` (language), ``REPORT_003`` (no completed response),
        ``REPORT_004`` (unknown key question), ``REPORT_050`` (unknown section),
        ``REPORT_053`` (no section), ``ANALYSIS_010`` (threshold < 5).
    """
    _check_options(lang, min_cell_count)
    outline = report_outline(instrument, lang)
    chosen = check_sections(
        None if sections is None else list(sections), outline, instrument.form_id
    )

    def keep(section_id: str) -> bool:
        return chosen is None or section_id in chosen

    frame = _completed(table.frame, instrument)
    columns, choices = question_columns(table)
    keys = _key_questions(instrument, columns, key_questions)
    if not keep(COMPARISONS):
        keys = []
    plan = [item for item in _plan(instrument, columns, lang) if keep(f"q-{item[0]}")]
    if repeats is not None:
        repeats = {name: t for name, t in repeats.items() if keep(f"q-{name}")}
    step = _Steps(3 + sum(len(blocks) for _, _, blocks in plan) + len(keys), progress)

    n_synthetic = int(frame["_synthetic"].fillna(0).sum()) if "_synthetic" in frame else 0
    warnings = _synthetic_warnings(n_synthetic, len(frame), margins, lang)
    weighted = _weight(frame, margins, columns, instrument, lang, step)
    warnings += weighted.warnings
    margins, dims = weighted.margins, weighted.dims

    ctx = _context(
        weighted.design,
        instrument,
        columns,
        choices,
        dims,
        weighted.dim_columns,
        lang=lang,
        min_cell_count=min_cell_count,
        ci_level=ci_level,
    )
    participation, hidden_groups = participation_section(ctx, margins, dims)
    ctx = dataclasses.replace(ctx, hidden_groups=hidden_groups)
    weighting = weighting_section(
        ctx, margins, dims, weighted.raked_margins, weighted.notes
    )
    step("participation")

    body = _question_sections(ctx, plan, dims, step)
    repeat_sections, reported = _repeat_sections(ctx, repeats)
    in_form = _in_form_order(instrument, [*body, *repeat_sections])
    kept = [s for s in (participation, weighting) if keep(s.id)]
    kept += in_form
    comparisons = _comparisons_section(ctx, keys, step)
    if comparisons is not None:
        kept.append(comparisons)
    if keep(METHODS):
        kept.append(_methods(instrument, margins, dims, ctx, n_synthetic, reported))
    return Report(
        form_id=instrument.form_id,
        title=instrument.text({instrument.default_language: instrument.title}, lang)
        or instrument.title,
        lang=lang,
        generated_on=today or date.today(),
        n_responses=len(weighted.frame),
        n_synthetic=n_synthetic,
        min_cell_count=min_cell_count,
        ci_level=ci_level,
        sections=tuple(kept),
        warnings=tuple(warnings),
        parameters={
            "form_id": instrument.form_id,
            "version": instrument.version,
            "lang": lang,
            "min_cell_count": min_cell_count,
            "ci_level": ci_level,
            "key_questions": list(keys),
            "margins": {k: dict(v) for k, v in weighted.raked_margins.items()},
            "weighting": "raked" if margins is not None else "design",
            "sections": [c.id for c in outline if keep(c.id)],
        },
    )


class _Steps:
    """Counts the steps done and tells ``progress`` after each one."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total = total
        self.done = 0
        self.progress = progress

    def __call__(self, what: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, what)


def _check_options(lang: str, min_cell_count: int) -> None:
    """``REPORT_002`` for an unknown language; ``ANALYSIS_010`` for a threshold < 5."""
    if lang not in LANGUAGES:
        raise SociaparisError(
            ReportError.BAD_LANGUAGE, lang=lang, allowed=", ".join(LANGUAGES)
        )
    check_min_count(min_cell_count)


def _completed(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The completed responses (all rows without ``_status``); ``REPORT_003`` if none."""
    if "_status" in frame.columns:
        frame = frame[frame["_status"] == "completed"]
    frame = frame.reset_index(drop=True)
    if frame.empty:
        raise SociaparisError(ReportError.NO_COMPLETED, form_id=instrument.form_id)
    return frame


def _key_questions(
    instrument: Instrument, columns: dict[str, str], key_questions: Sequence[str] | None
) -> list[str]:
    """The key questions (default: :func:`default_key_questions`), each a select_one
    with a column; ``REPORT_004`` for the first that is not."""
    if key_questions is None:
        return default_key_questions(instrument, columns)
    keys = list(key_questions)
    for name in keys:
        item = instrument.item(name) if instrument.has(name) else None
        if not (isinstance(item, Question) and item.type == "select_one") or (
            name not in columns
        ):
            raise SociaparisError(
                ReportError.UNKNOWN_QUESTION, name=name, form_id=instrument.form_id
            )
    return keys


def _synthetic_warnings(
    n_synthetic: int, n: int, margins: PopulationMargins | None, lang: str
) -> list[str]:
    """Warnings that answers or margins are synthetic (demo data)."""
    warnings = []
    if n_synthetic:
        warnings.append(text("synthetic_warning", lang, k=n_synthetic, n=n))
    if margins is not None and margins.synthetic:
        warnings.append(text("synthetic_margins", lang))
    return warnings


@dataclass(frozen=True, slots=True)
class _Weighting:
    """The responses analysed and their design, raked to the margins if any."""

    frame: pd.DataFrame
    design: SurveyDesign
    #: None when none were given or a dimension is recorded by no response
    margins: PopulationMargins | None
    dims: list[str]
    dim_columns: dict[str, str]
    raked_margins: dict[str, dict[str, float]]
    notes: list[str]
    warnings: list[str]


def _weight(
    frame: pd.DataFrame,
    margins: PopulationMargins | None,
    columns: dict[str, str],
    instrument: Instrument,
    lang: str,
    step: _Steps,
) -> _Weighting:
    """Keep the responses with every weighting dimension inside the margins, make
    their design and rake it (steps ``design`` and ``weighting``).

    Margins on a dimension no response records are dropped with a warning;
    ``REPORT_003`` if fewer than two responses are left.
    """
    warnings = []
    dims = list(margins.dimensions) if margins is not None else []
    unknown = [d for d in dims if not _has_dimension(frame, d, columns)]
    if unknown:
        warnings.append(text("unknown_dimension", lang, dims=", ".join(unknown)))
        margins, dims = None, []
    frame, dim_columns, excluded = _dimension_columns(frame, dims, columns)
    if margins is not None:
        frame, outside = _inside_margins(frame, margins, dims, dim_columns)
        excluded += outside
    if len(frame) < 2:
        raise SociaparisError(ReportError.NO_COMPLETED, form_id=instrument.form_id)
    design = svydesign(frame, lonely_psu="fail")
    step("design")
    notes = (
        [text("excluded_rows", lang, k=excluded, dim=", ".join(dims))] if excluded else []
    )
    raked: dict[str, dict[str, float]] = {}
    if margins is not None:
        raked, absent_notes = _raking_margins(frame, margins, dims, dim_columns, lang)
        notes += absent_notes
        design = rake(design, margins=raked, epsilon=1e-10, maxit=100)
    step("weighting")
    return _Weighting(frame, design, margins, dims, dim_columns, raked, notes, warnings)


def _inside_margins(
    frame: pd.DataFrame,
    margins: PopulationMargins,
    dims: Sequence[str],
    dim_columns: dict[str, str],
) -> tuple[pd.DataFrame, int]:
    """The responses whose every dimension is a level of the margins, and how many
    were left out."""
    inside = pd.Series(True, index=frame.index)
    for dim in dims:
        inside &= frame[dim_columns[dim]].isin(list(margins.margin(dim)))
    return frame[inside].reset_index(drop=True), int((~inside).sum())


def _raking_margins(
    frame: pd.DataFrame,
    margins: PopulationMargins,
    dims: Sequence[str],
    dim_columns: dict[str, str],
    lang: str,
) -> tuple[dict[str, dict[str, float]], list[str]]:
    """The margins to rake to (by dimension column), restricted to the levels some
    response has, and a note per dimension with levels nobody answered from."""
    raked: dict[str, dict[str, float]] = {}
    notes: list[str] = []
    for dim in dims:
        margin = margins.margin(dim)
        present = set(frame[dim_columns[dim]])
        absent = [lev for lev in margin if lev not in present]
        if absent:
            notes.append(text("absent_levels", lang, levels=", ".join(absent), dim=dim))
        raked[dim_columns[dim]] = {
            lev: float(count) for lev, count in margin.items() if lev in present
        }
    return raked, notes


def _context(
    design: SurveyDesign,
    instrument: Instrument,
    columns: dict[str, str],
    choices: dict,
    dims: Sequence[str],
    dim_columns: dict[str, str],
    *,
    lang: str,
    min_cell_count: int,
    ci_level: float,
) -> ReportContext:
    """The context every section is computed in: the weighting dimensions and the
    extra breakdowns (:data:`EXTRA_BREAKDOWNS`) the form has are the groups."""
    groups = {dim: dim_columns[dim] for dim in dims}
    group_labels = {dim: _labels_for(instrument, choices, dim, lang) for dim in dims}
    for extra in EXTRA_BREAKDOWNS:
        if extra in columns and extra not in groups:
            groups[extra] = columns[extra]
            group_labels[extra] = _labels_for(instrument, choices, extra, lang)
    return ReportContext(
        design=design,
        instrument=instrument,
        columns=columns,
        choices=choices,
        lang=lang,
        min_count=min_cell_count,
        ci_level=ci_level,
        groups=groups,
        group_labels=group_labels,
    )


def _question_sections(
    ctx: ReportContext, plan: list[tuple[str, str, list]], dims: list[str], step: _Steps
) -> list[Section]:
    """One section per planned section of questions, a block per question or battery."""
    sections = []
    for section_id, title, blocks in plan:
        built = []
        for block in blocks:
            built.append(block_for(ctx, block, dims))
            step(built[-1].name)
        sections.append(
            Section(
                id=f"q-{section_id}",
                title=title or text("general", ctx.lang),
                questions=tuple(built),
            )
        )
    return sections


def _repeat_sections(
    ctx: ReportContext, repeats: Mapping[str, ExportTable] | None
) -> tuple[list[Section], set[str]]:
    """A section per top-level repeat with a table, and the repeats reported."""
    sections: list[Section] = []
    reported: set[str] = set()
    for repeat in ctx.instrument.repeats:
        if repeats and repeat.name in repeats and repeat.parent is None:
            section = repeat_section(ctx, repeat, repeats[repeat.name])
            if section is not None:
                sections.append(section)
                reported.add(repeat.name)
    return sections, reported


def _in_form_order(instrument: Instrument, sections: list[Section]) -> list[Section]:
    """``sections`` in the order of the form's top-level items (stable)."""
    order = {name: k for k, name in enumerate(instrument.top)}
    return sorted(
        sections, key=lambda section: order.get(section.id.removeprefix("q-"), -1)
    )


def _comparisons_section(
    ctx: ReportContext, keys: list[str], step: _Steps
) -> Section | None:
    """Each key question crossed with each group (but itself); None if no table."""
    tables = []
    for name in keys:
        question = ctx.instrument.item(name)
        for by in ctx.groups:
            if by == name:
                continue
            found = crosstab_table(ctx, question, by)  # type: ignore[arg-type]
            if found is not None:
                tables.append(found)
        step(name)
    if not tables:
        return None
    return Section(
        id="comparisons",
        title=text("comparisons", ctx.lang),
        paragraphs=(text("comparisons_text", ctx.lang),),
        tables=tuple(tables),
    )


def _has_dimension(frame: pd.DataFrame, dim: str, columns: dict[str, str]) -> bool:
    """Whether some response records ``dim`` (as an attribute or an answer)."""
    names = [ATTRIBUTE_PREFIX + dim, columns.get(dim, "")]
    return any(name in frame.columns and frame[name].notna().any() for name in names)


def _dimension_columns(
    frame: pd.DataFrame, dims: Sequence[str], columns: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, str], int]:
    """Add one ``_dim_<name>`` column per weighting dimension; drop rows missing one."""
    out: dict[str, str] = {}
    keep = pd.Series(True, index=frame.index)
    frame = frame.copy()
    for dim in dims:
        attribute = ATTRIBUTE_PREFIX + dim
        values = pd.Series(pd.NA, index=frame.index, dtype="string")
        if attribute in frame.columns:
            values = frame[attribute].astype("string")
        if dim in columns:
            values = values.fillna(frame[columns[dim]].astype("string"))
        name = f"_dim_{dim}"
        frame[name] = values
        out[dim] = name
        keep &= values.notna()
    excluded = int((~keep).sum())
    frame = frame[keep].reset_index(drop=True)
    for name in out.values():
        frame[name] = frame[name].astype(str)
    return frame, out, excluded


def _labels_for(
    instrument: Instrument, choices: dict, name: str, lang: str
) -> tuple[str, dict[str, str]]:
    """A breakdown's label and its levels' labels (from the question of that name)."""
    if instrument.has(name) and isinstance(instrument.item(name), Question):
        question = instrument.item(name)
        label = instrument.text(question.labels, lang) or name
        levels = {
            c.name: instrument.text(c.labels, lang) or c.name
            for c in choices.get(name, ())
        }
        return breakdown_label(name, label, lang), levels
    return breakdown_label(name, name, lang), {}


def _methods(
    instrument: Instrument,
    margins: PopulationMargins | None,
    dims: Sequence[str],
    ctx: ReportContext,
    n_synthetic: int,
    reported: set[str],
) -> Section:
    lang = ctx.lang
    paragraphs = []
    if margins is not None:
        when = ""
        if margins.reference_date is not None:
            when = (
                f" au {margins.reference_date.isoformat()}"
                if lang == "fr"
                else f" on {margins.reference_date.isoformat()}"
            )
        names = ", ".join(ctx.group_labels[d][0] for d in dims)
        paragraphs.append(text("m_weighting", lang, dims=names, date=when))
    else:
        paragraphs.append(text("weighting_none", lang))
    paragraphs.append(text("m_variance", lang, level=ctx.level()))
    paragraphs.append(text("m_missing", lang))
    paragraphs.append(text("m_suppression", lang, min=ctx.min_count))
    paragraphs.append(text("m_text", lang))
    if reported:
        paragraphs.append(text("m_repeat_units", lang))
    repeated = [
        q.name
        for q in instrument.questions
        if q.repeat and q.answerable and q.repeat not in reported
    ]
    if repeated:
        paragraphs.append(text("m_repeats", lang, names=", ".join(repeated)))
    if n_synthetic:
        paragraphs.append(text("m_synthetic", lang))
    return Section(
        id="methods", title=text("methods", lang), paragraphs=tuple(paragraphs)
    )
