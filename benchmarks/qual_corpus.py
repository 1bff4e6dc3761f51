"""Benchmark: the qualitative corpus at the scale of a large interview study.

Run from the repository root::

    .venv/bin/python benchmarks/qual_corpus.py [--documents 200] [--words 5000]
        [--codings 20000] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

It generates ``--documents`` French-like interview transcripts of ``--words``
words each (deterministically, seed 2026: two speakers, turns of 20 to 120
words, accented vocabulary), then on a fresh SQLite database (and on a fresh
PostgreSQL database when the server answers):

1. imports them (reader, storage, turns, history) into 20 cases and builds the
   full-text index, committed: **target < 10 s** (Taguette 1.5.2: 4.1 s for the
   same corpus as HTML with no full-text index, 90 s as .txt);
2. stores ``--codings`` codings in bulk with their history, committed:
   **target < 2 s** (Taguette: about 250 s, one HTTP request per coding);
3. a full-text search, accents folded ("egalite" finds "égalité"), first 50
   places: **target < 50 ms** (Taguette has no full-text search);
4. a code x case matrix (20 codes x 20 cases, counts, documents and the
   segments behind each cell): **target < 200 ms**.

Searches and matrices are timed five times; the median is printed with the
first (cold) run.  The Taguette figures are those quoted in issue 5.
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

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.config import Settings
from sociaparis.core.db import ensure_schema, make_engine, make_session_factory
from sociaparis.qual import codebook_service, coding_service, corpus
from sociaparis.qual.matrices import code_case_matrix
from sociaparis.qual.search import search

VOCABULARY = (
    "le la les un une des du de et à au aux en dans sur pour par avec sans sous "
    "nous vous ils elles on je tu il elle ce cette ces qui que quoi dont où mais "
    "donc or ni car alors aussi très plus moins bien peu tout tous toute toutes "
    "service agent agents direction équipe équipes mairie ville administration "
    "usager usagers dossier dossiers courrier courriers note notes réunion "
    "projet projets outil outils logiciel données modèle modèles réponse "
    "question questions rédaction résumé traduction recherche synthèse "
    "intelligence artificielle algorithme algorithmes générative chatbot "
    "assistant automatisation métier métiers compétence compétences expertise "
    "formation formations confiance risque risques erreur erreurs hallucination "
    "sécurité confidentialité éthique charte juridique règlement responsabilité "
    "environnement énergie impact coût coûts budget achat marché prestataire "
    "collègue collègues manager hiérarchie encadrement télétravail pratique "
    "pratiques changement changements transformation organisation temps gain "
    "qualité contrôle vérification relecture usage usages expérimentation "
    "pilote déploiement accès licence compte utiliser utilise utilisons "
    "tester testé essayé demandé rédigé vérifié corrigé appris découvert "
    "pense crois trouve dirais vois sais peux faut était avait sont est "
    "souvent parfois jamais toujours rarement vraiment beaucoup vite lentement "
    "public publique numérique interne externe nouveau nouvelle ancien première "
    "égalité diversité accessibilité transparence sobriété coopération villes"
).split()
SPEAKERS = ("Enquêtrice", "Agent")
CODES = 20
CASES = 20
TARGETS = {"import + index": 10.0, "codings": 2.0, "search": 0.050, "matrix": 0.200}
TAGUETTE = {
    "import + index": "4.1 s as HTML, no full-text index (90 s as .txt)",
    "codings": "~250 s (one HTTP request each)",
    "search": "none",
    "matrix": "-",
}


def transcript(rng: random.Random, words: int) -> str:
    """One interview of about ``words`` words, turns alternating between speakers."""
    turns, count, speaker = [], 0, 0
    while count < words:
        n = min(rng.randint(20, 120), words - count)
        body = " ".join(rng.choice(VOCABULARY) for _ in range(n))
        turns.append(f"{SPEAKERS[speaker]} : {body[0].upper()}{body[1:]}.")
        count += n
        speaker = 1 - speaker
    return "\n\n".join(turns)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def run(url: str, texts: list[str], n_codings: int, seed: int) -> dict[str, float]:
    """Run the four steps on the empty database at ``url``; return seconds."""
    settings = Settings(database_url=url, secret_key="benchmark-secret-key-0123456789")
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    factory = make_session_factory(engine)
    times: dict[str, float] = {}
    with factory.begin() as session:
        user = User(username="bench", password_hash="-", role="researcher")
        session.add(user)
        session.flush()
        actor = Account(user.id, "bench", Role.RESEARCHER, "")
        for k in range(CODES):
            codebook_service.add_code(session=session, actor=actor, name=f"Code {k + 1}")

    def import_all() -> list[int]:
        with factory.begin() as session:
            return [
                corpus.import_document(
                    session=session,
                    actor=actor,
                    data=body.encode(),
                    filename=f"entretien_{i + 1:03d}.txt",
                    detect_speakers=True,
                    case=f"Cas {i % CASES + 1:02d}",
                    case_kind="interviewee",
                    needs_pseudonymization=False,
                ).id
                for i, body in enumerate(texts)
            ]

    times["import + index"], ids = timed(import_all)
    with factory() as session:
        lengths = {d.id: d.length for d in corpus.list_documents(session=session)}
        code_ids = [c.id for c in codebook_service.list_codes(session=session)]
    rng = random.Random(seed)
    rows = []
    for _ in range(n_codings):
        doc = rng.choice(ids)
        start = rng.randrange(0, lengths[doc] - 400)
        rows.append(
            {
                "document_id": doc,
                "code_id": rng.choice(code_ids),
                "start": start,
                "end": start + rng.randint(20, 400),
            }
        )

    def store() -> int:
        with factory.begin() as session:
            return coding_service.bulk_apply(session=session, actor=actor, codings=rows)

    times["codings"], stored = timed(store)
    if stored != n_codings:
        raise RuntimeError(f"stored {stored} codings, expected {n_codings}")
    with factory() as session:
        searches = [
            timed(lambda: search(session=session, query="egalite")) for _ in range(5)
        ]
        matrices = [timed(lambda: code_case_matrix(session=session)) for _ in range(5)]
    found = searches[0][1]
    matrix = matrices[0][1]
    if not found.hits or found.hits[0].match.lower() != "égalité":
        raise RuntimeError("the search did not find 'égalité' for 'egalite'")
    if int(matrix.codings.values.sum()) != n_codings:
        raise RuntimeError("the matrix does not count every coding once")
    times["search"] = statistics.median(t for t, _ in searches)
    times["search (cold)"] = searches[0][0]
    times["matrix"] = statistics.median(t for t, _ in matrices)
    times["matrix (cold)"] = matrices[0][0]
    engine.dispose()
    return times


def _postgres(admin_url: str) -> tuple[str, Callable[[], None]] | None:
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"sociaparis_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        print(
            f"PostgreSQL not measured ({exc.__class__.__name__}: {exc})".splitlines()[0]
        )
        return None

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--codings", type=int, default=20000)
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts = [transcript(rng, args.words) for _ in range(args.documents)]
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(texts)} transcripts, {words} words, {sum(map(len, texts))} "
          f"characters; {args.codings} codings")  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        results["SQLite"] = run(url, texts, args.codings, args.seed)
    postgres = _postgres(args.pg_url)
    if postgres is not None:
        url, drop = postgres
        try:
            results["PostgreSQL"] = run(url, texts, args.codings, args.seed)
        finally:
            drop()
    print(
        f"{'step':<16}"
        + "".join(f"{b:>14}" for b in results)
        + f"{'target':>10}  Taguette"
    )
    for step in ("import + index", "codings", "search", "search (cold)", "matrix",
                 "matrix (cold)"):  # fmt: skip
        target = TARGETS.get(step)
        cells = "".join(f"{r[step]:>13.3f}s" for r in results.values())
        mark = f"{target:>9.3f}s" if target else f"{'':>10}"
        ok = ""
        if target:
            ok = "  " + (
                "OK" if all(r[step] < target for r in results.values()) else "MISSED"
            )
        print(f"{step:<16}{cells}{mark}{ok}  {TAGUETTE.get(step, '')}")


if __name__ == "__main__":
    main()
