"""From the fields a browser sent to the answers of one page (pure functions).

Only the displayed questions of the page are read; every other field (hidden,
computed, unknown, or belonging to another page) is dropped. Field names are the
question name, or ``name.N`` for instance ``N`` (1-based) of a repeat, and
``name.N.M`` for instance ``M`` of a repeat nested in instance ``N``; the page
says how many instances a nested repeat showed in ``REPEAT#N`` (``#`` is in no
XLSForm name).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sociaparis.survey.checks import MAX_ANSWER_LENGTH, FieldError
from sociaparis.survey.instrument import Instrument, Page, Question

MAX_REPEAT_INSTANCES = 200
#: Most ranks read for one rank question (more choices than this cannot be ranked).
MAX_RANKS = 1000

FormFields = Mapping[str, Sequence[str]]


@dataclass(frozen=True, slots=True)
class PageSubmission:
    """What one page submission says: answers, and problems found before the engine.

    Attributes
    ----------
    answers
        The page's answers, in the engine's layout (a repeat as a list of dicts).
    errors
        Answers refused before evaluation (too long), as field errors.
    """

    answers: dict[str, Any]
    errors: tuple[FieldError, ...] = ()


def index_suffix(instance: int | tuple[int, ...]) -> str:
    """``2`` for instance 2, ``2.3`` for instance 3 of a repeat nested in it."""
    if isinstance(instance, int):
        return str(instance)
    return ".".join(map(str, instance))


def field_name(question: str, instance: int | tuple[int, ...] | None) -> str:
    """The form field of ``question`` (in repeat ``instance``, 1-based)."""
    return question if instance is None else f"{question}.{index_suffix(instance)}"


def count_field(repeat: str, parent: int | tuple[int, ...]) -> str:
    """The field giving how many instances of the nested ``repeat`` a page
    showed in the instance ``parent`` of the repeat around it."""
    return f"{repeat}#{index_suffix(parent)}"


#: The inputs of a geopoint, each sent as ``field:part``.
GEOPOINT_PARTS = ("lat", "lon", "alt", "acc")


def part_name(field: str, part: str) -> str:
    """The form field of one input of a multi-input question (``name:lat``,
    ``name.2:3`` for the third rank in instance 2); ``:`` is never in a name."""
    return f"{field}:{part}"


def _composite(question: Question, key: str, fields: FormFields) -> str | None:
    """The answer of a geopoint or rank from its inputs, None if none was sent.

    A geopoint is ``'lat lon alt acc'`` as typed (an empty part stays empty,
    so that the check names what is missing); a rank is the choices in the
    order of their ranks, the empty ranks left out (the check says when one is
    missing or repeated).
    """
    if question.type == "geopoint":
        parts = [fields.get(part_name(key, part)) for part in GEOPOINT_PARTS]
        if all(part is None for part in parts):
            return None
        typed = [(part[-1] if part else "").strip() for part in parts]
        if not any(typed):
            return ""
        latitude, longitude, altitude, accuracy = typed
        if accuracy and not altitude:
            altitude = "0"
        return " ".join(
            [latitude or "?", longitude or "?", *(p for p in (altitude, accuracy) if p)]
        )
    ranks = []
    position = 1
    while (
        position <= MAX_RANKS
        and (sent := fields.get(part_name(key, str(position)))) is not None
    ):
        ranks.append((sent[-1] if sent else "").strip())
        position += 1
    if not ranks:
        return None
    return " ".join(rank for rank in ranks if rank)


def _value(question: Question, values: Sequence[str]) -> str:
    if question.type == "select_multiple":
        chosen: list[str] = []
        for value in values:
            for token in value.split():
                if token not in chosen:
                    chosen.append(token)
        return " ".join(chosen)
    return values[-1].strip() if values else ""


def read_page(
    instrument: Instrument,
    page: Page,
    fields: FormFields,
    *,
    instances: int = 0,
    too_long_message: str = "",
) -> PageSubmission:
    """Read the answers to ``page`` from ``fields``.

    Parameters
    ----------
    instrument, page
        The questionnaire and the page that was shown.
    fields
        Field name to the list of values sent (a browser repeats a checkbox name).
    instances
        For a repeat page, how many instances the page showed.
    too_long_message
        Message of the error for an answer over :data:`MAX_ANSWER_LENGTH`.
    """
    errors: list[FieldError] = []

    def read(question: Question, instance: int | tuple[int, ...] | None) -> str | None:
        key = field_name(question.name, instance)
        if question.type in {"geopoint", "rank"}:
            composite = _composite(question, key, fields)
            if composite is None:
                return None
            value = composite
        elif key not in fields:
            return None
        else:
            value = _value(question, fields[key])
        if len(value) > MAX_ANSWER_LENGTH:
            errors.append(FieldError(question.name, "type", too_long_message, instance))
            return None
        return value

    questions = [
        q
        for name in page.questions
        if isinstance(q := instrument.item(name), Question) and q.answerable
    ]
    answers: dict[str, Any] = {}
    on_page = {question.name for question in questions}

    def read_rows(
        repeat: str, parent: tuple[int, ...], count: int
    ) -> list[dict[str, Any]]:
        rows = []
        for number in range(1, min(count, MAX_REPEAT_INSTANCES) + 1):
            index = (*parent, number)
            row: dict[str, Any] = {}
            for item in instrument.level(repeat):
                if isinstance(item, Question):
                    if item.name in on_page:
                        value = read(item, index[0] if len(index) == 1 else index)
                        if value is not None:
                            row[item.name] = value
                    continue
                sent = fields.get(count_field(item.name, index_suffix_of(index)), [])
                nested = _count(sent[-1] if sent else "")
                row[item.name] = read_rows(item.name, index, nested)
            rows.append(row)
        return rows

    if page.kind == "repeat":
        answers[page.name] = read_rows(page.name, (), instances)
    else:
        for question in questions:
            value = read(question, None)
            if value is not None:
                answers[question.name] = value
    return PageSubmission(answers, tuple(errors))


def index_suffix_of(numbers: tuple[int, ...]) -> int | tuple[int, ...]:
    """An instance's index from its numbers: an int at the first level."""
    return numbers[0] if len(numbers) == 1 else numbers


def _count(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 6 else 0


def merge_page(
    stored: Mapping[str, Any], page: Page, page_answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The whole response with ``page``'s answers replaced by ``page_answers``."""
    merged = dict(stored)
    if page.kind == "repeat":
        merged[page.name] = list(page_answers.get(page.name, []))
        return merged
    for name in page.questions:
        merged.pop(name, None)
    merged.update(page_answers)
    return merged
