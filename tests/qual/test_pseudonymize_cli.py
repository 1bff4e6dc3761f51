"""``sociaparis qual pseudonymize``: outputs, exit codes and messages."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.qual.errors import QualError

TEXT = "S01 : Mme Durand utilise Copilot ; écrivez à c.durand@paris.fr, DSIN.\n"


def run(*args: str):
    return CliRunner().invoke(cli, ["qual", "pseudonymize", *args])


@pytest.fixture
def interview(tmp_path: Path) -> Path:
    path = tmp_path / "entretien.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture
def terms(tmp_path: Path) -> Path:
    path = tmp_path / "terms.txt"
    path.write_text("# directions\nDirection des systèmes d'information | DSIN\n")
    return path


def test_text_goes_to_stdout(interview: Path, terms: Path) -> None:
    result = run(str(interview), "--terms", str(terms))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "S01 : Mme [PERSONNE-1] utilise Copilot ; écrivez à [EMAIL-1], [TERME-1].\n"
    )
    assert result.stderr == "3 replacements (EMAIL 1, PERSONNE 1, TERME 1).\n"


def test_out_table_and_report(tmp_path: Path, interview: Path) -> None:
    out, table, report = tmp_path / "out.txt", tmp_path / "t.json", tmp_path / "r.csv"
    result = run(
        str(interview), "--out", str(out), "--table", str(table), "--report", str(report)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("S01 : Mme [PERSONNE-1] utilise")
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [(r["original"], r["label"], r["start"], r["end"]) for r in rows][:2] == [
        ("Durand", "[PERSONNE-1]", "10", "16"),
        ("c.durand@paris.fr", "[EMAIL-1]", "45", "62"),
    ]
    assert set(rows[0]) == {
        "start",
        "end",
        "original",
        "kind",
        "label",
        "detector",
        "status",
    }
    if os.name == "posix":
        assert table.stat().st_mode & 0o077 == 0
        assert report.stat().st_mode & 0o077 == 0
    # a second file continues the same table: the same person keeps her label
    second = tmp_path / "second.txt"
    second.write_text("Claire Durand et Paul Girard.", encoding="utf-8")
    result = run(str(second), "--table", str(table))
    assert result.stdout == "[PERSONNE-1] et [PERSONNE-2]."
    data = json.loads(table.read_text(encoding="utf-8"))
    assert data["counters"]["PERSONNE"] == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("\ufeffMme Durand".encode(), "Mme [PERSONNE-1]"),
        ("Mme Durand".encode("utf-16"), "Mme [PERSONNE-1]"),
        (b"Mme Durand\r\nM. Petit\r\n", "Mme [PERSONNE-1]\nM. [PERSONNE-2]\n"),
    ],
)
def test_accepted_encodings(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(content)
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.txt"
    result = run(str(missing))
    assert result.exit_code == 1
    message = QualError.PSEUDO_FILE_NOT_FOUND.format(path=str(missing), cwd=os.getcwd())
    assert result.stderr == f"Error: QUAL_050: {message}\n"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert "QUAL_051" in result.stderr and "it is a folder" in result.stderr


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Réunion à la DSIN".encode("latin-1"))
    result = run(str(path))
    assert result.exit_code == 1
    message = QualError.PSEUDO_NOT_UTF8.format(path=str(path), position=1)
    assert result.stderr == f"Error: QUAL_052: {message}\n"
    assert "UTF-16 with a BOM" in result.stderr


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        ("# nothing\n", "QUAL_053", "holds no term"),
        ("DSIN\nX\n", "QUAL_054", "[row 2]"),
        (b"\xe9quipe", "QUAL_052", "not valid UTF-8"),
    ],
)
def test_terms_file_problems(
    tmp_path: Path, interview: Path, content: str | bytes, code: str, fragment: str
) -> None:
    path = tmp_path / "terms.txt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = run(str(interview), "--terms", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {code}: ")
    assert fragment in result.stderr


def test_missing_terms_file(tmp_path: Path, interview: Path) -> None:
    result = run(str(interview), "--terms", str(tmp_path / "none.txt"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: QUAL_050: ")


def test_invalid_table(tmp_path: Path, interview: Path) -> None:
    table = tmp_path / "t.json"
    table.write_text('{"format": "other"}', encoding="utf-8")
    result = run(str(interview), "--table", str(table))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: QUAL_055: ")


def test_unwritable_output(tmp_path: Path, interview: Path) -> None:
    result = run(str(interview), "--out", str(tmp_path / "no" / "such" / "dir.txt"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: QUAL_062: ")


def test_help_warns_about_personal_data() -> None:
    result = CliRunner().invoke(cli, ["qual", "pseudonymize", "--help"])
    assert result.exit_code == 0
    assert "personal data" in result.output
    assert "not anonymous" in result.output


@pytest.mark.parametrize(("limit", "shown"), [(1_000, True), (1_000_000, False)])
def test_large_file_shows_progress(
    tmp_path: Path, monkeypatch, limit: int, shown: bool
) -> None:
    from sociaparis.qual.pseudonymization import files

    monkeypatch.setattr(files, "PROGRESS_BYTES", limit)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws bars on terminals only
    path = tmp_path / "big.txt"
    path.write_text("Mme Durand parle de Copilot avec ses collègues.\n" * 50)
    result = run(str(path))
    assert result.exit_code == 0, result.output
    assert ("Finding other occurrences" in result.stderr) is shown
    assert result.stdout.count("[PERSONNE-1]") == 50


def test_allow_file_keeps_words(tmp_path: Path) -> None:
    path = tmp_path / "in.txt"
    path.write_text("Formation chez Tchap et chez Vasquez.", encoding="utf-8")
    allow = tmp_path / "allow.txt"
    allow.write_text("# outils de l'État\nTchap\n", encoding="utf-8")
    assert run(str(path)).stdout == "Formation chez [PERSONNE-1] et chez [PERSONNE-2]."
    result = run(str(path), "--allow", str(allow))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Formation chez Tchap et chez [PERSONNE-1]."
