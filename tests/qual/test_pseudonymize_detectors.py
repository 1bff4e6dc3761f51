"""Pseudonymization detectors, one table of cases each."""

from __future__ import annotations

import pytest

from sociaparis.qual.pseudonymization.names import find_person_names
from sociaparis.qual.pseudonymization.ner import common_words, load_pipeline
from sociaparis.qual.pseudonymization.patterns import (
    DEFAULT_SPEAKER_PATTERNS,
    find_addresses,
    find_arrondissements,
    find_emails,
    find_phones,
    speaker_spans,
)
from sociaparis.qual.pseudonymization.replacements import EntityKind
from sociaparis.qual.pseudonymization.text import FoldedText, PhraseMatcher, fold


def surfaces(text: str, candidates) -> list[str]:
    return [text[c.start : c.end] for c in candidates]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("appelez le 01 42 76 40 40 demain", ["01 42 76 40 40"]),
        ("appelez le 01.42.76.40.40.", ["01.42.76.40.40"]),
        ("appelez le 01-42-76-40-40", ["01-42-76-40-40"]),
        ("portable 0612345678, merci", ["0612345678"]),
        ("tél. +33 6 12 34 56 78", ["+33 6 12 34 56 78"]),
        ("tél. +33612345678", ["+33612345678"]),
        ("tél. 0033 1 42 76 40 40", ["0033 1 42 76 40 40"]),
        ("tél. +33 (0)1 42 76 40 40", ["+33 (0)1 42 76 40 40"]),
        ("à Barcelone : +34 932 91 61 00", ["+34 932 91 61 00"]),
        ("à Barcelone : 0034 932 91 61 00", ["0034 932 91 61 00"]),
        ("deux : 01 42 76 40 40 et 09 87 65 43 21", ["01 42 76 40 40", "09 87 65 43 21"]),
        # not phone numbers
        ("en 2023, 12 agents sur 340", []),
        ("le dossier 00 12", []),
        ("matricule 1234567890", []),
        ("le 00 00 00 00 00", []),
    ],
)
def test_phones(text: str, expected: list[str]) -> None:
    found = list(find_phones(text))
    assert surfaces(text, found) == expected
    assert all(c.kind is EntityKind.TELEPHONE for c in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("écrivez à claire.durand@paris.fr demain", ["claire.durand@paris.fr"]),
        ("écrivez à claire.durand@paris.fr.", ["claire.durand@paris.fr"]),
        (
            "(Jean-Luc.Petit+ia@dsin-paris.gouv.fr)",
            ["Jean-Luc.Petit+ia@dsin-paris.gouv.fr"],
        ),
        ("mail:contact@ville-lyon.fr,tél", ["contact@ville-lyon.fr"]),
        ("jp.martin (at) lyon (point) fr", ["jp.martin (at) lyon (point) fr"]),
        ("élodie@mairie.fr", ["élodie@mairie.fr"]),
        ("le compte @paris sur X", []),
        ("un prompt de 3@4 mots", []),
    ],
)
def test_emails(text: str, expected: list[str]) -> None:
    assert surfaces(text, find_emails(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je suis au 5, rue Lobau à côté", ["5, rue Lobau"]),
        (
            "au 12 bis rue du Faubourg Saint-Antoine.",
            ["12 bis rue du Faubourg Saint-Antoine"],
        ),
        (
            "3 place de l'Hôtel-de-Ville, 75004 Paris",
            ["3 place de l'Hôtel-de-Ville, 75004 Paris"],
        ),
        (
            "17 boulevard Morland 75004 Paris Cedex 04 ok",
            ["17 boulevard Morland 75004 Paris Cedex 04"],
        ),
        ("le 8 avenue du 8 Mai 1945 est loin", ["8 avenue du 8 Mai 1945"]),
        ("au 2 quai de la Rapée", ["2 quai de la Rapée"]),
        ("6 ter impasse des Lilas", ["6 ter impasse des Lilas"]),
        ("4 allée Jean-Moulin", ["4 allée Jean-Moulin"]),
        (
            "Place Lazare-Goujon, 69100 Villeurbanne",
            ["Place Lazare-Goujon, 69100 Villeurbanne"],
        ),
        ("écrire au 75013 Paris.", ["75013 Paris"]),
        # not addresses
        ("on a 3 places de parking", []),
        ("la rue de Rivoli est fermée", []),
        ("2 chemins possibles", []),
    ],
)
def test_addresses(text: str, expected: list[str]) -> None:
    assert surfaces(text, find_addresses(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("à la circonscription du 13e arrondissement", ["13e arrondissement"]),
        ("la mairie du 18e, enfin", ["18e"]),
        ("le 1er arrondissement", ["1er arrondissement"]),
        ("au 18e siècle", []),
    ],
)
def test_arrondissements(text: str, expected: list[str]) -> None:
    assert surfaces(text, find_arrondissements(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("S01 : oui\nS02 : non", ["S01", "S02"]),
        ("[SPEAKER_00]: bon\n[SPEAKER_12]: oui", ["SPEAKER_00", "SPEAKER_12"]),
        ("Enquêtrice : merci\nInterviewer: ok", ["Enquêtrice", "Interviewer"]),
        ("I: bonjour\nE : oui\nP2 : ok", ["I", "E", "P2"]),
        ("Participant 3 : oui", ["Participant 3"]),
        ("Claire Durand : bonjour", []),
    ],
)
def test_speaker_labels(text: str, expected: list[str]) -> None:
    spans = sorted(speaker_spans(text, DEFAULT_SPEAKER_PATTERNS))
    assert [text[s:e] for s, e in spans] == expected


