"""``sociaparis assist evaluate``, ``assist offline`` and ``assist similar``:
exit codes and output on the synthetic study of :mod:`tests.assist.study`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sociaparis.accounts.roles import Role
from sociaparis.cli import cli
from sociaparis.cli.common import database_session
from sociaparis.qual import corpus
from tests.assist.study import account, add_run, build
from tests.cli.test_qual_corpus import study  # noqa: F401 - the fixture

__all__ = ["study"]

NEW = (
    "Enquêtrice : Et chez vous ?\n\n"
    "Agent : Le chatbot et son algorithme, cette intelligence artificielle.\n\n"
    "Enquêtrice : Et le marché du matin ?"
)


def assist(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["assist", *args])
    return result.exit_code, result.output


def _study() -> int:
    with database_session() as session:
        ids = build(session)
        boss = account(session, "boss", Role.RESEARCHER)
        corpus.import_document(
            session=session, actor=boss, data=NEW.encode(), filename="nouveau.txt",
            detect_speakers=True, needs_pseudonymization=False,
        )  # fmt: skip
        return add_run(session, ids, {"entretien-01": [(0, "IA"), (1, "IA")]})


def test_evaluate_a_run_and_the_offline_suggester(study: Path) -> None:
    run = _study()
    code, out = assist("evaluate", "--run", str(run), "--coder", "ana", "--user", "boss",
                       "--json", "--bootstrap", "0")  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    ia = {c["code"]: c for c in data["codes"]}["IA"]
    # entretien-01's 6 turns: ana coded turns 0 and 4 with IA, the AI turns 0 and 1
    assert (ia["both"], ia["ai_only"], ia["human_only"], ia["neither"]) == (1, 1, 1, 3)
    assert ia["precision"] == 0.5 and ia["kappa_ci"] is None
    code, out = assist("evaluate", "--offline", "--coder", "ana", "--user", "boss",
                       "--bootstrap", "20")  # fmt: skip
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == (
        "offline:tfidf against ana: offline, 5-fold cross-validation by document; "
        "60 turns in 10 documents"
    )
    assert lines[1].split()[:3] == ["code", "kappa", "[95%]"]
    assert [line.split()[0] for line in lines[2:5]] == ["Budget", "IA", "(overall)"]
    assert "The AI agrees with ana reliably (alpha >= 0.800) on: Budget, IA;" in out
    assert "20 bootstrap replicates over documents, seed 0" in out


def test_evaluate_refusals(study: Path) -> None:
    run = _study()
    code, out = assist("evaluate", "--coder", "ana", "--user", "boss")
    assert code == 2 and "give either --run N or --offline" in out
    code, out = assist("evaluate", "--run", str(run), "--coder", "ana", "--user", "ana")
    assert code == 1 and "ASSIST_069" in out and "researchers and administrators" in out
    code, out = assist("evaluate", "--offline", "--coder", "ana", "--folds", "11",
                       "--user", "boss")  # fmt: skip
    assert code == 1
    assert out == (
        "Error: ASSIST_067: Cross-validation by document needs at least 11 documents "
        "coded by 'ana'; there are 10. Lower --folds or code more documents.\n"
    )


def test_offline_suggestions_and_find_more(study: Path) -> None:
    _study()
    code, out = assist("offline", "nouveau.txt", "--user", "ana", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["coder"] == "offline:tfidf" and data["codes"] == ["Budget", "IA"]
    passages = data["passages"]
    assert [(p["code"], p["quote"]) for p in passages] == [
        ("IA", "Le chatbot et son algorithme, cette intelligence artificielle.")
    ]
    assert NEW[passages[0]["start"] : passages[0]["end"]] == passages[0]["quote"]
    assert passages[0]["score"] >= 0.5
    # every themed turn of the interviews is coded: nothing left to propose there
    code, out = assist("offline", "entretien-01.txt", "--user", "ana")
    assert (code, out) == (0, "no passage\n")
    code, out = assist("similar", "IA", "--top", "1", "--user", "ana")
    assert code == 0, out
    score, code_, title, start, end, quote = out.rstrip("\n").split("\t")
    assert (code_, title) == ("IA", "nouveau.txt")
    assert quote == "Le chatbot et son algorithme, cette intelligence artificielle."
    assert 0 < float(score) <= 1
