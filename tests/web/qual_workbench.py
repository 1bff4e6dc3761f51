"""A small coded corpus in a live server's study, and logged-in HTTP clients, for
the tests of the codebook and qualitative analysis pages (HTTP and Chromium).

The corpus is :mod:`tests.qual.test_matrices`'s, whose counts are derived by
hand there: ``boss`` (researcher) imports three documents into three cases and
writes the codebook; ``ana`` and ``ben`` (coders) code them.
"""

from __future__ import annotations

import re

import httpx

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.core.db import transaction
from sociaparis.qual import codebook_service as cb
from sociaparis.qual import coding_service as cs
from sociaparis.qual import corpus
from tests.conftest import BROWSER_PASSWORD, HTTP_TIMEOUT
from tests.qual.test_matrices import CASES, CODINGS, DOCS, _rows

ROLES = {"boss": Role.RESEARCHER, "ana": Role.CODER, "ben": Role.CODER}


def build_corpus(server) -> dict[str, int]:
    """Accounts ``boss``, ``ana``, ``ben`` and the coded corpus; document ids."""
    with transaction(server.app.state.engine) as session:
        people = {
            name: create_user(
                session=session, username=name, password=BROWSER_PASSWORD, role=role
            )
            for name, role in ROLES.items()
        }
        boss = people["boss"]
        for name, attributes in CASES.items():
            corpus.ensure_case(
                session=session, actor=boss, name=name, attributes=attributes
            )
        ids = {}
        for key, (case, text) in DOCS.items():
            ids[key] = corpus.import_document(
                session=session, actor=boss, data=text.encode(), filename=f"{key}.txt",
                detect_speakers=True, case=case, needs_pseudonymization=False,
            ).id  # fmt: skip
        corpus.assign_case(
            session=session, actor=boss, document=ids["d3"], case="Agent A"
        )
        cb.add_code(session=session, actor=boss, name="Outils", color="#1F77B4")
        cb.add_code(session=session, actor=boss, name="Copilot", parent="Outils")
        cb.add_code(session=session, actor=boss, name="Risques", color="#D62728")
        for row in _rows(CODINGS):
            text = DOCS[row["doc"]][1]
            start = text.index(row["words"], int(row["after"]))
            cs.apply_coding(
                session=session, actor=people[row["coder"]], document=ids[row["doc"]],
                code=row["code"], start=start, end=start + len(row["words"]),
            )  # fmt: skip
    return ids


def hidden(html: str, name: str) -> str:
    """The value of the hidden field ``name`` in a page."""
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def log_in(server, username: str) -> httpx.Client:
    """An HTTP client logged in as ``username`` (created by :func:`build_corpus`)."""
    http = httpx.Client(base_url=server.url, follow_redirects=False, timeout=HTTP_TIMEOUT)
    login = http.get("/login")
    response = http.post(
        "/login",
        data={
            "username": username,
            "password": BROWSER_PASSWORD,
            "csrf_token": hidden(login.text, "csrf_token"),
        },
    )
    assert response.status_code == 303, response.text
    return http
