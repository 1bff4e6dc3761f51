"""Form attachments: reading CSV, XML and GeoJSON as hostile input; from_file
selects, choice filters, pulldata(), and attachments kept with the version."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

from pathlib import Path

import pytest

from sociaparis.core.errors import Location, SociaparisError
from sociaparis.survey.attachments import MAX_ATTACHMENT_BYTES, read_attachment
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.logic import evaluate_form
from sociaparis.survey.service import add_instrument
from sociaparis.survey.simulate import simulate
from sociaparis.survey.xlsform import parse_xlsform, read_xlsform

CITIES_CSV = (
    "name,label,region\nparis,Paris,idf\nlyon,Lyon,ara\nversailles,Versailles,idf\n"
)
CITIES_XML = (
    "<root><item><name>paris</name><label>Paris</label><region>idf</region></item>"
    "<item><name>lyon</name><label>Lyon</label><region>ara</region></item></root>"
)
CITIES_GEOJSON = (
    '{"type": "FeatureCollection", "features": ['
    '{"type": "Feature", "id": "paris", "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},'
    ' "properties": {"title": "Paris", "region": "idf"}},'
    '{"type": "Feature", "geometry": null, "properties": {"id": "lyon", "title": "Lyon", "region": "ara"}}]}'
)


@pytest.mark.parametrize(
    ("name", "data", "columns", "rows"),
    [
        ("c.csv", CITIES_CSV, ("name", "label", "region"), 3),
        (
            "c.csv",
            "\ufeffname;label\nparis;Paris\n\n",
            ("name", "label"),
            1,
        ),  # BOM, semicolons
        ("c.csv", "name,label,extra\nparis,Paris\n", ("name", "label", "extra"), 1),
        ("c.xml", CITIES_XML, ("name", "label", "region"), 2),
        (
            "c.geojson",
            CITIES_GEOJSON,
            ("name", "label", "geometry", "title", "region", "id"),
            2,
        ),
    ],
)
def test_attachments_are_read_into_columns_and_rows(name, data, columns, rows) -> None:
    attachment = read_attachment(name, data.encode())
    assert attachment.columns == columns
    assert len(attachment.rows) == rows
    assert len(attachment.sha256) == 64


def test_geojson_names_and_labels_as_odk_reads_them() -> None:
    records = read_attachment("c.geojson", CITIES_GEOJSON.encode()).records()
    assert [(r["name"], r["label"], r["region"]) for r in records] == [
        ("paris", "Paris", "idf"),
        ("lyon", "Lyon", "ara"),
    ]
    assert records[0]["geometry"] == '{"type":"Point","coordinates":[2.35,48.85]}'


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "c.csv",
            "name,label\nparis,Paris\n".encode("utf-16"),
            "it is not UTF-8 text (byte 1",
        ),
        ("c.csv", "nom,label\né".encode("latin-1"), "save it again as CSV UTF-8"),
        (
            "c.csv",
            b"name\nparis,Paris,idf\n",
            "line 2 has 3 cells, more than the 1 column names",
        ),
        ("c.csv", b"\n", "its first row (the column names) is empty"),
        (
            "c.csv",
            b"x" * (MAX_ATTACHMENT_BYTES + 1),
            f"more than the {MAX_ATTACHMENT_BYTES} allowed",
        ),
        ("c.xml", b"<root><item><name>a</name>", "it is not well-formed XML"),
        (
            "c.xml",
            b'<!DOCTYPE r [<!ENTITY a "aaaa">]><r><i><n>&a;</n></i></r>',
            "DTD or entities",
        ),
        ("c.geojson", b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ("c.geojson", b"{", "not valid JSON"),
        ("c.txt", b"a", "its suffix is not one of .csv, .xml, .geojson"),
    ],
)
def test_a_bad_attachment_is_refused_with_its_reason(name, data, reason) -> None:
    with pytest.raises(SociaparisError) as info:
        read_attachment(name, data)
    assert info.value.error is SurveyError.ATTACHMENT_UNREADABLE
    assert info.value.context["name"] == name
    assert reason in info.value.message


FORM = """
| survey |
| | type | name | label | choice_filter | calculation | parameters |
| | select_one_from_file regions.csv | region | Région | | | |
| | select_one_from_file cities.FORMAT | city | Ville | region=${region} | | |
| | select_multiple_from_file cities.FORMAT | visited | Visitées | | | |
| | calculate | city_label | | | pulldata('cities', 'label', 'name', ${city}) | |
| | select_one_from_file cities.csv | code | Code | | | value=label, label=name |
| settings |
| | form_id | default_language |
| | from_files | fr |
"""
REGIONS = b"name,label\nidf,Ile-de-France\nara,Auvergne-Rhone-Alpes\n"


@pytest.mark.parametrize(("fmt", "cities"), [("csv", CITIES_CSV), ("xml", CITIES_XML)])
def test_from_file_selects_filter_and_pulldata(fmt: str, cities: str) -> None:
    media = {
        "regions.csv": REGIONS,
        f"cities.{fmt}": cities.encode(),
        "cities.csv": CITIES_CSV.encode(),
    }
    instrument = parse_xlsform(
        FORM.replace("FORMAT", fmt).encode(), filename="f.md", media=media
    ).instrument
    assert instrument.item("city").list_name == f"cities.{fmt}"
    assert [c.name for c in instrument.choices["regions.csv"]] == ["idf", "ara"]
    assert instrument.choices["regions.csv"][0].labels == {"fr": "Ile-de-France"}
    assert [c.name for c in instrument.choices[f"cities.{fmt}"]][:2] == ["paris", "lyon"]
    # value= and label= of the parameters pick other columns
    assert [c.name for c in instrument.choice_list(instrument.item("code"))][:1] == [
        "Paris"
    ]
    report = simulate(
        instrument, {"region": "idf", "city": "paris", "visited": "paris lyon"}
    )
    assert report["values"]["city_label"] == "Paris"
    assert report["errors"] == []
    # the choice filter works as on a choices sheet: Paris is not offered in ara
    state = evaluate_form(instrument, {"region": "ara"})
    assert [c.name for c in state.offered("city", 0)] == ["lyon"]
    assert (
        simulate(instrument, {"region": "ara", "city": "paris"})["values"]["city"] == ""
    )


@pytest.mark.parametrize(
    ("row", "media", "error", "location", "context"),
    [
        (
            "| | select_one_from_file cities.csv | c | C | |",
            {},
            SurveyError.ATTACHMENT_MISSING,
            Location("survey", 2, "type"),
            {"file": "cities.csv", "name": "c"},
        ),
        (
            "| | calculate | k | | pulldata('fruits', 'a', 'b', 'x') |",
            {},
            SurveyError.ATTACHMENT_MISSING,
            Location("survey", 2, "calculation"),
            {"file": "fruits.csv", "name": "k"},
        ),
        (
            "| | select_one_from_file cities.csv | c | C | |",
            {"cities.csv": b"code,label\nparis,Paris\n"},
            SurveyError.ATTACHMENT_NO_COLUMN,
            Location("survey", 2, "type"),
            {"column": "name", "columns": "code, label"},
        ),
        (
            "| | select_one_from_file cities.csv | c | C | |",
            {"cities.csv": b"\xff\xfe"},
            SurveyError.ATTACHMENT_UNREADABLE,
            None,
            {"name": "cities.csv"},
        ),
    ],
)
def test_a_missing_or_bad_attachment_refuses_the_form(
    row, media, error, location, context
) -> None:
    md = f"| survey |\n| | type | name | label | calculation |\n{row}\n| | text | t | T | |\n"
    with pytest.raises(SociaparisError) as info:
        parse_xlsform(md.encode(), filename="f.md", media=media)
    assert info.value.error is error
    if location is not None:
        assert info.value.location == location
    assert {k: info.value.context[k] for k in context} == context


def test_the_media_folder_beside_the_form_and_names_that_are_not_paths(
    tmp_path: Path,
) -> None:
    form = tmp_path / "form.md"
    form.write_text(
        "| survey |\n| | type | name | label |\n| | select_one_from_file ../secret.csv | c | C |\n"
    )
    (tmp_path / "secret.csv").write_text(CITIES_CSV)
    with pytest.raises(SociaparisError) as info:
        read_xlsform(form)
    assert info.value.error is SurveyError.ATTACHMENT_MISSING
    assert info.value.context["folder"] == f"{tmp_path / 'media'}/"
    form.write_text(
        "| survey |\n| | type | name | label |\n| | select_one_from_file cities.csv | c | C |\n"
    )
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "cities.csv").write_text(CITIES_CSV)
    assert "cities.csv" in read_xlsform(form).instrument.attachments


def test_an_attachment_is_kept_with_its_version(session) -> None:
    """A changed file is a new version; the stored one keeps its rows."""
    md = FORM.replace("FORMAT", "csv").encode()
    first = parse_xlsform(
        md,
        filename="f.md",
        media={"regions.csv": REGIONS, "cities.csv": CITIES_CSV.encode()},
    )
    changed = CITIES_CSV.replace("Paris", "Paris (75)").encode()
    second = parse_xlsform(
        md, filename="f.md", media={"regions.csv": REGIONS, "cities.csv": changed}
    )
    one = add_instrument(session=session, form=first)
    again = add_instrument(session=session, form=first)
    two = add_instrument(session=session, form=second)
    assert one.created and not again.created and two.created
    assert (one.stored.version, two.stored.version) == ("1", "2")
    assert one.stored.instrument.pulldata("cities", "label", "name", "paris") == "Paris"
    assert (
        two.stored.instrument.pulldata("cities", "label", "name", "paris") == "Paris (75)"
    )
    sha = one.stored.instrument.attachments["cities.csv"].sha256
    assert sha != two.stored.instrument.attachments["cities.csv"].sha256


def test_a_form_without_attachments_keeps_its_content_hash() -> None:
    md = b"| survey |\n| | type | name | label |\n| | text | t | T |\n"
    instrument = parse_xlsform(md, filename="f.md").instrument
    assert "attachments" not in instrument.to_dict()


def test_instrument_check_reads_the_media_folder_it_is_given(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sociaparis.cli import cli

    form = tmp_path / "form.md"
    form.write_text(
        "| survey |\n| | type | name | label |\n"
        "| | select_one_from_file cities.csv | c | C |\n"
        "| settings |\n| | form_id |\n| | f |\n"
    )
    missing = CliRunner().invoke(cli, ["instrument", "check", str(form)])
    assert missing.exit_code == 1
    assert (
        "SURVEY_045: [sheet 'survey', row 2, column 'type'] 'c' uses the attachment "
        f"'cities.csv', which is not in {tmp_path / 'media'}/." in missing.output
    )
    elsewhere = tmp_path / "files"
    elsewhere.mkdir()
    (elsewhere / "cities.csv").write_text(CITIES_CSV)
    found = CliRunner().invoke(
        cli, ["instrument", "check", str(form), "--media", str(elsewhere)]
    )
    assert found.exit_code == 0, found.output
    assert found.output.endswith("OK\n")
