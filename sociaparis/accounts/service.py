"""Account operations; they take the session and never commit."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import AccountSession, User
from sociaparis.accounts.roles import Role
from sociaparis.core.db import utcnow
from sociaparis.core.errors import SociaparisError

MIN_PASSWORD_LENGTH = 12
SESSION_LIFETIME = timedelta(hours=12)
#: A session unused for this long has ended (closing the laptop is logging out).
SESSION_IDLE = timedelta(hours=2)
# How stale a session's last_seen_at may get before a request refreshes it: one
# write every few minutes per person, not one per page.
_SEEN_EVERY = timedelta(minutes=5)
#: This many wrong passwords within LOCKOUT_WINDOW lock the account ...
LOCKOUT_FAILURES = 10
LOCKOUT_WINDOW = timedelta(minutes=15)
#: ... for this long (or until an admin unlocks it).
LOCKOUT_DURATION = timedelta(minutes=15)
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


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes: they were written in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


#: The account the command line acts as without ``--user`` in single-user mode
#: (whoever runs it holds the study's files). Its name is not a valid user name,
#: so no account can be mistaken for it.
LOCAL_ADMIN = Account(0, "(command line)", Role.ADMIN, "command line")


def require_admin(actor: Account, action: str) -> None:
    """Raise ``ACCOUNT_010`` unless ``actor`` may manage accounts (an admin)."""
    if not Role(actor.role).can_manage_accounts():
        raise SociaparisError(
            AccountError.NOT_ADMIN,
            user=actor.username,
            role=str(actor.role),
            action=action,
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
    client: str = "",
    now: datetime | None = None,
) -> Account | None:
    """Return the account if ``password`` is right for ``username``, else None.

    A disabled or locked account is refused like a wrong password, after the
    same hash computation, so that an attacker cannot tell them apart. A wrong
    password counts towards the lockout: :data:`LOCKOUT_FAILURES` within
    :data:`LOCKOUT_WINDOW` lock the account for :data:`LOCKOUT_DURATION`
    (stored in the database: every process sees it). Each attempt is written
    to the audit log (``login.success``, ``login.failure``, ``login.locked``)
    with ``client``. With ``slots``, the hash is computed only in a free slot.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_006`` when ``slots`` has no free slot.
    """
    from sociaparis.accounts.audit import record_audit

    now = now or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    with slots.take() if slots is not None else _no_slot():
        try:
            _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
            right = True
        except (VerificationError, InvalidHashError):
            right = False
        if right and user is not None and _HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = _HASHER.hash(password)
    details = {"client": client} if client else {}
    locked = user is not None and (_utc(user.locked_until) or now) > now
    if user is None or not right or user.disabled or locked:
        reason = (
            "unknown user"
            if user is None
            else "locked"
            if locked
            else "wrong password"
            if not right
            else "disabled"
        )
        record_audit(
            session=session,
            actor=None,
            action="login.failure",
            target=username,
            details={**details, "reason": reason},
            at=now,
        )
        if user is not None and not right and not locked:
            _count_failure(session, user, now, details)
        return None
    user.failed_logins = 0
    user.failed_since = None
    user.locked_until = None
    account = _account(user)
    record_audit(
        session=session,
        actor=account,
        action="login.success",
        target=username,
        details=details,
        at=now,
    )
    return account


def _count_failure(
    session: Session, user: User, now: datetime, details: dict[str, str]
) -> None:
    """Count a wrong password; lock the account at the threshold."""
    from sociaparis.accounts.audit import record_audit

    since = _utc(user.failed_since)
    if since is None or since <= now - LOCKOUT_WINDOW:
        user.failed_logins = 1
        user.failed_since = now
    else:
        # In SQL, so that two processes counting at once both count.
        user.failed_logins = User.failed_logins + 1
    session.flush()
    session.refresh(user, ["failed_logins"])
    if user.failed_logins >= LOCKOUT_FAILURES:
        user.locked_until = now + LOCKOUT_DURATION
        record_audit(
            session=session,
            actor=None,
            action="login.locked",
            target=user.username,
            details={**details, "until": user.locked_until.isoformat()},
            at=now,
        )


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
            last_seen_at=now,
        )
    )
    session.flush()
    return token


def session_account(
    *, session: Session, token: str, now: datetime | None = None
) -> Account | None:
    """The account logged in with ``token``, or None.

    None when the session was ended (log-out, role or password change, account
    disabled), has expired, has not been used for :data:`SESSION_IDLE`, or
    never existed. A session in use has its last use refreshed every few
    minutes.
    """
    now = now or utcnow()
    last_seen = func.coalesce(AccountSession.last_seen_at, AccountSession.created_at)
    found = session.execute(
        select(User, AccountSession)
        .join(AccountSession, AccountSession.user_id == User.id)
        .where(
            AccountSession.token_hash == _token_hash(token),
            AccountSession.expires_at > now,
            last_seen > now - SESSION_IDLE,
            User.disabled.is_(False),
        )
    ).first()
    if found is None:
        return None
    user, row = found
    seen = _utc(row.last_seen_at) or _utc(row.created_at)
    if seen is None or now - seen >= _SEEN_EVERY:
        row.last_seen_at = now
    return _account(user)


def end_session(*, session: Session, token: str) -> None:
    """End the browser session of ``token`` (log-out, written to the audit log);
    an unknown token is a no-op."""
    user = session.scalar(
        select(User)
        .join(AccountSession, AccountSession.user_id == User.id)
        .where(AccountSession.token_hash == _token_hash(token))
    )
    if user is None:
        return
    session.execute(
        delete(AccountSession).where(AccountSession.token_hash == _token_hash(token))
    )
    _audit(session, _account(user), "logout", user.username)


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


def _audit(
    session: Session, actor: Account, action: str, target: str, **details: object
) -> None:
    from sociaparis.accounts.audit import record_audit

    record_audit(
        session=session, actor=actor, action=action, target=target, details=details
    )


def generate_password() -> str:
    """A strong one-time password: 24 URL-safe characters (144 random bits)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True, slots=True)
