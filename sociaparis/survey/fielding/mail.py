"""Invitation and reminder e-mails: the links file, templates, messages, SMTP.

Pure functions and a small SMTP transport; what is journaled in the database is
in :mod:`sociaparis.survey.fielding.mailing`.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from sociaparis.core.config import Settings
from sociaparis.core.errors import Reason, SociaparisError
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.fielding.invitation_csv import read_invitation_csv

TEMPLATES_DIR = Path(__file__).resolve().parent / "mail_templates"
KINDS = ("invitation", "reminder")
LANGUAGES = ("fr", "en")
#: Columns of the links file read as the address, in this order.
ADDRESS_COLUMNS = ("email", "e-mail", "mail", "courriel", "adresse_mail")
#: Placeholders every template may use, besides the links file's own columns.
PLACEHOLDERS = ("link", "optout_link", "title")
_TOKEN = re.compile(r"/i/([A-Za-z0-9_-]{20,100})$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_TEMPLATE_BYTES = 100_000


# -- settings and transport -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how messages are sent (from ``SOCIAPARIS_SMTP_*``).

    The password is kept out of ``repr`` so that it is never printed.
    """

    host: str
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = ""
    rate: float = 60.0
    timeout: float = 30.0

    def __repr__(self) -> str:
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, "
            f"security={self.security!r}, user={self.user!r}, sender={self.sender!r}, "
            f"rate={self.rate})"
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSettings:
        """The SMTP settings of ``settings`` (``FIELD_016`` when no server is set)."""
        if not settings.smtp_host or not settings.smtp_sender:
            raise SociaparisError(FieldingError.SMTP_NOT_CONFIGURED)
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value(),
            sender=settings.smtp_sender,
            rate=settings.smtp_rate,
        )

    @property
    def interval(self) -> float:
        """Seconds between two messages at the rate limit."""
        return 60.0 / self.rate


class NotHandedOver(Exception):
    """The message never reached the server (connection, TLS or log-in failed)."""


class Refused(Exception):
    """The server answered and refused the message: it was not accepted."""


class LostInFlight(Exception):
    """The connection failed while the message was being handed over: it may or
    may not have been accepted."""


class SmtpTransport:
    """Hands one message at a time to an SMTP server (one connection each).

    A connection per message keeps a slow, rate-limited mailing clear of the
    server's idle timeouts, and tells apart the failures that matter: before the
    message is handed over (:class:`NotHandedOver`), a refusal by the server
    (:class:`Refused`), and a failure while it is handed over
    (:class:`LostInFlight`: it may or may not have been accepted, so the caller
    leaves it uncertain).
    """

    def __init__(
        self, settings: SmtpSettings, *, context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        # Certificates are verified (the system's authorities unless given).
        self.context = context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = self.context or ssl.create_default_context()
        if s.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=context)
        if s.user:
            smtp.login(s.user, s.password)
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; see the class for what each failure means."""
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            raise NotHandedOver(_reason(error)) from error
        try:
            smtp.send_message(message)
        except (
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPSenderRefused,
            smtplib.SMTPDataError,
        ) as error:
            raise Refused(_reason(error)) from error
        except (OSError, smtplib.SMTPException) as error:
            raise LostInFlight(_reason(error)) from error
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:400]


# -- the links file -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recipient:
    """One person of the links file: their token, address, language and columns."""

    line: int
    token: str
    address: str
    link: str
    lang: str
    columns: Mapping[str, str]


def read_links_file(
    data: bytes,
    *,
    path: str = "links.csv",
    default_lang: str = "fr",
    address_column: str | None = None,
) -> list[Recipient]:
    """Read the links file that ``sociaparis invite`` wrote (``FIELD_014`` naming
    the line when a row cannot be mailed: no link, no valid address).

    A ``lang`` (or ``language``) column, ``fr`` or ``en``, picks each person's
    template language; otherwise ``default_lang``.
    """
    table = read_invitation_csv(data, path=path)
    if "link" not in table.columns:
        raise SociaparisError(
            FieldingError.BAD_LINKS_FILE,
            path=path,
            reason=Reason(
                en="it has no 'link' column: give the file `sociaparis invite` wrote",
                fr="il n'a pas de colonne « link » : donnez le fichier écrit par "
                "`sociaparis invite`",
            ),
        )
    column = address_column or next(
        (c for c in table.columns if c.strip().lower() in ADDRESS_COLUMNS), None
    )
    if column is None or column not in table.columns:
        wanted = address_column or ", ".join(ADDRESS_COLUMNS)
        found = ", ".join(table.columns)
        raise SociaparisError(
            FieldingError.BAD_LINKS_FILE,
            path=path,
            reason=Reason(
                en=f"no address column ({wanted}); its columns are {found}",
                fr=f"aucune colonne d'adresse ({wanted}) ; ses colonnes sont {found}",
            ),
        )
    lang_column = next(
        (c for c in table.columns if c.strip().lower() in {"lang", "language"}), None
    )
    recipients = []
    for line, row in enumerate(table.rows, start=2):
        link = row.get("link", "").lstrip("'")
        match = _TOKEN.search(link)
        if match is None:
            raise SociaparisError(
                FieldingError.BAD_LINKS_FILE,
                path=path,
                reason=Reason(
                    en=f"line {line}: '{link[:80]}' is not an invitation link",
                    fr=f"ligne {line} : « {link[:80]} » n'est pas un lien d'invitation",
                ),
            )
        address = check_address(row.get(column, ""), path=path, line=line)
        lang = (row.get(lang_column, "") if lang_column else "").strip().lower()
        recipients.append(
            Recipient(
                line=line,
                token=match.group(1),
                address=address,
                link=link,
                lang=lang if lang in LANGUAGES else default_lang,
                columns=dict(row),
            )
        )
    return recipients


def check_address(value: str, *, path: str, line: int) -> str:
    """``value`` as one e-mail address, or ``FIELD_014`` (never a header injection)."""
    text = value.strip().lstrip("'")
    try:
        if not text or any(c in text for c in '\r\n,;<>"') or "@" not in text:
            raise ValueError(text)
        address = Address(addr_spec=text)
        if not address.domain or "." not in address.domain:
            raise ValueError(text)
    except (ValueError, IndexError):
        raise SociaparisError(
            FieldingError.BAD_LINKS_FILE,
            path=path,
            reason=Reason(
                en=f"line {line}: '{text[:80]}' is not one e-mail address",
                fr=f"ligne {line} : « {text[:80]} » n'est pas une adresse "
                "électronique, ou en contient plusieurs",
            ),
        ) from None
    return address.addr_spec


# -- templates ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MailTemplate:
    """A message's subject, plain text and HTML, with ``${name}`` placeholders."""

    name: str
    subject: string.Template
    text: string.Template
    html: string.Template

    def placeholders(self) -> set[str]:
        """Every placeholder the template uses."""
        found: set[str] = set()
        for part in (self.subject, self.text, self.html):
            found.update(part.get_identifiers())
        return found


