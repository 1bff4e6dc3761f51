"""Replay a stored run of a model from its recorded answers, with no network.

The run kept the code briefs it sent and its suggester's settings; its calls
are in ``assist_calls``.  Replaying asks the same questions of a
:class:`~sociaparis.assist.replay.ReplayEndpoint` and compares what comes back
with the passages the run stored (what the model proposed, before any person
edited them), so a published set of suggestions can be shown to follow from the
recorded answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.assist.briefs import CallRecord, CodeBrief
from sociaparis.assist.models import AssistCall, AssistRun, AssistSuggestion
from sociaparis.assist.run_errors import AssistRunError
from sociaparis.assist.service import get_run
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.codebook_service import list_codes
from sociaparis.qual.corpus import document_row, turns_of

#: a passage as compared: (code name, start, end)
Passage = tuple[str, int, int]


@dataclass(frozen=True)
class ReplayCheck:
    """What replaying a run gave, against what the run stored."""

    run: int
    documents: int
    calls: int
    stored: int
    replayed: int
    missing: tuple[Passage, ...]
    extra: tuple[Passage, ...]

    @property
    def identical(self) -> bool:
        """Whether the replay proposes exactly the passages the run stored."""
        return not self.missing and not self.extra

    def to_dict(self) -> dict[str, object]:
        """The check as JSON-ready values."""
        return {
            "run": self.run,
            "documents": self.documents,
            "calls": self.calls,
            "stored": self.stored,
            "replayed": self.replayed,
            "identical": self.identical,
            "missing": [list(p) for p in self.missing],
            "extra": [list(p) for p in self.extra],
        }


def replay_stored_run(*, session: Session, actor: Account, run: int | str) -> ReplayCheck:
    """Ask the run's questions again of its recorded answers and compare.

    Parameters
    ----------
    session
        Open session (nothing is written).
    actor
        Anyone who may see the run (:func:`~sociaparis.assist.service.get_run`).
    run
        The run's number.

    Returns
    -------
    ReplayCheck
        The passages replayed and stored, and those found on one side only.

    Raises
    ------
    SociaparisError
        ``ASSIST_034`` for a run the actor may not see, ``ASSIST_044`` for a run
        that is not a model's or kept no briefs, ``ASSIST_011`` when a question
        has no recorded answer (the run's briefs or documents changed).
    """
    from sociaparis.assist.llm import LLMSuggester
    from sociaparis.assist.replay import ReplayEndpoint

    info = get_run(session=session, viewer=actor, run=run)
    row = session.get(AssistRun, info.id)
    assert row is not None
    settings = row.parameters.get("suggester_settings") or {}
    briefs = [CodeBrief(**{**b, "examples": tuple(b.get("examples", ()))})
              for b in row.parameters.get("briefs", [])]  # fmt: skip
    if settings.get("kind") != "llm" or not briefs:
        raise SociaparisError(
            AssistRunError.NOT_REPLAYABLE,
            run=row.id,
            reason=Reason(
                en="only a model's run that kept its briefs and settings is replayed "
                "(an offline run is reproduced by running it again on the same "
                "codings)",
                fr="seule l'exécution d'un modèle qui a gardé ses consignes et ses "
                "réglages peut être rejouée (une exécution hors ligne se reproduit en "
                "la relançant sur les mêmes codages)",
            ),
        )
    calls = [
        CallRecord(
            endpoint=c.endpoint,
            model=c.model,
            parameters=c.parameters,
            request=c.request,
            response=c.response,
            status=c.status,
            prompt_tokens=c.prompt_tokens,
            completion_tokens=c.completion_tokens,
            seconds=c.seconds,
            error=c.error,
        )  # fmt: skip
        for c in session.scalars(
            select(AssistCall)
            .where(AssistCall.run_id == row.id)
            .order_by(AssistCall.position)
        )
    ]
    endpoint = ReplayEndpoint(
        calls,
        url=str(settings.get("endpoint") or row.endpoint),
        model=str(settings.get("model") or row.model),
        temperature=float(settings.get("temperature") or 0.0),
        seed=settings.get("seed"),
        retries=int(settings.get("retries", 3)),
        concurrency=int(settings.get("concurrency") or 1),
    )
    suggester = LLMSuggester(
        endpoint,
        chunk_words=int(settings["chunk_words"]),
        overlap_words=settings.get("overlap_words"),
        language=str(settings.get("language") or "fr"),
    )
    names = dict(zip(row.scope.get("codes", []), (b.name for b in briefs), strict=False))
    replayed: set[Passage] = set()
    for guid in row.scope.get("documents", []):
        doc = document_row(session, guid)
        turns = [(t.start, t.end) for t in turns_of(session=session, document_id=doc.id)]
        result = suggester.suggest(doc.text, briefs, turns)
        replayed |= {(s.code, s.start, s.end) for s in result.suggestions}
    stored = _stored_passages(session, row.id, names)
    return ReplayCheck(
        run=row.id,
        documents=len(row.scope.get("documents", [])),
        calls=len(calls),
        stored=len(stored),
        replayed=len(replayed),
        missing=tuple(sorted(stored - replayed)),
        extra=tuple(sorted(replayed - stored)),
    )


def _stored_passages(
    session: Session, run_id: int, names: dict[str, str]
) -> set[Passage]:
    """The passages the run stored, as the model proposed them (before edits)."""
    guids = {code.id: code.guid for code in list_codes(session=session)}
    passages = set()
    for s in session.scalars(
        select(AssistSuggestion).where(AssistSuggestion.run_id == run_id)
    ):
        proposed = s.edited_from or {"start": s.start, "end": s.end, "code_id": s.code_id}
        code = names.get(guids.get(int(proposed["code_id"]), ""), "")
        passages.add((code, int(proposed["start"]), int(proposed["end"])))
    return passages
