"""Catalog errors cross process boundaries as themselves (pickled by a worker);
their reasons are in English and French, and their context can be stored as JSON.
A warning made from the catalogue keeps its context too."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from sociaparis.core.errors import (
    ErrorRecord,
    Issue,
    Location,
    Reason,
    SociaparisError,
    context_from_json,
    context_to_json,
)
from sociaparis.jobs.errors import JobError
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


# -- reasons in two languages ---------------------------------------------------------

BILINGUAL = Reason(en="name a form", fr="indiquez un questionnaire")


@pytest.mark.parametrize(
    ("shown", "text"),
    [
        (str(BILINGUAL), "name a form"),
        (f"{BILINGUAL}", "name a form"),
        (f"{BILINGUAL:>12}", " name a form"),
        (f"{BILINGUAL}", "name a form"),
        (f"{BILINGUAL}.", "name a form."),
        (BILINGUAL.text("fr"), "indiquez un questionnaire"),
        (BILINGUAL.text("en"), "name a form"),
        (BILINGUAL.text("de"), "name a form"),
        (Reason.of("HTTP 502").text("fr"), "HTTP 502"),
        (Reason.of(BILINGUAL).text("fr"), "indiquez un questionnaire"),
    ],
)
def test_a_reason_reads_as_its_english_where_used_as_text(shown: str, text: str) -> None:
    assert shown == text


def test_the_catalogue_message_of_an_error_with_a_reason_is_english() -> None:
    error = SociaparisError(
        JobError.BAD_PARAMETER, name="fmt", value="spss", reason=BILINGUAL
    )
    assert error.message == "The job parameter 'fmt' cannot be 'spss': name a form."
    assert str(error) == f"JOB_004: {error.message}"


@pytest.mark.parametrize(
    ("error", "location", "context"),
    [
        (
            JobError.BAD_PARAMETER,
            None,
            {"name": "fmt", "value": "x", "reason": BILINGUAL},
        ),
        (
            JobError.NOT_ALLOWED,
            Location(sheet="survey", row=2),
            {"user": "vic", "role": "viewer", "action": BILINGUAL, "reason": BILINGUAL},
        ),
        # "error" is a context field of JOB_010, not the catalogue entry
        (JobError.UNEXPECTED, None, {"job_id": 3, "error": "KeyError"}),
    ],
)
def test_an_error_with_reasons_survives_pickling(error, location, context) -> None:
    raised = SociaparisError(error, location=location, **context)
    copy = pickle.loads(pickle.dumps(raised))
    assert copy.error is error and copy.location == location
    assert copy.context == context
    assert copy.message == raised.message


@pytest.mark.parametrize(
    ("context", "stored"),
    [
        ({}, {}),
        (
            {"reason": BILINGUAL, "n": 3, "ratio": 2.5, "ok": True, "gone": None},
            {
                "reason": {"en": "name a form", "fr": "indiquez un questionnaire"},
                "n": 3,
                "ratio": 2.5,
                "ok": True,
                "gone": None,
            },
        ),
        (
            {"path": Path("a/b.csv"), "value": ["x", 1], "big": np.int64(7)},
            {"path": "a/b.csv", "value": "['x', 1]", "big": 7},
        ),
        (
            {"ratio": float("nan"), "share": np.float64(0.25)},
            {"ratio": "nan", "share": 0.25},
        ),
    ],
)
def test_a_context_as_json_keeps_both_languages(context, stored) -> None:
    data = context_to_json(context)
    assert data == stored
    assert json.loads(json.dumps(data, allow_nan=False)) == stored
    again = context_from_json(data)
    assert {k: v for k, v in again.items() if isinstance(v, Reason)} == {
        k: v for k, v in context.items() if isinstance(v, Reason)
    }


@pytest.mark.parametrize(
    "location", [None, Location(sheet="survey", row=4, column="type")]
)
def test_an_error_record_comes_back_from_its_json(location) -> None:
    error = SociaparisError(
        JobError.BAD_PARAMETER, location=location, name="fmt", value="x", reason=BILINGUAL
    )
    record = ErrorRecord.of(error)
    data = record.context_json()
    assert data is not None
    assert json.loads(json.dumps(data)) == data
    assert ErrorRecord.from_json(error.code, error.message, data) == record
    assert ErrorRecord.from_json(error.code, error.message, None).context is None


# -- warnings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "location", "context", "shown"),
    [
        (
            JobError.BAD_PARAMETER,
            None,
            {"name": "fmt", "value": "x", "reason": BILINGUAL},
            "JOB_004: The job parameter 'fmt' cannot be 'x': name a form.",
        ),
        (
            ExportError.BAD_FORMAT,
            Location(sheet="survey", row=3),
            {"format": "pdf", "formats": "csv, sav"},
            "EXPORT_001: [sheet 'survey', row 3] Unknown export format 'pdf'. Use one "
            "of: csv, sav.",
        ),
    ],
)
def test_a_warning_of_the_catalogue_keeps_its_context(
    error, location, context, shown
) -> None:
    issue = Issue.of(error, location, **context)
    assert (issue.code, issue.message, issue.location, issue.context) == (
        error.code,
        error.format(**context),
        location,
        context,
    )
    # read as the error of the same entry reads, and as a warning written by hand
    raised = SociaparisError(error, location=location, **context)
    assert str(issue) == shown == str(raised)
    by_hand = Issue(issue.code, issue.message, location)
    assert by_hand.context is None and by_hand == issue and str(by_hand) == shown
    copy = pickle.loads(pickle.dumps(issue))
    assert copy == issue and copy.context == context
