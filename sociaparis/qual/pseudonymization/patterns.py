"""Pattern detectors: e-mail addresses, French phone numbers, street addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sociaparis.qual.pseudonymization.replacements import EntityKind


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span proposed by one detector, before overlaps and labels are resolved."""

    start: int
    end: int
    kind: EntityKind
    detector: str
    priority: int
    #: kept only if the statistical model also sees a person there
    needs_confirmation: bool = False


#: detectors ranked: a lower number wins an overlap
PRIORITY = {
    "terms": 0,
    "email": 1,
    "phone": 1,
    "address": 2,
    "title": 3,
    "first_name": 3,
    "spacy_person": 3,
    "spacy": 4,
    "chez": 5,
    "propagation": 6,
}

EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+"
    r"(?:@|\s?[\[(]\s?(?:at|arobase)\s?[\])]\s?)"
    r"[\w-]+(?:(?:\.|\s?[\[(]\s?(?:dot|point)\s?[\])]\s?)[\w-]+)*"
    r"(?:\.|\s?[\[(]\s?(?:dot|point)\s?[\])]\s?)[^\W\d_]{2,}(?![\w-])",
    re.IGNORECASE,
)

_SEP = r"[ \t.\-\u00a0\u202f]?"
PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)[ \t\u00a0]?33[ \t.\-\u00a0]?(?:\(0\)[ \t\u00a0]?)?|0)"
    rf"[1-9](?:{_SEP}\d{{2}}){{4}}"
    r"(?![\w])"
)

INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)(?!33)[1-9]\d{0,2}"
    r"(?:[ \t.\-\u00a0]?(?:\(\d{1,4}\)|\d{1,4})){2,6}"
    r"(?![\w])"
)

_STREET_TYPES = (
    "rue|avenue|av\\.|ave\\.|boulevard|bd|bld|bvd|place|pl\\.|quai|allée|allee|"
    "impasse|chemin|cours|square|passage|villa|cité|cite|route|sentier|voie|"
    "esplanade|parvis|rond-point|faubourg|fbg|hameau|promenade|port|ruelle|"
    "résidence|residence|sq\\.|galerie|cour|carrefour|porte|jardin|mail"
)
_PARTICLE = (
    r"(?:de|du|des|d['’]|la|le|les|l['’]|aux|au|à|a|en|sur|sous|et|"
    r"saint|sainte|st|ste)"
)
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’\-]*|\d{1,4}(?:er|e)?(?!\d))"
_STREET_NAME = (
    rf"(?:{_PARTICLE}\s*)*{_NAME_WORD}(?:[ \t\-]+(?:{_PARTICLE}\s*)*{_NAME_WORD})*"
)
_CITY_WORD = r"(?!(?i:cedex)\b)[A-ZÀ-ÖØ-Þ][\w'’\-]*"
_POSTCODE_CITY = (
    rf"\d{{5}}[ \t]+{_CITY_WORD}(?:[ \t\-]+{_CITY_WORD})*"
    r"(?:[ \t]+(?i:cedex)(?:[ \t]+\d{1,2})?)?"
)
ADDRESS = re.compile(
    r"(?<![\w])\d{1,4}(?:[ \t]?(?:bis|ter|quater|[A-D])\b)?[ \t]*,?[ \t]+"
    rf"(?i:{_STREET_TYPES})(?![\w])[ \t]+{_STREET_NAME}"
    rf"(?:[ \t]*,?[ \t]*(?:\n[ \t]*)?{_POSTCODE_CITY})?"
    rf"|(?<![\w])(?i:{_STREET_TYPES})(?![\w])[ \t]+{_STREET_NAME}"
    rf"[ \t]*,?[ \t]*(?:\n[ \t]*)?{_POSTCODE_CITY}"
    rf"|(?<![\w]){_POSTCODE_CITY}"
)
#: Paris arrondissements: "13e arrondissement", "la mairie du 18e"
ARRONDISSEMENT = re.compile(
    r"(?<![\w])\d{1,2}[ \t]?(?:e|è|ème|eme|er|ᵉ)[ \t]+arrondissement\b"
    r"|(?<=\bdu[ \t])\d{1,2}[ \t]?(?:e|è|ème|eme|er|ᵉ)(?![\w])",
    re.IGNORECASE,
)

