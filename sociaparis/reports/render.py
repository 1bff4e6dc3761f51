"""Render a report: one self-contained HTML page (inline CSS and SVG), or a PDF.

The HTML makes no external request: styles are inline, charts are inline
SVG, fonts are the reader's (DejaVu Sans first). The PDF is WeasyPrint's
rendering of the same HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from sociaparis import __version__
from sociaparis.core.errors import SociaparisError
from sociaparis.reports.charts import render_chart
from sociaparis.reports.content import HIDDEN, MASKED, Cell, Chart, Report
from sociaparis.reports.errors import ReportError
from sociaparis.reports.i18n import fmt_number, fmt_pct, text

SUFFIXES = (".html", ".pdf")
Tick = Callable[[str], None]


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("sociaparis.reports", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def cell_text(cell: Cell, fmt: str, *, lang: str, min_count: int) -> str:
    """A table cell as printed: suppressed marks, numbers in the language's style."""
    if cell == HIDDEN:
        return text("hidden_label", lang, min=min_count)
    if cell == MASKED:
        return text("masked_label", lang)
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    if fmt == "int":
        return fmt_number(float(cell), lang, 0)
    if fmt == "pct":
        return fmt_pct(float(cell), lang, 0)
    if fmt == "pct1":
        return fmt_pct(float(cell), lang, 1)
    if fmt == "num":
        return fmt_number(float(cell), lang, 2)
    if fmt == "auto":
        return fmt_number(float(cell), lang, 0 if float(cell).is_integer() else 2)
    return str(cell)


def render_html(report: Report, *, tick: Tick | None = None) -> str:
    """The report as one self-contained HTML document.

    Parameters
    ----------
    report
        The report model.
    tick
        Called with the chart's title after each chart is drawn.

    Returns
    -------
    str
        The HTML document.
    """
    lang = report.lang
    css = resources.files("sociaparis.reports").joinpath("templates/report.css")

    drawn_count = 0

    def svg(chart: Chart) -> Markup:
        nonlocal drawn_count
        drawn_count += 1
        drawn = render_chart(
            chart, lang=lang, min_count=report.min_cell_count, key=f"c{drawn_count}"
        )
        if tick is not None:
            tick(chart.title)
        return Markup(drawn)

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    summary = text(
        "summary_text",
        lang,
        n=fmt_number(report.n_responses, lang),
        form=report.form_id,
        level=f"{report.ci_level * 100:g}",
        min=report.min_cell_count,
    )
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        version=__version__,
        css=Markup(css.read_text(encoding="utf-8")),
        summary=summary,
        t=t,
        svg=svg,
        num=lambda value, decimals=0: fmt_number(value, lang, decimals),
        cell_text=lambda cell, fmt: cell_text(
            cell, fmt, lang=lang, min_count=report.min_cell_count
        ),
        cell_class=lambda cell, fmt: cell if cell in (HIDDEN, MASKED) else fmt,
    )


def chart_count(report: Report) -> int:
    """How many charts :func:`render_html` draws (for a progress bar)."""
    return sum(len(q.charts) for q in report.questions())


def html_to_pdf(html: str) -> bytes:
    """The PDF rendering of a self-contained HTML page (WeasyPrint).

    Raises
    ------
    SociaparisError
        ``REPORT_005`` when WeasyPrint or its system libraries are missing.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise SociaparisError(ReportError.PDF_UNAVAILABLE, reason=str(exc)) from None
    return HTML(string=html).write_pdf()


def check_output(path: Path) -> str:
    """The output kind (``html`` or ``pdf``) from the file suffix (``REPORT_001``)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SociaparisError(ReportError.BAD_SUFFIX, path=str(path))
    return suffix[1:]


def write_report(report: Report, out: Path, *, tick: Tick | None = None) -> Path:
    """Write the report to ``out``: HTML or PDF by its suffix.

    Parameters
    ----------
    report
        The report model.
    out
        Output file ending in ``.html`` or ``.pdf``.
    tick
        Called after each chart is drawn, and once more when the PDF is laid out.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    kind = check_output(out)
    html = render_html(report, tick=tick)
    if kind == "html":
        out.write_text(html, encoding="utf-8")
    else:
        out.write_bytes(html_to_pdf(html))
        if tick is not None:
            tick("pdf")
    return out
