"""Checks of single answers: type and form, built-in messages, the error record.

Used by the engine (:mod:`sociaparis.survey.logic`) for page validation and by
``simulate`` for the answers file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sociaparis.core.errors import Reason
from sociaparis.survey.formats import FORMATTED_TYPES, format_problem, formatted
from sociaparis.survey.instrument import FILE_TYPES, Question
from sociaparis.survey.xpath import to_string

#: Longest answer a page accepts, in characters.
MAX_ANSWER_LENGTH = 10_000

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
    "file": {
        "fr": "Ce fichier n'est plus disponible : envoyez-le de nouveau.",
        "en": "This file is no longer available: send it again.",
    },
    # Uploads refused (sociaparis.survey.fielding.uploads)
    "upload_type": {
        "fr": "Ce fichier n'est pas d'un type accepté ici ({expected}).",
        "en": "This file is not of a type accepted here ({expected}).",
    },
    "upload_size": {
        "fr": "Ce fichier dépasse la taille acceptée ({limit}).",
        "en": "This file is larger than the size accepted ({limit}).",
    },
    "upload_pixels": {
        "fr": "Cette image a trop de pixels ({limit} millions au plus) : "
        "envoyez-la en plus petit.",
        "en": "This image has too many pixels (at most {limit} million): send a "
        "smaller one.",
    },
    "upload_unreadable": {
        "fr": "Ce fichier est illisible ou endommagé.",
        "en": "This file cannot be read or is damaged.",
    },
    "upload_full": {
        "fr": "Le serveur ne peut pas enregistrer de fichier pour le moment. "
        "Réessayez plus tard ; si le problème persiste, contactez l'équipe de "
        "l'étude.",
        "en": "The server cannot store files right now. Try again later; if the "
        "problem persists, contact the study team.",
    },
    "time": {
        "fr": "Saisissez une heure au format HH:MM (par exemple 14:30).",
        "en": "Enter a time as HH:MM (for example 14:30).",
    },
    "dateTime": {
        "fr": "Saisissez une date et une heure (AAAA-MM-JJ HH:MM).",
        "en": "Enter a date and a time (YYYY-MM-DD HH:MM).",
    },
    "geopoint": {
        "fr": (
            "Saisissez une latitude (entre -90 et 90) et une longitude (entre -180 "
            "et 180) en degrés décimaux ; l'altitude et la précision, si vous les "
            "donnez, en mètres."
        ),
        "en": (
            "Enter a latitude (from -90 to 90) and a longitude (from -180 to 180) "
            "in decimal degrees; the altitude and accuracy, if you give them, in "
            "metres."
        ),
    },
    "geotrace": {
        "fr": (
            "Saisissez au moins 2 points, un par ligne : latitude et longitude en "
            "degrés décimaux, séparées par une espace."
        ),
        "en": (
            "Enter at least 2 points, one per line: latitude and longitude in "
            "decimal degrees, separated by a space."
        ),
    },
    "geoshape": {
        "fr": (
            "Saisissez au moins 3 points différents, un par ligne : latitude et "
            "longitude en degrés décimaux, séparées par une espace."
        ),
        "en": (
            "Enter at least 3 different points, one per line: latitude and "
            "longitude in decimal degrees, separated by a space."
        ),
    },
    "rank": {
        "fr": "Donnez à chaque réponse un rang différent, sans en laisser de côté.",
        "en": "Give each option a different rank, leaving none out.",
    },
}
#: A number as people write it: digits, optionally grouped by three with a space,
#: a no-break space (U+00A0) or a narrow no-break space (U+202F), then an
#: optional decimal point or comma.
_WRITTEN_NUMBER = re.compile(
    r"(?P<sign>-?)"
    r"(?P<whole>[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]*)"
    r"(?:(?P<mark>[.,])(?P<fraction>[0-9]*))?"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The name sociaparis gives a stored upload: 32 random hex digits and the
#: suffix of the type its content was found to be (never the name it was sent as).
STORED_FILE_NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,5}")


def default_message(kind: str, lang: str | None, **context: Any) -> str:
    """The built-in message for ``kind`` in ``lang`` (French when not translated)."""
    texts = DEFAULT_MESSAGES["file" if kind in FILE_TYPES else kind]
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


def number_text(kind: str, raw: str) -> str | None:
    """``raw`` as an ASCII number (``'1 200'`` -> ``'1200'``), None if it is not one.

    French respondents group thousands with a space (ordinary, no-break or
    narrow no-break) and write a decimal comma: ``'1 200'``, ``'3,5'`` and
    ``'1 200,5'`` are read as 1200, 3.5 and 1200.5. A comma followed by exactly
    three digits after an ungrouped whole part other than 0 (``'1,200'``) could
    be a French decimal or an English thousands separator, so it is refused, as
    is any other mixture; a question of type ``integer`` takes no decimal part.

    Parameters
    ----------
    kind
        ``integer``, or ``decimal``/``range`` (a decimal part allowed).
    raw
        The answer as typed.
    """
    match = _WRITTEN_NUMBER.fullmatch(raw)
    if match is None:
        return None
    sign, whole, mark, fraction = match.group("sign", "whole", "mark", "fraction")
    grouped = not whole.isdigit() and whole != ""
    digits = "".join(char for char in whole if char.isdigit())
    if mark is None:
        return sign + digits if digits else None
    if kind == "integer" or not (digits or fraction):
        return None
    if mark == "," and len(fraction) == 3 and not grouped and digits.lstrip("0"):
        return None  # '1,200': 1.2 in French, 1200 in English
    return f"{sign}{digits}.{fraction}"


def value_problem(question: Question, value: str) -> Reason | None:
    """Why ``value`` is not a valid answer of ``question``'s type, in English and
    French (None when it is).

    Checks the form of integers, decimals, dates, ranges, acknowledgements,
    times, dateTimes and geographic answers; an empty value is always
    well-formed. Choice lists (and a rank's) are checked elsewhere.
    """
    if value == "":
        return None
    kind = question.type
    if kind == "integer" and number_text(kind, value) is None:
        return Reason(en="not a whole number", fr="ce n'est pas un nombre entier")
    if kind == "decimal" and number_text(kind, value) is None:
        return _NOT_A_NUMBER
    if kind == "date":
        if not _DATE.fullmatch(value):
            return Reason(
                en="not a date written YYYY-MM-DD",
                fr="ce n'est pas une date écrite AAAA-MM-JJ",
            )
        try:
            date.fromisoformat(value)
        except ValueError:
            return Reason(
                en="not a date of the calendar",
                fr="cette date n'existe pas dans le calendrier",
            )
    if kind == "acknowledge" and value != "OK":
        return Reason(
            en="an acknowledgement is 'OK' or empty",
            fr="un accusé de réception vaut « OK » ou reste vide",
        )
    if kind == "range":
        return _range_problem(question, value)
    if kind in FILE_TYPES and not STORED_FILE_NAME.fullmatch(value):
        return Reason(
            en="not the name of a file stored by sociaparis",
            fr="ce n'est pas le nom d'un fichier enregistré par sociaparis",
        )
    if kind in FORMATTED_TYPES:
        return format_problem(kind, value)
    return None


def range_bounds(question: Question) -> tuple[float, float, float]:
    params = question.parameters
    return (
        float(params.get("start", 1)),
        float(params.get("end", 10)),
        float(params.get("step", 1)),
    )


_NOT_A_NUMBER = Reason(en="not a number", fr="ce n'est pas un nombre")


def _range_problem(question: Question, value: str) -> Reason | None:
    written = number_text("range", value)
    if written is None:
        return _NOT_A_NUMBER
    start, end, step = range_bounds(question)
    number = float(written)
    low, high = min(start, end), max(start, end)
    if not low <= number <= high:
        return Reason(
            en=f"outside {start:g} to {end:g}",
            fr=f"elle sort de l'intervalle de {start:g} à {end:g}",
        )
    steps = (number - start) / step if step else 0.0
    if abs(steps - round(steps)) > 1e-9:
        return Reason(
            en=f"not on a step of {step:g} from {start:g}",
            fr=f"elle ne suit pas le pas de {step:g} compté à partir de {start:g}",
        )
    return None


def canonical(kind: str, raw: str, moment: datetime | None = None) -> str:
    """Answers as ODK stores them: ``'007'`` -> ``'7'``, ``'2,50'`` -> ``'2.5'``.

    Numbers written the French way are read with :func:`number_text`; times,
    dateTimes and geographic answers are written as ODK does
    (:func:`~sociaparis.survey.formats.formatted`, with ``moment`` giving the
    offset a time typed without one takes). A value that is not well formed is
    kept as given (page validation reports it).
    """
    if kind in FORMATTED_TYPES:
        try:
            return formatted(kind, raw, moment=moment)
        except ValueError:
            return raw
    written = number_text(kind, raw)
    if written is None:
        return raw
    if kind == "integer":
        # Leading zeros go without int(), which refuses over 4,300 digits.
        sign, digits = ("-", written[1:]) if written[0] == "-" else ("", written)
        digits = digits.lstrip("0") or "0"
        return digits if digits == "0" else sign + digits
    return to_string(float(written))