class IssuedPassword:
    """An account whose password was just set.

    Attributes
    ----------
    account
        The account.
    generated
        The password generated for it, to be shown once and never stored in
        clear; None when the admin typed the password.
    """

    account: Account
    generated: str | None = None


def add_account(
    *,
    session: Session,
    actor: Account,
    username: str,
    role: Role = Role.RESEARCHER,
    display_name: str = "",
    password: str | None = None,
) -> IssuedPassword:
    """Create an account as ``actor`` (an admin), with ``password`` or a generated one.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` unless ``actor`` is an admin, and the errors of
        :func:`create_user`.
    """
    require_admin(actor, "create accounts")
    generated = generate_password() if not password else None
    account = create_user(
        session=session,
        username=username,
        password=password or generated or "",
        role=role,
        display_name=display_name,
    )
    _audit(session, actor, "account.create", username, role=role.value)
    return IssuedPassword(account, generated)


def _enabled_admins(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count(User.id)).where(
                User.role == Role.ADMIN.value, User.disabled.is_(False)
            )
        )
        or 0
    )


def _keep_an_admin(session: Session, user: User) -> None:
    """``ACCOUNT_011`` if ``user`` is the last enabled admin."""
    if user.role == Role.ADMIN.value and not user.disabled:
        if _enabled_admins(session) <= 1:
            raise SociaparisError(AccountError.LAST_ADMIN, username=user.username)


def set_role(*, session: Session, actor: Account, username: str, role: Role) -> Account:
    """Give ``username`` the role ``role`` and end its sessions (admins only).

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` unless ``actor`` is an admin, ``ACCOUNT_005`` if there
        is no such account, ``ACCOUNT_011`` to take the role of the last admin.
    """
    require_admin(actor, "change roles")
    user = _user_named(session, username)
    if role is not Role.ADMIN:
        _keep_an_admin(session, user)
    before = user.role
    user.role = role.value
    _end_sessions(session, user)
    _audit(session, actor, "account.role", username, before=before, role=role.value)
    return _account(user)


def set_disabled(
    *, session: Session, actor: Account, username: str, disabled: bool
) -> Account:
    """Disable (or enable again) ``username``; disabling ends its sessions.

    A disabled account cannot log in and its open sessions stop at once.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` unless ``actor`` is an admin, ``ACCOUNT_005`` if there
        is no such account, ``ACCOUNT_011`` to disable the last admin.
    """
    require_admin(actor, "disable or enable accounts")
    user = _user_named(session, username)
    if disabled:
        _keep_an_admin(session, user)
    user.disabled = disabled
    _end_sessions(session, user)
    _audit(session, actor, "account.disable" if disabled else "account.enable", username)
    return _account(user)


