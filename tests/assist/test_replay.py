"""Replaying a run from its recording: the same suggestions, rejections and
calls, with no server, even for a concurrent run whose endpoint refused
``response_format``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.assist import CODES, interview, scripted_answer
from sociaparis.assist import prompts
from sociaparis.assist.briefs import CodeBrief
from sociaparis.assist.endpoint import Endpoint
from sociaparis.assist.llm import LLMSuggester
from sociaparis.assist.replay import (
    ReplayEndpoint,
    read_recording,
    recording,
    result_to_dict,
    write_recording,
)
from sociaparis.core.errors import SociaparisError
from tests.assist.openai_server import Reply, Request, ScriptedOpenAI


def test_a_concurrent_run_replays_identically_without_the_server(
    openai_server: ScriptedOpenAI, tmp_path: Path
) -> None:
    document = interview(6_000, seed=5)

    def answer(request: Request) -> Reply:
        if "response_format" in (request.json or {}):
            return Reply(422, {"detail": "response_format json_schema not supported"})
        return scripted_answer(request)

    openai_server.responder = answer
    endpoint = Endpoint(openai_server.url, "scripted", concurrency=4, retries=1, seed=11)
    suggester = LLMSuggester(endpoint, chunk_words=600, overlap_words=60)
    result = suggester.suggest(document.text, CODES, document.turns)
    sent = len(openai_server.requests)
    # the first chunk alone settles the fallback: one refusal, then plain JSON
    assert [r.json is not None and "response_format" in r.json
            for r in openai_server.requests].count(True) == 1  # fmt: skip
    path = tmp_path / "run.json"
    write_recording(path, recording(suggester.settings(), result))
    openai_server.stop()

    data = read_recording(path)
    replay = LLMSuggester(
        ReplayEndpoint.from_recording(data),
        chunk_words=data["run"]["chunk_words"],
        overlap_words=data["run"]["overlap_words"],
        concurrency=4,
    )
    again = replay.suggest(document.text, CODES, document.turns)
    assert result_to_dict(again) == result_to_dict(result)
    assert len(again.calls) == len(result.calls) == sent
    assert len(again.suggestions) == len(document.gold)
    # and a recording is plain JSON in the agreed layout
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert list(raw) == ["format", "run", "calls", "suggestions", "rejected"]
    assert raw["run"]["coder"] == "ai:scripted" and raw["run"]["seed"] == 11


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not json", "not UTF-8 JSON"),
        ('{"format": "other"}', "its 'format' is not 'sociaparis-assist-run/1'"),
        ('{"format": "sociaparis-assist-run/1", "run": {}, "calls": [{}]}',
         "call 1: a call needs its 'request' object"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_recording_is_refused(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "r.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SociaparisError) as exc:
        read_recording(path)
    assert exc.value.code == "ASSIST_010" and reason in exc.value.message


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_prompt_asks_for_the_fixed_json_in_both_languages(language: str) -> None:
    code = CodeBrief("Usage", "Se servir d'un outil.", "Usage déclaré", "Intention",
                     ("J'utilise Albert.",))  # fmt: skip
    deductive = prompts.deductive("Extrait.", [code], language)
    more = prompts.find_more("Extrait.", code, language)
    proposal = prompts.propose("Extrait.", ["Usage"], 3, language)
    for system, _user in (deductive, more):
        assert '{"passages": [{"code": "NOM", "quote": "…", "rationale": "…"}]}' in system
    assert (
        '{"codes": [{"name": "NOM", "definition": "…", "quotes": ["…"]}]}' in proposal[0]
    )
    for _system, user in (deductive, more, proposal):
        assert "<<<\nExtrait.\n>>>" in user
    for text in ("Usage déclaré", "Intention", "J'utilise Albert."):
        assert text in deductive[1] and text in more[1]
    with pytest.raises(ValueError, match="language 'de'"):
        prompts.deductive("x", [code], "de")
