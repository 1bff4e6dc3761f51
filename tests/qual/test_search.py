"""Full-text search on both backends: accents, phrases, prefixes, released only."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sociaparis.accounts.models import User
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.qual import corpus
from sociaparis.qual.search import fold, parse_query, search

DOCS = [
    ("d1", True, "Agent : L'égalité femmes-hommes progresse. Égalité réelle ?"),
    ("d2", True, "Agent : Les ÉGALITÉS de traitement et l'intelligence artificielle."),
    ("d3", False, "Agent : Égalité cachée, Mme Durand."),
    ("d4", True, "Agent : Rien à voir, un algorithme et des algorithmes."),
]

# query | backend ("*" both) | expected (title, match) places, in order
CASES = [
    ("egalite", "sqlite", [("d1", "égalité"), ("d1", "Égalité")]),
    ("egalite", "postgresql",
     [("d1", "égalité"), ("d1", "Égalité"), ("d2", "ÉGALITÉS")]),
    ("ÉGALITÉ progresse", "*",
     [("d1", "égalité"), ("d1", "progresse"), ("d1", "Égalité")]),
    ('"intelligence artificielle"', "*", [("d2", "intelligence artificielle")]),
    ("algo*", "*", [("d4", "algorithme"), ("d4", "algorithmes")]),
    ("durand", "*", []),
    ("introuvable", "*", []),
    ("  ", "*", []),
]  # fmt: skip


@pytest.fixture
def documents(session: Session) -> None:
    user = User(username="r", password_hash="-", role="researcher")
    session.add(user)
    session.flush()
    actor = Account(user.id, "r", Role.RESEARCHER, "")
    for title, released, text in DOCS:
        corpus.import_document(
            session=session,
            actor=actor,
            data=text.encode(),
            filename=f"{title}.txt",
            title=title,
            needs_pseudonymization=not released,
        )


@pytest.mark.parametrize(("query", "backend", "expected"), CASES)
def test_search(
    session: Session, documents: None, query: str, backend: str, expected: list
) -> None:
    dialect = session.get_bind().dialect.name
    if backend not in ("*", dialect):
        pytest.skip(f"expected values for {backend}")
    result = search(session=session, query=query, context=10)
    places = [(h.title, h.match) for h in result.hits]
    if dialect == "postgresql":  # documents in import order there, not ranked
        places.sort(key=lambda p: p[0])
    assert places == expected
    texts = {title: text for title, _, text in DOCS}
    for hit in result.hits:
        text = texts[hit.title]
        assert text[hit.start : hit.end] == hit.match
        assert hit.before == text[max(0, hit.start - 10) : hit.start]
        assert hit.after == text[hit.end : hit.end + 10]
    assert result.documents == len({t for t, _ in expected})


def test_limit_caps_the_places(session: Session, documents: None) -> None:
    result = search(session=session, query="egalite", limit=1)
    assert len(result.hits) == 1 and result.to_frame().shape == (1, 7)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Égalité", "egalite"), ("ŒUVRE", "œuvre"), ("ﬁ café", "ﬁ cafe"), ("İ", "i")],
)
def test_fold_keeps_one_character_for_one(text: str, folded: str) -> None:
    assert fold(text) == folded and len(fold(text)) == len(text)


def test_fold_table_stays_bounded_on_a_hostile_text() -> None:
    from sociaparis.qual import search as search_module

    every_rare_letter = "".join(chr(c) for c in range(0x2500, 0x30000, 7))
    before = len(search_module._FOLDED)
    folded = fold(every_rare_letter + "Ｅ\u0130")
    assert len(folded) == len(every_rare_letter) + 2 and folded.endswith("ｅi")
    assert len(search_module._FOLDED) == before


def test_parse_query_splits_words_like_the_tokenizer() -> None:
    terms = parse_query("l'égalité femmes-hommes")
    assert [t.words for t in terms] == [("l",), ("egalite",), ("femmes",), ("hommes",)]


def test_search_works_on_a_database_built_by_the_migrations(database_url: str) -> None:
    from sociaparis.core.config import Settings
    from sociaparis.core.db import make_engine, make_session_factory, upgrade

    engine = make_engine(Settings(database_url=database_url, secret_key="x" * 32))
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        user = User(username="r", password_hash="-", role="researcher")
        session.add(user)
        session.flush()
        actor = Account(user.id, "r", Role.RESEARCHER, "")
        corpus.import_document(
            session=session, actor=actor, data=DOCS[0][2].encode(), filename="d1.txt",
            needs_pseudonymization=False,
        )  # fmt: skip
        hits = search(session=session, query="EGALITE").hits
        assert [h.match for h in hits] == ["égalité", "Égalité"]
    engine.dispose()


@pytest.mark.parametrize("with_extension", [True, False])
def test_postgresql_unaccent_with_and_without_the_extension(
    session: Session, with_extension: bool
) -> None:
    from sqlalchemy import text

    from sociaparis.qual.fts import unaccent_function_sql

    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    schema = None
    if with_extension:
        schema = session.execute(
            text(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                "ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
            )
        ).scalar()
        if schema is None:
            pytest.skip("the unaccent extension is not installed")
    session.execute(text(unaccent_function_sql("pg_temp.fold_test", schema)))
    folded = session.execute(
        text("SELECT pg_temp.fold_test('Égalité, ÀÇÈÙ àçèù ïôûÿ')")
    ).scalar()
    assert folded == "Egalite, ACEU aceu iouy"
    match = session.execute(
        text(
            "SELECT to_tsvector('french', pg_temp.fold_test('Les égalités')) "
            "@@ plainto_tsquery('french', pg_temp.fold_test('egalite'))"
        )
    ).scalar()
    assert match is True
