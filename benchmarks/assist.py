"""Benchmark: locating a model's quotes, and a long document sent in chunks.

Run from the repository root::

    .venv/bin/python benchmarks/assist.py [--words 1000000] [--quotes 10000]
        [--document-words 20000] [--concurrency 4] [--chunk-words 1500] [--quick]

1. **Locating and verifying quotes**: a corpus of ``--words`` words (interviews
   of 10,000 words with French typography: ``’``, ``« »`` with non-breaking
   spaces, ``—``, ``…``, line breaks) and ``--quotes`` quotes of it, half
   copied exactly and half retyped as models do (``'``, ``"``, spaces
   collapsed).  Each is located in its document (normalized index built once
   per document, included in the time) and checked: ``text[start:end]`` must be
   the original passage.  Target: 10,000 quotes in 1,000,000 words **< 2 s**,
   and no quote located wrongly.
2. **A long document in chunks**: a ``--document-words`` interview is sent to a
   local scripted OpenAI-compatible server (``tests/assist/openai_server.py``,
   answering each chunk after 50 ms with the coded passages of that chunk,
   retyped, plus an invented quote and an unknown code) with the configured
   concurrency.  Every located suggestion is compared with where the passage
   really is: **0 wrongly located** is the target, and every passage found.

``--quick`` runs small sizes (for a smoke test); its times are not the target's.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sociaparis.assist.briefs import CodeBrief  # noqa: E402
from sociaparis.assist.locate import DocumentIndex  # noqa: E402

LOCATE_TARGET_S = 2.0
CODES = (
    CodeBrief("Usage", "Se servir d'un outil d'IA dans son travail."),
    CodeBrief("Contrôle", "Vérifier ce que l'outil produit."),
)
_CODED = {
    "Usage": "J’utilise Albert {n} pour les courriers, c’est «\u00a0pratique\u00a0» "
    "au quotidien.",
    "Contrôle": "Je relis tout {n} — toujours\u00a0! Sinon… on ne sait jamais.",
}
_FILLER = (
    "Nous parlons du service {n} et de la réunion du mardi avec l’équipe.",
    "La direction {n} a changé d’organisation l’an dernier, dit-on.",
    "Il faut voir\u00a0: le dossier {n} attend encore une réponse.",
)


@dataclass(frozen=True)
class Interview:
    """A generated interview and where its coded passages are."""

    text: str
    turns: tuple[tuple[int, int], ...]
    gold: tuple[tuple[str, int, int], ...]


def interview(words: int, *, seed: int = 1, first: int = 0) -> Interview:
    """An interview of about ``words`` words; every sentence is unique (numbered
    from ``first``), a third of them coded."""
    rng = random.Random(seed)
    pieces: list[str] = []
    turns: list[tuple[int, int]] = []
    gold: list[tuple[str, int, int]] = []
    position = 0
    count = 0
    n = first
    speaker = 0
    while count < words:
        label = ("Enquêtrice : ", "S01 : ")[speaker]
        speaker = 1 - speaker
        if pieces:
            pieces.append("\n\n")
            position += 2
        pieces.append(label)
        position += len(label)
        turn_start = position
        for k in range(rng.randint(2, 6)):
            if k:
                separator = rng.choice([" ", " ", "\n", "  "])
                pieces.append(separator)
                position += len(separator)
            if rng.random() < 1 / 3:
                code = rng.choice(list(_CODED))
                sentence = _CODED[code].format(n=n)
                gold.append((code, position, position + len(sentence)))
            else:
                sentence = rng.choice(_FILLER).format(n=n)
            n += 1
            pieces.append(sentence)
            position += len(sentence)
            count += len(sentence.split())
        turns.append((turn_start, position))
    return Interview("".join(pieces), tuple(turns), tuple(gold))


def retype(passage: str) -> str:
    """A passage as a model would copy it: straight quotes, spaces collapsed."""
    out = passage.replace("’", "'").replace("«", '"').replace("»", '"')
    out = out.replace("—", "-").replace("…", "...")
    return re.sub(r'"\s+', '"', re.sub(r'\s+"', '"', " ".join(out.split())))


def locate_benchmark(words: int, quotes: int, seed: int = 7) -> dict[str, Any]:
    """Locate ``quotes`` quotes in a corpus of ``words`` words; time and errors."""
    documents: list[Interview] = []
    total = 0
    while total < words:
        size = min(10_000, words - total)
        document = interview(size, seed=len(documents), first=total)
        documents.append(document)
        total += len(document.text.split())
    rng = random.Random(seed)
    picks = []
    for k in range(quotes):
        which = rng.randrange(len(documents))
        code, start, end = rng.choice(documents[which].gold)
        passage = documents[which].text[start:end]
        picks.append((which, start, end, passage if k % 2 else retype(passage)))
    started = time.perf_counter()
    indexes = [DocumentIndex(document.text) for document in documents]
    wrong = missing = 0
    for which, start, end, quote in picks:
        found = indexes[which].locate(quote)
        if isinstance(found, str):
            missing += 1
            continue
        if (
            found != (start, end)
            or indexes[which].text[found[0] : found[1]]
            != (documents[which].text[start:end])
        ):
            wrong += 1
    seconds = time.perf_counter() - started
    return {
        "words": total,
        "documents": len(documents),
        "quotes": quotes,
        "seconds": seconds,
        "wrong": wrong,
        "missing": missing,
    }


_SENTENCE = re.compile(
    "|".join(re.escape(t).replace(r"\{n\}", r"\d+") for t in _CODED.values())
)


def scripted_answer(request: Any) -> Any:
    """The scripted server's answer to one chunk: its coded passages, retyped,
    an invented quote and a code that is not in the codebook."""
    import json

    from tests.assist.openai_server import chat_reply

    excerpt = request.excerpt
    passages = []
    for match in _SENTENCE.finditer(excerpt):
        code = next(c for c, t in _CODED.items() if match.group().startswith(t[:10]))
        passages.append({"code": code, "quote": retype(match.group()), "rationale": "r"})
    passages.append(
        {"code": "Usage", "quote": "Je n'ai jamais dit cela.", "rationale": "r"}
    )
    passages.append({"code": "Inventé", "quote": retype(excerpt[:40]), "rationale": "r"})
    return chat_reply(
        json.dumps({"passages": passages}, ensure_ascii=False),
        prompt_tokens=len(excerpt.split()) * 2,
        completion_tokens=len(passages) * 30,
    )


def chunked_benchmark(
    words: int, concurrency: int, chunk_words: int, delay: float = 0.05
) -> dict[str, Any]:
    """Send a ``words`` interview in chunks to the scripted server; count errors."""
    from sociaparis.assist.endpoint import Endpoint
    from sociaparis.assist.llm import LLMSuggester
    from tests.assist.openai_server import Reply, scripted_openai

    document = interview(words, seed=3)
    with scripted_openai() as server:

        def answer(request: Any) -> Reply:
            time.sleep(delay)
            return scripted_answer(request)

        server.responder = answer
        endpoint = Endpoint(server.url, "scripted", concurrency=concurrency, retries=1)
        suggester = LLMSuggester(endpoint, chunk_words=chunk_words)
        started = time.perf_counter()
        result = suggester.suggest(document.text, CODES, document.turns)
        seconds = time.perf_counter() - started
        most_in_flight = server.most_in_flight
    gold = set(document.gold)
    found = {(s.code, s.start, s.end) for s in result.suggestions}
    wrong = sum(
        1
        for s in result.suggestions
        if (s.code, s.start, s.end) not in gold
        or document.text[s.start : s.end] != s.quote
    )
    return {
        "words": len(document.text.split()),
        "chunks": len(result.calls),
        "concurrency": concurrency,
        "most_in_flight": most_in_flight,
        "seconds": seconds,
        "suggestions": len(result.suggestions),
        "expected": len(gold),
        "missed": len(gold - found),
        "wrong": wrong,
        "rejected": sorted({r.reason for r in result.rejected}),
    }


def main(argv: list[str] | None = None) -> int:
    """Run both parts; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--quotes", type=int, default=10_000)
    parser.add_argument("--document-words", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--chunk-words", type=int, default=1500)
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, no time target"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.words, args.quotes, args.document_words = 30_000, 500, 3_000
        args.chunk_words = 400
    located = locate_benchmark(args.words, args.quotes)
    print(
        f"locate: {located['quotes']:,} quotes in {located['words']:,} words "
        f"({located['documents']} documents): {located['seconds']:.3f} s, "
        f"{located['wrong']} wrong, {located['missing']} not found"
    )
    chunked = chunked_benchmark(args.document_words, args.concurrency, args.chunk_words)
    print(
        f"chunks: {chunked['words']:,} words in {chunked['chunks']} requests, "
        f"concurrency {chunked['concurrency']} (at most {chunked['most_in_flight']} in "
        f"flight): {chunked['seconds']:.2f} s; {chunked['suggestions']} suggestions of "
        f"{chunked['expected']} passages, {chunked['missed']} missed, "
        f"{chunked['wrong']} wrongly located; rejected: {', '.join(chunked['rejected'])}"
    )
    failed = (
        located["wrong"] or located["missing"] or chunked["wrong"] or chunked["missed"]
    )
    if not args.quick:
        met = located["seconds"] < LOCATE_TARGET_S
        print(
            f"target locate+verify {args.quotes:,} quotes in {args.words:,} words "
            f"< {LOCATE_TARGET_S:g} s: {'met' if met else 'MISSED'} "
            f"({located['seconds']:.3f} s)"
        )
        failed = failed or not met
    print(f"target 0 quotes wrongly located: {'MISSED' if failed else 'met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
