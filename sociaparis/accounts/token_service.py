"""Personal API tokens: create (shown once), list, revoke, and authenticate.

A token is 256 random bits; only its SHA-256 is stored (like the browser
sessions), so a copy of the database gives no usable token. A token acts as its
account with the account's current role: changing the role changes what the
token may do, disabling the account stops it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.models import ApiToken, User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account, _user_named
from sociaparis.core.db import utcnow
from sociaparis.core.errors import SociaparisError

#: Tokens start with this, so that a leaked one is recognisable (secret scanners).
TOKEN_PREFIX = "spt_"
#: ``last_used_at`` is written at most this often per token.
LAST_USED_PRECISION = timedelta(minutes=1)
MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed: never the token itself, which is shown only at creation."""

    id: int
    username: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Not revoked."""
        return self.revoked_at is None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (times in ISO 8601)."""
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "last_used_at": _iso(self.last_used_at),
            "revoked_at": _iso(self.revoked_at),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: ApiToken, username: str) -> TokenInfo:
    return TokenInfo(
        row.id, username, row.name, row.created_at, row.last_used_at, row.revoked_at
    )


def create_token(
    *, session: Session, username: str, name: str = "", now: datetime | None = None
) -> tuple[TokenInfo, str]:
    """Create a personal API token for ``username``.

    Parameters
    ----------
    username
        The account the token acts as.
    name
        What the token is for ("notebook on my laptop"), shown by :func:`list_tokens`.

    Returns
    -------
    tuple of TokenInfo and str
        The stored token's description and the secret token itself, which is
        not stored and cannot be shown again.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_005`` if there is no such account, ``ACCOUNT_034`` for a name
        over 200 characters.
    """
    if len(name) > MAX_NAME_LENGTH:
        raise SociaparisError(
            AccountError.BAD_TOKEN_NAME, maximum=MAX_NAME_LENGTH, length=len(name)
        )
    user = _user_named(session, username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=_hash(token), user_id=user.id, name=name, created_at=now or utcnow()
    )
    session.add(row)
    session.flush()
    return _info(row, user.username), token


def list_tokens(*, session: Session, username: str | None = None) -> list[TokenInfo]:
    """Every token (of ``username`` if given), revoked ones included, oldest first.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_005`` if ``username`` names no account.
    """
    query = (
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.id)
    )
    if username is not None:
        query = query.where(ApiToken.user_id == _user_named(session, username).id)
    return [_info(row, name) for row, name in session.execute(query)]


def revoke_token(
    *, session: Session, token_id: int, now: datetime | None = None
) -> TokenInfo:
    """Revoke the token ``token_id``: the next request that sends it gets a 401.

    The row is kept (with the time of revocation) so that the list shows what
    existed.

    Raises
    ------
    SociaparisError
        ``ACCOUNT_030`` if there is no such token, ``ACCOUNT_031`` if it was
        already revoked.
    """
    found = session.execute(
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id)
    ).first()
    if found is None:
        raise SociaparisError(AccountError.UNKNOWN_TOKEN, token_id=token_id)
    row, username = found
    if row.revoked_at is not None:
        raise SociaparisError(
            AccountError.TOKEN_REVOKED,
            token_id=token_id,
            revoked_at=row.revoked_at.isoformat(timespec="seconds"),
        )
    row.revoked_at = now or utcnow()
    session.flush()
    return _info(row, username)


# Built once: authenticating is on the path of every API request.
_BY_HASH = (
    select(
        ApiToken.id,
        ApiToken.last_used_at,
        User.id,
        User.username,
        User.role,
        User.display_name,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        User.disabled.is_(False),
    )
)
_TOUCH = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


def token_account(
    *, session: Session, token: str, now: datetime | None = None
) -> Account | None:
    """The account a request acts as when it sends ``token``; None if it may not.

    None for an unknown or revoked token and for a disabled account. The token's
    ``last_used_at`` is brought up to date when it is more than a minute old.
    """
    now = now or utcnow()
    connection = session.connection()
    found = connection.execute(_BY_HASH, {"token_hash": _hash(token)}).first()
    if found is None:
        return None
    token_id, last_used, user_id, username, role, display_name = found
    if last_used is None or _aware(last_used) <= now - LAST_USED_PRECISION:
        connection.execute(_TOUCH, {"token_id": token_id, "now": now})
    return Account(user_id, username, Role(role), display_name, False)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
