"""The endpoints of ``/api/v1``: each parses its input, calls one service
function (the same as the CLI's), and shapes the answer.

Every request runs in one transaction, committed before the answer leaves and
rolled back on any error, so that a refused request writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from sociaparis.accounts.errors import AccountError
from sociaparis.accounts.service import Account
from sociaparis.accounts.token_service import token_account
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.kinds import KINDS
from sociaparis.jobs.service import (
    Job,
    cancel_job,
    get_job,
    job_result,
    list_jobs,
    remove_job,
    start_job,
)
from sociaparis.qual.codebook_service import CodeInfo, add_code, list_codes
from sociaparis.qual.coding_service import (
    CodingInfo,
    apply_coding,
    codings_of,
    remove_coding,
)
from sociaparis.qual.corpus import get_document, import_document, released_text
from sociaparis.qual.matrices import code_attribute_matrix, code_case_matrix
from sociaparis.qual.provenance import Provenance, provenance
from sociaparis.qual.pseudonymization import PseudonymizationConfig
from sociaparis.qual.pseudonymize_service import release_as_proposed
from sociaparis.web.api import PREFIX
from sociaparis.web.deps import SessionDep


class ErrorOut(BaseModel):
    """Every 4xx and 5xx answer."""

    error: str = Field(description="The catalogue's code (docs/errors.md).")
    message: str


T = TypeVar("T")
_bearer = HTTPBearer(
    auto_error=False,
    description="A personal token: `sociaparis token create USERNAME`.",
)


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The token of ``Authorization: Bearer TOKEN`` (``ACCOUNT_032``, 401, if none).

    Asynchronous so that it runs on the event loop, not in a thread of its own.
    """
    if credentials is None or not credentials.credentials.strip():
        raise SociaparisError(AccountError.TOKEN_MISSING)
    return credentials.credentials.strip()


BearerToken = Annotated[str, Depends(bearer_token)]


def _authenticated(session: Session, token: str) -> Account:
    account = token_account(session=session, token=token)
    if account is None:
        raise SociaparisError(AccountError.TOKEN_INVALID)
    return account


def api_account(session: SessionDep, token: BearerToken) -> Account:
    """The account the request's token acts as (``ACCOUNT_033``, 401, if none)."""
    return _authenticated(session, token)


ApiAccount = Annotated[Account, Depends(api_account)]


async def _write(
    request: Request, token: str, work: Callable[[Session, Account], T]
) -> T:
    """Run a small write, authenticated, in the worker's next group transaction
    (:mod:`sociaparis.web.api.commits`); it returns once committed."""

    def unit(session: Session) -> T:
        return work(session, _authenticated(session, token))

    return await request.app.state.api_writes.run(unit)


_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": what}
    for status, what in (
        (401, "No token, or a revoked one (ACCOUNT_032, ACCOUNT_033)"),
        (403, "The account's role may not do this (QUAL_200)"),
        (404, "No such document, coding or job (QUAL_202, QUAL_209, JOB_002)"),
        (409, "Not possible in the document's or job's state (QUAL_205, JOB_005...)"),
        (422, "Bad input (QUAL_390, QUAL_204, JOB_004...)"),
    )
}

router = APIRouter(responses=_ERRORS)


# ------------------------------------------------------------------ codebook


class CodeOut(BaseModel):
    """A code of the codebook."""

    id: int
    name: str
    parent_id: int | None
    color: str | None
    definition: str


class CodeIn(BaseModel):
    """A new code."""

    name: str = Field(min_length=1, max_length=200)
    parent_id: int | None = Field(None, description="Its parent (none: top level).")
    definition: str = ""
    color: str | None = Field(None, description="#RRGGBB")


def _code(info: CodeInfo) -> CodeOut:
    return CodeOut(
        id=info.id,
        name=info.name,
        parent_id=info.parent_id,
        color=info.color,
        definition=info.description,
    )


