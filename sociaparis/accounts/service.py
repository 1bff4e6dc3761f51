"""Account operations; they take the session and never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.core.errors import SociaparisError

MIN_PASSWORD_LENGTH = 12
_USERNAME = re.compile(r"[A-Za-z0-9._-]{3,64}")
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so that a wrong user name and a
# wrong password take the same time.
_DUMMY_HASH = _HASHER.hash("sociaparis-no-such-user")


@dataclass(frozen=True, slots=True)
class Account:
    """The public view of a user: never the password hash."""

    id: int
    username: str
    role: Role
    display_name: str


def _account(user: User) -> Account:
    return Account(user.id, user.username, Role(user.role), user.display_name)


def parse_role(value: str) -> Role:
    """Return the :class:`Role` named ``value`` or raise ``ACCOUNT_004``."""
    try:
        return Role(value)
    except ValueError:
        raise SociaparisError(
            AccountError.UNKNOWN_ROLE,
            role=value,
            choices=", ".join(role.value for role in Role),
        ) from None


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role = Role.RESEARCHER,
    display_name: str = "",
) -> Account:
    """Create an account with an argon2 hash of ``password``.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_001`` for a bad user name, ``ACCOUNT_002`` if it is taken,
        ``ACCOUNT_003`` for a password shorter than 12 characters.
    """
    if not _USERNAME.fullmatch(username):
        raise SociaparisError(AccountError.BAD_USERNAME, username=username)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SociaparisError(
            AccountError.WEAK_PASSWORD, length=len(password), minimum=MIN_PASSWORD_LENGTH
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise SociaparisError(AccountError.USERNAME_TAKEN, username=username)
    user = User(
        username=username,
        password_hash=_HASHER.hash(password),
        role=role.value,
        display_name=display_name,
    )
    session.add(user)
    session.flush()
    return _account(user)


def authenticate(*, session: Session, username: str, password: str) -> Account | None:
    """Return the account if ``password`` is right for ``username``, else None."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return _account(user)


def get_account(*, session: Session, user_id: int) -> Account | None:
    """Return the account with id ``user_id``, or None."""
    user = session.get(User, user_id)
    return _account(user) if user else None


def list_accounts(*, session: Session) -> list[Account]:
    """Return every account, by user name."""
    return [_account(u) for u in session.scalars(select(User).order_by(User.username))]
