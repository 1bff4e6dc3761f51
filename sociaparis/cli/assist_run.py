"""``sociaparis assist run``, ``runs``, ``review`` and ``export``: the study-bound
commands of AI-assisted coding (the twins of the workbench's suggestions panel).

They are click commands of the ``assist`` group (:mod:`sociaparis.cli.assist`
attaches :data:`COMMANDS_OF_RUNS`).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sociaparis.cli.common import ACTING_USER, JSON_OUTPUT, database_session, print_json


@click.command("run")
@click.option(
    "--document",
    "documents",
    multiple=True,
    required=True,
    help="A released document (id, GUID or title); repeat for several.",
)
@click.option(
    "--code",
    "codes",
    multiple=True,
    help="A code (id, path 'A > B', name or GUID); repeat; default: all.",
)
@click.option(
    "--suggester",
    type=click.Choice(["offline", "llm"]),
    default="offline",
    show_default=True,
    help="The offline suggester needs no endpoint.",
)
@click.option("--endpoint", default=None, help="OpenAI-compatible base URL (llm).")
@click.option("--model", default=None, help="The model's name at the endpoint (llm).")
@ACTING_USER
@JSON_OUTPUT
def run_command(
    documents: tuple[str, ...],
    codes: tuple[str, ...],
    suggester: str,
    endpoint: str | None,
    model: str | None,
    username: str,
    as_json: bool,
) -> None:
    """Run a suggester over released documents: its passages are stored as
    suggestions to review (`assist review`), never as codings."""  # fmt: skip
    from sociaparis.assist.run_job import build_suggester
    from sociaparis.assist.service import codable_codes, get_run, start_run
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        chosen = list(codes) or codable_codes(session)
        built = build_suggester(session, suggester=suggester, url=endpoint, model=model)
        run = start_run(
            session,
            actor,
            built,
            documents=list(documents),
            codes=chosen,
            progress=lambda n, total, title: click.echo(f"{n}/{total} {title}", err=True),
            parameters={"suggester": suggester},
        )
        info = get_run(session=session, viewer=actor, run=run.id)
    if as_json:
        print_json(info.to_dict())
        return
    click.echo(_run_line(info))


def _run_line(info: object) -> str:
    from sociaparis.assist.service import RunInfo

    assert isinstance(info, RunInfo)
    energy = (
        f"~{info.energy_wh:.3g} Wh (estimate, {info.energy_range[0]:.2g}"
        f"–{info.energy_range[1]:.2g})"
        if info.energy_wh is not None and info.energy_range is not None
        else "no energy estimate"
    )
    counts = ", ".join(f"{n} {s}" for s, n in info.counts.items())
    rejected = sum(info.rejected_by_reason.values())
    return (
        f"run {info.id}\t{info.status}\t{info.coder}\t{info.documents} documents\t"
        f"{info.calls} calls\t{info.prompt_tokens}+{info.completion_tokens} tokens\t"
        f"{energy}\t{counts}\t{rejected} rejected"
    )


@click.command("runs")
@ACTING_USER
@JSON_OUTPUT
def runs_command(username: str, as_json: bool) -> None:
    """List the runs, newest first, with their tokens, energy and suggestions."""
    from sociaparis.assist.service import list_runs
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        runs = list_runs(session=session, viewer=actor)
    if as_json:
        print_json({"runs": [r.to_dict() for r in runs]})
        return
    for info in runs:
        click.echo(_run_line(info))


@click.command("review")
@click.option("--run", "run_id", type=int, default=None, help="Only this run's.")
@click.option("--document", default=None, help="Only this document's.")
@click.option(
    "--code",
    default=None,
    help="Only this code's; with one --accept, the code to accept it as.",
)
@click.option(
    "--status",
    type=click.Choice(["proposed", "accepted", "rejected", "all"]),
    default="proposed",
    show_default=True,
)
@click.option(
    "--min-confidence",
    type=float,
    default=None,
    help="Only suggestions at least this sure (0 to 1).",
)
@click.option("--accept", "accept", multiple=True, type=int, help="Accept suggestion ID.")
@click.option("--reject", "reject", multiple=True, type=int, help="Reject suggestion ID.")
@click.option("--start", type=int, default=None, help="With one --accept: new start.")
@click.option("--end", type=int, default=None, help="With one --accept: new end.")
@ACTING_USER
@JSON_OUTPUT
def review_command(
    run_id: int | None,
    document: str | None,
    code: str | None,
    status: str,
    min_confidence: float | None,
    accept: tuple[int, ...],
    reject: tuple[int, ...],
    start: int | None,
    end: int | None,
    username: str,
    as_json: bool,
) -> None:
    """List suggestions, or accept and reject them.

    Without --accept or --reject, lists the suggestions (filtered). --accept ID
    creates a coding of the run's coder (repeat for several); with one --accept,
    --start/--end/--code accept it with other bounds or another code (the quote
    follows). --reject ID rejects. Deciding again the same way changes nothing.
    """  # fmt: skip
    from sociaparis.assist.run_errors import AssistRunError
    from sociaparis.assist.service import (
        accept_suggestion,
        decide_many,
        list_suggestions,
    )
    from sociaparis.core.errors import SociaparisError
    from sociaparis.qual.corpus import acting_account

    editing = start is not None or end is not None
    with database_session() as session:
        actor = acting_account(session=session, username=username)
        if not accept and not reject:
            if editing:
                raise SociaparisError(AssistRunError.NO_DECISION)
            found = list_suggestions(
                session=session,
                viewer=actor,
                run=run_id,
                document=document,
                code=code,
                status=None if status == "all" else status,
                min_confidence=min_confidence,
            )
            if as_json:
                print_json({"suggestions": [s.to_dict() for s in found]})
                return
            for s in found:
                sure = "-" if s.confidence is None else f"{s.confidence:.2f}"
                click.echo(
                    f"{s.id}\t{s.status}\t{s.title}\t{s.code}\t{s.start}:{s.end}\t"
                    f"{sure}\t{s.quote[:80]}"
                )
            return
        results: dict[str, object] = {}
        if len(accept) == 1 and (editing or code is not None):
            info = accept_suggestion(session=session, actor=actor,
                                     suggestion=accept[0], start=start, end=end,
                                     code=code)  # fmt: skip
            results["accepted"] = info.to_dict()
        elif accept:
            if editing:
                raise SociaparisError(AssistRunError.NO_DECISION)
            results["accept"] = decide_many(session=session, actor=actor,
                                            suggestions=accept,
                                            decision="accept").to_dict()  # fmt: skip
        if reject:
            results["reject"] = decide_many(session=session, actor=actor,
                                            suggestions=reject,
                                            decision="reject").to_dict()  # fmt: skip
    if as_json:
        print_json(results)
        return
    for what, result in results.items():
        if what == "accepted":
            assert isinstance(result, dict)
            click.echo(f"accepted {result['id']}: {result['code']} "
                       f"{result['start']}:{result['end']}")  # fmt: skip
            continue
        assert isinstance(result, dict)
        refused = ", ".join(f"{r['id']} ({r['error']})" for r in result["refused"])
        click.echo(
            f"{what}: {len(result['decided'])} decided, "
            f"{len(result['unchanged'])} already so"
            + (f", refused: {refused}" if refused else "")
        )


@click.command("export")
@click.argument("run_id", metavar="RUN", type=int)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The JSON file to write.",
)
@ACTING_USER
def export_command(run_id: int, output: Path, username: str) -> None:
    """Write RUN as JSON: settings, every call, suggestions and decisions,
    rejections (format sociaparis-assist-run/1, replayable)."""  # fmt: skip
    from sociaparis.assist.service import export_run
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        data = export_run(session=session, actor=actor, run=run_id)
    output.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"run {run_id}: {len(data['calls'])} calls, "
               f"{len(data['suggestions'])} suggestions -> {output}")  # fmt: skip


@click.command("replay-run")
@click.argument("run_id", metavar="RUN", type=int)
@ACTING_USER
@JSON_OUTPUT
def replay_run_command(run_id: int, username: str, as_json: bool) -> None:
    """Ask a model's RUN its questions again of the recorded answers (no network)
    and compare the passages with those the run stored; exits 1 when they differ."""
    from sociaparis.assist.replay_service import replay_stored_run
    from sociaparis.qual.corpus import acting_account

    with database_session() as session:
        actor = acting_account(session=session, username=username)
        check = replay_stored_run(session=session, actor=actor, run=run_id)
    if as_json:
        print_json(check.to_dict())
    else:
        click.echo(
            f"run {check.run}: {check.calls} recorded calls, {check.documents} "
            f"documents; {check.replayed} passages replayed, {check.stored} stored: "
            + ("identical" if check.identical else "DIFFERENT")
        )
        for code, start, end in check.missing:
            click.echo(f"  stored, not replayed: {code} [{start}, {end})")
        for code, start, end in check.extra:
            click.echo(f"  replayed, not stored: {code} [{start}, {end})")
    if not check.identical:
        raise SystemExit(1)


#: the commands the ``assist`` group gets from this module
COMMANDS_OF_RUNS = (
    run_command,
    runs_command,
    review_command,
    export_command,
    replay_run_command,
)
