"""Exporting stored responses: the service and ``sociaparis export`` (both databases)."""
# ruff: noqa: E501 -- markdown XLSForm tables are as wide as the spreadsheets they stand for

from __future__ import annotations

import csv
import uuid
from datetime import date
from pathlib import Path

import pyreadstat
import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.cli import cli
from sociaparis.cli.common import database_session
from sociaparis.core.config import get_settings
from sociaparis.core.errors import SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.exports import (
    count_responses,
    export_form,
    export_zip,
    load_export,
)
from sociaparis.survey.fielding.service import Fielding, configure_fielding, hash_token
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.models import ResponseRecord
from sociaparis.survey.service import add_instrument
from sociaparis.survey.synthetic import add_synthetic_responses
from sociaparis.survey.xlsform import parse_xlsform

pytestmark = pytest.mark.storage

FORM = """
| survey |
| | type          | name  | label::Français (fr) | label::English (en) | relevant        | calculation     |
| | select_one yn | uses  | Utilisez-vous l'IA ? | Do you use AI?      |                 |                 |
| | integer       | hours | Heures               | Hours               | ${uses} = 'yes' |                 |
| | calculate     | days  |                      |                     |                 | ${hours} div 8  |
| choices |
| | list_name | name | label::Français (fr) | label::English (en) |
| | yn        | yes  | Oui                  | Yes                 |
| | yn        | no   | Non                  | No                  |
| settings |
| | form_id | form_title    | default_language | version |
| | usage   | Usage de l'IA | Français (fr)    | {version} |
"""


def _store(session: Session, version: str = "v1") -> int:
    form = parse_xlsform(FORM.replace("{version}", version).encode(), filename="f.md")
    stored = add_instrument(session=session, form=form).stored
    configure_fielding(
        session=session,
        fielding=Fielding(form_id="usage", recorded_attributes=("directorate",)),
    )
    return stored.id


def _response(session: Session, instrument_id: int, answers: dict, **extra) -> str:
    record = ResponseRecord(
        id=extra.pop("id", uuid.uuid4().hex),
        instrument_id=instrument_id,
        resume_token_hash=hash_token(uuid.uuid4().hex),
        status=extra.pop("status", "completed"),
        answers=answers,
        attributes=extra.pop("attributes", {}),
        started_on=extra.pop("started_on", date(2026, 10, 6)),
        completed_on=date(2026, 10, 7),
        **extra,
    )
    session.add(record)
    session.flush()
    return record.id


def test_responses_come_out_by_start_date_then_id(session: Session) -> None:
    instrument_id = _store(session)
    for day, letter in ((9, "c"), (6, "e"), (9, "a"), (7, "d"), (6, "b")):
        _response(
            session,
            instrument_id,
            {"uses": "no"},
            id=letter * 32,
            started_on=date(2026, 10, day),
        )
    frame = load_export(session=session, form_id="usage").main.frame
    assert [i[0] for i in frame["_id"]] == ["b", "e", "d", "a", "c"]
    assert frame["_started_on"].tolist() == [date(2026, 10, d) for d in (6, 6, 7, 9, 9)]


def test_reading_the_responses_pauses_the_collector(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from sociaparis.survey import exports

    instrument_id = _store(session)
    _response(session, instrument_id, {"uses": "no"})
    enabled: list[bool] = []
    build = exports.build_export

    def watched(*args, **kwargs):
        enabled.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(exports, "build_export", watched)
    assert gc.isenabled()
    load_export(session=session, form_id="usage")
    assert enabled == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("version", "include_in_progress", "expected"),
    [
        (None, False, 3),  # v1: 2 completed (1 synthetic); v2: 1 (1 deleted)
        (None, True, 5),  # and one in progress in each version
        ("v1", False, 2),
        ("v2", False, 1),
        ("v2", True, 2),
    ],
)
def test_count_responses_is_what_the_export_holds(
    session: Session, version: str | None, include_in_progress: bool, expected: int
) -> None:
    first, second = _store(session, "v1"), _store(session, "v2")
    _response(session, first, {"uses": "yes"})
    _response(session, first, {"uses": "no"}, synthetic=True)
    _response(session, first, {"uses": "no"}, status="in_progress")
    _response(session, second, {"uses": "no"})
    _response(session, second, {"uses": "yes"}, status="in_progress")
    gone = session.get(ResponseRecord, _response(session, second, {"uses": "yes"}))
    session.delete(gone)
    session.flush()

    counted = count_responses(
        session=session,
        form_id="usage",
        version=version,
        include_in_progress=include_in_progress,
    )
    exported = load_export(
        session=session,
        form_id="usage",
        version=version,
        include_in_progress=include_in_progress,
    )
    assert counted == expected == len(exported.main.frame)


