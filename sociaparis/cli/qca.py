"""``sociaparis qca``: calibrate, truth table, minimize and necessity on a CSV file
or on the stored case matrix of a comparison frame (``--matrix FRAME``)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from sociaparis.cli.common import ACTING_USER_OR_LOCAL
from sociaparis.compare.qca import minimize, prepare, truth_table
from sociaparis.compare.qca.calibrate import calibrate_sets
from sociaparis.compare.qca.conformance import run_case, to_json
from sociaparis.compare.qca.errors import QCAError
from sociaparis.compare.qca.necessity import pof_necessity, superset_subset
from sociaparis.compare.qca.plots import solution_xy_plot, term_xy_plot, truth_table_plot
from sociaparis.compare.qca.results import Minimization, Model
from sociaparis.compare.qca.truth_table import TruthTable
from sociaparis.core.errors import SociaparisError


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(
            column, justify="left" if column in ("term", "cases") else "right"
        )
    for row in rows:
        table.add_row(*(_number(v) for v in row))
    Console(width=max(100, Console().width)).print(table)


def _plan(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SociaparisError(QCAError.BAD_FILE, path=path, reason=str(exc)) from None


def _stored_matrix(frame: str) -> pd.DataFrame:
    from sociaparis.cli.common import database_session
    from sociaparis.compare.matrix.service import matrix_frame

    with database_session() as session:
        return matrix_frame(session=session, frame=frame)


def _load(
    path: Path | None, plan: dict[str, Any], matrix: str | None = None
) -> pd.DataFrame:
    if (path is None) == (matrix is None):
        raise click.UsageError("Give DATA.csv or --matrix FRAME (one of them).")
    if matrix is not None:
        data = _stored_matrix(matrix)
    else:
        try:
            data = pd.read_csv(path, index_col=0, comment="#")
        except (OSError, ValueError) as exc:
            raise SociaparisError(QCAError.BAD_FILE, path=path, reason=str(exc)) from None
    if plan.get("sets"):
        return calibrate_sets(data, plan["sets"])
    return data


def _write_plot(path: Path | None, draw: Callable[[str], bytes]) -> None:
    if path is None:
        return
    fmt = "svg" if path.suffix.lower() == ".svg" else "png"
    path.write_bytes(draw(fmt))
    click.echo(f"plot written to {path}", err=True)


def _incl_cut(text: str) -> float | list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise SociaparisError(QCAError.BAD_INCL_CUT, value=text) from None
    return values[0] if len(values) == 1 else values


MATRIX = click.option(
    "--matrix", help="Use the stored case matrix of this comparison frame, not a CSV."
)


def analysis_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by truthtable, minimize and necessity."""
    decorators = [
        click.argument(
            "data", type=click.Path(dir_okay=False, path_type=Path), required=False
        ),
        MATRIX,
        click.option("--outcome", help="Outcome column (~Y for its negation)."),
        click.option("--conditions", help="Comma-separated conditions (default: all)."),
        click.option("--negate", is_flag=True, help="Analyse the negated outcome."),
        click.option(
            "--calibration",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="TOML calibration plan ([sets.NAME] tables, outcome, conditions).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON for machines."),
        click.option(
            "--plot",
            type=click.Path(dir_okay=False, path_type=Path),
            help="PNG or SVG file.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _setup(
    data: Path | None,
    outcome: str | None,
    conditions: str | None,
    calibration: Path | None,
    matrix: str | None = None,
) -> tuple[pd.DataFrame, str, list[str] | None]:
    plan = _plan(calibration)
    frame = _load(data, plan, matrix)
    outcome = outcome or plan.get("outcome")
    if not outcome:
        raise click.UsageError("--outcome is required (or set outcome in the plan).")
    names = conditions.split(",") if conditions else plan.get("conditions")
    return frame, outcome, [n.strip() for n in names] if names else None


def _truth_table(
    ctx: dict[str, Any], incl_cut: str, n_cut: int, pri_cut: float
) -> TruthTable:
    frame, outcome, conditions = _setup(
        ctx["data"], ctx["outcome"], ctx["conditions"], ctx["calibration"], ctx["matrix"]
    )
    return truth_table(
        frame,
        outcome=outcome,
        conditions=conditions,
        incl_cut=_incl_cut(incl_cut),
        n_cut=n_cut,
        pri_cut=pri_cut,
        negate_outcome=ctx["negate"],
    )


def _show_truth_table(tt: TruthTable) -> None:
    rows = [
        [r.rownum, *r.values, r.out, r.n, r.incl, r.pri, ", ".join(r.cases)]
        for r in tt.rows
    ]
    columns = ["row", *tt.conditions, "OUT", "n", "incl", "PRI", "cases"]
    _print_table(f"Truth table: {tt.data.outcome}", columns, rows)


def _show_models(label: str, models: tuple[Model, ...]) -> None:
    for number, model in enumerate(models, start=1):
        click.echo(f"{label} M{number}: {model.expression}")
        rows: list[list[Any]] = [
            [t.term, t.incl, t.pri, t.cov, t.cov_unique, ", ".join(t.cases)]
            for t in model.fit.terms
        ]
        rows.append(["solution", model.fit.incl, model.fit.pri, model.fit.cov, None, ""])
        _print_table("", ["term", "inclS", "PRI", "covS", "covU", "cases"], rows)
    if len(models) > 1:
        click.echo(f"Model ambiguity: {len(models)} equally minimal models ({label}).")


def _show_minimization(res: Minimization) -> None:
    kind = "parsimonious" if "?" in res.include else "conservative"
    _show_models(kind, res.models)
    click.echo(f"Essential (in every {kind} model): {', '.join(res.essential) or '-'}")
    for solution in res.intermediate:
        _show_models(f"intermediate {solution.key}", solution.models)
        easy = ", ".join(map(str, solution.easy_counterfactuals)) or "-"
        click.echo(f"Easy counterfactuals (rows): {easy}")


@click.group()
def qca() -> None:
    """Qualitative Comparative Analysis (results agree with R's QCA package)."""


@qca.command("calibrate")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path), required=False)
@MATRIX
@click.option(
    "--calibration",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML plan: one [sets.NAME] table per set (source, thresholds or map…).",
)
@click.option("--column", help="Raw column to calibrate (instead of a plan).")
@click.option("--thresholds", help='e.g. "e=400, c=550, i=900", or "550,850" (crisp).')
@click.option("--type", "type_", type=click.Choice(["fuzzy", "crisp"]), default="fuzzy")
@click.option("--method", type=click.Choice(["direct", "indirect"]), default="direct")
@click.option("--idm", type=float, default=0.95, show_default=True)
@click.option("--linear", is_flag=True, help="Linear instead of logistic (direct).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the calibrated case matrix to a .csv or .xlsx file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def calibrate_command(
    data: Path | None,
    matrix: str | None,
    calibration: Path | None,
    column: str | None,
    thresholds: str | None,
    type_: str,
    method: str,
    idm: float,
    linear: bool,
    output: Path | None,
    as_json: bool,
) -> None:
    """Calibrate raw values into set memberships (R: calibrate())."""
    plan = _plan(calibration).get("sets", {})
    if column:
        if not thresholds:
            raise click.UsageError("--thresholds is needed with --column.")
        options = {"thresholds": thresholds, "type": type_, "method": method, "idm": idm}
        plan = {column: {**options, "logistic": not linear}}
    if not plan:
        raise click.UsageError(
            "Give --calibration PLAN.toml or --column and --thresholds."
        )
    sets = calibrate_sets(_load(data, {}, matrix), plan)
    if output is not None and output.suffix.lower() == ".xlsx":
        sets.rename_axis("case").to_excel(output, sheet_name="case matrix")
        click.echo(f"calibrated sets written to {output}", err=True)
    elif output is not None:
        sets.to_csv(output)
        click.echo(f"calibrated sets written to {output}", err=True)
    if as_json:
        click.echo(to_json({"cases": list(map(str, sets.index)), **sets.to_dict("list")}))
    elif output is None:
        rows = [
            [str(i), *row] for i, row in zip(sets.index, sets.to_numpy(), strict=True)
        ]
        _print_table("Calibrated sets", ["case", *sets.columns], rows)


