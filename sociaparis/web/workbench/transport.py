"""The register of image-recognition systems (``/register``), its downloads and
the systems frame for QCA.

Each handler parses the request, calls the function the CLI's ``register show``,
``register export`` and ``register frame`` call (:mod:`sociaparis.compare.register`)
and renders. Every logged-in account reads the published register (names only
where the organisation agreed, small counts hidden); building the frame is for
researchers and administrators (the service checks the role).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.analysis.disclosure import TOTAL, SuppressedTable
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.register.errors import RegisterError
from sociaparis.compare.register.exports import FORMATS, register_file
from sociaparis.compare.register.service import (
    FILTERS,
    Register,
    build_register,
    build_systems_frame,
)
from sociaparis.core.errors import SociaparisError
from sociaparis.web.charts import WIDTH, Bar, FunnelChart
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    require_session_csrf,
    session_csrf_token,
)
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render

router = APIRouter()
Token = Annotated[str | None, Form(max_length=128)]
#: the frame the page builds
SYSTEMS_FRAME = "transport_systems"


def bar_chart(table: SuppressedTable | None) -> FunnelChart | None:
    """Horizontal bars of a one-column count table (hidden counts: no bar)."""
    if table is None:
        return None
    published = table.published.drop(index=TOTAL)
    values = [None if pd.isna(v) else int(v) for v in published.iloc[:, 0]]
    top = max((v for v in values if v is not None), default=0) or 1
    row_height, span = 40, WIDTH - 90
    bars = tuple(
        Bar(
            label=str(label)[:90],
            y=8 + index * row_height,
            width=None if value is None else max(1.0, span * value / top),
            value=value,
        )
        for index, (label, value) in enumerate(zip(published.index, values, strict=True))
    )
    return FunnelChart(height=16 + len(bars) * row_height, bars=bars)


def _table(table: SuppressedTable | None) -> dict[str, Any] | None:
    """A count table as rows of cells (``None``: hidden) for the template."""
    if table is None:
        return None
    published = table.published
    return {
        "columns": [str(c) for c in published.columns],
        "rows": [
            (str(label), [None if pd.isna(v) else int(v) for v in row])
            for label, row in published.iterrows()
        ],
    }


def _filters(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        if name in FILTERS and value:
            out.setdefault(name, []).append(value[:100])
    return out


def _query(filters: dict[str, Sequence[str]], lang: str) -> str:
    pairs = [(name, value) for name, values in filters.items() for value in values]
    return urlencode([*pairs, ("lang", lang)])


def _register(session: Any, settings: Any, filters: dict, lang: str) -> Register | None:
    try:
        return build_register(
            session=session,
            filters=filters,
            min_count=settings.min_cell_count,
            lang=lang,
        )
    except SociaparisError as exc:
        if exc.error is RegisterError.NO_FORM:
            return None
        raise


@router.get("/register")
def register_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    lang: str | None = None,
    done: str | None = None,
) -> Response:
    language = pick_language(lang)
    filters = _filters(request)
    register = _register(session, settings, filters, language)
    return render(
        request,
        "workbench/register/register.html",
        {
            "lang": language,
            "user": {"username": user.username, "role": user.role.value},
            "csrf_token": session_csrf_token(request),
            "section": "register",
            "reg": register,
            "chosen": filters,
            "query": _query(filters, language),
            "filter_names": list(FILTERS),
            "counts": _table(register.by_city_type) if register else None,
            "verdicts": _table(register.by_verdict) if register else None,
            "verdict_chart": bar_chart(register.by_verdict) if register else None,
            "mode_chart": bar_chart(register.by_mode) if register else None,
            "formats": list(FORMATS),
            "can_build": user.role.can_edit_codebook(),
            "done": done.split(":") if done and done.count(":") == 2 else None,
        },
        json_twin=False,
    )


@router.get("/register/export/{fmt}")
def register_export(
    fmt: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    lang: str | None = None,
) -> Response:
    language = pick_language(lang)
    if fmt not in FORMATS:
        raise HTTPException(status_code=404, detail="not_found")
    register = _register(session, settings, _filters(request), language)
    if register is None:
        raise HTTPException(status_code=404, detail="not_found")
    media, suffix = FORMATS[fmt]
    return Response(
        register_file(register, fmt),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="register.{suffix}"'},
    )


@router.post("/register/frame")
def register_frame(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: Token = None,
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    language = pick_language(lang)
    try:
        result = build_systems_frame(session=session, actor=user, frame=SYSTEMS_FRAME)
    except SociaparisError as exc:
        if exc.error is MatrixError.NOT_ALLOWED:
            raise HTTPException(status_code=403, detail="forbidden") from None
        if exc.error is RegisterError.NO_FORM:
            raise HTTPException(
                status_code=404, detail=error_text(exc, language)
            ) from None
        raise
    done = f"{result.frame}:{len(result.cases)}:{result.cells}"
    return RedirectResponse(
        f"/register?{urlencode({'lang': language, 'done': done})}", status_code=303
    )
