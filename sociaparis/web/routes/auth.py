"""Researcher login and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.service import authenticate, end_session, start_session
from sociaparis.core.errors import SociaparisError
from sociaparis.web.deps import (
    SessionDep,
    client_host,
    require_session_csrf,
    session_csrf_token,
)
from sociaparis.web.i18n import pick_language
from sociaparis.web.render import render

router = APIRouter()
RETRY_AFTER = {"Retry-After": "5"}


def _safe_next(target: str | None) -> str:
    """Only local paths may be redirected to after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str = "/", lang: str | None = None) -> Response:
    return render(
        request,
        "login.html",
        {
            "lang": pick_language(lang),
            "next": _safe_next(next),
            "csrf_token": session_csrf_token(request),
            "failed": False,
        },
    )


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2048)] = "/",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    client = client_host(request)
    state = request.app.state
    # Per client across user names first: spraying many names is one client.
    if not (
        state.login_client_limiter.allow(client)
        and state.login_limiter.allow(f"{client}:{username}")
    ):
        raise HTTPException(429, detail="too_many_attempts", headers=RETRY_AFTER)
    try:
        account = authenticate(
            session=session,
            username=username,
            password=password,
            slots=state.password_checks,
            client=client,
        )
    except SociaparisError as error:
        if error.error is not AccountError.BUSY:
            raise
        raise HTTPException(
            503, detail="too_many_attempts", headers=RETRY_AFTER
        ) from None
    if account is None:
        return render(
            request,
            "login.html",
            {
                "lang": pick_language(lang),
                "next": _safe_next(next),
                "csrf_token": session_csrf_token(request),
                "failed": True,
            },
            status_code=401,
        )
    request.session.clear()
    request.session["session_token"] = start_session(session=session, user_id=account.id)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(
    request: Request,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    require_session_csrf(request, csrf_token)
    token = request.session.get("session_token")
    if isinstance(token, str) and token:
        end_session(session=session, token=token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
