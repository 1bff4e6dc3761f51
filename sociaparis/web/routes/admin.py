"""The researcher's home page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sociaparis.web.deps import CurrentUser, session_csrf_token
from sociaparis.web.i18n import pick_language
from sociaparis.web.render import render

router = APIRouter()


@router.get("/")
def home(request: Request, user: CurrentUser, lang: str | None = None) -> Response:
    return render(
        request,
        "admin/home.html",
        {
            "lang": pick_language(lang),
            "user": {"username": user.username, "role": user.role.value},
            "csrf_token": session_csrf_token(request),
        },
    )
