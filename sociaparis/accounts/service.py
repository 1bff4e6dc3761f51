"""Account operations; they take the session and never commit."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import AccountSession, User
from sociaparis.accounts.roles import Role
from sociaparis.core.db import utcnow
from sociaparis.core.errors import SociaparisError

MIN_PASSWORD_LENGTH = 12
SESSION_LIFETIME = timedelta(hours=12)
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
    disabled: bool = False


def _account(user: User) -> Account:
    return Account(
        user.id, user.username, Role(user.role), user.display_name, user.disabled
    )


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


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SociaparisError(
            AccountError.WEAK_PASSWORD, length=len(password), minimum=MIN_PASSWORD_LENGTH
        )


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
    _check_password(password)
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


class HashingSlots:
    """At most ``size`` password hashes computed at once (argon2 takes 64 MiB each).

    A check that finds every slot taken is refused at once (``ACCOUNT_006``)
    rather than queued, so that a flood of log-ins neither grows the memory nor
    waits in line ahead of the people answering a survey.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"size must be 1 or more, got {size}")
        self.size = size
        self._semaphore = threading.BoundedSemaphore(size)

    @contextmanager
    def take(self) -> Iterator[None]:
        """Hold one slot for the block, or raise ``ACCOUNT_006`` if none is free."""
        if not self._semaphore.acquire(blocking=False):
            raise SociaparisError(AccountError.BUSY, slots=self.size)
        try:
            yield
        finally:
            self._semaphore.release()


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    slots: HashingSlots | None = None,
) -> Account | None:
    """Return the account if ``password`` is right for ``username``, else None.

    A disabled account is refused like a wrong password. With ``slots``, the
    hash is computed only in a free slot.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_006`` when ``slots`` has no free slot.
    """
    user = session.scalar(select(User).where(User.username == username))
    with slots.take() if slots is not None else _no_slot():
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled:
            return None
        if _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
    return _account(user)


@contextmanager
def _no_slot() -> Iterator[None]:
    yield


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(*, session: Session, user_id: int, now: datetime | None = None) -> str:
    """Open a browser session for the account ``user_id``; return its secret token.

    Only the token's hash is stored. The account's expired sessions are
    removed on the way.
    """
    now = now or utcnow()
    session.execute(
        delete(AccountSession).where(
            AccountSession.user_id == user_id, AccountSession.expires_at <= now
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        AccountSession(
            token_hash=_token_hash(token),
            user_id=user_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.flush()
    return token


def session_account(
    *, session: Session, token: str, now: datetime | None = None
) -> Account | None:
    """The account logged in with ``token``, or None.

    None when the session was ended (log-out, role or password change, account
    disabled), has expired, or never existed.
    """
    user = session.scalar(
        select(User)
        .join(AccountSession, AccountSession.user_id == User.id)
        .where(
            AccountSession.token_hash == _token_hash(token),
            AccountSession.expires_at > (now or utcnow()),
            User.disabled.is_(False),
        )
    )
    return _account(user) if user else None


def end_session(*, session: Session, token: str) -> None:
    """End the browser session of ``token`` (log-out); an unknown token is a no-op."""
    session.execute(
        delete(AccountSession).where(AccountSession.token_hash == _token_hash(token))
    )


def _user_named(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise SociaparisError(AccountError.UNKNOWN_USER, username=username)
    return user


def _end_sessions(session: Session, user: User) -> int:
    ended = session.execute(
        delete(AccountSession).where(AccountSession.user_id == user.id)
    )
    return int(ended.rowcount or 0)


def set_role(*, session: Session, username: str, role: Role) -> Account:
    """Give ``username`` the role ``role`` and end its sessions.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_005`` if there is no such account.
    """
    user = _user_named(session, username)
    user.role = role.value
    _end_sessions(session, user)
    return _account(user)


def set_disabled(*, session: Session, username: str, disabled: bool) -> Account:
    """Disable (or enable again) ``username``; disabling ends its sessions.

    A disabled account cannot log in and its open sessions stop at once.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_005`` if there is no such account.
    """
    user = _user_named(session, username)
    user.disabled = disabled
    _end_sessions(session, user)
    return _account(user)


def set_password(*, session: Session, username: str, password: str) -> Account:
    """Replace the password of ``username`` and end its sessions.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_005`` if there is no such account, ``ACCOUNT_003`` for a
        password shorter than 12 characters.
    """
    user = _user_named(session, username)
    _check_password(password)
    user.password_hash = _HASHER.hash(password)
    _end_sessions(session, user)
    return _account(user)


def end_all_sessions(*, session: Session, username: str) -> int:
    """End every session of ``username`` (e.g. after a lost laptop); return how many.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_005`` if there is no such account.
    """
    return _end_sessions(session, _user_named(session, username))


def get_account(*, session: Session, user_id: int) -> Account | None:
    """Return the account with id ``user_id``, or None."""
    user = session.get(User, user_id)
    return _account(user) if user else None


def find_account(*, session: Session, username: str) -> Account | None:
    """Return the account named ``username``, or None."""
    user = session.scalar(select(User).where(User.username == username))
    return _account(user) if user else None


def list_accounts(*, session: Session) -> list[Account]:
    """Return every account, by user name."""
    return [_account(u) for u in session.scalars(select(User).order_by(User.username))]