def test_export_evaluates_every_version(session: Session, tmp_path: Path) -> None:
    first = _store(session, "v1")
    _response(
        session, first, {"uses": "yes", "hours": "16"}, attributes={"directorate": "dfa"}
    )
    second = _store(session, "v2")  # another version of the same form
    _response(session, second, {"uses": "no", "hours": "4"})
    _response(session, second, {"uses": "yes"}, status="in_progress")

    assert count_responses(session=session, form_id="usage") == 2
    data = load_export(session=session, form_id="usage")
    frame = data.main.frame.sort_values("_instrument_version")
    assert frame["_instrument_version"].tolist() == ["v1", "v2"]
    assert frame["hours"].tolist()[0] == 16 and frame["hours"].isna().tolist() == [
        False,
        True,
    ]
    # 16 div 8; NaN (arithmetic on the non-relevant hours) is empty
    assert frame["days"].tolist()[0] == 2 and frame["days"].isna().tolist() == [
        False,
        True,
    ]
    assert frame["_attr_directorate"].tolist() == ["dfa", None]

    everything = load_export(session=session, form_id="usage", include_in_progress=True)
    assert sorted(everything.main.frame["_status"]) == [
        "completed",
        "completed",
        "in_progress",
    ]
    only_v2 = load_export(session=session, form_id="usage", version="v2")
    assert only_v2.main.frame["_instrument_version"].tolist() == ["v2"]

    result = export_form(
        session=session,
        actor=LOCAL_ADMIN,
        form_id="usage",
        out=tmp_path / "u.sav",
        lang="en",
    )
    read, meta = pyreadstat.read_sav(str(result.files[0]))
    assert meta.column_names_to_labels["uses"] == "Do you use AI?"
    assert meta.variable_value_labels["uses"] == {1: "Yes", 2: "No"}
    assert sorted(read["uses"].tolist()) == [1.0, 2.0]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"form_id": "nope"}, SurveyError.INSTRUMENT_NOT_FOUND.code),
        ({"form_id": "usage"}, ExportError.NOTHING_TO_EXPORT.code),
        ({"form_id": "usage", "version": "v9"}, ExportError.UNKNOWN_VERSION.code),
    ],
)
def test_export_errors(session: Session, kwargs: dict, code: str) -> None:
    instrument_id = _store(session)
    _response(session, instrument_id, {"uses": "yes"}, status="in_progress")
    with pytest.raises(SociaparisError) as info:
        load_export(session=session, **kwargs)
    assert info.value.code == code


def test_no_response_at_all_names_the_versions_searched(session: Session) -> None:
    """Without any response, even in progress, the error is another one (its
    advice to include them would be wrong), naming the versions looked at."""
    _store(session, "v1")
    _store(session, "v2")
    with pytest.raises(SociaparisError) as info:
        load_export(session=session, form_id="usage", include_in_progress=True)
    assert info.value.code == ExportError.NO_RESPONSE.code
    assert "(versions: v1, v2)" in str(info.value)
    with pytest.raises(SociaparisError) as info:
        load_export(session=session, form_id="usage", version="v2")
    assert info.value.code == ExportError.NOTHING_TO_EXPORT.code
    assert "(versions: v2)" in str(info.value)


def test_synthetic_staff_responses_export(session: Session, tmp_path: Path) -> None:
    from sociaparis.survey.xlsform import read_xlsform

    study = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
    form = read_xlsform(study / "staff_llm_survey.xlsx")
    add_instrument(session=session, form=form)
    configure_fielding(
        session=session,
        fielding=Fielding(
            form_id=form.instrument.form_id,
            recorded_attributes=("directorate", "job_category"),
        ),
    )
    ids = add_synthetic_responses(
        session=session,
        form_id=form.instrument.form_id,
        count=8,
        seed=2,
        today=date(2026, 11, 2),
    )
    result = export_form(
        session=session,
        actor=LOCAL_ADMIN,
        form_id=form.instrument.form_id,
        out=tmp_path,
        fmt="csv",
    )
    with result.files[0].open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["_id"] for row in rows) == sorted(ids)
    assert {row["_synthetic"] for row in rows} == {"1"}
    assert {row["_started_at"] for row in rows if "_started_at" in row} == set()


