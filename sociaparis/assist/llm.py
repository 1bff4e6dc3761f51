"""Suggestions from a language model behind an OpenAI-compatible endpoint.

:class:`LLMSuggester` implements :class:`~sociaparis.assist.briefs.Suggester`:
the document is cut into overlapping chunks (:mod:`~sociaparis.assist.chunks`),
each chunk is sent with the codebook (names, definitions, criteria, examples),
chunks go out concurrently up to the endpoint's limit, and every quote the model
gives back is located in the whole document (:mod:`~sociaparis.assist.locate`)
or rejected with its reason.  The inductive help works the same way:
:func:`find_more` (more passages like a code's human examples) and
:func:`propose_codes` (new codes with verified quotes, for a person to keep or
discard).

The model is asked for JSON through ``response_format`` (a JSON schema); when the
endpoint refuses that (HTTP 400 or 422 naming it), the request is sent again
without it, the prompt asking for the same JSON, and the answer is read
tolerantly.  An answer that is not usable JSON is asked again, up to the
endpoint's ``retries``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sociaparis.assist import prompts
from sociaparis.assist.answers import (
    CODES_SCHEMA,
    PASSAGES_SCHEMA,
    UnusableAnswer,
    message_content,
    parse_code_proposals,
    parse_passages,
    response_format,
)
from sociaparis.assist.briefs import (
    CallRecord,
    CodeBrief,
    Rejection,
    Suggestion,
    SuggestionResult,
)
from sociaparis.assist.chunks import Chunk, chunk_text, merge_results
from sociaparis.assist.endpoint import ChatTransport, excerpt, public_url
from sociaparis.assist.errors import AssistError
from sociaparis.assist.locate import (
    DocumentIndex,
    Proposed,
    check_passages,
    code_names,
)
from sociaparis.core.errors import Reason, SociaparisError

#: default words per chunk, and words shared by consecutive chunks
CHUNK_WORDS = 1500
OVERLAP_WORDS = 150
#: reason of a find-more passage that is one of the code's own examples
ALREADY_CODED = "already_coded"

T = TypeVar("T")
#: what one chunk gives: located suggestions, rejections, calls made
ChunkOutcome = tuple[list[Suggestion], list[Rejection], list[CallRecord]]


def refuses_response_format(status: int, body: str) -> bool:
    """Whether an error answer says the endpoint cannot do ``response_format``."""
    lowered = body.lower()
    return status in (400, 422) and any(
        word in lowered for word in ("response_format", "json_schema", "response format")
    )


class _Conversation:
    """Asks one endpoint for JSON, remembering whether it takes a schema."""

    def __init__(self, endpoint: ChatTransport, language: str) -> None:
        prompts.texts(language)  # refuse an unknown language early
        self.endpoint = endpoint
        self.language = language
        self.structured = True
        self._lock = threading.Lock()

    def ask(
        self,
        system: str,
        user: str,
        *,
        schema_name: str,
        schema: dict[str, Any],
        parse: Callable[[str], T],
    ) -> tuple[T, list[CallRecord]]:
        """Send the two messages and parse the answer; retry as configured."""
        endpoint = self.endpoint
        calls: list[CallRecord] = []
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        answers = 0
        while True:
            structured = self.structured
            body: dict[str, Any] = {
                "model": endpoint.model,
                "messages": messages,
                "temperature": endpoint.temperature,
            }
            if endpoint.seed is not None:
                body["seed"] = endpoint.seed
            if structured:
                body["response_format"] = response_format(schema_name, schema)
            completion = endpoint.complete(body)
            calls.extend(completion.calls)
            if not completion.ok:
                if structured and refuses_response_format(
                    completion.status, completion.body
                ):
                    with self._lock:
                        self.structured = False
                    continue
                raise SociaparisError(
                    AssistError.HTTP_ERROR,
                    url=public_url(endpoint.url),
                    status=completion.status,
                    attempts=len(completion.calls),
                    reason=excerpt(completion.body),
                )
            answers += 1
            content = None
            try:
                content = message_content(completion.body)
                return parse(content), calls
            except UnusableAnswer as exc:
                if answers > endpoint.retries:
                    raise SociaparisError(
                        AssistError.NO_USABLE_JSON,
                        model=endpoint.model,
                        url=public_url(endpoint.url),
                        attempts=answers,
                        reason=str(exc),
                    ) from None
            if content is not None:
                messages = messages[:2] + [
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": prompts.retry(self.language)},
                ]

    @staticmethod
    def over_chunks(
        chunks: Sequence[Chunk], work: Callable[[Chunk], T], workers: int
    ) -> list[T]:
        """``work`` on every chunk, ``workers`` at once, results in chunk order.

        The first chunk goes alone: it settles whether the endpoint takes a JSON
        schema, so that every later request is the same in a replay.
        """
        if not chunks:
            return []
        first = work(chunks[0])
        rest = chunks[1:]
        workers = max(1, min(workers, len(rest)))
        if workers == 1:
            return [first, *(work(chunk) for chunk in rest)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return [first, *pool.map(work, rest)]


@dataclass
class LLMSuggester:
    """A :class:`~sociaparis.assist.briefs.Suggester` asking a language model.

    Parameters
    ----------
    endpoint
        An :class:`~sociaparis.assist.endpoint.Endpoint`, or a
        :class:`~sociaparis.assist.replay.ReplayEndpoint` to replay a run.
    chunk_words
        Words of the document sent in one request.
    concurrency
        Chunks in flight at once (default: the endpoint's).
    overlap_words
        Words consecutive chunks share (default 150, or a tenth of a chunk when
        that is less).
    language
        Language of the prompts, ``fr`` (default) or ``en``.

    Examples
    --------
    >>> from sociaparis.assist.endpoint import Endpoint
    >>> LLMSuggester(Endpoint("http://localhost:11434/v1", "mistral-small3.2")).coder_name
    'ai:mistral-small3.2'
    """

    endpoint: ChatTransport
    chunk_words: int = CHUNK_WORDS
    concurrency: int | None = None
    overlap_words: int | None = None
    language: str = "fr"
    _conversation: _Conversation = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.overlap_words is None:
            self.overlap_words = min(OVERLAP_WORDS, self.chunk_words // 10)
        if self.chunk_words < 50 or not 0 <= self.overlap_words < self.chunk_words // 2:
            raise SociaparisError(
                AssistError.BAD_SETTING,
                name="chunk_words",
                value=self.chunk_words,
                reason=Reason(
                    en="give at least 50 words per chunk, and an overlap under half "
                    "of it",
                    fr="donnez au moins 50 mots par segment, et un chevauchement de "
                    "moins de la moitié",
                ),
            )
        self._conversation = _Conversation(self.endpoint, self.language)

    @property
    def coder_name(self) -> str:
        """The coder its suggestions belong to: ``ai:<model>``."""
        return f"ai:{self.endpoint.model}"

    def settings(self) -> dict[str, Any]:
        """The run's settings, as recorded and needed to replay it."""
        return {
            "kind": "llm",
            "coder": self.coder_name,
            "endpoint": public_url(self.endpoint.url),
            "model": self.endpoint.model,
            "temperature": self.endpoint.temperature,
            "seed": self.endpoint.seed,
            "retries": self.endpoint.retries,
            "chunk_words": self.chunk_words,
            "overlap_words": self.overlap_words,
            "concurrency": self._workers(),
            "language": self.language,
        }

    def _workers(self) -> int:
        return self.concurrency or self.endpoint.concurrency

    def _chunks(self, text: str, turns: Sequence[tuple[int, int]]) -> list[Chunk]:
        return chunk_text(
            text, words=self.chunk_words, overlap=self.overlap_words or 0, turns=turns
        )

    def suggest(
        self,
        text: str,
        codes: Sequence[CodeBrief],
        turns: Sequence[tuple[int, int]] = (),
    ) -> SuggestionResult:
        """Ask the model for passages of ``text`` for ``codes``.

        Returns
        -------
        SuggestionResult
            Located suggestions (``text[start:end] == quote``, offsets of the
            whole text), rejections with their reason, and every call made.

        Raises
        ------
        SociaparisError
            ``ASSIST_004``/``005``/``006`` when the endpoint cannot be used,
            ``ASSIST_007`` when it never answers usable JSON.
        """
        if not codes:
            return SuggestionResult()
        index = DocumentIndex(text)
        names = code_names(code.name for code in codes)

        def one(chunk: Chunk) -> ChunkOutcome:
            system, user = prompts.deductive(chunk.of(text), codes, self.language)
            proposed, calls = self._conversation.ask(
                system, user, schema_name="passages", schema=PASSAGES_SCHEMA,
                parse=parse_passages,
            )  # fmt: skip
            found, refused = check_passages(
                index, proposed, names, within=(chunk.start, chunk.end)
            )
            return found, refused, calls

        return self._run(text, turns, one)

    def _run(
        self,
        text: str,
        turns: Sequence[tuple[int, int]],
        one: Callable[[Chunk], ChunkOutcome],
    ) -> SuggestionResult:
        chunks = self._chunks(text, turns)
        parts = self._conversation.over_chunks(chunks, one, self._workers())
        suggestions, rejected = merge_results((found, lost) for found, lost, _ in parts)
        calls = [call for *_rest, part_calls in parts for call in part_calls]
        return SuggestionResult(suggestions, rejected, calls)


def find_more(
    text: str,
    code: CodeBrief,
    *,
    endpoint: ChatTransport,
    turns: Sequence[tuple[int, int]] = (),
    chunk_words: int = CHUNK_WORDS,
    concurrency: int | None = None,
    language: str = "fr",
) -> SuggestionResult:
    """More passages of ``text`` like the ones people coded with ``code``.

    ``code.examples`` are the human codings' quotes the model is shown; a
    proposed passage that is one of them is rejected as ``already_coded``.
    The suggestions are for ``code.name`` only.
    """
    suggester = LLMSuggester(
        endpoint, chunk_words=chunk_words, concurrency=concurrency, language=language
    )
    index = DocumentIndex(text)
    names = code_names([code.name])
    known = {" ".join(e.split()) for e in code.examples}

    def one(chunk: Chunk) -> ChunkOutcome:
        system, user = prompts.find_more(chunk.of(text), code, language)
        proposed, calls = suggester._conversation.ask(
            system, user, schema_name="passages", schema=PASSAGES_SCHEMA,
            parse=parse_passages,
        )  # fmt: skip
        found, refused = check_passages(
            index, proposed, names, within=(chunk.start, chunk.end)
        )
        fresh = []
        for suggestion in found:
            if " ".join(suggestion.quote.split()) in known:
                refused.append(Rejection(code.name, suggestion.quote, ALREADY_CODED))
            else:
                fresh.append(suggestion)
        return fresh, refused, calls

    return suggester._run(text, turns, one)


@dataclass(frozen=True)
class CodeProposal:
    """A new code a model proposes, with passages found in the text.

    A person turns it into a code of the codebook (with its passages as
    suggestions) or discards it; nothing is created by the proposal itself.
    """

    name: str
    definition: str
    passages: tuple[Suggestion, ...]


@dataclass
class ProposalResult:
    """Proposed codes, the quotes that could not be verified, and the calls."""

    proposals: list[CodeProposal] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)


