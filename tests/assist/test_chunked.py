"""A 20,000-word interview sent in chunks, concurrently: every passage found,
every offset exactly right, duplicates from overlaps merged."""

from __future__ import annotations

import threading
import time

from benchmarks.assist import CODES, interview, scripted_answer
from sociaparis.assist.endpoint import Endpoint
from sociaparis.assist.llm import LLMSuggester
from sociaparis.assist.locate import NOT_IN_TEXT, UNKNOWN_CODE
from tests.assist.openai_server import Reply, Request, ScriptedOpenAI


def test_a_long_document_in_concurrent_chunks_is_located_exactly(
    openai_server: ScriptedOpenAI,
) -> None:
    document = interview(20_000, seed=11)
    excerpts: list[str] = []
    lock = threading.Lock()

    def answer(request: Request) -> Reply:
        with lock:
            excerpts.append(request.excerpt)
        time.sleep(0.05)
        return scripted_answer(request)

    openai_server.responder = answer
    endpoint = Endpoint(openai_server.url, "scripted", concurrency=3, retries=0)
    suggester = LLMSuggester(endpoint, chunk_words=1000, overlap_words=100)
    result = suggester.suggest(document.text, CODES, document.turns)

    assert len(document.text.split()) >= 20_000
    assert len(result.calls) == len(excerpts) >= 20
    assert openai_server.most_in_flight == 3
    # every excerpt sent is a span of the document, and they overlap
    assert all(excerpt in document.text for excerpt in excerpts)
    assert {(s.code, s.start, s.end) for s in result.suggestions} == set(document.gold)
    assert len(result.suggestions) == len(document.gold)  # overlaps merged
    for suggestion in result.suggestions:
        assert document.text[suggestion.start : suggestion.end] == suggestion.quote
    # the invented quote and the unknown code of each chunk, each counted once
    assert sorted(r.reason for r in result.rejected if r.reason == NOT_IN_TEXT) == [
        NOT_IN_TEXT
    ]
    assert {r.reason for r in result.rejected} == {NOT_IN_TEXT, UNKNOWN_CODE}
    assert result.prompt_tokens == sum(c.prompt_tokens for c in result.calls) > 0


def test_the_benchmark_runs_quick(capsys: object) -> None:
    from benchmarks.assist import main

    assert main(["--quick"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert ", 0 wrong, 0 not found" in out and "0 missed, 0 wrongly located" in out
