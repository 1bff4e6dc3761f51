"""Writers: CSV injection, XLSX and CSV read back, Parquet metadata, the dictionary."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.io.cells import neutralize
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.io.tables import ExportData, ExportTable, Variable
from sociaparis.survey.io.writers import resolve_output, write_csv, write_export
from tests.survey.io.helpers import export_of, read_form

HOSTILE = [
    ("=1+1", "'=1+1"),
    ("+33 1 23", "'+33 1 23"),
    ("-2", "'-2"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
    ("ok = fine", "ok = fine"),
    ("'déjà", "'déjà"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "written"), HOSTILE)
def test_neutralize(text: str, written: str) -> None:
    assert neutralize(pd.Series([text, None], dtype=object)).tolist() == [written, None]


def test_neutralize_leaves_numbers() -> None:
    numbers = pd.Series([-1.5, 2.0])
    assert neutralize(numbers).tolist() == [-1.5, 2.0]


@pytest.fixture
def hostile_export(usage) -> ExportData:
    answers = [{"uses": "no", "comment": text} for text, _ in HOSTILE if text]
    return export_of(usage, answers)


def test_csv_neutralizes_hostile_answers(
    hostile_export: ExportData, tmp_path: Path
) -> None:
    result = write_export(hostile_export, out=tmp_path, fmt="csv")
    main = result.files[0]
    assert main.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    with main.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["comment"] for row in rows] == [w for t, w in HOSTILE if t]


def test_xlsx_neutralizes_hostile_answers(
    hostile_export: ExportData, tmp_path: Path
) -> None:
    result = write_export(hostile_export, out=tmp_path / "out.xlsx")
    book = openpyxl.load_workbook(result.files[0])
    sheet = book["responses"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("comment")
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [w for t, w in HOSTILE if t]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_holds_every_table_typed(usage_export: ExportData, tmp_path: Path) -> None:
    result = write_export(usage_export, out=tmp_path, fmt="xlsx", lang="en")
    book = openpyxl.load_workbook(result.files[0])
    assert book.sheetnames == ["responses", "per", "dictionary"]
    rows = list(book["responses"].iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["g/hours"] == 12
    assert first["share"] == 2.5
    assert first["g/tools/other"] == 1
    assert first["g/tools/copilot"] == 0
    assert first["when"].date().isoformat() == "2026-03-01"
    assert first["comment"] == '\'=HYPERLINK("http://evil")'
    second = dict(zip(header, rows[2], strict=True))
    assert second["g/hours"] is None and second["g/tools/other"] is None
    per = list(book["per"].iter_rows(values_only=True))
    assert per == [
        ("_parent_id", "_index", "per/why", "per/score"),
        ("r1", 1, "rédiger", "3"),
        ("r1", 2, "'=1+1", None),
    ]
    dictionary = list(book["dictionary"].iter_rows(values_only=True))
    assert ("per", "per/score", "per/score", "Score") == dictionary[-1][:4]


def test_csv_files_per_table(usage_export: ExportData, tmp_path: Path) -> None:
    result = write_export(usage_export, out=tmp_path / "x", fmt="csv")
    names = sorted(p.name for p in (*result.files, *result.dictionary))
    assert names == [
        "datapackage.json",
        "usage-dictionary.csv",
        "usage-dictionary.md",
        "usage-per.csv",
        "usage.csv",
    ]
    per = pd.read_csv(tmp_path / "x" / "usage-per.csv", encoding="utf-8-sig")
    assert per["_parent_id"].tolist() == ["r1", "r1"]
    main = pd.read_csv(tmp_path / "x" / "usage.csv", encoding="utf-8-sig")
    assert main["g/tools/chatgpt"].tolist()[:1] == [1]
    assert main["g/tools/chatgpt"].isna().tolist() == [False, True, True]


EVERY_TYPE = """
| survey |
| | type              | name  | label |
| | integer           | n     | N     |
| | decimal           | x     | X     |
| | date              | d     | D     |
| | time              | t     | T     |
| | dateTime          | dt    | DT    |
| | geopoint          | p     | P     |
| | select_multiple s | s     | S     |
| | text              | txt   | Txt   |
| choices |
| | list_name | name | label |
| | s         | a    | A     |
| | s         | b    | B     |
| settings |
| | form_id | default_language |
| | types   | fr               |
"""


def test_csv_cells_are_written_as_pandas_writes_them(tmp_path: Path) -> None:
    """The CSV writer (the csv module over arrays of cells) gives the bytes
    pandas' own ``to_csv`` gives for the same table: numbers, dates, times,
    instants in UTC, geopoint parts, 0/1 flags, quoting and missing values."""
    answers = [
        {
            "n": "-3",
            "x": "0.1",
            "d": "2026-03-01",
            "t": "08:30:15.250+01:00",
            "dt": "2026-03-01T09:15:00.000+01:00",
            "p": "48.85 2.35 35 4.5",
            "s": "a b",
            "txt": 'a "quoted", multi\nline text',
        },
        {"n": "7", "x": "1e-05", "txt": "=1+1", "s": "b"},
        {},
    ]
    data = export_of(read_form(EVERY_TYPE), answers, started_at=[None] * 3)
    [table] = data.tables
    written = write_export(data, out=tmp_path, fmt="csv").files[0]

    frame = table.frame.copy()
    frame["txt"] = neutralize(frame["txt"])
    frame["dt"] = frame["dt"].dt.tz_convert("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    expected = frame.to_csv(index=False, lineterminator="\r\n")
    assert written.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")
    text = written.read_text(encoding="utf-8-sig")
    assert '"a ""quoted"", multi\nline text"' in text and "'=1+1" in text
    assert "2026-03-01T08:15:00Z" in text and ",0.1," in text and ",-3," in text


# Columns whose equal cells the csv module writes differently, or that it
# must quote: each is written as the csv module writes it.
_CSV_COLUMNS = {
    "mixed": pd.Series([1, 1.0, True, None, "1", 1, True], dtype=object),
    "zeros": pd.Series([0.0, -0.0, 1e-05, 1e16, float("nan"), 0.1, -0.0]),
    "counts": pd.Series([3, None, 3, 0, -2, None, 0], dtype="Int64"),
    "flags": pd.Series([True, False, None, True, None, False, True], dtype="boolean"),
    "texts": pd.Series(
        ["a, b", 'say "hi"', "two\nlines", "cr\r", "é ≠ e", None, "a, b"], dtype=object
    ),
    "dates": pd.Series(
        [date(2026, 3, 1), None, date(2026, 3, 1), date(1999, 12, 31)] + [None] * 3,
        dtype=object,
    ),
}


def test_csv_cells_are_written_as_the_csv_module_writes_them(tmp_path: Path) -> None:
    """Equal cells of different kinds (1, 1.0, True; 0.0 and -0.0) keep their
    own texts, numbers their ``str``, texts their quotes: the csv module's bytes."""
    frame = pd.DataFrame(_CSV_COLUMNS)
    variables = tuple(Variable(n, n, "meta", "calculate") for n in frame.columns)
    path = tmp_path / "cells.csv"
    write_csv(ExportTable("responses", variables, frame), path)

    with (tmp_path / "expected.csv").open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(frame.columns)
        writer.writerows(
            frame.astype(object).where(frame.notna(), None).itertuples(False)
        )
    assert path.read_bytes() == (tmp_path / "expected.csv").read_bytes()
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    assert [row[0] for row in rows[1:]] == ["1", "1.0", "True", "", "1", "1", "True"]
    assert [row[1] for row in rows[1:]] == [
        "0.0",
        "-0.0",
        "1e-05",
        "1e+16",
        "",
        "0.1",
        "-0.0",
    ]
    assert rows[3][4] == "two\nlines" and rows[4][4] == "cr\r"


