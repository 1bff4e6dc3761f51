"""Benchmark: uploading a long interview and reviewing its pseudonymization in
the browser's pages.

Run from the repository root::

    .venv/bin/python benchmarks/corpus_review.py [--words 20000] [--names 400]
        [--ner]

It writes a French-like transcript of ``--words`` words (seed 2026, two
speakers) in which ``--names`` mentions of people (title and surname) are
scattered, then, on a fresh SQLite study served in process (the real app,
through Starlette's test client):

1. uploads it through ``POST /qual/corpus/upload`` with *Pseudonymize* on,
   then runs the ``pseudonymize`` job the upload started, in process as a
   worker runs it (rules only unless ``--ner``; the spaCy model's 3-5 s load
   is not timed: a warm-up upload and its job come first); both are timed;
2. opens its review page ``GET /qual/corpus/{id}/review`` (every replacement
   highlighted, one form per replacement) five times: the median and the
   first are printed, with the page's size;
3. records one decision (``POST .../review``, accept) and follows the
   redirect to the page again, five times: the median is printed.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

WORDS = (
    "administration outil usage agent service direction réunion données projet "
    "règle décision équipe délai question réponse travail relire vérifier "
    "compte rendu modèle texte résumé erreur confiance formation"
).split()
SURNAMES = (
    "Garnier Benali Lefèvre Marchand Dubois Moreau Laurent Girard Roux Fontaine "
    "Chevalier Lambert Bonnet François Mercier Blanc Guerin Boyer"
).split()


def transcript(words: int, names: int, seed: int = 2026) -> str:
    """Two speakers' turns of 20 to 120 words, ``names`` of them 'Mme NAME'."""
    rng = random.Random(seed)
    tokens = [rng.choice(WORDS) for _ in range(words)]
    for position in rng.sample(range(1, words - 1), names):
        tokens[position] = f"Mme {rng.choice(SURNAMES)}"
    turns, at, speaker = [], 0, 0
    while at < len(tokens):
        size = rng.randint(20, 120)
        label = ("Enquêtrice", "Agent")[speaker]
        turns.append(f"{label} : " + " ".join(tokens[at : at + size]) + ".")
        at += size
        speaker = 1 - speaker
    return "\n\n".join(turns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--names", type=int, default=400)
    parser.add_argument("--ner", action="store_true", help="Run spaCy's model too.")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from sociaparis.accounts.service import create_user
    from sociaparis.core.config import Settings
    from sociaparis.core.db import transaction
    from sociaparis.jobs import pseudonymize as pseudonymize_job
    from sociaparis.jobs.runner import run_job
    from sociaparis.qual.pseudonymization import PseudonymizationConfig
    from sociaparis.web.app import create_app

    if not args.ner:  # the pages use the default settings: switch the model off
        pseudonymize_job.PseudonymizationConfig = lambda use_ner: (  # type: ignore[assignment]
            PseudonymizationConfig(use_ner=False)
        )
    text = transcript(args.words, args.names)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder), secret_key="benchmark-secret-0123456789"
        )
        app = create_app(settings)
        with transaction(app.state.engine) as session:
            create_user(session=session, username="bench", password="a long password")
        client = TestClient(app, base_url="http://127.0.0.1")
        login = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        client.post(
            "/login",
            data={
                "username": "bench",
                "password": "a long password",
                "csrf_token": token,
            },
        )
        token = re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/qual/corpus").text
        ).group(1)

        def upload(name: str, data: bytes) -> tuple[float, float]:
            started = time.perf_counter()
            response = client.post(
                "/qual/corpus/upload",
                data={"csrf_token": token, "speakers": "yes", "pseudonymize": "yes"},
                files=[("files", (name, data, "text/plain"))],
            )
            assert response.status_code == 200, response.text[:500]
            uploaded = time.perf_counter()
            job = int(re.search(r'href="/jobs/(\d+)', response.text).group(1))
            assert run_job(app.state.engine, settings.data_dir, job) == "done"
            return uploaded - started, time.perf_counter() - uploaded

        upload("warm-up.txt", "Enquêtrice : Bonjour Mme Durand.".encode())
        upload_s, job_s = upload("long.txt", text.encode())
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            page = client.get("/qual/corpus/2/review")
            timings.append(time.perf_counter() - started)
            assert page.status_code == 200
        replacements = page.text.count('class="replacement status-')
        decisions = []
        for index in range(5):
            started = time.perf_counter()
            client.post(
                "/qual/corpus/2/review",
                data={"csrf_token": token, "do": "accept", "index": str(index)},
                follow_redirects=True,
            )
            decisions.append(time.perf_counter() - started)
        app.state.engine.dispose()
    print(
        f"transcript: {args.words} words, {len(text)} characters, "
        f"{replacements} replacements ({'rules and spaCy' if args.ner else 'rules'})"
    )
    print(
        f"upload: {upload_s * 1000:.0f} ms; proposing the replacements (the job, "
        f"as a worker runs it): {job_s * 1000:.0f} ms"
    )
    print(
        f"review page: median {statistics.median(timings) * 1000:.0f} ms, "
        f"first {timings[0] * 1000:.0f} ms, {len(page.content) / 1e6:.2f} MB"
    )
    print(f"one decision and the page again: median "
          f"{statistics.median(decisions) * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
