"""Timing benchmark of the offline suggester: train on human codings, rank turns.

Builds a synthetic interview corpus with a fixed seed: turns of everyday French
words, a third of them carrying three words of one of ``--codes`` themes (each
theme its own vocabulary).  Trains :func:`sociaparis.assist.offline.fit_offline`
on ``--codings`` coded turns (about two thirds of them with a code), then scores
``--turns`` new turns for every code and sorts them per code.  The spaCy
vectors are loaded once first and timed apart (a process pays it once).  Prints
the times and how many of the top-ranked turns per code carry its theme.

Target (issue 14): trains on 5,000 codings and ranks 50,000 turns in < 10 s.

Usage::

    .venv/bin/python benchmarks/assist_offline.py [--codings 5000] [--turns 50000]
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np

from sociaparis.assist.offline import fit_offline, word_vectors

TARGET_S = 10.0
FILLER = (
    "alors nous avons parlé longtemps de la journée puis du quartier des voisins "
    "avec les enfants le matin au marché après le travail dans le bus ensuite "
    "chez nous souvent parfois vraiment beaucoup toujours encore demain hier "
    "semaine dernière grand petit nouveau ancien rue place maison école"
).split()
THEMES = (
    "intelligence artificielle algorithme modèle chatbot automatisation données",
    "budget coût dépenses financement crédits euros économies",
    "formation agents compétences apprentissage stage tutorat ateliers",
    "usagers guichet accueil démarches rendez-vous dossier attente",
    "sécurité incident fuite piratage protection confidentialité risque",
    "environnement énergie carbone consommation serveurs climat sobriété",
    "hiérarchie direction encadrement décision validation arbitrage chef",
    "logiciel outil application interface écran plateforme version",
    "syndicat grève négociation accord représentants protestation dialogue",
    "juridique règlement loi conformité contrat marché public clause",
)


def corpus(n: int, codes: int, seed: int) -> tuple[list[str], list[frozenset[str]]]:
    """``n`` turns and their codes: a third of them carry a theme."""
    rng = random.Random(seed)
    themes = [t.split() for t in THEMES[:codes]]
    texts, labels = [], []
    for _ in range(n):
        words = rng.sample(FILLER, rng.randint(12, 30))
        code = rng.randrange(codes) if rng.random() < 2 / 3 else None
        if code is not None:
            words += rng.sample(themes[code], 3)
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + ".")
        labels.append(
            frozenset({f"code {code + 1}"}) if code is not None else frozenset()
        )
    return texts, labels


def run(codings: int, turns: int, codes: int) -> dict[str, float]:
    """Train and rank once; the figures printed by :func:`main`."""
    texts, labels = corpus(codings, codes, seed=1)
    new_texts, new_labels = corpus(turns, codes, seed=2)
    start = time.perf_counter()
    suggester = fit_offline(texts, labels)
    trained = time.perf_counter() - start
    start = time.perf_counter()
    scores = suggester.scores(new_texts)
    order = np.argsort(-scores, axis=0, kind="stable")
    ranked = time.perf_counter() - start
    top = min(100, turns)
    hits = [
        sum(code in new_labels[i] for i in order[:top, j])
        for j, code in enumerate(suggester.codes)
    ]
    return {
        "train_s": trained,
        "rank_s": ranked,
        "top_precision": float(np.mean(hits)) / top,
        "codes": float(len(suggester.codes)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=5000)
    parser.add_argument("--turns", type=int, default=50000)
    parser.add_argument("--codes", type=int, default=len(THEMES))
    args = parser.parse_args()
    start = time.perf_counter()
    word_vectors()
    print(f"spaCy vectors loaded: {time.perf_counter() - start:.1f} s (once a process)")
    result = run(args.codings, args.turns, min(args.codes, len(THEMES)))
    total = result["train_s"] + result["rank_s"]
    print(
        f"trained on {args.codings} codings ({result['codes']:.0f} codes): "
        f"{result['train_s']:.1f} s"
    )
    print(f"ranked {args.turns} turns for every code: {result['rank_s']:.1f} s")
    print(f"top-100 turns per code carrying its theme: {result['top_precision']:.0%}")
    verdict = "met" if total < TARGET_S else "MISSED"
    print(f"target train + rank < {TARGET_S:.0f} s: {verdict} ({total:.1f} s)")


if __name__ == "__main__":
    main()