def load_template(kind: str, lang: str, *, folder: Path | None = None) -> MailTemplate:
    """The template of ``kind`` (invitation, reminder) in ``lang``.

    A researcher's ``folder`` holding ``{kind}.{lang}.txt`` (first line
    ``Subject: …``, a blank line, the text) and ``{kind}.{lang}.html`` replaces
    the built-in one; either file missing there falls back to the built-in.
    """
    if kind not in KINDS or lang not in LANGUAGES:
        raise ValueError(f"no template for {kind!r} in {lang!r}")
    name = f"{kind}.{lang}"

    def read(suffix: str) -> tuple[str, str]:
        for base in (folder, TEMPLATES_DIR):
            if base is None:
                continue
            path = base / f"{name}.{suffix}"
            if path.is_file():
                data = path.read_bytes()
                if len(data) > MAX_TEMPLATE_BYTES:
                    raise _bad(
                        str(path),
                        Reason(en="it is larger than 100 kB", fr="il dépasse 100 ko"),
                    )
                try:
                    return str(path), data.decode("utf-8")
                except UnicodeDecodeError:
                    raise _bad(
                        str(path),
                        Reason(
                            en="it is not UTF-8 text", fr="ce n'est pas du texte UTF-8"
                        ),
                    ) from None
        raise _bad(
            f"{name}.{suffix}",
            Reason(en="the file is missing", fr="le fichier est introuvable"),
        )

    text_path, text = read("txt")
    html_path, markup = read("html")
    first, _, body = text.partition("\n")
    if not first.lower().startswith("subject:"):
        raise _bad(
            text_path,
            Reason(
                en="its first line must be 'Subject: …'",
                fr="sa première ligne doit être « Subject: … »",
            ),
        )
    template = MailTemplate(
        name=name,
        subject=string.Template(first.split(":", 1)[1].strip()),
        text=string.Template(body.lstrip("\n")),
        html=string.Template(markup),
    )
    for path, part in ((text_path, template.text), (html_path, template.html)):
        if not part.is_valid():
            raise _bad(
                path,
                Reason(
                    en="a '$' is neither '$$' nor a ${name} placeholder",
                    fr="un « $ » n'est ni « $$ » ni une variable ${name}",
                ),
            )
    return template


def _bad(template: str, reason: Reason) -> SociaparisError:
    return SociaparisError(
        FieldingError.BAD_MAIL_TEMPLATE, template=template, reason=reason
    )


def check_placeholders(template: MailTemplate, columns: Sequence[str]) -> None:
    """``FIELD_015`` when the template uses a placeholder nothing fills."""
    available = set(PLACEHOLDERS) | {c for c in columns if _IDENTIFIER.fullmatch(c)}
    unknown = sorted(template.placeholders() - available)
    if unknown:
        listed = ", ".join(sorted(available))
        raise _bad(
            template.name,
            Reason(
                en=f"unknown placeholder ${{{unknown[0]}}}; available: {listed}",
                fr=f"variable inconnue ${{{unknown[0]}}} ; variables disponibles : "
                f"{listed}",
            ),
        )


def compose(
    template: MailTemplate,
    *,
    recipient: Recipient,
    sender: str,
    title: str,
    optout_link: str,
    message_id: str,
) -> EmailMessage:
    """The message to ``recipient``: plain text and HTML (values escaped there),
    with a ``List-Unsubscribe`` header pointing at the opt-out page."""
    values = {
        **{k: v for k, v in recipient.columns.items() if _IDENTIFIER.fullmatch(k)},
        "link": recipient.link,
        "optout_link": optout_link,
        "title": title,
    }
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    subject = " ".join(template.subject.substitute(values).split())
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient.address
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<{optout_link}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(template.text.substitute(values))
    message.add_alternative(template.html.substitute(escaped), subtype="html")
    return message
