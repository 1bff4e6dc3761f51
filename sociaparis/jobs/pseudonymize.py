"""The pseudonymization of a document as a background job (kind ``pseudonymize``).

Finding the names, places and numbers of a long interview or focus group takes
seconds to minutes (spaCy's model over every sentence), too long for a page's
request. The job finds them outside any write transaction
(:func:`~sociaparis.qual.pseudonymize_service.detect_review`), then opens the
review in one short write queued with the web server's writers, document by
document; the job page then leads to the review (or to the corpus, for an
upload's several documents).

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
from sociaparis.qual.corpus import document_row
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.intake import MAX_FILES
from sociaparis.qual.pseudonymization import PseudonymizationConfig

#: Documents one job takes: as many as one upload holds.
MAX_DOCUMENTS = MAX_FILES


def check_pseudonymize_job(
    *, session: Session, actor: Account, parameters: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """The checked parameters of a ``pseudonymize`` job and its title.

    ``documents`` lists imported documents (ids, GUIDs or titles; at most
    :data:`MAX_DOCUMENTS`); ``use_ner`` (default true) runs spaCy's statistical
    model beside the rules, as ``sociaparis qual pseudonymize`` does without
    ``--no-ner``.
    """
    documents = parameters.get("documents")
    if (
        not isinstance(documents, list)
        or not 0 < len(documents) <= MAX_DOCUMENTS
        or not all(
            isinstance(d, int | str) and not isinstance(d, bool) for d in documents
        )
    ):
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name="documents",
            value=str(documents)[:100],
            reason=Reason(
                en=f"list 1 to {MAX_DOCUMENTS} documents",
                fr=f"indiquez de 1 à {MAX_DOCUMENTS} documents",
            ),
        )
    use_ner = parameters.get("use_ner", True)
    if not isinstance(use_ner, bool):
        raise SociaparisError(
            JobError.BAD_PARAMETER,
            name="use_ner",
            value=use_ner,
            reason=Reason(en="true or false", fr="vrai ou faux"),
        )
    found = [
        ps.check_review_start(session=session, actor=actor, document=d)
        for d in dict.fromkeys(documents)
    ]
    title = found[0].title + (f" (+{len(found) - 1})" if len(found) > 1 else "")
    return {"documents": [d.id for d in found], "use_ner": use_ner}, title


def run_pseudonymize_job(
    *,
    session: Session,
    actor: Account,
    parameters: dict[str, Any],
    folder: Path,
    data_dir: Path,
    progress: Callable[[int, str], None],
) -> Path:
    """For each document in turn: detect (reading only), then open its review
    (one short write); write the summary.

    A document whose review someone opened meanwhile (the corpus page's
    button, another job) is skipped, that review kept: the summary says so
    (``skipped``, ``QUAL_210``) and the job goes on with the next.
    """
    del data_dir
    config = PseudonymizationConfig(use_ner=parameters["use_ner"])
    documents: list[int] = parameters["documents"]
    lengths = [len(document_row(session, d).text) for d in documents]
    total, before = max(1, sum(lengths)), 0
    engine = session.get_bind()
    summary: list[dict[str, Any]] = []
    progress(1, "detecting")
    for document, length in zip(documents, lengths, strict=True):

        def detected(done: int, _total: int, _what: str, before: int = before) -> None:
            progress(1 + int(94 * (before + done) / total), "detecting")

        before += length
        try:
            state = ps.detect_review(
                session=session,
                actor=actor,
                document=document,
                config=config,
                progress=detected,
            )
            with write_lock(engine), transaction(engine) as writing:  # type: ignore[arg-type]
                review = ps.open_review(
                    session=writing, actor=actor, document=document, state=state
                )
        except SociaparisError as error:
            if error.error is not CorpusError.WRONG_STATUS:
                raise
            row = document_row(session, document)
            summary.append(
                {"document": row.guid, "title": row.title, "skipped": error.code}
            )
            continue
        summary.append(
            {
                "document": review.document_guid,
                "title": review.title,
                "proposed": dict(Counter(r.kind.value for r in review.replacements)),
                "review": f"/qual/corpus/{document}/review",
            }
        )
    progress(98, "saving")
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "pseudonymization.json"
    text = json.dumps({"documents": summary}, ensure_ascii=False, indent=1)
    out.write_text(text, encoding="utf-8")
    return out