#: speaker labels of transcripts, kept as they are (multi-line regexes)
DEFAULT_SPEAKER_PATTERNS: tuple[str, ...] = (
    r"\bS\d{1,3}\b",
    r"\bSPEAKER[_ ]?\d{1,3}\b",
    r"(?i:\b(?:enquêt(?:eur|rice)|interview(?:er|eur|euse|é|ée)|"
    r"participant(?:e)?|animat(?:eur|rice)|modérat(?:eur|rice)|locut(?:eur|rice)|"
    r"intervenant(?:e)?|chercheu(?:r|se)|répondant(?:e)?)(?:[ \t]*\d{1,3})?\b)",
    r"^[ \t]*[A-Z]\d{0,2}(?=[ \t]*:)",
    r"^[ \t]*\[?[A-Z]\d{0,2}\]?(?=[ \t]*[-–—])",
)


def find_emails(text: str) -> Iterator[Candidate]:
    """E-mail addresses, also written ``nom (at) domaine (point) fr``.

    >>> text = "écrire à c.durand@paris.fr."
    >>> [text[c.start:c.end] for c in find_emails(text)]
    ['c.durand@paris.fr']
    """
    for match in EMAIL.finditer(text):
        yield Candidate(match.start(), match.end(), EntityKind.EMAIL, "email", 1)


def find_phones(text: str) -> Iterator[Candidate]:
    """Phone numbers: French (``01 42 76 40 40``, ``+33 (0)1…``, ``0033…``,
    ``0612345678``) and international (``+34 932 91 61 00``, 8 to 15 digits).

    >>> text = "tél. +33 6 12.34.56.78, merci"
    >>> [text[c.start:c.end] for c in find_phones(text)]
    ['+33 6 12.34.56.78']
    """
    for match in PHONE.finditer(text):
        yield Candidate(match.start(), match.end(), EntityKind.TELEPHONE, "phone", 1)
    for match in INTERNATIONAL_PHONE.finditer(text):
        digits = sum(c.isdigit() for c in match.group())
        if 8 <= digits <= 15:
            yield Candidate(match.start(), match.end(), EntityKind.TELEPHONE, "phone", 1)


def find_addresses(text: str) -> Iterator[Candidate]:
    """Street addresses (number, street type, name, optional postal code and city).

    >>> text = "au 12 bis rue du Faubourg Saint-Antoine, 75011 Paris, au fond"
    >>> [text[c.start:c.end] for c in find_addresses(text)]
    ['12 bis rue du Faubourg Saint-Antoine, 75011 Paris']
    """
    for match in ADDRESS.finditer(text):
        yield Candidate(match.start(), match.end(), EntityKind.ADRESSE, "address", 2)


def find_arrondissements(text: str) -> Iterator[Candidate]:
    """Paris arrondissements, which narrow down an office: ``13e arrondissement``,
    ``la mairie du 18e``.

    >>> text = "la mairie du 18e, puis le 5e arrondissement"
    >>> [text[c.start:c.end] for c in find_arrondissements(text)]
    ['18e', '5e arrondissement']
    """
    for match in ARRONDISSEMENT.finditer(text):
        yield Candidate(match.start(), match.end(), EntityKind.LIEU, "address", 2)


def speaker_spans(text: str, patterns: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of the interview's own speaker labels, which are never replaced."""
    spans: set[tuple[int, int]] = set()
    for pattern in patterns:
        for match in re.finditer(pattern, text, re.MULTILINE):
            start = match.start() + (len(match.group()) - len(match.group().lstrip()))
            if match.end() > start:
                spans.add((start, match.end()))
    return sorted(spans)
