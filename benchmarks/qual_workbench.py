"""Benchmark: the codebook and qualitative analysis pages on a large coded corpus.

Run from the repository root::

    .venv/bin/python benchmarks/qual_workbench.py [--documents 100] [--words 5000]
        [--codings 10000] [--repeat 5]

It generates ``--documents`` French-like transcripts (the generator of
``benchmarks/qual_corpus.py``, seed 2026) in 20 cases with a direction
attribute, a codebook of 20 codes, and ``--codings`` codings split between two
coders (``ana`` and ``ben``) on a fresh SQLite study, then times, as the
researcher ``boss`` (median of ``--repeat`` runs, first run apart), each page
over the whole application (FastAPI TestClient: routing, services, template):

- ``GET /qual/codebook`` (the tree, merge and move choices);
- ``GET /qual/matrix`` (code x case) and ``GET /qual/matrix?by=direction``;
- ``GET /qual/matrix?view=cooccurrence`` (overlap pairs);
- ``GET /qual/segments?code=Code 1`` (about 1/20 of the codings, with context);
- ``GET /qual/agreement?run=true&coder=ana&coder=ben`` (turns as units, the
  five coefficients for 20 codes, every disagreement with both coders' segments;
  the page lists 200).

Targets, for a page a person waits for: < 500 ms each, < 2 s for agreement.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qual_corpus import transcript  # noqa: E402

from sociaparis.accounts.roles import Role  # noqa: E402
from sociaparis.accounts.service import create_user  # noqa: E402
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import transaction  # noqa: E402
from sociaparis.qual import codebook_service, coding_service, corpus  # noqa: E402

PASSWORD = "bench-password-123"
PAGES = {
    "codebook": ("/qual/codebook", 0.5),
    "matrix by case": ("/qual/matrix", 0.5),
    "matrix by direction": ("/qual/matrix?by=direction", 0.5),
    "co-occurrence": ("/qual/matrix?view=cooccurrence", 0.5),
    "segments of a code": ("/qual/segments?code=Code+1", 0.5),
    "agreement": ("/qual/agreement?run=true&coder=ana&coder=ben", 2.0),
}


def build(settings: Settings, args: argparse.Namespace) -> None:
    """The corpus, codebook and codings of the benchmark."""
    from sociaparis.core.db import ensure_schema, make_engine

    engine = make_engine(settings)
    ensure_schema(engine, settings)
    rng = random.Random(args.seed)
    with transaction(engine) as session:
        people = {
            name: create_user(session=session, username=name, password=PASSWORD,
                              role=role)
            for name, role in (("boss", Role.RESEARCHER), ("ana", Role.CODER),
                               ("ben", Role.CODER))
        }  # fmt: skip
        boss = people["boss"]
        for k in range(20):
            corpus.ensure_case(
                session=session, actor=boss, name=f"Cas {k + 1:02d}",
                attributes={"direction": f"D{k % 5}"},
            )  # fmt: skip
        ids = [
            corpus.import_document(
                session=session, actor=boss,
                data=transcript(rng, args.words).encode(), filename=f"e{i:03d}.txt",
                detect_speakers=True, case=f"Cas {i % 20 + 1:02d}",
                needs_pseudonymization=False,
            ).id
            for i in range(args.documents)
        ]  # fmt: skip
        codes = [
            codebook_service.add_code(
                session=session, actor=boss, name=f"Code {k + 1}"
            ).id
            for k in range(20)
        ]
        lengths = {d.id: d.length for d in corpus.list_documents(session=session)}
        for name in ("ana", "ben"):
            rows = []
            for _ in range(args.codings // 2):
                doc = rng.choice(ids)
                start = rng.randrange(0, lengths[doc] - 400)
                end = start + rng.randint(20, 400)
                rows.append({"document_id": doc, "code_id": rng.choice(codes),
                             "start": start, "end": end})  # fmt: skip
            coding_service.bulk_apply(session=session, actor=people[name], codings=rows)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--words", type=int, default=5000)
    parser.add_argument("--codings", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from sociaparis.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), secret_key="benchmark-secret-key-0123")
        started = time.perf_counter()
        build(settings, args)
        print(f"corpus: {args.documents} transcripts of {args.words} words, 20 codes, "
              f"{args.codings} codings by 2 coders (built in "
              f"{time.perf_counter() - started:.1f} s); SQLite")  # fmt: skip
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            login = client.get("/login").text
            token = login.split('name="csrf_token" value="')[1].split('"')[0]
            client.post("/login", data={"username": "boss", "password": PASSWORD,
                                        "csrf_token": token})  # fmt: skip
            print(f"{'page':<22}{'median':>10}{'first':>10}{'target':>9}")
            for name, (path, target) in PAGES.items():
                times = []
                for _ in range(args.repeat + 1):
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append(time.perf_counter() - start)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code}")
                median = statistics.median(times[1:])
                ok = "OK" if median < target else "MISSED"
                print(f"{name:<22}{median * 1000:>8.0f}ms{times[0] * 1000:>8.0f}ms"
                      f"{target:>8.1f}s  {ok}")  # fmt: skip
            client.app.state.engine.dispose()


if __name__ == "__main__":
    main()
