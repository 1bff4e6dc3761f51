"""``sociaparis register``: the transport register of image-recognition systems,
its AI Act screening (not legal advice) and its exports; and ``sociaparis cases
from-repeat``, one case per repeat instance of any form.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json

FORM_OPTION = click.option(
    "--form",
    "form_id",
    default="sociaparis_transport_vision",
    show_default=True,
    help="The transport form.",
)
FILTER_OPTION = click.option(
    "--filter",
    "filters",
    multiple=True,
    help="NAME=CODE (mode, status, personal_data, biometric, legal_basis, dpia, "
    "oversight, evaluation, verdict); repeat it.",
)
RULES_OPTION = click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Screening rules table (default: studies/sociaparis/ai_act_rules.csv).",
)


def _filters(items: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(f"'{item}' is not NAME=CODE", param_hint="--filter")
        out.setdefault(name.strip(), []).append(value.strip())
    return out


def _register(session: Any, form_id: str, filters: tuple[str, ...], rules: Path | None,
              lang: str) -> Any:  # fmt: skip
    from sociaparis.compare.register.screening import DEFAULT_RULES
    from sociaparis.compare.register.service import build_register
    from sociaparis.core.config import get_settings

    return build_register(
        session=session, form_id=form_id, filters=_filters(filters),
        rules_path=rules or DEFAULT_RULES,
        min_count=get_settings().min_cell_count, lang=lang,
    )  # fmt: skip


@click.group()
def register() -> None:
    """The register of image-recognition systems (transport survey)."""


@register.command("show")
@FORM_OPTION
@FILTER_OPTION
@RULES_OPTION
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@JSON_OUTPUT
def show_command(
    form_id: str,
    filters: tuple[str, ...],
    rules_path: Path | None,
    lang: str,
    as_json: bool,
) -> None:
    """List the named systems with their screening, and the counts."""
    with database_session() as session:
        result = _register(session, form_id, filters, rules_path, lang)
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(result.disclaimer)
    click.echo(
        f"{result.total} systems counted, {result.unnamed} of organisations that did "
        "not agree to be named (counted only)."
    )
    for system in result.systems:
        verdict = result.verdict_labels.get(system.screening.verdict)
        rules = ", ".join(f.rule.id for f in system.screening.fired) or "-"
        click.echo(
            f"{system.key}\t{system.organisation}\t{system.labels['tool_name']}\t"
            f"{verdict}\t{rules}"
        )


@register.command("export")
@click.argument(
    "fmt",
    metavar="FORMAT",
    type=click.Choice(["csv", "xlsx", "json", "atrs", "annex-viii", "etalab"]),
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True
)
@FORM_OPTION
@FILTER_OPTION
@RULES_OPTION
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def export_command(
    fmt: str,
    output: Path,
    form_id: str,
    filters: tuple[str, ...],
    rules_path: Path | None,
    lang: str,
) -> None:
    """Write the register (CSV, XLSX, JSON) or its standard records (ATRS, AI Act
    Annex VIII, Etalab inventory) to a file."""
    from sociaparis.compare.register.exports import register_file

    with database_session() as session:
        result = _register(session, form_id, filters, rules_path, lang)
    output.write_bytes(register_file(result, fmt))
    click.echo(f"{len(result.systems)} named systems written to {output}")


@register.command("rules")
@RULES_OPTION
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
def rules_command(rules_path: Path | None, lang: str) -> None:
    """Check and list the screening rules (each with the article it reads)."""
    from sociaparis.compare.register.screening import DEFAULT_RULES, read_rules

    for rule in read_rules(rules_path or DEFAULT_RULES):
        click.echo(f"{rule.id}\t{rule.outcome}\t{rule.article}\t{rule.condition}")


@register.command("frame")
@click.option("--frame", default="transport_systems", show_default=True)
@FORM_OPTION
@ACTING_USER
def frame_command(frame: str, form_id: str, username: str) -> None:
    """Build the systems frame (one case per system, 0/1 dimensions for QCA)."""
    from sociaparis.compare.register.service import build_systems_frame
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        result = build_systems_frame(
            session=session,
            actor=acting_account(session=session, username=username),
            frame=frame,
            form_id=form_id,
        )
    click.echo(
        f"{result.frame}: {result.cells} cells in {len(result.cases)} cases "
        f"({result.created_cases} new)"
    )


@click.command("from-repeat")
@click.argument("form_id")
@click.argument("repeat")
@click.option("--frame", required=True, help="The frame to fill (created if new).")
@click.option(
    "--join", "joins", multiple=True, help="A repeat joined by instance number."
)
@click.option(
    "--question",
    "questions",
    multiple=True,
    help="A dimension (question name); default: every question.",
)
@click.option("--include-in-progress", is_flag=True, help="Use unfinished responses.")
@click.option("--lang", help="Language of the dimension labels.")
@ACTING_USER
def from_repeat_command(
    form_id: str,
    repeat: str,
    frame: str,
    joins: tuple[str, ...],
    questions: tuple[str, ...],
    include_in_progress: bool,
    lang: str | None,
    username: str,
) -> None:
    """One case per instance of REPEAT (joined repeats by instance number, the
    response's other answers as attributes)."""
    from sociaparis.compare.register.repeats import cells_from_repeat
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        result = cells_from_repeat(
            session=session,
            actor=acting_account(session=session, username=username),
            frame=frame,
            form_id=form_id,
            repeat=repeat,
            join=joins,
            questions=questions or None,
            include_in_progress=include_in_progress,
            lang=lang,
        )
    click.echo(
        f"{result.frame}: {result.cells} cells in {len(result.cases)} cases "
        f"({result.created_cases} new), dimensions: {len(result.dimensions)}"
    )
