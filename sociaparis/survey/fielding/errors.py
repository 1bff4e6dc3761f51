"""Error catalog of survey fielding (``FIELD_xxx``)."""

from __future__ import annotations

from sociaparis.core.errors import ErrorCode


class FieldingError(ErrorCode):
    """Errors met while inviting respondents and saving their answers."""

    NOT_FIELDED = (
        "FIELD_001",
        "The form '{form_id}' is not set up for fielding. Load its study with "
        "`sociaparis study load DIR` (or `sociaparis demo`).",
    )
    NOT_OPEN_YET = ("FIELD_002", "This questionnaire opens on {opens}.")
    CLOSED = ("FIELD_003", "This questionnaire closed on {closes}.")
    UNKNOWN_INVITATION = (
        "FIELD_004",
        "This invitation link is not valid. Check that the whole link was copied.",
    )
    INVITATION_USED = (
        "FIELD_005",
        "This invitation has already been used. To go on with your answers, use the "
        "private link shown on the questionnaire's pages.",
    )
    UNKNOWN_RESPONSE = (
        "FIELD_006",
        "This link does not lead to a questionnaire in progress. Check that the "
        "whole link was copied.",
    )
    NO_OPEN_LINK = (
        "FIELD_007",
        "The form '{form_id}' is fielded by personal invitation only.",
    )
    BAD_INVITATION_CSV = (
        "FIELD_008",
        "{path}, line {line}: {reason}",
    )
    ATTRIBUTE_NOT_ALLOWED = (
        "FIELD_009",
        "The column '{column}' may not be recorded on responses to '{form_id}'; the "
        "study allows: {allowed}. Remove it from the CSV or add it to the study's "
        "invitation_attributes.",
    )
    TOO_MANY_FIELDS = (
        "FIELD_010",
        "The page sent {count} fields, more than the {limit} a page can hold.",
    )
    USE_KEY_CHANGED = (
        "FIELD_011",
        "This questionnaire cannot start new responses right now: the server's "
        "secret key changed since the first invitation to '{form_id}' was used, so "
        "used invitations could not be recognised. The administrator must restore "
        "the previous SOCIAPARIS_SECRET_KEY (docs/fielding.md, Anonymity).",
    )
    CLOSED_BY_RESEARCHER = (
        "FIELD_012",
        "This questionnaire is closed: it no longer accepts new responses.",
    )
    NOT_ALLOWED = (
        "FIELD_013",
        "The account '{user}' ({role}) may not {action}: only researchers and "
        "administrators field surveys.",
    )
    BAD_LINKS_FILE = (
        "FIELD_014",
        "{path}: {reason}",
    )
    BAD_MAIL_TEMPLATE = (
        "FIELD_015",
        "The e-mail template '{template}' cannot be used: {reason}",
    )
    SMTP_NOT_CONFIGURED = (
        "FIELD_016",
        "No SMTP server is configured: set SOCIAPARIS_SMTP_HOST and "
        "SOCIAPARIS_SMTP_SENDER (docs/fielding.md, E-mail).",
    )
    MAILING_RUNNING = (
        "FIELD_017",
        "A mailing for '{form_id}' is already being sent by this server; wait until "
        "it ends (its progress is in the send log).",
    )
    DOWNLOAD_NOT_ALLOWED = (
        "FIELD_018",
        "The role '{role}' may read the monitoring tables but not download them; "
        "ask an administrator for the researcher role.",
    )
    NO_SUCH_TABLE = (
        "FIELD_019",
        "This form has no monitoring table '{table}'. Choose one of: {tables}.",
    )
    UPLOAD_DISK_FULL = (
        "FIELD_020",
        "A file of {size} bytes sent to '{form_id}' was not stored: the disk of "
        "{folder} has {free} bytes free, and sociaparis keeps "
        "SOCIAPARIS_UPLOAD_MIN_FREE_BYTES={reserve} free. Free space on that disk "
        "or move the data folder; respondents are asked to try again later.",
    )
    UPLOAD_QUOTA = (
        "FIELD_021",
        "A file of {size} bytes sent to '{form_id}' was not stored: the uploads in "
        "{folder} already take {used} bytes of the "
        "SOCIAPARIS_UPLOAD_QUOTA_BYTES={quota}. Raise the quota (and check the "
        "disk) or remove files; respondents are asked to try again later.",
    )
    RESPONSE_NOT_FOUND = (
        "FIELD_022",
        "No response has the id '{response_id}'. Copy it from the _id column of an "
        "export.",
    )
