"""Recordings of runs, and replaying a run from its recorded answers.

A recording is one JSON object::

    {"format": "sociaparis-assist-run/1",
     "run": {...the run's settings: endpoint, model, temperature, seed,
             chunk_words, overlap_words, language...},
     "calls": [{CallRecord fields}...],
     "suggestions": [{"code", "start", "end", "quote", "rationale"}...],
     "rejected": [{"code", "quote", "reason"}...]}

``assist suggest --record`` writes it, a study-bound run's export writes the same
layout, and :class:`ReplayEndpoint` reads it: it answers each request with the
response recorded for the same request body, so the run is done again, without
the network, through the same chunking, parsing and quote location.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sociaparis.assist.briefs import CallRecord, CodeBrief, SuggestionResult
from sociaparis.assist.endpoint import RETRY_STATUSES, Completion, excerpt
from sociaparis.assist.errors import AssistError
from sociaparis.core.errors import Reason, SociaparisError

FORMAT = "sociaparis-assist-run/1"
#: largest recording read (bytes)
MAX_RECORDING_BYTES = 500 * 1024 * 1024
_CALL_FIELDS = (
    "endpoint",
    "model",
    "parameters",
    "request",
    "response",
    "status",
    "prompt_tokens",
    "completion_tokens",
    "seconds",
    "error",
)


def request_key(body: dict[str, Any]) -> str:
    """A request body in one canonical spelling, to match recorded requests."""
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def call_to_dict(call: CallRecord) -> dict[str, Any]:
    """A call as JSON."""
    return asdict(call)


def call_from_dict(data: dict[str, Any]) -> CallRecord:
    """A call read from JSON (unknown fields ignored)."""
    missing = [name for name in ("request",) if name not in data]
    if missing or not isinstance(data.get("request"), dict):
        raise ValueError("a call needs its 'request' object")
    values = {name: data.get(name) for name in _CALL_FIELDS}
    return CallRecord(
        endpoint=str(values["endpoint"] or ""),
        model=str(values["model"] or ""),
        parameters=dict(values["parameters"] or {}),
        request=values["request"],
        response=values["response"],
        status=values["status"],
        prompt_tokens=int(values["prompt_tokens"] or 0),
        completion_tokens=int(values["completion_tokens"] or 0),
        seconds=float(values["seconds"] or 0.0),
        error=values["error"],
    )


def result_to_dict(result: SuggestionResult) -> dict[str, Any]:
    """The stable JSON of ``assist suggest --json``: suggestions, rejected, calls,
    tokens."""
    return {
        "suggestions": [
            {
                "code": s.code,
                "start": s.start,
                "end": s.end,
                "quote": s.quote,
                "rationale": s.rationale,
            }
            for s in result.suggestions
        ],
        "rejected": [
            {"code": r.code, "quote": r.quote, "reason": r.reason}
            for r in result.rejected
        ],
        "calls": len(result.calls),
        "tokens": {
            "prompt": result.prompt_tokens,
            "completion": result.completion_tokens,
        },
    }


def recording(run: dict[str, Any], result: SuggestionResult) -> dict[str, Any]:
    """The recording of a run: its settings, every call, what it gave."""
    summary = result_to_dict(result)
    return {
        "format": FORMAT,
        "run": run,
        "calls": [call_to_dict(call) for call in result.calls],
        "suggestions": summary["suggestions"],
        "rejected": summary["rejected"],
    }


def write_recording(path: str | Path, data: dict[str, Any]) -> None:
    """Write a recording as UTF-8 JSON."""
    Path(path).write_text(
        json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def read_recording(path: str | Path) -> dict[str, Any]:
    """Read and check a recording (``ASSIST_010`` when it is not one)."""
    file = Path(path)

    def refuse(reason: Reason | str) -> SociaparisError:
        return SociaparisError(
            AssistError.RECORDING_UNREADABLE, path=str(path), reason=reason
        )

    try:
        if file.stat().st_size > MAX_RECORDING_BYTES:
            raise refuse(
                Reason(
                    en=f"larger than {MAX_RECORDING_BYTES} bytes",
                    fr=f"il dépasse {MAX_RECORDING_BYTES} octets",
                )
            )
        data = json.loads(file.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise refuse(exc.strerror or str(exc)) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise refuse(
            Reason(
                en=f"not UTF-8 JSON ({exc})", fr=f"ce n'est pas du JSON en UTF-8 ({exc})"
            )
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise refuse(
            Reason(
                en=f"its 'format' is not {FORMAT!r}",
                fr=f"son champ « format » ne vaut pas {FORMAT!r}",
            )
        )
    if not isinstance(data.get("run"), dict) or not isinstance(data.get("calls"), list):
        raise refuse(
            Reason(
                en="it needs a 'run' object and a 'calls' list",
                fr="il lui faut un objet « run » et une liste « calls »",
            )
        )
    for number, call in enumerate(data["calls"], start=1):
        if not isinstance(call, dict):
            raise refuse(
                Reason(
                    en=f"call {number} is not an object",
                    fr=f"l'appel {number} n'est pas un objet",
                )
            )
        try:
            call_from_dict(call)
        except (TypeError, ValueError) as exc:
            raise refuse(
                Reason(en=f"call {number}: {exc}", fr=f"appel {number} : {exc}")
            ) from None
    return data


def _final(call: CallRecord) -> bool:
    """Whether a call ended its request (no retry came after it)."""
    return call.status is not None and call.status not in RETRY_STATUSES


class ReplayEndpoint:
    """An endpoint that answers from recorded calls instead of the network.

    Calls with the same request body are grouped into the attempts of one
    request (ending with the first answer that is not retried); each request
    sent gets the next group recorded for its body, the last group again once
    they are used up.  A request never recorded raises ``ASSIST_011``.

    Parameters
    ----------
    calls
        The recorded calls.
    url, model, temperature, seed, retries, concurrency
        The recorded run's settings: requests are built from them, so they must
        be the recorded ones for the bodies to match.
    """

    def __init__(
        self,
        calls: Iterable[CallRecord],
        *,
        url: str,
        model: str,
        temperature: float = 0.0,
        seed: int | None = None,
        retries: int = 3,
        concurrency: int = 1,
    ) -> None:
        self.url = url
        self.model = model
        self.temperature = temperature
        self.seed = seed
        self.retries = retries
        self.concurrency = concurrency
        self._groups: dict[str, list[list[CallRecord]]] = {}
        open_groups: dict[str, list[CallRecord]] = {}
        for call in calls:
            key = request_key(call.request)
            group = open_groups.setdefault(key, [])
            group.append(call)
            if _final(call):
                self._groups.setdefault(key, []).append(group)
                del open_groups[key]
        for key, group in open_groups.items():  # attempts that never got an answer
            self._groups.setdefault(key, []).append(group)
        self._used: dict[str, int] = {}
        self._requests = 0
        self._lock = threading.Lock()

    @classmethod
    def from_recording(cls, data: dict[str, Any]) -> ReplayEndpoint:
        """The replay of a recording read by :func:`read_recording`."""
        run = data["run"]
        calls = [call_from_dict(call) for call in data["calls"]]
        first: CallRecord | None = calls[0] if calls else None
        return cls(
            calls,
            url=str(run.get("endpoint") or (first.endpoint if first else "")),
            model=str(run.get("model") or (first.model if first else "")),
            temperature=float(run.get("temperature") or 0.0),
            seed=run.get("seed"),
            retries=int(run.get("retries", 3)),
            concurrency=int(run.get("concurrency") or 1),
        )

    def complete(self, body: dict[str, Any]) -> Completion:
        """The recorded outcome of the request ``body``."""
        key = request_key(body)
        with self._lock:
            self._requests += 1
            groups = self._groups.get(key)
            if not groups:
                raise SociaparisError(
                    AssistError.REPLAY_MISSING, number=self._requests, model=self.model
                )
            used = self._used.get(key, 0)
            group = groups[min(used, len(groups) - 1)]
            self._used[key] = used + 1
        last = group[-1]
        if _final(last):
            return Completion(last.status or 0, last.response or "", tuple(group))
        if last.status is None:
            raise SociaparisError(
                AssistError.UNREACHABLE,
                url=self.url,
                attempts=len(group),
                reason=last.error or Reason(en="no answer", fr="aucune réponse"),
            )
        raise SociaparisError(
            AssistError.HTTP_ERROR,
            url=self.url,
            status=last.status,
            attempts=len(group),
            reason=excerpt(last.response or ""),
        )


def replay_run(
    data: dict[str, Any],
    text: str,
    codes: Sequence[CodeBrief],
    turns: Sequence[tuple[int, int]] = (),
) -> SuggestionResult:
    """Do a recorded ``assist suggest`` or ``find-more`` run again from its answers.

    ``text`` and ``codes`` must be those of the recorded run (``ASSIST_011``
    otherwise); for a find-more run, ``codes`` must hold the run's code.
    """
    from sociaparis.assist.llm import CHUNK_WORDS, LLMSuggester, find_more

    run = data["run"]
    endpoint = ReplayEndpoint.from_recording(data)
    chunk_words = int(run.get("chunk_words") or CHUNK_WORDS)
    language = str(run.get("language") or "fr")
    if run.get("kind") == "find_more":
        code = next((c for c in codes if c.name == run.get("code")), None)
        if code is None:
            raise SociaparisError(
                AssistError.RECORDING_UNREADABLE,
                path=Reason(en="the recording", fr="l'enregistrement"),
                reason=Reason(
                    en=f"its code {run.get('code')!r} is not in the codebook given",
                    fr=f"son code {run.get('code')!r} n'est pas dans le livre de "
                    "codes fourni",
                ),
            )
        return find_more(
            text, code, endpoint=endpoint, turns=turns, chunk_words=chunk_words,
            language=language,
        )  # fmt: skip
    suggester = LLMSuggester(
        endpoint,
        chunk_words=chunk_words,
        overlap_words=run.get("overlap_words"),
        language=language,
    )
    return suggester.suggest(text, codes, turns)
