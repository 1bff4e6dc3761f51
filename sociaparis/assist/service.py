"""Runs of a suggester over released documents, and a person's review of them.

A run sends released documents and code briefs to a suggester (a model behind
an endpoint, or the offline one), stores what it proposed as suggestions of
the run's coder (``ai:<model>``, ``offline:<name>``), every call it made, what
it rejected and why, its tokens and an energy estimate.  Nothing it proposes is
a coding: a researcher accepts a suggestion (as proposed, or with other bounds
or another code), which creates a coding of the run's coder through
:func:`sociaparis.qual.coding_service.apply_coding` (history, undo), or rejects
it.  The functions take the session and never commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account, get_account
from sociaparis.assist.briefs import CodeBrief, Suggester, SuggestionResult
from sociaparis.assist.energy import estimate_range, estimate_wh
from sociaparis.assist.models import (
    SUGGESTION_STATUSES,
    AssistCall,
    AssistRun,
    AssistSuggestion,
)
from sociaparis.assist.run_errors import AssistRunError
from sociaparis.core.db import utcnow
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.codebook_service import CodeInfo, list_codes
from sociaparis.qual.coding_service import apply_coding, list_coders, visible_coder_ids
from sociaparis.qual.corpus import document_row, turns_of
from sociaparis.qual.provenance import human_examples, tool_coder

#: the layout of a run's export (and of a recording that can be replayed)
RUN_FORMAT = "sociaparis-assist-run/1"
#: quotes of human codings shown to a suggester per code
EXAMPLES_PER_CODE = 3
#: code points of text shown before and after a suggestion
CONTEXT = 120
Progress = Callable[[int, int, str], None]


def require_reviewer(actor: Account, action: str) -> None:
    """``ASSIST_030`` unless ``actor`` is a researcher or an admin."""
    if not Role(actor.role).can_edit_codebook():
        raise SociaparisError(
            AssistRunError.NOT_ALLOWED,
            user=actor.username,
            role=Role(actor.role).value,
            action=action,
        )


def _ref(value: str | int) -> str | int:
    """An id given as text (a form, a command line) is an id."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def _run_kind(coder_name: str) -> str:
    return "llm" if coder_name.startswith("ai:") else coder_name.split(":", 1)[0]


# ------------------------------------------------------------------ runs


def code_briefs(
    codes: Sequence[CodeInfo], examples: dict[int, list[str]]
) -> list[CodeBrief]:
    """What the suggester is told of each code: its name (its path when two chosen
    codes share a name), definition, criteria, the codebook's example and
    passages people coded with it."""
    names = Counter(c.name for c in codes)
    briefs = []
    for code in codes:
        shown = code.name if names[code.name] == 1 else " > ".join(code.path)
        quotes = [code.example] if code.example else []
        quotes += [q for q in examples.get(code.id, []) if q and q not in quotes]
        briefs.append(
            CodeBrief(
                shown,
                code.description,
                code.inclusion,
                code.exclusion,
                tuple(quotes[: EXAMPLES_PER_CODE + 1]),
            )
        )
    return briefs


def chosen_codes(session: Session, codes: Iterable[str | int]) -> list[CodeInfo]:
    from sociaparis.qual.codebook_service import code_row

    every = {c.id: c for c in list_codes(session=session)}
    chosen: list[CodeInfo] = []
    for ref in codes:
        row = code_row(session, _ref(ref))
        code = every[row.id]
        if not row.codable:
            raise SociaparisError(AssistRunError.NOT_CODABLE, code=" > ".join(code.path))
        if code not in chosen:
            chosen.append(code)
    if not chosen:
        raise SociaparisError(AssistRunError.NO_CODES)
    return chosen


def codable_codes(session: Session) -> list[int]:
    """Ids of every code that may be applied (not a category), in codebook order."""
    from sociaparis.qual.codebook_service import code_row

    return [c.id for c in list_codes(session=session) if code_row(session, c.id).codable]


