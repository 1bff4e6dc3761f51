"""Checks of single answers: type and form, built-in messages, the error record.

Used by the engine (:mod:`sociaparis.survey.logic`) for page validation and by
``simulate`` for the answers file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sociaparis.survey.instrument import Question
from sociaparis.survey.xpath import to_string

ErrorKind = Literal["required", "constraint", "type", "choice"]

DEFAULT_MESSAGES: dict[str, dict[str, str]] = {
    "required": {
        "fr": "Cette question est obligatoire.",
        "en": "This question is required.",
    },
    "constraint": {
        "fr": "Cette réponse n'est pas acceptée.",
        "en": "This answer is not allowed.",
    },
    "choice": {
        "fr": "Choisissez parmi les réponses proposées.",
        "en": "Choose one of the options offered.",
    },
    "integer": {"fr": "Saisissez un nombre entier.", "en": "Enter a whole number."},
    "decimal": {"fr": "Saisissez un nombre.", "en": "Enter a number."},
    "date": {
        "fr": "Saisissez une date au format AAAA-MM-JJ.",
        "en": "Enter a date as YYYY-MM-DD.",
    },
    "range": {
        "fr": "Choisissez une valeur entre {start} et {end} (pas de {step}).",
        "en": "Choose a value from {start} to {end} (in steps of {step}).",
    },
    "acknowledge": {
        "fr": "Cochez la case pour confirmer.",
        "en": "Tick the box to confirm.",
    },
}
_INTEGER = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def default_message(kind: str, lang: str | None, **context: Any) -> str:
    """The built-in message for ``kind`` in ``lang`` (French when not translated)."""
    texts = DEFAULT_MESSAGES[kind]
    return texts.get(lang or "fr", texts["fr"]).format(**context)


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one answer.

    Attributes
    ----------
    question
        The question's name.
    kind
        ``required``, ``constraint``, ``type`` (not an integer, a date...) or
        ``choice`` (a value the select does not offer).
    message
        The form's ``constraint_message``/``required_message`` in the language
        asked for, or a built-in message.
    instance
        1-based repeat instance, None outside repeats.
    """

    question: str
    kind: ErrorKind
    message: str
    instance: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``instance`` only inside repeats)."""
        data: dict[str, Any] = {
            "question": self.question,
            "kind": self.kind,
            "message": self.message,
        }
        if self.instance is not None:
            data["instance"] = self.instance
        return data


def value_problem(question: Question, value: str) -> str | None:
    """Why ``value`` is not a valid answer of ``question``'s type (None when it is).

    Checks the form of integers, decimals, dates, ranges and acknowledgements; an
    empty value is always well-formed. Choice lists are checked elsewhere.
    """
    if value == "":
        return None
    kind = question.type
    if kind == "integer" and not _INTEGER.fullmatch(value):
        return "not a whole number"
    if kind == "decimal" and not _DECIMAL.fullmatch(value):
        return "not a number"
    if kind == "date":
        if not _DATE.fullmatch(value):
            return "not a date written YYYY-MM-DD"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "not a date of the calendar"
    if kind == "acknowledge" and value != "OK":
        return "an acknowledgement is 'OK' or empty"
    if kind == "range":
        return _range_problem(question, value)
    return None


def range_bounds(question: Question) -> tuple[float, float, float]:
    params = question.parameters
    return (
        float(params.get("start", 1)),
        float(params.get("end", 10)),
        float(params.get("step", 1)),
    )


def _range_problem(question: Question, value: str) -> str | None:
    if not _DECIMAL.fullmatch(value):
        return "not a number"
    start, end, step = range_bounds(question)
    number = float(value)
    low, high = min(start, end), max(start, end)
    if not low <= number <= high:
        return f"outside {start:g} to {end:g}"
    steps = (number - start) / step if step else 0.0
    if abs(steps - round(steps)) > 1e-9:
        return f"not on a step of {step:g} from {start:g}"
    return None


def canonical(kind: str, raw: str) -> str:
    """Numbers as ODK stores them: ``'007'`` -> ``'7'``, ``'2.50'`` -> ``'2.5'``.

    A value that is not a well-formed number is kept as given (page validation
    reports it).
    """
    if kind == "integer":
        return str(int(raw)) if _INTEGER.fullmatch(raw) else raw
    if _DECIMAL.fullmatch(raw):
        return to_string(float(raw))
    return raw
