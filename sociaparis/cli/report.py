"""``sociaparis report``: the report of a form's responses as HTML or PDF."""

from __future__ import annotations

from pathlib import Path

import click

from sociaparis.cli.common import (
    ACTING_USER_OR_LOCAL,
    acting_or_local,
    database_session,
    progress_display,
)
from sociaparis.reports.render import chart_count, check_output, write_report
from sociaparis.reports.sections import WEIGHTINGS
from sociaparis.reports.service import form_report
from sociaparis.survey.study import load_study


@click.command("report")
@click.argument("form_id")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Output file: report.html (self-contained) or report.pdf.",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option(
    "--study",
    "study_path",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="Study folder (or study.toml): population margins and minimum cell count.",
)
@click.option(
    "--compare",
    "compare",
    multiple=True,
    help="A select_one question to compare by group (repeatable).",
)
@click.option(
    "--section",
    "sections",
    multiple=True,
    help="Keep only this section (repeatable): participation, weighting, q-<group>, "
    "comparisons, methods. Default: every section.",
)
@click.option(
    "--weighting",
    type=click.Choice(WEIGHTINGS),
    default=None,
    help="design (every respondent weighs 1) or raked (to the --study's margins). "
    "Default: raked when --study has margins for this form, else design.",
)
@ACTING_USER_OR_LOCAL
def report(
    form_id: str,
    out: Path,
    lang: str,
    study_path: Path | None,
    compare: tuple[str, ...],
    sections: tuple[str, ...],
    weighting: str | None,
    acting: str | None,
) -> None:
    """Write the report of FORM_ID's responses: weighted, small cells hidden.

    The report is one self-contained HTML page, or its PDF; see docs/reports.md.
    """
    kind = check_output(out)
    study = load_study(study_path) if study_path is not None else None
    progress = progress_display()
    with progress, database_session() as session:
        task = progress.add_task("Reading responses", total=None)
        built = form_report(
            session=session,
            actor=acting_or_local(session, acting),
            form_id=form_id,
            lang=lang,
            study=study,
            key_questions=list(compare) or None,
            sections=list(sections) or None,
            weighting=weighting,
            loaded=lambda n: progress.advance(task, n),
            progress=lambda done, total, _: progress.update(
                task, description="Computing estimates", completed=done, total=total
            ),
        )
        steps = chart_count(built) + (1 if kind == "pdf" else 0)
        progress.update(task, description="Drawing charts", completed=0, total=steps)
        write_report(built, out, tick=lambda _: progress.advance(task))
    if built.parameters["weighting"] == "design":
        click.echo(
            "Design weights: results are not raked to population margins.", err=True
        )
    click.echo(f"Report of {built.n_responses} responses ({kind.upper()}, {lang}): {out}")
