"""Researcher login and logout."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.accounts.service import authenticate
from sociaparis.web.deps import SessionDep, require_session_csrf, session_csrf_token
from sociaparis.web.i18n import pick_language
from sociaparis.web.render import render

router = APIRouter()


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
    client = request.client.host if request.client else "unknown"
    if not request.app.state.login_limiter.allow(f"{client}:{username}"):
        raise HTTPException(status_code=429, detail="too_many_attempts")
    account = authenticate(session=session, username=username, password=password)
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
    request.session["user_id"] = account.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(
    request: Request, csrf_token: Annotated[str, Form(max_length=128)] = ""
) -> Response:
    require_session_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
