"""Storing instruments and their versions (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.models import InstrumentRecord
from sociaparis.survey.service import (
    add_instrument,
    get_instrument,
    instrument_source,
    latest_instrument,
    list_instruments,
)
from sociaparis.survey.xlsform import XLSFormResult, parse_xlsform

pytestmark = pytest.mark.storage


def _form(form_id: str, label: str = "Âge", version: str = "") -> XLSFormResult:
    md = (
        "| survey |\n| | type | name | label |\n"
        f"| | integer | age | {label} |\n"
        f"| settings |\n| | form_id | version |\n| | {form_id} | {version} |\n"
    )
    return parse_xlsform(md.encode("utf-8"), filename=f"{form_id}.md")


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(InstrumentRecord))


def test_add_stores_model_source_and_hash(session) -> None:
    form = _form("staff")
    added = add_instrument(session=session, form=form)
    assert added.created
    stored = get_instrument(session=session, instrument_id=added.stored.id)
    assert (stored.form_id, stored.version, stored.version_number) == ("staff", "1", 1)
    assert stored.content_hash == form.instrument.content_hash
    assert stored.instrument.to_dict() == form.instrument.to_dict()
    assert instrument_source(session=session, instrument_id=stored.id) == (
        "staff.md",
        form.source,
    )


def test_adding_the_same_form_twice_returns_the_existing_version(session) -> None:
    first = add_instrument(session=session, form=_form("staff"))
    again = add_instrument(session=session, form=_form("staff"))
    assert not again.created
    assert again.stored.id == first.stored.id
    assert _count(session) == 1


def test_a_changed_form_is_a_new_version(session) -> None:
    add_instrument(session=session, form=_form("staff"))
    second = add_instrument(session=session, form=_form("staff", label="Votre âge"))
    third = add_instrument(session=session, form=_form("staff", label="Âge (ans)"))
    assert [second.stored.version, third.stored.version] == ["2", "3"]
    assert [s.version_number for s in list_instruments(session=session)] == [1, 2, 3]
    assert latest_instrument(session=session, form_id="staff").id == third.stored.id
    # going back to the first content finds the first version again
    back = add_instrument(session=session, form=_form("staff"))
    assert not back.created and back.stored.version == "1"


def test_settings_version_is_used_and_must_be_new(session) -> None:
    added = add_instrument(session=session, form=_form("cio", version="2026.1"))
    assert (added.stored.version, added.stored.version_number) == ("2026.1", 1)
    with pytest.raises(SociaparisError) as info:
        add_instrument(
            session=session, form=_form("cio", label="Autre", version="2026.1")
        )
    assert info.value.error is SurveyError.VERSION_TAKEN
    newer = add_instrument(
        session=session, form=_form("cio", label="Autre", version="2026.2")
    )
    assert (newer.stored.version, newer.stored.version_number) == ("2026.2", 2)


def test_automatic_numbers_skip_a_label_already_taken(session) -> None:
    add_instrument(session=session, form=_form("tr", version="2"))
    nxt = add_instrument(session=session, form=_form("tr", label="Autre"))
    assert nxt.stored.version == "3"


def test_versions_are_counted_per_form(session) -> None:
    add_instrument(session=session, form=_form("a"))
    add_instrument(session=session, form=_form("b"))
    listed = [(s.form_id, s.version) for s in list_instruments(session=session)]
    assert listed == [("a", "1"), ("b", "1")]
    assert [s.form_id for s in list_instruments(session=session, form_id="b")] == ["b"]


@pytest.mark.parametrize("key", ["nope"])
def test_unknown_instrument(session, key) -> None:
    with pytest.raises(SociaparisError) as info:
        latest_instrument(session=session, form_id=key)
    assert info.value.error is SurveyError.INSTRUMENT_NOT_FOUND
    with pytest.raises(SociaparisError) as info:
        get_instrument(session=session, instrument_id=999_999)
    assert info.value.error is SurveyError.INSTRUMENT_NOT_FOUND


def test_service_never_commits(engine) -> None:
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        add_instrument(session=session, form=_form("uncommitted"))
        session.rollback()
    with Session(engine) as session:
        assert list_instruments(session=session, form_id="uncommitted") == []
