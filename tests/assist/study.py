"""A small synthetic study for the offline suggester and the AI's agreement.

Ten interviews of six speaker turns each.  In every interview two turns speak of
AI (``IA``: words of :data:`IA_WORDS`), two of money (``Budget``), two of
nothing in particular; the researcher ``ana`` coded each themed turn with its
code, whole.  :func:`add_run` stores a run of an AI coder whose suggestions are
given per (document, turn).
"""

from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.assist.models import AssistRun, AssistSuggestion
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from sociaparis.qual.models import QualCoder, QualTurn

IA_WORDS = "intelligence artificielle algorithme modèle chatbot automatisation".split()
BUDGET_WORDS = "budget coût dépenses financement crédits euros".split()
FILLER = (
    "alors nous avons parlé longtemps de la journée puis du quartier des voisins "
    "avec les enfants le matin au marché après le travail dans le bus ensuite"
).split()
#: theme of the turns of every interview, in order
PATTERN = ("IA", None, "Budget", None, "IA", "Budget")
N_DOCS = 10


def account(session: Session, name: str, role: Role) -> Account:
    """The account ``name`` (created with ``role`` when new)."""
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        user = User(username=name, password_hash="-", role=role.value)
        session.add(user)
        session.flush()
    return Account(user.id, name, Role(user.role), "")


def _turn(rng: random.Random, theme: str | None) -> str:
    words = rng.sample(FILLER, 10)
    if theme:
        words += rng.sample(IA_WORDS if theme == "IA" else BUDGET_WORDS, 3)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def build(session: Session, *, n_docs: int = N_DOCS, seed: int = 3) -> dict[str, int]:
    """Import the interviews, the codes and ana's codings; ``{title: id}``."""
    rng = random.Random(seed)
    boss = account(session, "boss", Role.RESEARCHER)
    ana = account(session, "ana", Role.CODER)
    cb.add_code(session=session, actor=boss, name="IA")
    cb.add_code(session=session, actor=boss, name="Budget")
    ids = {}
    for k in range(1, n_docs + 1):
        lines = [
            f"{'Agent' if i % 2 else 'Enquêtrice'} : {_turn(rng, theme)}"
            for i, theme in enumerate(PATTERN)
        ]
        title = f"entretien-{k:02d}"
        ids[title] = corpus.import_document(
            session=session, actor=boss, data="\n\n".join(lines).encode(),
            filename=f"{title}.txt", detect_speakers=True,
            needs_pseudonymization=False,
        ).id  # fmt: skip
        for turn, theme in zip(turns(session, ids[title]), PATTERN, strict=True):
            if theme:
                cs.apply_coding(
                    session=session, actor=ana, document=ids[title], code=theme,
                    start=turn[0], end=turn[1],
                )  # fmt: skip
    return ids


def turns(session: Session, document_id: int) -> list[tuple[int, int]]:
    """The (start, end) of a document's turns, in order."""
    return [
        (t.start, t.end)
        for t in session.scalars(
            select(QualTurn)
            .where(QualTurn.document_id == document_id)
            .order_by(QualTurn.position)
        )
    ]


def add_run(
    session: Session,
    ids: dict[str, int],
    suggested: dict[str, list[tuple[int, str]]],
    *,
    coder: str = "ai:test-model",
    scope_titles: list[str] | None = None,
    status: str = "proposed",
) -> int:
    """A run of ``coder`` proposing, per document title, ``(turn index, code)``."""
    row = QualCoder(guid=corpus.new_guid(), name=coder)
    session.add(row)
    session.flush()
    codes = {c.name: c for c in cb.list_codes(session=session)}
    titles = scope_titles if scope_titles is not None else list(suggested)
    run = AssistRun(
        kind="llm", coder_id=row.id, model=coder.split(":", 1)[-1],
        scope={"documents": [corpus.document_row(session, ids[t]).guid for t in titles],
               "codes": [codes[n].guid for n in ("IA", "Budget")]},
    )  # fmt: skip
    session.add(run)
    session.flush()
    for title, items in suggested.items():
        text = corpus.document_row(session, ids[title]).text
        spans = turns(session, ids[title])
        for index, code in items:
            s, e = spans[index]
            session.add(
                AssistSuggestion(
                    run_id=run.id, document_id=ids[title], code_id=codes[code].id,
                    start=s, end=e, quote=text[s:e], status=status, confidence=0.9,
                )
            )  # fmt: skip
    session.flush()
    return run.id
