"""Timing benchmark of the survey explorer page on the 100,000-response staff survey.

How the responses are made: as in ``benchmarks/export.py``, 1,000 synthetic
respondents answer the bundled staff survey through the form-logic engine and
the 100,000 responses are drawn from them with replacement (each with a
directorate attribute); the export table is built once, without the database.

Then, for the explorer's request "ai_use by directorate x job category, raked to
the study's population margins" (the page ``/analysis/{form_id}?q=ai_use&
by1=_attr_directorate&by2=job_category&weighting=raked``):

* ``table`` cold: :func:`~sociaparis.reports.explorer.explore_table` with the
  design and the raking to convergence computed (the first page of a form);
* ``table`` warm: the same with the raked design kept, as the page keeps it
  between requests (counts, suppression, estimates and SEs by domain, the
  weight report); ``test``: the same with the Rao-Scott test;
* ``page``: the warm table plus the page's HTML (the real template) and the
  R and Python code, as the route renders it;
* ``chart``: drawing the table's chart as the chart URL does (SVG, and PNG
  drawn for the first time, then asked for again: the last PNGs are kept);
* ``viewer``: the same table for a viewer, audited with three earlier tables.

The database read of the responses (``load_export``) is not counted: it is the
export's cost, measured by ``benchmarks/export.py --web``.

Usage::

    .venv/bin/python benchmarks/analysis_pages.py [--responses 100000] [--runs 3]

Prints the median seconds of each step against the targets: page < 0.5 s,
chart < 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.export import STUDY_DIR, base_batch, resample  # noqa: E402
from sociaparis.reports.charts import (  # noqa: E402
    _cached_png,
    render_chart,
    render_png,
)
from sociaparis.reports.explorer import (  # noqa: E402
    TableRequest,
    explore_table,
    form_variables,
)
from sociaparis.survey.io.tables import build_export  # noqa: E402
from sociaparis.survey.study import load_study  # noqa: E402

PAGE_TARGET = 0.5
CHART_TARGET = 1.0
REQUEST = TableRequest(
    questions=("ai_use",),
    by=("_attr_directorate", "job_category"),
    weighting="raked",
)
WITH_TEST = TableRequest(
    questions=("ai_use",),
    by=("_attr_directorate", "job_category"),
    weighting="raked",
    test=True,
)
EARLIER = (
    TableRequest(("ai_use",)),
    TableRequest(("ai_use",), by=("_attr_directorate",)),
    TableRequest(("ai_use",), by=("job_category",), weighting="raked"),
)


def median_seconds(func: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall-clock seconds of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _environment() -> Any:
    """The app's template environment (made once, as the app does at start)."""
    global _ENV
    if _ENV is None:
        from sociaparis.core.config import Settings
        from sociaparis.web.render import make_environment

        _ENV = make_environment(Settings(secret_key="benchmark-secret-key-0123456789"))
    return _ENV


_ENV: Any = None


def render_page(result: Any, table: Any, instrument: Any, lang: str = "fr") -> str:
    """The explorer page's HTML for ``result``, with the app's own templates."""
    from sociaparis.web.i18n import translate
    from sociaparis.web.render import render_template

    variables = form_variables(table, instrument, lang)
    return render_template(
        _environment(),
        "workbench/analysis/explorer.html",
        {
            "request": None,
            "t": lambda key: translate(key, lang),
            "lang": lang,
            "user": {"username": "bench", "role": "researcher"},
            "csrf_token": "",
            "section": "explorer",
            "form_id": result.form_id,
            "title": result.form_id,
            "variables": variables,
            "wanted": result.request,
            "result": result,
            "error": None,
            "weightings": ("design", "raked"),
            "can_model": True,
            "model": None,
            "model_error": None,
            "model_query": {
                "response": "",
                "predictors": (),
                "event": "",
                "weighting": "",
            },
            "r_code": result.r_code(),
            "python_code": result.python_code(str(STUDY_DIR)),
            "model_r": "",
            "model_python": "",
            "query": "",
        },
    )


def main() -> None:
    """Run the benchmark and print one line per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    base, _, _ = base_batch(args.base, seed=1)
    batch = resample(base, args.responses, seed=2)
    data = build_export([batch], attributes=["directorate"])
    study = load_study(STUDY_DIR)
    print(
        f"{args.responses:,} responses built in {time.perf_counter() - started:.1f} s "
        "(not timed below)"
    )

    def table(request: TableRequest = REQUEST, key: object = "form") -> Any:
        return explore_table(
            data.main,
            instrument=batch.instrument,
            request=request,
            margins=study.population,
            min_count=study.min_cell_count,
            cache_key=key,
        )

    def page() -> str:
        return render_page(table(), data.main, batch.instrument)

    cold, _ = median_seconds(lambda: table(key=None), 1)
    print(f"table  {cold:6.3f} s  cold: design and raking of the {args.responses:,}")
    table()  # the page keeps the raked design of the form between requests
    seconds, result = median_seconds(table, args.runs)
    shown = sum(row.estimate is not None for row in result.rows)
    print(
        f"table  {seconds:6.3f} s  warm: another table on the same weighting "
        f"({len(result.rows)} cells, {shown} shown, Kish deff "
        f"{result.weights.deff_kish:.3f})"
    )
    test_seconds, tested = median_seconds(lambda: table(WITH_TEST), args.runs)
    print(
        f"test   {test_seconds:6.3f} s  warm, with the Rao-Scott test "
        f"(F = {tested.test.statistic:.3f})"
    )
    page_seconds, html = median_seconds(page, args.runs)
    verdict = "met" if page_seconds < PAGE_TARGET else "MISSED"
    print(
        f"page   {page_seconds:6.3f} s  ({len(html):,} bytes of HTML): target < "
        f"{PAGE_TARGET} s {verdict}"
    )
    chart = result.charts[0]
    svg_seconds, svg = median_seconds(
        lambda: render_chart(chart, lang="fr", min_count=result.min_count), args.runs
    )

    def first_png() -> bytes:
        _cached_png.cache_clear()  # a chart drawn for the first time
        return render_png(chart, lang="fr", min_count=result.min_count)

    png_seconds, png = median_seconds(first_png, args.runs)
    again_seconds, _ = median_seconds(
        lambda: render_png(chart, lang="fr", min_count=result.min_count), args.runs
    )
    for name, value, size in (
        ("svg", svg_seconds, len(svg)),
        ("png", png_seconds, len(png)),
    ):
        verdict = "met" if value < CHART_TARGET else "MISSED"
        print(
            f"chart {name} {value:6.3f} s  ({size:,} bytes, {len(chart.bars)} bars): "
            f"target < {CHART_TARGET} s {verdict}"
        )
    print(f"chart png {again_seconds:6.3f} s  the same chart asked for again (kept)")
    viewer_seconds, _ = median_seconds(
        lambda: explore_table(
            data.main,
            instrument=batch.instrument,
            request=REQUEST,
            margins=study.population,
            min_count=study.min_cell_count,
            earlier=EARLIER,
            audit_across=True,
            cache_key="form",
        ),
        args.runs,
    )
    print(f"viewer {viewer_seconds:6.3f} s  (the table audited with 3 earlier tables)")


if __name__ == "__main__":
    main()
