"""``sociaparis qual speakers / speaker / participants / participant-matrix /
interaction`` on the synthetic focus group of ``tests/qual/test_participants.py``
(expected numbers derived by hand there)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.participant_errors import ParticipantError
from tests.qual.focus_group_data import CASES, CODINGS, TEXT, rows, span


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SOCIAPARIS_DATABASE_URL", f"sqlite:///{tmp_path / 'study.db'}")
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("SOCIAPARIS_USER", raising=False)
    get_settings.cache_clear()
    for name, role in (("boss", "researcher"), ("ana", "coder")):
        result = CliRunner().invoke(
            cli,
            ["user", "add", name, "--role", role, "--password-stdin"],
            input="a-long-password-123\n",
        )
        assert result.exit_code == 0, result.output
    (tmp_path / "focus.txt").write_text(TEXT, encoding="utf-8")
    assert run("import", str(tmp_path / "focus.txt"), "--speakers",
               "--no-pseudonymization", "--user", "boss")[0] == 0  # fmt: skip
    for name in ("Usage", "Risque", "Accord"):
        assert run("codebook", "add", name, "--user", "boss")[0] == 0
    for row in rows(CODINGS):
        start, end = span(row["first"], row["last"])
        assert (
            run("code", "1", row["code"], str(start), str(end), "--user", "ana")[0] == 0
        )
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["qual", *args])
    return result.exit_code, result.output


def test_focus_group_walkthrough(study: Path) -> None:
    code, out = run("speakers", "1", "--user", "ana")
    assert code == 0, out
    assert out.splitlines()[-2:] == [
        "SPEAKER_06\t1 turns\t3 words\t-",
        "SPEAKER_07\t1 turns\t6 words\t-",
    ]
    assert run("speaker", "merge", "1", "SPEAKER_07", "--into", "SPEAKER_06",
               "--user", "boss") == (0, "1 turns now spoken by SPEAKER_06\n")  # fmt: skip
    assert run("speaker", "rename", "1", "SPEAKER_05", "Participant E",
               "--user", "boss") == (0, "SPEAKER_05 -> Participant E\n")  # fmt: skip
    assert run("speaker", "moderator", "1", "Animatrice", "--user", "boss") == (
        0, "Animatrice: moderator\n",
    )  # fmt: skip
    for speaker, (case, attributes) in CASES.items():
        values = [f"--set={k}={v}" for k, v in attributes.items()]
        assert run("speaker", "link", "1", speaker, case, *values, "--user", "boss") == (
            0, f"{speaker} -> {case}\n",
        )  # fmt: skip
    code, out = run("speakers", "1", "--user", "ana", "--json")
    assert [(s["speaker"], s["turns"], s["case"]) for s in json.loads(out)][-2:] == [
        ("Participant E", 1, "P5"), ("SPEAKER_06", 2, "P6"),
    ]  # fmt: skip

    code, out = run("participant-matrix", "--out", str(study / "m.csv"))
    assert code == 0, out
    with open(study / "m.csv", encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle)) == [
            ["code", "P1", "P2", "P3", "P4", "P5", "P6"],
            ["Usage", "2", "1", "1", "0", "0", "0"],
            ["Risque", "1", "0", "2", "1", "1", "0"],
            ["Accord", "0", "0", "0", "0", "0", "2"],
        ]
    code, out = run("participant-matrix", "--by", "direction", "--json")
    assert json.loads(out)["codings"] == [[0, 1, 3], [1, 1, 2], [0, 2, 0]]

    code, out = run("participants", "--moderator")
    assert out.splitlines()[0] == "Animatrice\t2 turns\t11 words\t22.9% of words"

    code, out = run("interaction", "--plot", str(study / "t.svg"), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["cooccurrence"] == [[2, 2, 0], [0, 2, 1], [1, 0, 0]]
    assert data["transitions"][0] == [0, 1, 1, 0, 0, 0]
    assert "<svg" in (study / "t.svg").read_text()
    code, out = run("segments", "Usage", "--context", "0")
    assert out.splitlines()[1] == (
        f"[focus.txt {span('Moi Albert', 'Copilot gagne')[0]}:"
        f"{span('Moi Albert', 'Copilot gagne')[1]} ana SPEAKER_02 + SPEAKER_01] "
        "…«Moi Albert pour les courriers."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("speaker", "rename", "1", "Nobody", "X", "--user", "boss"),
         f"Error: {ParticipantError.UNKNOWN_SPEAKER.code}: "),
        (("speaker", "moderator", "1", "Animatrice", "--user", "ana"),
         f"Error: {CorpusError.NOT_ALLOWED.code}: "),
    ],
)  # fmt: skip
def test_speaker_errors(study: Path, args: tuple[str, ...], message: str) -> None:
    code, out = run(*args)
    assert code == 1
    assert out.startswith(message)
