"""QCA on a stored frame (sociaparis.compare.qca_runs), on SQLite and PostgreSQL.

The numbers are those of the R QCA conformance cases (tests/reference/qca) and of
the CLI on the same inputs; saved runs regenerate the same table and notice a
changed matrix; roles are checked in the service.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.cli import cli
from sociaparis.compare import qca_runs as runs
from sociaparis.compare.matrix.service import import_csv, set_cell
from sociaparis.compare.qca_runs import QCASettings
from sociaparis.core.errors import SociaparisError
from tests.compare.test_matrix import make_actor

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference" / "qca"
CITIES = ROOT / "studies" / "sociaparis" / "cities"
RTOL = 1e-6
E3 = "e=1, c=2, i=3"
C3 = "1, 2, 3"


def close(got: float, expected: float) -> bool:
    return math.isclose(got, expected, rel_tol=RTOL, abs_tol=1e-12)


@pytest.fixture
def researcher(session: Session) -> Account:
    return make_actor(session, Role.RESEARCHER)


@pytest.fixture
def viewer(session: Session) -> Account:
    return make_actor(session, Role.VIEWER)


def load_frame(session: Session, actor: Account, name: str, path: Path) -> None:
    import_csv(
        session=session,
        actor=actor,
        frame=name,
        data=path.read_bytes(),
        filename=path.name,
    )


def reference(name: str) -> dict[str, Any]:
    return json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))


def check_against_r(result: runs.QCAAnalysis, case: dict[str, Any]) -> None:
    rows = result.result()["truth_table"]["rows"]
    assert [r["rownum"] for r in rows] == [r["rownum"] for r in case["truth_table"]]
    for got, expected in zip(rows, case["truth_table"], strict=True):
        assert (got["OUT"], got["n"], got["cases"]) == (
            expected["OUT"],
            expected["n"],
            expected["cases"],
        )
        assert close(got["incl"], expected["incl"])
        assert close(got["PRI"], expected["PRI"])
    models = [m for g in result.groups for m in g.models]
    assert [list(m.terms) for m in models] == case["solutions"]
    for model, fit in zip(models, case["fit"]["solution"], strict=True):
        assert close(model.fit.incl, fit["inclS"])
        assert close(model.fit.pri, fit["PRI"])
        assert close(model.fit.cov, fit["covS"])


def lr_plan(case: dict[str, Any]) -> dict[str, Any]:
    thresholds = case["calibration"]["thresholds"]
    return {"sets": {k: {"source": k, "thresholds": v} for k, v in thresholds.items()}}


@pytest.mark.parametrize(
    ("case", "solution"),
    [
        ("LR-calibrated-conservative", "conservative"),
        ("LR-calibrated-parsimonious", "parsimonious"),
    ],
)
def test_a_calibrated_frame_gives_r_s_tables_and_models(
    session: Session, researcher: Account, case: str, solution: str
) -> None:
    expected = reference(case)
    load_frame(session, researcher, "lipset", REFERENCE / "LR.csv")
    runs.save_plan(
        session=session, actor=researcher, frame="lipset", plan=lr_plan(expected)
    )
    calibration = runs.calibration_overview(session=session, frame="lipset")
    by_name = {s.name: s for s in calibration}
    for name, values in expected["calibration"]["calibrated"].items():
        assert all(
            close(a, b) for a, b in zip(by_name[name].calibrated, values, strict=True)
        )
    settings = QCASettings.parse(
        outcome=expected["outcome"],
        conditions=expected["conditions"],
        incl_cut=expected["incl_cut"],
        solution=solution,
    )
    check_against_r(
        runs.analyse(
            session=session, actor=researcher, frame="lipset", settings=settings
        ),
        expected,
    )


def test_an_ambiguous_case_shows_every_model(
    session: Session, researcher: Account
) -> None:
    expected = reference("CVF-parsimonious")
    load_frame(session, researcher, "cvf", REFERENCE / "CVF.csv")
    # memberships already: the default plan takes every dimension as it is
    plan = runs.get_plan(session=session, frame="cvf")
    assert list(plan["sets"]) == [
        "DEMOC",
        "ETHFRACT",
        "GEOCON",
        "POLDIS",
        "NATPRIDE",
        "PROTEST",
    ]
    settings = QCASettings.parse(
        outcome="PROTEST",
        conditions=expected["conditions"],
        incl_cut=0.8,
        solution="parsimonious",
    )
    result = runs.analyse(
        session=session, actor=researcher, frame="cvf", settings=settings
    )
    assert result.model_count == 4
    check_against_r(result, expected)
    assert 'minimize(tt, include = "?", details = TRUE)' in result.r_code
    assert 'truthTable(data, outcome = "PROTEST"' in result.r_code
    assert "incl.cut = 0.8" in result.r_code


def cities_plan() -> dict[str, Any]:
    plan = tomllib.loads((CITIES / "calibration.toml").read_text(encoding="utf-8"))
    return {"sets": plan["sets"]}


def cli_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        [
            "qca",
            *args,
            str(CITIES / "cities.csv"),
            "--calibration",
            str(CITIES / "calibration.toml"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_15_city_frame_gives_the_cli_s_numbers(
    session: Session, researcher: Account
) -> None:
    load_frame(session, researcher, "cities", CITIES / "cities.csv")
    runs.save_plan(session=session, actor=researcher, frame="cities", plan=cities_plan())
    conditions = ["MOD", "SEMI", "CHARTER", "ENV", "BOT", "CIO", "NET"]
    settings = QCASettings.parse(
        outcome="ADOPT",
        conditions=conditions,
        incl_cut="0.8",
        solution="intermediate",
        dir_exp="MOD, CIO",
    )
    page = runs.analyse(
        session=session, actor=researcher, frame="cities", settings=settings
    ).result()
    command = cli_json(
        "minimize", "--incl-cut", "0.8", "--include", "?", "--dir-exp", "MOD, CIO"
    )
    assert page["truth_table"] == runs.json_ready(command["truth_table"])
    del command["truth_table"]
    assert page["minimization"] == runs.json_ready(command)
    necessity = cli_json("necessity", "--incl-cut", "0.9", "--cov-cut", "0.6")
    assert page["pof"] == runs.json_ready(necessity["pof"])
    assert page["superSubset"] == runs.json_ready(necessity["superSubset"])


def test_a_saved_run_regenerates_and_notices_a_changed_matrix(
    session: Session, researcher: Account, viewer: Account
) -> None:
    load_frame(session, researcher, "cvf", REFERENCE / "CVF.csv")
    settings = QCASettings.parse(
        outcome="PROTEST",
        conditions=["DEMOC", "ETHFRACT", "GEOCON", "POLDIS", "NATPRIDE"],
        incl_cut=0.8,
        solution="parsimonious",
    )
    saved = runs.save_run(
        session=session, actor=researcher, frame="cvf", settings=settings, name="T1"
    )
    assert not saved.matrix_changed
    listed = runs.list_runs(session=session, actor=viewer)
    assert [(r.id, r.name, r.matrix_changed) for r in listed] == [(saved.id, "T1", False)]
    again, same = runs.regenerate(session=session, actor=viewer, run=saved.id)
    assert same and again.model_count == 4
    # a dimension the run does not use changes nothing
    set_cell(
        session=session, actor=researcher, frame="cvf", case="GreeksAlbania",
        dimension="note", value="checked",
    )  # fmt: skip
    assert not runs.get_run(session=session, actor=viewer, run=saved.id).matrix_changed
    set_cell(
        session=session, actor=researcher, frame="cvf", case="GreeksAlbania",
        dimension="NATPRIDE", value="0.2", reason="recoded",
    )  # fmt: skip
    changed = runs.get_run(session=session, actor=viewer, run=saved.id)
    assert changed.matrix_changed
    assert changed.current_version != saved.matrix_version
    # the published table still regenerates from the values the run kept
    again, same = runs.regenerate(session=session, actor=viewer, run=saved.id)
    assert same
    assert again.result() == runs.json_ready(dict(saved.result))
    fresh, kept = runs.rerun(session=session, actor=researcher, run=saved.id, save=True)
    assert kept is not None and kept.name == "T1 (re-run)"
    assert fresh.matrix_version == changed.current_version
    assert fresh.result() != again.result()
    assert not runs.get_run(session=session, actor=viewer, run=kept.id).matrix_changed


def test_roles_are_checked_in_the_service(
    session: Session, researcher: Account, viewer: Account
) -> None:
    load_frame(session, researcher, "cvf", REFERENCE / "CVF.csv")
    settings = QCASettings.parse(
        outcome="PROTEST", conditions=["DEMOC", "GEOCON"], solution="parsimonious"
    )
    for call in (
        lambda: runs.analyse(
            session=session, actor=viewer, frame="cvf", settings=settings
        ),
        lambda: runs.save_run(
            session=session, actor=viewer, frame="cvf", settings=settings
        ),
        lambda: runs.save_plan(
            session=session, actor=viewer, frame="cvf", plan={"sets": {}}
        ),
    ):
        with pytest.raises(SociaparisError) as error:
            call()
        assert error.value.code == "QCA_050"
    with pytest.raises(SociaparisError) as error:
        runs.get_run(session=session, actor=viewer, run=999)
    assert error.value.code == "QCA_051"


@pytest.mark.parametrize(
    ("plan", "code"),
    [
        ({"sets": {"X": {"source": "nowhere"}}}, "QCA_052"),
        (
            {"sets": {"X": {"source": "DEMOC", "thresholds": "e=9, c=10, i=11"}}},
            "QCA_056",
        ),
        ({"sets": {"bad name": {"source": "DEMOC"}}}, "QCA_052"),
        ({"nosets": {}}, "QCA_052"),
    ],
)
def test_a_plan_that_cannot_be_used_is_refused(
    session: Session, researcher: Account, plan: dict, code: str
) -> None:
    load_frame(session, researcher, "cvf", REFERENCE / "CVF.csv")
    with pytest.raises(SociaparisError) as error:
        runs.save_plan(session=session, actor=researcher, frame="cvf", plan=plan)
    assert error.value.code == code
    if code == "QCA_056":  # the calibration's own error is quoted, whole
        assert error.value.context["reason"].code == "QCA_010"
        assert "Set 'X'" in error.value.message
        assert "QCA_010: Calibration thresholds" in error.value.message


@pytest.mark.parametrize(
    ("method", "options", "entry"),
    [
        ("asis", {}, {"source": "s"}),
        ("direct", {"thresholds": E3},
         {"source": "s", "type": "fuzzy", "thresholds": E3}),
        ("linear", {"thresholds": E3},
         {"source": "s", "type": "fuzzy", "thresholds": E3, "logistic": False}),
        ("indirect", {"thresholds": C3},
         {"source": "s", "type": "fuzzy", "method": "indirect", "thresholds": C3}),
        ("crisp", {"thresholds": "5"},
         {"source": "s", "type": "crisp", "thresholds": "5"}),
        ("map", {"mapping": "yes = 1; no = 0"},
         {"source": "s", "map": {"yes": 1.0, "no": 0.0}}),
    ],
)  # fmt: skip
def test_plan_entries_round_trip(method: str, options: dict, entry: dict) -> None:
    assert runs.plan_entry("s", method, **options) == entry
    assert runs.entry_method(entry) == method


def test_crossover_cases_are_reported(session: Session, researcher: Account) -> None:
    load_frame(session, researcher, "lipset", REFERENCE / "LR.csv")
    # ES has URB 43: exactly at the crossover, membership 0.5
    plan = {"sets": {"URB": {"source": "URB", "thresholds": "e=25, c=43, i=65"}}}
    view = runs.calibration_overview(session=session, frame="lipset", plan=plan)[0]
    assert view.crossover == ("ES",)
    assert dict(zip(view.cases, view.calibrated, strict=True))["ES"] == 0.5


def test_the_calibration_form_round_trips_the_15_city_plan() -> None:
    plan = cities_plan()
    rows = [
        {
            "set": name,
            "source": options["source"],
            "method": runs.entry_method(options),
            "thresholds": options.get("thresholds", ""),
            "map": "; ".join(f"{k} = {v}" for k, v in options.get("map", {}).items()),
        }
        for name, options in plan["sets"].items()
    ]
    rows.append({"set": "", "source": "country", "method": "none"})
    assert runs.plan_from_rows(rows, plan) == plan
    # a set whose method changes loses the options of the old one
    rows[5] = {**rows[5], "method": "linear"}
    changed = runs.plan_from_rows(rows, plan)["sets"]["CIO"]
    assert changed == {
        "source": "cio_engagement", "type": "fuzzy",
        "thresholds": "e=2, c=5, i=8", "logistic": False,
    }  # fmt: skip
