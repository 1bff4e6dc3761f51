"""Inductive help: more passages like a code's examples, and proposed codes
with verified quotes, over several chunks."""

from __future__ import annotations

import json

from sociaparis.assist.briefs import CodeBrief, Rejection
from sociaparis.assist.endpoint import Endpoint
from sociaparis.assist.llm import ALREADY_CODED, find_more, propose_codes
from tests.assist.openai_server import ScriptedOpenAI, chat_reply, passages_reply

FIRST = "S01 : Je relis tout ce que l’outil écrit. " + "mot " * 70
SECOND = "S02 : Je vérifie chaque chiffre. " + "autre " * 70
TEXT = FIRST + "\n\n" + SECOND


def _endpoint(server: ScriptedOpenAI) -> Endpoint:
    return Endpoint(server.url, "m", retries=0, concurrency=2)


def test_find_more_rejects_the_examples_it_was_shown(
    openai_server: ScriptedOpenAI,
) -> None:
    code = CodeBrief(
        "Contrôle", "Vérifier.", examples=("Je relis tout ce que l’outil écrit.",)
    )
    openai_server.add(
        passages_reply(("Contrôle", "Je relis tout ce que l'outil écrit.")),
        passages_reply(("Contrôle", "Je vérifie chaque chiffre."), ("Autre", "autre")),
    )
    result = find_more(TEXT, code, endpoint=_endpoint(openai_server), chunk_words=100)
    assert [s.quote for s in result.suggestions] == ["Je vérifie chaque chiffre."]
    assert result.rejected == [
        Rejection("Contrôle", "Je relis tout ce que l’outil écrit.", ALREADY_CODED),
        Rejection("Autre", "autre", "unknown_code"),
    ]
    assert "Je relis tout ce que l’outil écrit." in openai_server.requests[0].user_message


def test_proposals_keep_verified_quotes_and_merge_across_chunks(
    openai_server: ScriptedOpenAI,
) -> None:
    def codes(*items: tuple[str, str, list[str]]) -> str:
        return json.dumps({"codes": [{"name": n, "definition": d, "quotes": q}
                                     for n, d, q in items]})  # fmt: skip

    openai_server.add(
        chat_reply(codes(("Vérification", "Relire l'IA.", ["Je relis tout"]),
                         ("Usage", "déjà un code", ["mot mot"]))),
        chat_reply(codes(("vérification", "Contrôler.", ["Je vérifie chaque chiffre."]),
                         ("Rêverie", "inventé", ["Je rêve."]))),
    )  # fmt: skip
    result = propose_codes(
        TEXT, endpoint=_endpoint(openai_server), existing=["Usage"], chunk_words=100
    )
    [proposal] = result.proposals
    assert (proposal.name, proposal.definition) == ("Vérification", "Relire l'IA.")
    assert [TEXT[s.start : s.end] for s in proposal.passages] == [
        "Je relis tout",
        "Je vérifie chaque chiffre.",
    ]
    assert {s.code for s in proposal.passages} == {"Vérification"}
    assert result.rejected == [Rejection("Rêverie", "Je rêve.", "not_in_text")]
    assert len(result.calls) == 2
