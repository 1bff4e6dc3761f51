"""The engine's record kept on a completed response equals a fresh evaluation,
and the exports written from kept records equal those evaluated again."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.survey.exports import export_zip, keep_records
from sociaparis.survey.fielding.service import (
    COMPLETED,
    Fielding,
    configure_fielding,
    start_open_response,
)
from sociaparis.survey.models import ResponseRecord
from sociaparis.survey.records import RECORD_ENGINE, export_record, saved_moment
from sociaparis.survey.service import add_instrument, get_instrument
from sociaparis.survey.synthetic import add_synthetic_responses
from sociaparis.survey.xlsform import read_xlsform
from tests.factories import FIELDING_FORM_PAGES, field_form, submit_page

pytestmark = pytest.mark.storage

STUDY = Path(__file__).resolve().parents[2] / "studies" / "sociaparis"
NOW = datetime(2026, 11, 25, 14, 37, 12, tzinfo=UTC)


def _fresh(session: Session, row: ResponseRecord) -> dict:
    instrument = get_instrument(session=session, instrument_id=row.instrument_id)
    return export_record(
        instrument.instrument,
        row.answers,
        started_on=row.started_on,
        completed_on=row.completed_on,
        updated_at=row.updated_at,
    )


def _staff_survey(session: Session, count: int) -> str:
    form = read_xlsform(STUDY / "staff_llm_survey.xlsx")
    add_instrument(session=session, form=form)
    configure_fielding(
        session=session,
        fielding=Fielding(
            form_id=form.instrument.form_id,
            anonymous=False,
            recorded_attributes=("directorate", "job_category"),
        ),
    )
    add_synthetic_responses(
        session=session,
        form_id=form.instrument.form_id,
        count=count,
        seed=3,
        today=date(2026, 11, 2),
    )
    return form.instrument.form_id


def _rows(session: Session) -> list[ResponseRecord]:
    session.flush()
    session.expire_all()
    return list(session.scalars(select(ResponseRecord).order_by(ResponseRecord.id)))


@pytest.mark.parametrize("anonymous", [True, False])
def test_the_record_kept_on_completion_is_a_fresh_evaluation(
    session: Session, anonymous: bool
) -> None:
    form_id = field_form(session, anonymous=anonymous, open_link=True)
    finished = start_open_response(session=session, form_id=form_id, now=NOW)
    halfway = start_open_response(session=session, form_id=form_id, now=NOW)
    for revision, (name, fields, instances) in enumerate(FIELDING_FORM_PAGES):
        now = NOW + timedelta(minutes=revision)
        submit_page(
            session,
            finished.resume_token,
            name,
            fields,
            revision,
            instances=instances,
            now=now,
        )
        if revision < 2:
            submit_page(
                session,
                halfway.resume_token,
                name,
                fields,
                revision,
                instances=instances,
                now=now,
            )
    rows = {row.id: row for row in _rows(session)}
    done, going = rows[finished.response_id], rows[halfway.response_id]
    assert done.status == COMPLETED
    assert done.record_engine == RECORD_ENGINE
    assert done.record == _fresh(session, done)
    assert done.record[-1] == {"tool": [{"tool_name": "Copilot", "tool_freq": "daily"}]}
    assert done.record[0] == "DSIN"  # service, the first question
    assert going.record is None and going.record_engine is None


def test_synthetic_responses_keep_their_record(session: Session) -> None:
    _staff_survey(session, count=12)
    rows = _rows(session)
    assert len(rows) == 12
    for row in rows:
        assert row.record_engine == RECORD_ENGINE
        assert row.record == _fresh(session, row)


def test_answers_changed_through_the_orm_drop_the_kept_record(
    session: Session,
) -> None:
    _staff_survey(session, count=2)
    first, second = session.scalars(select(ResponseRecord).order_by(ResponseRecord.id))
    assert first.record is not None and second.record is not None
    first.answers = {**first.answers, "q_comment": "changé à la main"}
    session.flush()
    session.expire_all()
    first, second = session.scalars(select(ResponseRecord).order_by(ResponseRecord.id))
    assert (first.record, first.record_engine) == (None, None)
    assert second.record is not None


def test_keep_records_fills_missing_and_stale_records(session: Session) -> None:
    _staff_survey(session, count=6)
    table = ResponseRecord.__table__
    ids = [row.id for row in _rows(session)]
    session.execute(
        update(table)
        .where(table.c.id.in_(ids[:3]))
        .values(record=None, record_engine=None)
    )
    session.execute(
        update(table)
        .where(table.c.id == ids[3])
        .values(record=["stale"], record_engine=RECORD_ENGINE - 1)
    )
    assert keep_records(session=session, chunk=2) == 4
    for row in _rows(session):
        assert row.record_engine == RECORD_ENGINE
        assert row.record == _fresh(session, row)
    assert keep_records(session=session) == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "dta", "parquet"])
def test_exports_from_kept_records_equal_exports_evaluated_again(
    session: Session, fmt: str
) -> None:
    form_id = _staff_survey(session, count=15)

    def members() -> dict[str, object]:
        _, data = export_zip(session=session, actor=LOCAL_ADMIN, form_id=form_id, fmt=fmt)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found = {name: archive.read(name) for name in archive.namelist()}
        for name, content in list(found.items()):
            # The files carry the time they were written: masked, the rest is
            # compared byte for byte (SPSS: the header's creation date and
            # time at bytes 92 to 109; Stata: the <timestamp> element).
            if name.endswith(".sav"):
                found[name] = content[:92] + content[109:]
            elif name.endswith(".dta"):
                found[name] = re.sub(
                    rb"<timestamp>.*?</timestamp>", b"", content, count=1
                )
            elif name.endswith(".xlsx"):
                with zipfile.ZipFile(io.BytesIO(content)) as book:
                    found[name] = {
                        part: book.read(part)
                        for part in book.namelist()
                        if part != "docProps/core.xml"
                    }
        return found

    kept = members()
    table = ResponseRecord.__table__
    session.execute(update(table).values(record=None, record_engine=None))
    assert members() == kept


def test_saved_moment() -> None:
    day = date(2026, 11, 25)
    naive = datetime(2026, 11, 25, 8, 30)
    assert saved_moment(started_on=day, completed_on=None, updated_at=None) == (
        datetime(2026, 11, 25, 12, tzinfo=UTC)
    )
    assert saved_moment(
        started_on=day, completed_on=date(2026, 11, 26), updated_at=None
    ) == datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert saved_moment(started_on=day, completed_on=day, updated_at=naive) == (
        naive.replace(tzinfo=UTC)
    )
    assert saved_moment(started_on=None, completed_on=None, updated_at=None) is None
