"""A run as a background job (kind ``assist_run``): its checks and its work, with
the test-double suggester in place of the built one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from sociaparis.assist import run_job
from sociaparis.core.errors import SociaparisError
from sociaparis.jobs.kinds import job_kind
from tests.assist.test_service import Double, study  # noqa: F401 - the fixture

__all__ = ["study"]


@pytest.mark.parametrize(
    ("who", "change", "code"),
    [
        ("ana", {}, "ASSIST_030"),
        ("boss", {"documents": ["held"]}, "ASSIST_031"),
        ("boss", {"documents": []}, "ASSIST_032"),
        ("boss", {"codes": []}, "ASSIST_033"),
        ("boss", {"suggester": "cloud"}, "ASSIST_037"),
    ],
)
def test_a_job_is_refused_when_it_starts(
    session: Session, study: dict[str, Any], who: str, change: dict, code: str
) -> None:
    parameters = {"documents": [study["doc"]], "codes": [study["codes"]["Outils"]],
                  "suggester": "offline"}  # fmt: skip
    for name, value in change.items():
        parameters[name] = [study[v] for v in value] if name == "documents" else value
    with pytest.raises(SociaparisError) as caught:
        job_kind("assist_run").check(
            session=session, actor=study[who], parameters=parameters
        )
    assert caught.value.code == code


def test_a_job_runs_the_suggester_and_keeps_the_run_export(
    session: Session,
    study: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[dict[str, Any]] = []

    def build(_session: Session, **options: Any) -> Double:
        built.append(options)
        return Double()

    monkeypatch.setattr(run_job, "build_suggester", build)
    kind = job_kind("assist_run")
    checked, title = kind.check(
        session=session,
        actor=study["boss"],
        parameters={
            "documents": [str(study["doc"])],
            "suggester": "llm",
            "codes": [study["codes"]["Outils"], study["codes"]["Erreurs"]],
            "key": "never kept",
        },  # fmt: skip
    )
    assert title == "llm · e1.txt" and "key" not in checked
    ticks: list[tuple[int, str]] = []
    path = kind.run(
        session=session, actor=study["boss"], parameters=checked, folder=tmp_path,
        data_dir=tmp_path, progress=lambda p, step: ticks.append((p, step)),
    )  # fmt: skip
    assert built == [{"suggester": "llm", "url": None, "model": None}]
    assert ticks == [(2, "preparing"), (95, "suggesting")]
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["format"] == "sociaparis-assist-run/1"
    assert (
        len(exported["suggestions"]) == 3 and kind.media_type(path) == "application/json"
    )


def test_the_factory_refuses_an_unknown_suggester(session: Session) -> None:
    with pytest.raises(SociaparisError) as caught:
        run_job.build_suggester(session, suggester="cloud")
    assert caught.value.code == "ASSIST_037"
