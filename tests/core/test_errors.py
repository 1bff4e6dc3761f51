"""Catalog errors cross process boundaries as themselves (pickled by a worker)."""

from __future__ import annotations

import pickle

import pytest

from sociaparis.core.errors import Location, SociaparisError
from sociaparis.survey.io.errors import ExportError


@pytest.mark.parametrize(
    ("error", "location", "context"),
    [
        (ExportError.NOT_ALLOWED, None, {"role": "coder"}),
        (
            ExportError.BAD_FORMAT,
            Location(sheet="survey", row=3),
            {"format": "pdf", "formats": "csv, sav"},
        ),
    ],
)
def test_an_error_survives_pickling(error, location, context) -> None:
    raised = SociaparisError(error, location=location, **context)
    copy = pickle.loads(pickle.dumps(raised))
    assert type(copy) is SociaparisError
    assert copy.error is error and copy.location == location
    assert copy.context == context
    assert str(copy) == str(raised) and copy.message == raised.message