@qca.command("truthtable")
@analysis_options
@click.option("--incl-cut", default="1", show_default=True, help='"0.8" or "0.8,0.6".')
@click.option("--n-cut", type=int, default=1, show_default=True)
@click.option("--pri-cut", type=float, default=0.0, show_default=True)
def truthtable_command(incl_cut: str, n_cut: int, pri_cut: float, **ctx: Any) -> None:
    """Build the truth table (R: truthTable())."""
    tt = _truth_table(ctx, incl_cut, n_cut, pri_cut)
    _write_plot(ctx["plot"], lambda fmt: truth_table_plot(tt, fmt=fmt))
    if ctx["as_json"]:
        click.echo(to_json(tt.to_dict()))
    else:
        _show_truth_table(tt)


@qca.command("minimize")
@analysis_options
@click.option("--incl-cut", default="1", show_default=True, help='"0.8" or "0.8,0.6".')
@click.option("--n-cut", type=int, default=1, show_default=True)
@click.option("--pri-cut", type=float, default=0.0, show_default=True)
@click.option("--include", default="", help='"" conservative, "?" parsimonious.')
@click.option("--dir-exp", help='Directional expectations, e.g. "A, ~B, C=-".')
@click.option("--row-dom", is_flag=True, help="Remove dominated prime implicants.")
def minimize_command(
    incl_cut: str,
    n_cut: int,
    pri_cut: float,
    include: str,
    dir_exp: str | None,
    row_dom: bool,
    **ctx: Any,
) -> None:
    """Minimize to all minimal solutions (R: minimize())."""
    tt = _truth_table(ctx, incl_cut, n_cut, pri_cut)
    res = minimize(tt, include=include, dir_exp=dir_exp, row_dom=row_dom)
    _write_plot(ctx["plot"], lambda fmt: solution_xy_plot(res, fmt=fmt))
    if ctx["as_json"]:
        click.echo(to_json({"truth_table": tt.to_dict(), **res.to_dict()}))
    else:
        _show_minimization(res)


