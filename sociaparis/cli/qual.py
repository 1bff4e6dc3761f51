"""``sociaparis qual``: documents, pseudonymization, coding, agreement."""

from __future__ import annotations

import click


@click.group()
def qual() -> None:
    """Import, pseudonymize and code interviews; measure inter-coder agreement."""


@qual.command("agreement")
@click.argument("case_file", type=click.Path(exists=True, dir_okay=False))
def agreement_command(case_file: str) -> None:
    """Recompute a reliability case (JSON) and print it back with our `value`."""
    import json

    from sociaparis.analysis.reliability import run_case

    try:
        with open(case_file, encoding="utf-8") as handle:
            case = json.load(handle)
        result = run_case(case)
    except (ValueError, TypeError) as exc:
        raise click.ClickException(f"{case_file}: {exc}") from None
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
