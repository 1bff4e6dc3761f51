"""A local server speaking the OpenAI wire protocol, answering from a script.

It serves ``POST /v1/chat/completions`` and ``POST /v1/audio/transcriptions`` on
127.0.0.1 (a free port) in a thread.  Each request is recorded (path, headers,
JSON body or multipart fields) and answered by the next scripted :class:`Reply`,
or by a responder function when one is set::

    server.add(chat_reply('{"passages": []}'), Reply(429, headers={"Retry-After": "1"}))
    server.responder = lambda request: chat_reply(...)

The tests of :mod:`sociaparis.assist` use it through the ``openai_server``
fixture (``tests/assist/conftest.py``), and so may any other test.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: status, body (a dict is sent as JSON), headers, delay."""

    status: int = 200
    body: Any = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    """A request as the server received it."""

    path: str
    headers: dict[str, str]
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def user_message(self) -> str:
        """The content of the last user message of a chat request."""
        messages = (self.json or {}).get("messages", [])
        return next(
            (m["content"] for m in reversed(messages) if m.get("role") == "user"), ""
        )

    @property
    def excerpt(self) -> str:
        """The excerpt of the document sent (between ``<<<`` and ``>>>``)."""
        for message in (self.json or {}).get("messages", []):
            content = message.get("content", "")
            if "<<<\n" in content:
                return content.split("<<<\n", 1)[1].rsplit("\n>>>", 1)[0]
        return ""


def chat_reply(
    content: str, *, prompt_tokens: int = 100, completion_tokens: int = 20
) -> Reply:
    """A chat completion whose message is ``content``."""
    return Reply(
        200,
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def passages_reply(
    *items: tuple[str, str] | tuple[str, str, str], **tokens: int
) -> Reply:
    """A chat completion answering ``{"passages": [...]}`` with ``(code, quote[,
    rationale])`` items."""
    passages = [
        {
            "code": item[0],
            "quote": item[1],
            "rationale": item[2] if len(item) > 2 else "r",
        }
        for item in items
    ]
    return chat_reply(json.dumps({"passages": passages}, ensure_ascii=False), **tokens)


class ScriptedOpenAI:
    """The server: ``url`` is its base URL (ending in ``/v1``)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.script: deque[Reply] = deque()
        self.responder: Callable[[Request], Reply] | None = None
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def add(self, *replies: Reply) -> None:
        """Queue answers, given in order to the next requests."""
        self.script.extend(replies)

    def start(self) -> ScriptedOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self.script:
                return self.script.popleft()
        if self.responder is not None:
            return self.responder(request)
        return Reply(500, {"error": {"message": "no scripted reply left"}})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                request = Request(self.path, dict(self.headers.items()))
                kind = self.headers.get("Content-Type", "")
                if kind.startswith("application/json"):
                    request.json = json.loads(raw)
                elif kind.startswith("multipart/form-data"):
                    _multipart(kind, raw, request)
                with server._lock:
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                try:
                    reply = server._answer(request)
                    if reply.delay:
                        time.sleep(reply.delay)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                body = reply.body
                data = (
                    json.dumps(body).encode()
                    if isinstance(body, dict | list)
                    else str(body).encode()
                )
                try:
                    self.send_response(reply.status)
                    content_type = (
                        "application/json"
                        if isinstance(body, dict | list)
                        else "text/plain; charset=utf-8"
                    )
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler


def _multipart(content_type: str, raw: bytes, request: Request) -> None:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename:
            request.files[name] = (filename, payload)
        else:
            request.form[name] = payload.decode()


@contextmanager
def scripted_openai() -> Iterator[ScriptedOpenAI]:
    """A started server, stopped at the end."""
    server = ScriptedOpenAI().start()
    try:
        yield server
    finally:
        server.stop()
