"""``sociaparis stats``: design-based survey statistics from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pandas as pd

from sociaparis.analysis import estimators
from sociaparis.analysis.conformance import compare_results, run_case
from sociaparis.analysis.design import svydesign
from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT, suppress
from sociaparis.analysis.domains import by_domain


@click.group()
def stats() -> None:
    """Design-based survey statistics (agree with R's survey package)."""


@stats.command("run")
@click.argument("case", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--check",
    is_flag=True,
    help="Compare with the case's own reference result; exit 1 on a difference.",
)
@click.option("--rtol", default=1e-6, show_default=True, help="Relative tolerance.")
def run(case: Path, check: bool, rtol: float) -> None:
    """Compute a conformance CASE (JSON) and print it with sociaparis's result."""
    computed = run_case(case)
    if not check:
        click.echo(json.dumps(computed, indent=2, ensure_ascii=False))
        return
    reference = json.loads(case.read_text(encoding="utf-8"))
    problems = compare_results(reference.get("result"), computed["result"], rtol=rtol)
    if "extra_2x2" in reference:
        problems += compare_results(
            reference["extra_2x2"], computed["extra_2x2"], rtol=rtol, where="extra_2x2"
        )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{case.name}: {len(problems)} difference(s)")
    click.echo(f"{case.name}: agrees with the reference (rtol {rtol})")


def _read_table(path: Path) -> pd.DataFrame:
    """CSV, XLSX, Parquet, SPSS or Stata file as a DataFrame."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".sav", ".dta"):
        import pyreadstat

        reader = pyreadstat.read_sav if suffix == ".sav" else pyreadstat.read_dta
        frame, _ = reader(str(path), apply_value_formats=True)
        return frame
    return pd.read_csv(path)


@stats.command("estimate")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--ids", help="Column of first-stage clusters (PSUs).")
@click.option("--strata", help="Column of strata.")
@click.option("--weights", "weights_col", help="Column of sampling weights.")
@click.option("--fpc", help="Column of population sizes or sampling fractions.")
@click.option("--mean", "means", multiple=True, help="Estimate the mean of VAR.")
@click.option("--total", "totals", multiple=True, help="Estimate the total of VAR.")
@click.option("--by", multiple=True, help="Estimate within the domains of VAR.")
@click.option(
    "--nan-policy",
    type=click.Choice(["raise", "omit"]),
    default="raise",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def estimate(
    data: Path,
    ids: str | None,
    strata: str | None,
    weights_col: str | None,
    fpc: str | None,
    means: tuple[str, ...],
    totals: tuple[str, ...],
    by: tuple[str, ...],
    nan_policy: str,
    as_json: bool,
) -> None:
    """Means and totals of DATA with design-based SEs (as R's svymean/svytotal/svyby)."""
    design = svydesign(
        _read_table(data), ids=ids, strata=strata, weights=weights_col, fpc=fpc
    )
    outputs = []
    for statistic, variables in (("mean", means), ("total", totals)):
        if not variables:
            continue
        if by:
            outputs.append(
                by_domain(
                    design,
                    variables=list(variables),
                    by=list(by),
                    statistic=statistic,
                    nan_policy=nan_policy,
                )
            )
        else:
            func = estimators.mean if statistic == "mean" else estimators.total
            outputs.append(func(design, variables=list(variables), nan_policy=nan_policy))
    for result in outputs:
        if as_json:
            click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            click.echo(result.to_frame().to_string())


@stats.command("suppress")
@click.argument("counts", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--min-count",
    default=DEFAULT_MIN_COUNT,
    show_default=True,
    help="Smallest count shown (never below 5).",
)
def suppress_command(counts: Path, min_count: int) -> None:
    """Print a COUNTS table (CSV, first column = row labels) safe to publish."""
    table = pd.read_csv(counts, index_col=0)
    result = suppress(table, min_count=min_count)
    click.echo(result.published.to_csv(na_rep="x"), nl=False)
