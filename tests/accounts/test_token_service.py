"""Personal API tokens: shown once, stored hashed, revocable, with their last use."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import ApiToken
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import (
    LOCAL_ADMIN,
    create_user,
    set_disabled,
    set_role,
)
from sociaparis.accounts.token_service import (
    TOKEN_PREFIX,
    create_token,
    list_tokens,
    revoke_token,
    token_account,
)
from sociaparis.core.db import utcnow
from sociaparis.core.errors import SociaparisError

PASSWORD = "a long enough password"


@pytest.fixture
def claire(session: Session) -> str:
    create_user(session=session, username="claire", password=PASSWORD, role=Role.CODER)
    return "claire"


def test_only_the_hash_of_a_token_is_stored(session: Session, claire: str) -> None:
    info, token = create_token(session=session, username=claire, name="notebook")
    assert token.startswith(TOKEN_PREFIX)
    assert len(token) > 40
    stored = session.scalar(select(ApiToken.token_hash).where(ApiToken.id == info.id))
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored
    assert (info.username, info.name, info.last_used_at) == (claire, "notebook", None)


def test_a_token_acts_as_its_account_with_its_current_role(
    session: Session, claire: str
) -> None:
    _, token = create_token(session=session, username=claire)
    account = token_account(session=session, token=token)
    assert (account.username, account.role) == (claire, Role.CODER)
    set_role(session=session, actor=LOCAL_ADMIN, username=claire, role=Role.VIEWER)
    assert token_account(session=session, token=token).role is Role.VIEWER


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda s, tid, name: revoke_token(session=s, token_id=tid), id="revoked"
        ),
        pytest.param(
            lambda s, tid, name: set_disabled(
                session=s, actor=LOCAL_ADMIN, username=name, disabled=True
            ),
            id="account disabled",
        ),
    ],
)  # fmt: skip
def test_a_revoked_token_or_a_disabled_account_authenticates_no_one(
    session: Session, claire: str, spoil
) -> None:
    info, token = create_token(session=session, username=claire)
    spoil(session, info.id, claire)
    assert token_account(session=session, token=token) is None


@pytest.mark.parametrize("token", ["", "spt_nothing", "x" * 500])
def test_an_unknown_token_authenticates_no_one(
    session: Session, claire: str, token: str
) -> None:
    create_token(session=session, username=claire)
    assert token_account(session=session, token=token) is None


def test_last_use_is_written_at_most_once_a_minute(session: Session, claire: str) -> None:
    info, token = create_token(session=session, username=claire)
    first = utcnow()

    def last_used() -> object:
        session.expire_all()
        return list_tokens(session=session)[0].last_used_at

    token_account(session=session, token=token, now=first)
    assert last_used() is not None
    stamp = last_used()
    token_account(session=session, token=token, now=first + timedelta(seconds=59))
    assert last_used() == stamp
    token_account(session=session, token=token, now=first + timedelta(seconds=61))
    assert last_used() != stamp


def test_tokens_are_listed_by_account_revoked_ones_included(
    session: Session, claire: str
) -> None:
    create_user(session=session, username="marc", password=PASSWORD)
    a, _ = create_token(session=session, username=claire, name="a")
    b, _ = create_token(session=session, username="marc", name="b")
    revoke_token(session=session, token_id=a.id)
    assert [(t.name, t.active) for t in list_tokens(session=session)] == [
        ("a", False),
        ("b", True),
    ]
    assert [t.id for t in list_tokens(session=session, username="marc")] == [b.id]


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda s: create_token(session=s, username="nobody"), "ACCOUNT_005"),
        (lambda s: create_token(session=s, username="claire", name="n" * 201),
         "ACCOUNT_034"),
        (lambda s: list_tokens(session=s, username="nobody"), "ACCOUNT_005"),
        (lambda s: revoke_token(session=s, token_id=999_999), "ACCOUNT_030"),
    ],
)  # fmt: skip
def test_refusals(session: Session, claire: str, call, code: str) -> None:
    with pytest.raises(SociaparisError) as caught:
        call(session)
    assert caught.value.code == code


def test_revoking_twice_says_when_it_was_revoked(session: Session, claire: str) -> None:
    info, _ = create_token(session=session, username=claire)
    revoke_token(session=session, token_id=info.id)
    with pytest.raises(SociaparisError) as caught:
        revoke_token(session=session, token_id=info.id)
    assert caught.value.error is AccountError.TOKEN_REVOKED
