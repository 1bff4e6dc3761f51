"""Fixtures of the assist tests: a local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.assist.openai_server import ScriptedOpenAI, scripted_openai


@pytest.fixture
def openai_server() -> Iterator[ScriptedOpenAI]:
    """A server on 127.0.0.1 speaking chat-completions and audio-transcriptions,
    answering from the replies the test queues (``openai_server.add``)."""
    with scripted_openai() as server:
        yield server
