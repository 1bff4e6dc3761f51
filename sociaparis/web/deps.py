"""Dependencies of the routes, as ``Annotated`` aliases."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account, session_account
from sociaparis.core.config import Settings
from sociaparis.web.security import check_csrf_token, is_cross_site, make_csrf_token


def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """A session in a transaction, committed before the response is sent."""
    with request.app.state.sessions.begin() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# scope="function": the transaction commits when the route returns, before the
# response leaves, so an acknowledged page is always durable.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


class LoginRequired(Exception):
    """Raised when a researcher page is asked for without a logged-in user."""


def get_current_user(request: Request, session: SessionDep) -> Account:
    """The logged-in researcher, or a redirect to the login page.

    The signed cookie only carries the session's token; whether the session
    still holds (not logged out, not ended by a role or password change or a
    disabled account, not expired) is asked of the database on every request.
    """
    token = request.session.get("session_token")
    account = (
        session_account(session=session, token=token)
        if isinstance(token, str) and token
        else None
    )
    if account is None:
        raise LoginRequired()
    return account


CurrentUser = Annotated[Account, Depends(get_current_user)]


def session_csrf_token(request: Request) -> str:
    """The CSRF token of the researcher's browser session (created on first use)."""
    seed = request.session.get("csrf_seed")
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.session["csrf_seed"] = seed
    return make_csrf_token(request.app.state.settings.secret_key, seed)


def page_context(
    request: Request, user: Account, lang: str | None, **values: Any
) -> dict[str, Any]:
    """What every researcher page's template gets: the language, the account
    (name and role), this session's CSRF token, then ``values`` (``section``
    names the page's entry in the workbench nav)."""
    from sociaparis.web.i18n import pick_language

    return {
        "lang": pick_language(lang),
        "user": {"username": user.username, "role": user.role.value},
        "csrf_token": session_csrf_token(request),
        **values,
    }


def require_same_site(request: Request) -> None:
    """Refuse a form posted from another site (403), by the browser's headers."""
    if is_cross_site(request.headers, request.app.state.settings.base_url):
        raise HTTPException(status_code=403, detail="csrf_failed")


def require_session_csrf(request: Request, token: str | None) -> None:
    """Refuse a researcher form from another site or without this session's token."""
    require_same_site(request)
    seed = request.session.get("csrf_seed", "")
    if not seed or not check_csrf_token(
        request.app.state.settings.secret_key, seed, token
    ):
        raise HTTPException(status_code=403, detail="csrf_failed")


def client_host(request: Request) -> str:
    """The client's address (a trusted proxy's ``X-Forwarded-For`` already applied)."""
    return request.client.host if request.client else "unknown"
