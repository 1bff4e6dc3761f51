"""Texts of the pages in each language."""

from __future__ import annotations

import pickle

import pytest

from sociaparis.accounts.service import LOCAL_ADMIN
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
