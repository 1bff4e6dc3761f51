"""Every error code of every catalogue has a French message that fits it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import string

import pytest

import sociaparis
from sociaparis.compare.qca.errors import QCAError
from sociaparis.core.errors import (
    ErrorCode,
    ErrorRecord,
    Location,
    Reason,
    SociaparisError,
)
from sociaparis.jobs.errors import JobError
from sociaparis.web.api.errors import ApiError
from sociaparis.web.i18n import ERROR_MESSAGES, error_text
from sociaparis.web.i18n_errors import CATALOGUE_ERROR_MESSAGES, ERROR_CATALOGUES

#: codes whose French text may equal the English template (no words to translate)
LANGUAGE_NEUTRAL: set[str] = set()
#: French page texts written before this test that leave a field out on purpose:
#: a server path, the form id on respondents' pages, an action worded in English
LEFT_OUT: dict[str, set[str]] = {
    "ACCOUNT_010": {"action"},
    "CASES_001": {"known"},
    "FIELD_001": {"form_id"},
    "FIELD_007": {"form_id"},
    "FIELD_011": {"form_id"},
    "FIELD_013": {"action"},
    "JOB_007": {"path"},
    "QCA_050": {"action"},
    "REPORT_055": {"path"},
}


def _catalogues() -> list[type[ErrorCode]]:
    found = []
    for module in pkgutil.walk_packages(sociaparis.__path__, "sociaparis."):
        if module.name.startswith("sociaparis.migrations"):
            continue
        loaded = importlib.import_module(module.name)
        found += [
            obj
            for obj in vars(loaded).values()
            if inspect.isclass(obj)
            and issubclass(obj, ErrorCode)
            and obj is not ErrorCode
            and obj.__module__ == loaded.__name__
        ]
    return found


CATALOGUES = _catalogues()
MEMBERS = [member for catalogue in CATALOGUES for member in catalogue]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_the_catalogues_are_found_and_listed() -> None:
    assert len(CATALOGUES) >= 20
    assert set(CATALOGUES) == {*ERROR_CATALOGUES, ApiError}
    assert len({member.code for member in MEMBERS}) == len(MEMBERS)


def _error(member: ErrorCode, context: dict[str, object]) -> SociaparisError:
    if "error" not in context:
        return SociaparisError(member, **context)
    # a field named "error" cannot be passed as a keyword: build it by hand
    error = SociaparisError.__new__(SociaparisError)
    error.error, error.location, error.context = member, None, context
    error.message = member.format(**context)
    return error


@pytest.mark.parametrize("member", MEMBERS, ids=lambda member: member.code)
def test_french_message_matches_the_english_template(member: ErrorCode) -> None:
    french = ERROR_MESSAGES["fr"].get(member.code)
    assert french is not None, f"{member.code} has no French message"
    assert _fields(french) == _fields(member.template) - LEFT_OUT.get(member.code, set())
    if member.code not in LANGUAGE_NEUTRAL:
        assert french != member.template
    context = {name: f"<{name}>" for name in _fields(member.template)}
    # format specs such as {ratio:.0f} need numbers
    context.update(
        {
            name: 3
            for _, name, spec, _ in string.Formatter().parse(member.template)
            if name and spec
        }
    )
    error = _error(member, context)
    assert error_text(error, "fr") == french.format(**context)
    assert member.code in ERROR_MESSAGES["en"]
    assert error_text(error, "en")


def test_english_keeps_the_catalogue_message() -> None:
    error = SociaparisError(ApiError.BUSY, seconds=5)
    assert error_text(error, "en") == error.message
    assert CATALOGUE_ERROR_MESSAGES["en"] == {
        member.code: member.template for member in ApiError
    }


def test_location_is_shown_in_the_page_language() -> None:
    member = next(m for m in MEMBERS if m.code == "SURVEY_003")
    error = SociaparisError(
        member,
        location=Location(sheet="survey", row=4, column="type"),
        type="barcode",
        name="q1",
        supported="text",
    )
    assert error_text(error, "fr").startswith(
        "[feuille « survey », ligne 4, colonne « type »] Le type « barcode »"
    )
    assert error_text(error, "en") == error.message


# -- reasons in the page's language ---------------------------------------------------

CHOOSE = Reason(en="choose one of csv, xlsx", fr="choisissez parmi csv, xlsx")


@pytest.mark.parametrize(
    ("error", "lang", "shown"),
    [
        (
            SociaparisError(
                JobError.BAD_PARAMETER, name="fmt", value="spss", reason=CHOOSE
            ),
            "fr",
            "Le paramètre « fmt » ne peut pas valoir « spss » : choisissez parmi csv, "
            "xlsx.",
        ),
        (
            SociaparisError(
                JobError.BAD_PARAMETER, name="fmt", value="spss", reason=CHOOSE
            ),
            "en",
            "The job parameter 'fmt' cannot be 'spss': choose one of csv, xlsx.",
        ),
        (
            SociaparisError(
                QCAError.BAD_THRESHOLDS,
                value="a, b",
                reason=Reason(en="they are not numbers", fr="ce ne sont pas des nombres"),
            ),
            "fr",
            "Les seuils de calibrage 'a, b' ne peuvent pas être utilisés : ce ne sont "
            "pas des nombres.",
        ),
        (  # another program's message has no French: it is shown as it is
            SociaparisError(QCAError.BAD_FILE, path="x.csv", reason="No such file"),
            "fr",
            "Impossible de lire x.csv : No such file.",
        ),
        (  # a record that kept its context (a failed job's)
            ErrorRecord(
                "JOB_004",
                "The job parameter 'fmt' cannot be 'spss': choose one of csv, xlsx.",
                {"name": "fmt", "value": "spss", "reason": CHOOSE},
            ),
            "fr",
            "Le paramètre « fmt » ne peut pas valoir « spss » : choisissez parmi csv, "
            "xlsx.",
        ),
        (  # a record written before contexts were kept: its stored message
            ErrorRecord("JOB_004", "The job parameter 'fmt' cannot be 'spss': x."),
            "fr",
            "The job parameter 'fmt' cannot be 'spss': x.",
        ),
        (  # a context that no longer fits the template: the stored message
            ErrorRecord("JOB_004", "stored", {"name": "fmt"}),
            "fr",
            "stored",
        ),
        (
            ErrorRecord(
                "SURVEY_010",
                "[sheet 'survey', row 4] 'r': a repeat ...",
                {"name": "r", "reason": Reason(en="a repeat", fr="une répétition")},
                Location(sheet="survey", row=4),
            ),
            "fr",
            "[feuille « survey », ligne 4] « r » : une répétition. Déplacez-le",
        ),
    ],
)
def test_a_reason_is_shown_in_the_page_language(error, lang: str, shown: str) -> None:
    assert error_text(error, lang).startswith(shown)
