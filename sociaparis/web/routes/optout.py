"""The opt-out page an invitation e-mail links to: ``/optout/TOKEN``.

Opening it records nothing (mail scanners follow links); the person confirms
with a button, and the opt-out is recorded by a keyed hash of the token
(:func:`~sociaparis.survey.fielding.mailing.record_optout`). Works without
JavaScript, in French (``?lang=en`` for English).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from sociaparis.core.errors import SociaparisError
from sociaparis.survey.fielding.mailing import record_optout
from sociaparis.survey.fielding.service import hash_token, invitation_form
from sociaparis.web.deps import SessionDep, require_same_site
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render
from sociaparis.web.security import check_csrf_token, make_csrf_token

router = APIRouter()


def _scope(token: str) -> str:
    return f"optout:{hash_token(token)}"


def _page(request: Request, token: str, lang: str, *, done: bool) -> Response:
    suffix = "" if lang == "fr" else "?lang=en"
    other = "?lang=en" if lang == "fr" else ""
    return render(
        request,
        "survey/optout.html",
        {
            "lang": lang,
            "done": done,
            "action": f"/optout/{token}{suffix}",
            "switch_url": f"/optout/{token}{other}",
            "csrf_token": make_csrf_token(
                request.app.state.settings.secret_key, _scope(token)
            ),
        },
        json_twin=False,
    )


def _refusal(request: Request, error: SociaparisError, lang: str) -> Response:
    return render(
        request,
        "error.html",
        {"lang": lang, "message": error_text(error, lang), "message_key": None},
        status_code=404,
        json_twin=False,
    )


@router.get("/optout/{token}")
def optout_page(
    request: Request, token: str, session: SessionDep, lang: str | None = None
) -> Response:
    lang = pick_language(lang)
    try:
        invitation_form(session=session, token=token)
    except SociaparisError as error:
        return _refusal(request, error, lang)
    return _page(request, token, lang, done=False)


@router.post("/optout/{token}")
def optout(
    request: Request,
    token: str,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    lang: str | None = None,
) -> Response:
    lang = pick_language(lang)
    require_same_site(request)
    secret = request.app.state.settings.secret_key
    if not check_csrf_token(secret, _scope(token), csrf_token):
        raise HTTPException(status_code=403, detail="csrf_failed")
    try:
        record_optout(session=session, token=token, secret=secret)
    except SociaparisError as error:
        return _refusal(request, error, lang)
    return _page(request, token, lang, done=True)