def check_documents(session: Session, documents: Iterable[str | int]) -> list[Any]:
    """The documents ``documents`` name, all released, or ``ASSIST_031``/``032``."""
    rows = []
    for ref in documents:
        doc = document_row(session, _ref(ref))
        if doc.status != "released":
            raise SociaparisError(
                AssistRunError.NOT_RELEASED, title=doc.title, status=doc.status
            )
        if doc not in rows:
            rows.append(doc)
    if not rows:
        raise SociaparisError(AssistRunError.NO_DOCUMENTS)
    return rows


def start_run(
    session: Session,
    actor: Account,
    suggester: Suggester,
    *,
    documents: Sequence[str | int],
    codes: Sequence[str | int],
    progress: Progress | None = None,
    parameters: dict[str, Any] | None = None,
) -> AssistRun:
    """Run ``suggester`` over released ``documents`` for ``codes``; store what it gave.

    Parameters
    ----------
    session
        Open session (the caller commits).
    actor
        A researcher or an admin.
    suggester
        Anything with ``coder_name`` and ``suggest(text, codes, turns)``.
    documents
        Document ids, GUIDs or titles; every one must be released.
    codes
        Code ids, GUIDs, paths or names; codable codes only.
    progress
        Called after each document with ``(done, total, title)``.
    parameters
        Settings to keep with the run (e.g. the suggester's kind and options).

    Returns
    -------
    AssistRun
        The run, ``status`` ``done``.  When the suggester raises, the run is
        marked ``failed`` in the session (with what it stored so far) and the
        error raised again: the caller decides whether to keep it.

    Raises
    ------
    SociaparisError
        ``ASSIST_030`` for a role that may not, ``ASSIST_031`` for a document
        not released, ``ASSIST_032``/``ASSIST_033`` when nothing is chosen,
        ``ASSIST_041`` for a code that is not codable, ``QUAL_202``/``QUAL_204``
        for unknown documents or codes.  Nothing is sent before these checks.
    """
    require_reviewer(actor, "run a suggester")
    docs = check_documents(session, documents)
    chosen = chosen_codes(session, codes)
    briefs = code_briefs(
        chosen,
        human_examples(
            session=session,
            code_ids=[c.id for c in chosen],
            per_code=EXAMPLES_PER_CODE,
        ),
    )
    by_name = {brief.name: code.id for brief, code in zip(briefs, chosen, strict=True)}
    coder = tool_coder(session=session, name=suggester.coder_name)
    endpoint = getattr(suggester, "endpoint", None)
    run = AssistRun(
        kind=_run_kind(suggester.coder_name),
        coder_id=coder,
        endpoint=str(getattr(endpoint, "url", "") or ""),
        model=str(
            getattr(endpoint, "model", "") or suggester.coder_name.split(":", 1)[-1]
        ),
        parameters=_kept_parameters(suggester, briefs, parameters),
        scope={"documents": [d.guid for d in docs], "codes": [c.guid for c in chosen]},
        report={},
        status="running",
        started_by_id=actor.id,
        calls=0,
        prompt_tokens=0,
        completion_tokens=0,
        created_at=utcnow(),
    )
    session.add(run)
    session.flush()
    rejected: list[dict[str, Any]] = []
    stored = 0
    position = 0
    for number, doc in enumerate(docs, start=1):
        turns = [(t.start, t.end) for t in turns_of(session=session, document_id=doc.id)]
        try:
            result = suggester.suggest(doc.text, briefs, turns)
        except SociaparisError:
            _finish(session, run, rejected, stored, status="failed")
            raise
        except Exception as error:
            _finish(session, run, rejected, stored, status="failed")
            raise SociaparisError(
                AssistRunError.SUGGESTER_FAILED,
                coder=suggester.coder_name,
                title=doc.title,
                reason=f"{type(error).__name__}: {error}"[:300],
            ) from error
        if result.calls and not run.endpoint:  # a suggester that names no endpoint
            run.endpoint, run.model = result.calls[0].endpoint, result.calls[0].model
        stored += _store(session, run, doc, result, by_name, rejected)
        for call in result.calls:
            session.add(AssistCall(run_id=run.id, position=position,
                                   document_id=doc.id, **asdict(call)))  # fmt: skip
            position += 1
        run.calls += len(result.calls)
        run.prompt_tokens += result.prompt_tokens
        run.completion_tokens += result.completion_tokens
        session.flush()
        if progress is not None:
            progress(number, len(docs), doc.title)
    _finish(session, run, rejected, stored, status="done")
    return run


