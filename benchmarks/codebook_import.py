"""Benchmark: importing and exporting a large codebook (``qual codebook import``).

Run from the repository root::

    .venv/bin/python benchmarks/codebook_import.py [--codes 10000] [--children 99]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

It writes a ``.qdc`` of ``--codes`` codes (themes of ``--children`` sub-codes
each), then on a fresh SQLite database (and on a fresh PostgreSQL database when
the server answers) times, committed:

1. the import of the whole codebook (reader, checks, rows, history): the
   largest codebook sociaparis accepts (``Limits.max_codes``, 10,000 codes)
   imports in **< 10 s**;
2. a second import of the same file (every code already there: updates);
3. the export back to ``.qdc``.

Then it times how long a codebook ten times over the limit takes to be refused.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.qual_corpus import _postgres  # noqa: E402
from sociaparis.accounts.models import User  # noqa: E402
from sociaparis.accounts.roles import Role  # noqa: E402
from sociaparis.accounts.service import Account  # noqa: E402
from sociaparis.core.config import Settings  # noqa: E402
from sociaparis.core.db import ensure_schema, make_engine, make_session_factory  # noqa: E402
from sociaparis.core.errors import SociaparisError  # noqa: E402
from sociaparis.qual import codebook_service  # noqa: E402
from sociaparis.qual.io.codebook import Codebook, read_qdc, write_qdc  # noqa: E402
from sociaparis.qual.project import Code, derived_guid  # noqa: E402

TARGET_S = 10.0


def codebook_file(path: Path, codes: int, children: int) -> Path:
    """Write a ``.qdc`` of ``codes`` codes, themes of ``children`` sub-codes each."""
    out: list[Code] = []
    theme: Code | None = None
    for k in range(codes):
        if k % (children + 1) == 0:
            theme = Code(derived_guid("code", f"t{k}"), f"Thème {k}")
            out.append(theme)
        elif theme is not None:
            out.append(Code(derived_guid("code", f"c{k}"), f"Code {k}", parent=theme.id))
    write_qdc(Codebook(tuple(out)), path)
    return path


def run(url: str, qdc: Path, folder: Path) -> dict[str, float]:
    """Import twice and export on the empty database at ``url``; return seconds."""
    settings = Settings(database_url=url, secret_key="benchmark-secret-key-0123456789")
    engine = make_engine(settings)
    ensure_schema(engine, settings)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        user = User(username="bench", password_hash="-", role="researcher")
        session.add(user)
        session.flush()
        actor = Account(user.id, "bench", Role.RESEARCHER, "")
    times: dict[str, float] = {}
    for step in ("import", "import again"):
        start = time.perf_counter()
        with factory.begin() as session:
            codes, _ = codebook_service.import_codebook(
                session=session, actor=actor, path=qdc
            )
        times[step] = time.perf_counter() - start
    start = time.perf_counter()
    with factory.begin() as session:
        codebook_service.export_codebook(session=session, path=folder / "out.qdc")
    times["export"] = time.perf_counter() - start
    if len(read_qdc(folder / "out.qdc").codebook.codes) != len(codes):
        raise RuntimeError("the export does not hold every code")
    engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=10_000)
    parser.add_argument("--children", type=int, default=99)
    parser.add_argument(
        "--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        qdc = codebook_file(folder / "codebook.qdc", args.codes, args.children)
        print(f"codebook: {args.codes} codes, {qdc.stat().st_size} bytes")
        results["SQLite"] = run(f"sqlite:///{folder / 'bench.db'}", qdc, folder)
        postgres = _postgres(args.pg_url)
        if postgres is not None:
            url, drop = postgres
            try:
                results["PostgreSQL"] = run(url, qdc, folder)
            finally:
                drop()
        huge = codebook_file(folder / "huge.qdc", 200_000, args.children)
        start = time.perf_counter()
        try:
            read_qdc(huge)
        except SociaparisError as exc:
            refused = f"{exc.code} in {time.perf_counter() - start:.2f} s"
        else:
            refused = "NOT refused"
    print(f"{'step':<14}" + "".join(f"{b:>14}" for b in results))
    for step in ("import", "import again", "export"):
        print(f"{step:<14}" + "".join(f"{r[step]:>13.2f}s" for r in results.values()))
    met = all(r["import"] < TARGET_S for r in results.values())
    print(f"import < {TARGET_S:.0f} s: {'met' if met else 'MISSED'}")
    print(f"200,000 codes: {refused}")


if __name__ == "__main__":
    main()
