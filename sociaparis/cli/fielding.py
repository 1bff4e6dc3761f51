"""``sociaparis invite`` (personal invitation links) and ``sociaparis mail``
(invitations and reminders by e-mail)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sociaparis.cli.common import (
    ACTING_USER,
    ACTING_USER_OR_LOCAL,
    JSON_OUTPUT,
    acting_or_local,
    database_session,
    print_json,
)
from sociaparis.core.config import get_settings
from sociaparis.core.private import write_private_text


@click.command()
@click.argument("form_id")
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The invitation list: one row per person (UTF-8 or Windows-1252).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the list with each person's link (written readable "
    "by its owner only: keep it private).",
)
@click.option(
    "--base-url",
    default=None,
    help="The address respondents reach sociaparis at "
    "[default: SOCIAPARIS_BASE_URL, else http://127.0.0.1:8000].",
)
@ACTING_USER_OR_LOCAL
def invite(
    form_id: str,
    csv_path: Path,
    out_path: Path,
    base_url: str | None,
    acting: str | None,
) -> None:
    """Create one single-use invitation per row of the CSV for FORM_ID.

    Only the hash of each token is stored. Columns the study allows (its
    invitation_attributes, e.g. directorate and job category) are recorded on
    the response; every other column (names, e-mails) only goes to the links file.
    """
    from sociaparis.survey.fielding.operations import invite_from_list, read_staff_list

    invitations = read_staff_list(csv_path.read_bytes(), filename=str(csv_path))
    base_url = base_url or get_settings().base_url or "http://127.0.0.1:8000"
    with database_session() as session:
        invited = invite_from_list(
            session=session,
            actor=acting_or_local(session, acting),
            form_id=form_id,
            invitations=invitations,
            base_url=base_url,
        )
    write_private_text(out_path, invited.links_csv)
    click.echo(f"Created {invited.count} invitations for {form_id}; links in {out_path}.")
    click.echo(f"Recorded on responses: {', '.join(invited.recorded) or 'nothing'}.")
    click.echo("The links file gives access to the questionnaire: keep it private.")


@click.group()
def mail() -> None:
    """Send invitations and reminders by e-mail (SOCIAPARIS_SMTP_*), and the send log."""


LINKS = click.option(
    "--links",
    "links_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The links file `sociaparis invite` wrote (read, never stored).",
)
LANG = click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Template language for rows without a 'lang' column.",
)
TEMPLATES = click.option(
    "--templates",
    "template_folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A folder of your own templates (KIND.LANG.txt and KIND.LANG.html).",
)
ADDRESS = click.option(
    "--email-column",
    default=None,
    help="The links file's address column [default: email, e-mail, mail or courriel].",
)
RESEND = click.option(
    "--resend-uncertain",
    is_flag=True,
    help="Send again the messages an interrupted run left uncertain (same Message-ID).",
)


def _send(
    kind: str,
    form_id: str,
    links_path: Path,
    username: str,
    lang: str,
    template_folder: Path | None,
    email_column: str | None,
    resend_uncertain: bool,
    round_number: int,
) -> None:
    from sociaparis.cli.common import open_study
    from sociaparis.core.db import transaction
    from sociaparis.qual.corpus import acting_account
    from sociaparis.survey.fielding.mail import SmtpSettings, read_links_file
    from sociaparis.survey.fielding.mailing import send_mailing

    settings = get_settings()
    smtp = SmtpSettings.from_settings(settings)
    recipients = read_links_file(
        links_path.read_bytes(),
        path=str(links_path),
        default_lang=lang,
        address_column=email_column,
    )
    engine = open_study(settings)
    try:
        with transaction(engine) as session:
            actor = acting_account(session=session, username=username)

        def progress(report: Any) -> None:
            total = len(report.plan.to_send)
            click.echo(f"\r{report.done} of {total}", nl=False, err=True)

        report = send_mailing(
            engine=engine,
            actor=actor,
            form_id=form_id,
            kind=kind,
            recipients=recipients,
            smtp=smtp,
            secret=_secret(settings),
            round_number=round_number,
            template_folder=template_folder,
            resend_uncertain=resend_uncertain,
            report=progress,
        )
    finally:
        engine.dispose()
    plan = report.plan
    click.echo("", err=True)
    click.echo(
        f"{plan.mailing} of {form_id}: {report.sent} sent, {report.failed} refused by "
        f"the server; left out: {len(plan.already_sent)} already sent, "
        f"{len(plan.completed)} completed, {len(plan.opted_out)} opted out, "
        f"{len(plan.uncertain)} uncertain."
    )
    for line, reason in report.failures:
        click.echo(f"line {line}: refused: {reason}")
    if plan.uncertain:
        click.echo(
            "Uncertain messages (an earlier run stopped while handing them over) are "
            "not sent again: see `sociaparis mail log`, and --resend-uncertain."
        )
    if report.stopped and report.uncertain:
        raise click.ClickException(
            f"stopped: the connection to {smtp.host}:{smtp.port} was lost while a "
            f"message was handed over ({report.stopped}); it is left uncertain "
            "(`sociaparis mail log`). Run the same command again to go on."
        )
    if report.stopped:
        raise click.ClickException(
            f"stopped: the SMTP server {smtp.host}:{smtp.port} could not be used "
            f"({report.stopped}); run the same command again to go on."
        )


def _secret(settings: object) -> str:
    from sociaparis.core.config import with_secret_key

    return with_secret_key(settings).secret_key


@mail.command("send")
@click.argument("form_id")
@LINKS
@ACTING_USER
@LANG
@TEMPLATES
@ADDRESS
@RESEND
def send_command(
    form_id: str,
    links_path: Path,
    username: str,
    lang: str,
    template_folder: Path | None,
    email_column: str | None,
    resend_uncertain: bool,
) -> None:
    """E-mail each person of the links file their invitation to FORM_ID.

    Safe to run again: a message the server accepted is never sent twice.
    """
    _send(
        "invitation",
        form_id,
        links_path,
        username,
        lang,
        template_folder,
        email_column,
        resend_uncertain,
        1,
    )


@mail.command("remind")
@click.argument("form_id")
@LINKS
@ACTING_USER
@click.option(
    "--round",
    "round_number",
    type=click.IntRange(1, 99),
    default=1,
    show_default=True,
    help="Which reminder this is (each round goes at most once to each person).",
)
@LANG
@TEMPLATES
@ADDRESS
@RESEND
def remind_command(
    form_id: str,
    links_path: Path,
    username: str,
    round_number: int,
    lang: str,
    template_folder: Path | None,
    email_column: str | None,
    resend_uncertain: bool,
) -> None:
    """E-mail a reminder to those of the links file who have not completed FORM_ID.

    Skips completed invitations (anonymous forms: used ones) and opt-outs.
    """
    _send(
        "reminder",
        form_id,
        links_path,
        username,
        lang,
        template_folder,
        email_column,
        resend_uncertain,
        round_number,
    )


@mail.command("log")
@click.argument("form_id")
@JSON_OUTPUT
def log_command(form_id: str, as_json: bool) -> None:
    """Show FORM_ID's send log: messages by mailing and status, opt-outs."""
    from sociaparis.survey.fielding.mailing import mailing_log

    with database_session() as session:
        log = mailing_log(session=session, form_id=form_id)
    if as_json:
        print_json(log.to_dict())
        return
    if not log.mailings:
        click.echo(f"No e-mail sent for {form_id} yet.")
    for name, counts in log.mailings.items():
        click.echo(
            f"{name}\tsent {counts.get('sent', 0)}\trefused {counts.get('failed', 0)}"
            f"\tuncertain {counts.get('sending', 0)}"
        )
    for mailing, msg_id, attempted in log.uncertain:
        click.echo(f"uncertain\t{mailing}\t{msg_id}\t{attempted:%Y-%m-%d %H:%M:%S}")
    click.echo(f"opted out: {log.opted_out}")