def _kept_parameters(
    suggester: Suggester, briefs: Sequence[CodeBrief], parameters: dict[str, Any] | None
) -> dict[str, Any]:
    """What a run keeps to be replayed: the caller's parameters, the suggester's
    own settings when it tells them, and the code briefs exactly as sent."""
    kept = dict(parameters or {})
    settings = getattr(suggester, "settings", None)
    if callable(settings):
        kept["suggester_settings"] = settings()
    kept["briefs"] = [asdict(brief) for brief in briefs]
    return kept


def _store(
    session: Session,
    run: AssistRun,
    doc: Any,
    result: SuggestionResult,
    by_name: dict[str, int],
    rejected: list[dict[str, Any]],
) -> int:
    """Store a document's suggestions; what cannot be stored goes to ``rejected``."""
    rejected.extend(
        {"document": doc.guid, "code": r.code, "quote": r.quote, "reason": r.reason}
        for r in result.rejected
    )
    seen: set[tuple[int, int, int]] = set()
    count = 0
    for s in result.suggestions:
        code_id = by_name.get(s.code)
        reason = None
        if code_id is None:
            reason = "unknown_code"
        elif not (0 <= s.start < s.end <= len(doc.text)) or (
            doc.text[s.start : s.end] != s.quote
        ):
            reason = "not_in_text"
        elif (code_id, s.start, s.end) in seen:
            reason = "duplicate"
        if reason is not None:
            rejected.append({"document": doc.guid, "code": s.code,
                             "quote": s.quote, "reason": reason})  # fmt: skip
            continue
        assert code_id is not None
        seen.add((code_id, s.start, s.end))
        session.add(
            AssistSuggestion(
                run_id=run.id,
                document_id=doc.id,
                code_id=code_id,
                start=s.start,
                end=s.end,
                quote=s.quote,
                rationale=s.rationale,
                confidence=s.confidence,
                status="proposed",
            )
        )
        count += 1
    return count


