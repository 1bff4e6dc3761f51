"""The agreement of the AI with people (``/qual/assist/evaluation``): per code,
kappa, alpha, precision and recall with their intervals, a chart of alpha, and
for which codes the AI can be trusted.

The handler parses the query, calls the functions the CLI's ``assist evaluate``
calls (:mod:`sociaparis.assist.evaluation_service`, which check the role) and
renders.  A GET form: evaluating changes nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from sociaparis.assist.evaluation import RELIABLE, TENTATIVE
from sociaparis.assist.evaluation_service import (
    evaluate_offline,
    evaluate_run,
    evaluation_choices,
)
from sociaparis.assist.offline_errors import AssistOfflineError
from sociaparis.core.errors import SociaparisError
from sociaparis.web.charts import interval_chart
from sociaparis.web.deps import CurrentUser, SessionDep
from sociaparis.web.i18n import error_text, pick_language
from sociaparis.web.render import render
from sociaparis.web.workbench.codebook import context

router = APIRouter()
UNITS = ("turns", "paragraphs", "segments")


@router.get("/qual/assist/evaluation")
def evaluation_page(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    source: str = "offline",
    run: int | None = None,
    coder: str = "",
    unit: str = "turns",
    folds: int = 5,
    go: bool = False,
    lang: str | None = None,
) -> Response:
    try:
        choices = evaluation_choices(session=session, actor=user)
    except SociaparisError as exc:
        if exc.error is AssistOfflineError.NOT_ALLOWED:
            raise HTTPException(status_code=403, detail="forbidden") from None
        raise
    source = source if source in ("offline", "run") else "offline"
    unit = unit if unit in UNITS else "turns"
    result, error, chart = None, "", None
    if go:
        options = {"session": session, "actor": user, "coder": coder[:200],
                   "unit": unit}  # fmt: skip
        try:
            if source == "run" and run is not None:
                result = evaluate_run(run=run, **options)  # type: ignore[arg-type]
            else:
                result = evaluate_offline(
                    folds=max(2, min(folds, 20)),
                    **options,  # type: ignore[arg-type]
                )
        except SociaparisError as exc:
            error = f"{exc.code} : {error_text(exc, pick_language(lang))}"
    if result is not None:
        chart = interval_chart(
            [(c.code, c.alpha, c.alpha_ci) for c in result.codes],
            references=(TENTATIVE, RELIABLE),
        )
    return render(
        request,
        "workbench/qual/assist_evaluation.html",
        context(
            request, user, lang, section="analysis", tab="assist_evaluation",
            choices=choices, result=result, chart=chart, error=error,
            chosen={"source": source, "run": run, "coder": coder, "unit": unit,
                    "folds": max(2, min(folds, 20))},
        ),
        status_code=422 if error else 200,
        json_twin=False,
    )  # fmt: skip
