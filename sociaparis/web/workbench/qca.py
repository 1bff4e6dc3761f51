"""The QCA pages: calibration, truth table, minimization, necessity, saved runs.

- ``/qca``: the frames and the saved runs.
- ``/qca/{frame}/calibration``: each set of the frame's calibration plan, its
  parameters, raw against calibrated values (an SVG plot, cases labelled, and a
  table), cases at the crossover; researchers change the plan by a form.
- ``/qca/{frame}``: choose outcome, conditions and R's settings (a GET form, so
  a run is a link); the truth table, every minimal model with its fit, the
  prime-implicant chart, necessity, XY plots and the run's R code; researchers
  save the run (``POST /qca/{frame}/runs``).
- ``/qca/runs/{id}``: a saved run regenerated from the values it kept, and
  whether the matrix changed since; re-run it on today's matrix (POST).

Every number comes from :mod:`sociaparis.compare.qca_runs` (the twins of
``sociaparis qca plan|analyse|runs|show``), which checks the roles; the plots
are drawn by :mod:`sociaparis.compare.qca.plots` and served at their own URL
(an ``<img>``), so a page does not wait for matplotlib.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from sociaparis.compare import qca_runs
from sociaparis.compare.matrix.service import frame_info, list_frames
from sociaparis.compare.qca import calibration_plot, solution_xy_plot, term_xy_plot
from sociaparis.compare.qca_runs import QCASettings
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.web.deps import (
    CurrentUser,
    SessionDep,
    page_context,
    require_session_csrf,
)
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render

router = APIRouter()

_TOKEN = Annotated[str, Form(max_length=128)]
#: longest calibration plan (TOML) accepted from the form
PLAN_LIMIT = 64_000
#: most dimensions the calibration form takes
ROWS_LIMIT = 200

SVG_HEADERS = {"Cache-Control": "private, max-age=300"}


def _refuse(error: SociaparisError) -> None:
    """Raise the HTTP answer of a refusal that is not the form's fault."""
    if error.code == "QCA_050":
        raise HTTPException(status_code=403, detail="forbidden") from None
    if error.code in ("QCA_051", "CASES_001"):
        raise HTTPException(status_code=404, detail="not_found") from None


def _base(request: Request, user: Any, lang: str | None) -> dict[str, Any]:
    return page_context(
        request,
        user,
        lang,
        section="qca",
        can_run=qca_runs.can_run_qca(user),
    )


def _frame(session: Any, frame: str) -> Any:
    try:
        return frame_info(session=session, frame=frame)
    except SociaparisError as error:
        _refuse(error)
        raise


# ------------------------------------------------------------------ settings


def settings_query(settings: QCASettings) -> list[tuple[str, str]]:
    """The query-string fields of a run (the QCA form's names)."""
    fields: list[tuple[str, str]] = [("outcome", settings.outcome)]
    fields += [("conditions", c) for c in settings.conditions]
    fields += [
        ("incl_cut", ", ".join(f"{v:g}" for v in settings.incl_cut)),
        ("n_cut", str(settings.n_cut)),
        ("pri_cut", f"{settings.pri_cut:g}"),
        ("solution", settings.solution),
        ("dir_exp", settings.dir_exp),
        ("nec_incl_cut", f"{settings.necessity_incl_cut:g}"),
        ("nec_cov_cut", f"{settings.necessity_cov_cut:g}"),
    ]
    for flag, on in (
        ("negate", settings.negate_outcome),
        ("contradictions", settings.include_contradictions),
        ("row_dom", settings.row_dom),
    ):
        if on:
            fields.append((flag, "1"))
    return fields