def _finish(
    session: Session,
    run: AssistRun,
    rejected: list[dict[str, Any]],
    stored: int,
    *,
    status: str,
) -> None:
    run.report = {
        "suggestions": stored,
        "rejected": rejected,
        "rejected_by_reason": dict(
            sorted(Counter(r["reason"] for r in rejected).items())
        ),
    }
    run.energy_wh = (
        estimate_wh(run.prompt_tokens, run.completion_tokens) if run.calls else None
    )
    run.status = status
    run.finished_at = utcnow()
    session.flush()


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A run as listed: who, what, its cost and its suggestions by status."""

    id: int
    kind: str
    coder: str
    model: str
    endpoint: str
    status: str
    started_by: str | None
    created_at: datetime | None
    finished_at: datetime | None
    documents: int
    calls: int
    prompt_tokens: int
    completion_tokens: int
    energy_wh: float | None
    counts: dict[str, int]
    rejected_by_reason: dict[str, int]

    @property
    def energy_range(self) -> tuple[float, float] | None:
        """The range shown around the energy estimate (Wh)."""
        return estimate_range(self.energy_wh) if self.energy_wh is not None else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "coder": self.coder,
            "model": self.model,
            "endpoint": self.endpoint,
            "status": self.status,
            "started_by": self.started_by,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "documents": self.documents,
            "calls": self.calls,
            "tokens": {
                "prompt": self.prompt_tokens,
                "completion": self.completion_tokens,
            },
            "energy_wh_estimate": self.energy_wh,
            "energy_wh_range": list(self.energy_range) if self.energy_range else None,
            "suggestions": self.counts,
            "rejected": self.rejected_by_reason,
        }


def _coder_names(session: Session) -> dict[int, str]:
    return {c.id: c.name for c in list_coders(session=session)}


def _username(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    account = get_account(session=session, user_id=user_id)
    return account.username if account is not None else None


def _run_info(session: Session, run: AssistRun, coders: dict[int, str]) -> RunInfo:
    counts = dict(
        session.execute(
            select(AssistSuggestion.status, func.count())
            .where(AssistSuggestion.run_id == run.id)
            .group_by(AssistSuggestion.status)
        ).all()
    )
    return RunInfo(
        run.id,
        run.kind,
        coders.get(run.coder_id or 0, ""),
        run.model,
        run.endpoint,
        run.status,
        _username(session, run.started_by_id),
        run.created_at,
        run.finished_at,
        len(run.scope.get("documents", [])),
        run.calls,
        run.prompt_tokens,
        run.completion_tokens,
        run.energy_wh,
        {s: int(counts.get(s, 0)) for s in SUGGESTION_STATUSES},
        dict(run.report.get("rejected_by_reason", {})),
    )


def _visible_runs(session: Session, viewer: Account) -> Any:
    query = select(AssistRun).order_by(AssistRun.id.desc())
    visible = visible_coder_ids(session=session, viewer=viewer)
    if visible is not None:  # blind mode: a coder sees no other coder's work
        query = query.where(AssistRun.coder_id.in_(visible))
    return query


def list_runs(*, session: Session, viewer: Account) -> list[RunInfo]:
    """The runs, newest first (in blind mode, none for a coder or a viewer)."""
    coders = _coder_names(session)
    return [
        _run_info(session, run, coders)
        for run in session.scalars(_visible_runs(session, viewer))
    ]


def get_run(*, session: Session, viewer: Account, run: int | str) -> RunInfo:
    """One run, or ``ASSIST_034``."""
    return _run_info(session, _run_row(session, viewer, run), _coder_names(session))


def _run_row(session: Session, viewer: Account, run: int | str) -> AssistRun:
    ref = _ref(run)
    row = (
        session.scalar(_visible_runs(session, viewer).where(AssistRun.id == ref))
        if isinstance(ref, int)
        else None
    )
    if row is None:
        raise SociaparisError(AssistRunError.UNKNOWN_RUN, ref=run)
    return row


def export_run(*, session: Session, actor: Account, run: int | str) -> dict[str, Any]:
    """A run as JSON (``sociaparis-assist-run/1``): its settings, every call as
    sent and answered, its suggestions with their decisions, what it rejected.

    Raises
    ------
    SociaparisError
        ``ASSIST_030`` for a role that may not export, ``ASSIST_034``.
    """
    if not Role(actor.role).can_export():
        require_reviewer(actor, "export runs")
    row = _run_row(session, actor, run)
    info = _run_info(session, row, _coder_names(session))
    calls = [
        {
            "endpoint": c.endpoint,
            "model": c.model,
            "parameters": c.parameters,
            "request": c.request,
            "response": c.response,
            "status": c.status,
            "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens,
            "seconds": c.seconds,
            "error": c.error,
        }
        for c in session.scalars(
            select(AssistCall)
            .where(AssistCall.run_id == row.id)
            .order_by(AssistCall.position)
        )
    ]
    suggestions = [
        s.to_dict()
        for s in list_suggestions(session=session, viewer=actor, run=row.id, status=None)
    ]
    return {
        "format": RUN_FORMAT,
        "run": {
            **info.to_dict(),
            "parameters": row.parameters,
            "scope": row.scope,
            "energy_method": "EcoLogits LLM inference v1.0 (output tokens, 24B active "
            "parameters, PUE 1.2); an estimate, range x0.5 to x2",
        },
        "calls": calls,
        "suggestions": suggestions,
        "rejected": list(row.report.get("rejected", [])),
    }


# ------------------------------------------------------------------ suggestions


@dataclass(frozen=True, slots=True)
class SuggestionInfo:
    """A suggestion as a reviewer sees it: the quote in its context, the code,
    why, how sure, which model, and what was decided."""

    id: int
    run: int
    document_id: int
    document: str
    title: str
    code_id: int
    code: str
    start: int
    end: int
    quote: str
    before: str
    after: str
    rationale: str
    confidence: float | None
    model: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    coding_id: int | None
    edited_from: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "run": self.run,
            "document": self.document,
            "title": self.title,
            "code": self.code,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "rationale": self.rationale,
            "confidence": self.confidence,
            "model": self.model,
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "coding": self.coding_id,
            "edited_from": self.edited_from,
        }


def _check_status(status: str | None) -> None:
    if status is not None and status not in SUGGESTION_STATUSES:
        raise SociaparisError(
            AssistRunError.BAD_STATUS,
            value=str(status)[:40],
            choices=", ".join(SUGGESTION_STATUSES),
        )


def check_confidence(value: Any) -> float | None:
    """A minimum confidence from a form or a command line: ``None`` or 0..1."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise SociaparisError(AssistRunError.BAD_CONFIDENCE, value=str(value)[:40])
    return number