@router.get("/codes", summary="The codebook, depth first")
def get_codes(session: SessionDep, _account: ApiAccount) -> list[CodeOut]:
    """Every code, parents before their sub-codes."""
    return [_code(info) for info in list_codes(session=session)]


@router.post("/codes", status_code=201, summary="Add a code")
async def post_code(body: CodeIn, request: Request, token: BearerToken) -> CodeOut:
    """Add a code (researchers and admins; a sibling may not have the same name)."""
    info = await _write(
        request,
        token,
        lambda session, account: add_code(
            session=session,
            actor=account,
            name=body.name,
            parent=body.parent_id,
            description=body.definition,
            color=body.color,
        ),
    )
    return _code(info)


# ------------------------------------------------------------------ documents


class DocumentCreated(BaseModel):
    """A document just imported."""

    id: int
    title: str
    status: Literal["imported", "under_review", "released"]
    turns: int
    warnings: list[str]


class DocumentOut(BaseModel):
    """A released document and its text, which codings' offsets refer to."""

    id: int
    title: str
    case: str | None = Field(description="Its (first) case.")
    status: Literal["released"]
    text: str


@router.post("/documents", status_code=201, summary="Import a document")
def post_document(
    session: SessionDep,
    account: ApiAccount,
    file: Annotated[
        UploadFile,
        File(description="TXT, MD, DOCX, ODT, VTT, SRT, Whisper JSON or noScribe HTML"),
    ],  # fmt: skip
    case: Annotated[str | None, Form(description="Its case (created if new).")] = None,
    speakers: Annotated[bool, Form(description="Read 'NAME: text' as turns.")] = False,
    pseudonymize: Annotated[
        bool, Form(description="False: released at once, ready to code.")
    ] = True,
) -> DocumentCreated:
    """Import a file into a case. With ``pseudonymize`` (the default) it must be
    released (``POST /documents/{id}/release``) before it can be read or coded."""
    data = file.file.read()
    info = import_document(
        session=session,
        actor=account,
        data=data,
        filename=file.filename or "document.txt",
        detect_speakers=speakers,
        case=case or None,
        needs_pseudonymization=pseudonymize,
    )
    return DocumentCreated(
        id=info.id,
        title=info.title,
        status=info.status,  # type: ignore[arg-type]
        turns=info.turns,
        warnings=[str(w) for w in info.warnings],
    )


def _document(session: SessionDep, document_id: int) -> DocumentOut:
    text = released_text(session=session, ref=document_id)
    info = get_document(session=session, ref=document_id)
    return DocumentOut(
        id=info.id,
        title=info.title,
        case=info.cases[0] if info.cases else None,
        status="released",
        text=text,
    )


@router.get("/documents/{document_id}", summary="A released document and its text")
def get_document_(
    document_id: int, session: SessionDep, _account: ApiAccount
) -> DocumentOut:
    """The document with its text; 409 (QUAL_205) until it is released."""
    return _document(session, document_id)


@router.post(
    "/documents/{document_id}/release", summary="Accept the proposals and release"
)
def post_release(
    document_id: int,
    session: SessionDep,
    account: ApiAccount,
    ner: Annotated[
        bool, Query(description="Also look for names with spaCy's model (slower).")
    ] = True,
) -> DocumentOut:
    """Pseudonymize with every proposed replacement accepted, and release.

    A document still *imported* is first searched for names, e-mails,
    telephone numbers...; one under review keeps the decisions already taken.
    """
    release_as_proposed(
        session=session,
        actor=account,
        document=document_id,
        config=PseudonymizationConfig(use_ner=ner),
    )
    return _document(session, document_id)


# ------------------------------------------------------------------ codings


class CodingOut(BaseModel):
    """A code applied to ``text[start:end]`` of a document, and where it came
    from: ``origin`` is ``human``, or ``model`` for a model's proposal that a
    person accepted (``model`` names it, ``accepted_by`` the person)."""

    id: int
    code_id: int
    start: int
    end: int
    coder: str | None
    memo: str | None
    origin: str = "human"
    model: str = ""
    accepted_by: str = ""


