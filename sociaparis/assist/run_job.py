"""A run as a background job (kind ``assist_run``): its checks, its work, and the
small factory that builds the suggester from the job's parameters.

The suggesters live in :mod:`sociaparis.assist.offline` (trained on the
project's human codings, the default) and :mod:`sociaparis.assist.llm` (a model
behind the configured OpenAI-compatible endpoint); they are imported only when
a job asks for one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.assist.briefs import Suggester
from sociaparis.assist.run_errors import AssistRunError
from sociaparis.assist.service import (
    check_documents,
    chosen_codes,
    export_run,
    require_reviewer,
    start_run,
)
from sociaparis.core.errors import SociaparisError

#: the suggesters a run may use; ``offline`` needs no endpoint
SUGGESTERS = ("offline", "llm")


def build_suggester(
    session: Session,
    *,
    suggester: str,
    url: str | None = None,
    model: str | None = None,
    key: str | None = None,
) -> Suggester:
    """The suggester named ``suggester``: ``offline`` (trained now on the
    project's human codings) or ``llm`` (the endpoint of the settings, or
    ``url``/``model``/``key``).  ``ASSIST_037`` for another name."""
    if suggester == "offline":
        from sociaparis.assist.offline import train_offline_suggester

        return train_offline_suggester(session)
    if suggester == "llm":
        from sociaparis.assist.endpoint import endpoint_from_settings
        from sociaparis.assist.llm import LLMSuggester
        from sociaparis.core.config import get_settings

        endpoint = endpoint_from_settings(get_settings(), url=url, model=model, key=key)
        return LLMSuggester(endpoint)
    raise SociaparisError(
        AssistRunError.BAD_SUGGESTER,
        value=str(suggester)[:40],
        choices=", ".join(SUGGESTERS),
    )


def _ids(parameters: dict[str, Any], name: str) -> list[int]:
    values = parameters.get(name) or []
    if not isinstance(values, list) or not all(
        isinstance(v, int) or (isinstance(v, str) and v.isdigit()) for v in values
    ):
        raise SociaparisError(
            AssistRunError.NO_DOCUMENTS
            if name == "documents"
            else AssistRunError.NO_CODES
        )
    return [int(v) for v in values]


def check_run_job(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """The checked parameters of an ``assist_run`` job and its title.

    ``documents`` and ``codes`` are lists of ids (all released, all codable);
    ``suggester`` is ``offline`` (default) or ``llm``; ``url``/``model`` may
    override the configured endpoint (never a key: jobs' parameters are kept).
    """
    require_reviewer(actor, "run a suggester")
    suggester = parameters.get("suggester") or "offline"
    if suggester not in SUGGESTERS:
        raise SociaparisError(
            AssistRunError.BAD_SUGGESTER,
            value=str(suggester)[:40],
            choices=", ".join(SUGGESTERS),
        )
    docs = check_documents(session, _ids(parameters, "documents"))
    codes = chosen_codes(session, _ids(parameters, "codes"))
    checked = {
        "documents": [d.id for d in docs],
        "codes": [c.id for c in codes],
        "suggester": suggester,
        "url": str(parameters.get("url") or "")[:500],
        "model": str(parameters.get("model") or "")[:200],
    }
    title = ", ".join(d.title for d in docs[:3]) + ("…" if len(docs) > 3 else "")
    return checked, f"{suggester} · {title}"


def run_run_job(
    *,
    session: Session,
    actor: Account,
    parameters: dict[str, Any],
    folder: Path,
    data_dir: Path,
    progress: Callable[[int, str], None],
) -> Path:
    """Build the suggester, run it (:func:`start_run`), write the run's export."""
    del data_dir
    progress(2, "preparing")
    suggester = build_suggester(
        session,
        suggester=parameters["suggester"],
        url=parameters.get("url") or None,
        model=parameters.get("model") or None,
    )

    def done(number: int, total: int, _title: str) -> None:
        progress(5 + int(90 * number / max(1, total)), "suggesting")

    run = start_run(
        session,
        actor,
        suggester,
        documents=parameters["documents"],
        codes=parameters["codes"],
        progress=done,
        parameters={"suggester": parameters["suggester"]},
    )
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"assist-run-{run.id}.json"
    exported = export_run(session=session, actor=actor, run=run.id)
    out.write_text(json.dumps(exported, ensure_ascii=False, indent=1), encoding="utf-8")
    return out
