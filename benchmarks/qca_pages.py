"""Benchmark: the QCA pages of the 15-city frame, server time.

Run from the repository root::

    .venv/bin/python benchmarks/qca_pages.py [--repeat 20]

On a fresh SQLite study it imports the 15-city frame
(``studies/sociaparis/cities/cities.csv``) and its calibration plan, logs a
researcher in and times, over the whole application in process (FastAPI
TestClient: routing, session check, services, QCA engine, template; no
network), ``--repeat`` requests of each page after one cold request:

1. the QCA page with an intermediate solution of ADOPT on the seven conditions
   (truth table, minimization, PI chart, necessity, R code):
   **target < 300 ms** (median);
2. the same with a parsimonious solution;
3. the calibration page (eight sets);
4. a saved run's page (regenerated from its kept values).

The plots are served at their own URLs (``<img>``), outside the pages' time; the
XY plot of the first model is timed too, for information.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sociaparis.accounts.roles import Role  # noqa: E402
from sociaparis.accounts.service import create_user  # noqa: E402
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import ensure_schema, make_engine, transaction  # noqa: E402

CITIES = Path(__file__).resolve().parent.parent / "studies" / "sociaparis" / "cities"
PASSWORD = "bench-password-123"
CONDITIONS = ["MOD", "SEMI", "CHARTER", "ENV", "BOT", "CIO", "NET"]
#: the page's target, in seconds (median server time)
TARGET_S = 0.300


def query(solution: str, dir_exp: str = "") -> str:
    """The QCA page's query string for ADOPT on the seven conditions."""
    fields = [("outcome", "ADOPT"), *[("conditions", c) for c in CONDITIONS]]
    fields += [("incl_cut", "0.8"), ("solution", solution), ("dir_exp", dir_exp)]
    return urlencode(fields)


def verdict(median_s: float, target_s: float | None) -> str:
    """``met``/``MISSED`` against ``target_s`` (``-`` without a target)."""
    if target_s is None:
        return "-"
    return "met" if median_s < target_s else "MISSED"


def build(settings: Settings) -> None:
    """The 15-city frame with its calibration plan, and a researcher."""
    from sociaparis.compare import qca_runs
    from sociaparis.compare.matrix.service import import_csv
    from sociaparis.qual.corpus import acting_account

    engine = make_engine(settings)
    ensure_schema(engine, settings)
    with transaction(engine) as session:
        create_user(
            session=session, username="boss", password=PASSWORD, role=Role.RESEARCHER
        )
        actor = acting_account(session=session, username="boss")
        import_csv(
            session=session,
            actor=actor,
            frame="cities",
            data=(CITIES / "cities.csv").read_bytes(),
            filename="cities.csv",
        )
        plan = tomllib.loads((CITIES / "calibration.toml").read_text(encoding="utf-8"))
        qca_runs.save_plan(
            session=session, actor=actor, frame="cities", plan={"sets": plan["sets"]}
        )
        settings_ = qca_runs.QCASettings.parse(
            outcome="ADOPT", conditions=CONDITIONS, incl_cut="0.8",
            solution="intermediate", dir_exp="MOD, CIO",
        )  # fmt: skip
        qca_runs.save_run(
            session=session, actor=actor, frame="cities", settings=settings_, name="B"
        )
    engine.dispose()


def main(argv: list[str] | None = None) -> list[tuple[str, float, float, str]]:
    """Build the study, time the pages; return (page, median, first, verdict)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    from fastapi.testclient import TestClient

    from sociaparis.web.app import create_app

    pages = {
        "QCA page, intermediate": (
            f"/qca/cities?{query('intermediate', 'MOD, CIO')}",
            TARGET_S,
        ),
        "QCA page, parsimonious": (f"/qca/cities?{query('parsimonious')}", TARGET_S),
        "calibration page": ("/qca/cities/calibration", None),
        "saved run page": ("/qca/runs/1", None),
        "XY plot (SVG)": (
            f"/qca/cities/xy.svg?{query('intermediate', 'MOD, CIO')}&model=0",
            None,
        ),
    }
    results = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), secret_key="benchmark-secret-key-0123")
        build(settings)
        print("15-city frame (SYNTHETIC), 8 sets, SQLite, in-process requests")
        with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
            login = client.get("/login").text
            token = login.split('name="csrf_token" value="')[1].split('"')[0]
            client.post("/login", data={"username": "boss", "password": PASSWORD,
                                        "csrf_token": token})  # fmt: skip
            print(f"{'page':<26}{'median':>10}{'first':>10}{'target':>10}")
            for name, (path, target) in pages.items():
                times = []
                for _ in range(args.repeat + 1):
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append(time.perf_counter() - start)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code}")
                median = statistics.median(times[1:])
                shown = f"< {target * 1000:.0f} ms" if target else "-"
                ok = verdict(median, target)
                print(f"{name:<26}{median * 1000:>8.1f}ms{times[0] * 1000:>8.1f}ms"
                      f"{shown:>10}  {ok}")  # fmt: skip
                results.append((name, median, times[0], ok))
            client.app.state.engine.dispose()
    return results


if __name__ == "__main__":
    main()
