"""One small client for an OpenAI-compatible endpoint: timeouts, retries, a call log.

The endpoint is whatever the study chose (Ollama, vLLM, LM Studio, the State's
Albert API, Mistral's API): sociaparis only speaks the OpenAI wire protocol
(``POST {url}/chat/completions``, ``POST {url}/audio/transcriptions``).  Nothing is
sent unless an endpoint is configured (:func:`endpoint_from_settings`).

Every request attempt becomes a :class:`~sociaparis.assist.briefs.CallRecord`
(the body sent, the body received, tokens, time); the key travels only in the
``Authorization`` header and is never part of a record, a message or a ``repr``.
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from sociaparis.assist.briefs import CallRecord
from sociaparis.assist.errors import AssistError
from sociaparis.core.errors import Reason, SociaparisError

if TYPE_CHECKING:
    import httpx

    from sociaparis.core.config import Settings

#: statuses after which the same request is tried again
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
#: longest wait between two attempts, whatever ``Retry-After`` says (seconds)
MAX_WAIT_S = 60.0


@dataclass(frozen=True)
class Completion:
    """The outcome of one request after its retries.

    ``status`` and ``body`` are those of the last attempt; ``calls`` holds one
    record per attempt, in order.
    """

    status: int
    body: str
    calls: tuple[CallRecord, ...]

    @property
    def ok(self) -> bool:
        """Whether the last attempt succeeded (2xx)."""
        return 200 <= self.status < 300


class ChatTransport(Protocol):
    """What a suggester needs of an endpoint: its identity and ``complete``.

    :class:`Endpoint` sends over HTTP; :class:`~sociaparis.assist.replay.ReplayEndpoint`
    answers from a recording.
    """

    url: str
    model: str
    concurrency: int
    retries: int
    temperature: float
    seed: int | None

    def complete(self, body: dict[str, Any]) -> Completion:
        """Send a chat-completions request body and return its outcome."""
        ...


def public_url(url: str) -> str:
    """``url`` without a user name or password, as it may be shown and recorded.

    >>> public_url("https://me:secret@llm.example.org/v1/")
    'https://llm.example.org/v1'
    """
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, "")).rstrip("/")


def check_url(url: str) -> str:
    """The base URL without a trailing slash; ``ASSIST_002`` unless it is http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SociaparisError(AssistError.BAD_URL, url=public_url(url) or url)
    return url.strip().rstrip("/")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date).

    >>> retry_after("2")
    2.0
    >>> retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0)
    10.0
    >>> retry_after("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(moment.timestamp() - current, 0.0)


def usage_tokens(body: str) -> tuple[int, int]:
    """``(prompt_tokens, completion_tokens)`` from a response's ``usage``, 0 if absent."""
    try:
        usage = json.loads(body).get("usage") or {}
        return int(usage.get("prompt_tokens") or 0), int(
            usage.get("completion_tokens") or 0
        )
    except (ValueError, AttributeError, TypeError):
        return 0, 0


@dataclass(frozen=True)
class Endpoint:
    """An OpenAI-compatible endpoint and how to talk to it.

    Attributes
    ----------
    url
        Base URL, ending in ``/v1`` for most servers
        (``http://localhost:11434/v1`` for Ollama).
    model
        Model name as the server knows it.
    key
        API key, sent as ``Authorization: Bearer``; never shown nor recorded.
    timeout
        Seconds one attempt may take.
    retries
        Further attempts after a 429, a 5xx or a network error.
    concurrency
        Requests in flight at once, all threads together.
    temperature
        Sampling temperature (0: the most reproducible).
    seed
        Sent when given, for servers that support it.
    backoff
        First wait between attempts, doubled each time (seconds), unless the
        server says ``Retry-After``; never more than ``max_wait``.
    max_wait
        Cap on one wait (seconds).
    """

    url: str
    model: str
    key: str | None = field(default=None, repr=False)
    timeout: float = 120.0
    retries: int = 3
    concurrency: int = 4
    temperature: float = 0.0
    seed: int | None = None
    backoff: float = 1.0
    max_wait: float = MAX_WAIT_S
    _state: _ClientState = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_state", _ClientState())
        object.__setattr__(self, "url", check_url(self.url))
        if not self.model.strip():
            raise SociaparisError(AssistError.NOT_CONFIGURED, missing="model")
        checks = (
            ("timeout", self.timeout, 0 < self.timeout <= 3600),
            ("retries", self.retries, 0 <= self.retries <= 10),
            ("concurrency", self.concurrency, 1 <= self.concurrency <= 64),
            ("temperature", self.temperature, 0 <= self.temperature <= 2),
            ("backoff", self.backoff, 0 <= self.backoff <= 60),
        )
        for name, value, good in checks:
            if not good:
                raise SociaparisError(
                    AssistError.BAD_SETTING,
                    name=name,
                    value=value,
                    reason=Reason(
                        en="out of range (timeout 0-3600 s, retries 0-10, "
                        "concurrency 1-64, temperature 0-2, backoff 0-60 s)",
                        fr="hors des bornes admises (timeout 0-3600 s, retries 0-10, "
                        "concurrency 1-64, temperature 0-2, backoff 0-60 s)",
                    ),
                )

    @property
    def shown_url(self) -> str:
        """The URL as it may be shown and recorded (no credentials)."""
        return public_url(self.url)

    def parameters(self) -> dict[str, Any]:
        """The sampling and transport parameters, as recorded with each call."""
        out: dict[str, Any] = {
            "temperature": self.temperature,
            "timeout": self.timeout,
            "retries": self.retries,
            "concurrency": self.concurrency,
        }
        if self.seed is not None:
            out["seed"] = self.seed
        return out

    def close(self) -> None:
        """Close the connections kept open to the server."""
        self._state.close()

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        return headers

    def complete(self, body: dict[str, Any]) -> Completion:
        """``POST {url}/chat/completions`` with ``body``, retried as configured.

        Returns the outcome of the last attempt (which may be a 4xx the caller
        handles, e.g. a refused ``response_format``); raises ``ASSIST_004`` when no
        attempt got an answer, ``ASSIST_005`` when every attempt got a 429 or
        5xx, ``ASSIST_006`` on 401/403.
        """
        return self.post("chat/completions", json_body=body)

    def post(
        self,
        path: str,
        *,
        json_body: dict[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        record_body: dict[str, Any] | None = None,
    ) -> Completion:
        """``POST {url}/{path}``, with a JSON body or a multipart form.

        ``record_body`` stands for the request in the records when the request
        is not JSON (a multipart upload: its fields, not the audio bytes).
        """
        import httpx

        target = f"{self.url}/{path.lstrip('/')}"
        recorded = record_body if record_body is not None else dict(json_body or {})
        calls: list[CallRecord] = []
        reason: Reason | str = ""
        status: int | None = None
        client = self._state.client(self)
        for attempt in range(self.retries + 1):
            started = time.perf_counter()
            wait: float | None = None
            with self._state.limit(self.concurrency):
                try:
                    response = client.post(
                        target,
                        json=json_body,
                        data=data,
                        files=files,
                        headers=self._headers(),
                        timeout=self.timeout,
                    )
                    text = response.text
                    status = response.status_code
                except httpx.TimeoutException:
                    status, text = None, None
                    reason = Reason(
                        en=f"no answer within {self.timeout:g} s",
                        fr=f"aucune réponse en {self.timeout:g} s",
                    )
                except httpx.HTTPError as exc:
                    status, text = None, None
                    reason = _network_reason(exc)
            seconds = time.perf_counter() - started
            prompt, completion = usage_tokens(text) if text else (0, 0)
            error = str(reason) if status is None else None
            if status is not None and status in RETRY_STATUSES:
                error = f"HTTP {status}"
                wait = retry_after(response.headers.get("Retry-After"))
            calls.append(
                CallRecord(
                    endpoint=self.shown_url,
                    model=self.model,
                    parameters={**self.parameters(), "attempt": attempt + 1},
                    request=recorded,
                    response=text,
                    status=status,
                    prompt_tokens=prompt,
                    completion_tokens=completion,
                    seconds=seconds,
                    error=error,
                )
            )
            if status is not None and status not in RETRY_STATUSES:
                if status in (401, 403):
                    raise SociaparisError(
                        AssistError.REFUSED_KEY,
                        url=self.shown_url,
                        status=status,
                        model=self.model,
                    )
                return Completion(status, text or "", tuple(calls))
            if attempt < self.retries:
                delay = wait if wait is not None else self.backoff * 2**attempt
                time.sleep(min(delay, self.max_wait))
        attempts = self.retries + 1
        if status is None:
            raise SociaparisError(
                AssistError.UNREACHABLE,
                url=self.shown_url,
                attempts=attempts,
                reason=reason,
            )
        raise SociaparisError(
            AssistError.HTTP_ERROR,
            url=self.shown_url,
            status=status,
            attempts=attempts,
            reason=excerpt(calls[-1].response or ""),
        )


def excerpt(body: str, limit: int = 300) -> str:
    """The server's error message, or the start of its body, on one line."""
    try:
        data = json.loads(body)
        error = data.get("error", data) if isinstance(data, dict) else data
        if isinstance(error, dict):
            error = error.get("message") or error.get("detail") or error
        body = error if isinstance(error, str) else json.dumps(error, ensure_ascii=False)
    except ValueError:
        pass
    body = " ".join(body.split())
    return body if len(body) <= limit else body[: limit - 1] + "…"


def _network_reason(exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc) or name
    return f"{name}: {text}" if text != name else name


class _ClientState:
    """The shared HTTP client and the concurrency gate of one endpoint."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._gate: threading.BoundedSemaphore | None = None

    def client(self, endpoint: Endpoint) -> httpx.Client:
        import httpx

        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    limits=httpx.Limits(max_connections=endpoint.concurrency),
                    follow_redirects=False,
                )
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def limit(self, concurrency: int) -> threading.BoundedSemaphore:
        with self._lock:
            if self._gate is None:
                self._gate = threading.BoundedSemaphore(concurrency)
            return self._gate


def endpoint_from_settings(
    settings: Settings,
    url: str | None = None,
    model: str | None = None,
    key: str | None = None,
    **overrides: Any,
) -> Endpoint:
    """The endpoint the settings name, with per-command overrides.

    Parameters
    ----------
    settings
        ``SOCIAPARIS_LLM_URL``, ``_MODEL``, ``_KEY``, ``_TIMEOUT``, ``_RETRIES``,
        ``_CONCURRENCY``.
    url, model, key
        Override the settings when given (``--endpoint``, ``--model``, ``--key``).
    **overrides
        Any other :class:`Endpoint` field (``timeout``, ``retries``,
        ``concurrency``, ``temperature``, ``seed``), ignored when ``None``.

    Raises
    ------
    SociaparisError
        ``ASSIST_001`` when no URL or no model is configured: nothing is sent.
    """
    url = url if url else settings.llm_url
    model = model if model else settings.llm_model
    missing = [
        name
        for name, value in (("SOCIAPARIS_LLM_URL", url), ("SOCIAPARIS_LLM_MODEL", model))
        if not (value or "").strip()
    ]
    if missing:
        raise SociaparisError(AssistError.NOT_CONFIGURED, missing=" and ".join(missing))
    fields: dict[str, Any] = {
        "timeout": settings.llm_timeout,
        "retries": settings.llm_retries,
        "concurrency": settings.llm_concurrency,
    }
    fields.update({name: value for name, value in overrides.items() if value is not None})
    secret = key if key else settings.llm_key.get_secret_value()
    return Endpoint(url=url, model=model, key=secret or None, **fields)
