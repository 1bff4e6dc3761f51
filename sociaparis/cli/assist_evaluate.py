"""``sociaparis assist evaluate``, ``assist offline`` and ``assist similar``: the
AI's agreement with a person per code, and the offline suggester's help.

They are click commands of the ``assist`` group (:mod:`sociaparis.cli.assist`
attaches :data:`COMMANDS_OF_EVALUATION`).  The page ``/qual/assist/evaluation``
is their twin.
"""

from __future__ import annotations

import click

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json

_UNIT = click.option(
    "--unit",
    type=click.Choice(["turns", "paragraphs", "segments"]),
    default="turns",
    show_default=True,
    help="Units compared, as for the human agreement (documents without turns "
    "use their paragraphs).",
)


def _interval(value: float, ci: tuple[float, float] | None) -> str:
    if value != value:
        return "–"
    if ci is None:
        return f"{value:.3f}"
    return f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def evaluation_table(result: object) -> str:
    """The readable table of an :class:`~sociaparis.assist.evaluation.Evaluation`."""
    from sociaparis.assist.evaluation import RELIABLE, TENTATIVE, Evaluation

    assert isinstance(result, Evaluation)
    level = f"{result.confidence:.0%}"
    header = ("code", f"kappa [{level}]", f"alpha [{level}]", f"precision [{level}]",
              f"recall [{level}]", "units AI/person/both", "reading")  # fmt: skip
    rows = [header]
    for x in [*result.codes, result.overall]:
        reading = x.trust + (
            "" if x.settled or x.trust == "undefined" else " (interval below)"
        )
        rows.append((
            x.code, _interval(x.kappa, x.kappa_ci), _interval(x.alpha, x.alpha_ci),
            _interval(x.precision, x.precision_ci), _interval(x.recall, x.recall_ci),
            f"{x.both + x.ai_only}/{x.both + x.human_only}/{x.both}",
            reading if x.code != "(overall)" else "",
        ))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [
        f"{result.ai} against {result.human}: {result.source}; {result.n_units} "
        f"{result.unit} in {result.n_documents} documents",
        *("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
          for r in rows),
    ]  # fmt: skip
    trusted = ", ".join(result.trusted) or "no code"
    lines.append(
        f"The AI agrees with {result.human} reliably (alpha >= {RELIABLE:.3f}) on: "
        f"{trusted}; tentatively from alpha >= {TENTATIVE:.3f}."
    )
    if result.bootstrap:
        lines.append(
            f"kappa and alpha intervals: {result.bootstrap} bootstrap replicates over "
            f"documents, seed {result.seed}; precision and recall: Wilson."
        )
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)


@click.command("evaluate")
@click.option("--run", "run_id", type=int, default=None, help="A stored run's id.")
@click.option(
    "--offline",
    is_flag=True,
    help="The offline suggester, by cross-validation by document.",
)
@click.option(
    "--coder", required=True, help="The person to compare with (login or name)."
)
@click.option(
    "--folds", type=int, default=5, show_default=True, help="Folds (--offline)."
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Lowest score of a suggestion (--offline).",
)
@_UNIT
@click.option("--size", type=int, default=500, show_default=True, help="Segment length.")
@click.option(
    "--min-overlap",
    type=int,
    default=1,
    show_default=True,
    help="Code points a passage must share with a unit.",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(0),
    default=200,
    show_default=True,
    help="Bootstrap replicates of the kappa and alpha intervals (0: none).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@ACTING_USER
@JSON_OUTPUT
def evaluate_command(
    run_id: int | None,
    offline: bool,
    coder: str,
    folds: int,
    threshold: float,
    unit: str,
    size: int,
    min_overlap: int,
    bootstrap: int,
    seed: int,
    username: str,
    as_json: bool,
) -> None:
    """How far the AI agrees with a person, per code: Cohen's kappa and
    Krippendorff's alpha on the units of the human agreement, precision and
    recall, with intervals, and for which codes the AI can be trusted.

    Give a run (--run N: its suggestions, whatever their status) or --offline
    (the offline suggester, trained on the other documents' codings).
    """
    from sociaparis.assist.evaluation_service import evaluate_offline, evaluate_run
    from sociaparis.qual.corpus import acting_account

    if (run_id is None) == (not offline):
        raise click.UsageError("give either --run N or --offline")
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        common = {"session": session, "actor": actor, "coder": coder, "unit": unit,
                  "size": size, "min_overlap": min_overlap, "bootstrap": bootstrap,
                  "seed": seed}  # fmt: skip
        if offline:
            result = evaluate_offline(folds=folds, threshold=threshold, **common)
        else:
            assert run_id is not None
            result = evaluate_run(run=run_id, **common)
    if as_json:
        print_json(result.to_dict())
    else:
        click.echo(evaluation_table(result))


def _passages(help_: object, as_json: bool) -> None:
    from sociaparis.assist.evaluation_service import OfflineHelp

    assert isinstance(help_, OfflineHelp)
    if as_json:
        print_json(help_.to_dict())
        return
    for p in help_.passages:
        quote = " ".join(p.quote.split())
        quote = quote if len(quote) <= 100 else quote[:99] + "…"
        why = f"\t{p.rationale}" if p.rationale else ""
        click.echo(
            f"{p.score:.2f}\t{p.code}\t{p.document}\t{p.start}\t{p.end}\t{quote}{why}"
        )
    if not help_.passages:
        click.echo("no passage")
    for note in help_.notes:
        click.echo(f"note: {note}")


@click.command("offline")
@click.argument("document")
@click.option(
    "--code", "codes", multiple=True, help="A code (path or name); repeat; default: all."
)
@click.option(
    "--coder", default=None, help="Learn from this person only (default: every person)."
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Lowest score of a passage.",
)
@click.option(
    "--top",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Most passages per code.",
)
@ACTING_USER
@JSON_OUTPUT
def offline_command(
    document: str,
    codes: tuple[str, ...],
    coder: str | None,
    threshold: float,
    top: int,
    username: str,
    as_json: bool,
) -> None:
    """Train the offline suggester on the people's codings and print, per code,
    the uncoded turns (or paragraphs) of DOCUMENT it proposes, best first:
    score, code, document, start, end, text, words that weighed most.

    Needs no endpoint; nothing is stored (`assist run --suggester offline` stores
    suggestions to review).
    """
    from sociaparis.assist.evaluation_service import offline_suggestions
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        result = offline_suggestions(
            session=session, actor=actor, document=document, coder=coder,
            codes=list(codes) or None, threshold=threshold, top_k=top,
        )  # fmt: skip
    _passages(result, as_json)


@click.command("similar")
@click.argument("code")
@click.option(
    "--coder", default=None, help="Passages of this person only (default: every person)."
)
@click.option(
    "--top",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="Most passages.",
)
@ACTING_USER
@JSON_OUTPUT
def similar_command(
    code: str, coder: str | None, top: int, username: str, as_json: bool
) -> None:
    """Find more passages like these: the turns (or paragraphs) of released
    documents most like the passages people coded with CODE, not coded with it
    yet, with their similarity (0-1), best first. Needs no endpoint."""
    from sociaparis.assist.evaluation_service import find_more
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        result = find_more(
            session=session, actor=actor, code=code, coder=coder, top_k=top
        )
    _passages(result, as_json)


#: the commands the ``assist`` group gets
COMMANDS_OF_EVALUATION = (evaluate_command, offline_command, similar_command)
