"""Fixtures of the export tests: the small form of ``helpers`` and its export."""

from __future__ import annotations

import pytest

from sociaparis.survey.instrument import Instrument
from sociaparis.survey.io.tables import ExportData
from tests.survey.io.helpers import ANSWERS, USAGE, export_of, read_form


@pytest.fixture
def usage() -> Instrument:
    """The small form above."""
    return read_form(USAGE)


@pytest.fixture
def usage_export(usage: Instrument) -> ExportData:
    """Its export with the three responses above."""
    return export_of(
        usage,
        ANSWERS,
        attributes={"directorate": ["dase", None, "dfa"]},
        synthetic=[False, True, False],
    )
