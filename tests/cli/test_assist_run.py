"""``sociaparis assist runs``, ``review`` and ``export``: exit codes and output.

A run is made with the service and the test-double suggester of
:mod:`tests.assist.test_service` (``assist run`` with a real suggester is tested
where the suggesters are).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sociaparis.assist.run_errors import AssistRunError
from sociaparis.cli import cli
from sociaparis.cli.common import database_session
from tests.assist.test_service import TEXT, Double
from tests.cli.test_qual_corpus import run, study  # noqa: F401 - the fixture

__all__ = ["study"]


def assist(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["assist", *args])
    return result.exit_code, result.output


def _run(study: Path) -> None:
    from sociaparis.assist.service import start_run
    from sociaparis.qual.corpus import acting_account

    (study / "a.txt").write_text(TEXT, encoding="utf-8")
    assert run("import", str(study / "a.txt"), "--no-pseudonymization",
               "--user", "boss")[0] == 0  # fmt: skip
    for name in ("Outils", "Erreurs"):
        assert run("codebook", "add", name, "--user", "boss")[0] == 0
    with database_session() as session:
        boss = acting_account(session=session, username="boss")
        start_run(
            session, boss, Double(), documents=["a.txt"], codes=["Outils", "Erreurs"]
        )


def test_runs_review_and_export(study: Path) -> None:
    _run(study)
    code, out = assist("runs", "--user", "ana")
    assert code == 0 and out.startswith(
        "run 1\tdone\tai:test-model\t1 documents\t1 calls"
    )
    assert "100+20 tokens" in out and "3 proposed, 0 accepted, 0 rejected" in out
    code, out = assist("review", "--min-confidence", "0.5", "--user", "ana")
    assert (code, out.split("\t")[:4]) == (0, ["1", "proposed", "a.txt", "Outils"])
    code, out = assist("review", "--accept", "1", "--user", "ana")
    assert (code, out) == (1, "Error: ASSIST_030: " + AssistRunError.NOT_ALLOWED.format(
        user="ana", role="coder", action="accept suggestions") + "\n")  # fmt: skip
    code, out = assist("review", "--accept", "1", "--reject", "3", "--user", "boss")
    assert (code, out) == (0, "accept: 1 decided, 0 already so\n"
                              "reject: 1 decided, 0 already so\n")  # fmt: skip
    start = TEXT.index("se trompe")
    code, out = assist("review", "--accept", "2", "--start", str(start), "--end",
                       str(start + 9), "--user", "boss")  # fmt: skip
    assert (code, out) == (0, f"accepted 2: Erreurs {start}:{start + 9}\n")
    code, out = assist("review", "--status", "all", "--json", "--user", "boss")
    listed = json.loads(out)["suggestions"]
    assert [(s["id"], s["status"], s["quote"]) for s in listed] == [
        (1, "accepted", "Albert aide beaucoup"),
        (2, "accepted", "se trompe"),
        (3, "rejected", "invente des sources"),
    ]
    code, out = assist("review", "--reject", "1", "--user", "boss")
    assert (code, out) == (
        0,
        "reject: 0 decided, 0 already so, refused: 1 (ASSIST_036)\n",
    )
    code, out = run("segments", "Outils", "--json")
    segment = json.loads(out)["segments"][0]
    assert (segment["origin"], segment["model"], segment["accepted_by"]) == (
        "model", "ai:test-model", "boss")  # fmt: skip
    code, out = assist(
        "export", "1", "--output", str(study / "run.json"), "--user", "boss"
    )
    assert (code, out) == (0, f"run 1: 1 calls, 3 suggestions -> {study / 'run.json'}\n")
    data = json.loads((study / "run.json").read_text(encoding="utf-8"))
    assert data["format"] == "sociaparis-assist-run/1" and len(data["calls"]) == 1
    code, out = assist("export", "9", "--output", str(study / "x.json"), "--user", "boss")
    assert (code, out) == (1, "Error: ASSIST_034: " + AssistRunError.UNKNOWN_RUN.format(
        ref=9) + "\n")  # fmt: skip
