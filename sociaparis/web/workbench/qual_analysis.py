"""Qualitative analysis pages: retrieval (``/qual/segments``), matrices and
co-occurrence (``/qual/matrix``), full-text search with "code these hits"
(``/qual/search``) and inter-coder agreement with the blind mode
(``/qual/agreement``).

Each handler parses the request, calls the service functions the CLI's
``qual segments``, ``qual matrix``, ``qual search``, ``qual code-hits``,
``qual corpus-agreement`` and ``qual blind`` call, passing the logged-in
account as ``viewer`` so that blind mode applies, and renders.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.core.errors import SociaparisError
from sociaparis.qual.agreement_report import agreement_report
from sociaparis.qual.blind import blind_state, reveal, set_blind
from sociaparis.qual.codebook_service import list_codes
from sociaparis.qual.coding_service import code_hits, list_coders
from sociaparis.qual.corpus import list_documents
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.matrices import code_attribute_matrix, code_case_matrix
from sociaparis.qual.retrieval import attribute_values, cooccurrence, segments
from sociaparis.qual.search import search
from sociaparis.qual.segments_export import SEGMENT_FORMATS, export_segments
from sociaparis.web.deps import CurrentUser, SessionDep, require_session_csrf
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render
from sociaparis.web.workbench.codebook import context, refused

router = APIRouter()
Many = Annotated[list[str], Query(max_length=500)]
Token = Annotated[str, Form(max_length=128)]
#: most disagreements a page lists (the JSON twin and the CLI have them all)
DISAGREEMENTS_SHOWN = 200


def _message(exc: SociaparisError, lang: str | None) -> str:
    return f"{exc.code} : {error_text(exc, pick_language(lang))}"


def _filters(where: list[str]) -> dict[str, list[str]]:
    """``name=value`` query values as attribute filters (values as stored text)."""
    out: dict[str, list[str]] = {}
    for item in where:
        name, sep, value = item.partition("=")
        if sep and name and value:
            out.setdefault(name, []).append(value)
    return out


def _segments_params(request: Request) -> str:
    """The page's own filters, for its export links."""
    keep = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    return urlencode(keep)


# -- retrieval ------------------------------------------------------------------------


def _retrieve(
    session: Any, user: Any, code: str, subcodes: bool, coder: str, where: list[str],
    case: list[str], with_code: str, mode: str, context_chars: int,
) -> Any:  # fmt: skip
    return segments(
        session=session, code=code, include_subcodes=subcodes, coder=coder or None,
        attributes=_filters(where), context=max(0, min(context_chars, 2000)),
        cases=case, with_code=with_code or None,
        mode="turn" if mode == "turn" else "overlap", viewer=user,
    )  # fmt: skip


@router.get("/qual/segments")
def segments_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    code: str = "",
    subcodes: bool = False,
    coder: str = "",
    where: Many = [],  # noqa: B006 - FastAPI copies query defaults
    case: Many = [],  # noqa: B006
    with_code: Annotated[str, Query(alias="with")] = "",
    mode: str = "overlap",
    context_chars: Annotated[int, Query(alias="context")] = 80,
    lang: str | None = None,
) -> Response:
    result, error = None, ""
    if code:
        try:
            result = _retrieve(session, user, code, subcodes, coder, where, case,
                               with_code, mode, context_chars)  # fmt: skip
        except SociaparisError as exc:
            error = _message(exc, lang)
    return render(
        request,
        "workbench/qual/segments.html",
        context(
            request, user, lang, section="analysis", tab="segments", result=result,
            error=error, codes=list_codes(session=session, viewer=user),
            coders=list_coders(session=session, viewer=user),
            attributes=attribute_values(session=session),
            chosen={"code": code, "subcodes": subcodes, "coder": coder,
                    "where": _filters(where), "case": case, "with": with_code,
                    "mode": mode},
            export_query=_segments_params(request), formats=list(SEGMENT_FORMATS),
        ),
        status_code=422 if error else 200,
        json_twin=False,
    )  # fmt: skip


@router.get("/qual/segments/export")
def export_segments_file(
    user: CurrentUser,
    session: SessionDep,
    code: str,
    format: str = "csv",
    subcodes: bool = False,
    coder: str = "",
    where: Many = [],  # noqa: B006
    case: Many = [],  # noqa: B006
    with_code: Annotated[str, Query(alias="with")] = "",
    mode: str = "overlap",
    context_chars: Annotated[int, Query(alias="context")] = 80,
) -> Response:
    result = _retrieve(session, user, code, subcodes, coder, where, case, with_code,
                       mode, context_chars)  # fmt: skip
    data = export_segments(result, format)
    return Response(
        data,
        media_type=SEGMENT_FORMATS[format],
        headers={"content-disposition": f'attachment; filename="segments.{format}"'},
    )


# -- matrices -------------------------------------------------------------------------


def _matrix(
    session: Any, user: Any, by: str, subcodes: bool, coder: str, view: str, mode: str
) -> Any:
    if view == "cooccurrence":
        return cooccurrence(
            session=session, mode="turn" if mode == "turn" else "overlap",
            coder=coder or None, viewer=user,
        )  # fmt: skip
    if by == "case":
        return code_case_matrix(
            session=session, include_subcodes=subcodes, coder=coder or None,
            viewer=user,
        )  # fmt: skip
    return code_attribute_matrix(
        session=session, attribute=by, include_subcodes=subcodes, coder=coder or None,
        viewer=user,
    )  # fmt: skip