@qca.command("necessity")
@analysis_options
@click.option("--incl-cut", type=float, default=1.0, show_default=True)
@click.option("--cov-cut", type=float, default=0.0, show_default=True)
def necessity_command(incl_cut: float, cov_cut: float, **ctx: Any) -> None:
    """Necessary conditions and disjunctions (R: superSubset(), pof())."""
    frame, outcome, conditions = _setup(
        ctx["data"], ctx["outcome"], ctx["conditions"], ctx["calibration"], ctx["matrix"]
    )
    common = {
        "outcome": outcome,
        "conditions": conditions,
        "negate_outcome": ctx["negate"],
    }
    single = pof_necessity(frame, **common)
    try:
        found = superset_subset(frame, incl_cut=incl_cut, cov_cut=cov_cut, **common)
    except SociaparisError as exc:
        if exc.error is not QCAError.NO_NECESSARY:
            raise
        found = None
    shown = found.terms[0].term if found else max(single.terms, key=lambda t: t.incl).term
    qdata = prepare(frame, **common)
    _write_plot(
        ctx["plot"],
        lambda fmt: term_xy_plot(qdata, shown, relation="necessity", fmt=fmt),
    )
    if ctx["as_json"]:
        click.echo(
            to_json(
                {
                    "pof": single.to_dict(),
                    "superSubset": found.to_dict() if found else None,
                }
            )
        )
        return
    rows = [[t.term, t.incl, t.ron, t.cov] for t in single.terms]
    _print_table("Single conditions (pof)", ["term", "inclN", "RoN", "covN"], rows)
    if found is None:
        click.echo(QCAError.NO_NECESSARY.format(incl_cut=incl_cut, cov_cut=cov_cut))
    else:
        rows = [[t.term, t.incl, t.ron, t.cov] for t in found.terms]
        title = (
            f"Necessary terms (superSubset, incl_cut {incl_cut:g}, cov_cut {cov_cut:g})"
        )
        _print_table(title, ["term", "inclN", "RoN", "covN"], rows)


@qca.command("run")
@click.argument("case", type=click.Path(dir_okay=False, path_type=Path))
def run_command(case: Path) -> None:
    """Recompute a conformance case (R QCA reference JSON) and print it as JSON."""
    click.echo(to_json(run_case(case)))


