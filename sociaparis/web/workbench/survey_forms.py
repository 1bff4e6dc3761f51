"""Researcher pages for field operations: forms (upload, check, store, preview,
simulate, open and close) and invitations (staff list, e-mails, send log).

Each handler parses the request, calls one function of
:mod:`sociaparis.survey.fielding.operations` or
:mod:`sociaparis.survey.fielding.mailing` (the CLI's twins), and renders.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.core.errors import Issue, SociaparisError
from sociaparis.survey.fielding import mailing as mail_service
from sociaparis.survey.fielding import operations
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.invitation_csv import MAX_CSV_BYTES
from sociaparis.survey.fielding.layout import initial_values, page_view
from sociaparis.survey.fielding.mail import SmtpSettings, read_links_file
from sociaparis.survey.fielding.service import fielded_version, get_fielding
from sociaparis.survey.logic import next_page
from sociaparis.survey.service import list_instruments
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import error_text, location_text, pick_language, translate
from sociaparis.web.render import render
from sociaparis.web.security import served_url
from sociaparis.web.workbench.uploads import (
    MAX_UPLOAD_BYTES,
    read_upload_form,
    uploaded_bytes,
)

router = APIRouter()
MAX_ANSWERS_BYTES = 1_000_000


def _context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        can_field=user.role.can_field_survey(),
        **values,
    )


def _refused(error: SociaparisError) -> None:
    """A refusal for the account's role is 403; another refusal is left as is."""
    if error.error is FieldingError.NOT_ALLOWED:
        raise HTTPException(status_code=403, detail="forbidden") from None
    raise error


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _warning_rows(warnings: Iterable[Issue], lang: str) -> list[tuple[str, str, str]]:
    """The check's warnings as its table shows them, in ``lang``: the code,
    where in the form, and the message (:func:`error_text`, its location being
    in the column before)."""
    return [
        (
            issue.code,
            location_text(issue.location, lang) if issue.location else "",
            error_text(replace(issue, location=None), lang),
        )
        for issue in warnings
    ]


# -- forms ----------------------------------------------------------------------------


@router.get("/forms")
def forms_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    versions = operations.instrument_versions(list_instruments(session=session))
    return render(
        request,
        "workbench/survey/forms.html",
        _context(request, user, lang, forms=versions),
    )


