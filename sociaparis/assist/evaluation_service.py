"""The AI's agreement with people in the study: a stored run, or the offline
suggester by cross-validation; and the offline suggester's help on a document.

The CLI (``assist evaluate``, ``assist offline``, ``assist similar``) and the
page ``/qual/assist/evaluation`` call these functions with the acting account;
the role checks are here.  Codings and units are read through
:func:`sociaparis.qual.interchange.stored_codings`, the reading half of the
human agreement, so that both are computed on the same units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.service import Account
from sociaparis.assist.evaluation import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_CONFIDENCE,
    Evaluation,
    evaluate_agreement,
)
from sociaparis.assist.models import AssistRun, AssistSuggestion
from sociaparis.assist.offline import (
    CODER_NAME,
    DEFAULT_THRESHOLD,
    MIN_EXAMPLES,
    coder_clause,
    find_more_offline,
    fit_offline,
    is_human,
    label_units,
    too_few_clauses,
)
from sociaparis.assist.offline_errors import AssistOfflineError
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.qual.codebook_service import code_path
from sociaparis.qual.coding_service import list_coders
from sociaparis.qual.interchange import StoredCodings, stored_codings

Unit = Literal["turns", "paragraphs", "segments"]
#: folds of the offline suggester's cross-validation by default
DEFAULT_FOLDS = 5


def can_evaluate(actor: Account) -> bool:
    """Whether ``actor`` may read the AI's agreement figures: researchers and
    administrators (they decide which codes the AI may help with)."""
    return actor.role.can_edit_codebook()


def _require(actor: Account, allowed: bool, action: str) -> None:
    if not allowed:
        raise SociaparisError(
            AssistOfflineError.NOT_ALLOWED, user=actor.username, role=str(actor.role),
            action=action,
        )  # fmt: skip


def _check_positive(name: str, value: int, minimum: int) -> None:
    if value < minimum:
        raise SociaparisError(
            AssistOfflineError.BAD_PARAMETER, name=name,
            expected=Reason(en=f"at least {minimum}", fr=f"au moins {minimum}"),
            value=value,
        )  # fmt: skip


def _human(session: Session, coder: str) -> str:
    """``coder`` after checking that it is a coder of the study and a person."""
    names = [c.name for c in list_coders(session=session)]
    if coder not in names:
        raise SociaparisError(
            AssistOfflineError.UNKNOWN_CODER, coder=coder,
            known=", ".join(names) or Reason(en="(none)", fr="aucun"),
        )  # fmt: skip
    if not is_human(coder):
        raise SociaparisError(AssistOfflineError.NOT_HUMAN, coder=coder)
    return coder


def _restrict(units: pd.DataFrame, documents: Sequence[str]) -> pd.DataFrame:
    return units[units["document"].isin(list(documents))].reset_index(drop=True)


# -- a stored run ------------------------------------------------------------------


def evaluate_run(
    *,
    session: Session,
    actor: Account,
    run: int,
    coder: str,
    unit: Unit = "turns",
    size: int = 500,
    min_overlap: int = 1,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Evaluation:
    """Agreement of a run's suggestions (every status) with a person's codings.

    The documents are those of the run that ``coder`` coded (the others say
    nothing of what the person would have coded); the codes are those the run
    was asked for (its scope), else those it suggested.

    Raises
    ------
    SociaparisError
        ``ASSIST_069`` for a viewer or coder, ``ASSIST_065`` for an unknown run,
        ``ASSIST_064``/``ASSIST_063`` for an unknown or non-human coder,
        ``ASSIST_066`` when ``coder`` coded none of the run's documents.
    """
    _require(actor, can_evaluate(actor), "evaluate the AI's suggestions")
    human = _human(session, coder)
    row = session.get(AssistRun, run)
    if row is None:
        raise SociaparisError(AssistOfflineError.UNKNOWN_RUN, run=run)
    names = {c.id: c.name for c in list_coders(session=session)}
    ai = names.get(row.coder_id or -1) or f"ai:{row.model or run}"
    suggestions = list(
        session.scalars(select(AssistSuggestion).where(AssistSuggestion.run_id == run))
    )
    scope = row.scope or {}
    documents: list[str | int] = list(
        dict.fromkeys(
            [*scope.get("documents", []), *(s.document_id for s in suggestions)]
        )
    )
    paths: dict[Any, str] = {}
    for ref in [*scope.get("codes", []), *(s.code_id for s in suggestions)]:
        if ref not in paths:
            paths[ref] = code_path(session, ref)
    codes = list(dict.fromkeys(paths.values()))
    if not documents or not codes:
        raise SociaparisError(
            AssistOfflineError.NOTHING_TO_EVALUATE,
            reason=Reason(
                en=f"run {run} has no document or code",
                fr=f"l'exécution {run} n'a ni document ni code",
            ),
        )  # fmt: skip
    data = stored_codings(
        session=session, unit=unit, size=size, documents=documents, viewer=actor
    )
    guid_of = {i: g for g, i in data.ids.items()}
    coded = sorted(set(data.codings.loc[data.codings["coder"] == human, "document"]))
    if not coded:
        raise SociaparisError(
            AssistOfflineError.NOTHING_TO_EVALUATE,
            reason=Reason(
                en=f"'{human}' coded none of the released documents of run {run}",
                fr=f"« {human} » n'a codé aucun des documents publiés de "
                f"l'exécution {run}",
            ),
        )  # fmt: skip
    ai_rows = [
        {"coder": ai, "document": guid_of[s.document_id], "start": s.start,
         "end": s.end, "code": paths[s.code_id]}
        for s in suggestions
        if s.document_id in guid_of and s.end > s.start
    ]  # fmt: skip
    frame = pd.concat(
        [data.codings[data.codings["coder"] == human], pd.DataFrame(ai_rows)],
        ignore_index=True,
    )
    left_out = len(data.ids) - len(coded)
    notes = (
        [f"{left_out} document(s) of the run that '{human}' did not code left out"]
        if left_out
        else []
    )
    return evaluate_agreement(
        frame, _restrict(data.units, coded), ai=ai, human=human, codes=codes,
        source=f"run {run}", unit=unit, min_overlap=min_overlap,
        bootstrap=bootstrap, seed=seed, confidence=confidence, notes=notes,
    )  # fmt: skip


# -- the offline suggester, cross-validated -----------------------------------------


def _units_data(
    session: Session, actor: Account, unit: Unit, size: int
) -> tuple[StoredCodings, StoredCodings]:
    """The suggester's units (turns, else paragraphs) and the evaluation's."""
    turns = stored_codings(session=session, unit="turns", viewer=actor)
    if unit == "turns":
        return turns, turns
    return turns, stored_codings(session=session, unit=unit, size=size, viewer=actor)


def evaluate_offline(
    *,
    session: Session,
    actor: Account,
    coder: str,
    folds: int = DEFAULT_FOLDS,
    unit: Unit = "turns",
    size: int = 500,
    min_overlap: int = 1,
    min_examples: int = MIN_EXAMPLES,
    threshold: float = DEFAULT_THRESHOLD,
    bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Evaluation:
    """The offline suggester against ``coder`` by ``folds``-fold cross-validation
    by document.

    The documents ``coder`` coded are shuffled with ``seed`` and dealt into
    folds; for each fold the suggester learns from ``coder``'s codings of the
    other folds and suggests on the fold's documents (units scored at least
    ``threshold``).  Every document is thus predicted by a suggester that never
    saw it.  Codes with fewer than ``min_examples`` coded units overall are not
    evaluated; a code a fold could not learn gets no suggestion in that fold
    (both said in the notes).

    Raises
    ------
    SociaparisError
        ``ASSIST_069`` for a viewer or coder, ``ASSIST_064``/``ASSIST_063`` for
        an unknown or non-human coder, ``ASSIST_067`` with fewer documents than
        folds, ``ASSIST_060`` when no code has enough examples.
    """
    _require(actor, can_evaluate(actor), "evaluate the offline suggester")
    _check_positive("folds", folds, 2)
    human = _human(session, coder)
    train_data, eval_data = _units_data(session, actor, unit, size)
    codings = train_data.codings
    documents = sorted(set(codings.loc[codings["coder"] == human, "document"]))
    if len(documents) < folds:
        raise SociaparisError(
            AssistOfflineError.TOO_FEW_DOCUMENTS, needed=folds, coder=human,
            count=len(documents),
        )  # fmt: skip
    everything = label_units(codings, train_data.units, train_data.texts, coders=[human])
    counts: dict[str, int] = {}
    for labels in everything.labels:
        for code in labels:
            counts[code] = counts.get(code, 0) + 1
    n_units = len(everything.labels)
    codes = sorted(
        c for c, n in counts.items() if n >= min_examples and n_units - n >= min_examples
    )
    notes = [
        f"code '{c}' not evaluated: {n} coded unit(s), {min_examples} needed"
        for c, n in sorted(counts.items())
        if c not in codes
    ]
    if not codes:
        raise SociaparisError(
            AssistOfflineError.TOO_FEW_EXAMPLES,
            needed=min_examples, coder=coder_clause(human),
            **too_few_clauses(
                sorted(counts), {c: (n, None) for c, n in sorted(counts.items())}
            ),
        )  # fmt: skip
    order = list(np.random.default_rng(seed).permutation(len(documents)))
    dealt = [[documents[i] for i in order[k::folds]] for k in range(folds)]
    doc_of = np.array(everything.documents)
    ai_rows: list[dict[str, Any]] = []
    for k, held in enumerate(dealt, start=1):
        train = ~np.isin(doc_of, held)
        try:
            suggester = fit_offline(
                [t for t, keep in zip(everything.texts, train, strict=True) if keep],
                [lab for lab, keep in zip(everything.labels, train, strict=True) if keep],
                codes=codes, min_examples=min_examples, threshold=threshold, seed=seed,
            )  # fmt: skip
        except SociaparisError as exc:
            if exc.error is not AssistOfflineError.TOO_FEW_EXAMPLES:
                raise
            notes.append(f"fold {k}: no code could be learnt; no suggestion")
            continue
        notes += [
            f"fold {k}: code '{c}' not learnt ({n} coded unit(s)); no suggestion"
            for c, n in suggester.skipped.items()
        ]
        test = np.nonzero(~train)[0]
        scores = suggester.scores([everything.texts[i] for i in test])
        for j, code in enumerate(suggester.codes):
            for i in test[scores[:, j] >= threshold]:
                start, end = everything.spans[i]
                ai_rows.append({"coder": CODER_NAME, "document": everything.documents[i],
                                "start": start, "end": end, "code": code})  # fmt: skip
    frame = pd.concat(
        [codings[codings["coder"] == human], pd.DataFrame(ai_rows)], ignore_index=True
    )
    return evaluate_agreement(
        frame, _restrict(eval_data.units, documents), ai=CODER_NAME, human=human,
        codes=codes, source=f"offline, {folds}-fold cross-validation by document",
        unit=unit, min_overlap=min_overlap, bootstrap=bootstrap, seed=seed,
        confidence=confidence, notes=notes,
    )  # fmt: skip


# -- the offline suggester's help on a document -----------------------------------


@dataclass(frozen=True, slots=True)
class Passage:
    """A unit the offline suggester proposes for a code, with its score."""

    document_id: int
    document: str
    code: str
    start: int
    end: int
    quote: str
    score: float
    rationale: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"document_id": self.document_id, "document": self.document,
                "code": self.code, "start": self.start, "end": self.end,
                "quote": self.quote, "score": self.score,
                "rationale": self.rationale}  # fmt: skip


@dataclass(frozen=True, slots=True)
class OfflineHelp:
    """What the offline suggester proposes, and what it could not learn."""

    passages: tuple[Passage, ...]
    codes: tuple[str, ...]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON twin."""
        return {"coder": CODER_NAME, "codes": list(self.codes),
                "passages": [p.to_dict() for p in self.passages],
                "notes": list(self.notes)}  # fmt: skip


