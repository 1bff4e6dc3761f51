"""Texts of the pages in each language."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.compare.qca.errors import QCAError
from sociaparis.compare.qca_runs import calibrated_sets
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.xpath import XPathError, parse
from sociaparis.web.i18n import error_text, person_name


@pytest.mark.parametrize(
    ("username", "lang", "shown"),
    [
        (LOCAL_ADMIN.username, "fr", "(ligne de commande)"),
        (LOCAL_ADMIN.username, "en", "(command line)"),
        ("alice", "fr", "alice"),
        ("(ligne de commande)", "en", "(ligne de commande)"),
        (None, "fr", ""),
        ("", "en", ""),
    ],
)
def test_person_name(username: str | None, lang: str, shown: str) -> None:
    """The command line's implicit administrator is named in the page's
    language; an account keeps its username, even one that looks like it."""
    assert person_name(username, lang) == shown


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        (
            "fr",
            "L'ensemble « X » du plan de calibrage ne peut pas être calibré : "
            "QCA_010 : Les seuils de calibrage",
        ),
        ("en", "Set 'X' of the calibration plan cannot be calibrated: QCA_010: Calib"),
    ],
)
def test_a_set_that_fails_to_calibrate_quotes_the_calibration_error(
    lang: str, shown: str
) -> None:
    with pytest.raises(SociaparisError) as raised:
        calibrated_sets(
            pd.DataFrame({"DEMOC": [1.0, 2.0, 3.0]}),
            {"X": {"source": "DEMOC", "thresholds": "e=9, c=10, i=11"}},
        )
    error = SociaparisError(QCAError.SET_NOT_CALIBRATED, name="X", reason=raised.value)
    text = error_text(error, lang)
    assert text.startswith(shown)
    assert ("outside the range" in text) == (lang == "en")


@pytest.mark.parametrize(
    ("source", "lang", "quoted"),
    [
        ("1 +", "fr", "XPATH_001 : Erreur de syntaxe"),
        ("1 +", "en", "XPATH_001: Syntax error"),
    ],
)
def test_an_expression_error_quotes_its_xpath_error_in_the_page_language(
    source: str, lang: str, quoted: str
) -> None:
    """A form's bad expression (SURVEY_006) quotes the XPath error that refused
    it by code, in the page's language; the catalogue's English is unchanged."""
    with pytest.raises(XPathError) as raised:
        parse(source)
    error = SociaparisError(
        SurveyError.BAD_EXPRESSION, expression=source, reason=raised.value
    )
    shown = error_text(error, lang)
    assert quoted in shown
    assert ("Syntax error" in shown) == (lang == "en")
    assert f"cannot be used: {raised.value.code}: {raised.value.message}" in error.message
    assert error_text(pickle.loads(pickle.dumps(error)), lang) == shown