@router.post("/forms/upload")
async def upload_form(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    form = await read_upload_form(request, max_bytes=operations.MAX_FORM_BYTES)
    upload = await uploaded_bytes(form, "form", max_bytes=operations.MAX_FORM_BYTES)
    if upload is None:
        raise HTTPException(status_code=400, detail="no_file")
    report = operations.check_form(upload[1], filename=upload[0])
    added = None
    if form.get("action") == "add" and report.ok:
        try:
            added = operations.add_form_version(
                session=session, actor=user, report=report
            )
        except SociaparisError as error:
            _refused(error)
    return render(
        request,
        "workbench/survey/check.html",
        _context(
            request,
            user,
            lang,
            report=report,
            added=added,
            warning_rows=_warning_rows(report.warnings, pick_language(lang)),
        ),
        status_code=200 if report.ok else 422,
        json_twin=False,
    )


def _form_page(
    request: Request,
    user: Any,
    session: Any,
    form_id: str,
    lang: str | None,
    *,
    simulation: dict | None = None,
    answers_text: str = "",
    simulation_error: str = "",
    status_code: int = 200,
) -> Response:
    versions = list_instruments(session=session, form_id=form_id)
    if not versions:
        raise HTTPException(status_code=404, detail="not_found")
    try:
        fielding = get_fielding(session=session, form_id=form_id)
    except SociaparisError:
        fielding = None
    return render(
        request,
        "workbench/survey/form.html",
        _context(
            request,
            user,
            lang,
            form_id=form_id,
            versions=sorted(versions, key=lambda v: v.version_number, reverse=True),
            fielding=fielding,
            simulation=simulation,
            simulation_json=(
                json.dumps(simulation, ensure_ascii=False, indent=2)
                if simulation is not None
                else ""
            ),
            answers_text=answers_text,
            simulation_error=simulation_error,
        ),
        status_code=status_code,
        json_twin=False,
    )


@router.get("/forms/{form_id}")
def form_page(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    return _form_page(request, user, session, form_id, lang)


@router.post("/forms/{form_id}/simulate")
async def simulate_form(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await read_upload_form(request, max_bytes=MAX_ANSWERS_BYTES)
    upload = await uploaded_bytes(form, "answers_file", max_bytes=MAX_ANSWERS_BYTES)
    text = str(form.get("answers") or "")
    if upload is not None:
        text = upload[1].decode("utf-8", errors="replace")
    stored = fielded_version(session=session, form_id=form_id)
    try:
        result = operations.simulate_answers(
            stored.instrument, text, lang=pick_language(lang)
        )
    except SociaparisError as error:
        return _form_page(
            request,
            user,
            session,
            form_id,
            lang,
            answers_text=text,
            simulation_error=f"{error.code} : {error_text(error, pick_language(lang))}",
            status_code=422,
        )
    return _form_page(
        request, user, session, form_id, lang, simulation=result, answers_text=text
    )


def _set_closed(
    request: Request, session: Any, user: Any, form_id: str, token: str, closed: bool
) -> Response:
    require_session_csrf(request, token)
    try:
        operations.set_fielding_closed(
            session=session, actor=user, form_id=form_id, closed=closed
        )
    except SociaparisError as error:
        _refused(error)
    return _see_other(f"/forms/{form_id}")


@router.post("/forms/{form_id}/open")
def open_form(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    return _set_closed(request, session, user, form_id, csrf_token, closed=False)


@router.post("/forms/{form_id}/close")
def close_form(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    return _set_closed(request, session, user, form_id, csrf_token, closed=True)


# -- preview --------------------------------------------------------------------------


def _preview(
    request: Request,
    user: Any,
    stored: Any,
    page_name: str,
    lang: str,
    *,
    answers: dict,
    errors: tuple = (),
    status_code: int = 200,
) -> Response:
    instrument = stored.instrument
    layout = page_view(
        instrument,
        answers,
        page_name,
        lang=lang,
        errors=errors,
        initial=None if errors else initial_values(instrument),
    )
    return render(
        request,
        "workbench/survey/preview.html",
        _context(
            request,
            user,
            lang,
            form_id=stored.form_id,
            title=instrument.title,
            version=stored.version,
            page=layout,
            answers_json=json.dumps(answers, ensure_ascii=False),
            first=layout.position <= 1,
            last=layout.position >= layout.total,
        ),
        status_code=status_code,
        json_twin=False,
    )


@router.get("/forms/{form_id}/preview")
def preview_start(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    stored = fielded_version(session=session, form_id=form_id)
    instrument = stored.instrument
    page_lang = pick_language(lang, instrument.languages)
    first = next_page(instrument, {}, None)
    if first is None:
        raise HTTPException(status_code=404, detail="not_found")
    return _preview(request, user, stored, first, page_lang, answers={})


@router.post("/forms/{form_id}/preview/{page_name}")
async def preview_submit(
    request: Request,
    form_id: str,
    page_name: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > 2_000_000:
        raise HTTPException(status_code=413, detail="upload_too_large")
    form = await request.form(max_files=0, max_fields=2000)
    require_session_csrf(request, str(form.get("_csrf") or ""))
    stored = fielded_version(session=session, form_id=form_id)
    page_lang = pick_language(lang, stored.instrument.languages)
    answers = operations.preview_answers(str(form.get("_answers") or ""))
    fields = {key: form.getlist(key) for key in form if not key.startswith("_")}
    outcome = operations.preview_step(
        stored.instrument,
        answers=answers,
        page_name=page_name,
        fields=fields,
        action=str(form.get("_action", "next"))[:20],
        instances=_int(form.get("_instances")),
        lang=page_lang,
        messages={"too_long": translate("too_long", page_lang)},
    )
    if outcome.errors:
        return _preview(
            request,
            user,
            stored,
            page_name,
            page_lang,
            answers=dict(outcome.answers),
            errors=outcome.errors,
            status_code=422,
        )
    if outcome.next_page is None:
        return render(
            request,
            "workbench/survey/preview_end.html",
            _context(
                request,
                user,
                page_lang,
                form_id=form_id,
                title=stored.instrument.title,
                answers_json=json.dumps(
                    dict(outcome.answers), ensure_ascii=False, indent=2
                ),
            ),
            json_twin=False,
        )
    return _preview(
        request,
        user,
        stored,
        outcome.next_page,
        page_lang,
        answers=dict(outcome.answers),
    )


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


# -- invitations and e-mail -----------------------------------------------------------


@router.get("/forms/{form_id}/invitations")
def invitations_page(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    log = mail_service.mailing_log(session=session, form_id=form_id)
    settings = request.app.state.settings
    status = request.app.state.mailings.status(form_id)
    return render(
        request,
        "workbench/survey/invitations.html",
        _context(
            request,
            user,
            lang,
            form_id=form_id,
            fielding=get_fielding(session=session, form_id=form_id),
            log=log,
            smtp_ready=bool(settings.smtp_host and settings.smtp_sender),
            smtp_host=settings.smtp_host,
            smtp_rate=settings.smtp_rate,
            mailing=status,
        ),
    )


@router.post("/forms/{form_id}/invitations")
async def create_invitations_from_list(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    form = await read_upload_form(request, max_bytes=MAX_CSV_BYTES)
    upload = await uploaded_bytes(form, "staff", max_bytes=MAX_CSV_BYTES)
    if upload is None:
        raise HTTPException(status_code=400, detail="no_file")
    try:
        invited = operations.invite_from_list(
            session=session,
            actor=user,
            form_id=form_id,
            invitations=operations.read_staff_list(upload[1], filename=upload[0]),
            base_url=served_url(request.scope, request.app.state.settings.base_url),
        )
    except SociaparisError as error:
        _refused(error)
    # The links file is this answer, made in memory: never written to disk here,
    # it exists on the server only while this response is sent.
    return Response(
        invited.links_csv.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="links-{form_id}.csv"',
            "x-sociaparis-invitations": str(invited.count),
        },
    )


@router.post("/forms/{form_id}/mailings")
async def start_mailing(
    request: Request,
    form_id: str,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    form = await read_upload_form(request, max_bytes=MAX_UPLOAD_BYTES)
    upload = await uploaded_bytes(form, "links", max_bytes=MAX_CSV_BYTES)
    if upload is None:
        raise HTTPException(status_code=400, detail="no_file")
    kind = str(form.get("kind") or "")
    if kind not in {"invitation", "reminder"}:
        raise HTTPException(status_code=400, detail="error_title")
    try:
        operations.require_fielder(user, "send invitation e-mails")
        get_fielding(session=session, form_id=form_id)
        settings = request.app.state.settings
        smtp = SmtpSettings.from_settings(settings)
        recipients = read_links_file(
            upload[1],
            path=upload[0],
            default_lang=pick_language(str(form.get("lang") or "fr")),
        )
    except SociaparisError as error:
        _refused(error)
    round_number = max(1, min(99, _int(form.get("round")) or 1))
    engine = request.app.state.engine
    template_folder = settings.data_dir / "mail"

    def send(report: Any) -> Any:
        return mail_service.send_mailing(
            engine=engine,
            actor=user,
            form_id=form_id,
            kind=kind,
            recipients=recipients,
            smtp=smtp,
            secret=settings.secret_key,
            round_number=round_number,
            template_folder=template_folder if template_folder.is_dir() else None,
            resend_uncertain=form.get("resend_uncertain") == "yes",
            report=report,
        )

    request.app.state.mailings.start(form_id, send)
    return _see_other(f"/forms/{form_id}/invitations")
