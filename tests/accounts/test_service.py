"""Accounts: argon2 hashes, authentication and the error catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import sociaparis
from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import (
    LOCAL_ADMIN,
    SESSION_LIFETIME,
    HashingSlots,
    authenticate,
    create_user,
    end_all_sessions,
    end_session,
    find_account,
    parse_role,
    session_account,
    set_disabled,
    set_password,
    set_role,
    start_session,
)
from sociaparis.core.db import utcnow
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
    ("role", "codebook", "export", "code", "reidentify"),
    [
        (Role.ADMIN, True, True, True, True),
        (Role.RESEARCHER, True, True, True, False),
        (Role.CODER, False, False, True, False),
        (Role.VIEWER, False, False, False, False),
    ],
)
def test_role_permissions(
    role: Role, codebook: bool, export: bool, code: bool, reidentify: bool
) -> None:
    assert (
        role.can_edit_codebook(),
        role.can_export(),
        role.can_code(),
        role.can_read_reidentification(),
    ) == (codebook, export, code, reidentify)


def test_every_permission_is_checked_by_the_code() -> None:
    permissions = {name for name in vars(Role) if name.startswith("can_")}
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in Path(sociaparis.__file__).parent.rglob("*.py")
        if path.name != "roles.py"
    )
    assert {p for p in permissions if f".{p}()" not in source} == set()


def _claire(session: Session) -> int:
    return create_user(session=session, username="claire", password=GOOD_PASSWORD).id


def test_a_session_holds_until_it_ends_or_expires(session: Session) -> None:
    user_id = _claire(session)
    now = utcnow()
    token = start_session(session=session, user_id=user_id, now=now)
    assert session_account(session=session, token=token, now=now).username == "claire"
    assert session_account(session=session, token=token[:-1], now=now) is None
    later = now + SESSION_LIFETIME
    assert session_account(session=session, token=token, now=later) is None
    end_session(session=session, token=token)
    assert session_account(session=session, token=token, now=now) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda s: set_role(
            session=s, actor=LOCAL_ADMIN, username="claire", role=Role.VIEWER
        ),
        lambda s: set_disabled(
            session=s, actor=LOCAL_ADMIN, username="claire", disabled=True
        ),
        lambda s: set_password(
            session=s, actor=LOCAL_ADMIN, username="claire", password="x" * 12
        ),
        lambda s: end_all_sessions(session=s, actor=LOCAL_ADMIN, username="claire"),
    ],
)
def test_account_changes_end_every_session_of_the_account(
    session: Session, change
) -> None:
    user_id = _claire(session)
    other = create_user(session=session, username="other", password=GOOD_PASSWORD)
    tokens = [start_session(session=session, user_id=user_id) for _ in range(2)]
    kept = start_session(session=session, user_id=other.id)
    change(session)
    assert [session_account(session=session, token=t) for t in tokens] == [None, None]
    assert session_account(session=session, token=kept).username == "other"


def test_a_disabled_account_is_refused_until_enabled(session: Session) -> None:
    _claire(session)
    set_disabled(session=session, actor=LOCAL_ADMIN, username="claire", disabled=True)
    assert (
        authenticate(session=session, username="claire", password=GOOD_PASSWORD) is None
    )
    set_disabled(session=session, actor=LOCAL_ADMIN, username="claire", disabled=False)
    assert authenticate(session=session, username="claire", password=GOOD_PASSWORD)


def test_a_new_password_replaces_the_old_one(session: Session) -> None:
    _claire(session)
    set_password(
        session=session,
        actor=LOCAL_ADMIN,
        username="claire",
        password="a brand new password",
    )
    assert (
        authenticate(session=session, username="claire", password=GOOD_PASSWORD) is None
    )
    assert authenticate(
        session=session, username="claire", password="a brand new password"
    )
    with pytest.raises(SociaparisError) as short:
        set_password(
            session=session, actor=LOCAL_ADMIN, username="claire", password="short"
        )
    assert short.value.error is AccountError.WEAK_PASSWORD


def test_changing_an_unknown_account_is_refused(session: Session) -> None:
    with pytest.raises(SociaparisError) as refused:
        set_role(session=session, actor=LOCAL_ADMIN, username="nobody", role=Role.ADMIN)
    assert refused.value.message == AccountError.UNKNOWN_USER.format(username="nobody")


def test_a_password_check_without_a_free_slot_is_refused_before_hashing(
    session: Session,
) -> None:
    _claire(session)
    slots = HashingSlots(1)
    with slots.take(), pytest.raises(SociaparisError) as busy:
        authenticate(
            session=session, username="claire", password=GOOD_PASSWORD, slots=slots
        )
    assert busy.value.error is AccountError.BUSY
    assert authenticate(
        session=session, username="claire", password=GOOD_PASSWORD, slots=slots
    )


def test_find_account_by_user_name(session: Session) -> None:
    user_id = _claire(session)
    set_disabled(session=session, actor=LOCAL_ADMIN, username="claire", disabled=True)
    found = find_account(session=session, username="claire")
    assert (found.id, found.username, found.disabled) == (user_id, "claire", True)
    assert find_account(session=session, username="nobody") is None