class CodingIn(BaseModel):
    """A new coding; offsets are code points of the document's text, end
    exclusive."""

    code_id: int
    start: int
    end: int
    memo: str | None = None


def _coding(info: CodingInfo, origin: Provenance | None = None) -> CodingOut:
    origin = origin or Provenance()
    return CodingOut(
        id=info.id,
        code_id=info.code_id,
        start=info.start,
        end=info.end,
        coder=info.coder,
        memo=info.memo,
        origin=origin.origin,
        model=origin.model,
        accepted_by=origin.accepted_by,
    )


@router.get("/documents/{document_id}/codings", summary="The codings of a document")
def get_codings(
    document_id: int, session: SessionDep, _account: ApiAccount
) -> list[CodingOut]:
    """Every coding of the document, by start, with its provenance."""
    codings = codings_of(session=session, document=document_id)
    origins = provenance(session=session, codings=[(c.guid, c.coder) for c in codings])
    return [_coding(c, origins[c.guid]) for c in codings]


@router.post("/documents/{document_id}/codings", status_code=201, summary="Code a span")
async def post_coding(
    document_id: int, body: CodingIn, request: Request, token: BearerToken
) -> CodingOut:
    """Apply a code to ``text[start:end]`` of a released document (kept in the
    history)."""
    info = await _write(
        request,
        token,
        lambda session, account: apply_coding(
            session=session,
            actor=account,
            document=document_id,
            code=body.code_id,
            start=body.start,
            end=body.end,
            memo=body.memo,
        ),
    )
    return _coding(info)


@router.delete("/codings/{coding_id}", status_code=204, summary="Remove a coding")
async def delete_coding(coding_id: int, request: Request, token: BearerToken) -> Response:
    """Remove a coding (coders only their own); the history keeps it."""
    await _write(
        request,
        token,
        lambda session, account: remove_coding(
            session=session, actor=account, coding=coding_id
        ),
    )
    return Response(status_code=204)


# ------------------------------------------------------------------ matrices


class MatrixOut(BaseModel):
    """Numbers of codings per code (rows) and case or attribute value (cols)."""

    rows: list[str] = Field(description="Code paths 'A > B', in codebook order.")
    cols: list[str]
    counts: list[list[int]]
    documents: list[list[int]] = Field(description="Distinct documents per cell.")


@router.get("/matrix", summary="Code x case (or x attribute) matrix")
def get_matrix(
    session: SessionDep,
    _account: ApiAccount,
    rows: Literal["codes"] = "codes",
    cols: Annotated[
        str, Query(description="'cases', or the name of a case attribute.")
    ] = "cases",
    subcodes: Annotated[
        bool, Query(description="Count sub-codes' codings in their parents' rows.")
    ] = False,
    coder: Annotated[str | None, Query(description="Only this coder's codings.")] = None,
) -> MatrixOut:
    """Codings per code and case (``cols=cases``) or per code and value of a case
    attribute (``cols=NAME``)."""
    matrix = (
        code_case_matrix(session=session, include_subcodes=subcodes, coder=coder)
        if cols == "cases"
        else code_attribute_matrix(
            session=session, attribute=cols, include_subcodes=subcodes, coder=coder
        )
    )
    return MatrixOut(
        rows=list(matrix.rows),
        cols=list(matrix.columns),
        counts=matrix.codings.values.tolist(),
        documents=matrix.documents.values.tolist(),
    )


# ------------------------------------------------------------------ jobs


class JobIn(BaseModel):
    """A job to start: its kind and the kind's parameters (docs/jobs.md)."""

    kind: str = Field(description="One of: " + ", ".join(KINDS) + ".")
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="As `sociaparis job start` takes them, e.g. "
        '{"form_id": "staff_llm", "fmt": "csv"} for an export, '
        '{"documents": [12, 13], "use_ner": true} for a pseudonymization.',
    )


