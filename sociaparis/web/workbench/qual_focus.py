"""The speaker panel of a document (``/qual/documents/{id}/speakers``).

A page beside the coding view that lists a document's speakers with their turns
and words, and, for a role that may manage the corpus, four plain HTML forms
(no script): rename a speaker, merge one speaker into another, mark or unmark
the moderator, link a speaker to a case.  Each form posts to a route that calls
one function of :mod:`sociaparis.qual.participant_service` (the twins of
``sociaparis qual speaker ...``) with the logged-in account, then redirects
(303) back to the panel.  The services check the role: a refusal is a 403
page; a refused change (``QUAL_400`` to ``QUAL_403``) shows the panel again
with its message, status 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.core.errors import SociaparisError
from sociaparis.qual import participant_service
from sociaparis.qual.corpus import can_manage, get_document, list_cases
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    require_session_csrf,
    session_csrf_token,
)
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render

router = APIRouter()

_NAME = Annotated[str, Form(max_length=400)]
_TOKEN = Annotated[str, Form(max_length=128)]


def _panel(
    request: Request,
    session: Any,
    user: Any,
    document_id: int,
    lang: str | None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    language = pick_language(lang)
    try:
        speakers = participant_service.list_speakers(
            session=session, actor=user, document=document_id
        )
    except SociaparisError as error:
        _http_refusal(error)
        raise
    manages = can_manage(user)
    return render(
        request,
        "workbench/qual/speakers.html",
        {
            "lang": language,
            "user": {"username": user.username, "role": user.role.value},
            "csrf_token": session_csrf_token(request),
            "section": "qual",
            "document": get_document(session=session, ref=document_id),
            "speakers": speakers,
            "cases": list_cases(session=session) if manages else [],
            "can_manage": manages,
            "message": message,
        },
        status_code=status_code,
        json_twin=False,
    )


def _http_refusal(error: SociaparisError) -> None:
    """Raise the HTTP answer of a refusal that is not the form's fault."""
    if error.code == "QUAL_200":
        raise HTTPException(status_code=403, detail="forbidden") from None
    if error.code == "QUAL_202":
        raise HTTPException(status_code=404, detail="not_found") from None


def _change(
    request: Request,
    session: Any,
    user: Any,
    document_id: int,
    token: str,
    lang: str | None,
    work: Callable[[], object],
) -> Response:
    """Check the form's token, run ``work`` and go back to the panel.

    A refused change leaves nothing written: it runs in a savepoint, rolled
    back on a refusal, while the request's own transaction goes on.
    """
    require_session_csrf(request, token)
    try:
        with session.begin_nested():
            work()
    except SociaparisError as error:
        _http_refusal(error)
        language = pick_language(lang)
        return _panel(
            request, session, user, document_id, lang,
            message=error_text(error, language), status_code=422,
        )  # fmt: skip
    return RedirectResponse(
        f"/qual/documents/{document_id}/speakers?lang={pick_language(lang)}",
        status_code=303,
    )


@router.get("/qual/documents/{document_id}/speakers")
def speakers_page(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    return _panel(request, session, user, document_id, lang)


@router.post("/qual/documents/{document_id}/speakers/rename")
def rename(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    speaker: _NAME = "",
    name: _NAME = "",
    csrf_token: _TOKEN = "",
    lang: str | None = None,
) -> Response:
    def work() -> object:
        return participant_service.rename_speaker(
            session=session, actor=user, document=document_id, speaker=speaker, name=name
        )

    return _change(request, session, user, document_id, csrf_token, lang, work)


@router.post("/qual/documents/{document_id}/speakers/merge")
def merge(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    speaker: _NAME = "",
    into: _NAME = "",
    csrf_token: _TOKEN = "",
    lang: str | None = None,
) -> Response:
    def work() -> object:
        return participant_service.merge_speakers(
            session=session, actor=user, document=document_id,
            speakers=[speaker], into=into,
        )  # fmt: skip

    return _change(request, session, user, document_id, csrf_token, lang, work)


@router.post("/qual/documents/{document_id}/speakers/moderator")
def moderator(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    speaker: _NAME = "",
    moderator: Annotated[str, Form(max_length=1)] = "1",
    csrf_token: _TOKEN = "",
    lang: str | None = None,
) -> Response:
    def work() -> object:
        return participant_service.set_moderator(
            session=session, actor=user, document=document_id,
            speaker=speaker, moderator=moderator == "1",
        )  # fmt: skip

    return _change(request, session, user, document_id, csrf_token, lang, work)


@router.post("/qual/documents/{document_id}/speakers/link")
def link(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    speaker: _NAME = "",
    case: _NAME = "",
    new_case: _NAME = "",
    csrf_token: _TOKEN = "",
    lang: str | None = None,
) -> Response:
    # A new name wins over the list; neither unlinks the speaker.
    chosen = new_case.strip() or case or None

    def work() -> object:
        return participant_service.link_speaker(
            session=session, actor=user, document=document_id,
            speaker=speaker, case=chosen,
        )  # fmt: skip

    return _change(request, session, user, document_id, csrf_token, lang, work)
