"""Texts of the pages in each language."""

from __future__ import annotations

import pytest

from sociaparis.accounts.service import LOCAL_ADMIN
from sociaparis.web.i18n import person_name


@pytest.mark.parametrize(
    ("username", "lang", "shown"),
    [
        (LOCAL_ADMIN.username, "fr", "(ligne de commande)"),
        (LOCAL_ADMIN.username, "en", "(command line)"),
        ("alice", "fr", "alice"),
        ("(ligne de commande)", "en", "(ligne de commande)"),
        (None, "fr", ""),
        ("", "en", ""),
    ],
)
def test_person_name(username: str | None, lang: str, shown: str) -> None:
    """The command line's implicit administrator is named in the page's
    language; an account keeps its username, even one that looks like it."""
    assert person_name(username, lang) == shown
