"""Full-text search over the released documents, one function for both backends.

:func:`search` takes words, ``"quoted phrases"`` and ``prefix*`` terms (all must
occur in a document) and returns the matching places with their code-point
offsets and a snippet.  Case and accents are ignored: "egalite" finds "Égalité".

- On **SQLite** the FTS5 table (``unicode61 remove_diacritics 2``) selects and
  ranks documents (bm25); words match exactly (no stemming).
- On **PostgreSQL** the stored ``to_tsvector('french', sociaparis_unaccent(text))``
  column and its GIN index select documents; words match through the French
  stemmer, so "égalités" also finds "égalité".  Documents come in import order.

In both cases the places inside a document are found in Python on the stored
text, so offsets are exact code points; on PostgreSQL the words to mark are
those the stemmer matches (asked from the database).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from sociaparis.qual.fts import FTS_TABLE, PG_COLUMN, PG_CONFIG, PG_FUNCTION

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")
HIT_COLUMNS = ("document", "title", "start", "end", "before", "match", "after")


@dataclass(frozen=True, slots=True)
class Term:
    """A query term: words (several for a phrase), ``prefix`` for ``word*``."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One place where the query matches: ``text[start:end]`` is ``match``."""

    document: str
    title: str
    start: int
    end: int
    before: str
    match: str
    after: str
    document_id: int = 0


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The places found, in document rank order, then by position."""

    query: str
    backend: str
    documents: int
    hits: tuple[SearchHit, ...]
    limit: int

    def to_frame(self) -> pd.DataFrame:
        """One row per place, columns :data:`HIT_COLUMNS`."""
        return pd.DataFrame(
            [[getattr(h, c) for c in HIT_COLUMNS] for h in self.hits],
            columns=list(HIT_COLUMNS),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "query": self.query,
            "backend": self.backend,
            "documents": self.documents,
            "limit": self.limit,
            "hits": [{c: getattr(h, c) for c in HIT_COLUMNS} for h in self.hits],
        }


# Characters up to U+24FF (Latin, Greek, Cyrillic, punctuation: what transcripts
# are made of) are folded once for the process; rarer ones are folded per call,
# so a hostile text cannot grow the table past these 9,472 entries.
_COMMON_LIMIT = 0x2500
_FOLDED: dict[int, str] = {}


def _fold_char(char: str) -> str:
    base = "".join(
        c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
    ).lower()
    if len(base) == 1:
        return base
    return char.lower() if len(char.lower()) == 1 else char


def fold(value: str) -> str:
    """Lower case without accents, one character for one (offsets are kept).

    >>> fold("Égalité ŒUVRE")
    'egalite œuvre'
    """
    rare: dict[int, str] = {}
    for char in set(value):
        code = ord(char)
        if code >= _COMMON_LIMIT:
            rare[code] = _fold_char(char)
        elif code not in _FOLDED:
            _FOLDED[code] = _fold_char(char)
    if not rare:
        return value.translate(_FOLDED)
    return value.translate(_FOLDED | rare)


def parse_query(query: str) -> list[Term]:
    """Split a query into terms: words, ``"phrases"``, ``prefix*``.

    >>> parse_query('égalité "intelligence artificielle" algo*')
    [Term(words=('egalite',), prefix=False), Term(words=('intelligence', \
'artificielle'), prefix=False), Term(words=('algo',), prefix=True)]
    """
    terms: list[Term] = []
    for phrase, word in _TERM.findall(query):
        if phrase:
            words = tuple(_WORD.findall(fold(phrase)))
            if words:
                terms.append(Term(words))
            continue
        prefix = word.endswith("*")
        words = tuple(_WORD.findall(fold(word)))
        for i, part in enumerate(words):
            terms.append(Term((part,), prefix and i == len(words) - 1))
    return terms


def _fts5_query(terms: list[Term]) -> str:
    parts = []
    for term in terms:
        quoted = '"' + " ".join(term.words) + '"'
        parts.append(quoted + ("*" if term.prefix else ""))
    return " AND ".join(parts)


def _pattern(term: Term, words: set[str] | None) -> re.Pattern[str]:
    """Regex over folded text for one term (``words``: stemmed matches on PG)."""
    if words is not None and len(term.words) == 1 and not term.prefix:
        alternatives = "|".join(sorted((re.escape(w) for w in words), key=len)[::-1])
        return re.compile(rf"(?<!\w)(?:{alternatives or re.escape(term.words[0])})(?!\w)")
    body = r"\W+".join(re.escape(w) for w in term.words)
    tail = r"\w*" if term.prefix else r"(?!\w)"
    return re.compile(rf"(?<!\w){body}{tail}")


def _places(folded: str, patterns: list[re.Pattern[str]]) -> list[tuple[int, int]]:
    spans = sorted({m.span() for p in patterns for m in p.finditer(folded)})
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and start < out[-1][1]:
            continue
        out.append((start, end))
    return out


def search(
    *,
    session: Session,
    query: str,
    limit: int = 50,
    context: int = 60,
    max_documents: int = 1000,
) -> SearchResult:
    """Search the released documents for ``query``.

    Parameters
    ----------
    query
        Words, ``"quoted phrases"`` and ``prefix*`` terms; a document must hold
        all of them.
    limit
        Most places returned; documents are read, best ranked first, only until
        ``limit`` places are found.
    context
        Code points of text shown before and after each place.
    max_documents
        Most documents matched.

    Returns
    -------
    SearchResult
        ``documents`` (number of documents matched, up to ``max_documents``)
        and ``hits``.
    """
    terms = parse_query(query)
    backend = session.get_bind().dialect.name
    if not terms:
        return SearchResult(query, backend, 0, (), limit)
    if backend == "postgresql":
        params: dict[str, Any] = {"n": max_documents}
        tsquery = _tsquery_sql(terms, params)
        matched = session.execute(
            text(
                "SELECT id, guid, title FROM qual_documents "
                f"WHERE {PG_COLUMN} @@ ({tsquery}) AND status = 'released' "
                "ORDER BY id LIMIT :n"
            ),
            params,
        ).all()
    else:
        matched = session.execute(
            text(
                f"SELECT d.id, d.guid, d.title FROM {FTS_TABLE} f "
                f"JOIN qual_documents d ON d.id = f.rowid "
                f"WHERE {FTS_TABLE} MATCH :q AND d.status = 'released' "
                "ORDER BY f.rank LIMIT :n"
            ),
            {"q": _fts5_query(terms), "n": max_documents},
        ).all()
    hits: list[SearchHit] = []
    batch = 8
    for first in range(0, len(matched), batch):
        if len(hits) >= limit:
            break
        rows = matched[first : first + batch]
        bodies = dict(
            session.execute(
                text("SELECT id, text FROM qual_documents WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": [r[0] for r in rows]},
            ).all()
        )
        folded = {i: fold(body) for i, body in bodies.items()}
        stems: list[set[str] | None] = [None] * len(terms)
        if backend == "postgresql":
            stems = _postgresql_words(session, terms, list(folded.values()))
        patterns = [_pattern(t, w) for t, w in zip(terms, stems, strict=True)]
        for doc_id, guid, title in rows:
            body = bodies[doc_id]
            for start, end in _places(folded[doc_id], patterns):
                if len(hits) >= limit:
                    break
                hits.append(
                    SearchHit(
                        guid,
                        title,
                        start,
                        end,
                        body[max(0, start - context) : start],
                        body[start:end],
                        body[end : end + context],
                        doc_id,
                    )
                )
    return SearchResult(query, backend, len(matched), tuple(hits), limit)


def _tsquery_sql(terms: list[Term], params: dict[str, Any]) -> str:
    parts = []
    for i, term in enumerate(terms):
        params[f"t{i}"] = " ".join(term.words)
        if term.prefix:
            parts.append(f"to_tsquery('{PG_CONFIG}', {PG_FUNCTION}(:t{i}) || ':*')")
        elif len(term.words) > 1:
            parts.append(f"phraseto_tsquery('{PG_CONFIG}', {PG_FUNCTION}(:t{i}))")
        else:
            parts.append(f"plainto_tsquery('{PG_CONFIG}', {PG_FUNCTION}(:t{i}))")
    return " && ".join(parts)


def _postgresql_words(
    session: Session, terms: list[Term], folded: list[str]
) -> list[set[str] | None]:
    """For each one-word term, the words of the documents that the French stemmer
    matches to it."""
    vocabulary = sorted({w for f in folded for w in _WORD.findall(f)})
    out: list[set[str] | None] = []
    for term in terms:
        if len(term.words) != 1 or term.prefix:
            out.append(None)
            continue
        matched = session.execute(
            text(
                "SELECT w FROM unnest(CAST(:words AS text[])) AS w "
                f"WHERE to_tsvector('{PG_CONFIG}'::regconfig, w) @@ "
                f"plainto_tsquery('{PG_CONFIG}', :t)"
            ),
            {"words": vocabulary, "t": term.words[0]},
        ).scalars()
        out.append(set(matched))
    return out