# ------------------------------------------------------------------ stored frames
# Plans and saved runs over the stored case matrix (sociaparis.compare.qca_runs),
# the twins of the pages under /qca.


def _show_analysis(result: Any) -> None:
    _show_truth_table(result.truth_table)
    if result.minimization is None:
        click.echo(str(result.minimization_error))
    else:
        _show_minimization(result.minimization)
    rows = [[t.term, t.incl, t.ron, t.cov] for t in result.pof.terms]
    _print_table("Single conditions (pof)", ["term", "inclN", "RoN", "covN"], rows)
    if result.necessary is not None:
        rows = [[t.term, t.incl, t.ron, t.cov] for t in result.necessary.terms]
        _print_table(
            "Necessary terms (superSubset)", ["term", "inclN", "RoN", "covN"], rows
        )
    click.echo(f"matrix version {result.matrix_version}")


@qca.command("plan")
@click.argument("frame")
@click.option(
    "--calibration",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Save this TOML plan ([sets.NAME] tables) as the frame's calibration plan.",
)
@ACTING_USER_OR_LOCAL
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def plan_command(
    frame: str, calibration: Path | None, acting: str | None, as_json: bool
) -> None:
    """Show (or save) a frame's calibration plan and its sets on the matrix."""
    from sociaparis.cli.common import acting_or_local, database_session
    from sociaparis.compare import qca_runs

    with database_session() as session:
        if calibration is not None:
            qca_runs.save_plan(
                session=session,
                actor=acting_or_local(session, acting),
                frame=frame,
                plan=_plan(calibration),
            )
        sets = qca_runs.calibration_overview(session=session, frame=frame)
    if as_json:
        click.echo(
            to_json(
                {
                    s.name: {
                        "options": dict(s.options),
                        "calibrated": list(s.calibrated or []),
                        "crossover": list(s.crossover),
                        "error": s.error.code if s.error else None,
                    }
                    for s in sets
                }
            )
        )
        return
    for s in sets:
        options = ", ".join(
            f"{k}={v}" for k, v in s.options.items() if k not in ("label", "note")
        )
        click.echo(f"{s.name} ({s.method}): {options}")
        if s.options.get("label"):
            click.echo(f"  {s.options['label']}")
        if s.error is not None:
            click.echo(f"  {s.error}")
        elif s.crossover:
            click.echo(f"  at the crossover (0.5): {', '.join(s.crossover)}")


@qca.command("analyse")
@click.argument("frame")
@click.option("--outcome", required=True, help="Outcome set of the frame's plan.")
@click.option("--conditions", required=True, help="Comma-separated condition sets.")
@click.option("--negate", is_flag=True, help="Analyse the negated outcome.")
@click.option("--incl-cut", default="1", show_default=True, help='"0.8" or "0.8,0.6".')
@click.option("--n-cut", type=int, default=1, show_default=True)
@click.option("--pri-cut", type=float, default=0.0, show_default=True)
@click.option(
    "--solution",
    type=click.Choice(["conservative", "parsimonious", "intermediate"]),
    default="conservative",
    show_default=True,
)
@click.option("--contradictions", is_flag=True, help='Add "C" to include.')
@click.option("--dir-exp", default="", help='Intermediate: e.g. "A, ~B, C=-".')
@click.option("--row-dom", is_flag=True, help="Remove dominated prime implicants.")
@click.option("--necessity-incl-cut", type=float, default=0.9, show_default=True)
@click.option("--necessity-cov-cut", type=float, default=0.6, show_default=True)
@click.option("--save", is_flag=True, help="Keep the run (with the matrix version).")
@click.option("--name", default="", help="Name of the saved run.")
@click.option("--r-code", is_flag=True, help="Print the R code of the run instead.")
@ACTING_USER_OR_LOCAL
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def analyse_command(
    frame: str,
    outcome: str,
    conditions: str,
    negate: bool,
    incl_cut: str,
    n_cut: int,
    pri_cut: float,
    solution: str,
    contradictions: bool,
    dir_exp: str,
    row_dom: bool,
    necessity_incl_cut: float,
    necessity_cov_cut: float,
    save: bool,
    name: str,
    r_code: bool,
    acting: str | None,
    as_json: bool,
) -> None:
    """Truth table, minimization and necessity on a stored frame, with its plan."""
    from sociaparis.cli.common import acting_or_local, database_session
    from sociaparis.compare import qca_runs

    settings = qca_runs.QCASettings.parse(
        outcome=outcome,
        conditions=conditions.split(","),
        negate_outcome=negate,
        incl_cut=incl_cut,
        n_cut=n_cut,
        pri_cut=pri_cut,
        solution=solution,
        include_contradictions=contradictions,
        dir_exp=dir_exp,
        row_dom=row_dom,
        necessity_incl_cut=necessity_incl_cut,
        necessity_cov_cut=necessity_cov_cut,
    )
    with database_session() as session:
        actor = acting_or_local(session, acting)
        result = qca_runs.analyse(
            session=session, actor=actor, frame=frame, settings=settings
        )
        saved = (
            qca_runs.save_analysis(
                session=session, actor=actor, analysis=result, name=name
            )
            if save
            else None
        )
    if r_code:
        click.echo(result.r_code, nl=False)
    elif as_json:
        extra = {"run": saved.id} if saved else {}
        click.echo(
            to_json({**extra, "matrix_version": result.matrix_version, **result.result()})
        )
    else:
        _show_analysis(result)
    if saved is not None:
        click.echo(f"saved as run {saved.id}", err=True)


