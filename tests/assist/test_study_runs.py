"""The three halves of AI-assisted coding together, from the command line: a run
of the model (through a local OpenAI-compatible server) or of the offline
suggester stores suggestions, a person accepts one, and the run is evaluated."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import update

from sociaparis.accounts.roles import Role
from sociaparis.assist.models import AssistSuggestion
from sociaparis.cli import cli
from sociaparis.cli.common import database_session
from sociaparis.qual import corpus
from tests.assist.openai_server import ScriptedOpenAI, passages_reply
from tests.assist.study import account, build, turns
from tests.cli.test_qual_corpus import study  # noqa: F401 - the fixture

__all__ = ["study"]


def assist(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["assist", *args])
    return result.exit_code, result.output


def test_a_model_run_is_reviewed_exported_and_evaluated(
    study: Path, openai_server: ScriptedOpenAI, tmp_path: Path
) -> None:
    with database_session() as session:
        ids = build(session, n_docs=2)
        account(session, "boss", Role.RESEARCHER)
        document = ids["entretien-01"]
        text = corpus.document_row(session, document).text
        spans = turns(session, document)
    first, second = (text[s:e] for s, e in spans[:2])
    # the model quotes turn 0 exactly, turn 1 with its apostrophes and spaces
    # retyped, and invents a third passage
    retyped = " ".join(second.replace("’", "'").split())
    openai_server.add(
        passages_reply(("IA", first), ("IA", retyped), ("IA", "une phrase inventée"))
    )
    code, out = assist(
        "run", "--document", str(document), "--code", "IA", "--suggester", "llm",
        "--endpoint", openai_server.url, "--model", "scripted-7b", "--user", "boss",
        "--json",
    )  # fmt: skip
    assert code == 0, out
    run = json.loads(out[out.index("{") :])
    assert run["coder"] == "ai:scripted-7b"
    code, out = assist("review", "--run", str(run["id"]), "--user", "boss", "--json")
    assert code == 0, out
    suggestions = json.loads(out)["suggestions"]
    assert sorted((s["start"], s["end"]) for s in suggestions) == sorted(spans[:2])
    assert all(text[s["start"] : s["end"]] == s["quote"] for s in suggestions)
    # a person accepts the first: it becomes a coding of the model's coder
    accepted = min(suggestions, key=lambda s: s["start"])["id"]
    code, out = assist("review", "--accept", str(accepted), "--user", "boss")
    assert code == 0, out
    code, out = assist("export", str(run["id"]), "--output", str(tmp_path / "run.json"),
                       "--user", "boss")  # fmt: skip
    assert code == 0, out
    exported = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert len(exported["calls"]) == 1
    assert [r["reason"] for r in exported["rejected"]] == ["not_in_text"]
    # the run replays from its recorded answers alone, the server gone
    openai_server.stop()
    code, out = assist("replay-run", str(run["id"]), "--user", "boss", "--json")
    assert code == 0, out
    check = json.loads(out)
    assert (check["identical"], check["replayed"], check["calls"]) == (True, 2, 1)
    with database_session() as session:  # a stored passage no answer gave
        session.execute(
            update(AssistSuggestion)
            .where(AssistSuggestion.id == accepted)
            .values(start=AssistSuggestion.start + 1)
        )
    code, out = assist("replay-run", str(run["id"]), "--user", "boss")
    assert code == 1
    start = spans[0][0]
    assert f"stored, not replayed: IA [{start + 1}, " in out
    assert f"replayed, not stored: IA [{start}, " in out
    # ana coded turns 0 and 4 of entretien-01 with IA; the model proposed 0 and 1
    code, out = assist("evaluate", "--run", str(run["id"]), "--coder", "ana",
                       "--user", "boss", "--json", "--bootstrap", "0")  # fmt: skip
    assert code == 0, out
    ia = {c["code"]: c for c in json.loads(out)["codes"]}["IA"]
    assert (ia["both"], ia["ai_only"], ia["human_only"]) == (1, 1, 1)


def test_an_offline_run_needs_no_endpoint(study: Path) -> None:
    with database_session() as session:
        ids = build(session)
        account(session, "boss", Role.RESEARCHER)
        new = corpus.import_document(
            session=session, actor=account(session, "boss", Role.RESEARCHER),
            data=("Enquêtrice : Et chez vous ?\n\nAgent : Le chatbot, cet algorithme "
                  "d'intelligence artificielle, et son modèle.").encode(),
            filename="nouveau.txt", detect_speakers=True, needs_pseudonymization=False,
        ).id  # fmt: skip
        del ids
    code, out = assist("run", "--document", str(new), "--user", "boss", "--json")
    assert code == 0, out
    run = json.loads(out[out.index("{") :])
    assert run["coder"] == "offline:tfidf"
    code, out = assist("review", "--run", str(run["id"]), "--user", "boss", "--json")
    found = [(s["code"], s["quote"]) for s in json.loads(out)["suggestions"]]
    # the agent's turn speaks of IA in the training codings' words; the
    # interviewer's question matches no code
    assert found == [
        ("IA", "Le chatbot, cet algorithme d'intelligence artificielle, et son modèle.")
    ]