def list_suggestions(
    *,
    session: Session,
    viewer: Account,
    run: int | None = None,
    document: str | int | None = None,
    code: str | int | None = None,
    status: str | None = "proposed",
    min_confidence: float | None = None,
    limit: int | None = None,
) -> list[SuggestionInfo]:
    """Suggestions in document order, filtered by run, document, code, status
    (``None``: all) and minimum confidence (a suggestion without one is kept
    only when no minimum is asked).  Any role may read; in blind mode a coder or
    a viewer sees none (they are another coder's work)."""
    from sociaparis.qual.codebook_service import code_row

    _check_status(status)
    minimum = check_confidence(min_confidence)
    query = (
        select(AssistSuggestion, AssistRun.coder_id)
        .join(AssistRun, AssistRun.id == AssistSuggestion.run_id)
        .order_by(
            AssistSuggestion.document_id, AssistSuggestion.start, AssistSuggestion.id
        )
    )
    visible = visible_coder_ids(session=session, viewer=viewer)
    if visible is not None:
        query = query.where(AssistRun.coder_id.in_(visible))
    if run is not None:
        query = query.where(AssistSuggestion.run_id == int(run))
    if document is not None:
        query = query.where(
            AssistSuggestion.document_id == document_row(session, _ref(document)).id
        )
    if code is not None:
        query = query.where(AssistSuggestion.code_id == code_row(session, _ref(code)).id)
    if status is not None:
        query = query.where(AssistSuggestion.status == status)
    if minimum is not None:
        query = query.where(AssistSuggestion.confidence >= minimum)
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    return _infos(session, rows)


def _infos(session: Session, rows: Sequence[Any]) -> list[SuggestionInfo]:
    coders = _coder_names(session)
    paths = {c.id: " > ".join(c.path) for c in list_codes(session=session)}
    docs: dict[int, Any] = {}
    users: dict[int, str | None] = {}
    out = []
    for row, coder in rows:
        doc = docs.get(row.document_id)
        if doc is None:
            doc = docs[row.document_id] = document_row(session, row.document_id)
        if row.decided_by_id is not None and row.decided_by_id not in users:
            users[row.decided_by_id] = _username(session, row.decided_by_id)
        out.append(
            SuggestionInfo(
                row.id,
                row.run_id,
                doc.id,
                doc.guid,
                doc.title,
                row.code_id,
                paths.get(row.code_id, ""),
                row.start,
                row.end,
                row.quote,
                doc.text[max(0, row.start - CONTEXT) : row.start],
                doc.text[row.end : row.end + CONTEXT],
                row.rationale,
                row.confidence,
                coders.get(coder or 0, ""),
                row.status,
                users.get(row.decided_by_id) if row.decided_by_id else None,
                row.decided_at,
                row.coding_id,
                _proposal(row.edited_from, paths),
            )
        )
    return out


