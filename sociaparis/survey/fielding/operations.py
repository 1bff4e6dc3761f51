"""What a researcher does to field a form: check and store a version, open and
close fielding, create invitations from the staff list.

The browser (``web/workbench/``) and the command line (``sociaparis instrument``,
``sociaparis invite``) call these same functions. Each takes the acting account
(the command line's: ``--user``, else the local admin in single-user mode),
refuses (``FIELD_013``) a role that may not field surveys, and writes what it
did to the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sociaparis.accounts.audit import record_audit
from sociaparis.accounts.roles import Role
from sociaparis.accounts.service import Account
from sociaparis.core.errors import Issue, Reason, SociaparisError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.invitation_csv import (
    InvitationList,
    read_invitation_csv,
    write_links_csv,
)
from sociaparis.survey.fielding.service import (
    IN_PROGRESS,
    Fielding,
    PageOutcome,
    ResponseView,
    create_invitations,
    get_fielding,
    plan_submission,
)
from sociaparis.survey.fielding.submission import FormFields
from sociaparis.survey.instrument import Group, Instrument, Question
from sociaparis.survey.models import FieldingRecord
from sociaparis.survey.service import AddResult, add_instrument
from sociaparis.survey.simulate import simulate
from sociaparis.survey.xlsform import XLSFormResult, parse_xlsform

#: The largest XLSForm accepted from the browser (the bundled forms are < 100 kB).
MAX_FORM_BYTES = 5_000_000


def require_fielder(actor: Account, action: str) -> None:
    """Raise ``FIELD_013`` unless ``actor`` may field surveys."""
    if not Role(actor.role).can_field_survey():
        raise SociaparisError(
            FieldingError.NOT_ALLOWED,
            user=actor.username,
            role=str(actor.role),
            action=action,
        )


# -- form versions --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What checking an XLSForm found: the form (None when refused) and the
    problems, each with its code, message and location (sheet, row, column).

    Attributes
    ----------
    filename
        The file checked.
    form
        The parsed form, or None when an error refused it.
    errors
        The error that refused it (pyxform's and ours stop at the first one).
    warnings
        Problems that do not stop the form from working.
    """

    filename: str
    form: XLSFormResult | None
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = field(default_factory=tuple)
    _refusal: SociaparisError | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether the form can be stored."""
        return self.form is not None

    def summary(self) -> list[tuple[str, str]]:
        """The lines ``instrument check`` prints before the warnings, as pairs."""
        if self.form is None:
            return []
        model = self.form.instrument
        questions = [q for q in model.items if isinstance(q, Question)]
        repeats = [g for g in model.items if isinstance(g, Group) and g.kind == "repeat"]
        return [
            ("form_id", model.form_id),
            ("title", model.title),
            ("version", model.version or "(none; numbered when added)"),
            (
                "languages",
                f"{', '.join(model.languages)} (default {model.default_language})",
            ),
            ("pages", str(len(model.pages()))),
            ("questions", str(len(questions))),
            ("repeats", str(len(repeats))),
        ]


def check_form(data: bytes, *, filename: str) -> CheckReport:
    """Check an XLSForm given as bytes, as ``sociaparis instrument check`` does.

    Never raises for a bad form: the refusal is the report's error, with its
    location. A file over :data:`MAX_FORM_BYTES` is refused the same way.
    """
    if len(data) > MAX_FORM_BYTES:
        error = SociaparisError(
            SurveyError.FORM_UNREADABLE,
            path=filename,
            reason=Reason(
                en=f"the file is larger than {MAX_FORM_BYTES // 1_000_000} MB",
                fr=f"le fichier dépasse {MAX_FORM_BYTES // 1_000_000} Mo",
            ),
        )
        return CheckReport(filename, None, (_issue(error),), _refusal=error)
    try:
        form = parse_xlsform(data, filename=filename)
    except SociaparisError as error:
        return CheckReport(filename, None, (_issue(error),), _refusal=error)
    return CheckReport(filename, form, (), tuple(form.warnings))


def _issue(error: SociaparisError) -> Issue:
    return Issue.of(error.error, error.location, **error.context)


def add_form_version(
    *, session: Session, actor: Account, report: CheckReport
) -> AddResult:
    """Store a checked form as a new version (``instrument add``); ``FIELD_013``
    for a role that may not field surveys, the report's error if it has one."""
    require_fielder(actor, "add questionnaire versions")
    if report.form is None:
        raise report._refusal or ValueError("a refused form cannot be stored")
    return store_form_version(
        session=session, actor=actor, form=report.form, filename=report.filename
    )


def store_form_version(
    *, session: Session, actor: Account, form: XLSFormResult, filename: str = ""
) -> AddResult:
    """Store a parsed form (with its attachments) as a new version
    (``instrument add``); ``FIELD_013`` for a role that may not field surveys.
    Written to the audit log."""
    require_fielder(actor, "add questionnaire versions")
    added = add_instrument(session=session, form=form)
    record_audit(
        session=session,
        actor=actor,
        action="form.add",
        target=added.stored.form_id,
        details={
            "version": added.stored.version,
            "new": added.created,
            "file": filename,
        },
    )
    return added


