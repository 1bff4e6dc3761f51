"""``sociaparis stats``: design-based survey statistics from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sociaparis.analysis.conformance import compare_results, run_case


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
