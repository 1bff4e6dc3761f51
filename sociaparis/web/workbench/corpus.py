"""Researcher pages of the qualitative corpus: upload, documents by case, the
case table, pseudonymization review and release, the re-identification table.

Each handler parses the request, calls one function of
:mod:`sociaparis.qual.intake`, :mod:`sociaparis.qual.casebook`,
:mod:`sociaparis.qual.corpus` or :mod:`sociaparis.qual.pseudonymize_service`
(the CLI's twins), and renders.  Role checks are the services'; a refusal for
the role is answered 403.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from sociaparis.accounts.roles import Role
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.service import proposals_under_way, start_job
from sociaparis.qual import casebook, intake
from sociaparis.qual import pseudonymize_service as ps
from sociaparis.qual.corpus import STATUSES, can_manage, ensure_case, get_document
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.pseudonymization import EntityKind
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render
from sociaparis.web.workbench.corpus_view import review_rows, review_segments

router = APIRouter()

#: the largest upload body: every file at its limit would be far more, but a
#: batch of transcripts is small; past this the whole upload is refused (413)
MAX_UPLOAD_BODY = 100_000_000
KINDS = tuple(k.value for k in EntityKind)


def _context(request: Request, user: Any, lang: str | None, **values: Any) -> dict:
    return page_context(
        request,
        user,
        lang,
        can_manage=can_manage(user),
        section="corpus",
        **values,
    )


def _refused(error: SociaparisError) -> None:
    """A refusal for the account's role is 403; another refusal is left as is."""
    if error.error is CorpusError.NOT_ALLOWED:
        raise HTTPException(status_code=403, detail="forbidden") from None
    raise error


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def _error_text(error: SociaparisError, lang: str | None) -> str:
    return f"{error.code} : {error_text(error, pick_language(lang))}"


# -- corpus: documents by case, filters, upload ----------------------------------------


@router.get("/qual/corpus")
def corpus_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
    status: str = "",
    case: str = "",
    attribute: str = "",
    value: str = "",
) -> Response:
    status = status if status in STATUSES else ""
    documents = casebook.find_documents(
        session=session, status=status, case=case, attribute=attribute, value=value
    )
    table = casebook.case_table(session=session)
    return render(
        request,
        "workbench/corpus/corpus.html",
        _context(
            request,
            user,
            lang,
            groups=casebook.documents_by_case(documents),
            count=len(documents),
            statuses=STATUSES,
            cases=[row.name for row in table.rows],
            attributes=[a.name for a in table.attributes],
            filters={
                "status": status,
                "case": case,
                "attribute": attribute,
                "value": value,
            },
            max_files=intake.MAX_FILES,
            max_megabytes=intake.MAX_FILE_BYTES // 1_000_000,
            proposing=proposals_under_way(session=session, actor=user),
        ),
        json_twin=False,
    )


