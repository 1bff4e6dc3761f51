"""Build test objects through the service functions, as the application does."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import create_user
from sociaparis.survey.fielding.service import (
    Fielding,
    PageOutcome,
    configure_fielding,
    open_response,
    plan_submission,
    save_submission,
)
from sociaparis.survey.service import StoredInstrument, add_instrument
from sociaparis.survey.xlsform import parse_xlsform

#: A small questionnaire with every widget the respondent pages draw: a required
#: text, an integer with a constraint, a select_multiple with or_other, a field-list
#: Likert battery, skip logic and a repeat ("for each AI tool"), in fr and en.
FIELDING_FORM = (Path(__file__).parent / "survey" / "forms" / "fielding.md").read_text(
    encoding="utf-8"
)
#: A number with a follow-up on the same page that any answer reveals (as on the
#: CIO survey's licences page): the page is shown again after the first submit.
LICENCES_FORM = (Path(__file__).parent / "survey" / "forms" / "licences.md").read_text(
    encoding="utf-8"
)
#: The transport survey's tool-detail page in small: a repeat (one instance per
#: tool) whose follow-ups ("other" use case, "other" legal basis, false-alarm
#: rate, or_other's "specify") become relevant with answers given in the instance.
TOOL_DETAIL_FORM = (
    Path(__file__).parent / "survey" / "forms" / "tool_detail.md"
).read_text(encoding="utf-8")
#: A question of each type with an XLSForm ``default`` (one in a repeat), and
#: questions named as the invitation attributes (``directorate``, ``job_category``).
DEFAULTS_FORM = (Path(__file__).parent / "survey" / "forms" / "defaults.md").read_text(
    encoding="utf-8"
)

#: One way through FIELDING_FORM, every page accepted: (page, fields, repeat
#: instances shown).
FIELDING_FORM_PAGES: list[tuple[str, dict[str, list[str]], int]] = [
    ("service", {"service": ["DSIN"]}, 0),
    ("hours", {"hours": ["2"]}, 0),
    ("tools", {"tools": ["copilot"]}, 0),
    ("effects", {"quality": ["3"], "speed": ["4"]}, 0),
    ("tool", {"tool_name.1": ["Copilot"], "tool_freq.1": ["daily"]}, 1),
    ("comment", {"comment": ["Rien"]}, 0),
]

NOTICE = {
    "controller": {"fr": "Ville de Paris", "en": "City of Paris"},
    "purpose": {"fr": "Recherche", "en": "Research"},
    "consent": {"fr": "J'accepte.", "en": "I agree."},
}


def add_form(
    session: Session, md: str = FIELDING_FORM, media: Mapping[str, bytes] | None = None
) -> StoredInstrument:
    """Store a markdown XLSForm (with its attachments) as an instrument version."""
    form = parse_xlsform(md.encode("utf-8"), filename="form.md", media=media)
    return add_instrument(session=session, form=form).stored


def field_form(
    session: Session,
    md: str = FIELDING_FORM,
    *,
    anonymous: bool = True,
    open_link: bool = False,
    attributes: tuple[str, ...] = ("directorate", "job_category"),
    opens_on: date | None = None,
    closes_on: date | None = None,
    media: Mapping[str, bytes] | None = None,
) -> str:
    """Store a form and set it up for fielding; return its form id."""
    stored = add_form(session, md, media)
    configure_fielding(
        session=session,
        fielding=Fielding(
            form_id=stored.form_id,
            study_id="test",
            anonymous=anonymous,
            open_link=open_link,
            opens_on=opens_on,
            closes_on=closes_on,
            recorded_attributes=attributes,
            notice=NOTICE,
            min_cell_count=10,
        ),
    )
    return stored.form_id


def submit_page(
    session: Session,
    resume_token: str,
    page_name: str,
    fields: dict[str, list[str]],
    revision: int,
    **options: Any,
) -> PageOutcome:
    """Read, validate and save one page in ``session``'s transaction, as the
    respondent pages do (``options``: those of ``plan_submission``)."""
    view = open_response(session=session, resume_token=resume_token)
    outcome = plan_submission(
        view, page_name=page_name, fields=fields, revision=revision, **options
    )
    now = options.get("now")
    if outcome.accepted and not save_submission(
        session=session, outcome=outcome, now=now
    ):
        return PageOutcome(False, view.current_page, conflict=True, view=view)
    return outcome


def add_role_accounts(session: Session, password: str = "a long enough password") -> None:
    """One account per role, named after it (``researcher``, ``coder``...)."""
    for role in Role:
        create_user(session=session, username=role.value, password=password, role=role)


@contextmanager
def job_workers(server: Any) -> Iterator[None]:
    """One job worker, a thread of this process, on a live server's queue, for
    the length of the ``with`` block."""
    consumer = server.app.state.jobs_queue.consumer(
        workers=1, processes=False, periodic=False
    )
    consumer.start()
    try:
        yield
    finally:
        consumer.stop(graceful=True)
