"""The survey services check the acting account's role themselves and write
what they did to the audit log: field operations, exports, reports, monitoring
tables, deleting a response (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.models import AuditEntry
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import ErrorCode, SociaparisError
from sociaparis.reports.service import form_report
from sociaparis.survey.exports import export_form
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.monitoring import monitoring_csv
from sociaparis.survey.fielding.operations import (
    add_form_version,
    check_form,
    invite_from_list,
    read_staff_list,
    set_fielding_closed,
    store_form_version,
)
from sociaparis.survey.fielding.service import delete_response
from sociaparis.survey.fielding.uploads import UploadLimits
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.synthetic import add_synthetic_responses
from sociaparis.survey.xlsform import parse_xlsform
from tests.factories import FIELDING_FORM, field_form

Call = Callable[[Session, Account, str, list[str], Path], Any]
STAFF = b"email;directorate\na@example.org;DFA\nb@example.org;DRH\n"

#: name -> (the call, the refusal's error, the audit entry's action)
CASES: dict[str, tuple[Call, ErrorCode, str]] = {
    "close": (
        lambda s, a, f, r, p: set_fielding_closed(
            session=s, actor=a, form_id=f, closed=True
        ),
        FieldingError.NOT_ALLOWED,
        "fielding.close",
    ),
    "open": (
        lambda s, a, f, r, p: set_fielding_closed(
            session=s, actor=a, form_id=f, closed=False
        ),
        FieldingError.NOT_ALLOWED,
        "fielding.open",
    ),
    "store_version": (
        lambda s, a, f, r, p: store_form_version(
            session=s,
            actor=a,
            form=parse_xlsform(FIELDING_FORM.encode(), filename="form.md"),
        ),
        FieldingError.NOT_ALLOWED,
        "form.add",
    ),
    "add_version": (
        lambda s, a, f, r, p: add_form_version(
            session=s,
            actor=a,
            report=check_form(FIELDING_FORM.encode(), filename="form.md"),
        ),
        FieldingError.NOT_ALLOWED,
        "form.add",
    ),
    "invite": (
        lambda s, a, f, r, p: invite_from_list(
            session=s,
            actor=a,
            form_id=f,
            invitations=read_staff_list(STAFF, filename="staff.csv"),
            base_url="https://survey.example.org",
        ),
        FieldingError.NOT_ALLOWED,
        "invitations.create",
    ),
    "delete_response": (
        lambda s, a, f, r, p: delete_response(
            session=s, actor=a, response_id=r[0], limits=UploadLimits(p)
        ),
        FieldingError.NOT_ALLOWED,
        "response.delete",
    ),
    "export": (
        lambda s, a, f, r, p: export_form(
            session=s, actor=a, form_id=f, out=p / "out.csv"
        ),
        ExportError.NOT_ALLOWED,
        "export.data",
    ),
    "report": (
        lambda s, a, f, r, p: form_report(session=s, actor=a, form_id=f),
        ExportError.NOT_ALLOWED,
        "export.report",
    ),
    "monitoring_csv": (
        lambda s, a, f, r, p: monitoring_csv(
            session=s, actor=a, form_id=f, table="by_page"
        ),
        FieldingError.DOWNLOAD_NOT_ALLOWED,
        "export.table",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.RESEARCHER, True),
        (Role.CODER, False),
        (Role.VIEWER, False),
    ],
)
def test_the_service_checks_the_role_and_logs_what_it_did(
    session: Session, tmp_path: Path, case: str, role: Role, allowed: bool
) -> None:
    form_id = field_form(session)
    responses = add_synthetic_responses(
        session=session, form_id=form_id, count=12, seed=3
    )
    actor = Account(41, f"a-{role.value}", role, "")
    call, error, action = CASES[case]
    if not allowed:
        with pytest.raises(SociaparisError) as caught:
            call(session, actor, form_id, responses, tmp_path)
        assert caught.value.error is error
        assert session.scalars(select(AuditEntry)).all() == []
        return
    call(session, actor, form_id, responses, tmp_path)
    entries = session.scalars(select(AuditEntry)).all()
    expected_target = responses[0] if case == "delete_response" else form_id
    assert [(e.actor_id, e.actor, e.action, e.target) for e in entries] == [
        (41, actor.username, action, expected_target)
    ]