def set_password(
    *, session: Session, actor: Account, username: str, password: str | None = None
) -> IssuedPassword:
    """Replace the password of ``username`` (with a generated one if ``password``
    is None), lift a lockout and end its sessions (admins only).

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` unless ``actor`` is an admin, ``ACCOUNT_005`` if there
        is no such account, ``ACCOUNT_003`` for a password shorter than 12
        characters.
    """
    require_admin(actor, "reset passwords")
    user = _user_named(session, username)
    generated = generate_password() if password is None else None
    new = password if password is not None else generated or ""
    _check_password(new)
    user.password_hash = _HASHER.hash(new)
    _clear_lockout(user)
    _end_sessions(session, user)
    _audit(session, actor, "account.password", username, generated=generated is not None)
    return IssuedPassword(_account(user), generated)


def end_all_sessions(*, session: Session, actor: Account, username: str) -> int:
    """End every session of ``username`` (e.g. after a lost laptop); return how many.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` unless ``actor`` is an admin, ``ACCOUNT_005`` if there
        is no such account.
    """
    require_admin(actor, "end sessions")
    ended = _end_sessions(session, _user_named(session, username))
    _audit(session, actor, "account.logout", username, sessions=ended)
    return ended


def _clear_lockout(user: User) -> None:
    user.failed_logins = 0
    user.failed_since = None
    user.locked_until = None


def unlock_account(*, session: Session, actor: Account, username: str) -> Account:
    """Lift the lockout of ``username`` after repeated wrong passwords.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` unless ``actor`` is an admin, ``ACCOUNT_005`` if there
        is no such account.
    """
    require_admin(actor, "unlock accounts")
    user = _user_named(session, username)
    _clear_lockout(user)
    _audit(session, actor, "account.unlock", username)
    return _account(user)


@dataclass(frozen=True, slots=True)
class Person:
    """An account as the people page shows it to an admin.

    Attributes
    ----------
    account
        The account.
    locked_until
        When its lockout ends, if it is locked now.
    failed_logins
        Wrong passwords counted in the current window.
    sessions
        Sessions open now (not expired, not idle).
    created_at
        When the account was created.
    """

    account: Account
    locked_until: datetime | None
    failed_logins: int
    sessions: int
    created_at: datetime


def list_people(
    *, session: Session, actor: Account, now: datetime | None = None
) -> list[Person]:
    """Every account with its lockout and open sessions, by user name (admins only).

    Raises
    ------
    SociaparisError
        ``ACCOUNT_010`` unless ``actor`` is an admin.
    """
    require_admin(actor, "list accounts")
    now = now or utcnow()
    last_seen = func.coalesce(AccountSession.last_seen_at, AccountSession.created_at)
    open_sessions = dict(
        session.execute(
            select(AccountSession.user_id, func.count(AccountSession.id))
            .where(AccountSession.expires_at > now, last_seen > now - SESSION_IDLE)
            .group_by(AccountSession.user_id)
        ).all()
    )
    people = []
    for user in session.scalars(select(User).order_by(User.username)):
        until = _utc(user.locked_until)
        people.append(
            Person(
                _account(user),
                until if until is not None and until > now else None,
                user.failed_logins,
                int(open_sessions.get(user.id, 0)),
                _utc(user.created_at) or now,
            )
        )
    return people


def command_line_account(*, session: Session, username: str | None, mode: str) -> Account:
    """The account a command acts as: ``--user NAME`` if given, else the
    implicit local admin (:data:`LOCAL_ADMIN`) in single-user mode, or in
    server mode while no enabled admin exists yet (to create the first one).

    Raises
    ------
    SociaparisError
        ``ACCOUNT_005`` for an unknown name, ``ACCOUNT_013`` for a disabled
        account, ``ACCOUNT_012`` for no name in server mode once an admin exists.
    """
    if username:
        user = _user_named(session, username)
        if user.disabled:
            raise SociaparisError(AccountError.ACTOR_DISABLED, username=username)
        return _account(user)
    if mode == "single" or _enabled_admins(session) == 0:
        return LOCAL_ADMIN
    raise SociaparisError(AccountError.ACTOR_REQUIRED)


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
