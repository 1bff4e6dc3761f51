"""The synthetic focus group of the participant tests (see test_participants.py)."""

from __future__ import annotations

TURNS = [
    ("Animatrice", "Bonjour à tous, parlons de vos usages."),
    ("SPEAKER_01", "J'utilise Copilot tous les jours."),
    ("SPEAKER_02", "Moi Albert pour les courriers."),
    ("SPEAKER_01", "Copilot gagne du temps."),
    ("SPEAKER_03", "Je crains les erreurs."),
    ("SPEAKER_04", "Les erreurs sont rares."),
    ("Animatrice", "Et les risques ?"),
    ("SPEAKER_05", "Les données personnelles."),
    ("SPEAKER_06", "Oui les données."),
    ("SPEAKER_07", "Je suis d'accord avec les données."),
    ("SPEAKER_03", "Albert aide aussi."),
]
TEXT = "\n\n".join(f"{s}: {u}" for s, u in TURNS)
# code | from these words | to the end of these words (both found in order)
CODINGS = """
| id  | code   | first                | last                   | speakers      |
| c1  | Usage  | J'utilise            | jours.                 | P1            |
| c2  | Usage  | Moi Albert           | Copilot gagne          | P2, P1        |
| c3  | Risque | crains               | erreurs.               | P3            |
| c4  | Risque | Les erreurs sont     | rares.                 | P4            |
| c5  | Risque | Et les risques       | risques                | Animatrice    |
| c6  | Risque | Les données perso    | personnelles.          | P5            |
| c7  | Accord | Oui les              | données.               | P6            |
| c8  | Accord | Je suis d'accord     | d'accord               | P6            |
| c9  | Usage  | Albert aide          | aussi.                 | P3            |
| c10 | Risque | temps.               | Je crains              | P1, P3        |
"""
CASES = {
    "SPEAKER_01": ("P1", {"direction": "DSIN", "usage": 5}),
    "SPEAKER_02": ("P2", {"direction": "DRH", "usage": 2}),
    "SPEAKER_03": ("P3", {"direction": "DSIN", "usage": 1}),
    "SPEAKER_04": ("P4", {"direction": "DRH", "usage": 5}),
    "Participant E": ("P5", {"direction": "DASES", "usage": 3}),
    "SPEAKER_06": ("P6", {"direction": "DRH", "usage": 4}),
}


def rows(table: str) -> list[dict[str, str]]:
    lines = [line.strip().strip("|") for line in table.strip().splitlines()]
    header = [h.strip() for h in lines[0].split("|")]
    return [dict(zip(header, (c.strip() for c in line.split("|")), strict=True))
            for line in lines[1:]]  # fmt: skip


def span(first: str, last: str) -> tuple[int, int]:
    """Offsets from the start of ``first`` to the end of ``last`` (after it)."""
    start = TEXT.index(first)
    end = TEXT.index(last, start) + len(last)
    return start, end