class JobOut(BaseModel):
    """A job as its owner (or an administrator) sees it."""

    id: int
    kind: str
    title: str
    owner: str
    parameters: dict[str, Any]
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    percent: int
    step: str
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result_name: str | None = Field(description="The result's file name, once done.")
    result_bytes: int | None
    result_url: str | None = Field(description="Where to download it, once done.")
    error: ErrorOut | None = Field(
        description="Why it failed or was cancelled (the catalogue's code)."
    )


def _job(job: Job) -> JobOut:
    failure = job.failure
    return JobOut(
        id=job.id,
        kind=job.kind,
        title=job.title,
        owner=job.owner,
        parameters=job.parameters,
        status=job.status,  # type: ignore[arg-type]
        percent=job.percent,
        step=job.step,
        cancel_requested=job.cancel_requested,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result_name=job.result_name,
        result_bytes=job.result_bytes,
        result_url=f"{PREFIX}/jobs/{job.id}/result" if job.status == "done" else None,
        error=(
            None
            if failure is None
            else ErrorOut(error=failure.code, message=failure.message)
        ),
    )


def _data_dir(request: Request) -> Any:
    return request.app.state.settings.data_dir


@router.post("/jobs", status_code=202, summary="Start a job")
def post_job(
    body: JobIn,
    request: Request,
    response: Response,
    session: SessionDep,
    account: ApiAccount,
) -> JobOut:
    """Queue a job (an export, a report, a pseudonymization...); follow it with
    ``GET /jobs/{id}`` and download its result once ``done``. The kind checks
    the account's role and the parameters now (and the role again when the
    job runs)."""
    job = start_job(
        session=session,
        actor=account,
        kind=body.kind,
        parameters=body.parameters,
        queue=request.app.state.jobs_queue,
    )
    response.headers["Location"] = f"{PREFIX}/jobs/{job.id}"
    return _job(job)


@router.get("/jobs", summary="The account's jobs, newest first")
def get_jobs(
    request: Request,
    session: SessionDep,
    account: ApiAccount,
    everyone: Annotated[
        bool, Query(description="Every account's jobs (administrators only).")
    ] = False,
) -> list[JobOut]:
    """The newest 200 jobs of the account (or of everyone, for an administrator)."""
    jobs = list_jobs(
        session=session, actor=account, everyone=everyone, data_dir=_data_dir(request)
    )
    return [_job(job) for job in jobs]


@router.get("/jobs/{job_id}", summary="A job and its progress")
def get_job_(
    job_id: int, request: Request, session: SessionDep, account: ApiAccount
) -> JobOut:
    """The job, with a running job's latest percent and step; 404 (JOB_002) for
    another account's job."""
    data_dir = _data_dir(request)
    return _job(get_job(session=session, actor=account, job_id=job_id, data_dir=data_dir))


@router.post("/jobs/{job_id}/cancel", status_code=202, summary="Cancel a job")
def post_cancel(
    job_id: int, request: Request, session: SessionDep, account: ApiAccount
) -> JobOut:
    """Cancel a queued job at once, a running one at its next progress point;
    409 (JOB_005) once it is over."""
    return _job(
        cancel_job(
            session=session,
            actor=account,
            job_id=job_id,
            queue=request.app.state.jobs_queue,
        )
    )


@router.get(
    "/jobs/{job_id}/result",
    summary="Download a job's result",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_result(
    job_id: int, request: Request, session: SessionDep, account: ApiAccount
) -> FileResponse:
    """The result file (a zip, a report's HTML...); 409 (JOB_006) until the job
    is done."""
    path, media_type = job_result(
        session=session, actor=account, job_id=job_id, data_dir=_data_dir(request)
    )
    return FileResponse(path, media_type=media_type, filename=path.name)


@router.delete("/jobs/{job_id}", status_code=204, summary="Remove a finished job")
def delete_job(
    job_id: int, request: Request, session: SessionDep, account: ApiAccount
) -> Response:
    """Remove a job that is over, and its result; 409 (JOB_014) while it runs."""
    remove_job(session=session, actor=account, job_id=job_id, data_dir=_data_dir(request))
    return Response(status_code=204)