def _coded(data: StoredCodings, code: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{document: (starts, ends)}`` of the passages people coded with ``code``."""
    c = data.codings
    mine = c[(c["code"] == code) & c["coder"].map(lambda x: is_human(str(x)))]
    return {
        str(d): (g["start"].to_numpy(), g["end"].to_numpy())
        for d, g in mine.groupby("document")
    }


def _uncoded(
    coded: dict[str, tuple[np.ndarray, np.ndarray]], document: str, start: int, end: int
) -> bool:
    """Whether no person coded any of ``[start, end)`` of ``document``."""
    if document not in coded:
        return True
    starts, ends = coded[document]
    return not bool(((starts < end) & (ends > start)).any())


def offline_suggestions(
    *,
    session: Session,
    actor: Account,
    document: str | int,
    coder: str | None = None,
    codes: Sequence[str] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    top_k: int | None = 10,
    min_examples: int = MIN_EXAMPLES,
) -> OfflineHelp:
    """Train the offline suggester now and rank the uncoded units of a released
    document per code (units a person already coded with the code are left out).

    Parameters
    ----------
    coder
        Learn from this person's codings only (default: every human coder).
    codes
        Code paths or names to suggest (default: every code it can learn).
    threshold, top_k
        Lowest score, and most passages per code.
    """
    _require(actor, actor.role.can_code(), "ask the offline suggester")
    if coder is not None:
        _human(session, coder)
    data = stored_codings(session=session, unit="turns", viewer=actor)
    target = stored_codings(
        session=session, unit="turns", documents=[document], viewer=actor
    )
    if not target.texts:
        raise SociaparisError(
            AssistOfflineError.NOTHING_TO_EVALUATE,
            reason=Reason(
                en=f"document '{document}' is not released",
                fr=f"le document « {document} » n'est pas publié",
            ),
        )  # fmt: skip
    coders = [coder] if coder else [c for c in set(data.codings["coder"]) if is_human(c)]
    units = label_units(data.codings, data.units, data.texts, coders=coders)
    if not units.texts:
        raise SociaparisError(
            AssistOfflineError.NO_HUMAN_CODINGS, coder=coder_clause(coder)
        )
    wanted = [code_path(session, c) for c in codes] if codes else None
    suggester = fit_offline(
        units.texts, units.labels, codes=wanted, min_examples=min_examples,
        threshold=threshold,
    )  # fmt: skip
    guid = next(iter(target.texts))
    text = target.texts[guid]
    spans = [
        (int(s), int(e))
        for s, e in target.units[["start", "end"]].itertuples(index=False)
    ]
    scores = suggester.scores([text[s:e] for s, e in spans])
    passages = []
    for j, code in enumerate(suggester.codes):
        coded = _coded(target, code)
        ranked = np.argsort(-scores[:, j], kind="stable")
        kept = [
            i for i in ranked
            if scores[i, j] >= threshold and _uncoded(coded, guid, *spans[i])
        ]  # fmt: skip
        for i in kept[:top_k] if top_k is not None else kept:
            s, e = spans[i]
            terms = suggester.terms(text[s:e], code)
            passages.append(
                Passage(
                    target.ids[guid], target.titles[guid], code, s, e, text[s:e],
                    float(scores[i, j]), ", ".join(terms),
                )
            )  # fmt: skip
    return OfflineHelp(tuple(passages), suggester.codes, tuple(suggester.notes))


def find_more(
    *,
    session: Session,
    actor: Account,
    code: str,
    coder: str | None = None,
    top_k: int = 20,
) -> OfflineHelp:
    """ "Find more passages like these": the units of released documents most like
    the passages people coded with ``code`` and not coded with it yet.

    Raises
    ------
    SociaparisError
        ``ASSIST_070`` when no person coded with ``code``.
    """
    _require(actor, actor.role.can_code(), "ask the offline suggester")
    _check_positive("top", top_k, 1)
    if coder is not None:
        _human(session, coder)
    path = code_path(session, code)
    data = stored_codings(session=session, unit="turns", viewer=actor)
    coders = [coder] if coder else [c for c in set(data.codings["coder"]) if is_human(c)]
    mine = data.codings[
        data.codings["coder"].isin(coders) & (data.codings["code"] == path)
    ]
    examples = [
        data.texts[d][int(s) : int(e)]
        for d, s, e in mine[["document", "start", "end"]].itertuples(index=False)
    ]
    if not examples:
        raise SociaparisError(
            AssistOfflineError.NO_EXAMPLES, code=path, coder=coder_clause(coder)
        )
    coded = _coded(data, path)
    candidates = [
        (str(d), int(s), int(e))
        for d, s, e in data.units[["document", "start", "end"]].itertuples(index=False)
        if _uncoded(coded, str(d), int(s), int(e))
    ]
    found = find_more_offline(
        examples, [data.texts[d][s:e] for d, s, e in candidates], top_k=top_k
    )
    passages = []
    for f in found:
        d, s, e = candidates[f.index]
        passages.append(
            Passage(data.ids[d], data.titles[d], path, s, e, data.texts[d][s:e],
                    f.similarity)
        )  # fmt: skip
    return OfflineHelp(tuple(passages), (path,), ())


# -- what the page offers ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunChoice:
    """A stored run that can be evaluated."""

    id: int
    coder: str
    created: str
    suggestions: int


@dataclass(frozen=True, slots=True)
class EvaluationChoices:
    """The runs and the people an evaluation may compare."""

    runs: tuple[RunChoice, ...]
    coders: tuple[str, ...]


def evaluation_choices(*, session: Session, actor: Account) -> EvaluationChoices:
    """The stored runs (newest first) and the human coders who coded something.

    Raises ``ASSIST_069`` for an account that may not evaluate.
    """
    from sqlalchemy import func

    _require(actor, can_evaluate(actor), "evaluate the AI's suggestions")
    coders = list_coders(session=session)
    names = {c.id: c.name for c in coders}
    counts = dict(
        session.execute(
            select(AssistSuggestion.run_id, func.count()).group_by(
                AssistSuggestion.run_id
            )
        ).all()
    )
    runs = tuple(
        RunChoice(
            r.id,
            names.get(r.coder_id or -1, r.model),
            f"{r.created_at:%Y-%m-%d %H:%M}",
            int(counts.get(r.id, 0)),
        )  # fmt: skip
        for r in session.scalars(select(AssistRun).order_by(AssistRun.id.desc()))
    )
    people = tuple(c.name for c in coders if is_human(c.name) and c.codings)
    return EvaluationChoices(runs, people)
