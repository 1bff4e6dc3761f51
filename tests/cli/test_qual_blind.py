"""``sociaparis qual blind``, ``qual code-hits`` and the new retrieval and
agreement options: exit codes and exact messages."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from sociaparis.qual.errors import QualError
from tests.cli.test_qual_corpus import error, run, study  # noqa: F401 - the fixture

__all__ = ["study"]


def _coded(study: Path) -> None:
    assert run("import", str(study / "e1.txt"), "--speakers", "--case", "Agent A",
               "--no-pseudonymization", "--user", "boss")[0] == 0  # fmt: skip
    assert run("codebook", "add", "Outils", "--user", "boss")[0] == 0
    assert run("code", "1", "Outils", "0", "10", "--user", "ana")[0] == 0
    assert run("code", "1", "Outils", "0", "10", "--user", "boss")[0] == 0


def test_blind_mode_commands(study: Path) -> None:
    _coded(study)
    code, out = run("blind", "on", "--user", "ana")
    assert code == 1 and "QUAL_200" in out and "change the blind mode" in out
    steps = [
        ("status", "blind mode off\n"),
        ("on", "blind mode on (coders see only their own codings)\n"),
        ("reveal", "blind mode on, codings revealed\n"),
        ("on", "blind mode on (coders see only their own codings)\n"),
        ("off", "blind mode off\n"),
    ]
    for action, expected in steps:
        assert run("blind", action, "--user", "boss") == (0, expected)
    code, out = run("blind", "status", "--user", "boss", "--json")
    assert json.loads(out)["hiding"] is False


def test_code_hits_after_a_search(study: Path) -> None:
    _coded(study)
    code, out = run("search", "Albert", "--json")
    hits = [f"{h['document']}:{h['start']}:{h['end']}" for h in json.loads(out)["hits"]]
    assert len(hits) == 2
    assert run("code-hits", "Outils", *hits, "--user", "ana") == (0, "2 codings stored\n")
    code, out = run("code-hits", "Outils", "nothing", "--user", "ana")
    assert (code, out) == (1, error(QualError.BAD_HIT, value="nothing"))


def test_segments_of_a_case_to_a_file_and_agreement_options(study: Path) -> None:
    _coded(study)
    out_file = study / "segments.docx"
    code, out = run("segments", "Outils", "--case", "Agent A", "--out", str(out_file))
    assert code == 0 and out.count("«") == 2
    text = "\n".join(p.text for p in docx.Document(str(out_file)).paragraphs)
    assert "cases: Agent A" in text and "Enquêtrice" in text
    code, out = run(
        "corpus-agreement", "--document", "1", "--code", "Outils", "--coder", "ana",
        "--coder", "boss", "--json",
    )  # fmt: skip
    assert code == 0, out
    result = json.loads(out)
    assert result["codes"] == ["Outils"]
    assert result["per_code"]["Outils"]["percent_agreement"]["value"] == 1.0