_TEXTS = st.text(alphabet=st.sampled_from("ab é,\"\r\n;'=-0.1"), max_size=6)
_CELLS = st.one_of(
    st.none(),
    _TEXTS,
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=16),
    st.booleans(),
    st.dates(min_value=date(1999, 1, 1), max_value=date(2000, 1, 1)),
)


@settings(max_examples=60, deadline=None)
@given(
    mixed=st.lists(_CELLS, min_size=1, max_size=12),
    texts=st.lists(st.one_of(st.none(), _TEXTS), min_size=1, max_size=12),
    counts=st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=12),
    numbers=st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), min_size=1),
)
def test_any_csv_column_is_written_as_the_csv_module_writes_it(
    mixed: list, texts: list, counts: list, numbers: list
) -> None:
    """Random columns of every kind the export holds, and of mixed kinds: the
    bytes of the csv module over the same cells."""
    size = min(len(mixed), len(texts), len(counts), len(numbers))
    frame = pd.DataFrame(
        {
            "mixed": pd.Series(mixed[:size], dtype=object),
            "texts": pd.Series(texts[:size], dtype=object),
            "counts": pd.Series(counts[:size], dtype="Int64"),
            "numbers": pd.Series(numbers[:size], dtype="float64"),
        }
    )
    variables = tuple(Variable(n, n, "meta", "calculate") for n in frame.columns)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cells.csv"
        write_csv(ExportTable("responses", variables, frame), path)
        written = path.read_bytes()
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.astype(object).where(frame.notna(), None).itertuples(False))
    assert written == expected.getvalue().encode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_a_text_column_holding_numbers_is_written_as_texts(
    tmp_path: Path, fmt: str
) -> None:
    """A text variable whose cells mix numbers and words (a calculation) is a
    text variable of the file, each cell as its text, missing cells empty."""
    frame = pd.DataFrame(
        {
            "_id": ["r1", "r2", "r3", "r4"],
            "score": pd.Series([3, "none", None, 2.5], dtype=object),
        }
    )
    variables = (
        Variable("_id", "_id", "meta", "string"),
        Variable("score", "score", "question", "string", question_type="calculate"),
    )
    data = ExportData(
        "mixed",
        {"fr": "Mixte"},
        "fr",
        ("fr",),
        ("1",),
        (ExportTable("responses", variables, frame),),
    )
    [written] = write_export(data, out=tmp_path, fmt=fmt).files
    read, meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(
        str(written)
    )
    assert read["score"].tolist() == ["3", "none", "", "2.5"]
    assert meta.readstat_variable_types["score"] == "string"


