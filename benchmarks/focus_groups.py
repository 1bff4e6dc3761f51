"""Benchmark: focus-group tables on a large corpus of focus groups.

Run from the repository root::

    .venv/bin/python benchmarks/focus_groups.py [--groups 20] [--turns 1500]
        [--participants 10] [--codings 3000]

It generates ``--groups`` transcripts (deterministically, seed 2026) of
``--turns`` turns each, spoken by a moderator and ``--participants``
participants (turns of 5 to 80 words), every speaker linked to a case with two
attributes, and ``--codings`` codings per transcript over 20 codes, a tenth of
them spanning two or three turns.  On a fresh SQLite database it times, five
times each (median printed with the first, cold, run):

1. the code x participant matrix over every transcript: **target < 2 s**;
2. the code x participant-attribute matrix: **target < 2 s**;
3. the interaction tables (transitions and codes across speakers):
   **target < 2 s**;
4. the participation table (turns and words per participant): **target < 1 s**.

The defaults are twenty three-hour focus groups, 60,000 codings in all: more
than the SOCIAPARIS study will hold.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert

WORDS = (
    "agent ville outil copilot albert données usage risque égalité réponse courrier "
    "temps erreur confiance service direction formation public usager projet"
).split()


def _timed(label: str, call: Callable[[], Any], target: float) -> None:
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        call()
        runs.append(time.perf_counter() - began)
    median = statistics.median(runs)
    verdict = "ok" if median < target else "OVER TARGET"
    print(f"{label:<34} first {runs[0]:7.3f} s  median {median:7.3f} s  "
          f"(target < {target:g} s) {verdict}")  # fmt: skip


def main() -> None:
    """Build the corpus, then time the four tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--turns", type=int, default=1500)
    parser.add_argument("--participants", type=int, default=10)
    parser.add_argument("--codings", type=int, default=3000)
    args = parser.parse_args()

    from sociaparis.accounts.models import User
    from sociaparis.accounts.roles import Role
    from sociaparis.accounts.service import Account
    from sociaparis.core.db import Base
    from sociaparis.qual import codebook_service as cb
    from sociaparis.qual import corpus
    from sociaparis.qual import participant_service as ps
    from sociaparis.qual.models import QualCoding
    from sociaparis.qual.participants import count_words

    rng = random.Random(2026)
    folder = Path(tempfile.mkdtemp(prefix="sociaparis-focus-"))
    engine = create_engine(f"sqlite:///{folder / 'bench.db'}")
    Base.metadata.create_all(engine)
    from sqlalchemy.orm import Session

    began = time.perf_counter()
    with Session(engine) as session, session.begin():
        user = User(username="boss", password_hash="-", role=Role.RESEARCHER.value)
        session.add(user)
        session.flush()
        boss = Account(user.id, "boss", Role.RESEARCHER, "")
        code_ids = [
            cb.add_code(session=session, actor=boss, name=f"Code {k:02d}").id
            for k in range(20)
        ]
        total_words = 0
        for g in range(args.groups):
            speakers = ["Animatrice"] + [
                f"SPEAKER_{p:02d}" for p in range(args.participants)
            ]
            paragraphs = []
            for t in range(args.turns):
                who = speakers[0] if t % 8 == 0 else rng.choice(speakers[1:])
                words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 80)))
                paragraphs.append(f"{who}: {words}.")
            text = "\n\n".join(paragraphs)
            total_words += count_words(text)
            doc = corpus.import_document(
                session=session, actor=boss, data=text.encode(),
                filename=f"focus-{g:02d}.txt", detect_speakers=True,
                needs_pseudonymization=False,
            )  # fmt: skip
            ps.set_moderator(session=session, actor=boss, document=doc.id,
                             speaker="Animatrice")  # fmt: skip
            for p, speaker in enumerate(speakers[1:]):
                ps.link_speaker(
                    session=session, actor=boss, document=doc.id, speaker=speaker,
                    case=f"G{g:02d}-P{p:02d}",
                    attributes={"direction": f"D{p % 4}", "usage": p % 5 + 1},
                )  # fmt: skip
            turns = corpus.turns_of(session=session, document_id=doc.id)
            rows = []
            for _ in range(args.codings):
                first = rng.randrange(len(turns))
                last = min(len(turns) - 1, first + (rng.randint(1, 2) if
                           rng.random() < 0.1 else 0))  # fmt: skip
                start = rng.randint(turns[first].start, turns[first].end - 1)
                end = rng.randint(max(start + 1, turns[last].start), turns[last].end)
                rows.append({"guid": str(uuid.uuid4()).upper(),
                             "document_id": doc.id, "code_id": rng.choice(code_ids),
                             "start": start, "end": end})  # fmt: skip
            session.execute(insert(QualCoding.__table__), rows)
    print(f"corpus: {args.groups} focus groups x {args.turns} turns, "
          f"{args.groups * args.codings} codings, {total_words} words, "
          f"built in {time.perf_counter() - began:.1f} s (SQLite, {folder})")  # fmt: skip

    with Session(engine) as session:
        _timed("code x participant matrix",
               lambda: ps.participant_matrix(session=session), 2.0)  # fmt: skip
        _timed("code x participant attribute",
               lambda: ps.participant_attribute_matrix(
                   session=session, attribute="direction"), 2.0)  # fmt: skip
        _timed("interaction tables", lambda: ps.interaction(session=session), 2.0)
        _timed("participation table",
               lambda: ps.participation_table(session=session), 1.0)  # fmt: skip
    engine.dispose()


if __name__ == "__main__":
    main()