@pytest.fixture(scope="module")
def common() -> frozenset[str]:
    return common_words()


def test_the_pipeline_holds_the_ner_alone(common: frozenset[str]) -> None:
    # the lemmatizer's tables (some 240 MB) are read for the word list, not kept
    assert load_pipeline().component_names == ["ner"]
    assert {"claire", "pierre", "rose", "qui"} <= common
    assert "durand" not in common
    assert len(common) > 90_000


ALLOWED = frozenset({"albert", "copilot", "paris", "claude", "microsoft"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("J'ai vu Mme Lefèvre hier.", [("Lefèvre", "title")]),
        (
            "M. Durand et Mme Claire Lefèvre-Dubois",
            [("Durand", "title"), ("Claire Lefèvre-Dubois", "title")],
        ),
        ("Docteur Ndiaye a signé", [("Ndiaye", "title")]),
        ("madame garnier a dit", [("garnier", "title")]),
        ("Madame la Directrice a dit", []),
        ("M. le maire", []),
        ("Jean-Pierre Martin est là", [("Jean-Pierre Martin", "first_name")]),
        ("avec Claire DURAND hier", [("Claire DURAND", "first_name")]),
        ("Anne-Sophie de La Tour arrive", [("Anne-Sophie de La Tour", "first_name")]),
        ("Marie-Hélène, tu veux ajouter ?", [("Marie-Hélène", "first_name")]),
        ("j'en ai parlé à sophie hier", [("sophie", "first_name")]),
        ("avec claire durand de la DSIN", [("claire durand", "first_name")]),
        ("une idée claire et une pierre", []),
        ("Albert nous aide", []),
        ("Albert Ndiaye nous aide", [("Albert Ndiaye", "first_name")]),
        ("On utilise Claude et Copilot", []),
        ("on a déjeuné chez Vasquez", [("Vasquez", "chez")]),
        ("une formation chez Microsoft", []),
        ("chez nous", []),
    ],
)
def test_person_rules(
    text: str, expected: list[tuple[str, str]], common: frozenset[str]
) -> None:
    found = find_person_names(text, common=common, allowed=ALLOWED)
    assert [(text[c.start : c.end], c.detector) for c in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hôtel de VILLE", "hotel de ville"),
        ("cœur  d’équipe", "coeur d'equipe"),
        ("Ségolène\u00a0Royal", "segolene royal"),
        ("He\u0301le\u0300ne", "helene"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("phrases", "text", "expected"),
    [
        (
            ["finances", "Direction des finances"],
            "la direction des Finances",
            ["direction des Finances"],
        ),
        (["DSIN"], "la dsin, la DSIN-Lab et les DSINs", ["dsin", "DSIN"]),
        (["Mission IA"], "la mission\nia", ["mission\nia"]),
        (["Hélène"], "He\u0301le\u0300ne et Helene", ["He\u0301le\u0300ne", "Helene"]),
        (["équipe"], "Équipes", []),
    ],
)
def test_phrase_matcher(phrases: list[str], text: str, expected: list[str]) -> None:
    found = PhraseMatcher(phrases).finditer(FoldedText.of(text))
    assert [text[s:e] for s, e, _ in found] == expected


@pytest.mark.parametrize(
    ("text", "confirm"),
    [
        ("Rose ou pas rose.", True),
        ("Rose, tu en penses quoi ?", False),
        ("Pierre : oui", False),
        ("Il a vu Rose hier.", False),
        ("Sophie est là.", False),
    ],
)
def test_ambiguous_first_names_need_confirmation(
    text: str, confirm: bool, common: frozenset[str]
) -> None:
    (found,) = find_person_names(text, common=common, allowed=ALLOWED)
    assert found.needs_confirmation is confirm
