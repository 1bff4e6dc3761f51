"""Build the web application: ``create_app(settings)``.

The respondent pages take a lean path (:mod:`sociaparis.web.routing`); the
researcher pages, the log-in and the static files are a FastAPI application.
"""

from __future__ import annotations

import gc
import logging
import math
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect

from sociaparis import __version__
from sociaparis.accounts.service import HashingSlots
from sociaparis.core.config import Settings, get_settings, with_secret_key
from sociaparis.core.db import (
    ensure_schema,
    is_lock_timeout,
    make_engine,
    make_session_factory,
)
from sociaparis.core.errors import SociaparisError
from sociaparis.web.database import DatabaseBusy, DatabaseRunner
from sociaparis.web.deps import LoginRequired
from sociaparis.web.i18n import error_text, pick_language, translate
from sociaparis.web.render import make_environment, render
from sociaparis.web.routing import Routes
from sociaparis.web.security import (
    RateLimiter,
    Receive,
    Scope,
    Send,
    parse_networks,
    resolve_client,
    with_security_headers,
)
from sociaparis.web.timing import with_server_timing

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
# argon2 hashes computed at once per worker process (64 MiB and all cores each).
PASSWORD_CHECKS = min(2, os.cpu_count() or 1)


def create_app(settings: Settings | None = None, *, upgrade: bool = True) -> Application:
    """Create the ASGI application for ``settings`` (default: the environment's).

    Parameters
    ----------
    settings
        The settings to run with; tests pass their own.
    upgrade
        Create or upgrade the database schema at start (single-user mode backs an
        out-of-date SQLite file up first; server mode refuses and says what to run).
    """
    settings = with_secret_key(settings or get_settings())
    engine = make_engine(settings)
    if upgrade:
        ensure_schema(engine, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.database.close()  # its checkpoint thread, on SQLite

    app = FastAPI(
        title="sociaparis",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.templates = make_environment(settings.data_dir / "templates")
    # Log-in attempts: per client and user name, and per client across user
    # names (password spraying); at most PASSWORD_CHECKS argon2 hashes at once.
    app.state.login_limiter = RateLimiter(rate=0.2, burst=10)
    app.state.login_client_limiter = RateLimiter(rate=0.5, burst=30)
    app.state.password_checks = HashingSlots(PASSWORD_CHECKS)
    app.state.open_link_limiter = RateLimiter(rate=0.5, burst=20)
    app.state.database = DatabaseRunner.for_engine(engine, settings.lock_timeout)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="sociaparis_session",
        same_site="lax",
        https_only=settings.mode == "server",
        max_age=12 * 3600,
    )
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from sociaparis.jobs.queue import HueyJobQueue
    from sociaparis.web.routes import admin, auth, optout, survey
    from sociaparis.web.workbench import (
        accounts,
        analysis_explorer,
        assist,
        assist_evaluation,
        codebook,
        compare_matrix,
        corpus,
        jobs,
        qca,
        qual_analysis,
        qual_coding,
        qual_focus,
        reports,
        survey_forms,
        transport,
    )
    from sociaparis.web.workbench.uploads import MailingRunner

    app.state.mailings = MailingRunner()
    # Jobs started from the pages go to the workers through this queue.
    app.state.jobs_queue = HueyJobQueue(settings)
    app.include_router(auth.router)
    app.include_router(admin.router)
    app.include_router(survey_forms.router)
    app.include_router(codebook.router)
    app.include_router(qual_analysis.router)
    app.include_router(assist_evaluation.router)
    app.include_router(accounts.router)
    app.include_router(corpus.router)
    app.include_router(qual_coding.router)
    app.include_router(assist.router)
    app.include_router(qual_focus.router)
    app.include_router(jobs.router)
    app.include_router(compare_matrix.router)
    app.include_router(analysis_explorer.router)
    app.include_router(transport.router)
    app.include_router(qca.router)
    app.include_router(reports.router)
    app.include_router(optout.router)
    _add_error_handlers(app)

    # Everything built so far lives as long as the process: keep it out of the
    # garbage collector's full scans, whose pauses show in the latency tail.
    gc.freeze()

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    from sociaparis.web.api import create_api

    return Application(app, survey.RESPONDENT_PAGES, create_api(app.state))


class Application:
    """The ASGI application: the respondent pages on a lean path, the rest on FastAPI.

    Every HTTP response gets the security headers, and an unexpected exception on
    either path the error page (:func:`unexpected_error_page`). ``state`` is the FastAPI
    application's (settings, engine, templates...), which the respondent
    handlers reach as ``request.app.state`` too.

    Parameters
    ----------
    site
        The FastAPI application: researcher pages, log-in, static files, and
        the lifespan events.
    respondent_pages
        The routes answered without FastAPI's per-request machinery.
    api
        The JSON API, which answers every path under ``/api/`` (token
        authentication, JSON errors).
    """

    def __init__(
        self, site: FastAPI, respondent_pages: Routes, api: FastAPI | None = None
    ) -> None:
        self.site = site
        self.respondent_pages = respondent_pages
        self.api = api
        self.state = site.state
        self.trusted_proxies = parse_networks(site.state.settings.trusted_proxies)
        self.server_timing = site.state.settings.server_timing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.site(scope, receive, send)
            return
        resolve_client(scope, self.trusted_proxies)
        if self.server_timing:
            send = with_server_timing(send)
        send = with_security_headers(
            send, no_store=not scope["path"].startswith("/static/")
        )
        if self.api is not None and scope["path"].startswith("/api/"):
            try:
                await self.api(scope, receive, send)
            except Exception:
                if ERROR_ID not in scope:  # answered (JSON 500) and logged
                    raise
            return
        found = self.respondent_pages.match(scope["method"], scope["path"])
        if found is None:
            try:
                await self.site(scope, receive, send)
            except Exception:
                # Starlette raises again what its handler answered; it is logged.
                if ERROR_ID not in scope:
                    raise
            return
        endpoint, params = found
        scope["app"] = self
        scope["endpoint"] = endpoint
        request = Request(scope, receive)
        try:
            response = await endpoint(request, **params)
        except HTTPException as exc:
            response = http_error_page(request, exc)
        except SociaparisError as exc:
            response = domain_error_page(request, exc)
        except DatabaseBusy as exc:
            response = busy_page(request, exc.retry_after)
        except ClientDisconnect:
            return  # the respondent left before sending the whole form
        except Exception as exc:
            response = unexpected_error_page(request, exc)
        await response(scope, receive, send)


#: Where :func:`unexpected_error_page` leaves the error's id in the ASGI scope.
ERROR_ID = "sociaparis.error_id"


def http_error_page(request: Request, exc: StarletteHTTPException) -> Response:
    """The error page of an HTTP error (404, 403, 413, 429...).

    Starlette's own errors (an unknown URL, a method not allowed) are
    ``HTTPException`` of Starlette, which FastAPI's subclasses.
    """
    lang = pick_language(request.query_params.get("lang"))
    key = exc.detail if isinstance(exc.detail, str) else "error_title"
    keys = {404: "not_found", 403: "forbidden"}
    message_key = (
        key
        if key in {"csrf_failed", "too_many_attempts", "upload_too_large", "no_file"}
        else keys.get(exc.status_code, "error_title")
    )
    return render(
        request,
        "error.html",
        {"lang": lang, "message_key": message_key, "message": None},
        status_code=exc.status_code,
        headers=exc.headers,
    )


def domain_error_page(request: Request, exc: SociaparisError) -> Response:
    """The error page of a refused operation, with the error's own message."""
    lang = pick_language(request.query_params.get("lang"))
    return render(
        request,
        "error.html",
        {"lang": lang, "message_key": None, "message": error_text(exc, lang)},
        status_code=400,
    )


def busy_page(request: Request, retry_after: int) -> Response:
    """503 with ``Retry-After``: the database stayed locked by another writer."""
    lang = pick_language(request.query_params.get("lang"))
    return render(
        request,
        "error.html",
        {"lang": lang, "message_key": "busy", "message": None},
        status_code=503,
        headers={"Retry-After": str(retry_after)},
    )


def unexpected_error_page(request: Request, exc: Exception) -> Response:
    """500 for an unexpected exception: the error page with a short reference.

    The reference (8 hex digits) is shown on the page, so that a respondent can
    quote it, and logged with the traceback and the route's handler (never the
    path, which holds the respondent's token).
    """
    error_id = secrets.token_hex(4)
    request.scope[ERROR_ID] = error_id
    endpoint = request.scope.get("endpoint")
    logger.error(
        "unexpected error %s in %s %s",
        error_id,
        request.method,
        getattr(endpoint, "__qualname__", "?"),
        exc_info=exc,
    )
    lang = pick_language(request.query_params.get("lang"))
    try:
        return render(
            request,
            "error.html",
            {
                "lang": lang,
                "message_key": "unexpected_error",
                "message": None,
                "error_id": error_id,
            },
            status_code=500,
            json_twin=False,
        )
    except Exception:  # a broken template must not hide the first error
        logger.exception("the error page of %s could not be rendered", error_id)
        text = escape(translate("unexpected_error", lang))
        return HTMLResponse(
            f"<!doctype html><title>500</title><p>{text} <code>{error_id}</code></p>",
            status_code=500,
        )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return http_error_page(request, exc)

    @app.exception_handler(SociaparisError)
    async def domain_error(request: Request, exc: SociaparisError) -> Response:
        return domain_error_page(request, exc)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        return unexpected_error_page(request, exc)

    @app.exception_handler(OperationalError)
    async def database_error(request: Request, exc: OperationalError) -> Response:
        if is_lock_timeout(exc):
            return busy_page(request, max(1, math.ceil(app.state.settings.lock_timeout)))
        raise exc