async def _upload_form(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise HTTPException(status_code=411, detail="error_title")
    if int(declared) > MAX_UPLOAD_BODY:
        raise HTTPException(status_code=413, detail="upload_too_large")
    form = await request.form(
        max_files=intake.MAX_FILES + 1, max_fields=20, max_part_size=100_000
    )
    token = form.get("csrf_token")
    require_session_csrf(request, token if isinstance(token, str) else None)
    return form


async def _files(form: Any) -> list[tuple[str, bytes]]:
    files = []
    for upload in form.getlist("files"):
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        # One byte past the limit is enough to refuse the file in its report.
        data = await upload.read(intake.MAX_FILE_BYTES + 1)
        await upload.close()
        files.append((upload.filename.replace("\\", "/").rpartition("/")[2][:200], data))
    return files


@router.post("/qual/corpus/upload")
async def upload(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    form = await _upload_form(request)
    files = await _files(form)
    job = None
    try:
        # The files are read and stored in the request; the search for their
        # names, places and numbers is one background job for all of them.
        report = intake.import_files(
            session=session,
            actor=user,
            files=files,
            case=str(form.get("case") or "").strip()[:500] or None,
            detect_speakers=form.get("speakers") == "yes",
            pseudonymize=form.get("pseudonymize") == "yes",
            max_files=intake.MAX_FILES,
            max_bytes=intake.MAX_FILE_BYTES,
            propose=False,
        )
        waiting = report.awaiting_proposals
        if waiting:
            job = start_job(
                session=session,
                actor=user,
                kind="pseudonymize",
                parameters={"documents": waiting},
                queue=request.app.state.jobs_queue,
            )
    except SociaparisError as error:
        _refused(error)
    return render(
        request,
        "workbench/corpus/report.html",
        _context(request, user, lang, report=report, job=job),
        status_code=200 if report.imported else 422,
        json_twin=False,
    )


@router.post("/qual/corpus/{document_id}/pseudonymize")
def pseudonymize(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    lang: str | None = None,
) -> Response:
    """Start the search for the document's names, places and numbers as a job
    (seconds to minutes on a long interview); its page leads to the review."""
    require_session_csrf(request, csrf_token)
    try:
        job = start_job(
            session=session,
            actor=user,
            kind="pseudonymize",
            parameters={"documents": [document_id]},
            queue=request.app.state.jobs_queue,
        )
    except SociaparisError as error:
        _refused(error)
    return _see_other(f"/jobs/{job.id}?lang={pick_language(lang)}")


# -- cases -------------------------------------------------------------------------------


def _cases_page(
    request: Request,
    user: Any,
    session: Any,
    lang: str | None,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "workbench/corpus/cases.html",
        _context(
            request,
            user,
            lang,
            table=casebook.case_table(session=session),
            types=casebook.ATTRIBUTE_TYPES,
            error=error,
        ),
        status_code=status_code,
        json_twin=False,
    )


@router.get("/qual/cases")
def cases_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    return _cases_page(request, user, session, lang)


def _case_change(
    request: Request, user: Any, session: Any, lang: str | None, change: Any
) -> Response:
    try:
        change()
    except SociaparisError as error:
        if error.error is CorpusError.NOT_ALLOWED:
            _refused(error)
        return _cases_page(
            request,
            user,
            session,
            lang,
            error=_error_text(error, lang),
            status_code=422,
        )
    return _see_other(f"/qual/cases?lang={pick_language(lang)}")


@router.post("/qual/cases")
def add_case(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form(max_length=500)] = "",
    kind: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    if not name.strip():
        raise HTTPException(status_code=400, detail="error_title")
    return _case_change(
        request,
        user,
        session,
        lang,
        lambda: ensure_case(session=session, actor=user, name=name.strip(), kind=kind),
    )


@router.post("/qual/cases/attributes")
def add_attribute(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form(max_length=300)] = "",
    type: Annotated[str, Form(max_length=16)] = "Text",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    return _case_change(
        request,
        user,
        session,
        lang,
        lambda: casebook.add_attribute(session=session, actor=user, name=name, kind=type),
    )


@router.post("/qual/cases/{case_id}")
async def save_case_row(
    request: Request,
    case_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await request.form(max_files=0, max_fields=1000, max_part_size=10_000)
    require_session_csrf(request, str(form.get("csrf_token") or ""))
    cells = {
        key[5:]: str(value)[:1000]
        for key, value in form.items()
        if key.startswith("cell:")
    }
    return _case_change(
        request,
        user,
        session,
        lang,
        lambda: casebook.set_case_cells(
            session=session, actor=user, case=case_id, cells=cells
        ),
    )


# -- pseudonymization review -------------------------------------------------------------


def _review_page(
    request: Request,
    user: Any,
    session: Any,
    document_id: int,
    lang: str | None,
    *,
    error: str = "",
    status_code: int = 200,
) -> Response:
    try:
        review = ps.get_review(session=session, actor=user, document=document_id)
    except SociaparisError as error_:
        _refused(error_)
    document = get_document(session=session, ref=document_id)
    return render(
        request,
        "workbench/corpus/review.html",
        _context(
            request,
            user,
            lang,
            document=document,
            review=review,
            segments=review_segments(review.text, review.replacements),
            rows=review_rows(review.text, review.replacements),
            kinds=KINDS,
            pending=len(review.pending),
            error=error,
        ),
        status_code=status_code,
        json_twin=False,
    )


@router.get("/qual/corpus/{document_id}/review")
def review_page(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    return _review_page(request, user, session, document_id, lang)


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _decision(form: Any) -> dict[str, Any]:
    """The review decision a form sends: ``do`` names it; ``resize:START:END``
    carries a word step's bounds."""
    do = str(form.get("do") or "")
    index = _int(form.get("index"))
    if do.startswith("resize:"):
        _, start, end = (do.split(":") + ["", ""])[:3]
        return {
            "action": "resize",
            "index": index,
            "start": _int(start),
            "end": _int(end),
        }
    if do == "bounds":
        return {
            "action": "resize",
            "index": index,
            "start": _int(form.get("start")),
            "end": _int(form.get("end")),
        }
    if do in {"accept", "reject", "accept_all"}:
        return {"action": do, "index": index}
    if do == "relabel":
        return {"action": do, "index": index, "label": str(form.get("label") or "")}
    if do == "add":
        return {
            "action": "add",
            "start": _int(form.get("start")),
            "end": _int(form.get("end")),
            "kind": str(form.get("kind") or ""),
        }
    if do == "add_everywhere":
        return {
            "action": "add_everywhere",
            "phrase": str(form.get("phrase") or "")[:500],
            "kind": str(form.get("kind") or ""),
        }
    raise HTTPException(status_code=400, detail="error_title")


@router.post("/qual/corpus/{document_id}/review")
async def review_decision(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    form = await request.form(max_files=0, max_fields=20, max_part_size=10_000)
    require_session_csrf(request, str(form.get("csrf_token") or ""))
    decision = _decision(form)
    try:
        ps.review(session=session, actor=user, document=document_id, **decision)
    except SociaparisError as error:
        if error.error is CorpusError.NOT_ALLOWED:
            _refused(error)
        return _review_page(
            request,
            user,
            session,
            document_id,
            lang,
            error=_error_text(error, lang),
            status_code=422,
        )
    anchor = f"#r-{decision['index']}" if decision.get("index") is not None else ""
    return _see_other(
        f"/qual/corpus/{document_id}/review?lang={pick_language(lang)}{anchor}"
    )


@router.post("/qual/corpus/{document_id}/release")
def release(
    request: Request,
    document_id: int,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        ps.release_document(session=session, actor=user, document=document_id)
    except SociaparisError as error:
        if error.error is CorpusError.NOT_ALLOWED:
            _refused(error)
        return _review_page(
            request,
            user,
            session,
            document_id,
            lang,
            error=_error_text(error, lang),
            status_code=422,
        )
    query = urlencode({"lang": pick_language(lang), "released": document_id})
    return _see_other(f"/qual/corpus?{query}")


# -- the re-identification table (admins) ------------------------------------------------


@router.get("/qual/corpus/reidentification")
def reidentification_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    try:
        table = ps.reidentification_table(session=session, actor=user)
    except SociaparisError as error:
        _refused(error)
    return render(
        request,
        "workbench/corpus/reidentification.html",
        _context(
            request, user, lang, entries=table.entries, is_admin=user.role is Role.ADMIN
        ),
        json_twin=False,
    )