# -- the command ------------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str):
    """A fresh database configured through the environment."""
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", database_url)
    monkeypatch.setenv("SOCIAPARIS_SECRET_KEY", "test-secret-key-0123456789")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_cli_export(env: Path) -> None:
    with database_session() as session:
        instrument_id = _store(session)
        _response(session, instrument_id, {"uses": "yes", "hours": "8"})
    out = env / "out"
    result = CliRunner().invoke(
        cli, ["export", "usage", "--format", "dta", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Exported DTA (en), rows responses: 1",
        str(out / "usage.dta"),
        str(out / "usage-dictionary.csv"),
        str(out / "usage-dictionary.md"),
        str(out / "datapackage.json"),
    ]
    read, meta = pyreadstat.read_dta(str(out / "usage.dta"))
    assert read["hours"].tolist() == [8.0] and read["days"].tolist() == [1.0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export", "nope", "--format", "csv"],
            f"Error: {SurveyError.INSTRUMENT_NOT_FOUND.code}",
        ),
        (
            ["export", "usage", "--format", "pdf"],
            "Error: EXPORT_001: Unknown export format 'pdf'. Use one of: csv, xlsx, sav, dta, parquet.",
        ),
        (["export", "usage", "--include-in-progress", "--format", "xlsx"], None),
    ],
)
def test_cli_export_errors(env: Path, args: list[str], message: str | None) -> None:
    with database_session() as session:
        instrument_id = _store(session)
        _response(session, instrument_id, {"uses": "no"}, status="in_progress")
    result = CliRunner().invoke(cli, [*args, "--out", str(env / "o")])
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert result.output.startswith(message)


def test_cli_nothing_to_export(env: Path) -> None:
    with database_session() as session:
        instrument_id = _store(session)
        _response(session, instrument_id, {"uses": "no"}, status="in_progress")
    result = CliRunner().invoke(cli, ["export", "usage", "--format", "csv"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: "
        + ExportError.NOTHING_TO_EXPORT.code
        + ": "
        + ExportError.NOTHING_TO_EXPORT.format(form_id="usage", versions="v1")
        + "\n"
    )


def test_export_zip(session: Session) -> None:
    import io
    import zipfile

    instrument_id = _store(session)
    _response(session, instrument_id, {"uses": "yes", "hours": "8"})
    name, data = export_zip(
        session=session, actor=LOCAL_ADMIN, form_id="usage", fmt="parquet"
    )
    assert name == "usage-parquet.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == [
            "datapackage.json",
            "usage-dictionary.csv",
            "usage-dictionary.md",
            "usage.parquet",
        ]
    with pytest.raises(SociaparisError) as info:
        export_zip(session=session, actor=LOCAL_ADMIN, form_id="usage", fmt="pdf")
    assert info.value.code == ExportError.BAD_FORMAT.code


def test_the_archive_stores_a_workbook_as_it_is_and_deflates_the_rest(
    session: Session,
) -> None:
    import io
    import zipfile

    import openpyxl

    instrument_id = _store(session)
    _response(session, instrument_id, {"uses": "yes", "hours": "8"})
    _, data = export_zip(session=session, actor=LOCAL_ADMIN, form_id="usage", fmt="xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        methods = {info.filename: info.compress_type for info in archive.infolist()}
        workbook = openpyxl.load_workbook(io.BytesIO(archive.read("usage.xlsx")))
    assert methods.pop("usage.xlsx") == zipfile.ZIP_STORED
    assert set(methods.values()) == {zipfile.ZIP_DEFLATED}
    assert workbook.sheetnames[0] == "responses"


METADATA_FORM = """
| survey |
| | type     | name    | label | appearance |
| | start    | started |       |            |
| | today    | day     |       |
| | deviceid | device  |       |
| | username | user    |       |
| | integer  | hours   | Hours |
| | begin group | grid | Grid | table-list |
| | select_one yn | q1 | Q1 |
| | select_one yn | q2 | Q2 |
| | end group | | |
| choices |
| | list_name | name | label |
| | yn        | yes  | Yes   |
| | yn        | no   | No    |
| settings |
| | form_id |
| | meta    |
"""


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".sav", ".dta", ".parquet"])
def test_metadata_columns_are_exported_with_the_dates_kept_or_empty(
    session: Session, tmp_path: Path, suffix: str
) -> None:
    form = parse_xlsform(METADATA_FORM.encode(), filename="f.md")
    stored = add_instrument(session=session, form=form).stored
    configure_fielding(session=session, fielding=Fielding(form_id="meta"))
    # a value posted for a metadata question is never the respondent's to give
    _response(session, stored.id, {"hours": "3", "device": "forged", "user": "x"})
    # and responses completed by the engine, page by page
    add_synthetic_responses(session=session, form_id="meta", count=3, seed=1)
    frame = load_export(session=session, form_id="meta").main.frame
    assert len(frame) == 4 and sorted(frame["hours"].dropna().tolist())[0] == 3
    # the table-list is a page of two selects; pyxform's header row is no column
    assert [c for c in frame.columns if c.startswith("grid/")] == ["grid/q1", "grid/q2"]
    # an anonymous form: start and today are the day started, nothing else
    started_on = [day.isoformat() for day in frame["_started_on"]]
    assert frame["started"].tolist() == frame["day"].tolist() == started_on
    for name in ("device", "user"):
        assert frame[name].isna().all() or (frame[name] == "").all(), name
    result = export_form(
        session=session, actor=LOCAL_ADMIN, form_id="meta", out=tmp_path / f"m{suffix}"
    )
    assert result.files
