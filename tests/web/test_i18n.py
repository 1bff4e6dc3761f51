"""Texts of the pages in each language."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.compare.qca.errors import QCAError
from sociaparis.compare.qca_runs import calibrated_sets
from sociaparis.core.errors import Issue, Location, SociaparisError
from sociaparis.qual.io import read_document
from sociaparis.qual.io.codebook import read_codebook
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


#: a subtitles file whose second cue has an hour field of 20 digits
LATE_CUE = (
    b"1\n00:00:00,000 --> 00:00:01,000\nBonjour.\n\n2\n%s:00:00,000 --> " % (b"1" * 20)
    + b"00:00:02,000\nSuite.\n"
)


@pytest.mark.parametrize(
    ("warned", "fr", "en"),
    [
        (
            lambda: read_document(LATE_CUE, filename="t.srt").warnings,
            "[ligne 5] t.srt : horaire du sous-titre : le champ des heures "
            "111111111111… a 20 chiffres (15 au plus) ; cette partie a été ignorée.",
            "[row 5] t.srt: cue timing: the hour field 111111111111… has 20 digits "
            "(at most 15); this part was skipped.",
        ),
        (
            lambda: read_codebook("livre.csv", b"name,Remarque\nOutils,x\n").warnings,
            "[ligne 1, colonne « Remarque »] La colonne « Remarque » n'est pas une "
            "colonne du livre de codes : elle a été ignorée.",
            "[row 1, column 'Remarque'] The column 'Remarque' is not a codebook column "
            "and was ignored.",
        ),
        (
            lambda: read_document("Café.".encode("cp1252"), filename="n.txt").warnings,
            "n.txt : le texte n'est pas en UTF-8 ; il a été lu comme Windows-1252 "
            "(cp1252). Vérifiez les lettres accentuées, ou enregistrez le fichier en "
            "UTF-8 et importez-le de nouveau.",
            "n.txt: the text is not UTF-8; it was read as Windows-1252 (cp1252). Check "
            "the accented letters, or save the file as UTF-8 and import it again.",
        ),
        # no context (written by hand), or a code without a template: its English
        (lambda: [Issue("QUAL_021", "as stored")], "as stored", "as stored"),
        (
            lambda: [
                Issue("SURVEY_W99", "No form_id.", Location("settings"), {"form_id": "f"})
            ],
            "[sheet 'settings'] No form_id.",
            "[sheet 'settings'] No form_id.",
        ),
    ],
)
def test_an_import_warning_in_the_page_language(warned, fr: str, en: str) -> None:
    """The French template with the French reason; the English as the message
    read before warnings kept their context (``str(issue)`` after its code)."""
    [warning] = warned()
    assert (error_text(warning, "fr"), error_text(warning, "en")) == (fr, en)
    assert str(warning) == f"{warning.code}: {en}"


def test_a_file_whose_every_part_was_skipped_quotes_the_first_in_french() -> None:
    with pytest.raises(SociaparisError) as raised:
        read_document(
            b"1\n%s:00:00,000 --> 00:00:02,000\nA.\n" % (b"9" * 20), filename="h.srt"
        )
    assert error_text(raised.value, "fr").endswith(
        "la première pour la raison suivante. QUAL_021 : [ligne 1] h.srt : horaire du "
        "sous-titre : le champ des heures 999999999999… a 20 chiffres (15 au plus) ; "
        "cette partie a été ignorée."
    )
    assert raised.value.message.endswith(
        "the first as follows. QUAL_021: [row 1] h.srt: cue timing: the hour field "
        "999999999999… has 20 digits (at most 15); this part was skipped."
    )
