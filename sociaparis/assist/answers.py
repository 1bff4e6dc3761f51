"""Read a model's answer: the JSON contract, parsed tolerantly.

The model is asked for exactly ``{"passages": [{"code": NAME, "quote": TEXT,
"rationale": TEXT}]}`` (and, to propose codes, ``{"codes": [{"name": NAME,
"definition": TEXT, "quotes": [TEXT]}]}``).  When an endpoint cannot enforce a
schema, models wrap JSON in code fences or prose, answer a bare list, or say
``suggestions`` for ``passages``: all of these are read.  An answer with no
such JSON at all raises :class:`UnusableAnswer`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sociaparis.assist.locate import Proposed

#: the JSON schema of the deductive answer, sent as ``response_format``
PASSAGES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "passages": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "quote": {"type": "string"},
                    "rationale": {"type": "string"},
                },
                "required": ["code", "quote", "rationale"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["passages"],
    "additionalProperties": False,
}

#: the JSON schema of proposed codes (inductive help)
CODES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "codes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "definition": {"type": "string"},
                    "quotes": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["name", "definition", "quotes"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["codes"],
    "additionalProperties": False,
}

_LIST_KEYS = ("passages", "suggestions", "codings", "results", "items", "segments")
_CODE_LIST_KEYS = ("codes", "proposals", "themes", "categories")
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)


class UnusableAnswer(ValueError):
    """The answer holds no JSON of the expected shape."""


def response_format(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The ``response_format`` asking for JSON that follows ``schema``."""
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "strict": True, "schema": schema},
    }


def message_content(body: str) -> str:
    """The assistant's message in a chat-completions response body.

    Raises
    ------
    UnusableAnswer
        When the body is not a chat-completions response.
    """
    try:
        data = json.loads(body)
        message = data["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise UnusableAnswer("the response is not a chat completion") from None
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, list):  # content parts
        content = "".join(
            part.get("text", "") for part in content if isinstance(part, dict)
        )
    if not isinstance(content, str) or not content.strip():
        # Some servers put structured output in a ``parsed`` field or a refusal.
        parsed = message.get("parsed") if isinstance(message, dict) else None
        if parsed is not None:
            return json.dumps(parsed)
        raise UnusableAnswer("the answer is empty")
    return content


def _candidates(content: str) -> list[Any]:
    """Every JSON value found in ``content``: whole, in fences, or inside prose."""
    found: list[Any] = []
    texts = [content.strip()] + [m.group(1).strip() for m in _FENCE.finditer(content)]
    for text in texts:
        try:
            found.append(json.loads(text))
        except ValueError:
            continue
    if found:
        return found
    decoder = json.JSONDecoder()
    position = 0
    while len(found) < 5:
        found_at = (content.find("{", position), content.find("[", position))
        starts = [p for p in found_at if p >= 0]
        if not starts:
            break
        position = min(starts)
        try:
            value, end = decoder.raw_decode(content, position)
        except ValueError:
            position += 1
            continue
        found.append(value)
        position = end
    return found


def _text(item: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = item.get(name)
        if isinstance(value, str):
            return value
    return None


def _list_in(value: Any, keys: tuple[str, ...]) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), list):
                return value[key]
        for inner in value.values():  # {"result": {"passages": [...]}}
            if isinstance(inner, dict):
                found = _list_in(inner, keys)
                if found is not None:
                    return found
    return None


def parse_passages(content: str) -> list[Proposed]:
    """The passages of an answer.

    Examples
    --------
    >>> parse_passages('Voici : ```json\\n[{"code": "A", "quote": "q"}]\\n```')
    [Proposed(code='A', quote='q', rationale='')]
    >>> parse_passages('{"suggestions": []}')
    []
    """
    for value in _candidates(content):
        items = _list_in(value, _LIST_KEYS)
        if items is None:
            continue
        out: list[Proposed] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            code = _text(item, "code", "name", "label", "category")
            quote = _text(item, "quote", "text", "passage", "citation", "excerpt")
            rationale = _text(item, "rationale", "reason", "justification", "why")
            out.append(Proposed(code or "", quote or "", rationale or ""))
        return out
    raise UnusableAnswer("no JSON object with a list of passages in the answer")


def parse_code_proposals(content: str) -> list[tuple[str, str, list[str]]]:
    """``(name, definition, quotes)`` of every proposed code in an answer."""
    for value in _candidates(content):
        items = _list_in(value, _CODE_LIST_KEYS)
        if items is None:
            continue
        out = []
        for item in items:
            if not isinstance(item, dict):
                continue
            name = _text(item, "name", "code", "label") or ""
            definition = _text(item, "definition", "description") or ""
            quotes = item.get("quotes") or item.get("passages") or item.get("examples")
            if isinstance(quotes, str):
                quotes = [quotes]
            texts = [
                q if isinstance(q, str) else _text(q, "quote", "text") or ""
                for q in quotes or []
                if isinstance(q, str | dict)
            ]
            out.append((name.strip(), definition.strip(), texts))
        return out
    raise UnusableAnswer("no JSON object with a list of codes in the answer")
