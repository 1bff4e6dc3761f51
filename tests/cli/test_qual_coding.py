"""``sociaparis qual recode``, ``undo``, ``memo`` and ``memos``: the CLI twins of
the coding view, with exit codes and exact messages."""

from __future__ import annotations

import json
from pathlib import Path

from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from tests.cli.test_qual_corpus import run, study  # noqa: F401  (the fixture)


def _error(entry: object, **context: object) -> str:
    return f"Error: {entry.code}: {entry.format(**context)}\n"


def test_recode_undo_and_memos(study: Path) -> None:  # noqa: F811
    assert run("import", str(study / "e1.txt"), "--speakers", "--no-pseudonymization",
               "--case", "Agent A", "--user", "boss")[0] == 0  # fmt: skip
    for name in ("Outils", "Confiance"):
        assert run("codebook", "add", name, "--user", "boss")[0] == 0
    code, out = run("code", "1", "Outils", "13", "20", "--user", "ana", "--json")
    guid = json.loads(out)["guid"]
    assert run("recode", guid, "--end", "26", "--code", "Confiance", "--user", "ana") == (
        0,
        f"{guid}\t13:26\tBonjour Mme D\n",
    )
    assert run("recode", guid, "--end", "26", "--user", "ana") == (
        1,
        _error(QualError.NOTHING_TO_CHANGE, coding=guid),
    )
    assert run("recode", guid, "--end", "20", "--user", "boss")[0] == 0
    # boss changed ana's coding since: ana cannot undo her change
    assert run("undo", "--user", "ana") == (1, _error(
        QualError.UNDO_CONFLICT, user="ana", kind="recode", coding=guid,
        reason="the coding was changed since"))  # fmt: skip
    assert run("undo", "--user", "boss") == (0, f"undone recode of {guid}\n")
    assert run("undo", "--user", "ana") == (0, f"undone recode of {guid}\n")
    assert run("undo", "--user", "ana") == (0, f"undone apply of {guid}\n")
    nothing = _error(QualError.NOTHING_TO_UNDO, user="ana", where=" on document 'e1.txt'")
    assert run("undo", "--document", "1", "--user", "ana") == (1, nothing)
    assert run("memo", "case", "Agent A", "Très à l'aise", "--user", "ana")[0] == 0
    code, out = run("memos", "case", "Agent A", "--json")
    assert [(m["text"], m["author"]) for m in json.loads(out)] == [
        ("Très à l'aise", "ana")
    ]
    assert run("memo", "document", "9", "x", "--user", "ana") == (
        1,
        _error(CorpusError.UNKNOWN_DOCUMENT, ref="9"),
    )
