"""File questions in XLSForms: every spelling pyxform reads, parameters, warnings."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import pytest

from sociaparis.core.errors import Location
from sociaparis.survey.checks import value_problem
from sociaparis.survey.instrument import Question
from sociaparis.survey.xlsform import parse_xlsform

HEADER = "| | type | name | label | parameters | body::accept | appearance |"


def _read(*rows: str):
    md = (
        "| survey |\n"
        + HEADER
        + "\n"
        + "\n".join(rows)
        + "\n| | text | last | Last | | | |\n"
    )
    return parse_xlsform(md.encode(), filename="f.md")


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("image", "image"),
        ("photo", "image"),  # the legacy spelling
        ("q image", "image"),
        ("add image prompt", "image"),
        ("audio", "audio"),
        ("q audio", "audio"),
        ("add audio prompt", "audio"),
        ("video", "video"),
        ("q video", "video"),
        ("add video prompt", "video"),
        ("file", "file"),
        ("add file prompt", "file"),
    ],
)
def test_every_file_spelling_is_a_file_question(cell: str, kind: str) -> None:
    result = _read(f"| | {cell} | f | A file | | | |")
    question = result.instrument.item("f")
    assert (question.type, question.answerable, question.displayed) == (kind, True, True)
    assert [p.name for p in result.instrument.pages()] == ["f", "last"]
    assert not [w for w in result.warnings if w.code in {"SURVEY_W03", "SURVEY_W04"}]


@pytest.mark.parametrize(
    ("row", "parameters", "appearance"),
    [
        ("| | image | f | F | max-pixels=640 | | |", {"max-pixels": "640"}, ""),
        ("| | file | f | F | | .pdf,.docx | |", {"accept": ".pdf,.docx"}, ""),
        (
            "| | image | f | F | max-pixels=10 | image/png | new |",
            {"max-pixels": "10", "accept": "image/png"},
            "new",
        ),
        ("| | video | f | F | | | selfie |", {}, "selfie"),
        ("| | audio | f | F | | | new |", {}, "new"),
    ],
)
def test_max_pixels_accept_and_capture_appearances(row, parameters, appearance) -> None:
    question = _read(row).instrument.item("f")
    assert dict(question.parameters) == parameters
    assert question.appearance == appearance


@pytest.mark.parametrize("word", ["signature", "draw", "annotate"])
def test_drawing_appearances_are_a_warning_saying_what_the_web_offers(word) -> None:
    result = _read(
        f"| | image | f | F | | | {word} |", f"| | image | g | G | | | {word} |"
    )
    assert result.instrument.item("f").appearance == ""
    [warning] = [w for w in result.warnings if w.code == "SURVEY_W05"]
    assert warning.location == Location("survey", 2, "appearance")
    assert f"'{word}' (first on 'f')" in warning.message
    assert "uploads an image file instead" in warning.message


def test_background_audio_is_accepted_with_a_warning_and_never_shown() -> None:
    result = _read("| | background-audio | rec | | | | |")
    question = result.instrument.item("rec")
    assert (question.type, question.displayed, question.answerable) == (
        "background-audio",
        False,
        False,
    )
    [warning] = [w for w in result.warnings if w.code == "SURVEY_W03"]
    assert warning.location == Location("survey", 2, "type")
    assert "stays empty in every response and export" in warning.message
    assert [p.name for p in result.instrument.pages()] == ["last"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", None),
        ("0123456789abcdef0123456789abcdef.jpg", None),
        ("0123456789abcdef0123456789abcdef.docx", None),
        ("photo.jpg", "not the name of a file stored by sociaparis"),
        (
            "../0123456789abcdef0123456789abcdef.jpg",
            "not the name of a file stored by sociaparis",
        ),
        (
            "0123456789ABCDEF0123456789abcdef.jpg",
            "not the name of a file stored by sociaparis",
        ),
    ],
)
def test_a_file_answer_is_a_stored_name(value: str, problem: str | None) -> None:
    found = value_problem(Question("f", "image"), value)
    assert (None if found is None else str(found)) == problem


def test_a_search_appearance_is_a_warning_and_the_list_is_offered() -> None:
    md = (
        "| survey |\n| | type | name | label | appearance |\n"
        "| | select_one yn | a | A | search('fruits', 'matches', 'key', ${b}) minimal |\n"
        "| | text | b | B | |\n"
        "| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n"
    )
    result = parse_xlsform(md.encode(), filename="f.md")
    assert result.instrument.item("a").appearance == "minimal"
    [warning] = [w for w in result.warnings if w.code == "SURVEY_W05"]
    assert warning.location == Location("survey", 2, "appearance")
    assert "search() (first on 'a')" in warning.message


def test_osm_is_a_file_question_with_a_warning() -> None:
    result = _read("| | osm | building | A building | | | |")
    assert result.instrument.item("building").type == "file"
    [warning] = [w for w in result.warnings if w.code == "SURVEY_W03"]
    assert warning.location == Location("survey", 2, "type")
    assert "OpenMapKit" in warning.message


EXTERNAL = """
| survey |
| | TYPE | NAME | LABEL | CHOICE_FILTER |
| | select_one zones | zone | Zone | |
| | select_one_external kinds | kind | Kind | zone=${zone} |
| choices |
| | list_name | name | label |
| | zones | north | North |
| | zones | south | South |
| | kinds | x | Not this one |
| external_choices |
| | list_name | name | label | zone |
| | kinds | a | Kind A | north |
| | kinds | b | Kind B | south |
"""


def test_select_one_external_takes_the_external_choices_sheet() -> None:
    from sociaparis.survey.logic import evaluate_form

    result = parse_xlsform(EXTERNAL.encode(), filename="f.md")
    instrument = result.instrument
    kind = instrument.item("kind")
    assert (kind.type, kind.list_name) == ("select_one", "external_choices:kinds")
    assert [c.name for c in instrument.choice_list(kind)] == ["a", "b"]
    state = evaluate_form(instrument, {"zone": "south"})
    assert [c.name for c in state.offered("kind", 0)] == ["b"]
    assert not [w for w in result.warnings if w.code == "SURVEY_W04"]
