"""Reading XLSForms into the instrument model, and every kind of rejected form."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import io

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