def test_parquet_keeps_types_and_labels(usage_export: ExportData, tmp_path: Path) -> None:
    result = write_export(usage_export, out=tmp_path / "u.parquet", lang="en")
    table = pq.read_table(result.files[0])
    field = table.schema.field("g/uses")
    assert field.metadata[b"label"].decode() == "Do you use AI?"
    assert json.loads(field.metadata[b"choices"]) == [
        {"code": "yes", "label": "Yes"},
        {"code": "no", "label": "No"},
    ]
    assert str(table.schema.field("when").type) == "date32[day]"
    assert str(table.schema.field("g/hours").type) == "int64"
    frame = table.to_pandas()
    assert frame["g/hours"].tolist()[0] == 12
    meta = json.loads(table.schema.metadata[b"sociaparis"])
    assert meta["form_id"] == "usage" and meta["language"] == "en"
    assert (tmp_path / "u-per.parquet").exists()
    assert (tmp_path / "u.datapackage.json").exists()


def test_spss_file_is_compressed_as_spss_writes_it(
    usage_export: ExportData, tmp_path: Path
) -> None:
    """The .sav uses SPSS's bytecode compression (its header's compression
    field is 1), and reads back the same."""
    written = write_export(usage_export, out=tmp_path, fmt="sav").files[0]
    header = written.read_bytes()[:76]
    assert header[:4] == b"$FL2"
    assert int.from_bytes(header[72:76], "little") == 1
    read, _ = pyreadstat.read_sav(str(written))
    assert len(read) == len(usage_export.main.frame)


