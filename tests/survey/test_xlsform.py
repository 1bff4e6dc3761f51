"""Reading XLSForms into the instrument model, and every kind of rejected form."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from sociaparis.core.errors import CoreError, Location, SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.instrument import Group, Instrument, Question
from sociaparis.survey.xlsform import (
    MAX_GROUP_DEPTH,
    TYPE_ALIASES,
    parse_xlsform,
    read_xlsform,
)
from sociaparis.survey.xpath.functions import MAX_STRING_LENGTH
from sociaparis.web.i18n import error_text

BILINGUAL = """
| survey |
|   | type                           | name        | label::Français (fr) | label::English (en) | hint::Français (fr) | relevant   | appearance | repeat_count | calculation     | constraint | constraint_message::Français (fr) | constraint_message::English (en) |
|   | integer                        | age         | Votre âge           | Your age            | En années           |            |            |              |                 | . >= 16    | Au moins 16 ans                   | At least 16                      |
|   | begin group                    | usage       | Usage               | Use                 |                     | ${age} > 0 | field-list |              |                 |            |                                   |                                  |
|   | select_one freq                | often       | Fréquence           | How often           |                     |            | likert     |              |                 |            |                                   |                                  |
|   | select_multiple tools or_other | tools       | Outils              | Tools               |                     |            | minimal    |              |                 |            |                                   |                                  |
|   | end group                      |             |                     |                     |                     |            |            |              |                 |            |                                   |                                  |
|   | integer                        | n           | Combien ?           | How many?           |                     |            |            |              |                 |            |                                   |                                  |
|   | begin repeat                   | tool        | Outil               | Tool                |                     |            |            | ${n}         |                 |            |                                   |                                  |
|   | text                           | tname       | Nom                 | Name                |                     |            | multiline  |              |                 |            |                                   |                                  |
|   | note                           | thanks      | Merci               | Thanks              |                     |            |            |              |                 |            |                                   |                                  |
|   | end repeat                     |             |                     |                     |                     |            |            |              |                 |            |                                   |                                  |
|   | calculate                      | total       |                     |                     |                     |            |            |              | count(${tname}) |            |                                   |                                  |
|   | note                           | bye         | Au revoir           | Goodbye             |                     |            |            |              |                 |            |                                   |                                  |
| choices |
|         | list_name | name    | label::Français (fr) | label::English (en) |
|         | freq      | daily   | Chaque jour          | Daily               |
|         | freq      | weekly  | Chaque semaine       | Weekly              |
|         | tools     | chatgpt | ChatGPT              | ChatGPT             |
|         | tools     | copilot | Copilot              | Copilot             |
| settings |
|          | form_title       | form_id    | version | default_language |
|          | Usage des outils | ia_agents  | 2026.1  | Français (fr)    |
"""


@pytest.fixture
def bilingual(form) -> Instrument:
    return form(BILINGUAL)


def test_settings_and_languages(bilingual: Instrument) -> None:
    assert bilingual.form_id == "ia_agents"
    assert bilingual.title == "Usage des outils"
    assert bilingual.version == "2026.1"
    assert bilingual.default_language == "fr"
    assert bilingual.languages == ("fr", "en")
    assert bilingual.language_names == {"fr": "Français (fr)", "en": "English (en)"}


def test_tree_of_groups_repeats_and_questions(bilingual: Instrument) -> None:
    assert bilingual.top == ("age", "usage", "n", "tool", "total", "bye")
    usage = bilingual.item("usage")
    assert isinstance(usage, Group) and usage.field_list and usage.kind == "group"
    assert usage.children == ("often", "tools", "tools_other")
    tool = bilingual.item("tool")
    assert isinstance(tool, Group) and tool.kind == "repeat"
    assert tool.repeat_count == "${n}"
    assert tool.children == ("tname", "thanks")
    tname = bilingual.item("tname")
    assert (tname.parent, tname.repeat, tname.row) == ("tool", "tool", 9)
    assert [i.name for i in bilingual.repeats] == ["tool"]


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    [
        ("age", "labels", {"fr": "Votre âge", "en": "Your age"}),
        ("age", "hints", {"fr": "En années"}),
        ("age", "constraint", ". >= 16"),
        ("age", "constraint_messages", {"fr": "Au moins 16 ans", "en": "At least 16"}),
        ("age", "row", 2),
        ("often", "type", "select_one"),
        ("often", "appearance", "likert"),
        ("often", "list_name", "freq"),
        ("tools", "type", "select_multiple"),
        ("tools", "or_other", True),
        ("tools_other", "type", "text"),
        ("tools_other", "relevant", "selected(${tools}, 'other')"),
        ("tools_other", "row", None),
        # pyxform's untranslated "Specify other." given in both languages
        ("tools_other", "labels", {"fr": "Précisez « Autre » :", "en": "Specify other."}),
        ("tname", "appearance", "multiline"),
        ("total", "calculation", "count(${tname})"),
        ("usage", "relevant", "${age} > 0"),
    ],
)
def test_item_fields(bilingual: Instrument, name: str, field: str, expected) -> None:
    assert getattr(bilingual.item(name), field) == expected


def test_choices_with_labels_and_generated_other(bilingual: Instrument) -> None:
    tools = bilingual.choices["tools"]
    assert [c.name for c in tools] == ["chatgpt", "copilot", "other"]
    assert tools[2].labels == {"fr": "Autre", "en": "Other"}
    freq = bilingual.choices["freq"]
    assert freq[1].labels == {"fr": "Chaque semaine", "en": "Weekly"}


def test_pages_field_list_repeat_and_single_questions(bilingual: Instrument) -> None:
    pages = [(p.name, p.kind, p.questions) for p in bilingual.pages()]
    assert pages == [
        ("age", "question", ("age",)),
        ("usage", "group", ("often", "tools", "tools_other")),
        ("n", "question", ("n",)),
        ("tool", "repeat", ("tname", "thanks")),
        ("bye", "question", ("bye",)),
    ]


def test_round_trip_and_content_hash(bilingual: Instrument) -> None:
    again = Instrument.from_dict(bilingual.to_dict())
    assert again.to_dict() == bilingual.to_dict()
    assert again.content_hash == bilingual.content_hash
    assert len(bilingual.content_hash) == 64


def test_hash_ignores_layout_but_not_content(form) -> None:
    md = "| survey |\n| | type | name | label |\n| | text | a | A |\n"
    spaced = "| survey |\n| | type | name | label |\n\n| | text | a | A |\n"
    changed = "| survey |\n| | type | name | label |\n| | text | a | A ? |\n"
    assert form(md).content_hash == form(spaced).content_hash
    assert form(md).content_hash != form(changed).content_hash


def test_untranslated_form_uses_the_default_language(form) -> None:
    model = form(
        "| survey |\n| | type | name | label | hint |\n| | text | a | Nom | Votre nom |\n"
        "| settings |\n| | form_id | default_language |\n| | f | Français (fr) |\n"
    )
    assert model.languages == ("fr",)
    assert model.item("a").labels == {"fr": "Nom"}
    assert model.item("a").hints == {"fr": "Votre nom"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("yes", "true()"), ("TRUE", "true()"), ("no", ""), ("${a} = 'x'", "${a} = 'x'")],
)
def test_required_column(form, cell: str, expected: str) -> None:
    model = form(
        "| survey |\n| | type | name | label | required |\n| | text | a | A | |\n"
        f"| | text | b | B | {cell} |\n"
    )
    assert model.item("b").required == expected


def test_range_parameters_and_default(form) -> None:
    model = form(
        "| survey |\n| | type | name | label | parameters | default |\n"
        "| | range | r | R | start=0 end=10 step=2 | 4 |\n"
    )
    question = model.item("r")
    assert isinstance(question, Question)
    assert question.parameters == {"start": "0", "end": "10", "step": "2"}
    assert question.default == "4"


def test_choice_extra_columns_for_filters(form) -> None:
    model = form(
        "| survey |\n| | type | name | label | choice_filter |\n"
        "| | select_one dir | d | D | |\n| | select_one svc | s | S | dir = ${d} |\n"
        "| choices |\n| | list_name | name | label | dir |\n"
        "| | dir | dfa | DFA | |\n| | svc | paie | Paie | dfa |\n"
    )
    assert model.choices["svc"][0].extra == {"dir": "dfa"}


def _xlsx(rows_by_sheet: dict[str, list[list[str]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet, rows in rows_by_sheet.items():
        ws = book.create_sheet(sheet)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_csv_and_markdown_give_the_same_model(form, tmp_path) -> None:
    survey = [
        ["type", "name", "label"],
        ["integer", "age", "Age"],
        [],
        ["text", "x", "X"],
    ]
    settings = [["form_id"], ["same"]]
    data = _xlsx({"survey": survey, "settings": settings})
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)
    from_xlsx = read_xlsform(path)
    md = (
        "| survey |\n| | type | name | label |\n| | integer | age | Age |\n"
        "| | text | x | X |\n| settings |\n| | form_id |\n| | same |\n"
    )
    csv = "survey,type,name,label\n,integer,age,Age\n,text,x,X\nsettings,form_id\n,same\n"
    from_csv = parse_xlsform(csv.encode(), filename="f.csv").instrument
    assert from_xlsx.instrument.content_hash == form(md).content_hash
    assert from_csv.content_hash == form(md).content_hash
    # the blank spreadsheet row counts, as in pyxform's own messages
    assert from_xlsx.instrument.item("x").row == 4
    assert from_xlsx.source == data and from_xlsx.filename == "f.xlsx"


def test_missing_form_id_is_a_warning_and_falls_back_to_the_file_name() -> None:
    result = parse_xlsform(
        b"| survey |\n| | type | name | label |\n| | text | a | A |\n",
        filename="enquete_agents.md",
    )
    assert result.instrument.form_id == "enquete_agents"
    assert [w.code for w in result.warnings] == ["SURVEY_W02"]


def _survey(
    *rows: str, header: str = "| | type | name | label |", extra: str = ""
) -> str:
    return "| survey |\n" + header + "\n" + "\n".join(rows) + "\n" + extra


CHOICES = "| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n"
REL = "| | type | name | label | relevant |"
CALC = "| | type | name | label | calculation |"
CONSTRAINT = "| | type | name | label | constraint |"

BAD_FORMS = [
    # (id, markdown, error, location)
    (
        "unsupported type",
        _survey("| | xml-external | where | Where |"),
        SurveyError.UNSUPPORTED_TYPE,
        Location("survey", 2, "type"),
    ),
    (
        "unknown type",
        _survey("| | text | a | A |", "| | txt | b | B |"),
        SurveyError.UNSUPPORTED_TYPE,
        Location("survey", 3, "type"),
    ),
    (
        "unknown reference",
        _survey(
            "| | integer | a | A | |", "| | text | b | B | ${nope} > 1 |", header=REL
        ),
        SurveyError.UNKNOWN_REFERENCE,
        Location("survey", 3, "relevant"),
    ),
    (
        "syntax error",
        _survey("| | integer | a | A | |", "| | text | b | B | ${a} >> 1 |", header=REL),
        SurveyError.BAD_EXPRESSION,
        Location("survey", 3, "relevant"),
    ),
    (
        "unknown function",
        _survey(
            "| | integer | a | A | |", "| | text | b | B | frobnicate(${a}) |", header=REL
        ),
        SurveyError.BAD_EXPRESSION,
        Location("survey", 3, "relevant"),
    ),
    (
        "position outside a repeat",
        _survey("| | calculate | c | | position(..) |", header=CALC),
        SurveyError.BAD_EXPRESSION,
        Location("survey", 2, "calculation"),
    ),
    (
        "regex that needs backtracking",
        _survey("| | text | a | A | regex(., '^(\\w+)\\1$') |", header=CONSTRAINT),
        SurveyError.BAD_EXPRESSION,
        Location("survey", 2, "constraint"),
    ),
    (
        "expression too long",
        _survey(
            "| | integer | a | A | |",
            "| | calculate | c | | " + "${a} + " * 3000 + "1 |",
            header=CALC,
        ),
        SurveyError.BAD_EXPRESSION,
        Location("survey", 3, "calculation"),
    ),
    (
        "expression too large",
        _survey("| | calculate | c | | " + "1+" * 3000 + "1 |", header=CALC),
        SurveyError.BAD_EXPRESSION,
        Location("survey", 2, "calculation"),
    ),
    (
        "expression nested too deep",
        _survey(
            "| | calculate | c | | " + "(" * 5000 + "1" + ")" * 5000 + " |", header=CALC
        ),
        SurveyError.BAD_EXPRESSION,
        Location("survey", 2, "calculation"),
    ),
    (
        "groups nested deeper than Python's recursion limit",
        _survey(
            *[f"| | begin group | g{i} | G |" for i in range(2000)],
            "| | text | t | T |",
            *["| | end group | | |"] * 2000,
        ),
        SurveyError.GROUPS_TOO_DEEP,
        Location("survey", 2 + MAX_GROUP_DEPTH, "name"),
    ),
    (
        "calculations that double a text",
        _survey(
            "| | text | c0 | Text | |",
            *(
                f"| | calculate | c{i} | | concat(${{c{i - 1}}}, ${{c{i - 1}}}) |"
                for i in range(1, 41)
            ),
            header=CALC,
        ),
        SurveyError.TEXT_TOO_LONG,
        Location("survey", 6, "calculation"),  # c4: 16 answers of 10,000 characters
    ),
    (
        "duplicate name in the same group",
        _survey(
            "| | begin group | g1 | G1 |",
            "| | text | a | A |",
            "| | text | a | A again |",
            "| | end group | | |",
        ),
        SurveyError.DUPLICATE_NAME,
        Location("survey", 4, "name"),
    ),
    (
        "reference to a name used in two groups",
        _survey(
            "| | begin group | g1 | G1 |",
            "| | text | a | A |",
            "| | end group | | |",
            "| | begin group | g2 | G2 |",
            "| | text | a | A again |",
            "| | end group | | |",
            "| | note | n | You said ${a} |",
        ),
        SurveyError.AMBIGUOUS_REFERENCE,
        Location("survey", 8, "label"),
    ),
    (
        "unknown choice list",
        _survey(
            "| | select_one yn | a | A |", "| | select_one ny | b | B |", extra=CHOICES
        ),
        SurveyError.UNKNOWN_LIST,
        Location("survey", 3, "type"),
    ),
    (
        "calculation cycle",
        _survey(
            "| | calculate | a | | ${b} + 1 |",
            "| | calculate | b | | ${a} * 2 |",
            header=CALC,
        ),
        SurveyError.DEPENDENCY_CYCLE,
        Location("survey", 2, "calculation"),
    ),
    (
        "self-referencing calculation",
        _survey("| | calculate | a | | ${a} + 1 |", header=CALC),
        SurveyError.DEPENDENCY_CYCLE,
        Location("survey", 2, "calculation"),
    ),
    (
        "group relevant on its own child",
        _survey(
            "| | begin group | g | G | ${a} = 'x' |",
            "| | text | a | A | |",
            "| | end group | | | |",
            header=REL,
        ),
        SurveyError.DEPENDENCY_CYCLE,
        Location("survey", 2, "relevant"),
    ),
    (
        "relevance cycle through three questions",
        _survey(
            "| | text | a | A | ${c} = '' |",
            "| | text | b | B | ${a} = '' |",
            "| | text | c | C | ${b} = '' |",
            header=REL,
        ),
        SurveyError.DEPENDENCY_CYCLE,
        Location("survey", 2, "relevant"),
    ),
    (
        "repeats nested four deep",
        _survey(
            "| | begin repeat | r1 | R1 |",
            "| | begin group | g | G |",
            "| | begin repeat | r2 | R2 |",
            "| | begin repeat | r3 | R3 |",
            "| | begin repeat | r4 | R4 |",
            "| | text | a | A |",
            "| | end repeat | | |",
            "| | end repeat | | |",
            "| | end repeat | | |",
            "| | end group | | |",
            "| | end repeat | | |",
        ),
        SurveyError.UNSUPPORTED_STRUCTURE,
        Location("survey", 6, "type"),
    ),
    (
        "repeat inside a field-list",
        _survey(
            "| | begin group | g | G | field-list |",
            "| | begin repeat | r | R | |",
            "| | text | a | A | |",
            "| | end repeat | | | |",
            "| | end group | | | |",
            header="| | type | name | label | appearance |",
        ),
        SurveyError.UNSUPPORTED_STRUCTURE,
        Location("survey", 3, "type"),
    ),
    (
        "unmatched group (pyxform)",
        _survey("| | begin group | g | G |", "| | text | a | A |"),
        SurveyError.PYXFORM_REJECTED,
        Location("survey", 2, None),
    ),
    (
        "no survey sheet (pyxform)",
        "| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n",
        SurveyError.PYXFORM_REJECTED,
        Location(None, None, None),
    ),
]


@pytest.mark.parametrize(
    ("md", "error", "location"),
    [case[1:] for case in BAD_FORMS],
    ids=[case[0] for case in BAD_FORMS],
)
def test_bad_forms_are_rejected_with_code_and_location(
    rejected, md: str, error: SurveyError, location: Location
) -> None:
    exc = rejected(md)
    assert exc.error is error
    assert exc.code == error.code
    assert exc.location == location


def test_error_messages_say_what_where_and_how() -> None:
    md = _survey(
        "| | integer | a | A | |", "| | text | b | B | ${nope} > 1 |", header=REL
    )
    with pytest.raises(Exception) as info:
        parse_xlsform(md.encode(), filename="f.md")
    expected = (
        "[sheet 'survey', row 3, column 'relevant'] "
        + SurveyError.UNKNOWN_REFERENCE.format(expression="${nope} > 1", reference="nope")
    )
    assert info.value.message == expected


@pytest.mark.parametrize(
    ("calculation", "accepted"),
    [
        ("concat(" + ", ".join(["${t}"] * 10) + ")", True),  # 10 x 10,000 characters
        ("concat(" + ", ".join(["${t}"] * 11) + ")", False),
        ("concat(${t}, substr(${t}, 0, 5), string-length(${t}), today())", True),
        ("if(${t} = '', 'x', concat(${t}, ${t}))", True),
        ("join(${t}, ${t}, ${t}, ${t}, ${t}, ${t}, ${t}, ${t}, ${t}, ${t})", False),
    ],
)
def test_the_text_a_calculation_can_build_is_bounded(
    form, rejected, calculation: str, accepted: bool
) -> None:
    md = _survey(
        "| | text | t | T | |", f"| | calculate | c | | {calculation} |", header=CALC
    )
    if accepted:
        form(md)
    else:
        exc = rejected(md)
        assert exc.error is SurveyError.TEXT_TOO_LONG
        assert exc.location == Location("survey", 3, "calculation")
        assert f"the limit is {MAX_STRING_LENGTH}" in exc.message


def test_groups_nested_to_the_limit_are_read(form) -> None:
    depth = MAX_GROUP_DEPTH
    model = form(
        _survey(
            *[f"| | begin group | g{i} | G |" for i in range(depth)],
            "| | text | t | T |",
            *["| | end group | | |"] * depth,
        )
    )
    assert model.item("t").parent == f"g{depth - 1}"


def test_cycle_message_names_the_cycle(rejected) -> None:
    md = _survey(
        "| | calculate | a | | ${b} + 1 |",
        "| | calculate | b | | ${a} * 2 |",
        header=CALC,
    )
    assert rejected(md).context["cycle"] == "${a} needs ${b} needs ${a}"


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("form.txt", b"| survey |"),
        ("form.xlsx", b"not a zip file"),
        ("form.md", b"no table"),
    ],
)
def test_unreadable_files(filename: str, data: bytes) -> None:
    with pytest.raises(Exception) as info:
        parse_xlsform(data, filename=filename)
    assert info.value.code == SurveyError.FORM_UNREADABLE.code


def test_a_zip_bomb_is_refused_before_pyxform_reads_it(zip_bomb) -> None:
    workbook = _xlsx({"survey": [["type", "name", "label"], ["integer", "age", "Age"]]})
    assert parse_xlsform(workbook, filename="f.xlsx").instrument.items
    with pytest.raises(SociaparisError) as info:
        parse_xlsform(zip_bomb(workbook), filename="f.xlsx")
    assert info.value.error is CoreError.ARCHIVE_RATIO
    assert info.value.context["name"] == "xl/worksheets/sheet9.xml"


def test_missing_file(tmp_path) -> None:
    with pytest.raises(Exception) as info:
        read_xlsform(tmp_path / "nope.xlsx")
    assert info.value.code == SurveyError.FORM_UNREADABLE.code


YN = "| choices |\n| | list name | name | label |\n| | yn | y | Y |\n| | yn | n | N |\n"


@pytest.mark.parametrize(
    ("cell", "kind", "list_name", "or_other"),
    [
        ("select_one yn", "select_one", "yn", False),
        ("select one yn", "select_one", "yn", False),
        ("select one from yn", "select_one", "yn", False),
        ("select1 yn", "select_one", "yn", False),
        ("add select one prompt using yn", "select_one", "yn", False),
        ("select_multiple yn", "select_multiple", "yn", False),
        ("select all that apply yn", "select_multiple", "yn", False),
        ("select all that apply from yn", "select_multiple", "yn", False),
        ("add select multiple prompt using yn", "select_multiple", "yn", False),
        ("select one from yn or specify other", "select_one", "yn", True),
        ("select_one  yn  or other", "select_one", "yn", True),
        ("select all that apply from yn or_other", "select_multiple", "yn", True),
    ],
)
def test_every_select_spelling_pyxform_reads(
    form, cell: str, kind: str, list_name: str, or_other: bool
) -> None:
    question = form(_survey(f"| | {cell} | q | Q |", extra=YN)).item("q")
    assert (question.type, question.list_name, question.or_other, question.row) == (
        kind,
        list_name,
        or_other,
        2,
    )


@pytest.mark.parametrize(
    ("cell", "error", "reported"),
    [
        ("select one from ny", SurveyError.UNKNOWN_LIST, {"list_name": "ny"}),
        ("select all that apply from ny", SurveyError.UNKNOWN_LIST, {"list_name": "ny"}),
        # choices from a file are not read yet: refused, not taken for a list
        (
            "select_one_from_file cities.csv",
            SurveyError.ATTACHMENT_MISSING,  # read from the form's media
            {"file": "cities.csv", "name": "q"},
        ),
        (
            "select one from file cities.csv",
            SurveyError.ATTACHMENT_MISSING,  # read from the form's media
            {"file": "cities.csv", "name": "q"},
        ),
        (
            "select_multiple_from_file cities.csv",
            SurveyError.ATTACHMENT_MISSING,  # read from the form's media
            {"file": "cities.csv", "name": "q"},
        ),
    ],
)
def test_legacy_selects_are_checked_like_the_others(
    rejected, cell: str, error: SurveyError, reported: dict[str, str]
) -> None:
    exc = rejected(_survey(f"| | {cell} | q | Q |", extra=YN))
    assert exc.error is error
    assert exc.location == Location("survey", 2, "type")
    assert {key: exc.context[key] for key in reported} == reported


@pytest.mark.parametrize(
    ("header", "labels"),
    [
        ("| | type | name | label |", {"default": "Q"}),
        ("| | command | tag | caption |", {"default": "Q"}),
        ("| | TYPE | NAME | LABEL |", {"default": "Q"}),
        ("| | type | name | label:English |", {"English": "Q"}),
        ("| | type | name | label::English |", {"English": "Q"}),
    ],
)
def test_header_spellings_pyxform_reads(form, rejected, header: str, labels) -> None:
    question = form(_survey("| | select one from yn | q | Q |", header=header, extra=YN))
    assert (question.item("q").row, dict(question.item("q").labels)) == (2, labels)
    duplicate = _survey(
        "| | begin group | g1 | G1 |",
        "| | text | a | A |",
        "| | text | a | A again |",
        "| | end group | | |",
        header=header,
    )
    assert rejected(duplicate).location == Location("survey", 4, "name")


@pytest.mark.parametrize(
    ("cell", "kind", "says"),
    [
        (
            "start",
            "start",
            "its time in a named survey only (an anonymous survey keeps dates, never times)",
        ),
        ("start time", "start", "exports give the date the response was started"),
        ("get start time", "start", "exports give the date the response was started"),
        (
            "end",
            "end",
            "last saved in a named survey only (an anonymous survey keeps dates",
        ),
        ("end time", "end", "exports give the date the response was sent"),
        ("today", "today", "exports give the date the response was started. An"),
        ("get today", "today", "exports give the date the response was started. An"),
        ("deviceid", "deviceid", "device identifier"),
        ("imei", "deviceid", "an anonymous survey must not hold it"),
        ("uri:deviceid", "deviceid", "device identifier"),
        ("subscriberid", "subscriberid", "subscriber identifier"),
        ("simserial", "simserial", "SIM serial number"),
        ("phonenumber", "phonenumber", "phone number"),
        ("username", "username", "user name"),
        ("email", "email", "e-mail address"),
        ("uri:email", "email", "an anonymous survey must not hold it"),
    ],
)
def test_metadata_types_are_accepted_with_a_warning(
    cell: str, kind: str, says: str
) -> None:
    md = _survey(f"| | {cell} | stamp | |", "| | text | a | A |")
    result = parse_xlsform(md.encode(), filename="f.md")
    question = result.instrument.item("stamp")
    assert (question.type, question.displayed, question.answerable) == (
        kind,
        False,
        False,
    )
    [warning] = [w for w in result.warnings if w.code == "SURVEY_W03"]
    assert warning.location == Location("survey", 2, "type")
    assert f"'stamp' ({cell})" in warning.message
    filled = kind in {"start", "end", "today"}
    assert ("stays empty in every response and export" in warning.message) != filled
    assert ("records no value of its own" in warning.message) == filled
    assert says in warning.message
    assert [p.name for p in result.instrument.pages()] == ["a"]


def test_audit_is_ignored_with_a_warning() -> None:
    md = _survey("| | audit | audit | |", "| | text | a | A |")
    result = parse_xlsform(md.encode(), filename="f.md")
    assert [i.name for i in result.instrument.items] == ["a"]
    [warning] = [w for w in result.warnings if w.code == "SURVEY_W03"]
    assert warning.location == Location("survey", 2, "type")
    assert "keeps no audit log" in warning.message


def test_metadata_reads_as_empty_in_expressions() -> None:
    from sociaparis.survey.simulate import simulate

    md = _survey(
        "| | start | started | |",
        "| | text | a | A |",
        "| | calculate | began | | if(${started} = '', 'none', ${started}) |",
        header=CALC,
    )
    model = parse_xlsform(md.encode(), filename="f.md").instrument
    report = simulate(model, {"a": "x"})
    assert report["values"]["began"] == "none"
    assert report["values"].get("started", "") == ""
    with pytest.raises(SociaparisError) as info:
        simulate(model, {"a": "x", "started": "2026-01-01T10:00"})
    assert info.value.error is SurveyError.NOT_ANSWERABLE


APPEARANCE = "| | type | name | label | appearance |"


@pytest.mark.parametrize(
    ("rows", "kept", "warnings"),
    [
        # (survey rows, appearance kept on 'a', [(code, row, column, words in the message)])
        (
            ["| | text | a | A | numbers |"],
            "",
            [("SURVEY_W05", 2, "appearance", "'numbers' (first on 'a')")],
        ),
        (
            ["| | integer | a | A | likert |"],
            "",
            [("SURVEY_W05", 2, "appearance", "for a integer")],
        ),
        (
            ["| | select_one yn | a | A | minimal quick |"],
            "minimal",
            [("SURVEY_W05", 2, "appearance", "'quick'")],
        ),
        (["| | select_one yn | a | A | likert |"], "likert", []),
        (["| | select_one yn | a | A | label |"], "label", []),
        (["| | select_multiple yn | a | A | list-nolabel |"], "list-nolabel", []),
        (
            ["| | text | a | A | list-nolabel |"],
            "",
            [("SURVEY_W05", 2, "appearance", "'list-nolabel'")],
        ),
        # once per word, at its first place
        (
            [
                "| | text | a | A | numbers |",
                "| | text | b | B | numbers |",
                "| | text | c | C | w2 |",
            ],
            "",
            [
                ("SURVEY_W05", 2, "appearance", "'numbers'"),
                ("SURVEY_W05", 4, "appearance", "'w2'"),
            ],
        ),
        # pyxform's table-list: a field-list page of list-nolabel rows, no warning
        (
            [
                "| | begin group | g | G | table-list |",
                "| | select_one yn | a | A | |",
                "| | select_one yn | b | B | |",
                "| | end group | | | |",
            ],
            "list-nolabel",
            [],
        ),
    ],
)
def test_unused_appearances_are_warnings(rows, kept: str, warnings) -> None:
    result = parse_xlsform(
        _survey(*rows, header=APPEARANCE, extra=YN).encode(), filename="f.md"
    )
    assert result.instrument.item("a").appearance == kept
    found = [w for w in result.warnings if w.code not in {"SURVEY_W01", "SURVEY_W02"}]
    assert [(w.code, w.location.row, w.location.column) for w in found] == [
        w[:3] for w in warnings
    ]
    for warning, (*_, words) in zip(found, warnings, strict=True):
        assert words in warning.message and "is not used by sociaparis" in warning.message


def test_a_table_list_is_a_field_list_page_without_its_header_row(form) -> None:
    model = form(
        _survey(
            "| | begin group | g | G | table-list |",
            "| | select_one yn | a | A | |",
            "| | select_one yn | b | B | |",
            "| | end group | | | |",
            header=APPEARANCE,
            extra=YN,
        )
    )
    [page] = model.pages()
    assert page.kind == "group" and page.name == "g"
    assert not any(q.startswith("reserved_name") for q in page.questions)
    assert "a" in page.questions and "b" in page.questions


@pytest.mark.parametrize(
    ("header", "cells", "columns"),
    [
        ("read_only", "yes", ["read_only"]),
        ("readonly", "yes", ["readonly"]),
        ("query", "x", ["query"]),
        ("instance::testAttribute", "x", ["instance::testAttribute"]),
        ("body::accuracyThreshold", "5", ["body::accuracyThreshold"]),
        ("bind::odk:length", "5", ["bind::odk:length"]),
        ("flat", "yes", ["flat"]),
        ("rows", "3", ["rows"]),
        ("trigger", "${a}", ["trigger"]),
        ("guidance_hint", "help", ["guidance_hint"]),
        ("media::image", "a.jpg", ["media::image"]),
        ("tr_id", "x", ["tr_id"]),
    ],
)
def test_unused_columns_are_warnings_once_per_column(
    header: str, cells: str, columns: list[str]
) -> None:
    md = _survey(
        "| | integer | a | A | |",
        f"| | text | b | B | {cells} |",
        f"| | text | c | C | {cells} |",
        header=f"| | type | name | label | {header} |",
    )
    result = parse_xlsform(md.encode(), filename="f.md")
    found = [w for w in result.warnings if w.code == "SURVEY_W04"]
    assert [(w.location.row, w.location.column) for w in found] == [
        (3, c) for c in columns
    ]
    assert "(first used by 'b')" in found[0].message
    assert "is not used by sociaparis: it is ignored on every row" in found[0].message
    assert [q.name for q in result.instrument.questions] == ["a", "b", "c"]


NAMED = "| settings |\n| | form_id |\n| | f |\n"
PASTEL_LIST = (
    "| choices |\n| | list_name | name | label | pastel |\n| | c | x | X | yes |\n"
)
TYPE_CELL = (
    "[sheet 'survey', row 2, column 'type'] ",
    "[feuille « survey », ligne 2, colonne « type »] ",
)
SHOWN = (
    "[sheet 'survey', row 2, column 'appearance'] ",
    "[feuille « survey », ligne 2, colonne « appearance »] ",
)
#: words of ours that would betray English left inside a French warning
ENGLISH = re.compile(
    r"\b(the|is|its?|not|and|of|for|by|which|with|from|used|ignored|empty|form|"
    r"column|appearance|respondent|none|group|web page)\b"
)


@pytest.mark.parametrize(
    ("code", "md", "where", "en", "fr"),
    [
        (
            "SURVEY_W02",
            "| survey |\n| | type | name | label |\n| | text | a | A |\n",
            ("[sheet 'settings'] ", "[feuille « settings »] "),
            "The settings sheet gives no form_id; 'f' (from the file name) is used. Set form_id so that new versions of the form are recognised whatever the file is called.",
            "La feuille settings ne donne pas de form_id ; « f » (tiré du nom du fichier) est utilisé. Indiquez un form_id pour que les nouvelles versions du formulaire soient reconnues quel que soit le nom du fichier.",
        ),
        (  # a metadata question the server fills
            "SURVEY_W03",
            _survey("| | start | stamp | |", "| | text | a | A |", extra=NAMED),
            TYPE_CELL,
            "'stamp' (start) holds the time the respondent opened the form in ODK; sociaparis records no value of its own for it, and its exports give the date the response was started, and its time in a named survey only (an anonymous survey keeps dates, never times). An expression reads it as ''.",
            "« stamp » (start) contient dans ODK l'heure à laquelle le répondant a ouvert le formulaire ; sociaparis n'enregistre pas de valeur propre pour cette question, et ses exports donnent la date à laquelle la réponse a été commencée, et son heure dans un questionnaire nominatif seulement (un questionnaire anonyme garde les dates, jamais les heures). Une expression y lit la chaîne vide ''.",
        ),
        (  # one it never records
            "SURVEY_W03",
            _survey("| | deviceid | device | |", "| | text | a | A |", extra=NAMED),
            TYPE_CELL,
            "'device' (deviceid) holds the respondent's device identifier in ODK; sociaparis does not record it, so 'device' stays empty in every response and export. A web browser does not give it, and an anonymous survey must not hold it.",
            "« device » (deviceid) contient dans ODK l'identifiant de l'appareil du répondant ; sociaparis ne l'enregistre pas, donc « device » reste vide dans chaque réponse et chaque export. Un navigateur web ne fournit pas cette information, et un questionnaire anonyme ne doit pas la contenir.",
        ),
        (
            "SURVEY_W03",
            _survey("| | audit | audit | |", "| | text | a | A |", extra=NAMED),
            TYPE_CELL,
            "'audit' (audit): sociaparis keeps no audit log of the respondent's moves through the form; the audit is ignored.",
            "« audit » (audit) : sociaparis ne tient aucun journal des déplacements du répondant dans le formulaire ; l'audit est ignoré.",
        ),
        (
            "SURVEY_W03",
            _survey("| | osm | map | Map |", extra=NAMED),
            TYPE_CELL,
            "'map' (osm) opens OpenMapKit in ODK Collect to tag a map feature; a web page cannot, so it is a file question: the respondent may upload an .osm file, and its tags are not shown.",
            "« map » (osm) ouvre OpenMapKit dans ODK Collect pour étiqueter un élément de carte ; une page web ne le peut pas, c'est donc une question de fichier : le répondant peut déposer un fichier .osm, dont les étiquettes ne sont pas affichées.",
        ),
        (
            "SURVEY_W03",
            _survey("| | background-audio | rec | |", "| | text | a | A |", extra=NAMED),
            TYPE_CELL,
            "'rec' (background-audio) records the device's microphone while the form is open in ODK Collect; a web page cannot, so 'rec' stays empty in every response and export.",
            "« rec » (background-audio) enregistre le micro de l'appareil pendant que le formulaire est ouvert dans ODK Collect ; une page web ne le peut pas, donc « rec » reste vide dans chaque réponse et chaque export.",
        ),
        (
            "SURVEY_W04",
            _survey(
                "| | text | a | A | yes |",
                header="| | type | name | label | read_only |",
                extra=NAMED,
            ),
            (
                "[sheet 'survey', row 2, column 'read_only'] ",
                "[feuille « survey », ligne 2, colonne « read_only »] ",
            ),
            "The column 'read_only' (first used by 'a') is not used by sociaparis: it is ignored on every row.",
            "La colonne « read_only » (utilisée d'abord par « a ») n'est pas utilisée par sociaparis : elle est ignorée sur toutes les lignes.",
        ),
        (  # a kind of question that uses no appearance
            "SURVEY_W05",
            _survey("| | integer | a | A | likert |", header=APPEARANCE, extra=NAMED),
            SHOWN,
            "The appearance 'likert' (first on 'a') is not used by sociaparis for a integer: it is ignored wherever it is written, and the item is shown as usual (appearances used: none).",
            "L'apparence « likert » (employée d'abord sur « a ») n'est pas utilisée par sociaparis pour une question « integer » : elle est ignorée partout où elle est écrite, et l'élément s'affiche normalement (apparences utilisées : aucune).",
        ),
        (
            "SURVEY_W05",
            _survey(
                "| | begin group | g | G | wide |",
                "| | text | a | A | |",
                "| | end group | | | |",
                header=APPEARANCE,
                extra=NAMED,
            ),
            SHOWN,
            "The appearance 'wide' (first on 'g') is not used by sociaparis for a group: it is ignored wherever it is written, and the item is shown as usual (appearances used: field-list).",
            "L'apparence « wide » (employée d'abord sur « g ») n'est pas utilisée par sociaparis pour un groupe : elle est ignorée partout où elle est écrite, et l'élément s'affiche normalement (apparences utilisées : field-list).",
        ),
        (
            "SURVEY_W05",
            _survey(
                "| | select_one yn | a | A | search('x') |",
                header=APPEARANCE,
                extra=YN + NAMED,
            ),
            SHOWN,
            "The appearance search() (first on 'a') reads an external CSV in ODK Collect; sociaparis does not: the question offers the choices of its own list, without search.",
            "L'apparence « search() » (employée d'abord sur « a ») lit un fichier CSV externe dans ODK Collect ; sociaparis ne le fait pas : la question propose les choix de sa propre liste, sans recherche.",
        ),
        (
            "SURVEY_W05",
            _survey("| | image | a | A | signature |", header=APPEARANCE, extra=NAMED),
            SHOWN,
            "The appearance 'signature' (first on 'a') draws on the screen in ODK Collect; a web page offers no drawing pad, so the respondent uploads an image file instead (a photo of a signature or drawing).",
            "L'apparence « signature » (employée d'abord sur « a ») dessine sur l'écran dans ODK Collect ; une page web n'offre pas de zone de dessin, le répondant dépose donc un fichier image à la place (une photo de la signature ou du dessin).",
        ),
        (
            "SURVEY_W06",
            _survey("| | barcode | code | Code |", extra=NAMED),
            TYPE_CELL,
            "'code' (barcode) scans a barcode with the phone's camera in ODK Collect; on the web, as in Enketo, it is a text input where the respondent types the code.",
            "« code » (barcode) lit un code-barres avec l'appareil photo du téléphone dans ODK Collect ; sur le web, comme dans Enketo, c'est un champ de texte où le répondant saisit le code.",
        ),
        (
            "SURVEY_W08",
            _survey(
                "| | select_one c | a | A | pastel=yes |",
                header="| | type | name | label | choice_filter |",
                extra=PASTEL_LIST + NAMED,
            ),
            (
                "[sheet 'survey', row 2, column 'choice_filter'] ",
                "[feuille « survey », ligne 2, colonne « choice_filter »] ",
            ),
            "The choice filter of 'a' reads 'yes', which is not a column of its list (its columns: label, name, pastel): as in ODK it is empty, so a comparison with it never holds. To compare with the text 'yes', quote it: 'yes'.",
            "Le filtre de choix de « a » lit « yes », qui n'est pas une colonne de sa liste (ses colonnes : label, name, pastel) : comme dans ODK, sa valeur est vide, et une comparaison avec elle n'est jamais vraie. Pour comparer avec le texte « yes », mettez-le entre apostrophes : 'yes'.",
        ),
    ],
)
def test_each_warning_reads_in_english_and_in_french(code, md, where, en, fr) -> None:
    """The English as the check always printed it (the command line's); the
    French of the form-check page, with no words of ours left in English."""
    [warning] = [
        w for w in parse_xlsform(md.encode(), filename="f.md").warnings if w.code == code
    ]
    assert str(warning) == f"{code}: {where[0]}{en}" and warning.message == en
    assert (error_text(warning, "en"), error_text(warning, "fr")) == (
        where[0] + en,
        where[1] + fr,
    )
    assert not ENGLISH.findall(re.sub(r"« [^»]* »|'[^'\s]*'|ODK Collect", "", fr))


def test_pyxform_warnings_are_quoted_as_they_are_with_french_around() -> None:
    md = _survey(
        "| | select_one yn or_other | a | A | B |",
        header="| | type | name | label::English (en) | label::Français (fr) |",
        extra="| choices |\n| | list_name | name | label::English (en) | label::Français (fr) |\n| | yn | y | Yes | Oui |\n"
        + NAMED,
    )
    [warning] = parse_xlsform(md.encode(), filename="f.md").warnings
    assert warning.code == "SURVEY_W01" and warning.message.startswith(
        "This form uses or_other"
    )
    assert error_text(warning, "en") == warning.message
    assert (
        error_text(warning, "fr") == f"pyxform signale (en anglais) : {warning.message}"
    )


@pytest.mark.parametrize(("alias", "kind"), sorted(TYPE_ALIASES.items()))
def test_legacy_type_spellings_read_as_pyxform_defines_them(
    form, alias: str, kind: str
) -> None:
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    assert QUESTION_TYPE_DICT[alias] == QUESTION_TYPE_DICT[kind]
    label = "" if kind == "calculate" else "Q"
    calculation = "1 + 1" if kind == "calculate" else ""
    model = form(_survey(f"| | {alias} | q | {label} | {calculation} |", header=CALC))
    assert (model.item("q").type, model.item("q").row) == (kind, 2)
