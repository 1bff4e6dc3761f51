"""Password spraying against a real server: what it gets through, and what it costs.

Starts ``sociaparis serve`` (one worker, a fresh SQLite study) and, for
``--duration`` seconds, has ``--connections`` clients post log-ins with random
user names, each from the same address, while one probe asks ``/healthz`` every
50 ms. Prints the log-in answers by status, the server's peak resident memory
(from ``/proc``) and the probe's median and 99th-percentile latency.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._http_load import (  # noqa: E402
    at_least_one,
    free_port,
    percentile,
    start_server,
    stop_server,
)


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


async def spray(base: str, deadline: float, statuses: Counter[int]) -> None:
    """One client: a log-in page for its CSRF token, then log-ins until the deadline."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        while time.monotonic() < deadline:
            answer = await client.post(
                "/login",
                data={
                    "username": f"user-{uuid.uuid4().hex[:8]}",
                    "password": "Password2026!",
                    "csrf_token": token,
                },
            )
            statuses[answer.status_code] += 1


async def probe(base: str, deadline: float, latencies: list[float]) -> None:
    """What a respondent would wait: ``/healthz`` every 50 ms, timed."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            await client.get("/healthz")
            latencies.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.05)


async def sample(pid: int, deadline: float, peak: list[float]) -> None:
    """Keep the server's peak resident memory in ``peak[0]``."""
    while time.monotonic() < deadline:
        peak[0] = max(peak[0], rss_mb(pid))
        await asyncio.sleep(0.1)


async def attack(base: str, pid: int, connections: int, duration: float) -> dict:
    """Run the spray, the probe and the memory sampler together."""
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    peak = [rss_mb(pid)]
    before = peak[0]
    deadline = time.monotonic() + duration
    await asyncio.gather(
        *(spray(base, deadline, statuses) for _ in range(connections)),
        probe(base, deadline, latencies),
        sample(pid, deadline, peak),
    )
    return {
        "log_ins": dict(sorted(statuses.items())),
        "rss_mb_before": round(before),
        "rss_mb_peak": round(peak[0]),
        "probe_median_ms": round(percentile(latencies, 50), 1),
        "probe_p99_ms": round(percentile(latencies, 99), 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a fresh study, spray it, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=at_least_one, default=40)
    parser.add_argument("--duration", type=float, default=15.0)
    args = parser.parse_args(argv)
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        env = {
            "SOCIAPARIS_DATA_DIR": str(data),
            "SOCIAPARIS_DATABASE_URL": f"sqlite:///{data / 'spray.db'}",
            "PYTHONPATH": str(ROOT),
        }
        command = [
            sys.executable,
            "-c",
            "from sociaparis.cli import main; main()",
            "serve",
            "--port",
            str(port),
        ]
        server = start_server(command, port=port, env=env, log=data / "log", cwd=ROOT)
        try:
            result = asyncio.run(
                attack(
                    f"http://127.0.0.1:{port}",
                    server.pid,
                    args.connections,
                    args.duration,
                )
            )
        finally:
            stop_server(server)
    print(
        json.dumps(
            {"connections": args.connections, "duration_s": args.duration, **result}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
