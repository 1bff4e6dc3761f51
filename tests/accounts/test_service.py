"""Accounts: argon2 hashes, authentication and the error catalog."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import authenticate, create_user, parse_role
from sociaparis.core.errors import SociaparisError

GOOD_PASSWORD = "correct horse battery"


def test_password_is_stored_only_as_an_argon2_hash(session: Session) -> None:
    create_user(session=session, username="claire", password=GOOD_PASSWORD)
    stored = session.scalar(select(User.password_hash).where(User.username == "claire"))
    assert stored.startswith("$argon2id$")
    assert GOOD_PASSWORD not in stored


@pytest.mark.parametrize(
    ("username", "password", "expected"),
    [
        ("claire", GOOD_PASSWORD, "claire"),
        ("claire", "wrong password!!", None),
        ("nobody", GOOD_PASSWORD, None),
    ],
)
def test_authenticate(
    session: Session, username: str, password: str, expected: str | None
) -> None:
    create_user(session=session, username="claire", password=GOOD_PASSWORD)
    account = authenticate(session=session, username=username, password=password)
    assert (account.username if account else None) == expected


@pytest.mark.parametrize(
    ("username", "password", "error"),
    [
        ("a", GOOD_PASSWORD, AccountError.BAD_USERNAME),
        ("has space", GOOD_PASSWORD, AccountError.BAD_USERNAME),
        ("<script>", GOOD_PASSWORD, AccountError.BAD_USERNAME),
        ("bob", "short", AccountError.WEAK_PASSWORD),
        ("taken", GOOD_PASSWORD, AccountError.USERNAME_TAKEN),
    ],
)
def test_bad_accounts_are_refused(
    session: Session, username: str, password: str, error: AccountError
) -> None:
    create_user(session=session, username="taken", password=GOOD_PASSWORD)
    with pytest.raises(SociaparisError) as caught:
        create_user(session=session, username=username, password=password)
    assert caught.value.error is error


def test_unknown_role_lists_the_choices() -> None:
    with pytest.raises(SociaparisError, match="admin, researcher, coder, viewer"):
        parse_role("boss")


@pytest.mark.parametrize(
    ("role", "field", "export", "code", "reidentify"),
    [
        (Role.ADMIN, True, True, True, True),
        (Role.RESEARCHER, True, True, True, False),
        (Role.CODER, False, False, True, False),
        (Role.VIEWER, False, False, False, False),
    ],
)
def test_role_permissions(
    role: Role, field: bool, export: bool, code: bool, reidentify: bool
) -> None:
    assert (
        role.can_field_survey(),
        role.can_export(),
        role.can_code(),
        role.can_read_reidentification(),
    ) == (field, export, code, reidentify)