def _proposal(
    edited_from: dict[str, Any] | None, paths: dict[int, str]
) -> dict[str, Any] | None:
    """What the suggester proposed, with its code's path, for an edited suggestion."""
    if not edited_from:
        return None
    proposal = dict(edited_from)
    proposal["code"] = paths.get(int(proposal.pop("code_id", 0) or 0), "")
    return proposal


def _suggestion(session: Session, ref: int | str) -> AssistSuggestion:
    row = session.get(AssistSuggestion, int(ref)) if str(ref).isdigit() else None
    if row is None:
        raise SociaparisError(AssistRunError.UNKNOWN_SUGGESTION, ref=ref)
    return row


def _info(session: Session, row: AssistSuggestion) -> SuggestionInfo:
    session.refresh(row)
    coder = session.scalar(select(AssistRun.coder_id).where(AssistRun.id == row.run_id))
    return _infos(session, [(row, coder)])[0]


def _already(session: Session, row: AssistSuggestion, wanted: str) -> SociaparisError:
    return SociaparisError(
        AssistRunError.ALREADY_DECIDED,
        ref=row.id,
        status=row.status,
        who=_username(session, row.decided_by_id) or "?",
        wanted=wanted,
    )


def accept_suggestion(
    *,
    session: Session,
    actor: Account,
    suggestion: int | str,
    start: int | None = None,
    end: int | None = None,
    code: str | int | None = None,
) -> SuggestionInfo:
    """Accept a suggestion, as proposed or with other bounds or another code.

    A coding of the run's coder is created with
    :func:`~sociaparis.qual.coding_service.apply_coding` (so it is in the
    history and ``actor`` can undo it); the suggestion records who decided,
    when, and the coding.  With new bounds, its quote becomes the text they
    cover, and ``edited_from`` keeps what the suggester proposed (so that its
    agreement with people is measured on its own proposals).  Accepting an
    accepted suggestion again changes nothing.

    Raises
    ------
    SociaparisError
        ``ASSIST_030`` for a role that may not, ``ASSIST_035`` for an unknown
        suggestion, ``ASSIST_036`` for a rejected one, ``ASSIST_040`` for bad
        bounds, ``ASSIST_041`` for a code that is not codable, ``QUAL_204`` for
        an unknown code.
    """
    from sociaparis.qual.codebook_service import code_row

    require_reviewer(actor, "accept suggestions")
    row = _suggestion(session, suggestion)
    edited = start is not None or end is not None or code is not None
    if row.status == "accepted" and not edited:
        return _info(session, row)
    if row.status != "proposed":
        raise _already(session, row, "accepted")
    doc = document_row(session, row.document_id)
    new_start = row.start if start is None else int(start)
    new_end = row.end if end is None else int(end)
    if not 0 <= new_start < new_end <= len(doc.text):
        raise SociaparisError(
            AssistRunError.BAD_EDIT,
            ref=row.id,
            reason=Reason(
                en=f"{new_start}..{new_end} is not a span of the text "
                f"(0..{len(doc.text)})",
                fr=f"{new_start}..{new_end} n'est pas un passage du texte "
                f"(0..{len(doc.text)})",
            ),
        )
    new_code = row.code_id
    if code is not None:
        chosen = code_row(session, _ref(code))
        if not chosen.codable:
            raise SociaparisError(AssistRunError.NOT_CODABLE, code=chosen.name)
        new_code = chosen.id
    now = utcnow()
    # The decision first, conditional on the suggestion still being proposed:
    # of two people accepting at once, one creates the coding.
    claimed = session.execute(
        update(AssistSuggestion)
        .where(AssistSuggestion.id == row.id, AssistSuggestion.status == "proposed")
        .values(status="accepted", decided_by_id=actor.id, decided_at=now)
    ).rowcount
    if claimed != 1:
        session.refresh(row)
        if row.status == "accepted" and not edited:
            return _info(session, row)
        raise _already(session, row, "accepted")
    run = session.get(AssistRun, row.run_id)
    coder = run.coder_id if run is not None and run.coder_id is not None else None
    if coder is None:  # the coder was deleted: the model's name is kept on the run
        coder = tool_coder(session=session, name=f"ai:{run.model if run else '?'}")
    created = apply_coding(
        session=session,
        actor=actor,
        document=doc.id,
        code=new_code,
        start=new_start,
        end=new_end,
        as_coder=coder,
    )
    changed = (new_start, new_end, new_code) != (row.start, row.end, row.code_id)
    proposed = {"start": row.start, "end": row.end, "code_id": row.code_id,
                "quote": row.quote}  # fmt: skip
    session.execute(
        update(AssistSuggestion)
        .where(AssistSuggestion.id == row.id)
        .values(
            start=new_start,
            end=new_end,
            code_id=new_code,
            quote=doc.text[new_start:new_end],
            coding_id=created.id,
            edited_from=proposed if changed else None,
        )
    )
    session.flush()
    return _info(session, row)


