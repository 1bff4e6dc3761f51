"""Every error code of every catalogue has a French message that fits it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import string

import pandas as pd
import pytest

import sociaparis
from sociaparis.analysis.disclosure import suppress
from sociaparis.analysis.errors import AnalysisError
from sociaparis.assist.offline import fit_offline
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.qca.errors import QCAError
from sociaparis.compare.qca_runs import QCASettings, compute
from sociaparis.core.errors import (
    ErrorCode,
    ErrorRecord,
    Location,
    Reason,
    SociaparisError,
)
from sociaparis.jobs.errors import JobError
from sociaparis.qual.coding_service import _UNDOABLE_NAMES
from sociaparis.qual.errors import QualError
from sociaparis.qual.io.subtitles import read_srt
from sociaparis.qual.io.text import read_txt
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.study.loader import read_margins
from sociaparis.survey.xlsform import _ATTACHMENTS_GIVEN
from sociaparis.survey.xpath import parse
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


# -- clauses of ours in other fields than ``reason`` -----------------------------------


def _raised(call) -> SociaparisError:
    with pytest.raises(SociaparisError) as caught:
        call()
    return caught.value


def _qca_without_sets(_tmp_path) -> SociaparisError:
    """QCA_054 as a QCA run without any calibrated set raises it."""
    settings = QCASettings(outcome="", conditions=())
    return _raised(
        lambda: compute(frame="f", plan={"sets": {}}, data={}, settings=settings)
    )


def _parse_error(source: str) -> SociaparisError:
    return _raised(lambda: parse(source))


def _too_few() -> SociaparisError:
    return _raised(
        lambda: fit_offline(["a", "b"], [{"x"}, set()], codes=["x"], min_examples=5)
    )


@pytest.mark.parametrize(
    ("make", "lang", "shown"),
    [
        (  # XPath: detail (lexer)
            lambda: _parse_error("${a} > 1e5"),
            "fr",
            "Erreur de syntaxe au caractère 9 de `${a} > 1e5` : XPath n'a pas de "
            "notation exponentielle ; écrivez le nombre en entier (100000, et non 1e5).",
        ),
        (
            lambda: _parse_error("${a} > 1e5"),
            "en",
            "Syntax error at character 9 of `${a} > 1e5`: XPath has no exponent "
            "notation; write the number in full (100000, not 1e5).",
        ),
        (  # XPath: detail (parser), with what was found
            lambda: _parse_error("(1 + 2"),
            "fr",
            "Erreur de syntaxe au caractère 7 de `(1 + 2` : il faut ')' ici, et non la "
            "fin de l'expression.",
        ),
        (  # XPath: the number of arguments
            lambda: _parse_error("round(1, 2, 3)"),
            "fr",
            "round() au caractère 1 de `round(1, 2, 3)` prend de 1 à 2 arguments, mais "
            "3 ont été donnés.",
        ),
        (  # analysis: what of EMPTY_DOMAIN
            lambda: SociaparisError(
                AnalysisError.EMPTY_DOMAIN,
                what=Reason(en="the estimate", fr="l'estimation"),
            ),
            "fr",
            "Aucun répondant de poids non nul dans l'estimation.",
        ),
        (  # assisted coding: the codes and counts of ASSIST_060
            _too_few,
            "fr",
            "Le suggéreur hors ligne ne peut pas apprendre « x » : chaque code demande "
            "au moins 5 unités codées avec lui et 5 sans lui par des personnes ; il y "
            "en a : « x » : 1 avec, 1 sans.",
        ),
        (
            _too_few,
            "en",
            "The offline suggester cannot learn 'x': each code needs at least 5 units "
            "coded with it and 5 without it by human coders, and has x: 1 with, 1 "
            "without.",
        ),
        (  # qualitative coding: the kind of action of QUAL_301
            lambda: SociaparisError(
                QualError.UNDO_CONFLICT,
                user="alice",
                kind=_UNDOABLE_NAMES["remove"],
                coding="c1",
                reason=Reason(en="it was coded again", fr="il a été recodé"),
            ),
            "fr",
            "La dernière action de alice (retrait du codage c1) ne peut pas être "
            "annulée : il a été recodé.",
        ),
    ],
)
def test_a_clause_is_shown_in_the_page_language(make, lang: str, shown: str) -> None:
    assert error_text(make(), lang).startswith(shown)


#: a WebVTT file, read as SRT
VTT = b"WEBVTT\n\n00:01.000 --> 00:02.000\nx\n"


def _empty_margins(tmp_path) -> SociaparisError:
    (tmp_path / "margins.csv").write_text("", encoding="utf-8")
    return _raised(lambda: read_margins(tmp_path / "margins.csv", ("directorate",)))


@pytest.mark.parametrize(
    ("make", "lang", "shown"),
    [
        (  # QUAL_004: what the name says and what the content is
            lambda _: _raised(lambda: read_srt(VTT)),
            "fr",
            "transcript.srt : le nom indique un fichier SRT, mais le contenu est au "
            "format de sous-titres WebVTT.",
        ),
        (
            lambda _: _raised(lambda: read_srt(VTT)),
            "en",
            "transcript.srt: the name says an SRT file but the content is WebVTT "
            "subtitles.",
        ),
        (  # QUAL_004: a binary format found by its first bytes
            lambda _: _raised(lambda: read_txt(b"%PDF-1.7 ...")),
            "fr",
            "document.txt : le nom indique un fichier texte txt, mais le contenu est "
            "un document PDF.",
        ),
        (  # STUDY_022: an empty margins file
            _empty_margins,
            "fr",
            "{path} : les colonnes sont absentes (le fichier est vide) ; directorate, "
            "count étaient attendues",
        ),
        (
            _empty_margins,
            "en",
            "{path}: the columns are nothing (the file is empty); expected "
            "directorate, count",
        ),
        (  # ANALYSIS_003: what is allowed
            lambda _: _raised(lambda: suppress(pd.DataFrame({"a": [3, -2]}))),
            "fr",
            "counts=-2.0 n'est pas admis ; choisissez parmi des effectifs de "
            "répondants (nombres entiers, positifs ou nuls).",
        ),
        (
            lambda _: _raised(lambda: suppress(pd.DataFrame({"a": [3, -2]}))),
            "en",
            "counts=-2.0 is not allowed; choose one of respondent counts (whole "
            "numbers, 0 or more).",
        ),
        (  # SURVEY_045: no media folder given
            lambda _: SociaparisError(
                SurveyError.ATTACHMENT_MISSING,
                name="photo",
                file="a.png",
                folder=_ATTACHMENTS_GIVEN,
            ),
            "fr",
            "« photo » utilise la pièce jointe « a.png », qui n'est pas dans les "
            "pièces jointes fournies.",
        ),
        (  # an empty list of known names
            lambda _: SociaparisError(
                MatrixError.UNKNOWN_DIMENSION,
                frame="f",
                dimension="d",
                known=Reason(en="none", fr="aucune"),
            ),
            "fr",
            "Le cadre « f » n'a pas de dimension « d ». Ses dimensions : aucune.",
        ),
        (  # QCA_054 from a plan without calibrated sets
            _qca_without_sets,
            "fr",
            "Choisissez un résultat et au moins une condition parmi les ensembles "
            "calibrés (aucun).",
        ),
        (
            _qca_without_sets,
            "en",
            "Choose an outcome and at least one condition among the calibrated sets "
            "(none).",
        ),
    ],
)
def test_a_converted_clause_is_shown_in_the_page_language(
    tmp_path, make, lang: str, shown: str
) -> None:
    path = str(tmp_path / "margins.csv")
    assert error_text(make(tmp_path), lang).startswith(shown.replace("{path}", path))