def settings_from(params: Mapping[str, Any] | Any) -> QCASettings:
    """Settings from the QCA form's fields (a query string)."""
    return QCASettings.parse(
        outcome=params.get("outcome", ""),
        conditions=params.getlist("conditions"),
        negate_outcome=bool(params.get("negate")),
        incl_cut=params.get("incl_cut", "1") or "1",
        n_cut=params.get("n_cut", "1") or "1",
        pri_cut=params.get("pri_cut", "0") or "0",
        solution=params.get("solution", "conservative"),
        include_contradictions=bool(params.get("contradictions")),
        dir_exp=params.get("dir_exp", ""),
        row_dom=bool(params.get("row_dom")),
        necessity_incl_cut=params.get("nec_incl_cut", "0.9") or "0.9",
        necessity_cov_cut=params.get("nec_cov_cut", "0.6") or "0.6",
    )


# ------------------------------------------------------------------ index


@router.get("/qca")
def index_page(
    request: Request, user: CurrentUser, session: SessionDep, lang: str | None = None
) -> Response:
    return render(
        request,
        "workbench/qca/index.html",
        {
            **_base(request, user, lang),
            "frames": list_frames(session=session),
            "runs": qca_runs.list_runs(session=session, actor=user),
        },
        json_twin=False,
    )


# ------------------------------------------------------------------ calibration


