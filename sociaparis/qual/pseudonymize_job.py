"""The pseudonymization of a document as a background job (kind ``pseudonymize``).

Finding the names, places and numbers of a long interview or focus group takes
seconds to minutes (spaCy's model over every sentence), too long for a page's
request. The job finds them outside any write transaction
(:func:`~sociaparis.qual.pseudonymize_service.detect_review`), then opens the
review in one short write queued with the web server's writers; the document
page and the job page then lead to the review.

Its result file is a summary without personal data: how many replacements of
each kind were proposed (the original words stay in the database, behind the
review page's role check).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.core.db import transaction, write_lock
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.jobs.errors import JobError
from sociaparis.qual import pseudonymize_service as ps
from sociaparis.qual.pseudonymization import PseudonymizationConfig


def check_pseudonymize_job(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """The checked parameters of a ``pseudonymize`` job and its title.

    ``document`` is the id of an imported document; ``use_ner`` (default true)
    runs spaCy's statistical model beside the rules, as ``sociaparis qual
    pseudonymize`` does without ``--no-ner``.
    """
    document = parameters.get("document")
    if isinstance(document, bool) or not isinstance(document, int | str):
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name="document",
            value=document,
            reason=Reason(en="name a document", fr="indiquez un document"),
        )
    use_ner = parameters.get("use_ner", True)
    if not isinstance(use_ner, bool):
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name="use_ner",
            value=use_ner,
            reason=Reason(en="true or false", fr="vrai ou faux"),
        )
    doc = ps.check_review_start(session=session, actor=actor, document=document)
    return {"document": doc.id, "use_ner": use_ner}, doc.title


def run_pseudonymize_job(
    *,
    session: Session,
    actor: Account,
    parameters: dict[str, Any],
    folder: Path,
    data_dir: Path,
    progress: Callable[[int, str], None],
) -> Path:
    """Detect (reading only), open the review (one short write), write the summary."""
    del data_dir
    document = parameters["document"]
    config = PseudonymizationConfig(use_ner=parameters["use_ner"])

    def detected(done: int, total: int, _what: str) -> None:
        progress(2 + int(93 * done / max(1, total)), "detecting")

    progress(1, "detecting")
    state = ps.detect_review(
        session=session,
        actor=actor,
        document=document,
        config=config,
        progress=detected,
    )
    progress(96, "saving")
    engine = session.get_bind()
    with write_lock(engine), transaction(engine) as writing:  # type: ignore[arg-type]
        review = ps.open_review(
            session=writing, actor=actor, document=document, state=state
        )
    summary = {
        "document": review.document_guid,
        "title": review.title,
        "proposed": dict(Counter(r.kind.value for r in review.replacements)),
        "review": f"/qual/corpus/{document}/review",
    }
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "pseudonymization.json"
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return out
