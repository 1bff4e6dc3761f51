"""Benchmark: memory and time of pseudonymization as a document grows.

Run from the repository root::

    .venv/bin/python benchmarks/pseudonymization_memory.py [--sizes 1,2,5,10,50]
        [--no-ner]

For each size (in millions of characters) a fresh Python process loads the
French model, then generates a French interview transcript of that size
(:func:`interview_text`: two speakers, a new person, e-mail address and phone
number every few turns, AI products that must stay) and pseudonymizes it with
the default settings.  It prints, per size, the process's peak resident memory
once the model is loaded, the peak after the document, their difference (the
memory the document costs: text, analysis, replacements and the new text), the
number of replacements, and the time.  **Target: the difference stays under
500 MB for any document the import accepts (50 MB).**  Each size runs in its
own process because a peak, once reached, is never reported lower.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 500
SPEAKERS = ("Enquêtrice", "Agent")
FIRST_NAMES = (
    "Claire Sophie Nadia Karim Julien Camille Thomas Léa Mehdi Anne-Sophie "
    "Jean-Pierre Isabelle Nicolas Fatou Hugo Inès Marc Élodie Paul Agnès"
).split()
SYLLABLES = "ben mar dur and lef ev gar nier vid al mo reau fon tai ne bri ch".split()
SENTENCES = (
    "Au début j'utilisais surtout Copilot pour reformuler des courriers.",
    "On a eu une formation de deux jours sur l'intelligence artificielle générative.",
    "Je vérifie toujours ce que ChatGPT me propose avant de l'envoyer à un usager.",
    "Le service a testé Albert pour les réponses aux questions fréquentes.",
    "Franchement, la relecture prend parfois plus de temps que la rédaction.",
    "Les agents de catégorie C ont été associés au projet dès le départ.",
    "La charte interne dit qu'on ne met jamais de données personnelles dedans.",
    "Ça change la façon dont l'équipe se répartit le travail, clairement.",
    "Est-ce que vous pourriez me donner un exemple précis de cet usage ?",
    "Et qu'est-ce que votre hiérarchie en pense, aujourd'hui ?",
)


def interview_text(chars: int, *, seed: int = 2026) -> str:
    """A generated French interview transcript of about ``chars`` characters.

    Turns alternate between two speakers and are separated by blank lines;
    every third turn names a new person (a listed first name and a generated
    surname, after ``avec`` or ``Mme``) with an e-mail address and a phone
    number, so the entities, the table and the propagated names grow with the
    text.  The same ``chars`` and ``seed`` give the same text.
    """
    rng = random.Random(seed)
    turns: list[str] = []
    size = 0
    while size < chars:
        body = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 6)))
        if len(turns) % 3 == 1:
            first = rng.choice(FIRST_NAMES)
            surname = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
            phone = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
            body += (
                f" J'en ai parlé avec {first} {surname}, puis Mme {surname} m'a "
                f"écrit ({first.lower()}.{surname.lower()}@paris.fr, 01 {phone})."
            )
        turn = f"{SPEAKERS[len(turns) % 2]} : {body}"
        turns.append(turn)
        size += len(turn) + 2
    return "\n\n".join(turns)


_CHILD = """
import json, re, resource, sys, time
from benchmarks.pseudonymization_memory import interview_text
from sociaparis.qual.pseudonymization import PseudonymizationConfig, pseudonymize
from sociaparis.qual.pseudonymization.ner import common_words, load_pipeline

def peak_mb():
    # Linux: the high-water mark since reset_peak(); elsewhere the process's peak.
    try:
        with open("/proc/self/status") as status:
            return int(re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)) / 1024
    except (OSError, AttributeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def reset_peak():
    # So that the model's loading peak is not counted as the document's.
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass

def resident_mb():
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:  # not Linux: the peak so far, which can hide a little
        return peak_mb()

config = PseudonymizationConfig(use_ner=sys.argv[2] == "ner")
common_words(); load_pipeline()  # the order detection uses: a lower loading peak
pseudonymize("Mme Durand a écrit à c.durand@paris.fr.", config=config)
loaded = resident_mb()
reset_peak()
started = time.perf_counter()
text = interview_text(int(sys.argv[1]))
result = pseudonymize(text, config=config)
print(json.dumps({
    "chars": len(text),
    "loaded_mb": loaded,
    "peak_mb": peak_mb(),
    "replacements": len(result.replacements),
    "seconds": time.perf_counter() - started,
}))
"""


def measure(chars: int, *, ner: bool = True) -> dict[str, float]:
    """Pseudonymize a generated text of ``chars`` characters in a fresh process.

    Returns
    -------
    dict
        ``chars``, ``loaded_mb`` (resident memory once the model is loaded),
        ``peak_mb`` (the process's peak while the document is generated and
        pseudonymized: on Linux the high-water mark is reset after loading, so
        that the model's loading peak does not count), ``document_mb`` (their
        difference: what the document costs), ``replacements`` and ``seconds``
        (generation included).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(chars), "ner" if ner else "rules"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["document_mb"] = figures["peak_mb"] - figures["loaded_mb"]
    return figures


def _sizes(value: str) -> list[float]:
    sizes = [float(part) for part in value.split(",") if part.strip()]
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(f"sizes must be positive numbers: {value!r}")
    return sizes


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; exit status 1 when a document costs more than the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=[1, 2, 5, 10, 50],
        help="document sizes in millions of characters (default 1,2,5,10,50)",
    )
    parser.add_argument(
        "--no-ner", action="store_true", help="rules only (spaCy's model not run)"
    )
    args = parser.parse_args(argv)
    print(
        f"{'MB':>6} {'replacements':>12} {'model MB':>9} {'peak MB':>8} "
        f"{'document MB':>11} {'seconds':>8}"
    )
    worst = 0.0
    for size in args.sizes:
        figures = measure(int(size * 1_000_000), ner=not args.no_ner)
        worst = max(worst, figures["document_mb"])
        print(
            f"{figures['chars'] / 1e6:6.1f} {figures['replacements']:12,d} "
            f"{figures['loaded_mb']:9.0f} {figures['peak_mb']:8.0f} "
            f"{figures['document_mb']:11.0f} {figures['seconds']:8.1f}",
            flush=True,
        )
    verdict = "met" if worst < TARGET_MB else "MISSED"
    print(f"document memory < {TARGET_MB} MB: {verdict} (at most {worst:.0f} MB)")
    return 0 if worst < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