def reject_suggestion(
    *, session: Session, actor: Account, suggestion: int | str
) -> SuggestionInfo:
    """Reject a suggestion (again: nothing changes; an accepted one: ``ASSIST_036``)."""
    require_reviewer(actor, "reject suggestions")
    row = _suggestion(session, suggestion)
    if row.status == "rejected":
        return _info(session, row)
    claimed = session.execute(
        update(AssistSuggestion)
        .where(AssistSuggestion.id == row.id, AssistSuggestion.status == "proposed")
        .values(status="rejected", decided_by_id=actor.id, decided_at=utcnow())
    ).rowcount
    session.refresh(row)
    if claimed != 1 and row.status != "rejected":
        raise _already(session, row, "rejected")
    return _info(session, row)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch decision did: ids decided now, already so, refused."""

    decided: tuple[int, ...]
    unchanged: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "decided": list(self.decided),
            "unchanged": list(self.unchanged),
            "refused": [{"id": i, "error": e} for i, e in self.refused],
        }


def decide_many(
    *,
    session: Session,
    actor: Account,
    suggestions: Iterable[int | str],
    decision: str,
) -> BatchResult:
    """Accept (``decision="accept"``) or reject several suggestions at once.

    Each is decided as by :func:`accept_suggestion` / :func:`reject_suggestion`;
    one already decided the same way is left as it is, one decided the other
    way is refused (listed with its error code); the others are still decided.
    """
    require_reviewer(actor, f"{decision} suggestions")
    if decision not in ("accept", "reject"):
        raise SociaparisError(AssistRunError.NO_DECISION)
    decided: list[int] = []
    unchanged: list[int] = []
    refused: list[tuple[int, str]] = []
    for ref in dict.fromkeys(suggestions):
        row = _suggestion(session, ref)
        target = "accepted" if decision == "accept" else "rejected"
        if row.status == target:
            unchanged.append(row.id)
            continue
        try:
            with session.begin_nested():
                if decision == "accept":
                    accept_suggestion(session=session, actor=actor, suggestion=row.id)
                else:
                    reject_suggestion(session=session, actor=actor, suggestion=row.id)
        except SociaparisError as error:
            refused.append((row.id, error.code))
            continue
        decided.append(row.id)
    return BatchResult(tuple(decided), tuple(unchanged), tuple(refused))