def test_dictionary_rows(usage_export: ExportData, tmp_path: Path) -> None:
    write_export(usage_export, out=tmp_path, fmt="sav", lang="fr")
    rows = {
        row["odk_name"]: row
        for row in csv.DictReader(
            (tmp_path / "usage-dictionary.csv").open(encoding="utf-8-sig")
        )
    }
    assert rows["g/uses"]["name"] == "uses"
    assert rows["g/uses"]["choices"] == "yes=Oui; no=Non"
    assert rows["g/uses"]["codes"] == "1=yes; 2=no"
    assert rows["per/score"]["codes"] == ""  # numeric codes are kept as they are
    assert rows["g/tools/chatgpt"]["name"] == "tools.chatgpt"
    assert rows["g/tools/chatgpt"]["choices"] == "0=Non; 1=Oui"
    assert rows["g/hours"]["relevant"] == "${uses} = 'yes'"
    assert rows["g/hours"]["constraint"] == ". <= 60"
    assert rows["_id"]["name"] == "v_id"
    markdown = (tmp_path / "usage-dictionary.md").read_text(encoding="utf-8")
    assert "| `uses` | `g/uses` | Utilisez-vous l'IA ? | select_one |" in markdown


def test_datapackage(usage_export: ExportData, tmp_path: Path) -> None:
    write_export(usage_export, out=tmp_path, fmt="dta", lang="en")
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    main, per = package["resources"]
    assert (main["path"], per["path"]) == ("usage.dta", "usage-per.dta")
    assert main["schema"]["primaryKey"] == ["_id"]
    assert per["schema"]["foreignKeys"] == [
        {
            "fields": ["_parent_id"],
            "reference": {"resource": "responses", "fields": ["_id"]},
        }
    ]
    fields = {
        f["odk_name"] if "odk_name" in f else f["name"]: f
        for f in main["schema"]["fields"]
    }
    assert fields["g/uses"]["type"] == "integer"
    assert fields["g/uses"]["categories"] == [
        {"value": 1, "label": "Yes"},
        {"value": 2, "label": "No"},
    ]
    assert fields["g/uses"]["odk_codes"] == {"1": "yes", "2": "no"}
    assert fields["when"]["type"] == "date"
    assert fields["share"]["type"] == "number"


@pytest.mark.parametrize(
    ("out", "fmt", "error"),
    [
        ("x.sav", "dta", ExportError.FORMAT_MISMATCH),
        ("folder", "pdf", ExportError.BAD_FORMAT),
        ("folder", None, ExportError.NO_FORMAT),
    ],
)
def test_resolve_output_errors(tmp_path: Path, out: str, fmt, error) -> None:
    with pytest.raises(SociaparisError) as info:
        resolve_output(tmp_path / out, fmt, "usage")
    assert info.value.code == error.code


@pytest.mark.parametrize(
    ("out", "fmt", "expected"),
    [
        ("data.sav", None, ("sav", "", "data", True)),
        ("data.PARQUET", "parquet", ("parquet", "", "data", True)),
        ("folder", "csv", ("csv", "folder", "usage", False)),
    ],
)
def test_resolve_output(tmp_path: Path, out: str, fmt, expected) -> None:
    found, folder, stem, named = resolve_output(tmp_path / out, fmt, "usage")
    assert (found, folder, stem, named) == (
        expected[0],
        tmp_path / expected[1] if expected[1] else tmp_path,
        expected[2],
        expected[3],
    )


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["1", "2", "3"], {"1": 1, "2": 2, "3": 3}),
        (["-1", "0", "7"], {"-1": -1, "0": 0, "7": 7}),
        (["yes", "no"], {"yes": 1, "no": 2}),
        (["01", "1"], {"01": 1, "1": 2}),  # the same number twice: numbered
        (["1.5", "2"], {"1.5": 1, "2": 2}),  # not whole numbers: numbered
    ],
)
def test_value_codes(codes: list[str], expected: dict[str, int]) -> None:
    from sociaparis.survey.instrument import Choice
    from sociaparis.survey.io.labelled import value_codes
    from sociaparis.survey.io.tables import Variable

    variable = Variable(
        "q", "q", "question", "select_one", choices=tuple(Choice(c, {}) for c in codes)
    )
    assert value_codes(variable) == expected
    extra = pd.Series(["zz", None, codes[0]], dtype=object)
    assert value_codes(variable, extra)["zz"] == max(expected.values()) + 1
