"""The wire protocol against a local OpenAI-compatible server: retries, timeouts,
structured output and its fallback, the key, the call records."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from sociaparis.assist.briefs import CodeBrief
from sociaparis.assist.endpoint import Endpoint, endpoint_from_settings, retry_after
from sociaparis.assist.errors import AssistError
from sociaparis.assist.llm import LLMSuggester
from sociaparis.core.config import Settings
from sociaparis.core.errors import SociaparisError
from tests.assist.openai_server import Reply, ScriptedOpenAI, chat_reply, passages_reply

TEXT = "S01 : J’utilise l’outil tous les jours.\n\nS02 : Moi, jamais\u00a0!"
CODES = [CodeBrief("Usage", "Dire qu'on se sert d'un outil.")]
GOOD = passages_reply(("Usage", "J'utilise l'outil tous les jours."))


def _endpoint(server: ScriptedOpenAI, **options: object) -> Endpoint:
    settings = {"retries": 2, "backoff": 0.01, "timeout": 5.0, **options}
    return Endpoint(server.url, "mistral-small", **settings)  # type: ignore[arg-type]


def _code(exc: pytest.ExceptionInfo[SociaparisError]) -> str:
    return exc.value.code


def test_a_suggestion_comes_back_located_with_the_key_sent_but_never_kept(
    openai_server: ScriptedOpenAI,
) -> None:
    openai_server.add(GOOD)
    endpoint = _endpoint(openai_server, key="sk-very-secret", seed=7)
    result = LLMSuggester(endpoint).suggest(TEXT, CODES)
    [suggestion] = result.suggestions
    assert TEXT[suggestion.start : suggestion.end] == suggestion.quote
    assert suggestion.quote == "J’utilise l’outil tous les jours."
    [request] = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-very-secret"
    body = request.json or {}
    assert (body["model"], body["temperature"], body["seed"]) == ("mistral-small", 0.0, 7)
    schema = body["response_format"]["json_schema"]["schema"]
    assert body["response_format"]["type"] == "json_schema"
    assert schema["properties"]["passages"]["items"]["required"] == [
        "code",
        "quote",
        "rationale",
    ]
    [call] = result.calls
    assert (call.status, call.prompt_tokens, call.completion_tokens) == (200, 100, 20)
    assert call.request == body and call.endpoint == openai_server.url
    everything = json.dumps([asdict(c) for c in result.calls]) + repr(endpoint)
    assert "sk-very-secret" not in everything


def test_429_is_retried_after_the_time_the_server_asks(
    openai_server: ScriptedOpenAI,
) -> None:
    openai_server.add(
        Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "1"}), GOOD
    )
    started = time.perf_counter()
    result = LLMSuggester(_endpoint(openai_server)).suggest(TEXT, CODES)
    assert time.perf_counter() - started >= 1.0
    assert [(c.status, c.error) for c in result.calls] == [(429, "HTTP 429"), (200, None)]
    assert len(result.suggestions) == 1


@pytest.mark.parametrize(
    ("script", "statuses", "error"),
    [
        ([Reply(503), Reply(502), GOOD], [503, 502, 200], None),
        ([Reply(500), Reply(500), Reply(500)], None, "ASSIST_005"),
        ([Reply(401, {"error": {"message": "bad key"}})], None, "ASSIST_006"),
        ([Reply(404, {"error": {"message": "model not found"}})], None, "ASSIST_005"),
    ],
)
def test_server_errors(
    openai_server: ScriptedOpenAI,
    script: list[Reply],
    statuses: list[int] | None,
    error: str | None,
) -> None:
    openai_server.add(*script)
    suggester = LLMSuggester(_endpoint(openai_server))
    if error is None:
        result = suggester.suggest(TEXT, CODES)
        assert [c.status for c in result.calls] == statuses
        return
    with pytest.raises(SociaparisError) as exc:
        suggester.suggest(TEXT, CODES)
    assert _code(exc) == error
    assert len(openai_server.requests) == len(script)


def test_a_slow_answer_times_out_and_is_tried_again(
    openai_server: ScriptedOpenAI,
) -> None:
    openai_server.add(Reply(200, "late", delay=1.0), GOOD)
    result = LLMSuggester(_endpoint(openai_server, timeout=0.2)).suggest(TEXT, CODES)
    assert [(c.status, c.error) for c in result.calls] == [
        (None, "no answer within 0.2 s"),
        (200, None),
    ]
    openai_server.add(*[Reply(200, "late", delay=1.0)] * 3)
    with pytest.raises(SociaparisError) as exc:
        LLMSuggester(_endpoint(openai_server, timeout=0.2)).suggest(TEXT, CODES)
    assert _code(exc) == "ASSIST_004" and "no answer within 0.2 s" in str(exc.value)


def test_an_endpoint_refusing_response_format_gets_the_json_asked_in_the_message(
    openai_server: ScriptedOpenAI,
) -> None:
    refusal = Reply(
        400, {"error": {"message": "response_format.json_schema: unsupported"}}
    )
    fenced = "Voici :\n```json\n" + json.dumps(
        {"passages": [{"code": "Usage", "quote": "Moi, jamais !", "rationale": "non"}]}
    ) + "\n```"  # fmt: skip
    openai_server.add(refusal, chat_reply(fenced), chat_reply('{"passages": []}'))
    suggester = LLMSuggester(_endpoint(openai_server), chunk_words=50, overlap_words=0)
    long_text = TEXT + "\n\n" + " ".join(["mot"] * 60)
    result = suggester.suggest(long_text, CODES)
    bodies = [r.json or {} for r in openai_server.requests]
    assert ["response_format" in b for b in bodies] == [True, False, False]
    assert "JSON" in bodies[1]["messages"][0]["content"]
    [suggestion] = result.suggestions
    assert suggestion.quote == "Moi, jamais\u00a0!"


def test_malformed_json_is_asked_again_then_given_up(
    openai_server: ScriptedOpenAI,
) -> None:
    openai_server.add(chat_reply("Je pense que « Usage » convient."), GOOD)
    result = LLMSuggester(_endpoint(openai_server)).suggest(TEXT, CODES)
    assert len(result.suggestions) == 1 and len(result.calls) == 2
    second = openai_server.requests[1].json or {}
    assert [m["role"] for m in second["messages"]] == [
        "system",
        "user",
        "assistant",
        "user",
    ]
    assert "JSON" in second["messages"][-1]["content"]
    openai_server.add(*[chat_reply('{"passages": [')] * 3)
    with pytest.raises(SociaparisError) as exc:
        LLMSuggester(_endpoint(openai_server)).suggest(TEXT, CODES)
    assert _code(exc) == "ASSIST_007"


def test_an_unreachable_endpoint_is_said_so() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = Endpoint(f"http://127.0.0.1:{port}/v1", "m", retries=1, backoff=0.01)
    with pytest.raises(SociaparisError) as exc:
        LLMSuggester(endpoint).suggest(TEXT, CODES)
    assert _code(exc) == "ASSIST_004" and "(2 attempts)" in str(exc.value)


def test_requests_in_flight_never_exceed_the_concurrency(
    openai_server: ScriptedOpenAI,
) -> None:
    openai_server.responder = lambda request: Reply(
        **{**vars(chat_reply('{"passages": []}')), "delay": 0.15}
    )
    text = " ".join(f"w{i}" for i in range(600))
    result = LLMSuggester(
        _endpoint(openai_server, concurrency=2), chunk_words=60, overlap_words=5
    ).suggest(text, CODES)
    assert len(result.calls) >= 10
    assert openai_server.most_in_flight == 2


def test_nothing_is_sent_unless_an_endpoint_is_configured(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(SociaparisError) as exc:
        endpoint_from_settings(settings)
    assert exc.value.error is AssistError.NOT_CONFIGURED
    assert "SOCIAPARIS_LLM_URL and SOCIAPARIS_LLM_MODEL" in exc.value.message
    configured = Settings(
        data_dir=tmp_path, llm_url="http://llm.local/v1/", llm_model="m", llm_key="k1"
    )
    endpoint = endpoint_from_settings(configured, model="other", concurrency=2)
    assert (endpoint.url, endpoint.model, endpoint.key, endpoint.concurrency) == (
        "http://llm.local/v1", "other", "k1", 2,
    )  # fmt: skip
    assert "k1" not in repr(endpoint)
    with pytest.raises(SociaparisError) as exc:
        endpoint_from_settings(configured, url="ftp://x")
    assert exc.value.error is AssistError.BAD_URL


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0", 0.0), ("-5", 0.0), ("later", None), (None, None)],
)
def test_retry_after(header: str | None, seconds: float | None) -> None:
    assert retry_after(header) == seconds
