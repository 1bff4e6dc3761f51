"""``sociaparis stats``: design-based survey statistics from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sociaparis.analysis import estimators
from sociaparis.analysis.conformance import compare_case, run_case
from sociaparis.analysis.design import svydesign
from sociaparis.analysis.disclosure import DEFAULT_MIN_COUNT, check_min_count, suppress
from sociaparis.analysis.domains import by_domain
from sociaparis.analysis.levels import LEVEL_ORDERS, LevelOrder
from sociaparis.cli.common import ACTING_USER_OR_LOCAL
from sociaparis.core.spreadsheets import read_excel


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
    """Compute a conformance CASE (JSON) and print sociaparis's result."""
    computed = run_case(case)
    if not check:
        click.echo(json.dumps(computed, indent=2, ensure_ascii=False))
        return
    reference = json.loads(case.read_text(encoding="utf-8"))
    problems = compare_case(reference, computed, rtol=rtol)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{case.name}: {len(problems)} difference(s)")
    click.echo(f"{case.name}: agrees with the reference (rtol {rtol})")


def _read_table(path: Path) -> pd.DataFrame:
    """CSV, XLSX, Parquet, SPSS or Stata file as a DataFrame."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_excel(path)
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
@click.option(
    "--level-order",
    type=click.Choice(LEVEL_ORDERS),
    default="locale",
    show_default=True,
    help="Order of groups and levels: R's in a UTF-8 locale, R's in the C locale "
    "(bytes), or first appearance in the data.",
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
    level_order: LevelOrder,
    as_json: bool,
) -> None:
    """Means and totals of DATA with design-based SEs (as R's svymean/svytotal/svyby)."""
    design = svydesign(
        _read_table(data),
        ids=ids,
        strata=strata,
        weights=weights_col,
        fpc=fpc,
        level_order=level_order,
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


_THEME_TEXTS = {
    "fr": {
        "theme": "Thème",
        "label": "Mots caractéristiques",
        "size": "Réponses",
        "share": "Part",
        "quotes": "Citations représentatives",
        "other": "autres (petits thèmes regroupés)",
        "summary": "{n} réponses, {short} trop courtes, {k} groupes ({chosen})",
    },
    "en": {
        "theme": "Theme",
        "label": "Characteristic words",
        "size": "Answers",
        "share": "Share",
        "quotes": "Representative quotes",
        "other": "other (small themes merged)",
        "summary": "{n} answers, {short} too short, {k} groups ({chosen})",
    },
}


@stats.command("themes")
@click.argument("form_id")
@click.argument("question")
@click.option("--n-themes", type=click.IntRange(min=1), help="Number of groups to make.")
@click.option(
    "--min-count",
    default=DEFAULT_MIN_COUNT,
    show_default=True,
    help="Smallest theme shown with its quotes (never below 5).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--lang", type=click.Choice(["fr", "en"]), help="Language of the texts.")
@ACTING_USER_OR_LOCAL
def themes_command(
    form_id: str,
    question: str,
    n_themes: int | None,
    min_count: int,
    as_json: bool,
    lang: str | None,
    acting: str | None,
) -> None:
    """Group the open answers to QUESTION of FORM_ID into themes, with quotes."""
    from sociaparis.cli.common import acting_or_local, database_session
    from sociaparis.reports.open_answers import form_themes

    check_min_count(min_count)
    with database_session() as session:
        themes = form_themes(
            session=session,
            actor=acting_or_local(session, acting),
            form_id=form_id,
            question=question,
            n_themes=n_themes,
            min_count=min_count,
            lang=lang,
        )
    result = themes.result
    if as_json:
        click.echo(json.dumps(themes.to_dict(), indent=2, ensure_ascii=False))
        return
    words = _THEME_TEXTS.get(themes.lang, _THEME_TEXTS["fr"])
    table = Table(title=escape(themes.label), show_lines=True)
    for key in ("theme", "label", "size", "share", "quotes"):
        table.add_column(
            words[key], justify="right" if key in ("size", "share") else "left"
        )
    for theme in result.themes:
        table.add_row(
            words["other"] if theme.is_other else str(theme.theme),
            escape(theme.label),
            str(theme.size),
            f"{theme.share:.0%}",
            escape("\n".join(f"« {q} »" for q in theme.quotes)),
        )
    console = Console(width=max(120, Console().width))
    console.print(table)
    console.print(
        words["summary"].format(
            n=result.n_answers,
            short=len(result.too_short),
            k=result.n_themes,
            chosen=result.chosen,
        )
    )


def _explorer_study(study_path: Path | None) -> Any:
    """The study of ``--study``, else the configured SOCIAPARIS_STUDY_DIR, else None."""
    from sociaparis.core.config import get_settings
    from sociaparis.survey.study import load_study

    path = study_path or get_settings().study_dir
    return load_study(path) if path is not None else None


_STUDY_OPTION = click.option(
    "--study",
    "study_path",
    type=click.Path(exists=True, path_type=Path),
    help="Study folder (margins, minimum cell count); default SOCIAPARIS_STUDY_DIR.",
)


@stats.command("table")
@click.argument("form_id")
@click.argument("questions", nargs=-1, required=True)
@click.option(
    "--by",
    multiple=True,
    help="Break down by a single-choice question or an attribute (_attr_NAME); "
    "at most twice.",
)
@click.option(
    "--weighting",
    type=click.Choice(["design", "raked"]),
    default="design",
    show_default=True,
    help="Design weights, or raked to the study's population margins.",
)
@click.option("--test", is_flag=True, help="Rao-Scott test of QUESTION by the breakdown.")
@click.option("--ci-level", default=0.95, show_default=True, type=float)
@_STUDY_OPTION
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--r", "as_r", is_flag=True, help="Print the equivalent R code.")
def table_command(
    form_id: str,
    questions: tuple[str, ...],
    by: tuple[str, ...],
    weighting: str,
    test: bool,
    ci_level: float,
    study_path: Path | None,
    lang: str,
    as_json: bool,
    as_r: bool,
) -> None:
    """Weighted shares or means of QUESTIONS of FORM_ID, small cells suppressed
    (the explorer page's twin)."""
    from sociaparis.accounts.service import LOCAL_ADMIN
    from sociaparis.cli.common import database_session
    from sociaparis.reports.explorer import TableRequest, explore_form

    request = TableRequest(
        questions=questions, by=by, weighting=weighting, test=test, ci_level=ci_level
    )
    with database_session() as session:
        result = explore_form(
            session=session,
            actor=LOCAL_ADMIN,
            form_id=form_id,
            request=request,
            study=_explorer_study(study_path),
            lang=lang,
        )
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    if as_r:
        click.echo(result.r_code(), nl=False)
        return
    frame = result.to_frame().drop(columns=["question_label"])
    click.echo(frame.to_string(index=False, na_rep="x"))
    w = result.weights
    click.echo(
        f"n = {result.n}; Kish deff {w.deff_kish:.3f}, effective n {w.n_effective:.1f}, "
        f"weights {w.min_weight:.4g} to {w.max_weight:.4g}; cells under "
        f"{result.min_count} hidden (x)"
    )
    if result.test is not None:
        t = result.test
        click.echo(
            f"{t.method}: F = {t.statistic:.4f}, ndf = {t.parameter['ndf']:.3f}, "
            f"ddf = {t.parameter['ddf']:.3f}, p = {t.p_value:.4g}"
        )


@stats.command("model")
@click.argument("form_id")
@click.argument("response")
@click.argument("predictors", nargs=-1, required=True)
@click.option("--event", help="Answer of RESPONSE counted as 1 (default: its first).")
@click.option(
    "--weighting",
    type=click.Choice(["design", "raked"]),
    default="design",
    show_default=True,
)
@_STUDY_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def model_command(
    form_id: str,
    response: str,
    predictors: tuple[str, ...],
    event: str | None,
    weighting: str,
    study_path: Path | None,
    as_json: bool,
) -> None:
    """Logistic model of RESPONSE (a single-choice question of FORM_ID) on PREDICTORS
    (as R's svyglm with family = quasibinomial())."""
    from sociaparis.accounts.service import LOCAL_ADMIN
    from sociaparis.cli.common import database_session
    from sociaparis.reports.explorer import explore_model

    with database_session() as session:
        model = explore_model(
            session=session,
            actor=LOCAL_ADMIN,
            form_id=form_id,
            response=response,
            predictors=predictors,
            event=event,
            weighting=weighting,
            study=_explorer_study(study_path),
        )
    if as_json:
        click.echo(json.dumps(model.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{response} == {model.event!r}, n = {model.result.n}")
    click.echo(model.result.to_frame().to_string())