@qca.command("runs")
@click.option("--frame", help="Only the runs of this frame.")
@ACTING_USER_OR_LOCAL
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def runs_command(frame: str | None, acting: str | None, as_json: bool) -> None:
    """List the saved QCA runs, newest first, and whether the matrix changed since."""
    from sociaparis.cli.common import acting_or_local, database_session
    from sociaparis.compare import qca_runs

    with database_session() as session:
        found = qca_runs.list_runs(
            session=session, actor=acting_or_local(session, acting), frame=frame
        )
    if as_json:
        click.echo(
            to_json(
                [{k: v for k, v in r.to_dict().items() if k != "result"} for r in found]
            )
        )
        return
    for r in found:
        changed = "matrix changed since" if r.matrix_changed else "matrix unchanged"
        when = r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else ""
        click.echo(
            f"{r.id}\t{r.frame}\t{r.name or '-'}\t{r.settings.outcome} <- "
            f"{', '.join(r.settings.conditions)}\t{r.settings.solution}\t"
            f"{when}\t{r.created_by}\t{changed}"
        )


@qca.command("show")
@click.argument("run", type=int)
@click.option(
    "--rerun", is_flag=True, help="Run it again on the matrix as it is now (not kept)."
)
@click.option("--r-code", is_flag=True, help="Print the R code of the run instead.")
@ACTING_USER_OR_LOCAL
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def show_command(
    run: int, rerun: bool, r_code: bool, acting: str | None, as_json: bool
) -> None:
    """Regenerate a saved run from the values it kept (or --rerun on today's matrix)."""
    from sociaparis.cli.common import acting_or_local, database_session
    from sociaparis.compare import qca_runs

    with database_session() as session:
        actor = acting_or_local(session, acting)
        saved = qca_runs.get_run(session=session, actor=actor, run=run)
        if rerun:
            result, _ = qca_runs.rerun(session=session, actor=actor, run=run)
            same = None
        else:
            result, same = qca_runs.regenerate(session=session, actor=actor, run=run)
    if r_code:
        click.echo(result.r_code, nl=False)
        return
    if as_json:
        click.echo(
            to_json(
                {
                    **{k: v for k, v in saved.to_dict().items() if k != "result"},
                    "regenerated_identical": same,
                    **result.result(),
                }
            )
        )
        return
    click.echo(f"run {saved.id} of frame {saved.frame}: {saved.name or '-'}")
    if saved.matrix_changed:
        click.echo(
            "The case matrix changed since this run was saved "
            f"(version {saved.matrix_version[:12]}, now "
            f"{(saved.current_version or 'gone')[:12]})."
        )
    if same is not None:
        click.echo(
            "Regenerated from the saved values: "
            + (
                "identical to the saved table."
                if same
                else "DIFFERS from the saved table."
            )
        )
    _show_analysis(result)