def propose_codes(
    text: str,
    *,
    endpoint: ChatTransport,
    existing: Sequence[str] = (),
    count: int = 8,
    turns: Sequence[tuple[int, int]] = (),
    chunk_words: int = CHUNK_WORDS,
    concurrency: int | None = None,
    language: str = "fr",
) -> ProposalResult:
    """New codes for ``text``, each with quotes verified in the text.

    Parameters
    ----------
    existing
        Names of the codes already in the codebook (the model is told to avoid
        them; a proposal with one of these names is dropped).
    count
        Codes proposed per chunk at most.

    Returns
    -------
    ProposalResult
        Proposals with at least one verified passage, merged across chunks by
        name (case and spacing ignored); quotes not found in the text are
        rejected (``not_in_text``, ``ambiguous``, ``empty_quote``).
    """
    suggester = LLMSuggester(
        endpoint, chunk_words=chunk_words, concurrency=concurrency, language=language
    )
    index = DocumentIndex(text)
    taken = {" ".join(name.casefold().split()) for name in existing}

    def one(chunk: Chunk) -> ChunkOutcome:
        system, user = prompts.propose(chunk.of(text), existing, count, language)
        proposals, calls = suggester._conversation.ask(
            system, user, schema_name="codes", schema=CODES_SCHEMA,
            parse=parse_code_proposals,
        )  # fmt: skip
        found: list[Suggestion] = []
        refused: list[Rejection] = []
        for name, definition, quotes in proposals:
            if not name or " ".join(name.casefold().split()) in taken:
                continue
            passages = [Proposed(name, quote, definition) for quote in quotes]
            kept, lost = check_passages(
                index, passages, {name: name}, within=(chunk.start, chunk.end)
            )
            found.extend(kept)
            refused.extend(lost)
        return found, refused, calls

    result = suggester._run(text, turns, one)
    by_name: dict[str, list[Suggestion]] = {}
    spelled: dict[str, str] = {}
    for suggestion in result.suggestions:
        key = " ".join(suggestion.code.casefold().split())
        spelled.setdefault(key, suggestion.code)
        by_name.setdefault(key, []).append(suggestion)
    proposals = [
        CodeProposal(
            spelled[key],
            passages[0].rationale,
            tuple(
                Suggestion(spelled[key], s.start, s.end, s.quote, s.rationale)
                for s in passages
            ),
        )
        for key, passages in by_name.items()
    ]
    return ProposalResult(proposals, result.rejected, result.calls)
