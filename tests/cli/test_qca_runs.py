"""``sociaparis qca plan|analyse|runs|show``: the 15-city frame's plan, a saved run,
its regeneration and the changed-matrix check (SQLite study folder)."""

from __future__ import annotations

import json

from tests.cli.test_cases import PLAN, _import, qca_json, run, study  # noqa: F401

CONDITIONS = "MOD,SEMI,CHARTER,ENV,BOT,CIO,NET"


def test_plan_analyse_save_show_and_changed_matrix(study) -> None:  # noqa: F811
    assert _import()[0] == 0
    code, out = run("qca", "plan", "cities", "--calibration", PLAN, "--user", "boss")
    assert code == 0, out
    assert "CIO (direct): source=cio_engagement" in out
    code, out = run(
        "qca", "analyse", "cities", "--outcome", "ADOPT", "--conditions", CONDITIONS,
        "--incl-cut", "0.8", "--solution", "parsimonious", "--save", "--name", "T2",
        "--user", "boss", "--json",
    )  # fmt: skip
    assert code == 0, out
    saved = json.loads(out[: out.rindex("}") + 1])
    # the same numbers as `qca minimize` on the CSV with the same plan
    direct = qca_json("minimize", str(PLAN).replace("calibration.toml", "cities.csv"),
                      "--incl-cut", "0.8", "--include", "?")  # fmt: skip
    assert saved["minimization"]["solutions"] == direct["solutions"]
    assert saved["truth_table"]["rows"] == direct["truth_table"]["rows"]
    code, out = run("qca", "runs", "--user", "ana")
    assert code == 0, out
    assert f"{saved['run']}\tcities\tT2\tADOPT <- MOD, SEMI" in out
    assert out.rstrip().endswith("matrix unchanged")
    code, out = run("qca", "show", str(saved["run"]), "--user", "ana")
    assert code == 0, out
    assert "identical to the saved table" in out
    code, out = run("qca", "show", str(saved["run"]), "--r-code", "--user", "ana")
    assert code == 0 and out.startswith("library(QCA)\n")
    assert 'minimize(tt, include = "?", details = TRUE)' in out
    # a researcher changes a value the run used
    code, out = run(
        "cases", "set", "cities", "Lyon", "cio_engagement", "1", "--user", "boss",
        "--note", "corrected", "--reason", "re-interview",
    )  # fmt: skip
    assert code == 0, out
    code, out = run("qca", "runs", "--user", "ana")
    assert out.rstrip().endswith("matrix changed since")
    code, out = run("qca", "show", str(saved["run"]), "--user", "ana")
    assert "The case matrix changed since this run was saved" in out
    assert "identical to the saved table" in out
    # a coder may read runs but not run one
    code, out = run(
        "qca", "analyse", "cities", "--outcome", "ADOPT", "--conditions", "MOD",
        "--user", "ana",
    )  # fmt: skip
    assert code != 0 and "QCA_050" in out
