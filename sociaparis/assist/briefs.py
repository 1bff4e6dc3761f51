"""What every suggester takes and gives: code briefs in, located suggestions out.

Both suggesters (a model behind an OpenAI-compatible endpoint, and the offline
one trained on the project's human codings) implement :class:`Suggester`, so a
run, its review and its evaluation do not depend on which one proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class CodeBrief:
    """What a coder needs to know of a code: its name, definition and criteria.

    ``examples`` are passages human coders coded with it (quotes of the text).
    """

    name: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A passage proposed for a code: ``text[start:end] == quote``.

    Offsets are code points of the whole document's text, end exclusive.
    ``confidence`` is in [0, 1] when the suggester gives one.
    """

    code: str
    start: int
    end: int
    quote: str
    rationale: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class Rejection:
    """A proposal that was not kept, and why (``reason`` is a short stable word:
    ``not_in_text``, ``ambiguous``, ``unknown_code``, ``empty_quote``)."""

    code: str
    quote: str
    reason: str


@dataclass(frozen=True)
class CallRecord:
    """One request to an endpoint, as it was sent and answered.

    ``request`` is the JSON body sent (the key is never part of it);
    ``response`` is the raw body received (``None`` when none came).
    """

    endpoint: str
    model: str
    parameters: dict[str, Any]
    request: dict[str, Any]
    response: str | None
    status: int | None
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    error: str | None = None


@dataclass
class SuggestionResult:
    """What a suggester gave for one document."""

    suggestions: list[Suggestion] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)

    @property
    def prompt_tokens(self) -> int:
        """Tokens sent, summed over the calls."""
        return sum(call.prompt_tokens for call in self.calls)

    @property
    def completion_tokens(self) -> int:
        """Tokens received, summed over the calls."""
        return sum(call.completion_tokens for call in self.calls)


class Suggester(Protocol):
    """Something that proposes passages of a text for codes.

    ``coder_name`` names the coder its suggestions belong to, e.g.
    ``ai:mistral-small-3.2`` or ``offline:tfidf``.  ``turns`` are the
    ``(start, end)`` spans of the document's turns when it has any; a suggester
    may propose whole turns or any passage.
    """

    coder_name: str

    def suggest(
        self,
        text: str,
        codes: Sequence[CodeBrief],
        turns: Sequence[tuple[int, int]] = (),
    ) -> SuggestionResult:
        """Propose passages of ``text`` for ``codes``."""
        ...
