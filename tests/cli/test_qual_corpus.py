"""``sociaparis qual`` on a stored study: exit codes, messages, the whole workflow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.qual.corpus_errors import CorpusError

TEXT = (
    "Enquêtrice : Bonjour Mme Durand, vous utilisez Albert ?\n\n"
    "Agent : Oui, Albert aide pour l'égalité, appelez le 01 42 76 40 40."
)


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'study.db'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SOCIAPARIS_USER", raising=False)
    get_settings.cache_clear()
    for name, role in (("boss", "researcher"), ("ana", "coder"), ("root", "admin")):
        result = CliRunner().invoke(
            cli,
            ["user", "add", name, "--role", role, "--password-stdin"],
            input="a-long-password-123\n",
        )
        assert result.exit_code == 0, result.output
    (tmp_path / "e1.txt").write_text(TEXT, encoding="utf-8")
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["qual", *args])
    return result.exit_code, result.output


def error(entry: CorpusError, **context: object) -> str:
    return f"Error: {entry.code}: {entry.format(**context)}\n"


def test_workflow_from_import_to_exchange(study: Path) -> None:
    code, out = run("import", str(study / "e1.txt"), "--speakers", "--case", "Agent A",
                    "--case-kind", "interviewee", "--user", "boss")  # fmt: skip
    assert code == 0, out
    assert out.split("\t")[:3] == ["1", "e1.txt", "txt"]
    code, out = run("import", str(study / "e1.txt"), "--user", "boss")
    assert (code, out) == (
        1,
        error(CorpusError.DUPLICATE_DOCUMENT, path="e1.txt", title="e1.txt",
              sha256=out.split("sha256 ")[1][:12]),
    )  # fmt: skip
    code, out = run("import", str(study / "e1.txt"), "--user", "ana", "--allow-duplicate")
    assert (code, out) == (
        1,
        error(
            CorpusError.NOT_ALLOWED, user="ana", role="coder", action="import documents"
        ),
    )
    assert run("case", "Agent A", "--set", "direction=DSIN", "--user", "boss") == (
        0,
        "Agent A: 1 attributes\n",
    )
    code, out = run("pseudonymize-document", "1", "--no-ner", "--user", "boss")
    assert (code, out) == (
        0,
        "e1.txt: 2 replacements proposed; see `sociaparis qual review 1`.\n",
    )
    code, out = run("review", "1", "--user", "boss")
    assert out.splitlines()[0].split("\t")[:5] == [
        "0", "proposed", "25:31", "Durand", "[PERSONNE-1]",
    ]  # fmt: skip
    code, out = run("code", "1", "Outils", "0", "3", "--user", "ana")
    assert code == 1 and f"{CorpusError.UNKNOWN_CODE.code}" in out
    assert run("codebook", "add", "Outils", "--user", "boss")[0] == 0
    code, out = run("code", "1", "Outils", "0", "3", "--user", "ana")
    assert (code, out) == (
        1,
        error(CorpusError.NOT_RELEASED, title="e1.txt", status="under_review"),
    )
    code, out = run("review", "1", "--reject", "1", "--accept-all", "--release",
                    "--user", "boss")  # fmt: skip
    assert (code, out) == (0, "released: 1 replacements applied\n")
    start = TEXT.index("Albert aide") + len("[PERSONNE-1]") - len("Durand")
    code, out = run("code", "1", "Outils", str(start), str(start + 6), "--user", "ana",
                    "--json")  # fmt: skip
    assert code == 0 and json.loads(out)["text"] == "Albert"
    code, out = run("segments", "Outils", "--where", "direction=DSIN", "--json")
    assert [s["text"] for s in json.loads(out)["segments"]] == ["Albert"]
    code, out = run("matrix", "--json")
    assert json.loads(out)["codings"] == [[1]]
    code, out = run("matrix", "--by", "direction", "--out", str(study / "m.xlsx"))
    assert code == 0 and (study / "m.xlsx").exists()
    code, out = run("search", "egalite", "--json")
    assert [h["match"] for h in json.loads(out)["hits"]] == ["égalité"]
    code, out = run("reidentification", "--user", "boss")
    assert (code, out) == (
        1,
        error(CorpusError.NOT_ALLOWED, user="boss", role="researcher",
              action="read the re-identification table"),
    )  # fmt: skip
    assert run("reidentification", "--user", "root") == (0, "[PERSONNE-1]\tDurand\n")
    code, out = run("export-qdpx", str(study / "p.qdpx"), "--user", "boss")
    assert (code, out) == (0, f"{study / 'p.qdpx'}: 1 sources, 1 codes, 1 codings\n")
    code, out = run("history", "--kind", "apply", "--json")
    assert [e["actor"] for e in json.loads(out)] == ["ana"]


def test_import_qdpx_and_errors(study: Path) -> None:
    sample = (
        Path(__file__).resolve().parents[1]
        / "reference/refi-qda/samples/target-atlas-project.qdpx"
    )
    code, out = run("import-qdpx", str(sample), "--user", "boss", "--json")
    assert code == 0 and json.loads(out)["codes"] == 3
    code, out = run("codebook", "show")
    assert code == 0 and len(out.splitlines()) == 3
    code, out = run("import", str(study / "e1.txt"))
    assert code == 2 and "Missing option '--user'" in out
    code, out = run("documents", "--user", "nobody")
    assert code == 2
    code, out = run("code", "1", "x", "0", "1", "--user", "nobody")
    assert (code, out) == (1, error(CorpusError.UNKNOWN_USER, ref="nobody"))


def test_codebook_review_options_and_segment_export(study: Path) -> None:
    (study / "codes.csv").write_text(
        "nom,parent,description,couleur\nRisques,,Les risques,#AA0000\n"
        "Hallucinations,Risques,,\n",
        encoding="utf-8",
    )
    assert run("codebook", "import", str(study / "codes.csv"), "--user", "boss") == (
        0,
        "2 codes in the codebook\n",
    )
    assert run("codebook", "add", "Outils", "--user", "boss")[0] == 0
    assert run("codebook", "rename", "Outils", "Outils IA", "--user", "boss") == (
        0,
        "Outils IA\n",
    )
    assert run(
        "codebook", "move", "Outils IA", "--parent", "Risques", "--user", "boss"
    ) == (
        0,
        "Risques > Outils IA\n",
    )
    code, out = run("codebook", "export", str(study / "out.qdc"))
    assert code == 0 and b"Hallucinations" in (study / "out.qdc").read_bytes()
    assert run("codebook", "show") == (
        0,
        "Risques (0)\n  Hallucinations (0)\n  Outils IA (0)\n",
    )
    run("import", str(study / "e1.txt"), "--speakers", "--user", "boss")
    run("pseudonymize-document", "1", "--no-ner", "--user", "boss")
    start = TEXT.index("Albert")
    add = ["--add", str(start), str(start + 6), "personne"]
    code, out = run("review", "1", "--relabel", "0", "[PERSONNE-7]", *add, "--json",
                    "--user", "boss")  # fmt: skip
    rows = json.loads(out)["replacements"]
    assert [(r["original"], r["label"], r["status"]) for r in rows] == [
        ("Durand", "[PERSONNE-7]", "accepted"),
        ("Albert", "[PERSONNE-8]", "accepted"),
        ("01 42 76 40 40", "[TELEPHONE-1]", "proposed"),
    ]
    code, out = run("review", "1", "--release", "--user", "boss")
    assert code == 1 and out.startswith("Error: QUAL_058: 1 replacement(s)")
    run("review", "1", "--accept", "2", "--release", "--user", "boss")
    code, out = run("search", "Albert", "--json")  # only the first one was replaced
    assert [h["start"] for h in json.loads(out)["hits"]] == [
        TEXT.index("Albert aide") + len("[PERSONNE-7][PERSONNE-8]") - len("DurandAlbert")
    ]
    code, out = run("code", "1", "Hallucinations", "13", "20", "--user", "ana")
    assert code == 0
    run("segments", "Risques", "--subcodes", "--csv", str(study / "s.csv"))
    lines = (study / "s.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == (
        "coding,document,title,code,coder,speaker,start,end,before,text,after,memo,"
        "speakers,origin,model,accepted_by"
    )
    assert ",Risques > Hallucinations,ana,Enquêtrice,13,20," in lines[1]


def test_a_huge_file_is_refused_before_it_is_read(study: Path) -> None:
    from sociaparis.qual.document import DEFAULT_MAX_BYTES
    from sociaparis.qual.errors import QualError

    huge = study / "huge.txt"
    with open(huge, "wb") as handle:  # sparse: nothing is written to disk
        handle.truncate(DEFAULT_MAX_BYTES + 1)
    code, out = run("import", str(huge), "--user", "boss")
    message = QualError.FILE_TOO_LARGE.format(
        path="huge.txt", size=DEFAULT_MAX_BYTES + 1, limit=DEFAULT_MAX_BYTES
    )
    assert (code, out) == (1, f"Error: QUAL_001: {message}\n")
    assert run("documents") == (0, "")


def test_text_prints_turns_with_offsets_and_hides_unreleased_text(study: Path) -> None:
    run("import", str(study / "e1.txt"), "--speakers", "--user", "boss")
    code, out = run("text", "1", "--user", "ana")
    assert (code, out) == (
        1,
        error(CorpusError.NOT_ALLOWED, user="ana", role="coder",
              action="read a document before its release"),
    )  # fmt: skip
    code, out = run("text", "1", "--user", "boss")
    first, second = TEXT.split("\n\n")
    start = len("Enquêtrice : ")
    assert out.splitlines() == [
        f"[{start}:{len(first)}] Enquêtrice: {first[start:]}",
        f"[{len(first) + 2 + 8}:{len(TEXT)}] Agent: {second[8:]}",
    ]


def test_corpus_agreement(study: Path) -> None:
    (study / "t.txt").write_text("A: un.\n\nB: deux.\n\nA: trois.\n\nB: quatre.", "utf-8")
    run("import", str(study / "t.txt"), "--speakers", "--no-pseudonymization", "--user",
        "boss")  # fmt: skip
    run("codebook", "add", "X", "--user", "boss")
    code, out = run("text", "1", "--json", "--user", "ana")
    spans = json.loads(out)["spans"]
    for who, picks in (("ana", (0, 1, 2)), ("boss", (0, 2))):
        for i in picks:
            _, start, end = spans[i]
            assert run("code", "1", "X", str(start), str(end), "--user", who)[0] == 0
    code, out = run("corpus-agreement", "--unit", "turns", "--json")
    data = json.loads(out)
    assert (code, data["coders"], data["n_units"]) == (0, ["ana", "boss"], 4)
    assert data["per_code"]["X"]["percent_agreement"]["value"] == pytest.approx(0.75)
    code, out = run("corpus-agreement", "--coder", "ana")
    assert code == 1 and "at least 2 coders" in out


def test_case_attributes_from_a_survey_table(study: Path) -> None:
    run("case", "Agent A", "--user", "boss")
    (study / "survey.csv").write_text(
        "cas;direction;anciennete\nAgent A;DSIN;12\nAgent Z;DRH;3\n", encoding="utf-8"
    )
    code, out = run("case-attributes", str(study / "survey.csv"), "--case-column", "cas",
                    "--user", "boss")  # fmt: skip
    assert code == 0
    assert out.splitlines() == [
        "warning QUAL_203: No case 'Agent Z'. List the cases with `sociaparis qual "
        "cases`.",
        "1 cases filled",
    ]
    code, out = run("cases", "--json")
    assert json.loads(out)[0]["attributes"] == {"direction": "DSIN", "anciennete": "12"}
    code, out = run("case-attributes", str(study / "survey.csv"), "--case-column", "cas",
                    "--create", "--user", "boss")  # fmt: skip
    assert out == "2 cases filled\n"
    code, out = run("matrix", "--by", "anciennete", "--json")
    assert json.loads(out)["columns"] == ["3", "12"]


def test_case_attributes_refuses_a_zip_bomb(study: Path, zip_bomb) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["cas", "direction"])
    book.active.append(["Agent A", "DSIN"])
    book.save(study / "table.xlsx")
    (study / "bomb.xlsx").write_bytes(zip_bomb((study / "table.xlsx").read_bytes()))
    run("case", "Agent A", "--user", "boss")
    code, out = run("case-attributes", str(study / "table.xlsx"), "--case-column",
                    "cas", "--user", "boss")  # fmt: skip
    assert (code, out) == (0, "1 cases filled\n")
    code, out = run("case-attributes", str(study / "bomb.xlsx"), "--case-column",
                    "cas", "--user", "boss")  # fmt: skip
    assert code == 1
    assert out.startswith(f"Error: CORE_014: {study / 'bomb.xlsx'}: the XLSX archive")


def test_pseudonymize_document_shows_progress_on_a_terminal(
    study: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("import", str(study / "e1.txt"), "--user", "boss")[0] == 0
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws bars on terminals only
    result = CliRunner().invoke(
        cli, ["qual", "pseudonymize-document", "1", "--no-ner", "--user", "boss"]
    )
    assert result.exit_code == 0, result.output
    assert "Finding other occurrences" in result.stderr
    assert result.stdout.startswith("e1.txt: 2 replacements proposed")