def simulate_answers(
    instrument: Any, answers_text: str, *, lang: str | None = None
) -> dict[str, Any]:
    """What ``instrument simulate`` prints, for answers given as JSON text.

    Raises ``SURVEY_020`` when the text is not JSON, ``SURVEY_021`` when its
    shape does not fit the form.
    """
    import json

    try:
        answers = json.loads(answers_text)
    except json.JSONDecodeError as exc:
        raise SociaparisError(
            SurveyError.ANSWERS_NOT_JSON,
            path="answers",
            reason=Reason(
                en=f"{exc.msg} at line {exc.lineno}, column {exc.colno}",
                fr=f"{exc.msg} à la ligne {exc.lineno}, colonne {exc.colno}",
            ),
        ) from exc
    return simulate(instrument, answers, lang=lang)


# -- open and close -------------------------------------------------------------------


def set_fielding_closed(
    *, session: Session, actor: Account, form_id: str, closed: bool
) -> Fielding:
    """Close a form's fielding (no response starts) or open it again.

    Opening only lifts the researcher's closure: the study's first and last
    days still apply. Responses in progress may be finished either way.
    """
    require_fielder(actor, "open or close fielding")
    get_fielding(session=session, form_id=form_id)  # FIELD_001 if not fielded
    record = session.scalar(
        select(FieldingRecord).where(FieldingRecord.form_id == form_id)
    )
    record.closed = closed
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="fielding.close" if closed else "fielding.open",
        target=form_id,
    )
    return get_fielding(session=session, form_id=form_id)


# -- invitations ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvitedList:
    """Invitations created from a staff list.

    Attributes
    ----------
    count
        Invitations created.
    recorded
        The list's columns stored on the invitations (the study's
        ``invitation_attributes``); every other column went to the links file only.
    links_csv
        The links file: the list with each person's ``link``. Never stored.
    """

    count: int
    recorded: tuple[str, ...]
    links_csv: str


def invite_from_list(
    *,
    session: Session,
    actor: Account,
    form_id: str,
    invitations: InvitationList,
    base_url: str,
) -> InvitedList:
    """Create one invitation per row of a staff list and build its links file.

    What ``sociaparis invite`` and the invitations page both do: only the
    columns the study records are stored (with each token's hash); the links
    file, returned and never stored, holds every column and the links.
    """
    require_fielder(actor, "create invitations")
    allowed = set(get_fielding(session=session, form_id=form_id).recorded_attributes)
    created = create_invitations(
        session=session,
        form_id=form_id,
        attributes=[
            {k: v for k, v in row.items() if k in allowed} for row in invitations.rows
        ],
    )
    links = [f"{base_url.rstrip('/')}/i/{invitation.token}" for invitation in created]
    recorded = tuple(sorted(allowed & set(invitations.columns)))
    record_audit(
        session=session,
        actor=actor,
        action="invitations.create",
        target=form_id,
        details={"count": len(created)},
    )
    return InvitedList(len(created), recorded, write_links_csv(invitations, links))


def read_staff_list(data: bytes, *, filename: str) -> InvitationList:
    """Read a staff CSV (``FIELD_008`` naming the line when it cannot be used)."""
    return read_invitation_csv(data, path=filename)


def instrument_versions(stored: Sequence[Any]) -> dict[str, list[Any]]:
    """Stored versions grouped by form id, newest first."""
    grouped: dict[str, list[Any]] = {}
    for entry in stored:
        grouped.setdefault(entry.form_id, []).append(entry)
    for versions in grouped.values():
        versions.sort(key=lambda v: v.version_number, reverse=True)
    return grouped


# -- preview --------------------------------------------------------------------------


def preview_step(
    instrument: Instrument,
    *,
    answers: Mapping[str, Any],
    page_name: str,
    fields: FormFields,
    action: str = "next",
    instances: int = 0,
    lang: str | None = None,
    messages: Mapping[str, str] | None = None,
) -> PageOutcome:
    """One page of a preview, judged as a respondent's page is, saved nowhere.

    The answers so far travel with the preview page (the researcher's own
    browser), never in the database; the outcome says which page comes next
    (None: the end), or why the page is refused.
    """
    view = ResponseView(
        id="preview",
        status=IN_PROGRESS,
        answers=dict(answers),
        current_page=page_name,
        revision=0,
        instrument=instrument,
        instrument_id=0,
        form_id=instrument.form_id,
        anonymous=True,
    )
    return plan_submission(
        view,
        page_name=page_name,
        fields=fields,
        revision=0,
        action=action,
        instances=instances,
        lang=lang,
        messages=messages,
    )


def preview_answers(text: str) -> dict[str, Any]:
    """The answers a preview page carried (an object), or none if unreadable."""
    import json

    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