@router.get("/qual/matrix")
def matrix_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    view: str = "matrix",
    by: str = "case",
    measure: str = "codings",
    subcodes: bool = False,
    coder: str = "",
    mode: str = "overlap",
    lang: str | None = None,
) -> Response:
    view = "cooccurrence" if view == "cooccurrence" else "matrix"
    result, error = None, ""
    try:
        result = _matrix(session, user, by, subcodes, coder, view, mode)
        table = result.to_frame(measure) if view == "matrix" else result.to_frame()
    except SociaparisError as exc:
        error, table = _message(exc, lang), None
    return render(
        request,
        "workbench/qual/matrix.html",
        context(
            request, user, lang, section="analysis", tab="matrix", view=view,
            result=result, table=table, error=error,
            attributes=list(attribute_values(session=session)),
            coders=list_coders(session=session, viewer=user),
            chosen={"by": by, "measure": measure, "subcodes": subcodes,
                    "coder": coder, "mode": mode},
            export_query=_segments_params(request),
        ),
        status_code=422 if error else 200,
        json_twin=False,
    )  # fmt: skip


@router.get("/qual/matrix/export")
def export_matrix_file(
    user: CurrentUser,
    session: SessionDep,
    format: str = "csv",
    view: str = "matrix",
    by: str = "case",
    measure: str = "codings",
    subcodes: bool = False,
    coder: str = "",
    mode: str = "overlap",
) -> Response:
    result = _matrix(session, user, by, subcodes, coder, view, mode)
    if view == "cooccurrence":
        data, format = result.csv_bytes(), "csv"
    elif format == "xlsx":
        data = result.xlsx_bytes()
    else:
        data = result.csv_bytes(measure="documents" if measure == "documents"
                                else "codings")  # fmt: skip
        format = "csv"
    media = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return Response(
        data,
        media_type=media[format],
        headers={"content-disposition": f'attachment; filename="matrix.{format}"'},
    )  # fmt: skip


# -- search ---------------------------------------------------------------------------


@router.get("/qual/search")
def search_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=500)] = "",
    limit: int = 50,
    coded: int | None = None,
    lang: str | None = None,
) -> Response:
    limit = max(1, min(limit, 500))
    result = search(session=session, query=q, limit=limit) if q.strip() else None
    return render(
        request,
        "workbench/qual/search.html",
        context(
            request, user, lang, section="analysis", tab="search", q=q, limit=limit,
            result=result, coded=coded, codes=list_codes(session=session, viewer=user),
            can_code=user.role.can_code(),
        ),
        json_twin=False,
    )  # fmt: skip


@router.post("/qual/search/code")
def code_search_hits(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    code: Annotated[str, Form(max_length=40)],
    csrf_token: Token = "",
    q: Annotated[str, Form(max_length=500)] = "",
    limit: Annotated[int, Form()] = 50,
    hit: Annotated[list[str] | None, Form()] = None,
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        count = code_hits(
            session=session, actor=user,
            code=int(code) if code.isdigit() else code, hits=list(hit or [])[:2000],
        )  # fmt: skip
    except SociaparisError as exc:
        if exc.error is CorpusError.NOT_ALLOWED:
            refused(exc)
        result = search(session=session, query=q, limit=max(1, min(limit, 500)))
        return render(
            request,
            "workbench/qual/search.html",
            context(
                request, user, lang, section="analysis", tab="search", q=q,
                limit=limit, result=result, coded=None, error=_message(exc, lang),
                codes=list_codes(session=session, viewer=user),
                can_code=user.role.can_code(),
            ),
            status_code=422,
            json_twin=False,
        )  # fmt: skip
    query = urlencode({"q": q, "limit": limit, "coded": count,
                       "lang": pick_language(lang)})  # fmt: skip
    return RedirectResponse(f"/qual/search?{query}", status_code=303)


# -- agreement ------------------------------------------------------------------------


@router.get("/qual/agreement")
def agreement_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    coder: Many = [],  # noqa: B006
    document: Many = [],  # noqa: B006
    code: Many = [],  # noqa: B006
    unit: str = "turns",
    min_overlap: int = 1,
    run: bool = False,
    lang: str | None = None,
) -> Response:
    report, error = None, ""
    unit = unit if unit in ("turns", "paragraphs", "segments") else "turns"
    if run:
        try:
            report = agreement_report(
                session=session, viewer=user, coders=coder,
                documents=[int(d) for d in document if d.isdigit()] or None,
                codes=code or None, unit=unit,  # type: ignore[arg-type]
                min_overlap=max(1, min_overlap),
            )  # fmt: skip
        except SociaparisError as exc:
            error = _message(exc, lang)
    return render(
        request,
        "workbench/qual/agreement.html",
        context(
            request, user, lang, section="analysis", tab="agreement", report=report,
            error=error, blind=blind_state(session=session),
            coders=list_coders(session=session, viewer=user),
            documents=list_documents(session=session, status="released"),
            codes=list_codes(session=session, viewer=user), shown=DISAGREEMENTS_SHOWN,
            chosen={"coder": coder, "document": document, "code": code,
                    "unit": unit, "min_overlap": max(1, min_overlap)},
        ),
        status_code=422 if error else 200,
        json_twin=False,
    )  # fmt: skip


@router.post("/qual/agreement/blind")
def change_blind_mode(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    action: Annotated[str, Form(max_length=10)],
    csrf_token: Token = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        if action == "reveal":
            reveal(session=session, actor=user)
        else:
            set_blind(session=session, actor=user, blind=action == "on")
    except SociaparisError as exc:
        refused(exc)
    return RedirectResponse(
        f"/qual/agreement?lang={pick_language(lang)}#blind", status_code=303
    )
