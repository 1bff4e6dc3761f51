"""The JSON API under ``/api/v1`` for scripts and notebooks (see docs/api.md).

It is a FastAPI application of its own, reached by
:class:`~sociaparis.web.app.Application` for every path under ``/api/``: it
authenticates by personal token only (no cookie, hence no CSRF to check), and
answers every error, 404 and 500 included, as JSON
``{"error": CODE, "message": ...}``, never as an HTML page.
"""

from __future__ import annotations

import logging
import math
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException

from sociaparis import __version__
from sociaparis.accounts.errors import AccountError
from sociaparis.core.db import is_lock_timeout
from sociaparis.core.errors import ErrorCode, SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.web.api.commits import GroupCommit
from sociaparis.web.api.errors import ApiError
from sociaparis.web.app import ERROR_ID

logger = logging.getLogger(__name__)

PREFIX = "/api/v1"

#: HTTP status of the domain refusals that are not a plain 422 (bad input).
STATUS: dict[ErrorCode, int] = {
    AccountError.TOKEN_MISSING: 401,
    AccountError.TOKEN_INVALID: 401,
    CorpusError.NOT_ALLOWED: 403,
    CorpusError.UNKNOWN_DOCUMENT: 404,
    CorpusError.UNKNOWN_CODING: 404,
    CorpusError.NOT_RELEASED: 409,
    CorpusError.WRONG_STATUS: 409,
    CorpusError.DUPLICATE_DOCUMENT: 409,
    CorpusError.DUPLICATE_CODE: 409,
    QualError.PSEUDO_REVIEW_PENDING: 409,
    QualError.FILE_TOO_LARGE: 413,
    JobError.NOT_FOUND: 404,
    JobError.NOT_ALLOWED: 403,
    JobError.NOT_CANCELLABLE: 409,
    JobError.NO_RESULT: 409,
    JobError.STILL_ACTIVE: 409,
    JobError.RESULT_MISSING: 410,
    JobError.TOO_MANY: 429,
}


def error_response(
    status: int, error: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The API's error body: ``{"error": CODE, "message": TEXT}``."""
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(
        {"error": error.code, "message": message}, status_code=status, headers=headers
    )


def domain_error(exc: SociaparisError) -> JSONResponse:
    """A refused operation, with its catalogue code and the HTTP status it means."""
    return error_response(STATUS.get(exc.error, 422), exc.error, exc.message)


def create_api(state: State) -> FastAPI:
    """The API application, sharing ``state`` (settings, engine, sessions) with
    the site.

    Its OpenAPI description is served at ``/api/v1/openapi.json`` and a plain
    page listing the endpoints (no script, nothing from a CDN) at
    ``/api/v1/docs``.
    """
    from sociaparis.web.api import v1

    api = FastAPI(
        title="sociaparis API",
        version=__version__,
        description=(
            "Codebook, documents, codings and matrices of one study, for scripts "
            "and notebooks. Authenticate with a personal token "
            "(`sociaparis token create USERNAME`) sent as "
            "`Authorization: Bearer TOKEN`. Offsets are code points of the "
            "document's text, end exclusive."
        ),
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state = state
    state.api_writes = GroupCommit(state.sessions)
    api.include_router(v1.router, prefix=PREFIX)
    _add_error_handlers(api)

    @api.get(f"{PREFIX}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(docs_page(api.openapi()))

    return api


def docs_page(spec: dict[str, Any]) -> str:
    """A plain page listing the endpoints of ``spec`` (an OpenAPI description),
    with no script and nothing loaded from elsewhere."""
    items = []
    for path, methods in spec.get("paths", {}).items():
        for method, operation in methods.items():
            params = ", ".join(escape(p["name"]) for p in operation.get("parameters", []))
            items.append(
                f"<li><code>{escape(method.upper())} {escape(path)}</code>: "
                f"{escape(operation.get('summary', ''))}"
                + (f" <small>({params})</small>" if params else "")
                + f"<p>{escape(operation.get('description', ''))}</p></li>"
            )
    info = spec.get("info", {})
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info.get('title', 'API'))}</title>"
        '<link rel="stylesheet" href="/static/sociaparis.css"></head><body><main>'
        f"<h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))}</h1>"
        f"<p>{escape(info.get('description', ''))}</p>"
        f'<p>Machine-readable description: <a href="{PREFIX}/openapi.json">'
        f"{PREFIX}/openapi.json</a> (OpenAPI {escape(spec.get('openapi', ''))}). "
        "Guide: docs/api.md.</p>"
        f"<ul>{''.join(items)}</ul></main></body></html>"
    )


def _add_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(SociaparisError)
    async def refused(_request: Request, exc: SociaparisError) -> JSONResponse:
        return domain_error(exc)

    @api.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return error_response(
            422, ApiError.BAD_REQUEST, ApiError.BAD_REQUEST.format(problems=problems)
        )

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = request.url.path
        if exc.status_code == 405:
            error = ApiError.METHOD_NOT_ALLOWED
            message = error.format(path=path, method=request.method)
            return error_response(405, error, message, exc.headers)
        if exc.status_code == 404:
            return error_response(404, ApiError.NOT_FOUND, ApiError.NOT_FOUND.format(
                path=path))  # fmt: skip
        problems = str(exc.detail)
        return error_response(
            exc.status_code,
            ApiError.BAD_REQUEST,
            ApiError.BAD_REQUEST.format(problems=problems),
            exc.headers,
        )

    @api.exception_handler(OperationalError)
    async def database_error(request: Request, exc: OperationalError) -> JSONResponse:
        if is_lock_timeout(exc):
            seconds = max(1, math.ceil(api.state.settings.lock_timeout))
            return error_response(
                503,
                ApiError.BUSY,
                ApiError.BUSY.format(seconds=seconds),
                {"Retry-After": str(seconds)},
            )
        return unexpected(request, exc)

    @api.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
        return unexpected(request, exc)

    def unexpected(request: Request, exc: Exception) -> JSONResponse:
        error_id = secrets.token_hex(4)
        request.scope[ERROR_ID] = error_id
        logger.error(
            "unexpected error %s in API %s %s",
            error_id,
            request.method,
            request.url.path,
            exc_info=exc,
        )
        return error_response(
            500, ApiError.UNEXPECTED, ApiError.UNEXPECTED.format(error_id=error_id)
        )
