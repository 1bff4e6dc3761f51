"""``sociaparis assist suggest`` / ``replay`` / ``find-more`` / ``propose``: the
stable JSON contract, exit statuses and messages, against the scripted server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from sociaparis.assist.errors import AssistError
from sociaparis.cli import cli
from sociaparis.core.config import get_settings
from tests.assist.openai_server import (
    Reply,
    ScriptedOpenAI,
    chat_reply,
    passages_reply,
    scripted_openai,
)

TEXT = (
    "Enquêtrice : Vous utilisez l’outil\u00a0?\r\n\r\n"
    "S01 : Oui, « Albert » m’aide pour les courriers. Je relis tout.\r\n\r\n"
    "S02 : Pas moi."
)
CODEBOOK = (
    "name,description,inclusion,exclusion,example\n"
    "Usage,Se servir d'un outil,Usage déclaré,Intention seulement,J'utilise ChatGPT\n"
    "Contrôle,Vérifier ce que produit l'outil,,,\n"
)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("URL", "MODEL", "KEY"):
        monkeypatch.delenv(f"SOCIAPARIS_LLM_{name}", raising=False)
    monkeypatch.setenv("SOCIAPARIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOCIAPARIS_LLM_RETRIES", "1")
    get_settings.cache_clear()
    (tmp_path / "entretien.txt").write_bytes(TEXT.encode())
    (tmp_path / "codes.csv").write_text(CODEBOOK, encoding="utf-8")
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["assist", *args])
    return result.exit_code, result.output


def suggest(files: Path, url: str, *more: str) -> tuple[int, str]:
    return run("suggest", str(files / "entretien.txt"), "--codebook",
               str(files / "codes.csv"), "--endpoint", url, "--model", "mistral-small",
               *more)  # fmt: skip


ANSWER = passages_reply(
    ("Usage", 'Oui, "Albert" m\'aide pour les courriers.', "usage déclaré"),
    ("Contrôle", "Je relis tout.", "vérifie"),
    ("Contrôle", "Je relis tout, chaque fois.", "inventé"),
    ("Méfiance", "Pas moi.", "code inconnu"),
    prompt_tokens=321,
    completion_tokens=45,
)


def test_suggest_prints_the_stable_json(
    files: Path, openai_server: ScriptedOpenAI
) -> None:
    openai_server.add(ANSWER)
    code, out = suggest(files, openai_server.url, "--json", "--key", "sk-cli-secret")
    assert code == 0, out
    data = json.loads(out)
    assert list(data) == ["suggestions", "rejected", "calls", "tokens"]
    assert data["suggestions"] == [
        {"code": "Usage", "start": TEXT.index("Oui, «"),
         "end": TEXT.index("courriers.") + 10,
         "quote": "Oui, « Albert » m’aide pour les courriers.",
         "rationale": "usage déclaré"},
        {"code": "Contrôle", "start": TEXT.index("Je relis"),
         "end": TEXT.index(" tout.") + 6, "quote": "Je relis tout.",
         "rationale": "vérifie"},
    ]  # fmt: skip
    for s in data["suggestions"]:
        assert TEXT[s["start"] : s["end"]] == s["quote"]  # offsets of the file's text
    assert data["rejected"] == [
        {
            "code": "Contrôle",
            "quote": "Je relis tout, chaque fois.",
            "reason": "not_in_text",
        },
        {"code": "Méfiance", "quote": "Pas moi.", "reason": "unknown_code"},
    ]
    assert (data["calls"], data["tokens"]) == (1, {"prompt": 321, "completion": 45})
    [request] = openai_server.requests
    assert request.headers["Authorization"] == "Bearer sk-cli-secret"
    prompt = request.user_message
    assert "## Code : Usage" in prompt and "À exclure : Intention seulement" in prompt
    assert "« J'utilise ChatGPT »" in prompt


def test_every_quote_rejected_still_exits_0(
    files: Path, openai_server: ScriptedOpenAI
) -> None:
    openai_server.add(passages_reply(("Usage", "Rien de tel ici.")))
    code, out = suggest(files, openai_server.url, "--json")
    assert code == 0
    assert json.loads(out)["suggestions"] == []


def test_human_readable_output(files: Path, openai_server: ScriptedOpenAI) -> None:
    openai_server.add(ANSWER)
    code, out = suggest(files, openai_server.url)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "2 suggestions, 2 rejected (not_in_text 1, unknown_code 1); 1 calls, "
        "321 prompt + 45 completion tokens"
    )
    start = TEXT.index("Je relis")
    assert f"[{start}:{start + 14}] Contrôle: « Je relis tout. » — vérifie" in lines
    assert "rejected (unknown_code) Méfiance: « Pas moi. »" in lines


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_failures_exit_1_with_a_clear_message(
    files: Path, openai_server: ScriptedOpenAI
) -> None:
    code, out = suggest(files, f"http://127.0.0.1:{_closed_port()}/v1", "--json")
    assert code == 1
    assert out.startswith("Error: ASSIST_004: The endpoint http://127.0.0.1:")
    assert "could not be reached (2 attempts)" in out
    openai_server.add(chat_reply("Désolé, je ne peux pas."), chat_reply("Toujours pas."))
    code, out = suggest(files, openai_server.url, "--json")
    assert code == 1 and out.startswith("Error: ASSIST_007: The model 'mistral-small'")
    openai_server.add(Reply(503), Reply(503))
    code, out = suggest(files, openai_server.url, "--json")
    assert code == 1 and "ASSIST_005" in out and "HTTP 503 (2 attempts)" in out


def test_nothing_is_sent_without_an_endpoint(files: Path) -> None:
    code, out = run("suggest", str(files / "entretien.txt"), "--codebook",
                    str(files / "codes.csv"), "--json")  # fmt: skip
    missing = "SOCIAPARIS_LLM_URL and SOCIAPARIS_LLM_MODEL"
    assert (code, out) == (
        1,
        f"Error: ASSIST_001: {AssistError.NOT_CONFIGURED.format(missing=missing)}\n",
    )


def test_the_endpoint_comes_from_the_settings(
    files: Path, openai_server: ScriptedOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIAPARIS_LLM_URL", openai_server.url)
    monkeypatch.setenv("SOCIAPARIS_LLM_MODEL", "albert-large")
    monkeypatch.setenv("SOCIAPARIS_LLM_KEY", "sk-from-env")
    get_settings.cache_clear()
    openai_server.add(ANSWER)
    code, out = run("suggest", str(files / "entretien.txt"), "--codebook",
                    str(files / "codes.csv"), "--json")  # fmt: skip
    assert code == 0, out
    [request] = openai_server.requests
    assert (request.json or {})["model"] == "albert-large"
    assert request.headers["Authorization"] == "Bearer sk-from-env"


def test_a_recorded_run_replays_with_no_server(files: Path) -> None:
    record = files / "run.json"
    with scripted_openai() as server:
        server.add(
            Reply(429, {"error": {"message": "busy"}}, {"Retry-After": "0"}),
            chat_reply("pas du JSON"),
            ANSWER,
        )
        code, recorded = suggest(files, server.url, "--json", "--record", str(record),
                                 "--key", "sk-record-secret", "--seed", "3")  # fmt: skip
        url = server.url
    assert code == 0, recorded
    saved = record.read_text(encoding="utf-8")
    assert "sk-record-secret" not in saved
    data = json.loads(saved)
    assert data["format"] == "sociaparis-assist-run/1"
    assert data["run"]["model"] == "mistral-small" and data["run"]["seed"] == 3
    assert [c["status"] for c in data["calls"]] == [429, 200, 200]
    assert recorded.startswith(f"Recorded 3 calls in {record}.\n")  # on stderr
    recorded = recorded.split("\n", 1)[1]
    assert data["suggestions"] == json.loads(recorded)["suggestions"]
    # the server is gone: the replay answers from the recording alone
    code, replayed = run("replay", str(record), str(files / "entretien.txt"),
                         "--codebook", str(files / "codes.csv"), "--json")  # fmt: skip
    assert code == 0, replayed
    assert json.loads(replayed) == json.loads(recorded)
    assert data["run"]["endpoint"] == url
    # another text: its requests were never recorded
    (files / "autre.txt").write_text("Un autre entretien.", encoding="utf-8")
    code, out = run("replay", str(record), str(files / "autre.txt"),
                    "--codebook", str(files / "codes.csv"))  # fmt: skip
    assert code == 1 and out.startswith(
        "Error: ASSIST_011: The recording holds no answer"
    )


def test_find_more_and_propose(files: Path, openai_server: ScriptedOpenAI) -> None:
    openai_server.add(
        passages_reply(
            ("Usage", "m'aide pour les courriers"), ("Usage", "J'utilise ChatGPT")
        ),
        chat_reply(json.dumps({"codes": [
            {"name": "Relecture", "definition": "Relire ce que produit l'IA.",
             "quotes": ["Je relis tout.", "Je relis chaque phrase."]},
            {"name": "usage", "definition": "déjà là", "quotes": ["Pas moi."]},
        ]})),
    )  # fmt: skip
    record = files / "more.json"
    code, out = run("find-more", str(files / "entretien.txt"), "--codebook",
                    str(files / "codes.csv"), "--code", "Usage", "--endpoint",
                    openai_server.url, "--model", "m", "--json",
                    "--record", str(record))  # fmt: skip
    assert code == 0, out
    out = out.split("\n", 1)[1]  # after "Recorded 1 calls in …" (stderr)
    code, again = run("replay", str(record), str(files / "entretien.txt"),
                      "--codebook", str(files / "codes.csv"), "--json")  # fmt: skip
    assert (code, json.loads(again)) == (0, json.loads(out))
    data = json.loads(out)
    assert [s["quote"] for s in data["suggestions"]] == ["m’aide pour les courriers"]
    assert data["rejected"] == [
        {"code": "Usage", "quote": "J'utilise ChatGPT", "reason": "not_in_text"}
    ]
    assert "J'utilise ChatGPT" in openai_server.requests[0].user_message
    code, out = run("propose", str(files / "entretien.txt"), "--codebook",
                    str(files / "codes.csv"), "--endpoint", openai_server.url,
                    "--model", "m", "--json")  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    start = TEXT.index("Je relis")
    assert data["proposals"] == [
        {"name": "Relecture", "definition": "Relire ce que produit l'IA.",
         "passages": [{"start": start, "end": start + 14, "quote": "Je relis tout."}]}
    ]  # fmt: skip
    assert data["rejected"] == [
        {"code": "Relecture", "quote": "Je relis chaque phrase.", "reason": "not_in_text"}
    ]
    assert "Usage, Contrôle" in openai_server.requests[1].user_message
