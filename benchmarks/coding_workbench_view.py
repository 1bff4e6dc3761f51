"""Benchmark: opening the coding view of a long transcript with many codings.

Run from the repository root::

    .venv/bin/python benchmarks/coding_workbench_view.py [--words 20000]
        [--codings 1000] [--repeat 10]

It stores (deterministically, seed 2026) one released interview of ``--words``
words (two speakers, turns of 20 to 120 words, as ``benchmarks/qual_corpus.py``)
and ``--codings`` codings of 30 codes in a hierarchy, on a fresh SQLite study,
serves the real app with uvicorn on a free port of 127.0.0.1, and measures:

1. **server time** of ``GET /qual/documents/{id}``, logged in: the median and
   the slowest of ``--repeat`` requests over real HTTP, after one warm-up:
   **target < 150 ms**;
2. **time to interactive in Chromium** (Debian's ``/usr/bin/chromium`` driven
   by Playwright): from the navigation's start to the moment ``coding.js`` has
   painted every stripe and listens to the keyboard (it writes that moment,
   ``performance.now()``, into ``body[data-coding-ready]``): the median of 5
   loads: **target < 1 s**.

The page's size and the number of stripes painted are printed too.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.core.config import Settings
from sociaparis.core.db import transaction
from sociaparis.qual import codebook_service, coding_service, corpus

TARGET_SERVER_S = 0.150
TARGET_INTERACTIVE_S = 1.0
PASSWORD = "benchmark password 2026"
CHROMIUM = "/usr/bin/chromium"


def populate(
    engine: Any,
    *,
    words: int,
    codings: int,
    seed: int = 2026,
    username: str = "bench",
    role: Role = Role.RESEARCHER,
) -> int:
    """Store one released transcript with ``codings`` codings; return its id.

    The account ``username`` (password :data:`PASSWORD`) is created and codes
    everything; 30 codes in 6 groups of 4 sub-codes (plus the 6 groups).
    """
    from benchmarks.qual_corpus import transcript

    rng = random.Random(seed)
    body = transcript(rng, words)
    with transaction(engine) as session:
        actor = create_user(
            session=session, username=username, password=PASSWORD, role=role
        )
        info = corpus.import_document(
            session=session,
            actor=actor,
            data=body.encode(),
            filename="entretien_long.txt",
            detect_speakers=True,
            case="Agent 01",
            case_kind="interviewee",
            needs_pseudonymization=False,
        )
        code_ids: list[int] = []
        for g in range(6):
            group = codebook_service.add_code(
                session=session, actor=actor, name=f"Thème {g + 1}"
            )
            code_ids.append(group.id)
            for k in range(4):
                child = codebook_service.add_code(
                    session=session,
                    actor=actor,
                    name=f"Sous-thème {g + 1}.{k + 1}",
                    parent=group.guid,
                )
                code_ids.append(child.id)
        rows = []
        for _ in range(codings):
            start = rng.randrange(0, info.length - 400)
            rows.append(
                {
                    "document_id": info.id,
                    "code_id": rng.choice(code_ids),
                    "start": start,
                    "end": start + rng.randint(20, 400),
                }
            )
        coding_service.bulk_apply(session=session, actor=actor, codings=rows)
    return info.id


class _Server:
    """The app served by uvicorn in a thread, on a free port of 127.0.0.1."""

    def __init__(self, settings: Settings) -> None:
        import socket

        import uvicorn

        from sociaparis.web.app import create_app

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.app = create_app(settings)
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def server_times(url: str, document: int, repeat: int) -> tuple[list[float], int]:
    """Seconds of each ``GET`` of the coding view, and the page's size in bytes."""
    import httpx

    with httpx.Client(base_url=url) as client:
        login = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', login)
        client.post(
            "/login",
            data={
                "username": "bench",
                "password": PASSWORD,
                "csrf_token": token.group(1) if token else "",
            },
        )
        size = len(client.get(f"/qual/documents/{document}").content)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            reply = client.get(f"/qual/documents/{document}")
            times.append(time.perf_counter() - start)
            reply.raise_for_status()
    return times, size


def interactive_times(url: str, document: int, loads: int = 5) -> tuple[list[float], int]:
    """Seconds from navigation to ``coding.js`` ready in Chromium, and stripes."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
        )
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{url}/login")
        page.fill("#username", "bench")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/**")
        times = []
        stripes = 0
        for _ in range(loads + 1):
            page.goto(f"{url}/qual/documents/{document}")
            page.wait_for_selector("body[data-coding-ready]", timeout=30_000)
            ready = float(page.get_attribute("body", "data-coding-ready") or "nan")
            times.append(ready / 1000)
            stripes = page.locator(".stripe").count()
        browser.close()
    return times[1:], stripes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--codings", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder) / "data", secret_key="benchmark-secret-key-0123456789"
        )
        server = _Server(settings)
        try:
            document = populate(
                server.app.state.engine, words=args.words, codings=args.codings
            )
            times, size = server_times(server.url, document, args.repeat)
            ready, stripes = interactive_times(server.url, document)
        finally:
            server.stop()
            server.app.state.engine.dispose()
    median = statistics.median(times)
    ready_median = statistics.median(ready)
    print(f"coding view of {args.words} words with {args.codings} codings (SQLite)")
    print(f"  page size: {size / 1024:.0f} KiB, stripes painted: {stripes}")
    verdict = "met" if median < TARGET_SERVER_S else "MISSED"
    print(
        f"  server time: median {median * 1000:.1f} ms, slowest "
        f"{max(times) * 1000:.1f} ms over {len(times)} requests "
        f"(target < {TARGET_SERVER_S * 1000:.0f} ms: {verdict})"
    )
    verdict = "met" if ready_median < TARGET_INTERACTIVE_S else "MISSED"
    print(
        f"  Chromium time to interactive: median {ready_median * 1000:.0f} ms, "
        f"slowest {max(ready) * 1000:.0f} ms over {len(ready)} loads "
        f"(target < {TARGET_INTERACTIVE_S * 1000:.0f} ms: {verdict})"
    )


if __name__ == "__main__":
    main()
