"""The CLI twins of the corpus pages: ``qual upload`` (a report per file),
``qual attribute``, ``qual cells``, ``qual find`` and ``qual review --resize``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_qual_corpus import run, study  # noqa: F401 - the fixture

INTERVIEW = (
    "Enquêtrice : Vous travaillez où ?\n"
    "Agent : À la Direction des Finances et des Achats, avec Mme Garnier.\n"
)


def test_upload_reports_every_file_and_exits_1_when_one_is_refused(
    study: Path,  # noqa: F811
) -> None:
    (study / "entretien.txt").write_text(INTERVIEW, encoding="utf-8")
    (study / "notes.txt").write_text("Une seule note.", encoding="utf-8")
    (study / "faux.docx").write_bytes(b"pas un zip")
    (study / "termes.txt").write_text("Direction des Finances\n", encoding="utf-8")
    code, out = run(
        "upload", *(str(study / n) for n in ("entretien.txt", "notes.txt", "faux.docx")),
        "--case", "Agent 07", "--speakers", "--terms", str(study / "termes.txt"),
        "--no-ner", "--user", "boss",
    )  # fmt: skip
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "entretien.txt\t1\tunder_review\ttxt\t2 paragraphs\t2 turns\t"
        "speakers: Enquêtrice, Agent\tproposed: PERSONNE 1, TERME 1"
    )
    assert lines[1].startswith("notes.txt\t2\tunder_review\ttxt\t1 paragraphs\t0 turns")
    assert lines[2].startswith("  warning QUAL_320: notes.txt: one paragraph only")
    assert lines[3].startswith("faux.docx\trefused\tQUAL_004: ")
    assert lines[4] == "2 imported, 1 refused"

    # widen the study term to the whole name, accept the rest, release
    code, out = run("review", "1", "--json", "--user", "boss")
    replacements = json.loads(out)["replacements"]
    assert [r["original"] for r in replacements] == ["Direction des Finances", "Garnier"]
    start = replacements[0]["start"]  # in the stored text ("Agent: …")
    end = start + len("Direction des Finances et des Achats")
    code, out = run(
        "review", "1", "--resize", "0", str(start), str(end), "--accept", "1",
        "--user", "boss",
    )  # fmt: skip
    assert code == 0, out
    assert out.splitlines()[0].split("\t")[:4] == [
        "0", "accepted", f"{start}:{end}", "Direction des Finances et des Achats",
    ]  # fmt: skip
    code, out = run("review", "1", "--release", "--user", "boss")
    assert (code, out) == (0, "released: 2 replacements applied\n")
    code, out = run("text", "1", "--user", "ana")
    assert "À la [TERME-1], avec Mme [PERSONNE-1]." in out


def test_attribute_cells_and_find(study: Path) -> None:  # noqa: F811
    (study / "a.txt").write_text("Premier.", encoding="utf-8")
    (study / "b.txt").write_text("Second.", encoding="utf-8")
    for name, case in (("a.txt", "Agent 01"), ("b.txt", "Agent 02")):
        code, out = run("upload", str(study / name), "--case", case,
                        "--no-pseudonymize", "--user", "boss")  # fmt: skip
        assert code == 0, out
    assert run("attribute", "âge", "--type", "Integer", "--user", "boss") == (
        0,
        "âge (Integer)\n",
    )
    assert run("cells", "Agent 01", "âge=41", "--user", "boss") == (
        0,
        "Agent 01: 1 cells set\n",
    )
    code, out = run("cells", "Agent 02", "âge=vieux", "--user", "boss")
    assert code == 1
    assert out.startswith("Error: QUAL_323: 'vieux' is not a value of type Integer")
    assert run("attribute", "ville", "--user", "ana")[0] == 1
    assert run("find", "--where", "âge=41") == (
        0,
        "Agent 01\n  1\ta.txt\treleased\t0 turns\n",
    )
    code, out = run("find", "--status", "released", "--json")
    assert [g["case"] for g in json.loads(out)] == ["Agent 01", "Agent 02"]
