"""Helpers for table-driven survey tests: forms written as markdown XLSForm tables.

The markdown goes through :func:`sociaparis.survey.xlsform.parse_xlsform`, the same
parser as a real ``.xlsx`` (pyxform reads both).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.instrument import Instrument
from sociaparis.survey.xlsform import parse_xlsform

#: A fixed clock for today()/now() in engine tests.
NOW = datetime(2026, 3, 15, 10, 30)


def read_form(md: str) -> Instrument:
    """Parse a markdown XLSForm."""
    return parse_xlsform(md.encode("utf-8"), filename="form.md").instrument


def form_error(md: str) -> SociaparisError:
    """The error a markdown XLSForm is rejected with (fails if it is accepted)."""
    with pytest.raises(SociaparisError) as info:
        read_form(md)
    return info.value


@pytest.fixture
def form() -> Callable[[str], Instrument]:
    """``form(md)`` parses a markdown XLSForm."""
    return read_form


@pytest.fixture
def rejected() -> Callable[[str], SociaparisError]:
    """``rejected(md)`` returns the error a markdown XLSForm is rejected with."""
    return form_error