def _form_rows(info: Any, plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per set of the plan, then one per dimension no set reads."""
    rows = []
    used = set()
    for name, options in plan["sets"].items():
        source = str(options.get("source", name))
        used.add(source)
        rows.append(
            {
                "set": name,
                "source": source,
                "method": qca_runs.entry_method(options),
                "thresholds": str(options.get("thresholds", "")),
                "map": "; ".join(
                    f"{k} = {v:g}" for k, v in options.get("map", {}).items()
                ),
                "label": str(options.get("label", "")),
            }
        )
    for name, label, _kind in info.dimensions:
        if name not in used:
            rows.append(
                {
                    "set": name,
                    "source": name,
                    "method": "none",
                    "thresholds": "",
                    "map": "",
                    "label": label,
                }
            )
    return rows


def _calibration(
    request: Request,
    session: Any,
    user: Any,
    frame: str,
    lang: str | None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    info = _frame(session, frame)
    plan = qca_runs.get_plan(session=session, frame=frame)
    sets = qca_runs.calibration_overview(session=session, frame=frame, plan=plan)
    base = _base(request, user, lang)
    return render(
        request,
        "workbench/qca/calibration.html",
        {
            **base,
            "frame": info,
            "sets": sets,
            "rows": _form_rows(info, plan),
            "methods": qca_runs.METHODS,
            "message": message,
            "errors": {
                s.name: error_text(s.error, base["lang"]) for s in sets if s.error
            },
        },
        status_code=status_code,
        json_twin=False,
    )


@router.get("/qca/{frame}/calibration")
def calibration_page(
    request: Request,
    frame: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    return _calibration(request, session, user, frame, lang)


async def _plan_form(request: Request) -> dict[str, str]:
    """The calibration form's fields (their names depend on the frame's rows)."""
    form = await request.form(max_fields=6 * ROWS_LIMIT + 10, max_files=0)
    return {key: str(value) for key, value in form.items()}


@router.post("/qca/{frame}/calibration")
def save_calibration(
    request: Request,
    frame: str,
    user: CurrentUser,
    session: SessionDep,
    form: Annotated[dict[str, str], Depends(_plan_form)],
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, form.get("csrf_token", ""))
    language = pick_language(lang)
    try:
        text = str(form.get("plan_toml", "")).strip()
        if len(text) > PLAN_LIMIT:
            raise SociaparisError(
                qca_runs.QCAError.BAD_PLAN,
                reason=Reason(
                    en=f"it is over {PLAN_LIMIT} characters",
                    fr=f"il dépasse {PLAN_LIMIT} caractères",
                ),
            )
        if text:
            try:
                plan = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise SociaparisError(
                    qca_runs.QCAError.BAD_PLAN, reason=str(exc)
                ) from None
        else:
            rows = []
            for i in range(ROWS_LIMIT):
                if f"source_{i}" not in form:
                    break
                rows.append(
                    {
                        key: form.get(f"{key}_{i}", "")
                        for key in ("set", "source", "method", "thresholds", "map")
                    }
                )
            plan = qca_runs.plan_from_rows(
                rows, qca_runs.get_plan(session=session, frame=frame)
            )
        with session.begin_nested():
            qca_runs.save_plan(session=session, actor=user, frame=frame, plan=plan)
    except SociaparisError as error:
        _refuse(error)
        return _calibration(
            request, session, user, frame, lang,
            message=error_text(error, language), status_code=422,
        )  # fmt: skip
    return RedirectResponse(
        f"/qca/{frame}/calibration?lang={language}&saved=1", status_code=303
    )


@router.get("/qca/{frame}/calibration/{name}.svg")
def calibration_svg(
    frame: str, name: str, user: CurrentUser, session: SessionDep
) -> Response:
    _frame(session, frame)
    plan = qca_runs.get_plan(session=session, frame=frame)
    if name not in plan["sets"]:
        raise HTTPException(status_code=404, detail="not_found")
    view = qca_runs.calibration_overview(
        session=session, frame=frame, plan={"sets": {name: plan["sets"][name]}}
    )[0]
    if view.calibrated is None or not view.numeric:
        raise HTTPException(status_code=404, detail="not_found")
    image = calibration_plot(
        view.raw,
        view.calibrated,
        labels=view.cases,
        raw_label=view.source,
        set_label=view.name,
        thresholds=view.thresholds,
    )
    return Response(image, media_type="image/svg+xml", headers=SVG_HEADERS)


# ------------------------------------------------------------------ the analysis


def _minimization_message(result: Any, lang: str) -> str | None:
    if result is None or result.minimization_error is None:
        return None
    return error_text(result.minimization_error, lang)


def _analysis_context(
    session: Any, user: Any, frame: str, params: Any
) -> tuple[QCASettings | None, Any, SociaparisError | None]:
    if not params.get("outcome"):
        return None, None, None
    try:
        settings = settings_from(params)
        result = qca_runs.analyse(
            session=session, actor=user, frame=frame, settings=settings
        )
    except SociaparisError as error:
        if error.code == "CASES_001":
            _refuse(error)
        return None, None, error
    return settings, result, None


def _analysis(
    request: Request,
    session: Any,
    user: Any,
    frame: str,
    lang: str | None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    info = _frame(session, frame)
    plan = qca_runs.get_plan(session=session, frame=frame)
    params = request.query_params
    base = _base(request, user, lang)
    settings, result, error = (None, None, None)
    if message is None:
        settings, result, error = _analysis_context(session, user, frame, params)
    if error is not None:
        message = error_text(error, base["lang"])
        status_code = 403 if error.code == "QCA_050" else 422
    return render(
        request,
        "workbench/qca/analysis.html",
        {
            **base,
            "frame": info,
            "sets": list(plan["sets"]),
            "labels": {n: str(o.get("label", "")) for n, o in plan["sets"].items()},
            "form": {
                "outcome": params.get("outcome", ""),
                "conditions": params.getlist("conditions"),
                "negate": bool(params.get("negate")),
                "incl_cut": params.get("incl_cut", "1"),
                "n_cut": params.get("n_cut", "1"),
                "pri_cut": params.get("pri_cut", "0"),
                "solution": params.get("solution", "conservative"),
                "contradictions": bool(params.get("contradictions")),
                "dir_exp": params.get("dir_exp", ""),
                "row_dom": bool(params.get("row_dom")),
                "nec_incl_cut": params.get("nec_incl_cut", "0.9"),
                "nec_cov_cut": params.get("nec_cov_cut", "0.6"),
            },
            "result": result,
            "minimization_message": _minimization_message(result, base["lang"]),
            "query": urlencode(settings_query(settings)) if settings else "",
            "message": message,
            "runs": qca_runs.list_runs(session=session, actor=user, frame=info.name),
        },
        status_code=status_code,
        json_twin=False,
    )


@router.get("/qca/{frame}")
def analysis_page(
    request: Request,
    frame: str,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    return _analysis(request, session, user, frame, lang)


def _xy_svg(result: Any, model: int | None, term: str | None) -> bytes:
    if model is not None:
        if result.minimization is None or not 0 <= model < result.model_count:
            raise HTTPException(status_code=404, detail="not_found")
        return solution_xy_plot(result.minimization, model=model, fmt="svg")
    if not term:
        raise HTTPException(status_code=404, detail="not_found")
    qdata = result.truth_table.data
    return term_xy_plot(qdata, term, relation="necessity", fmt="svg")


@router.get("/qca/{frame}/xy.svg")
def xy_svg(
    request: Request,
    frame: str,
    user: CurrentUser,
    session: SessionDep,
    model: int | None = None,
    term: str | None = None,
) -> Response:
    _frame(session, frame)
    try:
        settings = settings_from(request.query_params)
        result = qca_runs.analyse(
            session=session, actor=user, frame=frame, settings=settings
        )
        image = _xy_svg(result, model, term)
    except SociaparisError as error:
        _refuse(error)
        raise HTTPException(status_code=404, detail="not_found") from None
    return Response(image, media_type="image/svg+xml", headers=SVG_HEADERS)


@router.get("/qca/runs/{run_id:int}/xy.svg")
def run_xy_svg(
    run_id: int,
    user: CurrentUser,
    session: SessionDep,
    model: int | None = None,
    term: str | None = None,
) -> Response:
    try:
        result, _same = qca_runs.regenerate(session=session, actor=user, run=run_id)
        image = _xy_svg(result, model, term)
    except SociaparisError as error:
        _refuse(error)
        raise HTTPException(status_code=404, detail="not_found") from None
    return Response(image, media_type="image/svg+xml", headers=SVG_HEADERS)


@router.post("/qca/{frame}/runs")
def save_run(
    request: Request,
    frame: str,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: _TOKEN = "",
    name: Annotated[str, Form(max_length=200)] = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        settings = settings_from(request.query_params)
        with session.begin_nested():
            saved = qca_runs.save_run(
                session=session, actor=user, frame=frame, settings=settings, name=name
            )
    except SociaparisError as error:
        _refuse(error)
        return _analysis(
            request, session, user, frame, lang,
            message=error_text(error, pick_language(lang)), status_code=422,
        )  # fmt: skip
    return RedirectResponse(
        f"/qca/runs/{saved.id}?lang={pick_language(lang)}", status_code=303
    )


# ------------------------------------------------------------------ saved runs


@router.get("/qca/runs/{run_id:int}")
def run_page(
    request: Request,
    run_id: int,
    user: CurrentUser,
    session: SessionDep,
    lang: str | None = None,
) -> Response:
    try:
        saved = qca_runs.get_run(session=session, actor=user, run=run_id)
        result, same = qca_runs.regenerate(session=session, actor=user, run=run_id)
    except SociaparisError as error:
        _refuse(error)
        raise
    base = _base(request, user, lang)
    return render(
        request,
        "workbench/qca/run.html",
        {
            **base,
            "minimization_message": _minimization_message(result, base["lang"]),
            "saved": saved,
            "result": result,
            "same": same,
            "query": urlencode(settings_query(saved.settings)),
            "labels": {
                n: str(o.get("label", "")) for n, o in saved.plan.get("sets", {}).items()
            },
        },
        json_twin=False,
    )


@router.post("/qca/runs/{run_id:int}/rerun")
def rerun(
    request: Request,
    run_id: int,
    user: CurrentUser,
    session: SessionDep,
    csrf_token: _TOKEN = "",
    lang: str | None = None,
) -> Response:
    require_session_csrf(request, csrf_token)
    try:
        with session.begin_nested():
            _result, kept = qca_runs.rerun(
                session=session, actor=user, run=run_id, save=True
            )
    except SociaparisError as error:
        _refuse(error)
        raise
    return RedirectResponse(
        f"/qca/runs/{kept.id if kept else run_id}?lang={pick_language(lang)}",
        status_code=303,
    )
