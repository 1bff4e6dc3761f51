"""The demo study's staff survey with synthetic answers, as export tables (no database).

300 respondents are drawn from the bundled population margins (without the
directorate ``dsin``), then 3 respondents of ``dsin`` are added, one per job
category: a group far under the minimum cell count of 10, whose numbers must
never appear in a report.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sociaparis.reports.build import build_report
from sociaparis.reports.content import Report
from sociaparis.reports.render import render_html
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.tables import ExportTable, batch_from_records, build_export
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.study import Study, load_study
from sociaparis.survey.synthetic import response_propensities, synthetic_answers
from sociaparis.survey.xlsform import read_xlsform

STUDY_DIR = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
SMALL = "dsin"
N_DRAWN = 300
NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Demo:
    """The instrument, the study, the attributes drawn and the export table."""

    instrument: Instrument
    study: Study
    attributes: list[dict[str, str]]
    table: ExportTable
    repeats: dict[str, ExportTable]

    def cell_counts(self) -> Counter[tuple[str, str]]:
        """Respondents by (directorate, job_category), counted by hand."""
        return Counter((a["directorate"], a["job_category"]) for a in self.attributes)


@pytest.fixture(scope="session")
def demo() -> Demo:
    study = load_study(STUDY_DIR)
    instrument = read_xlsform(STUDY_DIR / "staff_llm_survey.xlsx").instrument
    margins = study.population
    assert margins is not None
    rng = random.Random(20261102)
    cells = [
        (dict(zip(margins.dimensions, cell.levels, strict=True)), cell.count)
        for cell in margins.cells
        if cell.levels[0] != SMALL
    ]
    weights = response_propensities(cells, rng)
    attributes = [dict(rng.choices(cells, weights=weights)[0][0]) for _ in range(N_DRAWN)]
    attributes += [{"directorate": SMALL, "job_category": c} for c in "ABC"]
    records = [
        evaluate_form(
            instrument,
            synthetic_answers(instrument, rng=rng, attributes=attrs, now=NOW),
            now=NOW,
        ).record()
        for attrs in attributes
    ]
    batch = batch_from_records(
        instrument,
        instrument.version or "1",
        [f"r{k:04d}" for k in range(len(records))],
        records,
        attributes={
            dim: [attrs[dim] for attrs in attributes] for dim in margins.dimensions
        },
        synthetic=[True] * len(records),
    )
    export = build_export([batch], attributes=margins.dimensions)
    repeats = {table.name: table for table in export.tables[1:]}
    return Demo(instrument, study, attributes, export.main, repeats)


@pytest.fixture(scope="session")
def report_fr(demo: Demo) -> Report:
    return build_report(
        demo.table,
        instrument=demo.instrument,
        margins=demo.study.population,
        min_cell_count=demo.study.min_cell_count,
        lang="fr",
    )


@pytest.fixture(scope="session")
def html_fr(report_fr: Report) -> str:
    return render_html(report_fr)
