"""Order of factor levels and groups: R's collation, checked on R's own output.

tests/reference/survey/collation/r_levels.json holds ``levels(factor(values))``
as R 4.2.2 (ICU 72) prints it with LC_COLLATE = C, C.UTF-8 and fr_FR.UTF-8
(written by make_survey_refs.R); the strat_services_* cases are svyby,
svymean and svyglm by a column of such labels in the two orders.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sociaparis.analysis.design import svydesign
from sociaparis.analysis.domains import by_domain
from sociaparis.analysis.errors import AnalysisError
from sociaparis.analysis.estimators import proportion
from sociaparis.analysis.levels import collation_key, levels_of, sort_levels
from sociaparis.core.errors import SociaparisError

R_LEVELS = json.loads(
    (
        Path(__file__).parents[1] / "reference" / "survey" / "collation" / "r_levels.json"
    ).read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("r_locale", "order"),
    [("fr_FR.UTF-8", "locale"), ("C.UTF-8", "locale"), ("C", "C")],
)
def test_levels_come_in_r_order(r_locale: str, order: str) -> None:
    values = R_LEVELS["values"]
    assert sort_levels(values, order) == R_LEVELS["levels"][r_locale]
    assert sort_levels(reversed(values), order) == R_LEVELS["levels"][r_locale]


def test_the_locale_order_is_not_the_byte_order() -> None:
    levels = R_LEVELS["levels"]
    assert levels["fr_FR.UTF-8"] != levels["C"]
    assert sorted(["HR", "Housing"], key=collation_key) == ["Housing", "HR"]


def test_data_order_and_categoricals() -> None:
    values = pd.Series(["HR", None, "Housing", "HR", "eau"])
    assert sort_levels(values, "data") == ["HR", "Housing", "eau"]
    assert levels_of(values) == ["eau", "Housing", "HR"]
    coded = values.astype(pd.CategoricalDtype(["HR", "eau", "Housing"]))
    assert levels_of(coded, "C") == ["HR", "eau", "Housing"]
    assert sort_levels([10, 9, 100]) == [9, 10, 100]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("locale", ["eau", "Housing", "HR"]),
        ("C", ["HR", "Housing", "eau"]),
        ("data", ["Housing", "HR", "eau"]),
    ],
)
def test_results_follow_the_design_level_order(order: str, expected: list) -> None:
    df = pd.DataFrame({"g": ["Housing", "HR", "eau", "HR"], "y": [1.0, 2.0, 3.0, 4.0]})
    des = svydesign(df, level_order=order)
    assert by_domain(des, variables="y", by="g").table["g"].tolist() == expected
    names = proportion(des, variable="g").names
    assert list(names) == [f"g{level}" for level in expected]


def test_an_unknown_level_order_is_refused() -> None:
    with pytest.raises(SociaparisError) as err:
        svydesign(pd.DataFrame({"y": [1.0]}), level_order="bytes")
    assert err.value.error is AnalysisError.BAD_OPTION
    assert "bytes" in str(err.value)


def test_report_bars_of_unlisted_answers_follow_r_order() -> None:
    from sociaparis.reports.context import ReportContext
    from sociaparis.reports.questions import select_one_block
    from sociaparis.survey.instrument import Choice, Group, Instrument, Question

    q = Question("q", "select_one", list_name="l", parent="g")
    values = ["a"] * 10 + ["HR"] * 10 + ["Housing"] * 10 + ["eau"] * 10
    instrument = Instrument(
        form_id="f",
        title="F",
        default_language="fr",
        languages=("fr",),
        items=(Group("g", "group", children=("q",)), q),
        top=("g",),
        choices={"l": (Choice("a", {"fr": "A"}),)},
    )
    ctx = ReportContext(
        design=svydesign(pd.DataFrame({"q": values})),
        instrument=instrument,
        columns={"q": "q"},
        choices={"q": instrument.choices["l"]},
        lang="fr",
        min_count=10,
        ci_level=0.95,
    )
    bars = select_one_block(ctx, q).charts[0].bars
    assert [bar.label for bar in bars] == ["A", "eau", "Housing", "HR"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], ["eau", "Housing", "HR"]),
        (["--level-order", "C"], ["HR", "Housing", "eau"]),
        (["--level-order", "data"], ["Housing", "HR", "eau"]),
    ],
)
def test_cli_estimate_by_groups_in_r_order(
    options: list[str], expected: list[str], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from sociaparis.cli import cli

    data = tmp_path / "d.csv"
    data.write_text("g,y\nHousing,1\nHR,2\neau,3\nHR,4\n", encoding="utf-8")
    args = ["stats", "estimate", str(data), "--mean", "y", "--by", "g", "--json"]
    out = CliRunner().invoke(cli, [*args, *options])
    assert out.exit_code == 0, out.output
    assert [row["g"] for row in json.loads(out.output)["rows"]] == expected


def test_multiple_choice_lists_choices_in_r_order() -> None:
    from sociaparis.analysis.likert import multiple_choice

    df = pd.DataFrame({"q": ["HR eau", "Housing", "HR", None]})
    table = multiple_choice(svydesign(df), column="q").table
    assert table["choice"].tolist() == ["eau", "Housing", "HR"]
